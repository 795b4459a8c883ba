"""The input formats beyond the page copy: each one's fixture gives exact papers, every variant
of the arXiv email reads the same, and what is no digest is refused in one line."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from papertray.store import Library
from papertray.store.formats.latex import latex_to_text
from papertray.store.ingest import (
    FORMATS,
    IngestError,
    IngestResult,
    ingest_bytes,
    ingest_file,
    ingest_text,
)
from papertray.store.links import arxiv_links, with_arxiv_links
from papertray.store.models import paper_id, title_key

FORMATS_DIR = Path(__file__).resolve().parent / "fixtures" / "formats"
EMAIL = (FORMATS_DIR / "arxiv_email.txt").read_text(encoding="utf-8")


def load(name: str, fmt: str | None = None) -> IngestResult:
    return ingest_file(FORMATS_DIR / name, fmt=fmt)


def fields(result: IngestResult) -> list[dict[str, object]]:
    """Each paper's non-empty fields (sequences as lists), without its source."""
    return [
        {
            k: list(v) if isinstance(v, tuple) else v
            for k, v in p.to_dict().items()
            if v not in (None, "", [], ()) and k != "source"
        }
        for p in result.papers
    ]


def own_pages(expected: list[dict[str, object]]) -> list[dict[str, object]]:
    """The expected papers with their own arXiv, PDF and HF pages among their links, as ingest
    adds them to every paper with an arXiv id (issue 11, `store.links.with_arxiv_links`)."""
    out = []
    for paper in expected:
        paper = dict(paper)
        if isinstance(paper.get("arxiv_id"), str):
            links = tuple(paper.get("links", []))  # type: ignore[call-overload]
            paper["links"] = list(with_arxiv_links(links, paper["arxiv_id"]))
        out.append(paper)
    return out


# -- arXiv email digests ------------------------------------------------------------------------

EMAIL_PAPERS = [
    {
        "id": "arxiv:2403.00001",
        "title": "Fuzzy Trees of α-Cuts: A Study of Wrapped Titles That Go On Across Two Lines",
        "abstract": "Fault tree analysis is a vital method of assessing safety risks. We reach a "
        "10∼100× speed-up and 47% fewer errors, at $1 each, with no extra data.",
        "authors": ["Milan Lopuhaä-Zwakenberg", "Mariëlle Stoelinga", "Sašo Džeroski"],
        "published": "2024-03-11",
        "links": [
            "https://github.com/fuzzy/trees",
            "https://github.com/fuzzy/trees/blob/master/README.md",
            "https://arxiv.org/abs/2403.00001",
            "https://doi.org/10.1000/xyz123",
        ],
        "repo": "https://github.com/fuzzy/trees",
        "arxiv_id": "2403.00001",
        "categories": ["cs.AI", "cs.LG"],
        "remarks": "14 pages. Code: https://github.com/fuzzy/trees/blob/master/README.md",
        "digest_date": "2024-03-14",
    },
    {
        "id": "arxiv:2403.00002",
        "title": "A Second Paper",
        "abstract": "A short abstract that mentions arXiv:2301.00001 at the start of a line and "
        "arXiv:2301.00002 on another.",
        "authors": ["Ann Author"],
        "published": "2024-03-12",
        "links": ["https://arxiv.org/abs/2403.00002"],
        "arxiv_id": "2403.00002",
        "categories": ["cs.CL"],
        "digest_date": "2024-03-14",
    },
]


def _indent_with(text: str, indent: str) -> str:
    """The same digest with its continuation lines indented by `indent` instead of 2 spaces."""
    return "\n".join(
        indent + line[2:] if line.startswith("  ") else line for line in text.split("\n")
    )


