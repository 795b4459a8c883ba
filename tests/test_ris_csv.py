"""RIS and Zotero's CSV export are read as papers, and `list --format ris` writes RIS that reads
back the same (issue 21, point 2). Before, both were one junk paper of the page-copy fallback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from papertray.store.export import render
from papertray.store.ingest import ingest_bytes, ingest_text
from papertray.store.models import UNTOUCHED, paper_id

# rispy's test data (MrTango/rispy tests/data/example_full.ris, example_multiline.ris,
# example_urls.ris, example_endnote.ris): numbered records, Y1 "2014//", N2 abstracts,
# continuation lines, several UR values in one line, EndNote's keyword continuation lines.
RISPY = """1.
TY  - JOUR
ID  - 12345
T1  - Title of reference
A1  - Marx, Karl
A1  - Lindgren, Astrid
A2  - Glattauer, Daniel
Y1  - 2014//
N2  - BACKGROUND: Lorem ipsum dolor sit amet,
      consectetuer adipiscing elit.
KW  - Pippi
KW  - Nordwind
UR  - http://example.com; http://www.example.com
ER  -

TY  - JOUR
AU  - Shannon,Claude E.
PY  - 1948/07//
TI  - A Mathematical Theory of Communication
JF  - Bell System Technical Journal
UR  - http://example.com/shannon
ER  -

TY  - JOUR
AB  - This is a test article about the mysterious world of EndNote libraries.
AU  - Smith, A. Nonymous
AU  - Doe, J.
DO  - 10.1234/endnote.joke.2024
KW  - citation
reference
library
PY  - 2024
TI  - EndNote: The Only Reference I Can Remember
ER  -
"""


def test_ris_records_from_rispy() -> None:
    result = ingest_text(RISPY)
    assert result.format == "ris"
    assert [(p.title, p.authors, p.published, p.abstract, p.links, p.keywords)
            for p in result.papers] == [
        (
            "Title of reference",
            ("Karl Marx", "Astrid Lindgren"),  # A2 is an editor, not an author
            "2014",
            "BACKGROUND: Lorem ipsum dolor sit amet, consectetuer adipiscing elit.",
            ("http://example.com", "http://www.example.com"),
            ("Pippi", "Nordwind"),
        ),
        (
            "A Mathematical Theory of Communication",
            ("Claude E. Shannon",),
            "1948-07",
            "",
            ("http://example.com/shannon",),
            (),
        ),
        (
            "EndNote: The Only Reference I Can Remember",
            ("A. Nonymous Smith", "J. Doe"),
            "2024",
            "This is a test article about the mysterious world of EndNote libraries.",
            ("https://doi.org/10.1234/endnote.joke.2024",),
            ("citation", "reference", "library"),
        ),
    ]  # fmt: skip


# Zotero's RIS export of an arXiv preprint (zotero/translators RIS.js: TY PREPRINT, the arXiv id
# in N1, DA "YYYY/MM/DD/", Y2 the access date) and Mendeley's (empty tags with a trailing space,
# a versioned URL), CRLF line ends as Windows exports write them.
ZOTERO_RIS = """TY  - PREPRINT
TI  - Attention Is All You Need
AU  - Vaswani, Ashish
AU  - Shazeer, Noam
AB  - The dominant sequence transduction models are based on complex recurrent or
convolutional neural networks.
N1  - arXiv:1706.03762 [cs]
PY  - 2017
DA  - 2017/06/12/
PB  - arXiv
Y2  - 2023/01/10/14:30:12
KW  - Computer Science - Computation and Language
ER  - 

