"""The row markers (unread, starred, has a code repo, has a note), written once for the reader
and the CLI's table.

Each glyph is in DejaVu Sans Mono, the default monospace font of many Linux desktops, and one
cell wide: `⎇` (U+2387), used before, is not, and the fallback glyph a terminal finds is wider
and overlaps the title (`tests/test_markers.py` checks the font's cmap when it is installed).
Where the locale is not UTF-8 (LANG=C), the terminal may not show them at all: ASCII then.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

__all__ = ["ASCII", "UNICODE", "Markers", "markers_for"]


@dataclass(frozen=True)
class Markers:
    unread: str
    starred: str
    repo: str
    note: str


UNICODE = Markers(unread="●", starred="★", repo="⌥", note="✎")
ASCII = Markers(unread="o", starred="*", repo="@", note="n")


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
