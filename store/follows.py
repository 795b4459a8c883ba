"""Follows: saved searches the user follows, each with how many papers arrived for it since it
was last seen.

Any saved search can be followed (`store/searches.py`; an author is followed as the search
`author:"Tri Dao"`). A follow is a document of the state file's TinyDB table `follows`
(`State.follows`, a `Follows`), keyed by the saved search's stable id: `{"search": <id>,
"followed": <when>, "seen": <when last seen>}`. Removing the saved search leaves its follow in
the table, unused; undoing the removal (the search comes back with its id) brings it back.

A follow's new papers are those whose `added_at` is later than its last-seen time, matching its
query, muted ones left out unless the query asks about muting: counted in the library as `list`
shows them (`followed`). A new follow is seen when it is made, so it counts the papers that
arrive after it. Seeing a follow (opening it in the reader, `papertray news --seen`) sets its
last-seen time to now.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from tinydb.table import Document, Table

from papertray.store.dates import Clock, Span
from papertray.store.mutes import MuteSet, clean_line
from papertray.store.query import Query
from papertray.store.query_tree import And, Date, Is, Node, Not
from papertray.store.searches import NAME_LIMIT, SavedSearch, SearchError, clean_search, made_now

if TYPE_CHECKING:
    from papertray.store.library import Library
    from papertray.store.state import State

__all__ = [
    "Follow",
    "Followed",
    "Follows",
    "author_query",
    "find_followed",
    "follow_query",
    "followed",
    "new_papers_query",
]


@dataclass(frozen=True, slots=True)
class Follow:
    search: str
    """The followed saved search's id (`SavedSearch.id`)."""
    followed: float
    """When it was followed (POSIX seconds)."""
    seen: float
    """When it was last seen: papers added later than this are its new papers."""

    def to_dict(self) -> dict[str, Any]:
        return {"search": self.search, "followed": self.followed, "seen": self.seen}

    @classmethod
    def from_doc(cls, doc: Any) -> Follow | None:
        """The follow a `follows` document holds, or None when it is not one."""
        if not isinstance(doc, Mapping):
            return None
        sid = doc.get("search")
        followed, seen = _seconds(doc.get("followed")), _seconds(doc.get("seen"))
        if not (isinstance(sid, str) and sid.strip()) or followed is None or seen is None:
            return None
        return cls(sid, followed, seen)


def _seconds(value: Any) -> float | None:
    if isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value):
        return float(value)
    return None


class Follows:
    """The follows of the state file (`State.follows`): its TinyDB table `follows`, through
    TinyDB's public `Table` API, each change under the state file's lock (`writing`: the
    state's locked read-modify-write)."""

    def __init__(self, table: Table, writing: Callable[[], AbstractContextManager[None]]) -> None:
        self.table = table
        self._writing = writing

    def _docs(self, search_id: str) -> list[int]:
        return [doc.doc_id for doc in self.table.all() if doc.get("search") == search_id]

    def all(self) -> list[Follow]:
        """Every follow (one per search), with when it was followed and last seen."""
        found = (Follow.from_doc(doc) for doc in self.table.all())
        unique: dict[str, Follow] = {}
        for follow in found:
            if follow is not None:
                unique.setdefault(follow.search, follow)
        return list(unique.values())

    def follow(self, search_id: str, clock: Clock | None = None) -> Follow:
        """Follow the saved search `search_id`, seen now (it counts the papers that arrive from
        now on); one followed already keeps its times."""
        with self._writing():
            old = next((f for f in self.all() if f.search == search_id), None)
            if old is not None:
                return old
            now = made_now(clock)
            new = Follow(search_id, now, now)
            # Numbered from the file as it is under the lock, as the marks are.
            highest = max((doc.doc_id for doc in self.table.all()), default=0)
            self.table.insert(Document(new.to_dict(), doc_id=highest + 1))
            return new

    def unfollow(self, search_id: str) -> Follow | None:
        """Stop following (the saved search stays); the follow, or None when there was none."""
        with self._writing():
            old = next((f for f in self.all() if f.search == search_id), None)
            if old is not None:
                self.table.remove(doc_ids=self._docs(search_id))
            return old

    def put(self, search_id: str, follow: Follow | None) -> None:
        """Make the follow of `search_id` this one (its times as given), or none (the sync)."""
        with self._writing():
            docs = self._docs(search_id)
            if follow is None:
                if docs:
                    self.table.remove(doc_ids=docs)
                return
            new = replace(follow, search=search_id).to_dict()
            if docs:
                self.table.update(new, doc_ids=docs)
            else:
                highest = max((doc.doc_id for doc in self.table.all()), default=0)
                self.table.insert(Document(new, doc_id=highest + 1))

    def mark_seen(self, search_ids: Iterable[str] | None = None, clock: Clock | None = None) -> int:
        """These follows (None: every one) seen now: an update of that one field, so a field a
        later release adds is kept. Returns how many changed."""
        wanted = None if search_ids is None else set(search_ids)
        changed = 0
        with self._writing():
            now = made_now(clock)
            for follow in self.all():
                if (wanted is None or follow.search in wanted) and follow.seen != now:
                    self.table.update({"seen": now}, doc_ids=self._docs(follow.search))
                    changed += 1
        return changed


