"""Saved searches: named queries the user comes back to, kept in the state file (TinyDB table
`searches`) through the same locked, atomic storage as the marks and mute rules.

A search is a name, the query text, an optional slot 1-9 (the reader's keys) and the time it
was made. Each has a stable `id`, made once and never reused, which is what other tables
name it by: following a search (issue 24) is a sibling table keyed by that id, and a sync
(issue 25) carries the documents of this table as they are, keyed by it too. Changing a
search updates its document in place, so a field a later release adds to it (and this one
does not know) is kept.

How many unread papers a search has is counted in the library, as the list would show them:
muted papers left out unless the query asks about muting (`unread_counts`).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from tinydb.table import Document, Table

from papertray.store.dates import Clock
from papertray.store.dates import now as clock_now
from papertray.store.mutes import MuteSet, clean_line
from papertray.store.query import Query, QueryError, parse_query
from papertray.store.query_tree import And, Is, Node, Not

if TYPE_CHECKING:
    from papertray.store.library import Library
    from papertray.store.state import State

__all__ = [
    "SLOTS",
    "SavedSearch",
    "SearchError",
    "SearchTable",
    "combined_query",
    "unread_counts",
]

SLOTS = range(1, 10)
"""The slots a search can be bound to: the reader's keys 1 to 9."""
NAME_LIMIT = 80


class SearchError(ValueError):
    """A search that cannot be saved, found or removed; the message is one line."""


@dataclass(frozen=True, slots=True)
class SavedSearch:
    id: str
    """Stable for the search's life (a random hex id): what follows and sync refer to."""
    name: str
    query: str
    slot: int | None = None
    created: float = 0.0
    updated: float = 0.0

    def parsed(self, clock: Clock | None = None) -> Query | None:
        """The query, or None when the stored text no longer parses (edited by hand)."""
        try:
            return parse_query(self.query, clock)
        except QueryError:
            return None

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": self.id,
            "name": self.name,
            "query": self.query,
            "created": self.created,
            "updated": self.updated,
        }
        if self.slot is not None:
            data["slot"] = self.slot
        return data

    @classmethod
    def from_doc(cls, doc: Any) -> SavedSearch | None:
        """The search a `searches` document holds, or None when it is not one."""
        if not isinstance(doc, Mapping):
            return None
        sid, name, query = doc.get("id"), doc.get("name"), doc.get("query")
        if not all(isinstance(v, str) and v.strip() for v in (sid, name, query)):
            return None
        slot = doc.get("slot")
        if not (type(slot) is int and slot in SLOTS):
            slot = None
        return cls(
            str(sid),
            clean_line(str(name)),
            clean_line(str(query)),
            slot,
            _seconds(doc.get("created")),
            _seconds(doc.get("updated")),
        )


def _seconds(value: Any) -> float:
    ok = isinstance(value, (int, float)) and not isinstance(value, bool)
    return float(value) if ok else 0.0


def new_id() -> str:
    return uuid.uuid4().hex


def clean_search(name: str, query: str, slot: int | None) -> tuple[str, str]:
    """The name and query as stored (one line each). Raises SearchError for an empty or too
    long name, a query that does not parse or asks for nothing, a slot outside 1-9."""
    name, text = clean_line(name), clean_line(query)
    if not name:
        raise SearchError("a saved search needs a name")
    if len(name) > NAME_LIMIT:
        raise SearchError(f"a search's name is at most {NAME_LIMIT} characters")
    try:
        parsed = parse_query(text)
    except QueryError as error:
        raise SearchError(f"bad query: {error.message}") from None
    if parsed.is_empty:
        raise SearchError("a saved search needs a query (every paper is papertray list)")
    if slot is not None and slot not in SLOTS:
        raise SearchError(f"slots are 1 to 9, not {slot}")
    return name, text


def made_now(clock: Clock | None) -> float:
    return clock_now() if clock is None else clock.now


def find(searches: Iterable[SavedSearch], name: str) -> SavedSearch | None:
    """The search of this name (case and spacing as typed aside)."""
    key = clean_line(name).casefold()
    return next((s for s in searches if s.name.casefold() == key), None)


def in_order(searches: Iterable[SavedSearch]) -> list[SavedSearch]:
    """The slotted searches by slot, then the others by name."""
    return sorted(
        searches,
        key=lambda s: (s.slot is None, s.slot or 0, s.name.casefold(), s.created),
    )


