"""A crash-safe, multi-process-safe JSON storage for TinyDB: what `state.json` is kept in.

TinyDB's documented extension point is a `Storage` subclass (`read`, `write`, `close`); this one
replaces the stock `JSONStorage`, which rewrites its file in place (a kill mid-write leaves a
torn file, a full disk an empty one, and two processes silently overwrite each other):

- `write` puts the data in a temp file in the same folder, fsyncs it, `os.replace`s it over the
  real file and fsyncs the folder, so the file on disk is always a complete old or new copy;
- `transaction()` holds an inter-process lock (`filelock`, on Linux, macOS and Windows) across a
  read-modify-write, and inside it `read()` sees any change another process made before: no
  one's marks are lost. Writes inside a transaction are kept and written once when it ends, as
  TinyDB's own `CachingMiddleware` defers them: one change of many papers is one file write;
- the parsed data is cached and parsed again only when the file is not the one last read or
  written (its size, times and inode);
- a damaged file is moved aside (`<name>.damaged-<timestamp>`) and the storage starts empty,
  with one warning line.
"""

from __future__ import annotations

import errno
import os
import secrets
import stat
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import orjson
from tinydb import Storage
from tinydb.storages import MemoryStorage

__all__ = ["AtomicJSONStorage", "MemoryJSONStorage", "StoreError", "os_reason"]

Tables = dict[str, dict[str, Any]]
_HOLD_FILE = os.name != "nt"
"""Keep the file last read open (POSIX), so the kernel cannot give its inode number to another
file while we compare stamps. Windows cannot replace a file another handle holds open."""

REASONS = {
    errno.ENOSPC: "the disk is full",
    errno.EDQUOT: "the disk quota is exceeded",
    errno.EROFS: "the file system is read-only",
    errno.EACCES: "permission denied",
    errno.EPERM: "permission denied",
    errno.EIO: "an input/output error occurred",
}


class StoreError(Exception):
    """A file could not be saved (disk full, read-only, ...). `str(e)` is one line."""


def os_reason(exc: OSError) -> str:
    """An OSError in words for a one-line message ("the disk is full")."""
    if exc.errno in REASONS:
        return REASONS[exc.errno]
    return (exc.strerror or str(exc)).lower()


def fsync_dir(folder: Path) -> None:
    """Make a rename in `folder` durable. Windows has no folder handles to sync (its renames
    are journaled); some file systems refuse: the data file is complete by then either way."""
    if os.name == "nt":
        return
    try:
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


