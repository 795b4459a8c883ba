"""The forked half of a search (store/forked.py, store/search_text.py): a child's answer is used
only when it is whole, and the split search gives exactly the papers the one-piece search gives,
wherever the split falls."""

from __future__ import annotations

import os
import signal
import threading
from pathlib import Path

import orjson
import pytest
from test_search_text import QUERIES, library_at, listed, parsed_whole, spy

from papertray.store import forked
from papertray.store import search_text as search_mod

__all__ = ["spy"]  # a fixture, used here


@pytest.fixture
def two_cores(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Forking allowed here whatever the machine has; records each child started."""
    started: list[int] = []
    monkeypatch.setattr(forked, "spare_cores", lambda: True)
    monkeypatch.setattr(search_mod, "spare_cores", lambda: True)
    real = forked.fork_worker

    def counting(fn):  # type: ignore[no-untyped-def]
        child = real(fn)
        if child is not None:
            started.append(1)
        return child

    monkeypatch.setattr(search_mod, "fork_worker", counting)
    return started


def test_a_child_returns_its_value(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(forked, "spare_cores", lambda: True)
    child = forked.fork_worker(lambda: ([1, 2], [b"a" * 300_000], True))  # > one pipe buffer
    assert child is not None
    assert child.result() == ([1, 2], [b"a" * 300_000], True)


@pytest.mark.parametrize(
    "fn",
    [
        lambda: 1 / 0,  # raises
        lambda: os.kill(os.getpid(), signal.SIGKILL),  # killed
        lambda: os._exit(0),  # exits without an answer
        lambda: object(),  # not marshal-able
    ],
    ids=["raises", "killed", "silent", "unmarshalable"],
)
def test_a_failed_child_answers_none(monkeypatch: pytest.MonkeyPatch, fn) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(forked, "spare_cores", lambda: True)
    child = forked.fork_worker(fn)
    assert child is not None
    assert child.result() is None


def test_no_fork_while_another_thread_runs() -> None:
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        assert forked.spare_cores() is False
        assert forked.fork_worker(lambda: 1) is None
    finally:
        stop.set()
        other.join()


@pytest.fixture
def big_folder(tmp_path: Path) -> Path:
    """The test corpus, plus 300 papers so the middle of the file falls among papers."""
    from papertray.store import Library
    from papertray.store.models import Paper

    library_at(tmp_path)
    words = ["memory", "efficient", "low-bit", "quantization", "MEMORY", "Efficient", "lane"]
    filler = "lorem ipsum " * 100  # so the papers are most of the file, as in a real library
    library = Library.open(tmp_path)
    library.add(
        Paper(f"t:{i:016x}", f"Paper {i} {words[i % 7]}", f"{words[i * 3 % 7]} {i} {filler}", ())
        for i in range(100, 400)
    )
    library.close()
    return tmp_path


@pytest.mark.parametrize("text", QUERIES)
def test_the_split_search_gives_the_same_output(
    big_folder: Path, two_cores: list[int], monkeypatch: pytest.MonkeyPatch, text: str
) -> None:
    monkeypatch.setattr(search_mod, "SPLIT_FROM", 1)
    assert listed(big_folder, text) == parsed_whole(big_folder, text)


def test_the_split_search_forks_and_uses_the_child(
    big_folder: Path, two_cores: list[int], monkeypatch: pytest.MonkeyPatch, spy: list[bool]
) -> None:
    monkeypatch.setattr(search_mod, "SPLIT_FROM", 1)
    out = listed(big_folder, "memory")
    assert two_cores == [1]
    assert spy == [True]  # the pre-filter answered: the library was not parsed whole
    assert out == parsed_whole(big_folder, "memory")
    assert out.count(b"\n") > 100
    found = {int(line[9:25], 16) for line in out.splitlines() if line.startswith(b'{"id":"t:')}
    assert min(found) < 150 and max(found) > 350  # papers from both halves


def test_a_failing_child_is_done_again_here(
    big_folder: Path, two_cores: list[int], monkeypatch: pytest.MonkeyPatch, spy: list[bool]
) -> None:
    monkeypatch.setattr(search_mod, "SPLIT_FROM", 1)
    parent = os.getpid()
    real = search_mod._scan

    def failing_in_child(*args):  # type: ignore[no-untyped-def]
        if os.getpid() != parent:
            os.kill(os.getpid(), signal.SIGKILL)
        return real(*args)

    monkeypatch.setattr(search_mod, "_scan", failing_in_child)
    assert listed(big_folder, "memory efficient") == parsed_whole(big_folder, "memory efficient")
    assert two_cores == [1]
    assert spy[0] is True


def test_a_split_past_the_papers_table_reads_only_papers(
    tmp_path: Path, two_cores: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two papers and a big table after them whose records hold the word: the middle of the file
    is in that table, and nothing of it may come back as a paper."""
    monkeypatch.setattr(search_mod, "SPLIT_FROM", 1)
    data = {
        "papers": {
            "a": {"id": "a", "title": "Memory one", "abstract": "x"},
            "b": {"id": "b", "title": "Other", "abstract": "y"},
        },
        "imports": {f"k{i}": {"ids": ["memory"], "format": "memory"} for i in range(500)},
    }
    path = tmp_path / "library.json"
    path.write_bytes(orjson.dumps(data, option=orjson.OPT_INDENT_2))
    fd = os.open(path, os.O_RDONLY)
    try:
        docs = search_mod._documents(fd, [b"memory"], set())
    finally:
        os.close(fd)
    assert docs == {"a": data["papers"]["a"]}
    assert two_cores == [1]


def _page(n: int) -> bytes:
    """A page copy with what `_finish` treats specially: LaTeX, links with punctuation after
    them, a title with no letter or digit, and a duplicate."""
    blocks = []
    for i in range(n):
        title = f"Paper {i}: $\\alpha$-Nets" if i % 5 == 0 else f"Paper {i} on M\\'elange"
        abstract = f"We study {i} things in 97\\% of cases."
        if i % 3 == 0:
            abstract += f" Code: https://github.com/o/r{i}). See https://example.org/{i}."
        blocks.append(f"{title}\n\n{abstract}")
    blocks.append("---\n\nAn abstract under a title with no letters.")
    blocks.append(blocks[0])  # a duplicate of the first paper
    return "\n\n".join(blocks).encode() + b"\n"


def test_the_forked_page_finish_gives_the_same_papers(
    monkeypatch: pytest.MonkeyPatch, two_cores: list[int]
) -> None:
    from papertray.store import ingest_bytes
    from papertray.store.formats import page

    data = _page(60)
    monkeypatch.setattr(page, "FORK_FROM", 10**9)
    whole = ingest_bytes(data, source="d.txt")
    children: list[int] = []
    real = forked.fork_worker

    def counting(fn):  # type: ignore[no-untyped-def]
        child = real(fn)
        children.append(child is not None)
        return child

    monkeypatch.setattr(page, "fork_worker", counting)
    monkeypatch.setattr(page, "FORK_FROM", 1)
    split = ingest_bytes(data, source="d.txt")
    assert children == [True]
    assert split.papers == whole.papers and split.title_keys == whole.title_keys
    assert split.warnings == whole.warnings and split.duplicates == whole.duplicates == 1
    by_title = {p.title: p for p in split.papers}
    assert "Paper 55: α-Nets" in by_title and "Paper 59 on Mélange" in by_title  # both halves
    assert by_title["Paper 57 on Mélange"].repo == "https://github.com/o/r57"
    assert by_title["Paper 57 on Mélange"].links[-1] == "https://example.org/57"
    assert len(split.papers) == 60


def test_a_failed_page_child_is_done_again_here(
    monkeypatch: pytest.MonkeyPatch, two_cores: list[int]
) -> None:
    from papertray.store import ingest_bytes
    from papertray.store.formats import page

    data = _page(40)
    monkeypatch.setattr(page, "FORK_FROM", 10**9)
    whole = ingest_bytes(data, source="d.txt")
    parent = os.getpid()
    real = page._prepare

    def dying_in_child(pairs):  # type: ignore[no-untyped-def]
        if os.getpid() != parent:
            os.kill(os.getpid(), signal.SIGKILL)
        return real(pairs)

    monkeypatch.setattr(page, "_prepare", dying_in_child)
    monkeypatch.setattr(page, "FORK_FROM", 1)
    assert ingest_bytes(data, source="d.txt").papers == whole.papers


def test_only_the_import_hash_thread_may_run_beside_a_fork(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(os, "sched_getaffinity", lambda _pid: {0, 1}, raising=False)
    main = threading.main_thread()
    hashing = threading.Thread(name="papertray-hash")
    writer = threading.Thread(name="papertray-writer")
    monkeypatch.setattr(threading, "enumerate", lambda: [main, hashing])
    assert forked.spare_cores() is True
    monkeypatch.setattr(threading, "enumerate", lambda: [main, hashing, writer])
    assert forked.spare_cores() is False
    monkeypatch.setattr(os, "sched_getaffinity", lambda _pid: {0}, raising=False)
    monkeypatch.setattr(threading, "enumerate", lambda: [main])
    assert forked.spare_cores() is False  # one core: nothing to gain
