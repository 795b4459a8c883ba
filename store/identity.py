"""Whether two records name the same work: the one rule papertray merges by.

Two records are one work when a name the world gives a work agrees (an arXiv id, a DOI, a
Semantic Scholar paper id: the first kind both have decides), or, when they share none of those,
when the title, the first author's family name and the year all agree. A shared title alone is
not enough: bibtexparser's own test files hold four different articles titled alike, and one
Semantic Scholar search page nine records whose titles repeat another's (issue 21).

A `Paper` carries its DOI and Semantic Scholar id as links (`https://doi.org/...`,
`https://www.semanticscholar.org/paper/...`), put there by the format that read them. A link
that was only found in the abstract is not the paper's own name (a data set's DOI, a cited
work): a DOI the abstract mentions is not taken as the paper's.
"""

from __future__ import annotations

import re
import unicodedata

from papertray.store.models import Paper, title_key

__all__ = [
    "distinct_id",
    "doi_in",
    "first_author_key",
    "identities",
    "names",
    "one_work_in_the_library",
    "same_work",
    "year_of",
]

_DOI_LINK = re.compile(r"https?://(?:dx\.)?doi\.org/(10\.\d{4,9}/\S+)", re.I)
_S2_LINK = re.compile(
    r"https?://(?:www\.|api\.)?semanticscholar\.org/(?:paper|graph/v1/paper)/(?:[^/?#]+/)?"
    r"([0-9a-f]{40}|CorpusId:\d+)(?:[/?#]|$)",
    re.I,
)
_KINDS = ("arxiv", "doi", "s2")
_YEAR = re.compile(r"(1[5-9]|20)\d\d")
_NOT_LETTER = re.compile(r"[^\w]+|\d+|_")


def identities(paper: Paper) -> dict[str, str]:
    """The names `paper` is known by: `arxiv`, `doi` (lower case, as DOIs are case-blind) and
    `s2` (a Semantic Scholar paper id), those it has."""
    found: dict[str, str] = {}
    if paper.arxiv_id:
        found["arxiv"] = paper.arxiv_id
    for link in paper.links:
        if "doi.org/" in link and "doi" not in found:
            doi = doi_in(link)
            if doi:
                value = doi.lower()
                if value not in paper.abstract.lower():
                    found["doi"] = value
        elif "semanticscholar.org/" in link and "s2" not in found:
            s2 = _S2_LINK.match(link)
            if s2 and s2.group(1) not in paper.abstract:
                found["s2"] = s2.group(1).lower()
    return found


def doi_in(link: str) -> str | None:
    """The DOI of a doi.org link, as written (DOIs are case-blind: compare them lowered)."""
    doi = _DOI_LINK.match(link)
    return _unquote(doi.group(1)) if doi else None


def _unquote(doi: str) -> str:
    from urllib.parse import unquote

    return unquote(doi).rstrip(".")


def first_author_key(paper: Paper) -> str:
    """The first author's family name, folded: "Vaswani, Ashish", "Ashish Vaswani" and
    "A. Vaswani" all give "vaswani"; "" when there is no author."""
    if not paper.authors:
        return ""
    name = paper.authors[0].strip()
    if "," in name:  # "Family, Given" (BibTeX, RIS)
        name = name.split(",", 1)[0]
    else:
        words = name.split()
        name = words[-1] if words else ""
    plain = unicodedata.normalize("NFKD", name)
    plain = "".join(ch for ch in plain if not unicodedata.combining(ch))
    return _NOT_LETTER.sub("", plain.casefold())


def year_of(paper: Paper) -> str:
    """The year the paper was published ("" when unknown)."""
    found = _YEAR.search(paper.published or "")
    return found.group(0) if found else ""


def same_work(a: Paper, b: Paper) -> bool:
    """True when `a` and `b` are two records of one work. The first name both have decides, in
    the order arXiv id, DOI, Semantic Scholar id (two arXiv ids that differ are two works even
    if a DOI was copied from one to the other). When they share no kind of name, their titles,
    first authors' family names and years must all agree (a field neither has agrees; one that
    only one has does not)."""
    ours, theirs = identities(a), identities(b)
    for kind in _KINDS:
        if kind in ours and kind in theirs:
            return ours[kind] == theirs[kind]
    return (
        title_key(a.title) == title_key(b.title)
        and first_author_key(a) == first_author_key(b)
        and year_of(a) == year_of(b)
    )


def one_work_in_the_library(stored: Paper, incoming: Paper) -> bool:
    """Whether a paper arriving with the title of a paper the library holds is that paper: yes
    unless what both say contradicts it (another arXiv id, DOI or Semantic Scholar id, another
    first author, another year). Looser than `same_work` within one input on purpose: across
    sources one record often lacks what the other has (a page copy has no authors, its arXiv
    record has them), and a missing field is no contradiction."""
    ours, theirs = identities(stored), identities(incoming)
    if any(kind in ours and kind in theirs and ours[kind] != theirs[kind] for kind in _KINDS):
        return False
    a, b = first_author_key(stored), first_author_key(incoming)
    if a and b and a != b:
        return False
    y, z = year_of(stored), year_of(incoming)
    return not (y and z and y != z)


def names(paper: Paper) -> list[str]:
    """The names a paper answers to besides its id, as the library keeps them (`arxiv:...`,
    `doi:...`, `s2:...`)."""
    found = identities(paper)
    out = [f"{kind}:{found[kind]}" for kind in _KINDS if kind in found]
    return [name for name in out if name != paper.id]


def distinct_id(paper: Paper, taken: set[str] | dict[str, int]) -> str:
    """An id for `paper` when an earlier, different work of the same input already holds its
    title-derived id: from its title, first author, year and own names, so it reads the same on
    every import of that input, and not one of `taken`."""
    from papertray.store.models import key_id

    names = identities(paper)
    parts = [title_key(paper.title), first_author_key(paper), year_of(paper)]
    parts += [f"{kind}:{names[kind]}" for kind in sorted(names)]
    base = "\n".join(parts)
    found, n = key_id(base), 1
    while found in taken:
        n += 1
        found = key_id(f"{base}\n{n}")
    return found