@dataclass(frozen=True, slots=True)
class Followed:
    """A follow with its saved search and its count of new papers (what the Follows view
    lists, `papertray news` prints)."""

    search: SavedSearch
    follow: Follow
    new: int | None
    """Papers that arrived since it was last seen; None when the search's stored query no
    longer parses (the state file was edited by hand)."""

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.search.id,
            "name": self.search.name,
            "query": self.search.query,
            "new": self.new,
            "followed": self.follow.followed,
            "seen": self.follow.seen,
        }


def _since(seen: float) -> Date:
    """Papers added later than `seen` (an `added:` date term of the query language)."""
    return Date("added", Span(math.nextafter(seen, math.inf), math.inf), ("", ""))


def new_papers_query(search: SavedSearch, follow: Follow) -> Query | None:
    """The query of a follow's new papers: its search's, and added since it was last seen
    (what the reader lists when the follow is opened, before it marks it seen). Its `text` is
    the search's query as the user wrote it; the time is in its tree only (the query language
    has no term that precise). None when the stored query no longer parses."""
    query = search.parsed()
    if query is None:
        return None
    return Query(query.text, And((*query.root.children, _since(follow.seen))))


def followed(library: Library, state: State) -> list[Followed]:
    """Every follow whose saved search exists, in the searches' order, with its count of new
    papers, counted in the library as `list` shows them (muted papers left out unless the
    query mentions `is:muted`)."""
    searches = {s.id: s for s in state.searches()}
    follows = {f.search: f for f in state.follows.all()}
    states = state.all()
    latest = library.latest_import()
    context = MuteSet(state.mute_rules()).context(latest.at if latest is not None else None)
    found: list[Followed] = []
    for sid, search in searches.items():
        follow = follows.get(sid)
        if follow is None:
            continue
        query = new_papers_query(search, follow)
        if query is None:
            found.append(Followed(search, follow, None))
            continue
        parts: list[Node] = [query.root]
        if context.mutes and query.hides_muted:
            parts.append(Not(Is("muted")))
        count = library.count(
            And(tuple(parts)), states, context=context, marks_version=state.version
        )
        found.append(Followed(search, follow, count))
    return found


def author_query(name: str) -> str:
    """The query of an author's papers: `author:"Tri Dao"` (the name's own quotes dropped)."""
    words = " ".join(clean_line(name).replace('"', " ").split())
    if not words:
        raise SearchError("--author wants a name, e.g. --author 'Tri Dao'")
    return f'author:"{words}"'


def follow_query(
    state: State, query: str, name: str | None = None, clock: Clock | None = None
) -> tuple[SavedSearch, Follow, bool]:
    """Follow `query`: the saved search with that query (or, with `name`, the search of that
    name) is followed, and when there is none it is saved first, named `name` or the query
    itself. Returns the search, its follow, and whether the search was saved now. SearchError
    for a bad query or name, or a name taken by a search of another query."""
    wanted_name, text = clean_search(name or query[:NAME_LIMIT] or "-", query, None)
    known = state.searches()
    same = next((s for s in known if clean_line(s.query) == text), None)
    named = state.search(wanted_name)
    if name is not None and named is not None and named.query != text:
        raise SearchError(
            f"the saved search {named.name!r} has another query ({named.query}); "
            "pick another --name"
        )
    made = False
    search = named if name is not None and named is not None else same
    if search is None:
        if named is not None:  # the query's own text names another search
            raise SearchError(
                f"a saved search is named {named.name!r} with another query; give this one a --name"
            )
        search = state.save_search(wanted_name, text, clock=clock)
        made = True
    return search, state.follows.follow(search.id, clock), made


def find_followed(follows: Iterable[Followed], word: str) -> Followed | None:
    """The follow whose search is named `word`, or has `word` as its query (case aside)."""
    key = clean_line(word).casefold()
    chosen = list(follows)
    return next((f for f in chosen if f.search.name.casefold() == key), None) or next(
        (f for f in chosen if f.search.query.casefold() == key), None
    )
