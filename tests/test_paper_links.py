"""Every paper with an arXiv id is linked to itself (arXiv page, PDF, HF page), derived in one
place; the reader's open-paper and citation keys act on those."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from papertray.store import Library
from papertray.store.ingest import ingest_bytes, ingest_file
from papertray.store.links import arxiv_links, with_arxiv_links
from papertray.tui.links import NoLink, citation, paper_page

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "fetch"


def test_arxiv_links_are_the_abs_pdf_and_hf_pages() -> None:
    assert arxiv_links("2403.12345") == [
        "https://arxiv.org/abs/2403.12345",
        "https://arxiv.org/pdf/2403.12345",
        "https://huggingface.co/papers/2403.12345",
    ]


def test_versioned_or_http_copies_of_those_pages_are_not_doubled() -> None:
    got = with_arxiv_links(
        ("https://github.com/a/b", "http://arxiv.org/abs/2403.12345v2", "https://arxiv.org/pdf/2403.12345v2"),
        "2403.12345",
    )  # fmt: skip
    assert got == (
        "https://github.com/a/b",
        "http://arxiv.org/abs/2403.12345v2",
        "https://arxiv.org/pdf/2403.12345v2",
        "https://huggingface.co/papers/2403.12345",
    )
    assert with_arxiv_links(("https://x.org/a",), None) == ("https://x.org/a",)


@pytest.mark.parametrize(
    "name", ["hf_daily_2026-12-01.json", "arxiv_rss_cs_cl.xml", "arxiv_api_query.xml"]
)
def test_every_format_links_its_arxiv_papers_to_themselves(name: str) -> None:
    papers = ingest_file(FIXTURES / name).papers
    assert papers
    for paper in papers:
        assert paper.arxiv_id
        assert all(u in paper.links for u in arxiv_links(paper.arxiv_id)[2:])
        assert paper_page(paper) == f"https://arxiv.org/abs/{paper.arxiv_id}"
        assert citation(paper, bibtex=False) == paper.arxiv_id
        assert citation(paper, bibtex=False, style="arxiv") == f"arXiv:{paper.arxiv_id}"
        entry = citation(paper, bibtex=True)
        # A preprint keyed lastnameYEARfirstword (store/citation.py; a paper without authors
        # YEARfirstword), no longer arxiv<id>.
        assert re.match(r"@misc\{[a-z]*\d{4}[a-z0-9]+,\n", entry), entry
        assert f"eprint = {{{paper.arxiv_id}}}" in entry and "archivePrefix = {arXiv}" in entry


def test_a_paper_without_an_arxiv_id_says_how_to_get_one(seed_path: Path) -> None:
    papers = ingest_file(seed_path).papers
    bare = next(p for p in papers if not p.links)
    with pytest.raises(NoLink, match="enrich"):
        paper_page(bare)
    with pytest.raises(NoLink, match="enrich"):
        citation(bare, bibtex=False)
    assert citation(bare, bibtex=True).startswith("@misc{")
    # A paper with only a code repo has no page of its own either; one with a project page does.
    mesa = next(p for p in papers if p.title.startswith("Mesa:"))
    with pytest.raises(NoLink):
        paper_page(mesa)
    page = ingest_bytes(
        b"A Title Here\n\nAn abstract with https://github.com/a/b and https://a-project.org/p.\n"
    ).papers[0]
    assert paper_page(page) == "https://a-project.org/p"


def test_library_stale_sees_another_process_import(data_dir: Path, seed_path: Path) -> None:
    ours = Library.open(data_dir)
    assert not ours.stale()  # no file yet
    ours.add(ingest_file(FIXTURES / "hf_daily_2026-12-01.json").papers)
    assert len(ours.papers()) == 3 and not ours.stale()  # our own write
    Library.open(data_dir).add(ingest_file(seed_path).papers)  # "another process"
    assert ours.stale()
    assert len(ours.papers()) == 104  # read as it is now
    assert ours.refresh() and not ours.stale()  # and looked at: no longer news
