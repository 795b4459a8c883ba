"""The library database (`library.db`): its schema, the steps that bring an older one up to date,
and the connections to it (`Database`).

One SQLite file (the standard library's `sqlite3`; WAL, so readers never wait for a writer and
a writer never blocks readers; `busy_timeout`, so two writers take turns), as Zotero, calibre and
newsboat keep theirs. `PRAGMA user_version` is the schema's version; `MIGRATIONS[n]` takes a
database of version n to n + 1, each in one transaction, and a test runs each.

Tables (see `SCHEMA`): `papers` (a row a paper, `rowid` its place in import order, `id` its
lasting identity), `aliases` (the other names a paper answers to: its arXiv id when its own id
is a `t:` title id, a DOI, the ids of records folded into it), `removed` (tombstones: a removed
paper's row, so a fetch of the same day does not bring it back and undo puts it back as it
was), `batches` (each import: when, from where, what it added), `paper_sources` (every digest
that gave each paper), `imports` (inputs remembered by content, `store/recall.py`),
`http_cache` (the validators of fetched pages, which live and die with the papers they gave),
`terms` (each word of the index and its stem), `meta`, and what `papertray watch` keeps
(`store/updates.py`): `updates` (each change of a starred or read-later paper: a new version,
code, upvotes past the threshold; seen or not), `versions` (each paper's arXiv versions as
seen: number, date, title) and `watched` (what the last watch saw of each paper, and when each
source was asked). `papers_fts` is the FTS5 word index
over title, abstract and authors, given the folded text (`store/words.py`) in the same
transaction as the rows; it keeps no copy of the text (`content=''`).
"""

from __future__ import annotations

import os
import secrets
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from papertray.store.storage import StoreError, fsync_dir
from papertray.store.words import TOKENIZER, fold

__all__ = [
    "MIGRATIONS",
    "SCHEMA",
    "SCHEMA_VERSION",
    "Database",
    "Interrupted",
    "connect",
    "migrate",
    "read_error",
]

SCHEMA = f"""
CREATE TABLE papers (
    rowid INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL,
    title TEXT NOT NULL,
    abstract TEXT NOT NULL DEFAULT '',
    authors TEXT NOT NULL DEFAULT '',
    published TEXT,
    links TEXT NOT NULL DEFAULT '',
    repo TEXT,
    source TEXT NOT NULL DEFAULT '',
    arxiv_id TEXT,
    upvotes INTEGER,
    stars INTEGER,
    comments INTEGER,
    keywords TEXT NOT NULL DEFAULT '',
    digest_date TEXT,
    added_at REAL,
    categories TEXT NOT NULL DEFAULT '',
    remarks TEXT NOT NULL DEFAULT '',
    arxiv_version INTEGER,
    batch INTEGER,
    title_key TEXT NOT NULL DEFAULT '',
    published_day TEXT,
    digest_day TEXT,
    version INTEGER NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX papers_id ON papers(id);
CREATE INDEX papers_title_key ON papers(title_key);
CREATE INDEX papers_added_at ON papers(added_at);
CREATE TABLE aliases (
    alias TEXT PRIMARY KEY,
    paper TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX aliases_paper ON aliases(paper);
CREATE TABLE removed (
    id TEXT PRIMARY KEY,
    at REAL NOT NULL,
    title_key TEXT NOT NULL DEFAULT '',
    row TEXT NOT NULL,
    sources TEXT NOT NULL DEFAULT ''
) WITHOUT ROWID;
CREATE INDEX removed_title_key ON removed(title_key);
CREATE TABLE batches (
    id INTEGER PRIMARY KEY,
    at REAL NOT NULL,
    kind TEXT NOT NULL,
    source TEXT NOT NULL DEFAULT '',
    new INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE paper_sources (
    paper TEXT NOT NULL,
    source TEXT NOT NULL,
    seq INTEGER NOT NULL,
    PRIMARY KEY (paper, source)
) WITHOUT ROWID;
CREATE INDEX paper_sources_source ON paper_sources(source);
CREATE TABLE imports (
    key TEXT PRIMARY KEY,
    record TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE http_cache (
    url TEXT PRIMARY KEY,
    etag TEXT,
    last_modified TEXT,
    items INTEGER NOT NULL DEFAULT 0,
    ids TEXT NOT NULL DEFAULT '',
    seen INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;
CREATE TABLE terms (
    term TEXT PRIMARY KEY,
    stem TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX terms_stem ON terms(stem);
CREATE TABLE meta (
    key TEXT PRIMARY KEY,
    value
) WITHOUT ROWID;
CREATE TABLE updates (
    id INTEGER PRIMARY KEY,
    paper TEXT NOT NULL,
    kind TEXT NOT NULL,
    detail TEXT NOT NULL,
    at REAL NOT NULL,
    seen INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX updates_paper ON updates(paper);
CREATE TABLE versions (
    paper TEXT NOT NULL,
    version INTEGER NOT NULL,
    date TEXT,
    title TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (paper, version)
) WITHOUT ROWID;
CREATE TABLE watched (
    paper TEXT PRIMARY KEY,
    version INTEGER,
    repo TEXT,
    upvotes INTEGER,
    arxiv_at REAL,
    hf_at REAL
) WITHOUT ROWID;
CREATE VIRTUAL TABLE papers_fts USING fts5(
    title, abstract, authors, content='', tokenize='{TOKENIZER}'
);
CREATE VIRTUAL TABLE papers_vocab USING fts5vocab(papers_fts, 'row');
"""
"""The schema of a new database, at `SCHEMA_VERSION`."""