@pytest.mark.parametrize(
    "variant",
    [
        pytest.param(EMAIL, id="two-spaces"),
        pytest.param(_indent_with(EMAIL, " "), id="one-space"),
        pytest.param(_indent_with(EMAIL, "\u00a0 "), id="nbsp-from-a-mail-client"),
        pytest.param(EMAIL.replace("\n", "\r\n"), id="crlf"),
        pytest.param(EMAIL[EMAIL.index("\\\\\narXiv") :], id="no-header"),
    ],
)
def test_arxiv_email_variants_give_the_same_papers(variant: str) -> None:
    result = ingest_text(variant)
    assert result.format == "arxiv-email"
    papers = fields(result)
    if "Submissions to" not in variant:  # no header: no digest date
        expected = [{k: v for k, v in p.items() if k != "digest_date"} for p in EMAIL_PAPERS]
    else:
        expected = EMAIL_PAPERS
    assert papers == own_pages(expected)
    assert [(u.id, u.title, u.abstract) for u in result.updates] == [
        ("arxiv:2209.05824", "CPnP: A Revised Title With Bias Elimination", "")
    ]


def test_arxiv_email_as_eml_with_mail_headers() -> None:
    result = load("arxiv_email.eml")
    assert result.format == "arxiv-email"
    assert fields(result) == own_pages(EMAIL_PAPERS)
    assert len(result.updates) == 1


def test_several_digests_in_one_file() -> None:
    second = EMAIL.replace("2403.00001", "2403.00011").replace("2403.00002", "2403.00012")
    second = second.replace("Thu 14 Mar 24", "Fri 15 Mar 24")
    result = ingest_text(EMAIL + "\n" + second)
    assert [p.id for p in result.papers] == [
        "arxiv:2403.00001",
        "arxiv:2403.00002",
        "arxiv:2403.00011",
        "arxiv:2403.00012",
    ]
    assert [p.digest_date for p in result.papers] == ["2024-03-14"] * 2 + ["2024-03-15"] * 2
    # Each digest's replacements section ends where the next digest starts.
    assert [u.id for u in result.updates] == ["arxiv:2209.05824"] * 2
    assert result.duplicates == 0


@pytest.mark.timeout(60)  # only catches a hang: each line copying the title so far takes minutes
def test_a_title_of_many_continuation_lines_is_read_in_one_pass() -> None:
    line = "andon" * 24
    lines = 200_000
    digest = EMAIL.replace(
        "Title: A Second Paper\n", "Title: A Second Paper\n" + f"  {line}\n" * lines
    )
    result = ingest_text(digest)
    expected = [dict(p) for p in EMAIL_PAPERS]
    expected[1]["title"] = "A Second Paper" + f" {line}" * lines
    assert fields(result) == own_pages(expected)
    assert [u.id for u in result.updates] == ["arxiv:2209.05824"]


@pytest.mark.timeout(60)  # only catches a hang: each "received from" scanning to the line's end
def test_a_line_of_many_received_from_is_read_in_one_pass() -> None:
    result = ingest_text(EMAIL + "received from " * 100_000 + "\n")
    assert fields(result) == own_pages(EMAIL_PAPERS)
    assert [u.id for u in result.updates] == ["arxiv:2209.05824"]


def test_replacements_update_papers_in_the_library_and_are_otherwise_skipped() -> None:
    library = Library.in_memory()
    old = ingest_text(
        "CPnP: Old Title\n\nAn abstract long enough to be one, about pose estimation."
    )
    old.papers[0] = type(old.papers[0])(**{**old.papers[0].to_dict(), "id": "arxiv:2209.05824"})
    library.add(old.papers)
    result = ingest_text(EMAIL)
    library.add(result.papers)
    assert library.update(result.updates) == 1
    revised = library.get("arxiv:2209.05824")
    assert revised is not None
    assert revised.title == "CPnP: A Revised Title With Bias Elimination"
    assert revised.abstract.startswith("An abstract long enough")  # kept: replacements have none
    assert library.update(result.updates) == 0  # nothing new the second time
    assert len(library) == 3


# -- feeds ----------------------------------------------------------------------------------------


