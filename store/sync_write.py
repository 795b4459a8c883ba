"""This machine's own log in the sync folder: appending whole lines to it (its torn tail, if a
killed sync left one, cut off first) and writing a new generation of it whole, beside and
renamed into place (see `sync_files.py` for the format). Only this machine writes these files,
under its data folder's lock.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterable

from papertray.store.storage import fsync_dir
from papertray.store.sync_files import BINARY, Folder, Header, encode, log_name, unlink
from papertray.store.sync_merge import Entry

__all__ = ["append", "clean_leftovers", "start"]


def append(folder: Folder, name: str, lines: Iterable[bytes]) -> int:
    """Append whole lines to this machine's log (its torn tail, if a killed sync left one,
    cut off first), synced to disk; the new size. OSError when it cannot be written."""
    path = folder.path / name
    payload = b"".join(lines)
    fd = os.open(path, os.O_RDWR | BINARY)
    try:
        size = os.fstat(fd).st_size
        whole = _whole_length(fd, size)
        if whole != size:
            os.ftruncate(fd, whole)
        os.lseek(fd, whole, os.SEEK_SET)
        view = memoryview(payload)
        while view:
            view = view[os.write(fd, view) :]
        os.fsync(fd)
        return whole + len(payload)
    finally:
        os.close(fd)


def start(
    folder: Folder,
    machine: str,
    gen: int,
    name: str,
    snapshot: Iterable[Entry],
    then: Iterable[Entry] = (),
) -> int:
    """Write generation `gen` of this machine's log whole: its header, the `snapshot`'s
    entries and those `then`, beside and renamed into place. Its size. OSError when it
    cannot be."""
    lines = encode(snapshot)
    header = Header.make(machine, gen, name, len(lines))
    payload = header + b"".join(lines) + b"".join(encode(then))
    target = folder.path / log_name(machine, gen)
    tmp = folder.path / f".{target.name}.{secrets.token_hex(4)}.tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | BINARY, 0o644)
    try:
        view = memoryview(payload)
        while view:
            view = view[os.write(fd, view) :]
        os.fsync(fd)
    except BaseException:
        os.close(fd)
        unlink(tmp)
        raise
    os.close(fd)
    try:
        os.replace(tmp, target)
    except BaseException:
        unlink(tmp)
        raise
    fsync_dir(folder.path)
    return len(payload)


def clean_leftovers(folder: Folder, machine: str) -> None:
    """Remove this machine's files being written when a sync of it was killed (under
    the data folder's lock: no live sync of this machine writes one now)."""
    prefix = f".papertray.{machine}."
    try:
        names = [n for n in os.listdir(folder.path) if n.startswith(prefix)]
    except OSError:
        return
    for name in names:
        if name.endswith(".tmp"):
            unlink(folder.path / name)


def _whole_length(fd: int, size: int) -> int:
    """The length of the file up to and with its last newline (a torn last line left out)."""
    end = size
    while end > 0:
        step = min(end, 1 << 16)
        os.lseek(fd, end - step, os.SEEK_SET)
        chunk = os.read(fd, step)
        at = chunk.rfind(b"\n")
        if at >= 0:
            return end - step + at + 1
        end -= step
    return 0
