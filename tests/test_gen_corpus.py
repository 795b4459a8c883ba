"""The benchmark's own corpus generator: deterministic, and its pages read back as exactly N papers
(issue 8, item 7: `python tests/benchmarks/bench.py` must work in a fresh clone)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from benchmarks import gen_corpus

from papertray.store.ingest import ingest_bytes, ingest_text
from papertray.store.models import title_key

GEN = Path(gen_corpus.__file__)


def run(*args: str) -> bytes:
    return subprocess.run(
        [sys.executable, str(GEN), *args], capture_output=True, check=True, timeout=60
    ).stdout


def test_the_same_count_and_seed_give_the_same_bytes_in_fresh_processes() -> None:
    # Separate interpreters: each gets its own hash seed, so nothing may depend on it.
    first, second = run("500"), run("500")
    assert first == second
    assert run("500", "--seed", "2") != first


@pytest.mark.parametrize("count", [1, 7, 1000, 3000])
def test_a_page_of_n_papers_reads_back_as_exactly_n(count: int) -> None:
    pairs = list(gen_corpus.generate(count))
    result = ingest_text(gen_corpus.page_text(count), source="generated")
    assert result.format == "page"
    assert result.duplicates == 0 and result.warnings == []
    # Exactly the N titles, in order; each abstract there (the importer tidies LaTeX such as
    # `\%`, which the sample digest has), and a GitHub link in it becomes the paper's repo.
    assert [p.title for p in result.papers] == [t for t, _ in pairs]
    assert len({p.id for p in result.papers}) == count
    for paper, (_title, abstract) in zip(result.papers, pairs, strict=True):
        assert paper.abstract and paper.abstract[:20] == abstract[:20]
        if match := re.search(r"https://github\.com/[\w.-]+/[\w-]+", abstract):
            assert paper.repo == match.group(0)
        else:
            assert paper.repo is None or "github.com" not in paper.repo


def test_titles_and_abstracts_are_distinct_and_some_carry_a_repo() -> None:
    pairs = list(gen_corpus.generate(2000))
    assert len({t for t, _ in pairs}) == len({a for _, a in pairs}) == 2000
    with_repo = [a for _, a in pairs if "https://github.com/" in a]
    assert 150 < len(with_repo) < 500  # about one in seven


def test_json_lines_and_json_hold_the_same_papers_as_the_page() -> None:
    pairs = list(gen_corpus.generate(300))
    listed = json.loads(run("300", "--json"))
    lined = [json.loads(line) for line in run("300", "--jsonl").decode().splitlines()]
    assert listed == lined == [{"title": t, "abstract": a} for t, a in pairs]
    flat = run("300", "--lines").decode().splitlines()
    assert flat == [f"{t} {a}" for t, a in pairs]
    page = ingest_bytes(run("300"), source="page").papers
    assert [p.title for p in page] == [t for t, _ in pairs]
    assert len(ingest_bytes(run("300", "--json"), source="json").papers) == 300


def test_no_two_titles_are_one_paper_to_the_importer_even_at_scale() -> None:
    # At 100k, titles differing only in case or punctuation were merged on import (94 of them).
    titles = [t for t, _ in gen_corpus.generate(30_000)]
    assert len({title_key(t) for t in titles}) == len(titles)


def test_an_email_digest_of_n_papers_reads_back_as_those_papers() -> None:
    text = gen_corpus.email_text(150)
    result = ingest_text(text)
    assert result.format == "arxiv-email"
    assert len(result.papers) == 150
    titles = [t for t, _a in gen_corpus.generate(150)]
    assert [p.title for p in result.papers] == titles
    assert all(p.id.startswith("arxiv:24") and p.authors and p.abstract for p in result.papers)
    assert len({p.id for p in result.papers}) == 150