def test_arxiv_atom() -> None:
    result = load("arxiv_atom.xml")
    assert result.format == "arxiv-atom"
    assert fields(result) == own_pages(
        [
            {
                "id": "arxiv:2606.00001",
                "title": "Tiny Models: A β-Study",
                "abstract": "Small models are cheap and we show it (<1 minute per run).",
                "authors": ["Ann One", "Bob Two"],
                "published": "2026-06-10",
                "links": [
                    "https://github.com/tiny/models",
                    "https://arxiv.org/abs/2606.00001v2",
                    "https://arxiv.org/pdf/2606.00001v2",
                    "https://doi.org/10.1000/tiny",
                ],
                "repo": "https://github.com/tiny/models",
                "arxiv_id": "2606.00001",
                "arxiv_version": 2,
                "categories": ["cs.AI", "cs.LG"],  # the primary category first
                "remarks": "9 pages; code at https://github.com/tiny/models",
            },
            {
                "id": "arxiv:hep-th/9901001",
                "title": "An Old-Style Identifier",
                "abstract": "Old ids have an archive name.",
                "authors": ["Cat Three"],
                "published": "1999-01-01",
                "links": ["http://arxiv.org/abs/hep-th/9901001v1"],
                "arxiv_id": "hep-th/9901001",
                "arxiv_version": 1,
            },
        ]
    )


def test_arxiv_rss() -> None:
    result = load("arxiv_rss.xml")
    assert result.format == "arxiv-rss"
    first, second = result.papers
    assert (first.id, first.title, first.abstract) == (
        "arxiv:2604.00001",
        "New Paper on Parsing",
        "We parse feeds. Code: https://github.com/p/feeds.",
    )
    assert list(first.authors) == ["Ann One", "Bob Two", "Cat Three"]
    assert first.repo == "https://github.com/p/feeds"
    assert (second.id, second.abstract, list(second.authors)) == (
        "arxiv:2301.00009",
        "A revised abstract.",
        ["Dan Four"],
    )


def test_empty_weekend_rss_gives_no_papers_and_says_so() -> None:
    result = load("arxiv_rss_empty.xml")
    assert result.papers == []
    assert result.warnings == [
        "cs.CL updates on arXiv.org has no entries (arXiv announces none on weekends)"
    ]


def test_other_rss_feed_of_papers() -> None:
    result = load("papers_rss.xml")
    assert result.format == "rss"
    assert [(p.id, p.title, p.abstract) for p in result.papers] == [
        ("arxiv:2608.00001", "Picked Paper One", "An HTML summary."),
        (paper_id(title="Picked Paper Two"), "Picked Paper Two", "Plain summary."),
    ]


def test_feed_text_is_never_fetched_or_opened(tmp_path: Path) -> None:
    # feedparser fetches a string that looks like a URL and opens one naming a file.
    secret = tmp_path / "secret.xml"
    secret.write_text(FORMATS_DIR.joinpath("arxiv_atom.xml").read_text(encoding="utf-8"))
    for text in (str(secret), "http://127.0.0.1:9/feed"):
        with pytest.raises(IngestError):
            ingest_text(text, fmt="arxiv-atom")


# -- BibTeX and JSON APIs ---------------------------------------------------------------------


def test_bibtex() -> None:
    result = load("refs.bib")
    assert result.format == "bibtex"
    assert fields(result) == own_pages(
        [
            {
                "id": "arxiv:1706.03762",
                "title": "Attention Is All You Need",
                "abstract": "The dominant models are O(n^2); we reach 28.4 BLEU, 10% better.",
                "authors": ["Ashish Vaswani", "Noam Shazeer", "Jérôme Müller"],
                "published": "2017",
                "arxiv_id": "1706.03762",
            },
            {
                "id": "arxiv:2001.00002",  # from the arXiv DOI
                "title": "A Paper With a DOI",
                "authors": ["Jane Doe"],
                "published": "2020",
                "links": ["https://example.org/paper", "https://doi.org/10.48550/arXiv.2001.00002"],
                "arxiv_id": "2001.00002",
            },
            {
                "id": "arxiv:2305.13300",  # Zotero's capture of an arXiv page
                "title": "Adaptive Chameleon",
                "links": ["https://arxiv.org/abs/2305.13300"],
                "arxiv_id": "2305.13300",
            },
            {
                "id": paper_id(title="Plain Book Title"),
                "title": "Plain Book Title",
                "authors": ["John Smith"],
                "published": "1999",
            },
        ]
    )
    assert result.warnings == ["skipped 1 entries without a title"]


