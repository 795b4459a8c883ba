"""The similarity index's file beside the library (`library.similar.npz`): writing it
atomically, reading it back only when it was built from the library file as it is now (its
identity: inode, size, mtime), and the lock that keeps to one builder per data folder.

Each paper keeps its 96 heaviest terms as float32, which bounds the file; ids, terms and word
forms are packed as one UTF-8 byte array each, so loading needs no pickle.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zipfile import BadZipFile

if TYPE_CHECKING:
    from papertray.store.library import Library

__all__ = [
    "INDEX_FILE",
    "build_lock",
    "index_path",
    "read_index",
    "write_index",
]

INDEX_FILE = "library.similar.npz"
LOCK_FILE = ".library.similar.lock"
VERSION = 1


def write_index(
    path: Path, ids: list[str], matrix: Any, terms: list[str], forms: list[str], stamp: list[int]
) -> None:
    """Write atomically (temp file, rename): a reader never sees half a file."""
    import numpy as np

    m = matrix
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "wb") as out:
            np.savez(
                out,
                version=np.array([VERSION], dtype=np.int64),
                stamp=np.array(stamp, dtype=np.int64),
                shape=np.array(m.shape, dtype=np.int64),
                data=m.data,
                indices=m.indices,
                indptr=m.indptr,
                ids=_pack(ids),
                terms=_pack(terms),
                forms=_pack(forms),
            )
        os.chmod(tmp, 0o600)  # private like the library: the words say what someone reads
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise


def read_index(
    path: Path, stamp: Sequence[int] | None = None
) -> tuple[list[str], Any, list[str], list[str], list[int]] | None:
    """The index in `path`, or None when there is none, it is damaged or of another version,
    or (given `stamp`) it was built from another state of the library."""
    import numpy as np
    import scipy.sparse as sp

    try:
        with np.load(path, allow_pickle=False) as f:
            if int(f["version"][0]) != VERSION:
                return None
            saved = [int(x) for x in f["stamp"]]
            if stamp is not None and saved != list(stamp):
                return None
            shape = tuple(int(x) for x in f["shape"])
            matrix = sp.csr_matrix((f["data"], f["indices"], f["indptr"]), shape=shape)
            ids, terms, forms = _unpack(f["ids"]), _unpack(f["terms"]), _unpack(f["forms"])
    except (OSError, ValueError, KeyError, IndexError, TypeError, EOFError, BadZipFile):
        return None
    if len(ids) != shape[0] or len(terms) != shape[1] or len(forms) != shape[1]:
        return None
    return ids, matrix, terms, forms, saved


def is_current(path: Path, stamp: Sequence[int]) -> bool:
    """True when the index in `path` is of this version and was built from the library state
    `stamp`: `read_index`'s answer to that question without importing numpy and scipy (a third
    of a second; an import asks it after every change). The two small arrays are read straight
    from the archive, by the .npy format's own header."""
    import zipfile

    try:
        with zipfile.ZipFile(path) as archive:
            version = _int64s(archive.read("version.npy"))
            saved = _int64s(archive.read("stamp.npy"))
    except (OSError, KeyError, ValueError, zipfile.BadZipFile):
        return False
    return version == [VERSION] and saved == list(stamp)


def _int64s(data: bytes) -> list[int]:
    """The values of a one-dimensional little-endian int64 .npy file (ValueError otherwise)."""
    import ast
    import struct

    if data[:6] != b"\x93NUMPY" or len(data) < 10:
        raise ValueError("not a .npy file")
    start, size = (10, struct.unpack("<H", data[8:10])[0]) if data[6] == 1 else (12, 0)
    if data[6] != 1:
        size = struct.unpack("<I", data[8:12])[0]
    try:
        header = ast.literal_eval(data[start : start + size].decode("latin-1"))
    except (SyntaxError, UnicodeDecodeError) as error:
        raise ValueError("a damaged .npy header") from error
    if (
        not isinstance(header, dict)
        or header.get("descr") != "<i8"
        or header.get("fortran_order")
        or not isinstance(header.get("shape"), tuple)
        or len(header["shape"]) != 1
    ):
        raise ValueError("not a one-dimensional int64 array")
    count = header["shape"][0]
    body = data[start + size :]
    if not isinstance(count, int) or len(body) != 8 * count:
        raise ValueError("a .npy file cut short")
    return list(struct.unpack(f"<{count}q", body))


def _pack(items: list[str]) -> Any:
    import numpy as np

    # ids, terms and word forms hold no newline (ids: see the library's preview).
    return np.frombuffer("\n".join(items).encode("utf-8"), dtype=np.uint8)


def _unpack(array: Any) -> list[str]:
    text = array.tobytes().decode("utf-8")
    return text.split("\n") if text else []


def index_path(library: Library) -> Path | None:
    return None if library.path is None else library.path.with_name(INDEX_FILE)


@contextlib.contextmanager
def build_lock(folder: Path) -> Iterator[None]:
    """One builder at a time per data folder: a second one waits, then finds the index made."""
    import filelock

    try:
        lock = filelock.FileLock(str(folder / LOCK_FILE))
        lock.acquire()
    except OSError:
        yield  # a read-only folder: build in memory, unlocked
        return
    try:
        yield
    finally:
        lock.release()
