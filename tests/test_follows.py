"""Follows (issue 24, point 1): any saved search can be followed (TinyDB table `follows`, keyed
by the search's id); each counts exactly the papers that arrived after it was last seen, as
`list` shows them; `papertray follow`, `unfollow`, `news` in every format, `news --seen`."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import orjson
import pytest

from papertray.store import Library, MuteSet, Paper, SearchError, State
from papertray.store.dates import Clock
from papertray.store.follows import author_query, follow_query, followed, new_papers_query
from papertray.store.news import news, news_count
from papertray.tui.cli import run

T0 = 1_780_000_000.0  # when the follows are made
HOUR = 3600.0


@pytest.fixture(params=["memory", "file"])
def make_state(request: pytest.FixtureRequest, tmp_path: Path) -> Callable[[], State]:
    """A factory: every call on the file variant opens the same file again (a restart)."""
    if request.param == "memory":
        state = State.in_memory()
        return lambda: state
    return lambda: State.open(tmp_path)


def add(library: Library, at: float, *papers: tuple[str, str, str]) -> None:
    """Papers (id, title, authors) arriving at `at`."""
    library.add(
        [Paper(pid, title, authors=tuple(authors.split(", "))) for pid, title, authors in papers],
        batch=at,
    )


def counts(library: Library, state: State) -> dict[str, int | None]:
    return {f.search.name: f.new for f in followed(library, state)}


def test_a_follow_counts_only_papers_that_arrive_after_it(
    make_state: Callable[[], State],
) -> None:
    library, state = Library.in_memory(), make_state()
    add(library, T0 - HOUR, ("a", "Speculative decoding before", "Ada"))
    search, follow, made = follow_query(state, "speculative decoding", clock=Clock(T0))
    assert made and (follow.followed, follow.seen) == (T0, T0)
    assert (search.name, search.query) == ("speculative decoding", "speculative decoding")
    add(library, T0, ("b", "Speculative decoding at the same second", "Ada"))
    assert counts(library, make_state()) == {"speculative decoding": 0}
    add(
        library,
        T0 + HOUR,
        ("c", "Speculative decoding for all", "Bo"),
        ("d", "Something else entirely", "Bo"),
        ("e", "Faster speculative decoding", "Cy"),
    )
    assert counts(library, make_state()) == {"speculative decoding": 2}
    query = new_papers_query(search, follow)
    assert query is not None
    assert sorted(p.id for p in library.papers() if query.matches(p)) == ["c", "e"]
    # Seen: only what arrives after counts.
    assert make_state().follows.mark_seen(clock=Clock(T0 + 2 * HOUR)) == 1
    assert counts(library, make_state()) == {"speculative decoding": 0}
    add(library, T0 + 3 * HOUR, ("f", "Speculative decoding, again", "Di"))
    assert counts(library, make_state()) == {"speculative decoding": 1}


def test_read_papers_count_muted_ones_do_not(make_state: Callable[[], State]) -> None:
    library, state = Library.in_memory(), make_state()
    follow_query(state, "decoding", clock=Clock(T0))
    add(
        library,
        T0 + HOUR,
        ("a", "Decoding one", "Ada"),
        ("b", "Decoding two, a survey", "Bo"),
        ("c", "Decoding three", "Cy"),
    )
    state.set_read("c", True)  # read elsewhere: still a paper that arrived for the follow
    state.add_mute("survey")
    assert counts(library, state) == {"decoding": 2}
    mutes = MuteSet(state.mute_rules()).context(None)
    follow = state.follows.all()[0]
    query = new_papers_query(state.searches()[0], follow)
    assert query is not None
    shown = [p.id for p in library.papers() if query.matches(p, state.get(p.id), mutes)]
    assert shown == ["a", "c"]  # the Python matcher agrees with the count


def test_an_author_is_a_followed_search(make_state: Callable[[], State]) -> None:
    library, state = Library.in_memory(), make_state()
    assert author_query("Tri  Dao") == 'author:"Tri Dao"'
    assert author_query('"Tri" Dao') == 'author:"Tri Dao"'
    with pytest.raises(SearchError, match="--author wants a name"):
        author_query('  ""  ')
    search, _follow, _made = follow_query(state, author_query("Tri Dao"), clock=Clock(T0))
    add(
        library,
        T0 + HOUR,
        ("a", "Flash attention three", "Tri Dao, Ada Lovelace"),
        ("b", "Mamba two", "Albert Gu, Tri Dao"),
        ("c", "Tri-level Dao of caching", "Ada Lovelace"),
    )
    assert counts(library, state) == {search.name: 2}


def test_following_a_saved_search_keeps_it_and_its_id(make_state: Callable[[], State]) -> None:
    state = make_state()
    saved = state.save_search("llm", "tag:llm -survey", slot=2)
    search, follow, made = follow_query(state, "tag:llm -survey", clock=Clock(T0))
    assert (search, made, follow.search) == (saved, False, saved.id)
    again, follow2, _ = follow_query(state, "tag:llm -survey", clock=Clock(T0 + HOUR))
    assert follow2 == follow  # followed already: its times stay
    with pytest.raises(SearchError, match="has another query"):
        follow_query(state, "diffusion", name="llm")
    assert make_state().follows.all() == [follow]
    assert make_state().follows.unfollow(saved.id) == follow
    assert make_state().follows.all() == [] and make_state().searches() == [saved]


def test_a_removed_search_takes_its_follow_away(
    make_state: Callable[[], State],
) -> None:
    library, state = Library.in_memory(), make_state()
    search, _follow, _ = follow_query(state, "memory", clock=Clock(T0))
    gone = state.remove_search(search.name)
    assert gone == search and followed(library, make_state()) == []


def test_news_and_its_count_for_the_status_line() -> None:
    library, state = Library.in_memory(), State.in_memory()
    follow_query(state, "decoding", clock=Clock(T0))
    follow_query(state, "memory", clock=Clock(T0))
    add(library, T0 + HOUR, ("a", "Decoding one", "A"), ("b", "Decoding two", "B"))
    found = news(library, state)
    assert (found.new_papers, found.count, found.summary()) == (2, 2, "2 new papers in 1 follow")
    assert news_count(library, state) == 2
    state.follows.mark_seen(clock=Clock(T0 + 2 * HOUR))
    assert news_count(library, state) == 0 and news(library, state).summary() == ""


def test_a_follow_document_edited_by_hand_is_skipped(tmp_path: Path) -> None:
    state = State.open(tmp_path)
    search, follow, _ = follow_query(state, "memory", clock=Clock(T0))
    doc = orjson.loads((tmp_path / "state.json").read_bytes())
    doc["follows"]["2"] = {"search": search.id, "followed": "yesterday", "seen": T0}
    doc["follows"]["3"] = {"search": 12, "followed": T0, "seen": T0}
    (tmp_path / "state.json").write_bytes(orjson.dumps(doc))
    assert State.open(tmp_path).follows.all() == [follow]


# -- the command line ----------------------------------------------------------------------------


def digest(tmp_path: Path, name: str, *titles: str) -> str:
    path = tmp_path / name
    path.write_text(
        json.dumps(
            [{"title": t, "abstract": f"About {t}.", "authors": ["Tri Dao"]} for t in titles]
        )
    )
    return str(path)


def at(monkeypatch: pytest.MonkeyPatch, hours: float) -> None:
    monkeypatch.setenv("PAPERTRAY_NOW", str(T0 + hours * HOUR))


def test_follow_import_and_news_in_every_format(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    at(monkeypatch, -1)
    assert run(["import", digest(tmp_path, "old.json", "Speculative decoding, old")]) == 0
    capsys.readouterr()
    at(monkeypatch, 0)
    assert run(["follow", "speculative", "decoding"]) == 0
    assert run(["follow", "--author", "Tri Dao", "--name", "Tri"]) == 0
    assert run(["follow", "-survey", "kv", "cache"]) == 0
    err = capsys.readouterr().err.splitlines()
    assert err == [
        "papertray: following speculative decoding (saved as a search): papers that arrive "
        "from now on are its news",
        'papertray: following Tri: author:"Tri Dao" (saved as a search): papers that arrive '
        "from now on are its news",
        "papertray: following -survey kv cache (saved as a search): papers that arrive from now "
        "on are its news",
    ]
    at(monkeypatch, 1)
    new = digest(
        tmp_path,
        "new.json",
        "Speculative decoding at scale",
        "Decoding speculatively, a survey",
        "KV cache compression",
    )
    assert run(["import", new]) == 0
    capsys.readouterr()

    assert run(["news"]) == 0
    out, err = capsys.readouterr()
    assert out.splitlines() == [
        "follows: new papers since last seen",
        "      1  -survey kv cache",  # the searches' order: by name
        "      2  speculative decoding",  # "Decoding speculatively, a survey" too (stems)
        '      3  Tri: author:"Tri Dao"',
    ]
    assert err == (
        "papertray: no updates not seen yet (papertray watch checks starred and read-later "
        "papers)\n"
    )

    assert run(["news", "--format", "json"]) == 0
    doc = orjson.loads(capsys.readouterr().out)
    assert (doc["new_papers"], doc["unseen_updates"], doc["updates"]) == (6, 0, [])
    assert [(f["name"], f["query"], f["new"]) for f in doc["follows"]] == [
        ("-survey kv cache", "-survey kv cache", 1),
        ("speculative decoding", "speculative decoding", 2),
        ("Tri", 'author:"Tri Dao"', 3),
    ]
    assert all(f["seen"] == T0 and f["followed"] == T0 for f in doc["follows"])

    # One follow seen: it is printed, then marked; the others keep their news.
    assert run(["news", "--seen", "speculative decoding"]) == 0
    out, err = capsys.readouterr()
    assert out.splitlines() == [
        "follows: new papers since last seen",
        "      2  speculative decoding",
    ]
    assert err.endswith("papertray: marked seen: 1 follow, 0 updates\n")
    assert run(["news", "--format", "json"]) == 0
    left = {f["name"]: f["new"] for f in orjson.loads(capsys.readouterr().out)["follows"]}
    assert left == {"-survey kv cache": 1, "speculative decoding": 0, "Tri": 3}
    # All seen.
    assert run(["news", "--seen"]) == 0
    assert capsys.readouterr().err.endswith("papertray: marked seen: 2 follows, 0 updates\n")
    assert run(["news", "--format", "json"]) == 0
    assert orjson.loads(capsys.readouterr().out)["new_papers"] == 0


def test_follow_and_unfollow_refuse_in_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    at(monkeypatch, 0)
    assert run(["follow"]) == 2
    assert capsys.readouterr().err == (
        "papertray: give a QUERY, --author NAME or --search NAME (one of them)\n"
    )
    assert run(["follow", "title:("]) == 2
    assert "bad query" in capsys.readouterr().err
    assert run(["follow", "--search", "nope"]) == 2
    assert "no saved search named 'nope'" in capsys.readouterr().err
    assert run(["follow", "--author", '"Tri" Dao']) == 0
    assert capsys.readouterr().err == (
        'papertray: following Tri Dao: author:"Tri Dao" (saved as a search): papers that arrive '
        "from now on are its news\n"
    )
    assert run(["follow", "--author", "Tri Dao"]) == 0
    assert capsys.readouterr().err.startswith('papertray: already following Tri Dao: author:"')
    assert run(["unfollow", "Tri", "Dao"]) == 0
    capsys.readouterr()
    assert run(["search", "save", "llm", "tag:llm"]) == 0
    assert run(["follow", "--search", "llm"]) == 0
    assert run(["follow", "--search", "llm"]) == 0
    err = capsys.readouterr().err.splitlines()
    assert err[-2:] == [
        "papertray: following llm: tag:llm: papers that arrive from now on are its news",
        "papertray: already following llm: tag:llm: 0 new since last seen",
    ]
    assert run(["unfollow", "nope"]) == 1
    assert capsys.readouterr().err == (
        "papertray: not following 'nope' (papertray news lists the follows)\n"
    )
    assert run(["unfollow", "tag:llm"]) == 0
    assert capsys.readouterr().err == "papertray: no longer following llm: tag:llm (still saved)\n"
    assert run(["news", "--seen", "llm"]) == 1
    assert run(["news"]) == 0
    assert capsys.readouterr() == (
        "",
        "papertray: not following 'llm' (papertray news lists the follows)\n"
        "papertray: no follows: papertray follow QUERY (or --author NAME) adds one\n",
    )


def test_a_fetch_says_what_it_brought_the_follows(
    httpserver, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    day = Path(__file__).parent / "fixtures" / "fetch" / "hf_daily_2026-12-01.json"
    httpserver.expect_request("/api/daily_papers").respond_with_data(
        day.read_bytes(), content_type="application/json"
    )
    monkeypatch.setenv("HF_ENDPOINT", httpserver.url_for("").rstrip("/"))
    at(monkeypatch, 0)
    assert run(["follow", "attention"]) == 0
    at(monkeypatch, 1)
    assert run(["fetch", "hf", "--date", "2026-12-01"]) == 0
    err = capsys.readouterr().err.splitlines()
    assert err[-1] == "papertray: news: 1 new paper in 1 follow (papertray news)"
    assert run(["fetch", "hf", "--date", "2026-12-01"]) == 0  # nothing new: nothing said
    assert "news:" not in capsys.readouterr().err
