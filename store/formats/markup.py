"""Markup in a title or an abstract, read as its text: HTML that feeds carry (`<b>`, `<p>`,
`&amp;`), JATS and MathML that publishers' metadata carry (Crossref and Semantic Scholar titles:
`<jats:p>`, `<inline-formula><mml:math>...`), and the root element of an XML document.

Only markup is taken out: the tag names below and character references. A text that merely
holds angle brackets (`<1 minute`, the `<unk>` token, `x < y`) keeps them.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

# HTML's text-level and block elements, JATS (with or without the jats: prefix) and MathML
# (with or without mml:). `s` is left out on purpose: "<s>" in an NLP abstract is a token.
_INLINE = (
    "a abbr b bdi big cite code dfn em font i kbd mark q samp small span strike strong sub sup "
    "time tt u var wbr img italic bold underline monospace sc inline-formula tex-math "
    "math mi mo mn ms mtext mspace mrow mfrac msqrt mroot msub msup msubsup munder mover "
    "munderover mstyle mfenced menclose semantics annotation mtable mtr mtd mpadded mphantom "
    "alternatives inline-graphic named-content styled-content ext-link uri xref"
).split()
_BLOCK = (
    "p br div li ul ol dl dt dd h1 h2 h3 h4 h5 h6 blockquote pre hr table thead tbody tr td th "
    "section article header footer title abstract sec label caption list list-item "
    "disp-formula trans-abstract"
).split()
_NAMES = "|".join(sorted({*_INLINE, *_BLOCK}, key=len, reverse=True))
_TAG = re.compile(rf"</?(?:(?:jats|mml|m|h|xhtml|html):)?(?:{_NAMES})(?:\s[^<>]*)?/?>", re.I)
_ENTITY = re.compile(r"&(?:#\d{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
_BLOCK_NAMES = frozenset(_BLOCK)
_DROPPED = frozenset({"script", "style", "annotation", "tex-math", "head"})


def has_markup(text: str) -> bool:
    """True when `text` holds a tag of the lists above or a character reference."""
    return ("<" in text and _TAG.search(text) is not None) or (
        "&" in text and _ENTITY.search(text) is not None
    )


def markup_to_text(text: str, *, paragraphs: bool = False, html: bool = False) -> str:
    """`text` without its markup. Block elements (`<p>`, `<br>`, `<li>`) end a paragraph:
    "\n\n" between them when `paragraphs`, else a space; everything else is one line. `html`:
    the text is declared HTML (a feed's `text/html` summary), so every tag is markup."""
    if html:
        if "<" not in text and "&" not in text:
            return text
        escaped = text
    elif not has_markup(text):
        return text
    elif _TAG.search(text) is None:
        from html import unescape

        return unescape(text)
    else:
        # Only the known tags are markup: any other "<" is text, escaped before parsing.
        escaped = _TAG.sub(lambda m: "\x00" + m.group(0)[1:], text).replace("<", "&lt;")
        escaped = escaped.replace("\x00", "<")
    reader = _Text()
    reader.feed(escaped)
    reader.close()
    lines = [" ".join("".join(block).split()) for block in reader.blocks]
    return ("\n\n" if paragraphs else " ").join(line for line in lines if line)


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[list[str]] = [[]]
        self._skip = 0

    def _local(self, tag: str) -> str:
        return tag.rsplit(":", 1)[-1].lower()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        name = self._local(tag)
        if name in _DROPPED:
            self._skip += 1
        elif name in _BLOCK_NAMES:
            self.blocks.append([])

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self._local(tag) in _BLOCK_NAMES:
            self.blocks.append([])

    def handle_endtag(self, tag: str) -> None:
        name = self._local(tag)
        if name in _DROPPED:
            self._skip = max(0, self._skip - 1)
        elif name in _BLOCK_NAMES:
            self.blocks.append([])

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.blocks[-1].append(data)


_COMMENT = re.compile(r"<!--.*?(?:-->|\Z)", re.S)
_DECLARATION = re.compile(r"<[?!][^>]*>")
_ROOT = re.compile(r"<([A-Za-z_][\w:.-]*)([^>]*)>?")


def xml_root(head: str) -> tuple[str, str] | None:
    """(name, attributes) of the root element of an XML text's start: what comes after the
    declaration, comments, processing instructions and the doctype. A tag named in a comment
    is not the root (feedparser's test files open with a comment that describes the test)."""
    start = head.lstrip("\ufeff \t\r\n")[:8192]
    if not start.startswith("<"):
        return None
    rest = _DECLARATION.sub("", _COMMENT.sub("", start))
    found = _ROOT.search(rest)
    return (found.group(1), found.group(2)) if found else None
