"""One run at a time: `papertray fetch` and `papertray watch` hold a lock file in the data folder
(`run.lock`, `filelock`: the same on Linux, macOS and Windows) while they work, so a scheduled
`papertray fetch && papertray watch` that starts while the last one is still running says so and
stops instead of running beside it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from papertray.store.storage import StoreError

__all__ = ["LOCK_FILE", "AlreadyRunning", "run_lock"]

LOCK_FILE = "run.lock"


class AlreadyRunning(StoreError):
    """Another fetch or watch holds the data folder's run lock; the message is one line."""


@contextmanager
def run_lock(data_dir: Path, what: str = "this run") -> Iterator[None]:
    """Hold the data folder's run lock for the block, or raise `AlreadyRunning` at once (never
    waits). A folder where no lock file can be made (read-only) is not locked: the run then
    reports its own failure to write there."""
    import filelock  # deferred: only the network commands take the lock

    folder = Path(data_dir)
    path = folder / LOCK_FILE
    lock = filelock.FileLock(str(path), timeout=0)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        lock.acquire()
    except filelock.Timeout:
        raise AlreadyRunning(
            f"another papertray fetch or watch is running (it holds {path}); {what} stops here"
        ) from None
    except OSError:
        yield
        return
    try:
        yield
    finally:
        lock.release()
