"""The Updates list of watched papers in the library (issue 24, point 2): what
`Library.apply_watch` makes of the sources' answers (store/updates.py), seen or not, and how the
entries follow their paper when it is removed, restored or folded into another."""

from __future__ import annotations

from typing import Any

from papertray.store import Library, Paper
from papertray.store.updates import Answer


def paper(aid: str, *, version: int | None = 1, **more: Any) -> Paper:
    fields: dict[str, Any] = {"title": f"Paper {aid}", **more}
    return Paper(f"arxiv:{aid}", arxiv_id=aid, arxiv_version=version, **fields)


def test_the_updates_list_seen_removed_restored_and_folded() -> None:
    library = Library.in_memory()
    library.add([paper("2612.01101"), paper("2612.01102"), Paper("t:x", "Pasted copy")])
    made = library.apply_watch(
        [
            Answer("arxiv:2612.01101", "arxiv", paper("2612.01101", version=2), 1.7e9),
            Answer("arxiv:2612.01102", "arxiv", paper("2612.01102", version=3), 1.7e9),
            Answer("arxiv:9999.99999", "arxiv", paper("9999.99999", version=2), 1.7e9),  # gone
        ],
        at=1.8e9,
    )
    assert [(u.paper, u.detail) for u in made] == [
        ("arxiv:2612.01101", "v1 → v2"),
        ("arxiv:2612.01102", "v1 → v3"),
    ]
    assert library.unseen_updates() == 2
    assert library.mark_updates_seen([made[0].id]) == 1
    assert [u.paper for u in library.updates(unseen_only=True)] == ["arxiv:2612.01102"]
    assert library.unseen_updates() == 1
    library.remove(["arxiv:2612.01102"])
    assert library.unseen_updates() == 0 and len(library.updates()) == 1
    library.restore(["arxiv:2612.01102"])
    assert library.unseen_updates() == 1
    # Two records of one paper becoming one: its updates and versions go with it.
    assert library.fold("arxiv:2612.01102", "t:x")
    assert [u.detail for u in library.updates(paper="t:x")] == ["v1 → v3"]
    assert [v.version for v in library.versions("t:x")] == [1, 3]
    assert library.versions("arxiv:2612.01102") == []
    assert library.mark_updates_seen() == 1 and library.unseen_updates() == 0


def test_a_new_version_revises_and_anything_else_only_completes() -> None:
    """A new version takes its title and authors (as an arXiv replacement does); an answer
    without one (Hugging Face, or the same version) only fills what the paper lacks."""
    library = Library.in_memory()
    library.add([paper("2612.01201", authors=("Ada",), published="2026-11-02")])
    same = paper("2612.01201", title="Another title", authors=("Bo",), upvotes=7)
    assert library.apply_watch([Answer("arxiv:2612.01201", "hf", same)], at=1.8e9) == []
    kept = library.get("arxiv:2612.01201")
    assert kept is not None
    assert (kept.title, kept.authors, kept.upvotes) == ("Paper 2612.01201", ("Ada",), 7)
    newer = paper("2612.01201", version=2, title="The revised title", authors=("Ada", "Cy"))
    made = library.apply_watch([Answer("arxiv:2612.01201", "arxiv", newer, 1.79e9)], at=1.8e9)
    assert [(u.kind, u.detail, u.title, u.at, u.seen) for u in made] == [
        ("version", "v1 → v2", "The revised title", 1.8e9, False)
    ]
    revised = library.get("arxiv:2612.01201")
    assert revised is not None
    assert (revised.title, revised.authors, revised.arxiv_version) == (
        "The revised title",
        ("Ada", "Cy"),
        2,
    )
    assert [(v.version, v.date, v.title) for v in library.versions("arxiv:2612.01201")] == [
        (1, "2026-11-02", "Paper 2612.01201"),
        (2, "2026-09-21", "The revised title"),
    ]
    watched = library.watched(["arxiv:2612.01201"])["arxiv:2612.01201"]
    assert (watched.version, watched.upvotes, watched.arxiv_at, watched.hf_at) == (
        2,
        7,
        1.8e9,
        1.8e9,
    )