def test_json_feed() -> None:
    result = load("feed.json")
    assert result.format == "jsonfeed"
    first, second = result.papers
    assert (first.id, first.repo, first.abstract) == (
        "arxiv:2608.19880",
        "https://github.com/env/harness",
        "Environments reshaped. Code: https://github.com/env/harness",
    )
    assert (second.title, second.abstract) == ("No arXiv Here", "Only HTML content.")


def test_semantic_scholar() -> None:
    result = load("s2.json")
    assert result.format == "s2"
    assert [(p.id, p.title, p.abstract, list(p.authors)) for p in result.papers] == [
        ("arxiv:2103.14030", "Swin Transformer", "Shifted windows.", ["Ze Liu"]),
        (paper_id(title="No ArXiv Id"), "No ArXiv Id", "", []),
    ]


def test_openalex_abstract_from_the_inverted_index() -> None:
    result = load("openalex.json")
    assert result.format == "openalex"
    (paper,) = result.papers
    assert paper.abstract == "Attention is everywhere and is useful."
    assert list(paper.authors) == ["Zhaoyang Niu", "Guoqiang Zhong"]
    assert paper.published == "2021-04-01"


def test_hf_paper_and_search_and_the_daily_date() -> None:
    paper = load("hf_paper.json")
    assert paper.format == "hf-paper"
    assert [(p.id, p.digest_date, p.repo, p.stars) for p in paper.papers] == [
        ("arxiv:2608.09888", "2026-08-11", "https://github.com/pathwaycom/arc-task-gen", 11184)
    ]
    search = load("hf_search.json")
    assert search.format == "hf-search"
    assert [(p.id, p.abstract) for p in search.papers] == [
        ("arxiv:2006.11239", "We present high quality image synthesis.")
    ]
    daily = load("hf_daily_2026.json")
    (p,) = daily.papers
    # 2026 responses: the item's publishedAt is the arXiv date minus 4 hours, not the daily date.
    assert p.digest_date == "2026-06-12"
    # A README link gives its repository; a dataset is a link, never the repo.
    assert p.repo == "https://github.com/o/r"
    assert list(p.links) == [
        "https://github.com/o/r",
        "https://huggingface.co/datasets/o/d",
        "https://github.com/o/r/blob/master/README.md",
        *arxiv_links(p.arxiv_id or ""),
    ]


def test_title_summary_text_exactly_or_not_at_all() -> None:
    result = load("title_summary.txt")
    assert result.format == "title-summary"
    assert [(p.id, p.title, p.abstract) for p in result.papers] == [
        (
            "arxiv:2406.11402",
            "Evaluating Open Language Models",
            "The rapid rise of language models has expanded their use.",
        ),
        (
            "arxiv:2406.11775",
            "Task Me Anything",
            "Benchmarks for large multimodal language models now serve to assess general "
            "capabilities.",
        ),
    ]
    broken = FORMATS_DIR.joinpath("title_summary.txt").read_text() + "Title: Third\n<div>x</div>\n"
    with pytest.raises(IngestError, match="refusing the file rather than reading half of it"):
        ingest_text(broken)


