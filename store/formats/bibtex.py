"""BibTeX (`.bib`, e.g. a Zotero or Better BibTeX export), through bibtexparser v2.

@article{vaswani2017attention,
  title = {Attention Is All You Need}, author = {Vaswani, Ashish and Shazeer, Noam},
  eprint = {1706.03762}, archivePrefix = {arXiv}, year = {2017}}
"""

from __future__ import annotations

import re
from typing import Any

from papertray.store import limits
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
# What the parser takes for the start of a block, anywhere on a line (an e-mail address is not).
_BLOCK = re.compile(r"@[ \t]*[A-Za-z]+[ \t]*[{(]")
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
    _check_blocks(text)
    import bibtexparser  # ~80 ms to import: only for .bib files

    library = bibtexparser.parse_string(text)
    entries = list(library.entries)
    papers: list[Paper] = []
    untitled = 0
    for entry in entries:
        paper = _paper({k.lower(): _value(v) for k, v in entry.fields_dict.items()}, source)
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


def _check_blocks(text: str) -> None:
    """Refuse, before the parser sees it, a file of more blocks than `limits.MAX_BIBTEX_BLOCKS`
    (a million @string lines took the parser 31 s and 780 MB); counting stops past the limit."""
    cap = limits.MAX_BIBTEX_BLOCKS
    for count, _block in enumerate(_BLOCK.finditer(text), start=1):
        if count > cap:
            from papertray.store.formats.common import IngestError

            raise IngestError(
                f"more than {cap:,} BibTeX blocks (entries, @string, @comment and @preamble "
                "count), the limit on one file (refused before parsing; split the file)"
            )


def _value(field: Any) -> str:
    value = field.value
    return value if isinstance(value, str) else str(value)


def _clean(value: str) -> str:
    value = value.strip()
    if len(value) >= 2 and value[0] == "{" and value[-1] == "}":
        value = value[1:-1]
    elif len(value) >= 2 and value[0] == '"' and value[-1] == '"':
        value = value[1:-1]
    return strip_braces(latex_to_text(value))


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
