"""Word search by notmuch's rules, through `papertray list -q` (issue 19, point 3): the examples
the issue names, each on papers written for it."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest

from papertray.tui.cli import run

PAPERS = [
    ("Transformers for Everything", "We train transformers on many tasks."),
    ("Leverage and Storage", "A paragraph on leverage, storage and average cost."),
    ("RAG-based Question Answering", "Retrieval with RAG pipelines."),
    ("Ragged Tensors", "Ragged arrays in practice."),
    ("Memory-efficient Training", "A memory-efficient optimizer."),
    ("Efficiency Notes", "The model uses memory efficiently at scale."),
    ("Die Straße der Modelle", "Über ﬁnancial models and $\\alpha$-RNN layers."),
    ("Quantization Survey", "Quantized, quantizing and quantization methods compared."),
]


@pytest.fixture
def library(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    digest = tmp_path / "papers.jsonl"
    digest.write_text(
        "\n".join(orjson.dumps({"title": t, "abstract": a}).decode() for t, a in PAPERS)
    )
    assert run(["import", str(digest)]) == 0
    capsys.readouterr()


def titles(capsys: pytest.CaptureFixture[str], query: str, *more: str) -> list[str]:
    assert run(["list", "-q", query, "--format", "jsonl", *more]) == 0
    return [orjson.loads(line)["title"] for line in capsys.readouterr().out.splitlines()]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        # a lowercase word: whole words, stemmed
        ("transformer", ["Transformers for Everything"]),
        ("rag", ["RAG-based Question Answering", "Ragged Tensors"]),  # "ragged" stems to rag
        ("leverage", ["Leverage and Storage"]),
        # a capitalised word: as written (still case-insensitive)
        ("RAG", ["RAG-based Question Answering"]),
        # a phrase: the words in a row, unstemmed; a hyphen joins them as a space does
        ('"memory efficient"', ["Memory-efficient Training"]),
        # two words: both, anywhere, stemmed
        ("memory efficient", ["Memory-efficient Training", "Efficiency Notes"]),
        # a prefix
        ("quantiz*", ["Quantization Survey"]),
        ("transf*", ["Transformers for Everything"]),
        # folding: ß, the ﬁ ligature, accents, Greek letters from LaTeX
        ("strasse", ["Die Straße der Modelle"]),
        ("financial", ["Die Straße der Modelle"]),
        ("uber", ["Die Straße der Modelle"]),
        ("α", ["Die Straße der Modelle"]),
        ("Α-rnn", ["Die Straße der Modelle"]),
        # the documented substring search
        (
            "contains:rag",
            ["Leverage and Storage", "RAG-based Question Answering", "Ragged Tensors"],
        ),
    ],
)
def test_the_rules(library: None, capsys, query: str, expected: list[str]) -> None:
    assert titles(capsys, query) == expected


def test_rag_no_longer_finds_leverage_storage_or_paragraph(library: None, capsys) -> None:
    assert "Leverage and Storage" not in titles(capsys, "rag")
    assert "Leverage and Storage" in titles(capsys, "contains:rag")


def test_relevance_order_puts_the_best_match_first(library: None, capsys) -> None:
    # "memory" and "efficient" in the title beat them in the abstract alone.
    assert titles(capsys, "memory efficient", "--sort", "relevance") == [
        "Memory-efficient Training",
        "Efficiency Notes",
    ]
    assert run(["list", "--sort", "relevance", "--format", "jsonl"]) == 0
    err = capsys.readouterr().err
    assert "no words in the query to rank by relevance: digest order" in err