@pytest.mark.timeout(60)  # only catches a hang: each line copying the summary so far takes minutes
def test_a_summary_of_many_wrapped_lines_is_read_in_one_pass() -> None:
    line = "andon" * 24
    lines = 200_000
    text = FORMATS_DIR.joinpath("title_summary.txt").read_text()
    text = text.replace("\nnow serve", "\n" + f"{line}\n" * lines + "now serve")
    result = ingest_text(text)
    assert result.format == "title-summary"
    assert [(p.id, p.title, p.abstract) for p in result.papers] == [
        (
            "arxiv:2406.11402",
            "Evaluating Open Language Models",
            "The rapid rise of language models has expanded their use.",
        ),
        (
            "arxiv:2406.11775",
            "Task Me Anything",
            "Benchmarks for large multimodal language models"
            + f" {line}" * lines
            + " now serve to assess general capabilities.",
        ),
    ]


def test_markdown_table_exactly_or_not_at_all() -> None:
    result = load("md_table.md")
    assert result.format == "md-table"
    assert [(p.id, p.title, p.abstract, list(p.authors)) for p in result.papers] == [
        ("arxiv:2410.17243", "Breaking the Memory Barrier", "a) This research addresses memory.",
         ["Kehan Li"]),
        ("arxiv:2410.17244", "Another Row", "b) More.", ["Ann"]),
    ]  # fmt: skip
    # A title cell wrapped onto the next line is one title.
    wrapped = load("md_table.md").papers
    text = (
        (FORMATS_DIR / "md_table.md")
        .read_text()
        .replace("| Another Row (Read", "| Another\n  Row (Read")
    )
    assert [p.title for p in ingest_text(text).papers] == [p.title for p in wrapped]
    broken = (FORMATS_DIR / "md_table.md").read_text() + "| A Third Row | missing a cell |\n"
    with pytest.raises(IngestError, match="row 3 has 2 cells, the header 3"):
        ingest_text(broken)


@pytest.mark.timeout(60)  # only catches a hang: each line copying the row so far takes minutes
def test_a_cell_wrapped_over_many_lines_is_read_in_one_pass() -> None:
    line = "andon" * 6
    lines = 400_000
    text = (FORMATS_DIR / "md_table.md").read_text()
    text = text.replace(" research addresses", " research\n" + f"{line}\n" * lines + "addresses")
    result = ingest_text(text)
    assert result.format == "md-table"
    assert [(p.id, p.title, p.abstract, list(p.authors)) for p in result.papers] == [
        ("arxiv:2410.17243", "Breaking the Memory Barrier",
         "a) This research" + f" {line}" * lines + " addresses memory.", ["Kehan Li"]),
        ("arxiv:2410.17244", "Another Row", "b) More.", ["Ann"]),
    ]  # fmt: skip


@pytest.mark.timeout(60)  # only catches a hang: a regex scanning to the end from each copy
def test_a_title_of_many_read_more_parts_is_read_in_one_pass() -> None:
    times = 50_000
    text = (FORMATS_DIR / "md_table.md").read_text()
    text = text.replace("2410.17243)) |", "2410.17243)) " + "(Read more on x) y " * times + "|")
    result = ingest_text(text)
    assert [(p.id, p.title) for p in result.papers] == [
        ("arxiv:2410.17243",
         "Breaking the Memory Barrier (Read more on arXiv)" + " (Read more on x) y" * times),
        ("arxiv:2410.17244", "Another Row"),
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("fmt", "name"),
    [
        ("arxiv-email", "arxiv_email.txt"),
        ("arxiv-atom", "arxiv_atom.xml"),
        ("bibtex", "refs.bib"),
        ("jsonfeed", "feed.json"),
        ("s2", "s2.json"),
        ("openalex", "openalex.json"),
        ("arxiv-rss", "arxiv_rss.xml"),
        ("hf-paper", "hf_paper.json"),
        ("hf-search", "hf_search.json"),
        ("md-table", "md_table.md"),
        ("title-summary", "title_summary.txt"),
        ("rss", "papers_rss.xml"),
    ],
)
def test_format_override_reads_the_same(fmt: str, name: str) -> None:
    assert fields(load(name, fmt)) == fields(load(name))