class SearchTable:
    """The `searches` table of the state file, through TinyDB's public `Table` API. `State`
    calls these inside its locked read-modify-write (`State._writing`)."""

    def __init__(self, table: Table) -> None:
        self.table = table

    def _stored(self) -> list[SavedSearch]:
        found = (SavedSearch.from_doc(doc) for doc in self.table.all())
        return [s for s in found if s is not None]

    def _doc_ids(self, search_id: str) -> list[int]:
        return [doc.doc_id for doc in self.table.all() if doc.get("id") == search_id]

    def _insert(self, search: SavedSearch) -> None:
        # Numbered from the file as it is under the lock (TinyDB's own counter is kept per
        # `Table` object and would not see another process's inserts), as the marks are.
        highest = max((doc.doc_id for doc in self.table.all()), default=0)
        self.table.insert(Document(search.to_dict(), doc_id=highest + 1))

    def all(self) -> list[SavedSearch]:
        return in_order(self._stored())

    def find(self, name: str) -> SavedSearch | None:
        return find(self._stored(), name)

    def save(self, name: str, query: str, slot: int | None, now: float) -> SavedSearch:
        """`name` and `query` as `clean_search` gives them."""
        saved = self._stored()
        old = find(saved, name)
        holder = next((s for s in saved if slot is not None and s.slot == slot), None)
        if holder is not None and holder != old:
            raise SearchError(
                f"slot {slot} is taken by the search {holder.name!r} (papertray searches "
                "lists the slots)"
            )
        if old is None:
            new = SavedSearch(new_id(), name, query, slot, now, now)
            self._insert(new)
            return new
        new = replace(old, name=name, query=query, slot=slot, updated=now)
        # An update of the document's fields: a field this release does not know is kept.
        self.table.update({**new.to_dict(), "slot": slot}, doc_ids=self._doc_ids(old.id))
        return new

    def remove(self, name: str) -> SavedSearch:
        found = find(self._stored(), name)
        if found is None:
            raise SearchError(f"no saved search named {name!r} (papertray searches lists them)")
        self.table.remove(doc_ids=self._doc_ids(found.id))
        return found

    def restore(self, search: SavedSearch) -> None:
        """Nothing when a search of that name or id is there again; without its slot when
        another search holds it now."""
        saved = self._stored()
        if any(s.id == search.id or s.name.casefold() == search.name.casefold() for s in saved):
            return
        if search.slot is not None and any(s.slot == search.slot for s in saved):
            search = replace(search, slot=None)
        self._insert(search)

    def put(self, search: SavedSearch) -> SavedSearch:
        """Make the search of `search`'s name (case aside) this one, keeping its id here (a
        search as another machine has it: the sync); a slot is taken as it comes (the sync
        converges on one search per slot; `State.search_in_slot` takes the first)."""
        old = find(self._stored(), search.name)
        if old is None:
            new = replace(search, id=new_id())
            self._insert(new)
            return new
        new = replace(search, id=old.id)
        self.table.update({**new.to_dict(), "slot": new.slot}, doc_ids=self._doc_ids(old.id))
        return new

    def drop(self, name: str) -> SavedSearch | None:
        """Remove the search of this name, if there is one (the sync)."""
        found = find(self._stored(), name)
        if found is not None:
            self.table.remove(doc_ids=self._doc_ids(found.id))
        return found


def combined_query(*queries: Query) -> Query:
    """Papers every one of `queries` matches (`list --search NAME -q MORE`)."""
    children = tuple(child for q in queries for child in q.root.children)
    text = " ".join(f"({q.text})" for q in queries if not q.is_empty)
    return Query(text, And(tuple(dict.fromkeys(children))))


def unread_counts(
    library: Library,
    state: State,
    searches: Sequence[SavedSearch] | None = None,
) -> dict[str, int | None]:
    """Search id -> how many unread papers of the library it matches, as a list shows them
    (muted papers left out unless the query mentions `is:muted`); None for a search whose
    stored query no longer parses."""
    chosen = state.searches() if searches is None else searches
    states = state.all()
    latest = library.latest_import()
    context = MuteSet(state.mute_rules()).context(latest.at if latest is not None else None)
    counts: dict[str, int | None] = {}
    for search in chosen:
        query = search.parsed()
        if query is None:
            counts[search.id] = None
            continue
        parts: list[Node] = [query.root, Is("unread")]
        if context.mutes and query.hides_muted:
            parts.append(Not(Is("muted")))
        counts[search.id] = library.count(
            And(tuple(parts)), states, context=context, marks_version=state.version
        )
    return counts