TY  - JOUR
AB  - We introduce BERT.
AU  - Devlin, Jacob
EP  - 
IS  - 
TI  - BERT: Pre-training of Deep Bidirectional Transformers
PY  - 2018
UR  - https://arxiv.org/abs/1810.04805v2
ER  - 
""".replace("\n", "\r\n")


def test_ris_from_zotero_and_mendeley() -> None:
    result = ingest_text(ZOTERO_RIS)
    assert result.format == "ris"
    assert [(p.id, p.title, p.authors, p.published, p.abstract) for p in result.papers] == [
        (
            "arxiv:1706.03762",
            "Attention Is All You Need",
            ("Ashish Vaswani", "Noam Shazeer"),
            "2017-06-12",
            "The dominant sequence transduction models are based on complex recurrent or "
            "convolutional neural networks.",
        ),
        (
            "arxiv:1810.04805",
            "BERT: Pre-training of Deep Bidirectional Transformers",
            ("Jacob Devlin",),
            "2018",
            "We introduce BERT.",
        ),
    ]


@pytest.mark.timeout(60)  # only catches a hang: each line copying the value so far takes minutes
def test_a_value_of_many_continuation_lines_is_read_in_one_pass() -> None:
    line = "andon" * 24
    lines = 200_000
    ris = ZOTERO_RIS.replace("\r\nconvolutional", "\r\n" + f"{line}\r\n" * lines + "convolutional")
    result = ingest_text(ris)
    assert [(p.id, p.title, p.authors, p.published, p.abstract) for p in result.papers] == [
        (
            "arxiv:1706.03762",
            "Attention Is All You Need",
            ("Ashish Vaswani", "Noam Shazeer"),
            "2017-06-12",
            "The dominant sequence transduction models are based on complex recurrent or"
            + f" {line}" * lines
            + " convolutional neural networks.",
        ),
        (
            "arxiv:1810.04805",
            "BERT: Pre-training of Deep Bidirectional Transformers",
            ("Jacob Devlin",),
            "2018",
            "We introduce BERT.",
        ),
    ]


# Zotero's CSV export (zotero/translators CSV.js: its exportedFields, a UTF-8 byte-order mark,
# authors "Family, Given; ...", the arXiv id in Extra, tags "; "-separated).
ZOTERO_CSV = (
    '\ufeff"Key","Item Type","Publication Year","Author","Title","Publication Title","ISBN",'
    '"ISSN","DOI","Url","Abstract Note","Date","Date Added","Date Modified","Access Date",'
    '"Pages","Extra","Notes","File Attachments","Manual Tags","Automatic Tags"\r\n'
    '"7XQ2K4MN","preprint","2017","Vaswani, Ashish; Shazeer, Noam","Attention Is All You Need",'
    '"","","","","","The dominant sequence\ntransduction models.","2017-06-12",'
    '"2023-01-10 14:30:12","2023-01-10 14:30:12","","","arXiv: 1706.03762","","",'
    '"NLP; transformers",""\r\n'
    '"9PLM3ZQA","journalArticle","2020","Doe, Jane","A Journal Paper","Journal of Tests","",'
    '"1234-5678","10.1000/jtest.1","https://example.org/jtest/1","","2020","","","","1-2","","",'
    '"","",""\r\n'
    '"AB12CD34","webpage","","","","","","","","https://example.org","","","","","","","","","",'
    '"",""\r\n'
)


def test_zotero_csv() -> None:
    result = ingest_bytes(ZOTERO_CSV.encode("utf-8"))
    assert result.format == "csv"
    assert [(p.id, p.title, p.authors, p.published, p.abstract, p.links, p.keywords)
            for p in result.papers] == [
        (
            "arxiv:1706.03762",
            "Attention Is All You Need",
            ("Ashish Vaswani", "Noam Shazeer"),
            "2017-06-12",
            "The dominant sequence transduction models.",
            ("https://arxiv.org/abs/1706.03762", "https://arxiv.org/pdf/1706.03762",
             "https://huggingface.co/papers/1706.03762"),
            ("NLP", "transformers"),
        ),
        (
            paper_id(title="A Journal Paper"),
            "A Journal Paper",
            ("Jane Doe",),
            "2020",
            "",
            ("https://example.org/jtest/1", "https://doi.org/10.1000/jtest.1"),
            (),
        ),
    ]  # fmt: skip
    assert result.warnings == ["skipped 1 row(s) without a title"]


def test_ris_export_reads_back_the_same_papers() -> None:
    papers = ingest_text(ZOTERO_RIS).papers + ingest_bytes(ZOTERO_CSV.encode()).papers[1:]
    written = "".join(render([(p, UNTOUCHED) for p in papers], "ris"))
    assert written.startswith("TY  - GEN\nTI  - Attention Is All You Need\nAU  - Ashish Vaswani\n")
    assert "DO  - 10.48550/arXiv.1706.03762\n" in written
    again = ingest_text(written)
    assert again.format == "ris"
    assert [(p.id, p.title, p.authors, p.published, p.abstract) for p in again.papers] == [
        (p.id, p.title, p.authors, p.published, p.abstract) for p in papers
    ]


def test_cli_lists_a_ris_file_and_writes_ris(tmp_path: Path) -> None:
    digest = tmp_path / "refs.ris"
    digest.write_text(ZOTERO_RIS, encoding="utf-8", newline="")
    run = subprocess.run(
        [sys.executable, "-c", "from papertray.tui.cli import main; main()", "list",
         str(digest), "--format", "ris", "--data-dir", str(tmp_path / "data")],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert run.stdout.count("TY  - GEN\n") == 2
    assert "TI  - BERT: Pre-training of Deep Bidirectional Transformers\n" in run.stdout
