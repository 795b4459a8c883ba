"""`library.search.json`, the search marks: what `list -q` needs to know about the library file
without parsing it, written after each write of the library (`derived_files`) and stamped with
it like the preview (`preview.stamp_of`), so a stale one is never used:
- the folded text of the papers holding a character of `FOLDS_TO_ASCII` (the characters whose
  case-fold holds ASCII letters, which `bytes.lower` does not fold; why this matters is in
  `search_text`'s soundness notes);
- the latest import batch, so `is:new` needs no parse (`read_latest`);
- where the writer put the papers' records, and the table after them (`bigjson` spans), so the
  search reads between them without searching for the table's end.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import orjson

from papertray.store.matching import fold_text
from papertray.store.preview import stamp_of, write_private

__all__ = [
    "FOLDS_TO_ASCII",
    "SEARCH_FILE",
    "read_latest",
    "read_marks",
    "search_folds",
    "write_search_marks",
]

SEARCH_FILE = "library.search.json"
SEARCH_VERSION = 2  # 2: the latest import batch
FOLDS_TO_ASCII = frozenset(
    # ß İ ŉ ſ ǰ ẖ ẗ ẘ ẙ ẚ ẞ, the Kelvin sign, ﬀ ﬁ ﬂ ﬃ ﬄ ﬅ ﬆ (escaped: editors fold the Kelvin sign)
    "\u00df\u0130\u0149\u017f\u01f0\u1e96\u1e97\u1e98\u1e99\u1e9a\u1e9e"
    "\u212a\ufb00\ufb01\ufb02\ufb03\ufb04\ufb05\ufb06"
)
"""Every non-ASCII character whose `casefold()` holds an ASCII character (the tests recompute it
over all of Unicode)."""
_FOLDING = re.compile("[" + "".join(sorted(FOLDS_TO_ASCII)) + "]")


def _folded_if_special(doc: dict[str, Any]) -> str | None:
    """`fold_text` of a stored document whose text holds a character of `FOLDS_TO_ASCII`."""
    title, abstract, authors = doc.get("title", ""), doc.get("abstract", ""), doc.get("authors")
    if not isinstance(title, str) or not isinstance(abstract, str):
        return None  # not a paper `_to_paper` can read
    names = [n for n in authors if isinstance(n, str)] if isinstance(authors, list) else []
    search = _FOLDING.search
    if search(title) or search(abstract) or any(search(n) for n in names):
        return fold_text(title, abstract, names)
    return None


def _plain(doc: Any) -> bool:
    """True for a document whose text is all ASCII (most): `str.isascii` is a flag lookup, so
    this costs ~0.1 s for 100k documents, less than any scan of the text."""
    try:
        authors = doc.get("authors")
        return (
            doc.get("title", "").isascii()
            and doc.get("abstract", "").isascii()
            and (not authors or "".join(authors).isascii())
        )
    except (AttributeError, TypeError):
        return False


def search_folds(docs: Mapping[str, Mapping[str, Any]]) -> dict[str, str]:
    """Id -> folded text of the documents `bytes.lower` does not fold as `fold_text` does."""
    folds = {}
    for pid, doc in docs.items():
        if not _plain(doc) and type(doc) is dict and (text := _folded_if_special(doc)):
            folds[pid] = text
    return folds


def write_search_marks(
    target: Path,
    library_file: Path,
    docs: Mapping[str, Mapping[str, Any]],
    latest: Any = None,
    span: tuple[int, int, str | None] | None = None,
    folds: dict[str, str] | None = None,
) -> None:
    """After a write of the library file: keep the folded text of the papers that fold to ASCII
    in a way `bytes.lower` does not (0.5% of the benchmark corpus; ~20 ms at 100k papers), and
    `span`, where the writer put the papers' records (see `bigjson.indented_pieces`), when it
    says (`folds`: the `search_folds` of `docs`, when made already). Failures are ignored:
    `matching_documents` then says None and the library is parsed."""
    stamp = stamp_of(library_file)
    if stamp is None:
        return
    if folds is None:
        folds = search_folds(docs)
    # `latest`: the library's latest import batch, so `list -q` knows what `is:new` means
    # without parsing the file.
    data = {"version": SEARCH_VERSION, "stamp": stamp, "folds": folds, "latest": latest}
    if span is not None:
        # (begin, end, the name of the next table or None). Searching the records for the end
        # of their table ("\n  }", made of the commonest
        # bytes of the file) took as long as searching them for a word: 0.1 s at 100k papers.
        data["papers"] = list(span)
    write_private(target, orjson.dumps(data))


def _read(target: Path, stamp: list[int] | None) -> dict[str, Any] | None:
    try:
        data = orjson.loads(target.read_bytes())
        if stamp is None or data.get("version") != SEARCH_VERSION or data.get("stamp") != stamp:
            return None
    except (OSError, ValueError, TypeError, AttributeError):
        return None
    return data if isinstance(data, dict) else None


def read_latest(target: Path, library_file: Path) -> tuple[bool, Any]:
    """(True, the stored latest import batch) when the marks match the library file as it is
    now; (False, None) otherwise."""
    data = _read(target, stamp_of(library_file))
    if data is None or "latest" not in data:
        return False, None
    return True, data["latest"]


def read_marks(target: Path, stamp: list[int]) -> tuple[dict[str, str], list[Any] | None] | None:
    """The folds, and where the papers' records lie if the marks say, when the marks are of
    the library file as it is (`stamp`)."""
    try:
        data = _read(target, stamp)
        if data is None:
            return None
        folds = data["folds"]
        span = data.get("papers")
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return None
    if not isinstance(folds, dict) or not all(isinstance(t, str) for t in folds.values()):
        return None
    if not (
        isinstance(span, list)
        and len(span) == 3
        and all(type(n) is int and n > 0 for n in span[:2])
        and (span[2] is None or isinstance(span[2], str))
    ):
        span = None
    return folds, span