# -- refusing what is no digest -----------------------------------------------------------------

REFUSED = {
    "a README": (
        "# papertray\n\nA reader.\n\n## Install\n\n```sh\npip install .\n```\n\n- one\n- two\n",
        "a Markdown document",
    ),
    "HTML": (
        "<!DOCTYPE html>\n<html><body><h1>Papers</h1><p>x</p></body></html>\n",
        "an HTML page",
    ),
    "XML of an unknown kind": (
        "<?xml version='1.0'?>\n<catalog><book>A</book></catalog>\n",
        "XML of an unknown kind (<catalog>)",
    ),
    "PubMed": (
        '<?xml version="1.0" ?>\n<PubmedArticleSet><PubmedArticle/></PubmedArticleSet>\n',
        "PubMed XML",
    ),
    "source code": (
        "import os\n\n\ndef main():\n    return os.getcwd()\n\n\nclass A:\n    pass\n\n"
        "def other(x):\n    return x\n",
        "source code",
    ),
    "/etc/services": (
        "tcpmux\t\t1/tcp\nechoo\t\t7/tcp\necho\t\t7/udp\ndiscard\t\t9/tcp\t\tsink null\n"
        "systat\t\t11/tcp\t\tusers\ndaytime\t\t13/tcp\n",
        "a table of network services",
    ),
    "CSV of numbers": ("1,2,3\n4,5,6\n7.5,8,9\n10,11,12\n", "a table of numbers"),
    "a markdown table of something else": (
        "| Model | Score |\n|---|---|\n| a | 1 |\n| b | 2 |\n",
        "a Markdown table",
    ),
}


@pytest.mark.parametrize("kind", list(REFUSED))
def test_what_is_no_digest_is_refused_in_one_line(kind: str) -> None:
    text, what = REFUSED[kind]
    with pytest.raises(IngestError) as caught:
        ingest_text(text)
    message = str(caught.value)
    assert "\n" not in message
    assert f"looks like {what}" in message
    assert "arXiv email digests" in message and "BibTeX" in message  # which formats it reads


def test_refusal_through_the_cli_imports_nothing(tmp_path: Path) -> None:
    readme = tmp_path / "README.md"
    readme.write_text(REFUSED["a README"][0])
    run = subprocess.run(
        [
            sys.executable,
            "-c",
            "from papertray.tui.cli import main; main()",
            "import",
            str(readme),
            "--data-dir",
            str(tmp_path / "data"),
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode == 1
    assert run.stderr.count("\n") == 1 and "looks like a Markdown document" in run.stderr
    assert "Traceback" not in run.stderr
    assert not (tmp_path / "data" / "library.db").exists()


# -- identity -------------------------------------------------------------------------------------


@pytest.mark.parametrize("title", ["---", "}", "|---|", "@", "…", "—"])
def test_a_title_with_no_letters_is_no_paper(title: str) -> None:
    text = (
        f"Real Title\n\nA real abstract of a real paper, long enough.\n\n{title}\n\n"
        "Another abstract."
    )
    result = ingest_text(text)
    assert [p.title for p in result.papers] == ["Real Title"]
    assert "t:da39a3ee5e6b4b0d" not in {p.id for p in result.papers}  # SHA-1 of ""
    with pytest.raises(IngestError):
        ingest_text(f'[{{"title": "{title}", "abstract": "x"}}]')


@settings(max_examples=400, deadline=None)
@given(st.lists(st.text(min_size=1, max_size=30), min_size=2, max_size=6, unique=True))
def test_property_distinct_normalised_titles_get_distinct_ids(titles: list[str]) -> None:
    keys = {title_key(t) for t in titles}
    ids = {paper_id(title=t) for t in titles}
    assert len(ids) == len(keys)
    assert all(paper_id(title=t).startswith("t:") for t in titles)


# -- LaTeX ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        (r"$\alpha$-RNN", "α-RNN"),
        (r"10\sim100\times", "10∼100×"),
        (r"\textbf{x}", "x"),
        (r"Lopuha\"a", "Lopuhaä"),
        (r"{\"u}ber \'{e}t\'e", "über été"),
        (r"costs $5 and $6 in total", "costs $5 and $6 in total"),
        ("47% of 10% more", "47% of 10% more"),
        (r"97\% and AT\&T", "97% and AT&T"),
        (r"we introduce \model, and \texttt{code}", "we introduce model, and code"),
        (r"$\mathcal{O}(n^{2})$ and $\mathbf{x}$", "O(n^2) and x"),
        (
            r"\href{https://x.org}{the site}, \url{https://github.com/a/b}",
            "the site, https://github.com/a/b",
        ),
        ("no latex at all", "no latex at all"),
    ],
)
def test_latex_reads_as_text(raw: str, shown: str) -> None:
    assert latex_to_text(raw) == shown


