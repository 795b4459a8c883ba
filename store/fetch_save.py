"""`papertray fetch --save FILE`: where the raw responses may be written, and writing them.

A fetch's pages wait on disk (`Spool`, an anonymous temporary file), not in memory, until the
fetch is done. Then each file is written whole or not at all: to a new temporary file beside
it, renamed over it. The rename replaces a symlink instead of writing through it, so --save
never writes a file the user did not name. A path inside the data folder is refused (a
`--save ~/.local/share/papertray/state.json` must not replace every mark), and so is a file
that exists, unless `--force`.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import orjson

from papertray.store.sanitize import one_line

__all__ = ["SaveError", "SaveTo", "Spool", "check_target", "saved_files", "write_atomically"]


class SaveError(ValueError):
    """A --save path papertray refuses or cannot write; `str(e)` is one line."""


@dataclass(frozen=True)
class SaveTo:
    """Where --save writes: `path`, never inside `data_dir`, an existing file only with
    `force`."""

    path: Path
    data_dir: Path | None = None
    force: bool = False


class Spool:
    """Response bodies kept on disk until they are saved: memory holds one page at a time."""

    def __init__(self) -> None:
        self._file: IO[bytes] | None = None
        self._parts: list[tuple[int, int, str]] = []

    def add(self, body: bytes, suffix: str) -> None:
        if self._file is None:
            self._file = tempfile.TemporaryFile()
        self._file.seek(0, os.SEEK_END)
        self._parts.append((self._file.tell(), len(body), suffix))
        self._file.write(body)

    def __len__(self) -> int:
        return len(self._parts)

    def suffix(self, n: int) -> str:
        return self._parts[n][2]

    def body(self, n: int) -> bytes:
        assert self._file is not None
        start, size, _suffix = self._parts[n]
        self._file.seek(start)
        return self._file.read(size)

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None


def check_target(target: Path, save: SaveTo, *, exists_too: bool = True) -> Path:
    """The path to rename the saved file to (`target` in its real folder). Raises SaveError
    when `target` is inside the data folder (or is a symlink into it), its folder is missing,
    or (`exists_too`) it exists and `save.force` is off."""
    name = one_line(os.fspath(target))
    if target.name in ("", ".", ".."):
        raise SaveError(f"cannot save to {name}: that is a folder; name a file")
    try:
        folder = target.parent.resolve(strict=True)
    except (OSError, RuntimeError):
        raise SaveError(f"cannot save to {name}: its folder does not exist") from None
    if not folder.is_dir():
        raise SaveError(f"cannot save to {name}: {one_line(os.fspath(folder))} is not a folder")
    real = folder / target.name
    if save.data_dir is not None:
        data = Path(save.data_dir).resolve()
        try:
            pointed = real.resolve() if real.is_symlink() else real
        except (OSError, RuntimeError):  # a loop of symlinks: it points nowhere
            pointed = real
        if real.is_relative_to(data) or pointed.is_relative_to(data):
            raise SaveError(
                f"refusing to save to {name}: it is in papertray's data folder "
                f"({one_line(os.fspath(data))}); --save wants a file of your own"
            )
    if real.is_dir() and not real.is_symlink():
        raise SaveError(f"cannot save to {name}: that is a folder; name a file")
    if exists_too and os.path.lexists(real) and not save.force:
        raise SaveError(f"refusing to save to {name}: it exists (--force replaces it)")
    return real


def write_atomically(real: Path, chunks: Iterable[bytes]) -> None:
    """Write `chunks` to a new file beside `real` and rename it over `real` (from
    `check_target`): the old file, or what a symlink there points to, is never written."""
    tmp = real.with_name(f".{real.name[:100]}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    fd = os.open(tmp, flags | getattr(os, "O_CLOEXEC", 0), 0o666)
    try:
        with os.fdopen(fd, "wb") as out:
            for chunk in chunks:
                out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, real)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def saved_files(
    spool: Spool, one_list: bool, label: str, save: SaveTo, *, several: bool
) -> Iterator[tuple[Path, Iterable[bytes]]]:
    """(file, its bytes) for each file --save writes for one source: `save.path` itself when
    it is the only file of the only source, else names beside it with the source and page."""
    path = save.path
    tag = re.sub(r"[^A-Za-z0-9.-]+", "-", label).strip("-")
    stem = path.name[: -len(path.suffix)] if path.suffix else path.name
    if one_list and len(spool) > 1:  # pages of one JSON list: one importable list
        target = path.with_name(f"{stem}-{tag}{path.suffix or '.json'}") if several else path
        yield target, _one_list(spool)
        return
    for n in range(len(spool)):
        target = path
        if several or len(spool) > 1:
            page = f"-{n + 1}" if len(spool) > 1 else ""
            target = path.with_name(f"{stem}-{tag}{page}{path.suffix or spool.suffix(n)}")
        yield target, [spool.body(n)]


def _one_list(spool: Spool) -> Iterator[bytes]:
    yield b"["
    first = True
    for n in range(len(spool)):
        items = orjson.loads(spool.body(n))
        for item in items if isinstance(items, list) else []:
            yield (b"\n  " if first else b",\n  ") + orjson.dumps(item)
            first = False
    yield b"\n]\n"
