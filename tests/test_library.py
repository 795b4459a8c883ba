"""The Library facade: import order, merging by id and title, no needless writes."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from store.library import ImportReport, Library
from store.models import Paper, paper_id

GEN_TITLES = ["Mesa: memory efficient training", "SlimSAM", "Octo-planner", "TinyChart"]


def paper(title: str, **fields: object) -> Paper:
    arxiv = fields.pop("arxiv_id", None)
    pid = paper_id(arxiv_id=arxiv if isinstance(arxiv, str) else None, title=title)
    return Paper(id=pid, title=title, arxiv_id=arxiv, **fields)  # type: ignore[arg-type]


@pytest.fixture(params=["memory", "file"])
def make_library(request: pytest.FixtureRequest, tmp_path: Path) -> Callable[[], Library]:
    if request.param == "memory":
        library = Library.in_memory()
        return lambda: library
    return lambda: Library.open(tmp_path)


@pytest.fixture
def library(make_library: Callable[[], Library]) -> Library:
    return make_library()


def test_empty(library: Library) -> None:
    assert len(library) == 0 and library.papers() == [] and library.get("x") is None
    assert library.add([]) == ImportReport(0, 0, 0, [])


def test_add_and_import_order(library: Library, make_library: Callable[[], Library]) -> None:
    first = [paper(t, abstract=f"about {t}") for t in GEN_TITLES]
    report = library.add(first)
    assert report == ImportReport(new=4, merged=0, skipped=0, ids=[p.id for p in first])
    later = [paper("Zeta paper"), paper("Alpha paper")]
    library.add(later)
    reopened = make_library()
    assert [p.title for p in reopened.papers()] == GEN_TITLES + ["Zeta paper", "Alpha paper"]
    assert len(reopened) == 6
    assert reopened.get(first[1].id) == first[1]
    assert first[0].id in reopened and "nope" not in reopened


def test_reimport_is_skipped(library: Library) -> None:
    papers = [paper(t) for t in GEN_TITLES]
    library.add(papers)
    report = library.add(papers)
    assert report == ImportReport(new=0, merged=0, skipped=4, ids=[p.id for p in papers])


def test_reimport_does_not_rewrite_the_file(tmp_path: Path) -> None:
    papers = [paper(f"Paper number {i}", abstract="x" * 50) for i in range(300)]
    Library.open(tmp_path).add(papers)
    before = (tmp_path / "library.json").stat()
    report = Library.open(tmp_path).add(papers)
    after = (tmp_path / "library.json").stat()
    assert report.skipped == 300 and report.new == 0
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)


def test_merge_by_id_fills_missing_fields(
    library: Library, make_library: Callable[[], Library]
) -> None:
    old = paper(
        "Mesa",
        arxiv_id="2401.1",
        abstract="",
        links=["https://mesa.example.org"],
        upvotes=3,
        keywords=["old"],
        source="a.txt",
    )
    library.add([old])
    new = paper(
        "Mesa",
        arxiv_id="2401.1",
        abstract="The abstract.",
        authors=["Ada", "Bob"],
        published="2024-01-02",
        links=["https://mesa.example.org", "https://github.com/ziplab/Mesa"],
        repo="https://github.com/ziplab/Mesa",
        upvotes=10,
        stars=None,
        comments=4,
        keywords=[],
        source="b.txt",
    )
    report = library.add([new])
    assert report == ImportReport(new=0, merged=1, skipped=0, ids=[old.id])
    merged = make_library().get(old.id)
    assert merged is not None
    assert merged.abstract == "The abstract."
    assert merged.authors == ["Ada", "Bob"] and merged.published == "2024-01-02"
    assert merged.links == ["https://github.com/ziplab/Mesa", "https://mesa.example.org"]
    assert merged.repo == "https://github.com/ziplab/Mesa"
    assert merged.upvotes == 10 and merged.comments == 4
    assert merged.keywords == ["old"]  # the newer value is empty: keep the old one
    assert merged.source == "a.txt"


def test_merge_keeps_existing_abstract_and_repo(library: Library) -> None:
    library.add(
        [
            paper(
                "X",
                abstract="Kept.",
                repo="https://github.com/a/one",
                links=["https://github.com/a/one"],
            )
        ]
    )
    library.add(
        [
            paper(
                "X",
                abstract="Other.",
                repo="https://github.com/b/two",
                links=["https://github.com/b/two", "https://site.org"],
            )
        ]
    )
    got = library.papers()[0]
    assert got.abstract == "Kept."
    assert got.repo == "https://github.com/a/one"
    assert got.links == ["https://github.com/a/one", "https://github.com/b/two", "https://site.org"]


def test_merge_by_title_into_the_existing_id(
    library: Library, make_library: Callable[[], Library]
) -> None:
    from_page = paper("Mesa: Memory-Efficient Training!", abstract="From the page.")
    library.add([from_page])
    from_api = Paper(
        id="arxiv:2404.1",
        title="MESA — memory efficient   training",
        arxiv_id="2404.1",
        upvotes=7,
    )
    report = library.add([from_api])
    assert report.ids == [from_page.id] and report.merged == 1 and report.new == 0
    reopened = make_library()
    assert len(reopened) == 1
    got = reopened.get(from_page.id)
    assert got is not None and got.upvotes == 7 and got.arxiv_id == "2404.1"
    assert got.title == "Mesa: Memory-Efficient Training!"
    assert reopened.get("arxiv:2404.1") is None
    # Re-importing the API copy again still lands on the first id, with nothing new.
    again = reopened.add([from_api])
    assert again == ImportReport(new=0, merged=0, skipped=1, ids=[from_page.id])


def test_duplicates_within_one_batch(library: Library) -> None:
    a = paper("Same title", abstract="")
    b = paper("Same title", abstract="Now with an abstract.")
    report = library.add([a, b, a])
    assert report.new == 1 and report.ids == [a.id, a.id, a.id]
    assert report.new + report.merged + report.skipped == 3
    assert library.papers()[0].abstract == "Now with an abstract."


def test_title_index_heals_itself(tmp_path: Path) -> None:
    library = Library.open(tmp_path)
    library.add([paper("Alpha"), paper("Beta")])
    tables = dict(library._storage.read() or {})
    del tables["index"]
    library._storage.write(tables)
    report = Library.open(tmp_path).add([Paper(id="arxiv:9", title="ALPHA")])
    assert report.ids == [paper("Alpha").id] and report.new == 0


def test_unknown_fields_in_the_file_are_ignored(tmp_path: Path) -> None:
    library = Library.open(tmp_path)
    library.add([paper("Alpha")])
    tables = dict(library._storage.read() or {})
    pid = paper("Alpha").id
    tables["papers"] = {pid: {**tables["papers"][pid], "future_field": 1}, "bad": {"x": 1}}
    library._storage.write(tables)
    reopened = Library.open(tmp_path)
    assert [p.title for p in reopened.papers()] == ["Alpha"]


def test_two_libraries_importing_lose_nothing(tmp_path: Path) -> None:
    one, two = Library.open(tmp_path), Library.open(tmp_path)
    one.add([paper("From one")])
    two.add([paper("From two")])
    assert {p.title for p in Library.open(tmp_path).papers()} == {"From one", "From two"}
    assert one.refresh() is True and len(one) == 2
