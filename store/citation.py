"""How a paper is cited: a BibTeX entry and a RIS record a reference manager takes, and the id
the reader's copy key gives.

One `Citation` is read off a paper and written both ways, so the two formats always carry the
same fields. A paper with a DOI of its own (a journal's or a conference's, not arXiv's) is an
`@article` (`JOUR`); any other is `@misc` (`GEN`), which is what arXiv's own BibTeX export
gives a preprint: authors, year, title, `eprint`, `archivePrefix = {arXiv}`, `primaryClass`
(its first category), the DOI (arXiv registers `10.48550/arXiv.<id>` for every paper) and the
URL of its abstract page. Keys read `lastnameYEARfirstword` (`vaswani2017attention`), folded
to ASCII, the title's stop words skipped, made unique within one output by a letter. A paper
with no author or no year still makes a valid entry: the key does without them.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from papertray.store.identity import doi_in, first_author_key, identities, year_of
from papertray.store.links import is_code_repo, is_safe_url
from papertray.store.models import UNTOUCHED, Paper, PaperState
from papertray.store.sanitize import clean_text

__all__ = [
    "COPY_ID_STYLES",
    "Citation",
    "bibtex_entries",
    "bibtex_entry",
    "citable_id",
    "citation_of",
    "cite_key",
    "ris_entry",
    "ris_records",
]

COPY_ID_STYLES = ("bare", "arxiv")
"""How the reader's `y` copies an arXiv id: `2401.01234` or `arXiv:2401.01234` (the config
file's `[reader] copy_id`)."""

ARXIV_DOI = "10.48550/arXiv."
# Words a key skips to reach the title's first word that says something ("A Survey of ..." is
# `survey`), as reference managers' default keys do.
STOP_WORDS = frozenset(
    "a an the on of in for to and or with without from by at as via into towards toward is are "
    "do does how what why when can we our your its their this that these those".split()
)
# Latin letters NFKD leaves whole: their ASCII spelling.
_LETTERS = str.maketrans(
    {"ø": "o", "ł": "l", "đ": "d", "ð": "d", "þ": "th", "æ": "ae", "œ": "oe", "ı": "i", "ß": "ss"}
)
_NOT_KEY = re.compile(r"[^a-z0-9]+")


@dataclass(frozen=True, slots=True)
class Citation:
    """What a citation of one paper says, whatever the format."""

    kind: str
    """"article" (a DOI of its own) or "misc"."""
    title: str
    authors: tuple[str, ...] = ()
    year: str = ""
    date: str = ""
    """The day or month it was published, when known (`2024-03-18`), for RIS's DA."""
    eprint: str | None = None
    """The arXiv id (`archivePrefix = {arXiv}` goes with it)."""
    primary_class: str | None = None
    doi: str | None = None
    url: str | None = None


def citation_of(paper: Paper) -> Citation:
    doi = identities(paper).get("doi")
    if doi:  # as the link writes it, not lowered
        doi = next((d for d in map(doi_in, paper.links) if d and d.lower() == doi), doi)
    own_doi = doi if doi and not doi.lower().startswith(ARXIV_DOI.lower()) else None
    if own_doi is None and paper.arxiv_id:
        doi = ARXIV_DOI + paper.arxiv_id
    url = None
    if paper.arxiv_id:
        url = f"https://arxiv.org/abs/{paper.arxiv_id}"
    elif doi:
        url = f"https://doi.org/{doi}"
    else:
        url = next(
            (u for u in paper.links if is_safe_url(u) and not is_code_repo(u) and u != paper.repo),
            None,
        )
    published = paper.published or ""
    eprint = _line(paper.arxiv_id) if paper.arxiv_id else None
    return Citation(
        kind="article" if own_doi else "misc",
        title=_line(paper.title),
        authors=tuple(a for a in map(_line, paper.authors) if a),
        year=year_of(paper),
        date=published[:10] if re.fullmatch(r"\d{4}-\d\d(-\d\d)?.*", published) else "",
        eprint=eprint,
        primary_class=_line(paper.categories[0]) if eprint and paper.categories else None,
        doi=_line(doi) if doi else None,
        url=_line(url) if url else None,
    )


def _line(text: str) -> str:
    # The library can be edited by hand: no control character reaches a citation.
    return " ".join(clean_text(text).split())


def ascii_word(text: str) -> str:
    """`text` folded to lowercase ASCII letters and digits (`Groß` is `gross`, `Øksendal`
    `oksendal`); what cannot be spelled so is dropped."""
    plain = unicodedata.normalize("NFKD", text.casefold().translate(_LETTERS))
    plain = "".join(ch for ch in plain if not unicodedata.combining(ch))
    return _NOT_KEY.sub("", plain.translate(_LETTERS))


def cite_key(paper: Paper, used: set[str]) -> str:
    """`lastnameYEARfirstword`, not one of `used` (a letter is added until it is not), and
    added to `used`."""
    words = (ascii_word(w) for w in re.split(r"[\s\-–—/:]+", paper.title))
    first = next((w for w in words if w and w not in STOP_WORDS), "")
    base = ascii_word(first_author_key(paper)) + year_of(paper) + first or "paper"
    key, n = base, 0
    while key in used:
        n += 1
        key = base + (chr(ord("a") + n - 1) if n <= 26 else str(n))
    used.add(key)
    return key


