"""The row markers (unread, starred, read later, has a code repo, has a note) and the id a row
shows, written once for the reader and the CLI's table (`row_marks`, `shown_id`).

Each glyph is in DejaVu Sans Mono, the default monospace font of many Linux desktops, and one
cell wide: `⎇` (U+2387), used before, is not, and the fallback glyph a terminal finds is wider
and overlaps the title (`tests/test_markers.py` checks the font's cmap when it is installed).
Where the locale is not UTF-8 (LANG=C), the terminal may not show them at all: ASCII then.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from papertray.store.links import is_code_repo, is_safe_url
from papertray.store.models import Paper, PaperState
from papertray.store.sanitize import one_line

__all__ = ["ASCII", "UNICODE", "Markers", "RowMarks", "markers_for", "row_marks", "shown_id"]


@dataclass(frozen=True)
class Markers:
    unread: str
    starred: str
    repo: str
    note: str
    later: str = "◷"


UNICODE = Markers(unread="●", starred="★", repo="⌥", note="✎", later="◷")
ASCII = Markers(unread="o", starred="*", repo="@", note="n", later="L")


@dataclass(frozen=True, slots=True)
class RowMarks:
    """The glyph of each mark a row shows, in the order rows show them; a space where the
    paper has not the mark, so the columns line up."""

    unread: str
    starred: str
    later: str
    repo: str
    note: str

    def joined(self, between: str = "") -> str:
        return between.join((self.unread, self.starred, self.later, self.repo, self.note))


def row_marks(paper: Paper, state: PaperState, markers: Markers | None = None) -> RowMarks:
    """A row's marks: unread (a read paper shows none), starred, read later, a code repo (a
    safe http(s) link of a known code host, as the reader opens it), a note (not only spaces,
    as `has:note`)."""
    mark = markers or markers_for()
    repo = paper.repo
    has_repo = isinstance(repo, str) and is_safe_url(repo) and is_code_repo(repo)
    return RowMarks(
        unread=" " if state.read else mark.unread,
        starred=mark.starred if state.starred else " ",
        later=mark.later if state.later else " ",
        repo=mark.repo if has_repo else " ",
        note=mark.note if state.note.strip() else " ",
    )


def shown_id(paper: Paper) -> str:
    """The id a row shows: the arXiv id when the paper has one (`2401.01234`, also for a paper
    first seen without it, whose lasting id is `t:...`), else its id. Either is what the CLI's
    commands take back. Control characters show as escapes (the library is a file)."""
    return one_line(paper.arxiv_id or paper.id)


def markers_for(environ: Mapping[str, str] | None = None) -> Markers:
    """The markers the terminal's locale can show. Python coerces a C locale to C.UTF-8 by
    setting LC_CTYPE itself (PEP 538), so LC_CTYPE=C.UTF-8 beside LANG=C still means C."""
    env = os.environ if environ is None else environ
    lang = env.get("LANG", "")
    ctype = env.get("LC_CTYPE", "")
    if ctype == "C.UTF-8" and lang in ("", "C", "POSIX"):
        ctype = ""
    locale = env.get("LC_ALL") or ctype or lang
    if not locale:
        return UNICODE  # nothing said: terminals today are UTF-8
    return UNICODE if "utf-8" in locale.lower() or "utf8" in locale.lower() else ASCII
