"""How the first frame comes fast: `library.preview.json`.

Loading the whole library of 100k papers (190 MB of JSON) takes about a second, and the reader
needs only ids, titles and repos to draw its first screen. So beside every write of the library,
`Library.add` writes this preview: the id, title, repo and arXiv id of each paper in order, as
newline-joined columns (ids and titles hold no newline) that load in milliseconds (~5% of the
library's bytes). The reader draws from it while the library loads in the background, and the
CLI resolves ids from it (a star at 100k: ~0.2 s instead of parsing every abstract). Cold start
to the first frame with rows at 100k papers: 1.62 s before, 0.47 s with the preview.

It is derived data: written without fsync, and used only while its stamp (inode, size, mtime of
the library file) matches the library file; anything else is ignored, never trusted.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, overload

import orjson

from papertray.store.models import Paper

__all__ = [
    "PREVIEW_FILE",
    "PreviewPapers",
    "id_positions",
    "read_preview",
    "write_preview",
    "write_private",
]

PREVIEW_FILE = "library.preview.json"
PREVIEW_VERSION = 3  # 3: the arXiv id column


HEAD_ROWS = 200
"""Rows a preview serves before splitting its columns: more than a first screen shows."""


class PreviewPapers(Sequence[Paper]):
    """A sequence of papers built on demand from the preview's columns: a list drawing 40 rows of
    100k builds 40 Paper objects, not 100k. The columns (newline-joined text) are split into
    lists only when a row past the first `HEAD_ROWS`, or a whole column, is asked for: at 100k
    papers splitting them took 30 ms of the first frame, which shows 40 rows."""

    def __init__(self, ids: str, titles: str, repos: str, arxiv_ids: str, count: int) -> None:
        self._text = (ids, titles, repos, arxiv_ids)
        self._count = count
        self._columns: tuple[list[str], ...] | None = None
        self._head: tuple[list[str], ...] | None = None

    @property
    def ids(self) -> list[str]:
        return self._split()[0]

    def _split(self) -> tuple[list[str], ...]:
        if self._columns is None:
            self._columns = tuple(text.split("\n") if self._count else [] for text in self._text)
        return self._columns

    def _first_rows(self) -> tuple[list[str], ...]:
        """The first `HEAD_ROWS` rows of each column, cut from the front of its text."""
        if self._head is None:
            head = []
            for text in self._text:
                end = -1
                for _ in range(min(HEAD_ROWS, self._count)):
                    end = text.find("\n", end + 1)
                    if end < 0:
                        end = len(text)
                        break
                head.append(text[:end].split("\n") if self._count else [])
            self._head = tuple(head)
        return self._head

    def __len__(self) -> int:
        return self._count

    @overload
    def __getitem__(self, index: int) -> Paper: ...
    @overload
    def __getitem__(self, index: slice) -> list[Paper]: ...
    def __getitem__(self, index: int | slice) -> Paper | list[Paper]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        columns = self._columns
        if columns is None:
            if -self._count <= index < 0:
                index += self._count
            columns = self._first_rows() if 0 <= index < HEAD_ROWS else self._split()
        ids, titles, repos, arxiv = columns
        return Paper(ids[index], titles[index], repo=repos[index] or None,
                     arxiv_id=arxiv[index] or None)  # fmt: skip

    def arxiv_ids(self) -> list[str]:
        """Each paper's arXiv id, "" for none (aligned with `ids`)."""
        return self._split()[3]


def stamp_of(path: Path) -> list[int] | None:
    """What ties a preview to one version of the library file."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return [st.st_ino, st.st_size, st.st_mtime_ns]


def preview_columns(docs: Mapping[str, Mapping[str, Any]]) -> dict[str, str]:
    """What the preview holds of the stored documents `docs` (id -> document, in library
    order), without the stamp of the file they are written to."""
    values: Iterable[Mapping[str, Any]] = docs.values()
    return {
        "ids": "\n".join(docs),
        "titles": "\n".join(doc.get("title", "") for doc in values),
        "repos": "\n".join(doc.get("repo") or "" for doc in values),
        "arxiv_ids": "\n".join(doc.get("arxiv_id") or "" for doc in values),
    }


def write_preview(
    target: Path,
    library_file: Path,
    docs: Mapping[str, Mapping[str, Any]],
    columns: dict[str, str] | None = None,
) -> None:
    """Write the preview of the stored documents `docs` (`columns`: their `preview_columns`,
    when made already) for the library file as it is now. Failures are ignored: the reader
    then loads the library."""
    stamp = stamp_of(library_file)
    if stamp is None:
        return
    data = {"version": PREVIEW_VERSION, "stamp": stamp, **(columns or preview_columns(docs))}
    write_private(target, orjson.dumps(data))


def write_private(target: Path, data: bytes) -> None:
    """Write a file derived from the library (preview, search marks): private like the library
    itself (0600, titles say what someone reads), renamed into place whole. Best effort: a
    derived file that cannot be written is rebuilt or done without."""
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, 0o600)
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        os.replace(tmp, target)
    except OSError:
        with contextlib.suppress(OSError):
            tmp.unlink()


def read_preview(target: Path, library_file: Path) -> PreviewPapers | None:
    """The preview, if there is one for the library file as it is now; else None."""
    try:
        data = orjson.loads(target.read_bytes())
        if data.get("version") != PREVIEW_VERSION or data.get("stamp") != stamp_of(library_file):
            return None
        ids = data["ids"]
        columns = [data[name] for name in _COLUMNS]
        if not isinstance(ids, str) or not all(isinstance(c, str) for c in columns):
            return None
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return None
    # Every column has a row for each id (counted in C: 1-3 ms at 100k papers).
    count = ids.count("\n") + 1 if ids else 0
    if any((column.count("\n") + 1 if count else len(column)) != count for column in columns):
        return None
    titles, repos, arxiv_ids = columns
    return PreviewPapers(ids, titles, repos, arxiv_ids, count)


_COLUMNS = ("titles", "repos", "arxiv_ids")


def id_positions(papers: Sequence[Paper]) -> dict[str, int]:
    """Paper id -> position in `papers` (the first, if an id repeats), read from the id column
    when the papers are a preview (no Paper object built). Built backwards in C: an earlier
    position overwrites a later one."""
    ids = papers.ids if isinstance(papers, PreviewPapers) else [p.id for p in papers]
    return dict(zip(reversed(ids), range(len(ids) - 1, -1, -1), strict=True))
