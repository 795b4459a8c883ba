"""Two records are one work only when a name agrees (arXiv id, DOI, Semantic Scholar id) or the
title, first author and year all do (issue 21, point 9): `store.identity.same_work`, and the
de-duplication of one input that applies it."""

from __future__ import annotations

import pytest

from papertray.store.identity import distinct_id, first_author_key, identities, same_work
from papertray.store.ingest import ingest_text
from papertray.store.models import Paper, paper_id


def paper(
    title: str = "Attention Is All You Need",
    authors: tuple[str, ...] = ("Ashish Vaswani",),
    published: str | None = "2017",
    arxiv: str | None = None,
    links: tuple[str, ...] = (),
    abstract: str = "",
) -> Paper:
    return Paper(
        id=paper_id(arxiv_id=arxiv, title=title),
        title=title,
        abstract=abstract,
        authors=authors,
        published=published,
        links=links,
        arxiv_id=arxiv,
    )


DOI = "https://doi.org/10.1002/ANIE.201915678"
DOI_CASE = "https://doi.org/10.1002/anie.201915678"  # DOIs are case-blind
S2 = "https://www.semanticscholar.org/paper/204e3073870fae3d05bcbc2f6a8e263d9b72e776"


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        # A name both have decides.
        (paper(arxiv="1706.03762"), paper(title="Other", arxiv="1706.03762"), True),
        (paper(arxiv="1706.03762"), paper(arxiv="1706.03763"), False),
        (paper(links=(DOI,)), paper(title="Retitled", links=(DOI_CASE,)), True),
        (paper(links=(DOI,)), paper(links=("https://doi.org/10.1000/other",)), False),
        (paper(links=(S2,)), paper(title="Elsewhere", links=(S2,)), True),
        # An arXiv id that differs outweighs a DOI copied between two records.
        (paper(arxiv="2403.00001", links=(DOI,)), paper(arxiv="2403.00011", links=(DOI,)), False),
        # No shared name: title, first author's family name and year.
        (paper(authors=("Vaswani, Ashish",)), paper(authors=("A. Vaswani", "N. Shazeer")), True),
        (paper(authors=("Ashish Vaswani",)), paper(authors=("Noam Shazeer",)), False),
        (paper(published="2017-06-12"), paper(published="2017"), True),
        (paper(published="2017"), paper(published="2018"), False),
        (paper(published=None), paper(published="2017"), False),
        (paper(authors=(), published=None), paper(authors=(), published=None), True),
        (paper(arxiv="1706.03762"), paper(), True),  # one id, the other none: title etc.
        (paper(title="Attention is all you need!"), paper(), True),  # the title key
        # A DOI found in the abstract is a cited work's, not the paper's own name.
        (
            paper(links=(DOI,), abstract=f"Data: {DOI}"),
            paper(title="Another Work", links=(DOI,), abstract=f"See {DOI}"),
            False,
        ),
    ],
)
def test_same_work(a: Paper, b: Paper, same: bool) -> None:
    assert same_work(a, b) is same
    assert same_work(b, a) is same


def test_the_names_a_paper_is_known_by() -> None:
    p = paper(arxiv="1706.03762", links=(S2, "https://dx.doi.org/10.5555/ABC.1", DOI))
    assert identities(p) == {
        "arxiv": "1706.03762",
        "doi": "10.5555/abc.1",  # the first DOI link, in lower case
        "s2": "204e3073870fae3d05bcbc2f6a8e263d9b72e776",
    }
    assert first_author_key(paper(authors=("Jérôme Müller-Lüdenscheidt",))) == (
        "mullerludenscheidt"
    )
    assert first_author_key(paper(authors=())) == ""


def test_a_distinct_work_gets_an_id_of_its_own_that_is_stable() -> None:
    second = paper(authors=("Noam Shazeer",), published="2018")
    first_id = paper().id
    made = distinct_id(second, {first_id})
    assert made.startswith("t:") and made != first_id
    assert distinct_id(second, {first_id}) == made
    assert distinct_id(second, {first_id, made}) not in {first_id, made}


# bibtexparser's own tests title many different entries alike ("An amazing title", "Duplicate
# article"): tests/test_bibtexwriter.py, tests/splitter_tests/test_splitter_basic.py
# (sciunto-org/python-bibtexparser).
ALIKE = """
@article{one, author = {Doe, John}, title = {An amazing title}, year = {2000}}
@article{two, author = {Roe, Jane}, title = {An amazing title}, year = {2000}}
@article{three, author = {Doe, John}, title = {An amazing title}, year = {2001}}
@article{four, author = {Doe, John}, title = {An amazing title}, year = {2000},
  doi = {10.1000/four}}
@article{again, author = {John Doe}, title = {An Amazing Title}, year = {2000},
  abstract = {The abstract the first copy lacked.}}
"""


def test_distinct_works_titled_alike_are_all_kept() -> None:
    result = ingest_text(ALIKE)
    assert [(p.authors, p.published, p.abstract) for p in result.papers] == [
        (("John Doe",), "2000", "The abstract the first copy lacked."),
        (("Jane Roe",), "2000", ""),
        (("John Doe",), "2001", ""),
    ]
    # The fourth has a DOI and the first none: title, author and year agree, so it is the
    # first's work again.
    assert result.duplicates == 2
    ids = [p.id for p in result.papers]
    assert ids[0] == paper_id(title="An amazing title") and len(set(ids)) == 3
    assert "2 paper(s) share a title with another but not its authors, year or ids" in " ".join(
        result.warnings
    )


S2_PAGE = """{"total": 3, "data": [
 {"paperId": "a1", "externalIds": {"CorpusId": 1}, "title": "Introduction",
  "url": "https://www.semanticscholar.org/paper/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
  "year": 2019, "authors": [{"name": "Ann One"}]},
 {"paperId": "b2", "externalIds": {"CorpusId": 2}, "title": "Introduction",
  "url": "https://www.semanticscholar.org/paper/bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb",
  "year": 2019, "authors": [{"name": "Ann One"}]},
 {"paperId": "a1", "externalIds": {"CorpusId": 1}, "title": "Introduction (repeated)",
  "url": "https://www.semanticscholar.org/paper/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
  "year": 2019, "authors": [{"name": "Ann One"}], "abstract": "Now with an abstract."}
]}"""


def test_semantic_scholar_records_with_one_title_are_told_apart_by_their_ids() -> None:
    """A Semantic Scholar search page (api.semanticscholar.org/graph/v1/paper/search) holds
    book chapters and editorials with one generic title: only their paperIds tell them apart."""
    result = ingest_text(S2_PAGE)
    assert result.format == "s2"
    assert [(p.title, p.abstract) for p in result.papers] == [
        ("Introduction", "Now with an abstract."),
        ("Introduction", ""),
    ]
    assert result.duplicates == 1


def test_a_page_copy_with_a_paper_twice_still_gives_it_once() -> None:
    text = "Tiny Models\n\nAn abstract.\n\nOther Paper\n\nIts abstract.\n\nTiny Models\n\nAgain.\n"
    result = ingest_text(text)
    assert [p.title for p in result.papers] == ["Tiny Models", "Other Paper"]
    assert result.duplicates == 1
    assert result.title_keys == ["tiny models", "other paper"]