SCHEMA_VERSION = 1

PAPER_INDEXES = {
    "papers_id": "CREATE UNIQUE INDEX papers_id ON papers(id)",
    "papers_title_key": "CREATE INDEX papers_title_key ON papers(title_key)",
    "papers_added_at": "CREATE INDEX papers_added_at ON papers(added_at)",
}
"""The indexes of `papers` (as in `SCHEMA`): a big batch of new papers is inserted without them
and they are made again after, a sort instead of 100k inserts at random places."""

FIRST_BULK = 5_000
"""A first import this big into a library file that does not exist yet is written into a new
file without a journal (`Database.creating`)."""

MIGRATIONS: dict[int, Callable[[sqlite3.Connection], None]] = {}
"""`MIGRATIONS[n](connection)` takes a database of version n to n + 1 (inside a transaction
that `migrate` opens and commits). Version 0 is an empty file: it gets `SCHEMA` whole."""

BUSY_TIMEOUT_MS = 10_000
"""How long a writer waits for another process's write to finish before giving up."""


def connect(
    path: Path | str, *, read_only: bool = False, journal: str = "WAL"
) -> sqlite3.Connection:
    """A connection to the library database (`":memory:"` for a scratch one), in autocommit
    mode (transactions are opened explicitly with BEGIN), with papertray's SQL functions.
    `journal` "OFF": a new file nobody else sees yet (`Database.creating`)."""
    if read_only and str(path) != ":memory:":
        uri = Path(path).resolve().as_uri() + "?mode=ro"
        try:
            conn = sqlite3.connect(uri, uri=True, isolation_level=None, check_same_thread=False)
            conn.execute("SELECT 1 FROM sqlite_master LIMIT 1")
        except sqlite3.OperationalError:
            # A WAL database on read-only media cannot make its shared-memory file: read it as
            # it is ("immutable": nobody can change it there anyway).
            conn = sqlite3.connect(
                uri + "&immutable=1", uri=True, isolation_level=None, check_same_thread=False
            )
    else:
        conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    if not read_only:
        conn.execute(f"PRAGMA journal_mode = {journal}")
        # In WAL mode, NORMAL loses no committed transaction on a crash of papertray, only
        # (on power loss) the last ones; the database stays consistent either way.
        conn.execute(f"PRAGMA synchronous = {'NORMAL' if journal == 'WAL' else 'OFF'}")
    conn.execute("PRAGMA foreign_keys = ON")
    # `pt_fold(text)`: the folding the word index is given (`contains:`, `id:` and `repo:`
    # look for text in folded columns with it).
    conn.create_function("pt_fold", 1, _sql_fold, deterministic=True)
    return conn


def _sql_fold(text: object) -> str:
    return fold(text).lower() if isinstance(text, str) else ""


def version(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def migrate(conn: sqlite3.Connection) -> int:
    """Bring the database up to `SCHEMA_VERSION`, each step in its own transaction; returns
    the version it was at. Raises `sqlite3.DatabaseError` on a file that is no database, and
    `ValueError` on one newer than this papertray knows."""
    found = version(conn)
    if found > SCHEMA_VERSION:
        raise ValueError(
            f"it was written by a newer papertray (schema {found}, this one reads up to "
            f"{SCHEMA_VERSION})"
        )
    at = found
    while at < SCHEMA_VERSION:
        conn.execute("BEGIN IMMEDIATE")
        try:
            now = version(conn)  # another process may have migrated meanwhile
            if now == at:
                if at == 0:
                    for statement in _statements(SCHEMA):
                        conn.execute(statement)
                    conn.execute(
                        "INSERT INTO meta (key, value) VALUES ('id', ?)", (secrets.token_hex(8),)
                    )
                    now = SCHEMA_VERSION
                else:
                    MIGRATIONS[at](conn)
                    now = at + 1
                conn.execute(f"PRAGMA user_version = {now}")
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:  # (SQLite rolls back by itself on a full disk)
                conn.execute("ROLLBACK")
            raise
        at = now
    return found


def _statements(script: str) -> list[str]:
    """The statements of a script, split where `sqlite3.complete_statement` says one ends
    (`executescript` would commit the transaction the migration runs in)."""
    statements: list[str] = []
    current = ""
    for line in script.splitlines(keepends=True):
        current += line
        if sqlite3.complete_statement(current):
            if current.strip():
                statements.append(current.strip())
            current = ""
    return statements


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
