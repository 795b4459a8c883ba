"""Make untrusted text safe to keep and show: the one definition of the control characters
that never reach the store or the terminal, of how text and notes are tidied, and of how a
message quotes what it was given (`quoted`, `one_line`).

Digests come from files anyone can write. Control characters (terminal escape sequences, bidi
overrides that reorder what the reader sees) are removed on ingest; everything else, emoji and
CJK included, is kept. Every function here is linear in the length of its input.
"""

from __future__ import annotations

import re

# Controls that act as line or word separators become a space, so "a\x0bb" stays two words.
_AS_SPACE = "\x0b\x0c\x1c\x1d\x1e\x1f\x85"
_DELETED = (
    [chr(c) for c in range(0x00, 0x20) if chr(c) not in "\t\n\r" + _AS_SPACE]
    + ["\x7f"]
    + [chr(c) for c in range(0x80, 0xA0) if chr(c) not in _AS_SPACE]
    # Unicode's Bidi_Control set (the Arabic letter mark, the marks, embeddings, overrides and
    # isolates below) and the zero-width no-break space.
    + ["\u061c", "\u200e", "\u200f", "\ufeff"]
    + [chr(c) for c in range(0x202A, 0x202F)]
    + [chr(c) for c in range(0x2066, 0x206A)]
)
FORBIDDEN = frozenset(_DELETED) | frozenset(_AS_SPACE) | frozenset("\r")
"""Characters clean_text never lets through."""

_TABLE: dict[int, str | None] = {ord(c): None for c in _DELETED}
_TABLE.update({ord(c): " " for c in _AS_SPACE})
# A lone CR (old Mac line end) is a line break; CRLF is folded before the table applies.
_TABLE[ord("\r")] = "\n"
# Lone surrogates cannot be encoded as UTF-8 (saving would fail later), so they become U+FFFD.
_TABLE.update({c: "\ufffd" for c in range(0xD800, 0xE000)})

# A blank line: a newline, optional non-newline whitespace, another newline, and any further
# whitespace. Each match starts at a newline and scans one whitespace run, so this is linear.
_PARAGRAPH_BREAK = re.compile(r"\n[^\S\n]*\n\s*")


def strip_controls(text: str) -> str:
    """Remove forbidden control characters (see `clean_text`) without touching whitespace."""
    # isprintable() is a C loop that is False for every forbidden character (and for any
    # whitespace but the space), so clean text costs one quick scan and no copy.
    if text.isprintable():
        return text
    if "\r" in text:
        text = text.replace("\r\n", "\n")
    return text.translate(_TABLE)


def clean_text(text: str, *, multiline: bool = False) -> str:
    """Strip control characters and normalise whitespace.

    Removed: C0 controls except newline and tab, DEL, C1 controls, the bidi marks, embeddings,
    overrides and isolates (U+061C, U+200E, U+200F, U+202A..U+202E, U+2066..U+2069) and U+FEFF.
    With `multiline=False` every run of whitespace becomes one space and the ends are stripped;
    with `multiline=True` paragraphs (separated by a blank line) are kept, joined by "\\n\\n",
    and every other whitespace run becomes one space.
    """
    if not text:
        return ""
    # Already clean (the usual case): printable means no controls and no whitespace but spaces.
    if text.isprintable() and text[0] != " " != text[-1] and "  " not in text:
        return text
    text = strip_controls(text)
    if not multiline or "\n" not in text:
        return " ".join(text.split())
    paragraphs = (" ".join(p.split()) for p in _PARAGRAPH_BREAK.split(text))
    return "\n\n".join(p for p in paragraphs if p)


def clean_note(text: str) -> str:
    """A note as stored: controls gone as in `clean_text` (so "a\x0bb" is "a b"), line ends
    made "\n", lone surrogates U+FFFD, the ends stripped; the user's own layout is kept."""
    return strip_controls(text).strip()


# The same characters as a regex, plus lone surrogates (a terminal cannot show them): a search
# runs in C over a clean abstract and finds nothing, so only dirty text is copied.
_UNSAFE = re.compile("[" + re.escape("".join(sorted(FORBIDDEN))) + "\ud800-\udfff]")


def shown_text(text: object) -> str:
    """`text` as a string fit for the terminal: no control characters but newline and tab.
    The last guard for text read from files anything can write (see tui/safe_text.py)."""
    text = text if isinstance(text, str) else str(text)
    return text if _UNSAFE.search(text) is None else strip_controls(text)


# What a one-line message may not hold raw: the characters above, and newline and tab.
_UNQUOTABLE = re.compile(
    "[" + re.escape("".join(sorted(FORBIDDEN | {"\n", "\t"}))) + "\ud800-\udfff]"
)
_NAMED = {"\n": "\\n", "\t": "\\t", "\r": "\\r"}


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    code = ord(char)
    return _NAMED.get(char) or (f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")


def one_line(text: object) -> str:
    """`text` fit for a one-line message on a terminal: every control character (newline and
    tab too), bidi control and lone surrogate written as its escape (`\\x1b`, `\\u202e`), so
    it is seen and never acted on. Every message that quotes outside input (a file name, a URL,
    a feed's title, a config key) passes through here, or through `quoted`."""
    text = text if isinstance(text, str) else str(text)
    return text if _UNQUOTABLE.search(text) is None else _UNQUOTABLE.sub(_escape, text)


def quoted(text: object, limit: int = 200) -> str:
    """`one_line(text)`, cut to `limit` characters with an ellipsis."""
    line = one_line(text)
    return line if len(line) <= limit else line[: limit - 1] + "\u2026"
