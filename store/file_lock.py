"""The inter-process lock a storage holds across a read-modify-write: an exclusive `flock` on a
`.<name>.lock` file beside the data file, re-entrant within the process.

Without it two processes (two readers, the reader and `papertray star` from a script) each read
the file, change their copy and replace it: the second replace silently drops the first one's
marks. With it the second waits, then re-reads (the storage sees the replaced file) and keeps
both. A folder nobody can write needs no guard: there the lock is skipped and reads still work.
"""

from __future__ import annotations

import fcntl
import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

__all__ = ["FileLock"]


class FileLock:
    """`hold()` takes the lock (nested holds count, and only the outermost touches the file).
    `mutex` is the storage's own, so a hold also keeps this process's threads out; `active()`
    says whether locking applies (False when the storage may not write anyway)."""

    def __init__(self, path: Path, mutex: threading.RLock, active: Callable[[], bool]) -> None:
        self.path = path
        self._mutex = mutex
        self._active = active
        self.depth = 0
        """How many holds are open in this process (0: none)."""
        self._fd: int | None = None

    @property
    def held(self) -> bool:
        """True while the file lock itself is held (a hold may run without it, see `active`)."""
        return self._fd is not None

    @contextmanager
    def hold(self) -> Iterator[None]:
        with self._mutex:
            if self.depth == 0:
                self._acquire()
            self.depth += 1
            try:
                yield
            finally:
                self.depth -= 1
                if self.depth == 0:
                    self._release()

    def _acquire(self) -> None:
        if not self._active():
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o666)
        except OSError:
            # A folder we cannot write to: nobody can save there, so there is nothing to guard;
            # reads still work and the write reports the real error.
            return
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
        except OSError:
            os.close(fd)
            return
        self._fd = fd

    def _release(self) -> None:
        if self._fd is not None:
            fd, self._fd = self._fd, None
            try:
                fcntl.flock(fd, fcntl.LOCK_UN)
            finally:
                os.close(fd)
