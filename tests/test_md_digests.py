"""Markdown digests: titles and abstracts without Markdown or HTML (bold, badges, `<br>`,
entities), and a table's Code or PDF column gives the paper's repo and links (issue 21,
point 6)."""

from __future__ import annotations

from papertray.store.formats.md_table import markdown_text
from papertray.store.ingest import ingest_text

# The shapes of public Markdown paper tables: bold headers and a Links column as in
# dair-ai/ML-Papers-of-the-Week (README.md: "| **Paper** | **Links** |"), star badges linking
# to the repo and `<br>` in cells as in Hannibal046/Awesome-LLM (README.md), "[[code]](...)"
# and "[[pdf]](...)" cells as in the "Papers with Code" lists of conferences, HTML entities
# left by the scrapers that write gabrielchua/daily-ai-papers-style digests.
TABLE = """\
| **Title** | **Authors** | **Summary** | **PDF** | **Code** |
|:---|:---|:---|:---:|:---:|
| **Attention Is All You Need** | Ashish Vaswani, Noam Shazeer | We propose the <b>Transformer</b>,<br>based solely on attention &amp; nothing else. | [[pdf]](https://arxiv.org/pdf/1706.03762) | [![GitHub stars](https://img.shields.io/github/stars/tensorflow/tensor2tensor.svg)](https://github.com/tensorflow/tensor2tensor) |
| `LoRA`: Low-Rank Adaptation of *Large* Language Models | Edward J. Hu | Freeze the weights &mdash; and train ~~all~~ low-rank matrices. | [paper](https://openreview.net/forum?id=nZeVKeeFYf9) | [[code]](https://github.com/microsoft/LoRA) |
"""  # noqa: E501


def test_a_markdown_table_digest_is_plain_text_with_its_links() -> None:
    result = ingest_text(TABLE)
    assert result.format == "md-table"
    first, second = result.papers
    assert (first.id, first.title, first.authors, first.abstract, first.repo) == (
        "arxiv:1706.03762",
        "Attention Is All You Need",
        ("Ashish Vaswani", "Noam Shazeer"),
        "We propose the Transformer, based solely on attention & nothing else.",
        "https://github.com/tensorflow/tensor2tensor",
    )
    assert "https://img.shields.io/github/stars/tensorflow/tensor2tensor.svg" not in first.links
    assert (second.title, second.abstract, second.repo) == (
        "LoRA: Low-Rank Adaptation of Large Language Models",
        "Freeze the weights — and train all low-rank matrices.",
        "https://github.com/microsoft/LoRA",
    )
    assert "https://openreview.net/forum?id=nZeVKeeFYf9" in second.links


def test_markdown_text_of_one_cell() -> None:
    assert markdown_text("**Bold** and __strong__ with `code`, a snake_case_name") == (
        "Bold and strong with code, a snake_case_name",
        [],
    )
    assert markdown_text(
        "[![Star](https://img.shields.io/github/stars/o/r)](https://github.com/o/r) "
        "[Paper](https://arxiv.org/abs/2401.00001) https://example.org/x"
    ) == ("Paper https://example.org/x", ["https://github.com/o/r", "https://arxiv.org/abs/2401.00001",
                    "https://example.org/x"])  # fmt: skip