class _Damaged(Exception):
    def __init__(self, reason: str, sig: tuple[int, ...] | None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.sig = sig


def _shape_problem(data: Any) -> str | None:
    """Why `data` is not a TinyDB database (a dict of tables, each a dict of documents)."""
    if not isinstance(data, dict):
        return f"top level is {type(data).__name__ if data is not None else 'null'}, not an object"
    for name, table in data.items():
        if not isinstance(table, dict):
            return f"table {name!r} is not an object"
        for doc in table.values():
            if not isinstance(doc, dict):
                return f"table {name!r} holds a document that is not an object"
    return None


class AtomicJSONStorage(Storage):
    """TinyDB storage: atomic replace on write, a lock across read-modify-write, cached reads.

    `label` names the file in messages ("state file"). `warnings` collects one line per problem
    found (a damaged file moved aside, ...). With `read_only=True` nothing on disk is ever
    changed and `write()` raises `StoreError`. `shape`: why tables of the right shape are still
    not what the file's reader can read (its own layout), or None; such a file is damaged."""

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        read_only: bool = False,
        label: str | None = None,
        shape: Callable[[Tables], str | None] | None = None,
    ) -> None:
        path = Path(os.path.abspath(path))
        # Follow a symlink to a real file so a dotfiles-style link keeps pointing at our data; a
        # dangling one, or one to something that is not a file, is handled as a damaged file.
        if path.is_symlink() and path.is_file():
            path = Path(os.path.realpath(path))
        self.path = path
        self.label = label or f"file {path.name}"
        self.warnings: list[str] = []
        self._shape = shape
        self._explicit_read_only = read_only
        self._memory_only = False
        self._data: Tables | None = None
        self._sig: tuple[int, ...] | None = None
        self._held_fd: int | None = None
        self._loaded = False
        self._pending: Tables | None = None
        self.version = 0
        """Bumped whenever the data seen by this object changes (here or in another process)."""
        self._mutex = threading.RLock()
        self._depth = 0
        self._lock: Any = None

    # -- locking ----------------------------------------------------------------------------

    @property
    def read_only(self) -> bool:
        """True when saving cannot work: opened read-only, a damaged file that could not be moved
        aside, or a data folder this process may not write."""
        if self._explicit_read_only or self._memory_only:
            return True
        folder = self.path.parent
        while not folder.exists():
            if folder.parent == folder:
                return True
            folder = folder.parent
        return not os.access(folder, os.W_OK)

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Hold the inter-process lock for a read-modify-write (re-entrant). Inside, `read()`
        sees any change another process made before we took the lock, and writes are kept until
        the outermost transaction ends, then written once."""
        with self._mutex:
            outermost = self._depth == 0
            if outermost:
                self._acquire()
            self._depth += 1
            try:
                yield
                if outermost and self._pending is not None:
                    pending, self._pending = self._pending, None
                    self._write_now(pending)
            except BaseException:
                if outermost and self._pending is not None:
                    # TinyDB changed the cached tables in place before its writes: read the
                    # file again rather than trust them.
                    if self._memory_only:
                        self._data = {}
                    else:
                        self._loaded = False
                raise
            finally:
                self._depth -= 1
                if outermost:
                    self._pending = None
                    self._release()

    def _acquire(self) -> None:
        if self._explicit_read_only or self._memory_only or self.read_only:
            return  # nobody can save here: nothing to guard, and reads still work
        try:
            import filelock  # portable (fcntl on POSIX, msvcrt on Windows); loaded on first write

            self.path.parent.mkdir(parents=True, exist_ok=True)
            lock = filelock.FileLock(str(self.path.parent / f".{self.path.name}.lock"))
            lock.acquire()
        except OSError:
            return
        self._lock = lock

    def _release(self) -> None:
        lock, self._lock = self._lock, None
        if lock is not None:
            lock.release()

    # -- reading ----------------------------------------------------------------------------

    def _stat_sig(self) -> tuple[int, ...] | None:
        try:
            st = os.stat(self.path)
        except FileNotFoundError:
            return None
        except OSError:
            return (-1,)
        return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)

    def read(self) -> Tables | None:
        with self._mutex:
            if self._pending is not None:
                return self._pending
            if self._memory_only:
                return self._data
            sig = self._stat_sig()
            if self._loaded and sig == self._sig:
                return self._data
            self._load()
            return self._data

    def refresh(self) -> bool:
        """Re-read the file if another process changed it. True if the data changed."""
        with self._mutex:
            before = self.version
            self.read()
            return self.version != before

    def _load(self) -> None:
        for _attempt in range(5):
            try:
                data, sig, fd = self._parse_file()
            except _Damaged as damaged:
                if self._quarantine(damaged):
                    continue  # the file changed under us (another writer); read it again
                return
            self._set(data, sig, fd)
            return
        raise StoreError(f"could not read the {self.label} {self.path}: it keeps changing")

    def _set(self, data: Tables | None, sig: tuple[int, ...] | None, fd: int | None) -> None:
        old_fd, self._held_fd = self._held_fd, fd
        if old_fd is not None:
            os.close(old_fd)
        if not self._loaded or data != self._data:
            self.version += 1
        self._data, self._sig, self._loaded = data, sig, True

    def _parse_file(self) -> tuple[Tables | None, tuple[int, ...] | None, int | None]:
        try:
            # O_NONBLOCK so a FIFO in the file's place cannot hang us.
            flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
            fd = os.open(self.path, flags)
        except FileNotFoundError:
            if os.path.lexists(self.path):
                raise _Damaged("a dangling symbolic link", None) from None
            return None, None, None
        except PermissionError:
            raise _Damaged("unreadable: permission denied", self._stat_sig()) from None
        except OSError as exc:
            if exc.errno in (errno.ELOOP, errno.EISDIR, errno.ENXIO):
                raise _Damaged(f"unreadable: {os_reason(exc)}", self._stat_sig()) from None
            raise StoreError(
                f"could not read the {self.label} {self.path}: {os_reason(exc)}"
            ) from None
        keep = False
        try:
            st = os.fstat(fd)
            sig = (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)
            if stat.S_ISDIR(st.st_mode):
                raise _Damaged("a folder is in its place", sig)
            if not stat.S_ISREG(st.st_mode):
                raise _Damaged("not a regular file", sig)
            chunks = []
            while chunk := os.read(fd, 1 << 20):
                chunks.append(chunk)
            raw = b"".join(chunks)
            if not raw.strip():
                raise _Damaged("the file is empty", sig)
            try:
                data = orjson.loads(raw)
            except orjson.JSONDecodeError as exc:
                raise _Damaged(f"not valid JSON: {str(exc).splitlines()[0]}", sig) from None
            problem = _shape_problem(data)
            if not problem and self._shape is not None:
                problem = self._shape(data)
            if problem:
                raise _Damaged(f"wrong shape: {problem}", sig)
            keep = _HOLD_FILE
            return data, sig, fd if keep else None
        except OSError as exc:
            raise _Damaged(f"unreadable: {os_reason(exc)}", None) from None
        finally:
            if not keep:
                os.close(fd)

    def _quarantine(self, damaged: _Damaged) -> bool:
        """Move a damaged file aside. True when the caller should read again (the file was
        replaced by another process meanwhile); otherwise we end up with an empty state."""
        what = f"{self.label} {self.path} was damaged ({damaged.reason})"
        if self._explicit_read_only:
            self._go_memory_only(f"{what}; left in place (opened read-only); reading it as empty")
            return False
        with self.transaction():
            if self._lock is not None and self._stat_sig() != damaged.sig:
                return True
            stamp = time.strftime("%Y%m%dT%H%M%S")
            target = self.path.with_name(f"{self.path.name}.damaged-{stamp}")
            n = 1
            while os.path.lexists(target):
                n += 1
                target = self.path.with_name(f"{self.path.name}.damaged-{stamp}-{n}")
            try:
                os.rename(self.path, target)
            except OSError as exc:
                self._go_memory_only(
                    f"{what} and could not be moved aside ({os_reason(exc)}); "
                    "reading it as empty; changes will not be saved"
                )
                return False
            fsync_dir(self.path.parent)
        self.warnings.append(f"{what}; moved aside to {target}; starting empty")
        self._set(None, None, None)
        return False

    def _go_memory_only(self, warning: str) -> None:
        self.warnings.append(warning)
        self._memory_only = True
        self._set({}, None, None)

    # -- writing ----------------------------------------------------------------------------

    def write(self, data: Tables) -> None:
        """Replace the file with `data`, whole and synced (inside a transaction: when the
        outermost one ends)."""
        with self._mutex:
            if self._explicit_read_only or self._memory_only:
                # TinyDB changed the tables it read before asking to write them: they are not
                # what the file holds, so read it again (or, with no file to read, start empty).
                self._pending = None
                if self._memory_only:
                    self._data = {}
                else:
                    self._loaded = False
                why = "it was opened read-only" if self._explicit_read_only else "it is damaged"
                raise StoreError(f"cannot save the {self.label} {self.path}: {why}")
            if self._depth:
                self._pending = data
                return
            with self.transaction():
                self._write_now(data)

    def _write_now(self, data: Tables) -> None:
        tmp: Path | None = None
        fd = -1
        try:
            payload = orjson.dumps(data)
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.path.with_name(
                f".{self.path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp"
            )
            flags = os.O_RDWR | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
            fd = os.open(tmp, flags, 0o600)
            view = memoryview(payload)
            while view:
                view = view[os.write(fd, view) :]
            self._keep_mode(tmp)
            os.fsync(fd)
            if not _HOLD_FILE:
                os.close(fd)
                fd = -1
            os.replace(tmp, self.path)
            tmp = None
        except (OSError, TypeError, orjson.JSONEncodeError) as exc:
            if fd >= 0:
                os.close(fd)
            if tmp is not None:
                try:
                    os.unlink(tmp)
                except OSError:
                    pass
            self._loaded = False  # read the file again: it is what stands
            if isinstance(exc, OSError):
                raise StoreError(
                    f"could not save the {self.label} {self.path}: {os_reason(exc)}"
                ) from None
            raise
        fsync_dir(self.path.parent)
        old_fd, self._held_fd = self._held_fd, fd if fd >= 0 else None
        if old_fd is not None:
            os.close(old_fd)
        self._data, self._sig, self._loaded = data, self._stat_sig(), True
        self.version += 1

    def _keep_mode(self, tmp: Path) -> None:
        # A new file is private (0600: notes are personal); a replaced one keeps its mode.
        try:
            mode = stat.S_IMODE(os.stat(self.path).st_mode)
        except OSError:
            return
        try:
            os.chmod(tmp, mode)
        except OSError:
            pass

    def clean_leftovers(self) -> None:
        """Remove temp files of writers that were killed (under the lock: a live writer
        makes them only while holding it)."""
        if self.read_only:
            return
        prefix = f".{self.path.name}."
        try:
            names = [n for n in os.listdir(self.path.parent) if n.startswith(prefix)]
        except OSError:
            return
        names = [n for n in names if n.endswith(".tmp")]
        if not names:
            return
        with self.transaction():
            if self._lock is None:
                return
            for name in names:
                try:
                    os.unlink(self.path.parent / name)
                except OSError:
                    pass

    def close(self) -> None:
        with self._mutex:
            if self._held_fd is not None:
                os.close(self._held_fd)
                self._held_fd = None
            self._sig = None
            self._loaded = self._memory_only


class MemoryJSONStorage(MemoryStorage):
    """TinyDB's `MemoryStorage` with the interface of `AtomicJSONStorage` (tests, scratch
    sessions). Data goes through orjson on every write, so what works here serialises on disk
    too."""

    def __init__(self) -> None:
        super().__init__()
        self.path: Path | None = None
        self.label = "memory"
        self.warnings: list[str] = []
        self.read_only = False
        self.version = 0
        self._mutex = threading.RLock()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        with self._mutex:
            yield

    def write(self, data: Tables) -> None:
        with self._mutex:
            super().write(orjson.loads(orjson.dumps(data)))
            self.version += 1

    def refresh(self) -> bool:
        return False

    def clean_leftovers(self) -> None:
        pass
