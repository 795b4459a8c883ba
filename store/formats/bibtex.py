"""BibTeX (`.bib`, e.g. a Zotero or Better BibTeX export), through bibtexparser v2.

@article{vaswani2017attention,
  title = {Attention Is All You Need}, author = {Vaswani, Ashish and Shazeer, Noam},
  eprint = {1706.03762}, archivePrefix = {arXiv}, year = {2017}}
"""

from __future__ import annotations

import re
from typing import Any

from papertray.store.formats._common import (
    Parsed,
    arxiv_from_url,
    arxiv_id,
    make_paper,
)
from papertray.store.formats.latex import latex_to_text, strip_braces
from papertray.store.models import Paper

NAME = "bibtex"
_ENTRY = re.compile(r"^\s*@[A-Za-z]+\s*[{(]", re.M)
_ARXIV_IN_TEXT = re.compile(r"arXiv[:\s]+(\d{4}\.\d{4,5})", re.I)
# Zotero's web captures of arXiv pages are titled "[2305.13300] Adaptive Chameleon ...".
_TAG_PREFIX = re.compile(r"\[[^\]]{1,24}\]\s*")
_ID_PREFIX = re.compile(r"\[(\d{4}\.\d{4,5})(?:v\d+)?\]\s*")


def sniff(head: str) -> bool:
    """The first line that is not blank or a % comment opens an entry (@article{...)."""
    for line in head.splitlines()[:200]:
        stripped = line.strip()
        if not stripped or stripped.startswith("%"):
            continue
        return _ENTRY.match(stripped) is not None
    return False


def parse(text: str, source: str = "") -> Parsed:
    import bibtexparser  # ~80 ms to import: only for .bib files

    # No middleware: the values come as written (`jean # " " # cesar`), and `_resolve` puts
    # them together from the @string macros, as BibTeX does (bibtexparser's own middleware
    # resolves only a value that is one macro name).
    library = bibtexparser.parse_string(text, parse_stack=[])
    macros = dict(_MONTHS)
    for string in library.strings:
        macros[string.key.lower()] = _resolve(_value(string), macros)
    entries = list(library.entries)
    papers: list[Paper] = []
    untitled = 0
    for entry in entries:
        fields = {
            _key(k): _resolve(_COMMENT_LINES.sub("", _value(v)), macros)
            for k, v in entry.fields_dict.items()
        }
        paper = _paper(fields, source)
        if paper is None:
            untitled += 1
        else:
            papers.append(paper)
    warnings: list[str] = []
    if untitled:
        warnings.append(f"skipped {untitled} entries without a title")
    broken = len(library.failed_blocks)
    if broken:
        warnings.append(f"skipped {broken} block(s) that are not valid BibTeX")
    return Parsed(papers, warnings)


# biber allows % comment lines between fields; bibtexparser keeps them in the next key or the
# value before (its tests/resources/biber_comments.bib).
_COMMENT_LINES = re.compile(r"(?:\n[ \t]*%[^\n]*)+\s*$")


def _key(raw: str) -> str:
    return raw.strip().rsplit("\n", 1)[-1].strip().lower()


def _value(field: Any) -> str:
    value = field.value
    return value if isinstance(value, str) else str(value)


# BibTeX's built-in macros (btxdoc, "The month field"): `month = jan`.
_MONTHS = {
    m[:3].lower(): m
    for m in "January February March April May June July August September October November "
    "December".split()
}
_PART = re.compile(
    r'\s*(\{(?:[^{}]|\{(?:[^{}]|\{[^{}]*\})*\})*\}|"(?:[^"{}]|\{[^{}]*\})*"|[^\s#]+)\s*'
)


def _resolve(raw: str, macros: dict[str, str]) -> str:
    """A field's value as BibTeX reads it: `{...}` and `"..."` parts as written, a bare word
    the @string macro of that name (or the word: a number), all joined where `#` says."""
    raw = raw.strip()
    if not raw or ("#" not in raw and raw[0] in '{"'):
        return raw[1:-1] if len(raw) >= 2 and raw[-1] in '}"' else raw
    parts: list[str] = []
    pos = 0
    while pos < len(raw):
        found = _PART.match(raw, pos)
        if found is None:
            return raw  # not BibTeX's value syntax: kept as written
        part = found.group(1)
        if part[0] in '{"':
            parts.append(part[1:-1])
        else:
            parts.append(macros.get(part.lower(), part))
        pos = found.end()
        if pos < len(raw):
            if raw[pos] != "#":
                return raw
            pos += 1
    return "".join(parts)


def _clean(value: str) -> str:
    value = value.strip()
    if len(value) >= 2 and value[0] == "{" and _closes_at_end(value):
        value = value[1:-1]
    elif len(value) >= 2 and value[0] == '"' and value[-1] == '"':
        value = value[1:-1]
    return strip_braces(latex_to_text(value))


def _closes_at_end(value: str) -> bool:
    """True when the brace that opens `value` is closed by its last character: `{{BERT}}` is
    one group, `{BERT}: a {GPT}` two."""
    depth = 0
    for at, char in enumerate(value):
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth == 0:
                return at == len(value) - 1
    return False


def _name(raw: str) -> str:
    """ "Vaswani, Ashish" -> "Ashish Vaswani"."""
    raw = " ".join(raw.split())
    if raw.count(",") == 1:
        last, first = (part.strip() for part in raw.split(","))
        return f"{first} {last}".strip()
    return raw


def _paper(fields: dict[str, str], source: str) -> Paper | None:
    title = _clean(fields.get("title", ""))
    if not title:
        return None
    prefixed = _ID_PREFIX.match(title)
    if prefixed:
        title = title[prefixed.end() :]
    else:
        # A web capture's tag ("[PDF] ...", "[4 Pics] ..."): the page's title is after it.
        tag = _TAG_PREFIX.match(title)
        if tag and title[tag.end() :].strip():
            title = title[tag.end() :]
    url = _clean(fields.get("url", ""))
    published = _clean(fields.get("howpublished", ""))
    if not url and published.startswith(("http://", "https://")):
        url = published
    doi = _clean(fields.get("doi", ""))
    eprint = _clean(fields.get("eprint", ""))
    prefix = _clean(fields.get("archiveprefix", fields.get("eprinttype", ""))).lower()
    pid = arxiv_id(eprint) if (prefix == "arxiv" or not prefix) and eprint else None
    pid = pid or arxiv_from_url(url) or arxiv_from_url(doi)
    pid = pid or (arxiv_id(prefixed.group(1)) if prefixed else None)
    if pid is None:
        for key in ("journal", "note", "howpublished", "volume"):
            found = _ARXIV_IN_TEXT.search(fields.get(key, ""))
            if found:
                pid = arxiv_id(found.group(1))
                break
    authors = [_name(a) for a in re.split(r"\s+and\s+", _clean(fields.get("author", ""))) if a]
    links = [url] if url else []
    if doi:
        links.append(doi if doi.startswith("http") else f"https://doi.org/{doi}")
    year = _clean(fields.get("year", ""))
    keywords = [k.strip() for k in _clean(fields.get("keywords", "")).split(",") if k.strip()]
    return make_paper(
        title=title,
        abstract=_clean(fields.get("abstract", "")),
        authors=authors,
        arxiv=pid,
        links=links,
        source=source,
        unwrap_abstract=True,
        published=_clean(fields.get("date", "")) or year or None,
        keywords=keywords,
    )
