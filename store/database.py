"""The library's database file and the connections to it (`Database`): one writer, a
transaction at a time; a look-up and a search connection shared by every thread; a damaged file
moved aside; a file a full disk or a read-only folder cannot open read as it is; a first big
import written into a new file without a journal. The schema and its migrations are `db.py`.
"""

from __future__ import annotations

import os
import secrets
import sqlite3
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from papertray.store.db import connect, migrate
from papertray.store.storage import StoreError, fsync_dir

__all__ = ["Created", "Database", "Interrupted", "one_line", "read_error"]


class Interrupted(StoreError):
    """A query cut short by `Database.interrupt` (a newer one was asked for)."""


def one_line(error: BaseException) -> str:
    return " ".join(str(error).split()) or type(error).__name__


def read_error(path: Path | None, error: sqlite3.Error) -> StoreError:
    if str(error) == "interrupted":
        return Interrupted("the query was interrupted")
    return StoreError(f"could not read the library {path or 'in memory'}: {one_line(error)}")


class Database:
    """The library's database file and the connections to it: one writer (a transaction at a
    time, `transaction`) and two reading connections, each shared by every thread under its own
    lock: `looking` for quick look-ups (a screenful of rows, one paper), `searching` for
    queries, which may take longer and can be cut short (`interrupt`) without keeping the
    look-ups waiting. `path` None: one connection to a database in memory.

    Opening creates nothing on disk: the file is made by the first write (a missing file reads
    as an empty library). A file that is no database is moved aside (`<name>.damaged-<time>`)
    and reported in `warnings`, and the library starts empty."""

    def __init__(self, path: Path | None, *, read_only: bool = False) -> None:
        self.path = path
        self.warnings: list[str] = []
        self._explicit_read_only = read_only
        self._lock = threading.RLock()  # the writer, and opening connections
        self._look_lock = threading.RLock()
        self._search_lock = threading.RLock()
        self._conns: dict[str, sqlite3.Connection] = {}
        self._empty_conn: sqlite3.Connection | None = None
        self._memory: sqlite3.Connection | None = None
        self._writer: sqlite3.Connection | None = None
        self._damaged = False
        if path is None:
            self._memory = self.open_memory()

    @staticmethod
    def open_memory() -> sqlite3.Connection:
        conn = connect(":memory:")
        migrate(conn)
        return conn

    @property
    def read_only(self) -> bool:
        """True when saving cannot work: opened read-only, a damaged file left in place, or a
        data folder this process may not write."""
        if self._memory is not None:
            return self._explicit_read_only
        if self._explicit_read_only or self._damaged:
            return True
        assert self.path is not None
        folder = self.path.parent
        while not folder.exists():
            if folder.parent == folder:
                return True
            folder = folder.parent
        target = self.path if self.path.exists() else folder
        return not os.access(target, os.W_OK)

    def _connect_file(self, *, read_only: bool) -> sqlite3.Connection:
        assert self.path is not None
        if _truncated(self.path):
            raise sqlite3.DatabaseError("the file is shorter than its header says: cut off")
        conn = connect(self.path, read_only=read_only)
        try:
            migrate(conn) if not read_only else conn.execute("SELECT 1 FROM papers LIMIT 1")
        except ValueError as error:  # a newer schema: never touch it
            conn.close()
            raise StoreError(f"cannot open the library {self.path}: {error}") from None
        except sqlite3.DatabaseError:
            conn.close()
            raise
        return conn

    def reader(self, name: str) -> sqlite3.Connection:
        """The reading connection `name` ("look" or "search"; the caller holds its lock), or
        the one connection of a memory library."""
        if self._memory is not None:
            return self._memory
        conn = self._conns.get(name)
        if conn is not None:
            return conn
        with self._lock:
            assert self.path is not None
            if self._damaged or not self.path.exists():
                return self._empty()  # a missing file: ask again, a write may create it
            try:
                conn = self._connect_file(read_only=self.read_only)
            except sqlite3.Error as error:
                if self._damaged_by(error):
                    return self._set_aside(error)
                try:
                    # A full disk has no room for the log's shared-memory file: read it as it is.
                    conn = self._connect_file(read_only=True)
                except sqlite3.Error:
                    raise StoreError(
                        f"could not read the library {self.path}: {one_line(error)}"
                    ) from None
            self._conns[name] = conn
        return conn

    def _empty(self) -> sqlite3.Connection:
        """A stand-in for a library file that does not exist (yet): empty, in memory."""
        if self._empty_conn is None:
            self._empty_conn = self.open_memory()
        return self._empty_conn

    def _set_aside(self, error: BaseException) -> sqlite3.Connection:
        """A file that is no database (or a damaged one): moved aside, reported, and the
        library starts empty. Left in place (and read as empty) when opened read-only."""
        assert self.path is not None
        what = f"library file {self.path} was damaged ({one_line(error)})"
        if self._explicit_read_only:
            self._damaged = True
            self.warnings.append(f"{what}; left in place (opened read-only); reading it as empty")
            return self._empty()
        stamp = time.strftime("%Y%m%dT%H%M%S")
        target = self.path.with_name(f"{self.path.name}.damaged-{stamp}")
        n = 1
        while target.exists():
            n += 1
            target = self.path.with_name(f"{self.path.name}.damaged-{stamp}-{n}")
        try:
            os.replace(self.path, target)
            for suffix in ("-wal", "-shm"):
                side = self.path.with_name(self.path.name + suffix)
                if side.exists():
                    os.replace(side, target.with_name(target.name + suffix))
        except OSError as exc:
            self._damaged = True
            self.warnings.append(
                f"{what} and could not be moved aside ({exc.strerror or exc}); "
                "reading it as empty; changes will not be saved"
            )
            return self._empty()
        self.warnings.append(f"{what}; moved aside to {target}; starting empty")
        return self._empty()

    def writer(self) -> sqlite3.Connection:
        if self._memory is not None:
            return self._memory
        if self._writer is None:
            if self.read_only:
                why = "it was opened read-only" if self._explicit_read_only else (
                    "it is damaged" if self._damaged else "its folder is read-only"
                )
                raise StoreError(f"cannot save the library {self.path}: {why}")
            assert self.path is not None
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                self._writer = self._connect_file(read_only=False)
            except OSError as error:
                raise StoreError(
                    f"could not save the library {self.path}: {error.strerror or error}"
                ) from None
            except sqlite3.Error as error:
                if not self._damaged_by(error):
                    raise StoreError(
                        f"could not save the library {self.path}: {one_line(error)}"
                    ) from None
                self._set_aside(error)
                try:
                    self._writer = self._connect_file(read_only=False)
                except sqlite3.Error as again:
                    raise StoreError(
                        f"could not save the library {self.path}: {one_line(again)}"
                    ) from None
            self._drop_readers()  # read the new file from now on
        return self._writer

    @contextmanager
    def transaction(self) -> Iterator[tuple[sqlite3.Connection, int]]:
        """A write transaction and its version number (each write's is one more). Any
        SQLite failure (a full disk, a read-only file) is a `StoreError`, nothing written."""
        with self._lock:
            conn = self.writer()
            try:
                conn.execute("BEGIN IMMEDIATE")
            except sqlite3.Error as error:
                raise StoreError(
                    f"could not save the library {self.path}: {one_line(error)}"
                ) from None
            try:
                row = conn.execute("SELECT value FROM meta WHERE key = 'version'").fetchone()
                version = (row[0] if row else 0) + 1
                before = conn.total_changes
                yield conn, version
                wrote = conn.total_changes != before  # a write that changed nothing: no version
                if wrote:
                    conn.execute(
                        "INSERT OR REPLACE INTO meta (key, value) VALUES ('version', ?)",
                        (version,),
                    )
                conn.execute("COMMIT")
                if wrote:
                    self.wrote(version)
            except sqlite3.Error as error:
                self._rollback(conn)
                raise StoreError(
                    f"could not save the library {self.path or 'in memory'}: {one_line(error)}"
                ) from None
            except BaseException:
                self._rollback(conn)
                raise

    @contextmanager
    def creating(self) -> Iterator[Created | None]:
        """The first write of a big batch while the library file does not exist: a new database
        in a temp file beside it, written without a journal (on any failure the temp file goes
        and the library is as it was, missing), switched to WAL and moved into place only when
        complete, never over a file another process made meanwhile (then `placed` is False
        and the caller writes as usual). Yields None when the file exists already."""
        path = self.path
        if self._memory is not None or path is None or path.exists() or self.read_only:
            yield None
            return
        with self._lock:
            temp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.new")
            created = Created()
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                conn = connect(temp, journal="OFF")
                try:
                    migrate(conn)
                    conn.execute("BEGIN")
                    created.conn = conn
                    yield created
                    conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('version', 1)")
                    conn.execute("COMMIT")
                    conn.execute("PRAGMA journal_mode = WAL")
                finally:
                    conn.close()
                with open(temp, "rb") as written:
                    os.fsync(written.fileno())
                created.placed = _place(temp, path)
                if created.placed:
                    fsync_dir(path.parent)
                    self._drop_readers()  # read the new file from now on
                    self.wrote(1)
            except sqlite3.Error as error:
                raise StoreError(f"could not save the library {path}: {one_line(error)}") from None
            except OSError as error:
                raise StoreError(
                    f"could not save the library {path}: {error.strerror or error}"
                ) from None
            finally:
                for leftover in (temp, temp.with_name(temp.name + "-wal")):
                    try:
                        os.unlink(leftover)
                    except OSError:
                        pass

    @staticmethod
    def _rollback(conn: sqlite3.Connection) -> None:
        if conn.in_transaction:
            try:
                conn.execute("ROLLBACK")
            except sqlite3.Error:
                pass

    def _damaged_by(self, error: sqlite3.Error) -> bool:
        """Whether an error opening the file says it is no database (moved aside), rather than
        that it cannot be used now (a full disk, a lock, permissions: said, never moved)."""
        if type(error) is sqlite3.DatabaseError:  # "file is not a database", "malformed"
            return True
        return self.path is not None and (
            self.path.is_dir() or (self.path.exists() and not self.path.is_file())
        )

    def _drop_readers(self) -> None:
        with self._look_lock, self._search_lock:
            for conn in self._conns.values():
                conn.close()
            self._conns.clear()
            self.dropped()

    def close(self) -> None:
        with self._lock:
            self._drop_readers()
            if self._writer is not None:
                self._writer.close()
            self._writer = None

    def interrupt(self) -> None:
        """Cut short a query running in another thread (`select`, `count`): it raises
        `Interrupted` there. For a search a newer keystroke made stale."""
        conn = self._memory if self._memory is not None else self._conns.get("search")
        if conn is not None:
            conn.interrupt()

    @contextmanager
    def looking(self) -> Iterator[sqlite3.Connection]:
        """The connection for quick look-ups, held for the block."""
        with self._lock if self._memory is not None else self._look_lock:
            yield self.reader("look")

    @contextmanager
    def searching(self) -> Iterator[sqlite3.Connection]:
        """The connection for queries (the one `interrupt` cuts short), held for the block."""
        with self._lock if self._memory is not None else self._search_lock:
            yield self.reader("search")

    def walker(self) -> sqlite3.Connection:
        """A connection of its own for a long read (give it back with `walked`); the memory
        database's one connection, under its lock, when there is no file."""
        if self._memory is not None:
            self._lock.acquire()
            return self._memory
        if self.path is None or not self.path.exists() or self._damaged:
            self._lock.acquire()
            return self._empty()
        return connect(self.path, read_only=True)

    def walked(self, conn: sqlite3.Connection) -> None:
        if conn is self._memory or conn is self._empty_conn:
            self._lock.release()
        else:
            conn.close()

    def rows(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        """All rows of a read on the look-up connection; any failure is a `StoreError`."""
        try:
            with self.looking() as conn:
                return conn.execute(sql, params).fetchall()
        except sqlite3.Error as error:
            raise read_error(self.path, error) from None

    def wrote(self, version: int) -> None:
        """Called after each transaction that changed something (see `Library`)."""

    def dropped(self) -> None:
        """Called when the reading connections are closed (their temporary tables go)."""


class Created:
    """What `Database.creating` gives: the connection to write the first batch with, and
    after the block whether the new file is now the library."""

    conn: sqlite3.Connection
    placed = False


def _place(temp: Path, path: Path) -> bool:
    """Move `temp` to `path` unless `path` exists (another process made it): False then."""
    try:
        os.link(temp, path)  # fails when `path` exists: no check-then-act race
        return True
    except FileExistsError:
        return False
    except OSError:
        pass  # no hard links here (some file systems): a rename, which on Windows never replaces
    if path.exists():
        return False
    os.rename(temp, path)
    return True


def _truncated(path: Path) -> bool:
    """Whether a database file is shorter than the pages its header counts (a copy cut off):
    what opening it would not notice until a query reached a missing page. Read from the header
    alone, and only when no write-ahead log is beside it (whose pages may not be in the file
    yet)."""
    try:
        if os.path.exists(f"{path}-wal"):
            return False
        with open(path, "rb") as file:
            header = file.read(100)
        size = os.path.getsize(path)
    except OSError:
        return False
    if len(header) < 100 or not header.startswith(b"SQLite format 3\x00"):
        return False  # not a database at all: SQLite itself says so
    page = int.from_bytes(header[16:18], "big")
    page = 65536 if page == 1 else page
    pages = int.from_bytes(header[28:32], "big")
    valid = header[24:28] == header[92:96]  # the count is kept up to date since 3.7.0
    return valid and pages > 0 and size < pages * page