def test_the_filter_matches_what_is_shown() -> None:
    from papertray.store import UNTOUCHED, parse_query

    result = ingest_text(
        r"A $\alpha$-RNN Model" + "\n\nWe train $\\alpha$-RNNs at 10\\sim100\\times speed."
    )
    (paper,) = result.papers
    assert paper.title == "A α-RNN Model"
    assert parse_query("α-RNN").matches(paper, UNTOUCHED)
    assert parse_query('"10∼100×"').matches(paper, UNTOUCHED)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from("ab \\$%{}^_&'\"~.αx1"), max_size=40))
def test_property_latex_never_raises(text: str) -> None:
    assert isinstance(latex_to_text(text), str)


def test_latex_inputs_in_bytes_of_any_encoding() -> None:
    data = 'Title Über\n\nAn abstract with \\"o and 5\\% here.'.encode("utf-16")
    (paper,) = ingest_bytes(data).papers
    assert paper.abstract == "An abstract with ö and 5% here."


def test_parsers_are_imported_only_for_their_formats(tmp_path: Path) -> None:
    """feedparser, bibtexparser and pylatexenc stay out of start-up and out of `papertray list`
    of the library; a .bib import loads bibtexparser and not feedparser."""
    code = (
        "import sys\n"
        "from papertray.tui.cli import run\n"
        "run(['list', '--data-dir', sys.argv[1]])\n"
        "heavy = ('feedparser', 'bibtexparser', 'pylatexenc')\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in heavy))\n"
        "run(['import', sys.argv[2], '--data-dir', sys.argv[1]])\n"
        "print(sorted({m.split('.')[0] for m in sys.modules if m.split('.')[0] in heavy}))\n"
    )
    run = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path / "data"), str(FORMATS_DIR / "refs.bib")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.splitlines() == ["[]", "['bibtexparser', 'pylatexenc']"]


_PIECES = [*"ab1 \n\\{}@=,$%<>/:\"'-|#[]", "arXiv:", "Title: ", "@article{", "<entry>", "\xa0"]
_JUNK = st.lists(st.sampled_from(_PIECES), max_size=60).map("".join)


@settings(max_examples=150, deadline=None)
@given(text=_JUNK, fmt=st.sampled_from([None, *FORMATS]))
def test_property_any_text_in_any_format_gives_papers_or_one_line(
    text: str, fmt: str | None
) -> None:
    try:
        result = ingest_text(text, fmt=fmt)
    except IngestError as err:
        assert "\n" not in str(err)
        return
    for paper in result.papers:
        assert title_key(paper.title)  # never a title of punctuation only
    assert len({p.id for p in result.papers}) == len(result.papers)


# -- the arXiv id of a URL or an arXiv DOI: one function, every format -------------------------

