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


class PreviewPapers(Sequence[Paper]):
    """A sequence of papers built on demand from the preview's columns: a list drawing 40 rows of
    100k builds 40 Paper objects, not 100k."""

    def __init__(
        self, ids: list[str], titles: list[str], repos: list[str], arxiv_ids: list[str]
    ) -> None:
        self.ids, self._titles, self._repos, self._arxiv = ids, titles, repos, arxiv_ids

    def __len__(self) -> int:
        return len(self.ids)

    @overload
    def __getitem__(self, index: int) -> Paper: ...
    @overload
    def __getitem__(self, index: slice) -> list[Paper]: ...
    def __getitem__(self, index: int | slice) -> Paper | list[Paper]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        return Paper(
            self.ids[index],
            self._titles[index],
            repo=self._repos[index] or None,
            arxiv_id=self._arxiv[index] or None,
        )

    def arxiv_ids(self) -> list[str]:
        """Each paper's arXiv id, "" for none (aligned with `ids`)."""
        return self._arxiv


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
        ids = data["ids"].split("\n") if data["ids"] else []
        columns = [data[name].split("\n") if ids else [] for name in _COLUMNS]
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return None
    if any(len(column) != len(ids) for column in columns):
        return None
    titles, repos, arxiv_ids = columns
    return PreviewPapers(ids, titles, repos, arxiv_ids)


_COLUMNS = ("titles", "repos", "arxiv_ids")


def id_positions(papers: Sequence[Paper]) -> dict[str, int]:
    """Paper id -> position in `papers` (the first, if an id repeats), read from the id column
    when the papers are a preview (no Paper object built). Built backwards in C: an earlier
    position overwrites a later one."""
    ids = papers.ids if isinstance(papers, PreviewPapers) else [p.id for p in papers]
    return dict(zip(reversed(ids), range(len(ids) - 1, -1, -1), strict=True))
