"""The Library facade: import order, merging by id and title, no needless writes."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import orjson
import pytest

from papertray.store.library import ImportReport, Library
from papertray.store.models import Paper, paper_id

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
    assert library.add([]) == ImportReport()


def test_add_and_import_order(library: Library, make_library: Callable[[], Library]) -> None:
    first = [paper(t, abstract=f"about {t}") for t in GEN_TITLES]
    report = library.add(first)
    assert report == ImportReport(new=4, merged=0, skipped=0, ids=[p.id for p in first])
    later = [paper("Zeta paper"), paper("Alpha paper")]
    library.add(later)
    reopened = make_library()
    assert [p.title for p in reopened.papers()] == GEN_TITLES + ["Zeta paper", "Alpha paper"]
    assert len(reopened) == 6
    stored = reopened.get(first[1].id)
    assert stored is not None and stored._replace(added_at=None) == first[1]
    assert first[0].id in reopened and "nope" not in reopened


def test_reimport_is_skipped(library: Library) -> None:
    papers = [paper(t) for t in GEN_TITLES]
    library.add(papers)
    report = library.add(papers)
    assert report == ImportReport(new=0, merged=0, skipped=4, ids=[p.id for p in papers])


def test_reimport_writes_nothing(tmp_path: Path) -> None:
    papers = [paper(f"Paper number {i}", abstract="x" * 50) for i in range(300)]
    Library.open(tmp_path).add(papers)
    before = Library.open(tmp_path).version()
    report = Library.open(tmp_path).add(papers)
    assert report.skipped == 300 and report.new == 0
    assert Library.open(tmp_path).version() == before


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
    assert merged.authors == ("Ada", "Bob") and merged.published == "2024-01-02"
    assert merged.links == ("https://github.com/ziplab/Mesa", "https://mesa.example.org")
    assert merged.repo == "https://github.com/ziplab/Mesa"
    assert merged.upvotes == 10 and merged.comments == 4
    assert merged.keywords == ("old",)  # the newer value is empty: keep the old one
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
    assert got.links == ("https://github.com/a/one", "https://github.com/b/two", "https://site.org")


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


def test_two_libraries_importing_lose_nothing(tmp_path: Path) -> None:
    one, two = Library.open(tmp_path), Library.open(tmp_path)
    one.add([paper("From one")])
    two.add([paper("From two")])
    assert {p.title for p in Library.open(tmp_path).papers()} == {"From one", "From two"}
    assert one.refresh() is True and len(one) == 2


# -- building, caching and dropping the parsed file ---------------------------------------------


def test_given_title_keys_give_the_same_result(library: Library) -> None:
    from papertray.store.models import title_key

    library.add([paper("Mesa: Memory-Efficient Training!")])
    incoming = [paper("MESA — memory efficient training"), paper("New one")]
    keys = [title_key(p.title) for p in incoming]
    report = library.add(incoming, title_keys=keys)
    assert report.ids == [paper("Mesa: Memory-Efficient Training!").id, incoming[1].id]
    assert report.new == 1 and report.skipped == 1


# -- remembering imported files by content ------------------------------------------------------


def remember(library: Library, papers: list[Paper], key: str = "k1") -> ImportReport:
    from papertray.store.recall import KnownImport

    return library.add(papers, remember=KnownImport(key, "page", 2, ["a warning"]))


def test_recall_gives_the_same_ids_and_figures(
    library: Library, make_library: Callable[[], Library]
) -> None:
    papers = [paper(t) for t in GEN_TITLES]
    library.add([paper("Earlier")])
    report = remember(library, papers)
    known = make_library().recall("k1")
    assert known is not None
    assert known.ids == report.ids == [p.id for p in papers]
    assert (known.format, known.duplicates, known.warnings) == ("page", 2, ["a warning"])
    assert library.recall("other") is None


def test_recall_is_stale_once_its_papers_change(library: Library) -> None:
    papers = [paper(t) for t in GEN_TITLES]
    remember(library, papers)
    library.add([paper("Unrelated")])  # other papers: the record stays
    assert library.recall("k1") is not None
    library.add([paper("SlimSAM", abstract="Now with an abstract.")])
    assert library.recall("k1") is None


def test_recall_is_stale_when_a_merged_away_id_appears(library: Library) -> None:
    library.add([paper("Mesa: Memory-Efficient Training!")])
    api = Paper(id="arxiv:2404.1", title="MESA memory efficient training", arxiv_id="2404.1")
    report = remember(library, [api])
    assert report.ids == [paper("Mesa: Memory-Efficient Training!").id]
    assert library.recall("k1") is not None
    # That id now exists on its own (its name freed by hand): importing again would land there.
    with library._db.transaction() as (conn, _version):
        conn.execute("DELETE FROM aliases WHERE alias = ?", (api.id,))
    library.add([api._replace(title="Other")])
    assert library.recall("k1") is None


def test_two_papers_merged_into_one_are_not_remembered(library: Library) -> None:
    a = paper("Same title", upvotes=1)
    b = Paper(id="arxiv:2", title="Same title!", arxiv_id="2", upvotes=2)
    remember(library, [a, b])
    assert library.recall("k1") is None


@pytest.mark.parametrize(
    "record",
    [
        "not a dict",
        {"ids": "x", "format": "page", "duplicates": 0, "warnings": []},
        {"ids": ["missing"], "format": "page", "duplicates": 0, "warnings": []},
        {"ids": [], "format": "page", "duplicates": 0, "warnings": []},
        {"ids": ["ID"], "format": 3, "duplicates": 0, "warnings": []},
        {"ids": ["ID"], "format": "page", "duplicates": "0", "warnings": []},
        {"ids": ["ID"], "format": "page", "duplicates": 0, "warnings": [1]},
        {"ids": ["ID"], "format": "page", "duplicates": 0},
    ],
)
def test_damaged_records_are_ignored(tmp_path: Path, record: object) -> None:
    library = Library.open(tmp_path)
    pid = paper("Alpha").id
    remember(library, [paper("Alpha")])
    if isinstance(record, dict) and record.get("ids") == ["ID"]:
        record = {**record, "ids": [pid], "also": [], "version": 1}
    with library._db.transaction() as (conn, _version):
        conn.execute(
            "UPDATE imports SET record = ? WHERE key = 'k1'", (orjson.dumps(record).decode(),)
        )
    assert Library.open(tmp_path).recall("k1") is None
    # And a later import repairs it.
    remember(Library.open(tmp_path), [paper("Alpha")])
    assert Library.open(tmp_path).recall("k1") is not None


# -- import_files: unchanged files are not parsed again ---------------------------------------

DIGEST = "Alpha paper title\n\nThe alpha abstract is long enough to be one.\n\n" * 1 + (
    "Beta paper title\n\nThe beta abstract, see https://github.com/o/beta for code.\n\n"
    "Alpha paper title\n\nThe alpha abstract is long enough to be one.\n"
)


def run_import(
    tmp_path: Path, files: list[str], capsys: pytest.CaptureFixture[str]
) -> tuple[list[str], list[Paper], str]:
    """Import through the store's public seam; the messages as the CLI prints them."""
    from papertray.store import import_files

    warnings: list[str] = []
    outcome = import_files(Library.open(tmp_path / "data"), files, None, on_warning=warnings.append)
    assert outcome.saved
    lines = [f"warning: {w}" for w in warnings] + [f.summary for f in outcome.files]
    return outcome.ids, outcome.papers, "\n".join(lines)