ARXIV_URLS = [
    ("https://arxiv.org/abs/2403.12345", "2403.12345"),
    ("http://arxiv.org/abs/2403.12345v2", "2403.12345"),
    ("https://arxiv.org/pdf/2403.12345v2.pdf", "2403.12345"),
    ("https://arxiv.org/pdf/2403.12345", "2403.12345"),
    ("https://arxiv.org/html/2403.12345v1", "2403.12345"),
    ("https://export.arxiv.org/abs/2403.1234/", "2403.1234"),
    ("https://huggingface.co/papers/2403.12345#community", "2403.12345"),
    ("https://huggingface.co/papers/2403.12345?x=1", "2403.12345"),
    ("https://huggingface.co/papers/2403.12345/discussion", "2403.12345"),
    ("https://www.alphaxiv.org/abs/2403.12345", "2403.12345"),
    ("http://arxiv.org/abs/hep-th/9901001v1", "hep-th/9901001"),
    ("https://arxiv.org/abs/math.GT/0309136", "math.GT/0309136"),
    ("10.48550/arXiv.2403.12345", "2403.12345"),
    ("https://doi.org/10.48550/arxiv.2403.12345", "2403.12345"),
    ("doi:10.48550/ARXIV.hep-th/9901001", "hep-th/9901001"),
    # not an arXiv paper's id
    ("https://arxiv.org/abs/2403.123456", None),
    ("https://arxiv.org/abs/2403.12345.6", None),
    ("https://arxiv.org/list/cs.CL/recent", None),
    ("https://github.com/a/2403.12345", None),
    ("10.1145/2403.12345", None),
    ("10.48550/arXiv.2403", None),
    ("2403.12345", None),
    ("", None),
    (None, None),
]


@pytest.mark.parametrize(("value", "expected"), ARXIV_URLS)
def test_arxiv_from_url_reads_urls_and_arxiv_dois(value: str | None, expected: str | None) -> None:
    from papertray.store.formats import _common, fields

    assert _common.arxiv_from_url is fields.arxiv_from_url  # one function, one home
    assert fields.arxiv_from_url(value) == expected


def test_every_record_format_reads_an_arxiv_id_from_the_same_urls() -> None:
    """The JSON records took their URLs' ids through a stricter copy: html pages, alphaXiv and
    DOIs were missed there and read everywhere else."""
    records = (
        b'[{"title": "One", "url": "https://arxiv.org/html/2403.11111v1"},'
        b' {"title": "Two", "url": "https://doi.org/10.48550/arXiv.2403.22222"},'
        b' {"title": "Three", "url": "https://www.alphaxiv.org/abs/2403.33333"}]'
    )
    papers = ingest_bytes(records, source="records.json").papers
    assert [p.arxiv_id for p in papers] == ["2403.11111", "2403.22222", "2403.33333"]


_COMMENTS_AT_THE_END = __import__("re").compile(r"(?:\n[ \t]*%[^\n]*)+\s*$")
"""The pattern BibTeX values were cut with before: the specification of what is cut."""


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(["\n", "%", " ", "\t", "a", "\n%", "\n %x", "\r", " \n"])))
def test_bibtex_cuts_the_comment_lines_ending_a_value_as_the_pattern_did(parts) -> None:
    from papertray.store.formats.bibtex import _without_comment_lines

    value = "".join(parts)
    assert _without_comment_lines(value) == _COMMENTS_AT_THE_END.sub("", value)


@pytest.mark.timeout(60)  # only catches a hang: the pattern tried again from each comment line
def test_a_bibtex_value_of_many_comment_lines_then_text_is_read_in_one_pass() -> None:
    comments = "\n% a note" * 100_000
    text = f"@article{{k,\n  title = {{Dense{comments}\n  Retrieval}},\n  year = 2024\n}}\n"
    result = ingest_text(text)
    assert result.format == "bibtex"
    assert [p.title for p in result.papers] == ["Dense" + " % a note" * 100_000 + " Retrieval"]