# -- BibTeX --------------------------------------------------------------------------------------

_BIB_SPECIAL = re.compile(r"([&%$#_{}~^\\])")
# Braced, so a space after them stays a space.
_BIB_REPLACE = {"\\": r"{\textbackslash}", "~": r"{\textasciitilde}", "^": r"{\textasciicircum}"}


def bib_escape(text: str) -> str:
    return _BIB_SPECIAL.sub(lambda m: _BIB_REPLACE.get(m.group(1), "\\" + m.group(1)), text)


def _bib_name(name: str) -> str:
    # A name with "and" in it (a consortium) would be read as two: braced, it is one.
    escaped = bib_escape(name)
    return "{" + escaped + "}" if re.search(r"\band\b", name, re.I) else escaped


def bibtex_entries(rows: Iterable[tuple[Paper, PaperState]]) -> Iterator[str]:
    """One entry a paper, keys unique among them; the user's tags as `keywords` and note as
    `note`."""
    used: set[str] = set()
    for paper, state in rows:
        cite = citation_of(paper)
        fields = []
        if cite.authors:
            fields.append(("author", " and ".join(map(_bib_name, cite.authors))))
        fields.append(("title", "{" + bib_escape(cite.title) + "}"))
        if cite.year:
            fields.append(("year", cite.year))
        if cite.eprint:
            fields += [("eprint", bib_escape(cite.eprint)), ("archivePrefix", "arXiv")]
            if cite.primary_class:
                fields.append(("primaryClass", bib_escape(cite.primary_class)))
        if cite.doi:
            fields.append(("doi", bib_escape(cite.doi)))
        if cite.url:
            fields.append(("url", bib_escape(cite.url)))
        if state.tags:
            fields.append(("keywords", bib_escape(_line(", ".join(state.tags)))))
        if state.note.strip():
            fields.append(("note", bib_escape(_line(state.note))))
        body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields)
        yield f"@{cite.kind}{{{cite_key(paper, used)},\n{body}\n}}\n\n"


def bibtex_entry(paper: Paper, state: PaperState | None = None) -> str:
    """One paper's BibTeX entry, as `papertray list --format bibtex` writes it (the reader's
    copy-citation key)."""
    return "".join(bibtex_entries([(paper, state or UNTOUCHED)])).strip() + "\n"


# -- RIS -----------------------------------------------------------------------------------------


def ris_records(rows: Iterable[tuple[Paper, PaperState]]) -> Iterator[str]:
    """RIS as reference managers import it (RIS format specification, refman.com 2011): one
    `TAG  - value` a line, a record from `TY` to `ER`; the fields of the BibTeX entry. The arXiv
    id goes in a note as Zotero writes it (`N1  - arXiv:2401.01234 [cs.CL]`), where Zotero and
    papertray read it back."""
    for paper, state in rows:
        cite = citation_of(paper)
        lines = [("TY", "JOUR" if cite.kind == "article" else "GEN"), ("TI", cite.title)]
        lines += [("AU", author) for author in cite.authors]
        if cite.year:
            lines.append(("PY", cite.year))
        if cite.date:
            lines.append(("DA", cite.date.replace("-", "/")))
        if paper.abstract:
            lines.append(("AB", _line(paper.abstract)))
        if cite.doi:
            lines.append(("DO", cite.doi))
        if cite.eprint:
            category = f" [{cite.primary_class}]" if cite.primary_class else ""
            lines.append(("N1", f"arXiv:{cite.eprint}{category}"))
        urls = [cite.url] if cite.url else []
        urls += [u for u in paper.links if u not in urls and is_safe_url(u)]
        lines += [("UR", url) for url in urls]
        lines += [("KW", _line(word)) for word in (*paper.keywords, *state.tags) if _line(word)]
        if state.note.strip():
            lines.append(("N1", _line(state.note)))
        lines.append(("ID", _line(paper.id)))
        yield "".join(f"{tag}  - {value}\n" for tag, value in lines) + "ER  - \n\n"


def ris_entry(paper: Paper, state: PaperState | None = None) -> str:
    """One paper's RIS record, as `papertray list --format ris` writes it."""
    return "".join(ris_records([(paper, state or UNTOUCHED)])).strip() + "\n"


# -- the copied id -------------------------------------------------------------------------------


def citable_id(paper: Paper, style: str = "bare") -> str | None:
    """The paper's arXiv id as the reader's `y` copies it: `2401.01234` ("bare") or
    `arXiv:2401.01234` ("arxiv"); None for a paper without one."""
    if style not in COPY_ID_STYLES:
        raise ValueError(f"unknown copy_id {style!r} (one of {', '.join(COPY_ID_STYLES)})")
    if not paper.arxiv_id:
        return None
    return paper.arxiv_id if style == "bare" else f"arXiv:{paper.arxiv_id}"