def test_unchanged_file_is_skipped_with_the_same_ids_and_counts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import papertray.store.imports

    digest = tmp_path / "d.txt"
    digest.write_text(DIGEST)
    ids, papers, err = run_import(tmp_path, [str(digest)], capsys)
    assert "3 papers (page): 2 new, 0 merged, 1 skipped" in err
    assert "warning: " in err and "1 duplicate paper(s) ignored" in err

    def no_parsing(*args: object, **kwargs: object) -> None:
        raise AssertionError("an unchanged file was parsed again")

    monkeypatch.setattr(papertray.store.imports, "ingest_bytes", no_parsing)
    again_ids, again_papers, again = run_import(tmp_path, [str(digest)], capsys)
    assert again_ids == ids and [p.id for p in again_papers] == [p.id for p in papers]
    assert again_papers == Library.open(tmp_path / "data").papers()
    assert "3 papers (page): 0 new, 0 merged, 3 skipped" in again
    assert "1 duplicate paper(s) ignored" in again  # the same warnings, too


def test_changed_file_is_parsed_again(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    digest = tmp_path / "d.txt"
    digest.write_text(DIGEST)
    run_import(tmp_path, [str(digest)], capsys)
    digest.write_text(DIGEST + "\nGamma paper title\n\nThe gamma abstract, also long enough.\n")
    ids, _, err = run_import(tmp_path, [str(digest)], capsys)
    assert "4 papers (page): 1 new, 0 merged, 3 skipped" in err
    assert len(ids) == 3 and Library.open(tmp_path / "data").get(ids[-1]) is not None


def test_stale_record_means_a_full_import(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import papertray.store.imports

    one, two = tmp_path / "one.txt", tmp_path / "two.jsonl"
    one.write_text(DIGEST)
    # two.jsonl completes a paper of one.txt (it gains its authors).
    two.write_text('{"title": "Alpha paper title", "authors": ["Ada"]}\n')
    run_import(tmp_path, [str(one)], capsys)
    _, _, err = run_import(tmp_path, [str(two)], capsys)
    assert "1 papers (json): 0 new, 1 merged, 0 skipped" in err
    parsed: list[str] = []
    real = papertray.store.imports.ingest_bytes

    def counting(data: bytes, **kwargs: object):  # type: ignore[no-untyped-def]
        parsed.append(str(kwargs.get("source")))
        return real(data, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(papertray.store.imports, "ingest_bytes", counting)
    _, _, err = run_import(tmp_path, [str(one)], capsys)
    assert parsed == ["one.txt"]  # the record went stale: parsed again
    assert "3 papers (page): 0 new, 0 merged, 3 skipped" in err
    _, _, err = run_import(tmp_path, [str(one)], capsys)
    assert parsed == ["one.txt"]  # and remembered again
    assert "3 papers (page): 0 new, 0 merged, 3 skipped" in err


def test_same_file_twice_in_one_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    digest = tmp_path / "d.txt"
    digest.write_text(DIGEST)
    ids, _, err = run_import(tmp_path, [str(digest), str(digest)], capsys)
    assert err.count("3 papers (page)") == 2 and "0 new, 0 merged, 3 skipped" in err
    assert len(ids) == 4 and ids[:2] == ids[2:]


# -- the preview the reader draws its first frame from -------------------------------------------


def _preview_papers(n: int) -> list[Paper]:
    return [
        Paper(id=f"t:{i}", title=f"Title {i}", abstract=f"Abstract {i}",
              repo="https://github.com/o/r" if i % 2 else None,
              links=["https://github.com/o/r"] if i % 2 else [])
        for i in range(n)
    ]  # fmt: skip


def test_papers_are_frozen_and_share_no_mutable_list(tmp_path: Path) -> None:
    from papertray.store.ingest import ingest_file
    from papertray.store.paths import sample_digest

    lib = Library.open(tmp_path)
    lib.add(ingest_file(sample_digest()).papers)
    papers = Library.open(tmp_path).papers()
    first = papers[0]
    with pytest.raises(AttributeError):
        first.authors.append("x")  # type: ignore[attr-defined]
    with pytest.raises(AttributeError):
        first.title = "changed"  # type: ignore[misc]
    for paper in papers:
        assert isinstance(paper.authors, tuple) and isinstance(paper.links, tuple)
        assert isinstance(paper.keywords, tuple) and "x" not in paper.authors
    # Round trip through JSON and back is equal (tuples stored as lists).
    assert Paper.from_dict(first.to_dict()) == first
    assert first.to_dict()["links"] == list(first.links)
