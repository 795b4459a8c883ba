"""A crash-safe, multi-process-safe JSON storage for TinyDB.

TinyDB's stock `JSONStorage` rewrites its file in place: a kill mid-write leaves a torn file, a full
disk leaves an empty one, and two processes silently overwrite each other. This storage instead:

- writes a temp file in the same folder (`.<name>.<pid>.<random>.tmp`), fsyncs it, `os.replace`s
  it over the real file and fsyncs the folder, so the file on disk is always a complete old or new
  copy;
- holds an exclusive `flock` on `.<name>.lock` across every read-modify-write (`transaction()`,
  `file_lock.py`), and inside it re-reads the file when another process has replaced it, so no
  one's marks are lost;
- keeps the parsed data cached and re-parses only when the file is not the one it last read or
  wrote. Files are only ever replaced, never modified, so "same inode" means "same content"; we
  keep that inode open, which stops the kernel from recycling its number for another file;
- moves a damaged file aside (`<name>.damaged-<timestamp>`) and starts empty, with one warning line.

Decoding and checking one file is `json_file`; the table on top is `str_table.StrTable`; the
in-memory twin is `memory_storage.MemoryJSONStorage`. `open_tinydb` and `memory_tinydb` put them
together, and this module re-exports the names `Library` and `State` import from it.
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
from tinydb import Storage, TinyDB

from papertray.store import bigjson
from papertray.store.file_lock import FileLock
from papertray.store.json_file import Damaged, check_shape, decode_tables, fsync_dir, os_reason
from papertray.store.memory_storage import MemoryJSONStorage
from papertray.store.str_table import StrTable

__all__ = [
    "AtomicJSONStorage",
    "MemoryJSONStorage",
    "StoreError",
    "StrTable",
    "memory_tinydb",
    "open_tinydb",
]

Tables = dict[str, dict[str, Any]]


class StoreError(Exception):
    """A file could not be saved (disk full, read-only, ...). `str(e)` is one line."""


class _StrTinyDB(TinyDB):
    table_class = StrTable


class AtomicJSONStorage(Storage):
    """TinyDB storage: atomic replace on write, flock across read-modify-write, cached reads.

    `label` names the file in messages ("state file", "library file"). `warnings` collects one
    line per problem found (damaged file moved aside, ...). With `read_only=True` nothing on disk
    is ever changed and `write()` raises `StoreError`."""

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        read_only: bool = False,
        label: str | None = None,
        indent: bool = False,
    ) -> None:
        path = Path(os.path.abspath(path))
        # Follow a symlink to a real file so a dotfiles-style link keeps pointing at our data; a
        # dangling one, or one to something that is not a file, is handled as a damaged file.
        if path.is_symlink() and path.is_file():
            path = Path(os.path.realpath(path))
        self.path = path
        self.label = label or f"file {path.name}"
        # One document per line-group (orjson's 2-space indent): a big file then loads in
        # pieces (see `bigjson.parse_tables`), so its bytes and a whole parse tree are never in
        # memory at once. Same speed to write; about 3% larger.
        self._dump_option = orjson.OPT_INDENT_2 if indent else 0
        self.spans: dict[str, tuple[int, int]] = {}
        """Where each table's documents lie in the file as this storage last wrote it (see
        `bigjson.indented_pieces`; big files only, else empty)."""
        self._forgotten = False
        self.warnings: list[str] = []
        self._explicit_read_only = read_only
        self._memory_only = False
        self._memory_reason = ""
        self._data: Tables | None = None
        self._sig: tuple[int, ...] | None = None
        # The file we last read or wrote, kept open (see the module docstring).
        self._held_fd: int | None = None
        self._loaded = False
        self.version = 0  # bumped whenever the data seen by this object changes
        self._mutex = threading.RLock()
        self._lock = FileLock(
            self.lock_path,
            self._mutex,
            lambda: not (self._explicit_read_only or self._memory_only),
        )
        self._clean_leftovers()

    # -- paths ------------------------------------------------------------------------------

    @property
    def folder(self) -> Path:
        return self.path.parent

    @property
    def lock_path(self) -> Path:
        return self.folder / f".{self.path.name}.lock"

    def _temp_path(self) -> Path:
        return self.folder / f".{self.path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp"

    def _is_temp_name(self, name: str) -> bool:
        return name.startswith(f".{self.path.name}.") and name.endswith(".tmp")

    @property
    def read_only(self) -> bool:
        """True when saving cannot work: opened read-only, a damaged file that could not be moved
        aside, or a data folder this process may not write."""
        if self._explicit_read_only or self._memory_only:
            return True
        folder = self.folder
        while not folder.exists():
            if folder.parent == folder:
                return True
            folder = folder.parent
        return not os.access(folder, os.W_OK)

    # -- locking ----------------------------------------------------------------------------

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Hold the inter-process lock (re-entrant, `file_lock.FileLock`) for a
        read-modify-write. Inside, `read()` sees any change another process made before we
        took the lock."""
        with self._lock.hold():
            yield

    locked = transaction

    def _clean_leftovers(self) -> None:
        """Remove temp files of writers that were killed. Writers create temp files only while
        holding the lock, so any temp file seen under the lock is a leftover."""
        if self._explicit_read_only:
            return
        try:
            names = [n for n in os.listdir(self.folder) if self._is_temp_name(n)]
        except OSError:
            return
        if not names:
            return
        with self.transaction():
            if not self._lock.held:
                return
            for name in os.listdir(self.folder):
                if self._is_temp_name(name):
                    try:
                        os.unlink(self.folder / name)
                    except OSError:
                        pass

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
            if self._memory_only:
                return self._data
            sig = self._stat_sig()
            if self._loaded and sig == self._sig and sig is not None and self._held_fd is not None:
                if self._forgotten:
                    self._load()  # the same file again: version stays (see _set)
                return self._data
            if self._loaded and sig is None and self._sig is None:
                if not os.path.lexists(self.path):
                    return self._data
            self._load()
            return self._data

    @property
    def loaded(self) -> bool:
        """True once the file has been parsed (or written) by this object."""
        return self._loaded

    def refresh(self) -> bool:
        """Re-read the file if another process changed it. True if the data changed."""
        with self._mutex:
            if self._forgotten and self.unchanged():
                return False  # nothing to compare with, and nothing changed
            before = self.version
            self.read()
            return self.version != before

    def unchanged(self) -> bool:
        """True when the file is still the one last read or written (one `stat`, no parse)."""
        with self._mutex:
            if self._memory_only:
                return True
            sig = self._stat_sig()
            return (
                self._loaded and sig is not None and sig == self._sig and self._held_fd is not None
            )

    def forget(self) -> bool:
        """Drop the cached data (a caller that built its own objects from it need not keep two
        copies alive); the next `read()` parses the file again, and `version` only moves if the
        file changed meanwhile. False, and nothing dropped, when the data lives only in memory
        (a damaged file read as empty) or the cache does not match the file."""
        with self._mutex:
            if self._memory_only or self._lock.depth or not self.unchanged():
                return False
            self._data = None
            self._forgotten = True
            return True

    def _load(self) -> None:
        for _attempt in range(5):
            try:
                data, sig, fd = self._parse_file()
            except Damaged as damaged:
                if self._quarantine(damaged):
                    continue  # the file changed under us (another writer); read it again
                return
            self._set(data, sig, fd)
            return
        raise StoreError(f"could not read the {self.label} {self.path}: it keeps changing")

    def _set(
        self,
        data: Tables | None,
        sig: tuple[int, ...] | None,
        fd: int | None,
        *,
        changed: bool | None = None,
    ) -> None:
        old_fd, self._held_fd = self._held_fd, fd
        if old_fd is not None:
            os.close(old_fd)
        if changed is None:
            if self._forgotten:
                # The dropped data cannot be compared; the same held inode is the same content.
                changed = not (self._loaded and sig is not None and sig == self._sig)
            else:
                changed = not (self._loaded and data == self._data)
        if changed:
            self.version += 1
        self._data, self._sig, self._loaded = data, sig, True
        self._forgotten = False

    def _invalidate(self) -> None:
        """Forget the cache, so the next read() parses the file again (after a failed write whose
        data TinyDB may already have mutated in our cached dicts)."""
        if self._held_fd is not None:
            os.close(self._held_fd)
        self._held_fd = None
        self._sig = None
        self._loaded = False
        self._forgotten = False
        if self._memory_only:
            self._data = {}
            self.version += 1

    def _parse_file(self) -> tuple[Tables | None, tuple[int, ...] | None, int | None]:
        try:
            # O_NONBLOCK so a FIFO in the file's place cannot hang us.
            fd = os.open(self.path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
        except FileNotFoundError:
            if os.path.lexists(self.path):
                raise Damaged("a dangling symbolic link", None) from None
            return None, None, None
        except PermissionError:
            raise Damaged("unreadable: permission denied", self._stat_sig()) from None
        except OSError as exc:
            if exc.errno in (errno.ELOOP, errno.EISDIR, errno.ENXIO):
                raise Damaged(f"unreadable: {os_reason(exc)}", self._stat_sig()) from None
            why = os_reason(exc)
            raise StoreError(f"could not read the {self.label} {self.path}: {why}") from None
        keep = False
        try:
            st = os.fstat(fd)
            sig = (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)
            if stat.S_ISDIR(st.st_mode):
                raise Damaged("a folder is in its place", sig)
            if not stat.S_ISREG(st.st_mode):
                raise Damaged("not a regular file", sig)
            data = decode_tables(fd, st.st_size, sig)
            problem = check_shape(data)
            if problem:
                raise Damaged(f"wrong shape: {problem}", sig)
            keep = True
            return data, sig, fd
        finally:
            if not keep:
                os.close(fd)

    def _quarantine(self, damaged: Damaged) -> bool:
        """Move a damaged file aside. Returns True when the caller should read again (the file was
        replaced by another process meanwhile); otherwise we end up with an empty state."""
        what = f"{self.label} {self.path} was damaged ({damaged.reason})"
        if self._explicit_read_only:
            self._go_memory_only(f"{what}; left in place (opened read-only); reading it as empty")
            return False
        with self.transaction():
            if self._lock.held and self._stat_sig() != damaged.sig:
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
            fsync_dir(self.folder)
        self.warnings.append(f"{what}; moved aside to {target}; starting empty")
        self._set(None, None, None)
        return False

    def _go_memory_only(self, warning: str) -> None:
        self.warnings.append(warning)
        self._memory_only = True
        self._memory_reason = warning
        self._set({}, None, None)

    # -- writing ----------------------------------------------------------------------------

    def write(self, data: Tables, meanwhile: Callable[[], Any] | None = None) -> Any:
        """Replace the file with `data`, whole and synced. `meanwhile`, if given, runs while a
        big file is still being written (see `bigjson.write_pipelined`); its value is returned
        (None when it did not run or raised: the caller then does it itself)."""
        with self.transaction():
            if self._explicit_read_only or self._memory_only:
                self._invalidate()
                why = "it was opened read-only" if self._explicit_read_only else "it is damaged"
                raise StoreError(f"cannot save the {self.label} {self.path}: {why}")
            tmp: Path | None = None
            fd = -1
            self.spans = {}
            try:
                pipelined = (
                    bool(self._dump_option)
                    and bigjson.document_count(data) >= bigjson.PIPELINE_DOCS
                )
                # A big library is serialised piece by piece while a thread writes the pieces
                # (see `bigjson`); anything else in one go, before the temp file exists.
                payload = b"" if pipelined else orjson.dumps(data, option=self._dump_option)
                self.folder.mkdir(parents=True, exist_ok=True)
                tmp = self._temp_path()
                fd = os.open(tmp, os.O_RDWR | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o600)
                spans: dict[str, tuple[int, int]] = {}
                done = None
                if pipelined:
                    done = bigjson.write_pipelined(
                        fd, bigjson.indented_pieces(data, bigjson.DOCS_PER_PIECE, spans), meanwhile
                    )
                else:
                    bigjson.write_all(fd, payload)
                self._copy_mode(fd)
                os.fsync(fd)
                os.replace(tmp, self.path)
                tmp = None
                self.spans = spans
            except (OSError, TypeError, orjson.JSONEncodeError) as exc:
                if fd >= 0:
                    os.close(fd)
                if tmp is not None:
                    try:
                        os.unlink(tmp)
                    except OSError:
                        pass
                self._invalidate()
                if isinstance(exc, OSError):
                    raise StoreError(
                        f"could not save the {self.label} {self.path}: {os_reason(exc)}"
                    ) from None
                raise
            fsync_dir(self.folder)
            st = os.fstat(fd)
            sig = (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)
            self._set(data, sig, fd, changed=True)
            return done

    def _copy_mode(self, fd: int) -> None:
        # A new file is private (0600: notes are personal); a replaced one keeps its mode.
        try:
            mode = stat.S_IMODE(os.stat(self.path).st_mode)
        except OSError:
            return
        os.fchmod(fd, mode)

    def close(self) -> None:
        with self._mutex:
            if self._held_fd is not None:
                os.close(self._held_fd)
                self._held_fd = None
            self._sig = None
            self._loaded = self._memory_only
            if self._forgotten:
                self._forgotten, self._loaded = False, False


def open_tinydb(
    path: Path,
    *,
    read_only: bool = False,
    label: str | None = None,
    indent: bool = False,
    check: bool = True,
) -> tuple[TinyDB, list[str]]:
    """Open a TinyDB on an `AtomicJSONStorage` (tables keyed by string ids). With `check` the
    file is read once now, so a damaged file is found, moved aside and reported in the returned
    warnings (the same list grows if it is found later). Nothing is created on disk by opening."""
    db = _StrTinyDB(
        str(path), storage=AtomicJSONStorage, read_only=read_only, label=label, indent=indent
    )
    storage = db.storage
    assert isinstance(storage, AtomicJSONStorage)
    if check:
        storage.read()
    return db, storage.warnings


def memory_tinydb() -> TinyDB:
    """A TinyDB on a `MemoryJSONStorage` (same tables, nothing on disk)."""
    return _StrTinyDB(storage=MemoryJSONStorage)
