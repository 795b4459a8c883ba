"""LaTeX in titles, abstracts and author names, read as text: `$\\alpha$-RNN` -> `α-RNN`,
`10\\sim100\\times` -> `10∼100×`, `\\textbf{x}` -> `x`, `Lopuha\\"a` -> `Lopuhaä`.

Only the LaTeX pieces of a text (inline math, macros, accents) go through pylatexenc, never the
whole text: abstracts are not LaTeX documents, and a bare `%` (`47% of`) or `$` (`$1 each`) in
them would start a comment or a formula there. Each piece is converted once (cached): a digest
repeats the same few macros, and pylatexenc costs ~0.1 ms a call.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Any

# One pass finds every piece. Math: `$...$` whose body does not start like an amount of money
# (`$100K and $200K` is prose). Braced accents: `{\"u}`. Macros: `\name` with braced arguments
# (two levels of nesting). Accents: `\'e`, `\"{o}`. Escapes: `\%`, `\&`, `\_`, `\\`.
_PIECE = re.compile(
    r"""
    (?P<math>\$(?!\d[\d.,]*[A-Za-z]*[\s+])(?:[^$\\\n]|\\[^\n]){1,400}?\$)
  | (?P<braced>\{\\[^{}]{1,30}\})
  | \\(?P<name>[A-Za-z]+)\*?(?P<args>(?:[ ]?\{(?:[^{}]|\{(?:[^{}]|\{[^{}]*\})*\})*\})*)
  | \\(?P<accent>['"^`~=.])(?P<base>\{\\?[A-Za-z]{0,2}\}|\\?[A-Za-z])
  | \\(?P<escape>[%&_#${}\\ ,;!])
    """,
    re.VERBOSE,
)
_ARG = re.compile(r"\{((?:[^{}]|\{(?:[^{}]|\{[^{}]*\})*\})*)\}")
_SPACE_MACROS = frozenset(
    "newline linebreak par noindent smallskip medskip bigskip hfill vfill centering "
    "clearpage newpage".split()
)
_LINK_MACROS = frozenset({"url", "href", "cite", "citep", "citet", "ref", "eqref"})
_ESCAPES = {"\\": " ", " ": " ", ",": " ", ";": " ", "!": ""}
_MARKERS = ("\\", "$")


def has_latex(text: str) -> bool:
    return "\\" in text or "$" in text


def latex_to_text(text: str) -> str:
    """`text` with its LaTeX pieces turned into Unicode; the rest untouched. A text with no
    backslash and no dollar sign is returned as it is, at the cost of two `in` tests."""
    if "\\" not in text and "$" not in text:
        return text
    out = _PIECE.sub(_replace, text)
    return " ".join(out.split()) if "  " in out or "\n" in out else out


def strip_braces(text: str) -> str:
    """BibTeX protects capitals with braces (`{BERT}: Pre-training`): what is left of them after
    `latex_to_text` is markup, not text."""
    if "{" not in text and "}" not in text:
        return text
    return text.replace("{", "").replace("}", "")


def _replace(match: re.Match[str]) -> str:
    kind = match.lastgroup
    if kind == "escape":
        char = match.group("escape")
        return _ESCAPES.get(char, char)
    if kind == "name" or match.group("name"):
        name, args = match.group("name"), match.group("args") or ""
        if name in _SPACE_MACROS:
            return " "
        inner = _ARG.findall(args)
        if name in _LINK_MACROS:
            # \url{u} is the link itself; \href{u}{text} shows its text; \cite is a reference.
            return inner[0] if name == "url" and inner else latex_to_text(inner[1]) if (
                name == "href" and len(inner) > 1
            ) else ""
        if not _known(name):
            # An author's own macro (`\model`, `\ours`) or one pylatexenc does not know
            # (`\texttt{x}`): its argument is the text, or else its name.
            return latex_to_text(inner[-1]) if inner else name
    return _convert(match.group(0))


@lru_cache(maxsize=4096)
def _convert(piece: str) -> str:
    try:
        text = str(_converter().latex_to_text(piece))
    except Exception:  # noqa: BLE001 - pylatexenc on malformed input: keep the text readable
        text = piece.replace("\\", "").replace("{", "").replace("}", "").strip("$")
    if any("\U0001d400" <= ch <= "\U0001d7ff" for ch in text):
        # \mathbf{x} gives 𝐱 (MATHEMATICAL BOLD SMALL X): a filter for "x" should find it.
        text = "".join(
            unicodedata.normalize("NFKC", ch) if "\U0001d400" <= ch <= "\U0001d7ff" else ch
            for ch in text
        )
    return text.replace("\xa0", " ")


@lru_cache(maxsize=1024)
def _known(name: str) -> bool:
    return _db().get_macro_spec(name) is not None


_STATE: dict[str, Any] = {}


def _converter() -> Any:
    converter = _STATE.get("converter")
    if converter is None:
        # Imported here: pylatexenc costs ~40 ms to import, and most digests need it never.
        from pylatexenc.latex2text import LatexNodes2Text

        converter = LatexNodes2Text(math_mode="text", strict_latex_spaces=False)
        _STATE["converter"] = converter
    return converter


def _db() -> Any:
    db = _STATE.get("db")
    if db is None:
        from pylatexenc.latex2text import get_default_latex_context_db

        db = get_default_latex_context_db()
        _STATE["db"] = db
    return db
