"""LaTeX in titles, abstracts and author names, read as text: `$\\alpha$-RNN` -> `α-RNN`,
`10\\sim100\\times` -> `10∼100×`, `\\textbf{x}` -> `x`, `Lopuha\\"a` -> `Lopuhaä`.

Only the LaTeX pieces of a text (inline math, macros, accents) go through pylatexenc, never the
whole text: abstracts are not LaTeX documents, and a bare `%` (`47% of`) or `$` (`$1 each`) in
them would start a comment or a formula there. Each piece is converted once (cached): a digest
repeats the same few macros, and a call of pylatexenc is slow.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Any

# One pass finds every piece. Math: `$...$`, unless it starts like an amount of money and holds
# nothing of TeX before the next `$` (`$100K and $200K` is prose; `($4 \lesssim z$)` is math).
# Math in braces: `{$^{3}$}`. Braced groups: `{\"u}`, `{\rm km}`. Macros: `\name` with braced
# arguments (two levels of nesting). Accents: `\'e`, `\"{o}`. Escapes: `\%`, `\&`, `\_`, `\\`.
# Ties: `A.~Smith`, `Fig.~3` (a letter or a period before, a letter or digit after: `1~2` in
# prose is a range, `~100` an estimate); a URL is skipped whole (`/~user`).
_PIECE = re.compile(
    r"""
    (?P<url>https?://[^\s<>"{}]+)
  | (?P<bracedmath>\{\$(?:[^$\\\n{}]|\\[^\n]|\{[^{}$]*\}){1,400}?\$\})
  | (?P<math>\$(?!\d[\d.,]*[A-Za-z]*[\s+][^$\\^_{}]*\$)(?:[^$\\\n]|\\[^\n]){1,400}?\$)
  | (?P<braced>\{\\[^{}]{1,200}\})
  | \\(?P<name>[A-Za-z]+)\*?(?P<args>(?:[ ]?\{(?:[^{}]|\{(?:[^{}]|\{[^{}]*\})*\})*\})*)(?P<gap>[ ]?)
  | \\(?P<accent>['"^`~=.])(?P<base>\{\\?[A-Za-z]{0,2}\}|\\?[A-Za-z])
  | \\(?P<escape>[%&_#${}\\ ,;!])
  | (?<=[A-Za-z.])(?P<tie>~)(?=\w)
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
# Font and size switches: `{\rm km}` is "km". TeX swallows the space after them.
_SWITCHES = frozenset(
    "rm it bf sf tt sc sl em up md normalfont itshape bfseries scshape rmfamily sffamily "
    "ttfamily upshape slshape mdseries boldmath unboldmath tiny scriptsize footnotesize small "
    "normalsize large Large LARGE huge Huge".split()
)
# Text-mode symbols pylatexenc does not know (or gives as another character): reference
# managers escape `<`, `>`, `|`, `^` and `_` with them (Zotero, Mendeley, JabRef exports).
_SYMBOLS = {
    "textless": "<",
    "textgreater": ">",
    "textbar": "|",
    "textbackslash": "\\",
    "textasciitilde": "~",
    "textasciicircum": "^",
    "textunderscore": "_",
    "textbraceleft": "{",
    "textbraceright": "}",
    "textquotedbl": '"',
    "S": "\u00a7",
    "P": "\u00b6",
    "ddag": "\u2021",
    "hyphen": "-",
    "backslash": "\\",
}


def has_latex(text: str) -> bool:
    return "\\" in text or "$" in text or "~" in text


def latex_to_text(text: str) -> str:
    """`text` with its LaTeX pieces turned into Unicode; the rest untouched. A text with no
    backslash, dollar sign or tilde is returned as it is, at the cost of three `in` tests."""
    if "\\" not in text and "$" not in text and "~" not in text:
        return text
    out = _PIECE.sub(_replace, text)
    return " ".join(out.split()) if "  " in out or "\n" in out else out


def strip_braces(text: str) -> str:
    """BibTeX protects capitals with braces (`{BERT}: Pre-training`): what is left of them after
    `latex_to_text` is markup, not text."""
    if "{" not in text and "}" not in text:
        return text
    return text.replace("{", "").replace("}", "")


# TeX accents as Unicode combining marks: `\"a` is "a" + U+0308, composed by NFC into "ä".
_ACCENTS = {
    "'": "\u0301",
    '"': "\u0308",
    "`": "\u0300",
    "^": "\u0302",
    "~": "\u0303",
    "=": "\u0304",
    ".": "\u0307",
    "v": "\u030c",
    "u": "\u0306",
    "H": "\u030b",
    "c": "\u0327",
    "k": "\u0328",
    "r": "\u030a",
    "d": "\u0323",
    "b": "\u0331",
}
_DOTLESS = {"\\i": "i", "\\j": "j"}  # \'{\i} is TeX's way to write í


def _replace(match: re.Match[str]) -> str:
    """One LaTeX piece as text. The common pieces (accents, symbols such as \\alpha, styling
    such as \\textbf{x}, inline math made of those) are looked up in pylatexenc's own macro
    table and put together here: a call of its parser is slow, and an arXiv digest has
    hundreds of such pieces. Anything else goes to pylatexenc whole."""
    kind = match.lastgroup
    if kind == "url":
        return match.group(0)
    if kind == "tie":
        return " "
    if kind == "bracedmath":
        # `{$1 and 2$}`: braces make it math even where `$1 and 2$` alone reads as money.
        math = _PIECE.match(match.group(0)[1:-1])
        return _replace(math) if math is not None else _convert(match.group(0))
    if kind == "escape":
        char = match.group("escape")
        return _ESCAPES.get(char, char)
    if kind == "math":
        # Grouping braces go (O(n^{2}) -> O(n^2)); escaped ones (\{x\}) stay, kept aside as
        # control characters, which clean text never has.
        body = match.group("math").strip("$").replace("\\{", "\x01").replace("\\}", "\x02")
        text = _PIECE.sub(_replace, body).replace("{", "").replace("}", "")
        text = " ".join(text.replace("\x01", "{").replace("\x02", "}").split())
        return text.replace("( ", "(").replace(" )", ")")
    if kind == "braced":
        return _PIECE.sub(_replace, match.group("braced")[1:-1]).strip()
    if match.group("accent"):  # (its last group is `base`: `kind` never names it)
        return _accent(match.group("accent"), match.group("base"))
    # What is left is a macro: `\\name` with its arguments (its last group is `gap`).
    name, args = match.group("name"), match.group("args") or ""
    inner = _ARG.findall(args)
    if name in _ACCENTS and len(name) == 1 and inner:  # \v{z}, \c{c}
        return _accent(name, inner[0])
    if name in _SPACE_MACROS:
        return " "
    gap = match.group("gap") or ""
    if name in _SYMBOLS:
        # TeX swallows the space after a control word: `\hyphen known` is "-known".
        return _SYMBOLS[name] + "".join(_PIECE.sub(_replace, arg) for arg in inner)
    if name in _SWITCHES and not inner:
        return ""
    return _macro(match, name, inner) + gap


def _macro(match: re.Match[str], name: str, inner: list[str]) -> str:
    """A macro other than a symbol or switch of papertray's own tables."""
    if name in _LINK_MACROS:
        # \url{u} is the link itself; \href{u}{text} shows its text; \cite is a reference.
        if name == "url":
            return inner[0] if inner else ""
        return latex_to_text(inner[1]) if name == "href" and len(inner) > 1 else ""
    spec = _spec(name)
    if spec is None:
        # An author's own macro (`\model`, `\ours`) or one pylatexenc does not know
        # (`\texttt{x}`): its argument is the text, or else its name.
        return latex_to_text(inner[-1]) if inner else name
    repl = getattr(spec, "simplify_repl", None)
    if isinstance(repl, str) and "%" in repl and repl.count("%s") == len(inner) > 0:
        # A macro that places its arguments (`\textfrac{1}{2}` -> "1/2"): pylatexenc itself
        # fails on this one and logs a warning.
        return repl % tuple(latex_to_text(arg) for arg in inner)
    if isinstance(repl, str) and "%" not in repl:
        # A symbol (\alpha -> α); braces after it are a group of their own. An operator name
        # (\log) is a word: n\log n reads "n log n".
        word = f" {repl} " if len(repl) > 1 and repl.isalpha() else repl
        return word + "".join(_PIECE.sub(_replace, arg) for arg in inner)
    if repl is None or callable(repl) and name.startswith("math"):
        # Styling (\textbf, \emph, \mathrm, \mathbf, \mathcal): the text of its argument.
        return "".join(_PIECE.sub(_replace, arg) for arg in inner)
    return _convert(match.group(0))


def _accent(accent: str, base: str) -> str:
    letter = base.strip("{}")
    letter = _DOTLESS.get(letter, letter)
    if not letter:
        # `\^{}` and `\~{}`: Zotero's escape of the character itself.
        return accent
    return unicodedata.normalize("NFC", letter[0] + _ACCENTS.get(accent, "")) + letter[1:]


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
def _spec(name: str) -> Any:
    return _db().get_macro_spec(name)


_STATE: dict[str, Any] = {}


def quiet(library: str) -> None:
    """Send the log of a parsing `library` nowhere: pylatexenc logs a warning for each piece it
    cannot read (`macro '\\textfrac' failed its substitution!`), bibtexparser two lines for each
    block it cannot parse, and with no handler of the program's own, Python printed them on
    stderr among papertray's one-line messages (which say what was skipped). The log still goes
    where the program that uses papertray sends it, if it attaches a handler to `library`."""
    import logging

    log = logging.getLogger(library)
    if not log.handlers:
        log.addHandler(logging.NullHandler())
        log.propagate = False


def _converter() -> Any:
    converter = _STATE.get("converter")
    if converter is None:
        # Imported here: pylatexenc is slow to import, and most digests need it never.
        from pylatexenc.latex2text import LatexNodes2Text

        quiet("pylatexenc")
        converter = LatexNodes2Text(math_mode="text", strict_latex_spaces=False)
        _STATE["converter"] = converter
    return converter


def _db() -> Any:
    db = _STATE.get("db")
    if db is None:
        from pylatexenc.latex2text import get_default_latex_context_db

        quiet("pylatexenc")
        db = get_default_latex_context_db()
        _STATE["db"] = db
    return db
