"""Half of a CPU-bound pass in a forked child, on a machine with a second core.

`bytes.find`, `bytes.lower` and the parsers' string work hold the GIL, so a thread cannot share
them; a forked child shares the parent's memory (copy-on-write: the file's bytes, the parsed
text) for free and sends back only its result, as `marshal` bytes (lists of bytes, str, int,
tuples) in an anonymous in-memory file (Linux's memfd) the parent reads once the child is done.

The child is forked only when it is safe and worth it: a second usable core, no other thread
in the process (a fork copies locks held by other threads), and work big enough that the ~10 ms
of fork and transfer pay. Whatever goes wrong in the child (an exception, being killed, a result
that does not decode) makes `result()` return None: the caller then does that half itself, so a
fork never changes an answer, only when it arrives.
"""

from __future__ import annotations

import marshal
import mmap
import os
import threading
from collections.abc import Callable
from typing import Any

__all__ = ["Forked", "fork_worker", "spare_cores"]


FORK_SAFE_THREADS = frozenset({"papertray-hash"})
"""Threads a fork may leave behind: the import's SHA-256 of the input (`store/recall.py`)
only runs hashlib over a bytes object, holding no lock the child could need."""


def spare_cores() -> bool:
    """True when this process may run on a second core now."""
    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cores = os.cpu_count() or 1
    if cores < 2 or not hasattr(os, "fork"):
        return False
    main = threading.main_thread()
    return all(t is main or t.name in FORK_SAFE_THREADS for t in threading.enumerate())


class Forked:
    """A child running one function; `result()` waits for it."""

    def __init__(self, pid: int, fd: int) -> None:
        self._pid = pid
        self._fd = fd

    def result(self) -> Any:
        """The function's value, or None when the child failed in any way."""
        try:
            _, status = os.waitpid(self._pid, 0)
            if not os.WIFEXITED(status) or os.WEXITSTATUS(status) != 0:
                return None
            size = os.fstat(self._fd).st_size
            if not size:
                return None
            with mmap.mmap(self._fd, size, prot=mmap.PROT_READ) as shared:
                return marshal.loads(shared)
        except (OSError, ChildProcessError, EOFError, ValueError, TypeError):
            return None
        finally:
            os.close(self._fd)


def fork_worker(fn: Callable[[], Any]) -> Forked | None:
    """Run `fn()` in a forked child (its value must be marshal-able), or None when no child
    could be started (then the caller runs `fn` itself).

    The child writes its value into an anonymous in-memory file the parent made before the fork
    and reads after the child's exit: through a pipe the 12 MB of a search's half went 64 kB at
    a time, one process switch each (0.04-0.09 s at 100k papers)."""
    if not spare_cores() or not hasattr(os, "memfd_create"):
        return None
    try:
        fd = os.memfd_create("papertray-forked", os.MFD_CLOEXEC)
    except OSError:
        return None
    try:
        pid = os.fork()
    except OSError:
        os.close(fd)
        return None
    if pid == 0:  # pragma: no cover - the child (coverage does not follow a fork)
        code = 1
        try:
            payload = memoryview(marshal.dumps(fn()))
            at = 0
            while at < len(payload):
                at += os.pwrite(fd, payload[at:], at)
            code = 0
        except BaseException:  # noqa: BLE001 - any failure is the parent's None
            code = 1
        finally:
            # No atexit handlers, no flushing of the parent's buffers: the child only computed.
            os._exit(code)
    return Forked(pid, fd)
