"""What sync exchanges: each kind of state (a table of `state.json`), its fields with their merge
rule, and how its values are read from and written to `State`. A new kind (saved searches,
follows) plugs in with one `register(Synced(...))`; the logs, the merge and the folder never
name a table.

Between `State` and the records (`sync_merge.Records`) two steps, both generic:

- `changes_here`: what `State` holds that the records do not say, as entries stamped here (a
  change made by the reader, the CLI or any other writer of `state.json`: sync compares, it
  does not need to be told; a sync that ran before compares only what changed since);
- `values_of`: what the records say a key's fields are, for `Synced.write`.

A field's value as `view` gives it: a `REGISTER` any JSON value (compared as JSON compares:
`true` is not `1`), an `ELEMENTS` field the set of its elements, a `TEXT` field the pair (text,
conflicting text). Each comes with when it was last changed here (POSIX seconds, or None: now),
the wall time its clock starts from.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from papertray.store.dates import now as clock_now
from papertray.store.follows import Follow
from papertray.store.models import UNTOUCHED, PaperState
from papertray.store.mutes import WHY_LIMIT, MuteError, MuteRule, clean_line, clean_rule
from papertray.store.sanitize import clean_note
from papertray.store.searches import SLOTS, SavedSearch, SearchError, clean_search
from papertray.store.sync_merge import (
    ELEMENTS,
    REGISTER,
    TEXT,
    Entry,
    Records,
    Seen,
    conflict_text,
    stamp,
    text_latest,
)
from papertray.store.tags import clean_tag

if TYPE_CHECKING:
    from papertray.store.state import State

__all__ = ["SYNCED", "Field", "Synced", "changes_here", "check", "register", "values_of"]

Local = tuple[Any, float | None]
"""A field's value here and when it was last changed here."""
MAX_KEY = 2000
"""Characters of a key (a paper's id, a rule's query): longer is no key of papertray's."""


@dataclass(frozen=True, slots=True)
class Field:
    kind: str
    default: Any
    """The value of a field nothing was ever written to (a `TEXT`'s is ("", ""))."""
    valid: Callable[[Any], bool]
    """Whether this papertray can store a value (an `ELEMENTS` field: an element) as it came,
    so that reading it back gives it again. An entry with a value that fails is refused."""


@dataclass(frozen=True)
class Synced:
    """One kind of state sync exchanges, keyed by what names one thing for good on every
    machine (a paper's lasting id; a rule's query, since rule numbers are each folder's own)."""

    table: str
    fields: Mapping[str, Field]
    valid_key: Callable[[str], bool]
    held: Callable[[State], Mapping[str, object]]
    """What `State` holds, by key (only keys not at every default are needed): objects that
    compare equal while the key's values are the same (a `PaperState`, a `MuteRule`), so that a
    sync compares its fields only for what changed since its last run."""
    view: Callable[[Any], dict[str, Local]]
    """One held object's fields: each its value and when it was last changed here."""
    write: Callable[[State, dict[str, dict[str, Any]]], int]
    """Make these keys' fields these values (every field given, in one write of the file, the
    caller holding `State.transaction()`); returns how many keys changed."""


SYNCED: dict[str, Synced] = {}
"""Every kind of state sync exchanges, by table."""
RESERVED = frozenset({"papertray", "logs", "machines", "undo"})
"""Names the sync state file uses for its own tables."""


def register(synced: Synced) -> None:
    if synced.table in RESERVED:
        raise ValueError(f"{synced.table!r} is a name sync keeps for itself")
    SYNCED[synced.table] = synced
    _FIELDS.clear()


_FIELDS: dict[tuple[str, str], tuple[Synced, Field] | None] = {}
"""(table, field) -> its registration: one look-up per entry of a log."""
_KEYS: dict[tuple[str, str], bool] = {}
"""(table, key) already checked: a log names each paper many times."""


def check(entry: Entry) -> str | None:
    """Why an entry of a registered field cannot be taken, or None. An entry of a table or
    field this papertray does not know is kept as it came (a newer papertray wrote it)."""
    table, key, name, value, _clock, element, seen = entry
    if len(key) > MAX_KEY:
        return "a key too long to be one"
    where = (table, name)
    if where in _FIELDS:
        found = _FIELDS[where]
    else:
        synced = SYNCED.get(table)
        field = synced.fields.get(name) if synced is not None else None
        found = _FIELDS[where] = (synced, field) if synced and field else None
    if found is None:
        return None
    synced, field = found
    known = _KEYS.get((table, key))
    if known is None:
        known = synced.valid_key(key)
        if len(_KEYS) > 200_000:
            _KEYS.clear()
        _KEYS[(table, key)] = known
    if not known:
        return f"not a key of {table}"
    kind = ELEMENTS if element is not None else TEXT if seen is not None else REGISTER
    if kind != field.kind:
        return f"{table}.{name} is a {field.kind}, not a {kind}"
    if not field.valid(element if element is not None else value):
        return f"a value {table}.{name} cannot hold"
    return None


def same(a: Any, b: Any) -> bool:
    """JSON equality: `true` is not `1` (Python says it is)."""
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    return bool(a == b)


def changes_here(
    synced: Synced,
    state: State,
    records: Records,
    machine: str,
    now: float,
    known: Collection[str],
    before: Mapping[str, dict[str, Any] | None] | None = None,
    previous: Mapping[str, object] | None = None,
) -> tuple[list[Entry], list[tuple[str, str]], Mapping[str, object]]:
    """Entries for what `State` holds that the records do not say, and (key, field) of each
    value that cannot be sent (a hand-edited `state.json`: it stays here).

    `known`: the fields ("table.field") this machine's state already took the records of; for
    any other (sync's first run here, a field new in this version) the records are no
    baseline, so a value here is a change stamped by its own time alone and meets the others'
    by the clock. `before`: for some keys, the records their values here were written from (a
    sync killed between its two files). `previous`: what `State` held when this sync's last
    run ended (the third thing returned): only keys held otherwise are compared."""
    table = synced.table
    held = synced.held(state)
    recorded = records.keys(table)
    out: list[Entry] = []
    unsent: list[tuple[str, str]] = []
    fields = [(name, f, f"{table}.{name}" in known) for name, f in synced.fields.items()]
    now_ms = int(now * 1000)
    keys: Collection[str]
    if previous is None:
        keys = held.keys() | recorded.keys()
    else:
        keys = [k for k, o in held.items() if (p := previous.get(k)) is not o and p != o]
        keys += [k for k in previous if k not in held]
    view = synced.view
    for key in keys:
        obj = held.get(key)
        mine = view(obj) if obj is not None else None
        have = recorded.get(key)
        if before is not None and key in before:
            have = before[key]
        for name, field, is_known in fields:
            value, when = mine.get(name, (field.default, None)) if mine else (field.default, None)
            record = have.get(name) if (have is not None and is_known) else None
            wall = now_ms if when is None or not math.isfinite(when) else int(when * 1000)
            wall = max(0, min(wall, now_ms))
            if field.kind == REGISTER:
                base = record[1] if isinstance(record, tuple) else field.default
                if same(value, base):
                    continue
                if not field.valid(value):
                    unsent.append((key, name))
                    continue
                replaced = record[0][:2] if isinstance(record, tuple) else None
                out.append(Entry(table, key, name, value, stamp(replaced, wall, machine)))
            elif field.kind == ELEMENTS:
                elements = record if isinstance(record, dict) else {}
                base_set = {e for e, (_c, present) in elements.items() if present}
                for element in sorted(value ^ base_set):
                    if not field.valid(element):
                        unsent.append((key, name))
                        continue
                    had = elements.get(element)
                    clock = stamp(had[0][:2] if had else None, wall, machine)
                    out.append(Entry(table, key, name, element in value, clock, element))
            else:
                versions = record if isinstance(record, list) else []
                text, conflict = value
                base_text = versions[0][1] if versions else ""
                base_conflict = conflict_text(versions)
                if text == base_text and (conflict or not base_conflict):
                    continue
                if not field.valid(text):
                    unsent.append((key, name))
                    continue
                seen: Seen = {}
                for _clock, _text, knew in versions:
                    for m, pair in knew.items():
                        if seen.get(m, (-1, -1)) < pair:
                            seen[m] = pair
                clock = stamp(text_latest(versions) if versions else None, wall, machine)
                seen[machine] = clock[:2]
                out.append(Entry(table, key, name, text, clock, None, seen))
    return out, unsent, held


def values_of(synced: Synced, fields: Mapping[str, Any] | None) -> dict[str, Any]:
    """What the records `fields` (of one key) say its fields are. A set's elements come in
    the order they were added (by clock, then name), the same on every machine."""
    out: dict[str, Any] = {}
    for name, field in synced.fields.items():
        record = fields.get(name) if fields is not None else None
        if field.kind == REGISTER:
            out[name] = record[1] if isinstance(record, tuple) else field.default
        elif field.kind == ELEMENTS:
            present = (
                sorted((c, e) for e, (c, p) in record.items() if p)
                if isinstance(record, dict)
                else []
            )
            out[name] = tuple(e for _c, e in present)
        else:
            versions = record if isinstance(record, list) else []
            out[name] = (versions[0][1], conflict_text(versions)) if versions else ("", "")
    return out


# -- the marks ------------------------------------------------------------------------------------


def _mark(on: bool, at: float | None) -> Any:
    """read / starred on the wire: false, or when it was set (true when not known)."""
    if not on:
        return False
    return at if at is not None else True


def _unmark(value: Any) -> tuple[bool, float | None]:
    if value is False:
        return False, None
    if value is True:
        return True, None
    return True, float(value)


def _valid_mark(value: Any) -> bool:
    kind = type(value)
    if kind is bool:
        return True
    return (kind is float or kind is int) and math.isfinite(value) and value >= 0


def _valid_id(key: str) -> bool:
    return key.isprintable() and bool(key) and key[0] != " " != key[-1]


_TAGS: dict[str, bool] = {}
"""Tags already checked: a log names the same few thousand times."""


def _valid_tag(tag: Any) -> bool:
    if type(tag) is not str:
        return False
    known = _TAGS.get(tag)
    if known is None:
        known = bool(tag) and clean_tag(tag) == tag
        if len(_TAGS) < 50_000:
            _TAGS[tag] = known
    return known


def _valid_note(text: Any) -> bool:
    if type(text) is not str:
        return False
    if text.isprintable():  # one line, no controls: only its ends can differ
        return not text or text[0] != " " != text[-1]
    return clean_note(text) == text


def _marks_view(s: PaperState) -> dict[str, Local]:
    when = s.updated_at
    return {
        "read": (_mark(s.read, s.read_at), s.read_at if s.read and s.read_at else when),
        "starred": (
            _mark(s.starred, s.starred_at),
            s.starred_at if s.starred and s.starred_at else when,
        ),
        "later": (_mark(s.later, s.later_at), s.later_at if s.later and s.later_at else when),
        "tags": (frozenset(s.tags), when),
        "note": ((s.note, s.conflicting_note), when),
    }


def _write_marks(state: State, values: dict[str, dict[str, Any]]) -> int:
    now = clock_now()
    changes: dict[str, PaperState] = {}
    held = state.all()
    for pid, v in values.items():
        old = held.get(pid, UNTOUCHED)
        read, read_at = _unmark(v["read"])
        starred, starred_at = _unmark(v["starred"])
        later, later_at = _unmark(v["later"])
        note, conflicting = v["note"]
        new = PaperState(
            read=read,
            starred=starred,
            tags=v["tags"],
            note=note,
            read_at=read_at,
            starred_at=starred_at,
            updated_at=old.updated_at,
            later=later,
            later_at=later_at,
            conflicting_note=conflicting,
        )
        if new != old:
            changes[pid] = replace(new, updated_at=now)
    if changes:
        state.restore(changes)
    return len(changes)


register(
    Synced(
        table="marks",
        fields={
            "read": Field(REGISTER, False, _valid_mark),
            "starred": Field(REGISTER, False, _valid_mark),
            "later": Field(REGISTER, False, _valid_mark),
            "tags": Field(ELEMENTS, frozenset(), _valid_tag),
            "note": Field(TEXT, ("", ""), _valid_note),
        },
        valid_key=_valid_id,
        held=lambda state: state.all(),
        view=_marks_view,
        write=_write_marks,
    )
)


# -- the mute rules -------------------------------------------------------------------------------


def _valid_query(query: str) -> bool:
    """A rule's query as `mute` stores it: one clean line that is a rule (it parses)."""
    try:
        return clean_rule(query, "")[0] == query
    except MuteError:
        return False


def _valid_rule(value: Any) -> bool:
    if value is None:
        return True
    if not isinstance(value, dict) or set(value) != {"why", "created"}:
        return False
    why, created = value["why"], value["created"]
    if not isinstance(why, str) or clean_line(why)[:WHY_LIMIT] != why:
        return False
    return _valid_mark(created) and not isinstance(created, bool)


def _mutes_view(rule: MuteRule) -> dict[str, Local]:
    return {"rule": ({"why": rule.why, "created": rule.created}, rule.created or None)}


def _held_mutes(state: State) -> dict[str, MuteRule]:
    # Rules by query, their numbers (each folder's own) left out of what is compared.
    return {rule.query: replace(rule, number=0) for rule in state.mute_rules()}


def _write_mutes(state: State, values: dict[str, dict[str, Any]]) -> int:
    rules = {rule.query: rule for rule in state.mute_rules()}
    changes: dict[str, MuteRule | None] = {}
    for query, v in values.items():
        rule, old = v["rule"], rules.get(query)
        if rule is None:
            if old is not None:
                changes[query] = None
        elif old is None or (old.why, old.created) != (rule["why"], rule["created"]):
            changes[query] = MuteRule(0, query, rule["why"], float(rule["created"]))
    if changes:
        state.merge_mutes(changes)
    return len(changes)


register(
    Synced(
        table="mutes",
        fields={"rule": Field(REGISTER, None, _valid_rule)},
        valid_key=_valid_query,
        held=_held_mutes,
        view=_mutes_view,
        write=_write_mutes,
    )
)


# -- the saved searches and their follows ----------------------------------------------------------
# Keyed by the name, case folded (a search's id is each folder's own, as a rule's number is): a
# search saved under one name on two machines is one search. Its follow travels with it, so a
# follow never arrives before its search.


def _valid_search_key(key: str) -> bool:
    return bool(key) and clean_line(key) == key and key.casefold() == key


def _valid_search(value: Any) -> bool:
    if value is None:
        return True
    if not isinstance(value, dict) or set(value) != {"name", "query", "slot", "created"}:
        return False
    name, query, slot, created = (value[k] for k in ("name", "query", "slot", "created"))
    if not (isinstance(name, str) and isinstance(query, str)):
        return False
    if slot is not None and not (type(slot) is int and slot in SLOTS):
        return False
    if not _valid_mark(created) or isinstance(created, bool):
        return False
    try:
        return clean_search(name, query, slot) == (name, query)
    except SearchError:
        return False


def _valid_time(value: Any) -> bool:
    """A follow's time (POSIX seconds), or false: not followed."""
    return value is False or (_valid_mark(value) and not isinstance(value, bool))


@dataclass(frozen=True)
class _HeldSearch:
    search: SavedSearch
    follow: Follow | None


def _held_searches(state: State) -> dict[str, _HeldSearch]:
    follows = {f.search: f for f in state.follows.all()}
    # The ids (each folder's own) and the time of the last change left out of what is compared.
    return {
        s.name.casefold(): _HeldSearch(
            replace(s, id="", updated=0.0),
            replace(follows[s.id], search="") if s.id in follows else None,
        )
        for s in state.searches()
    }


def _searches_view(held: _HeldSearch) -> dict[str, Local]:
    s, follow = held.search, held.follow
    value = {"name": s.name, "query": s.query, "slot": s.slot, "created": s.created}
    return {
        "search": (value, s.created or None),
        "followed": (follow.followed if follow else False, follow.followed if follow else None),
        "seen": (follow.seen if follow else False, follow.seen if follow else None),
    }


def _write_searches(state: State, values: dict[str, dict[str, Any]]) -> int:
    held = _held_searches(state)
    now = clock_now()
    changes: dict[str, tuple[SavedSearch | None, Follow | None]] = {}
    for key, v in values.items():
        old, value = held.get(key), v["search"]
        if value is None:
            if old is not None:
                changes[key] = (None, None)
            continue
        search = SavedSearch(
            "", value["name"], value["query"], value["slot"], float(value["created"]), now
        )
        followed, seen = v["followed"], v["seen"]
        follow = None
        if followed is not False:
            follow = Follow("", float(followed), float(followed if seen is False else seen))
        if old is None or (replace(search, updated=0.0), follow) != (old.search, old.follow):
            changes[key] = (search, follow)
    if changes:
        state.merge_searches(changes)
    return len(changes)


register(
    Synced(
        table="searches",
        fields={
            "search": Field(REGISTER, None, _valid_search),
            "followed": Field(REGISTER, False, _valid_time),
            "seen": Field(REGISTER, False, _valid_time),
        },
        valid_key=_valid_search_key,
        held=_held_searches,
        view=_searches_view,
        write=_write_searches,
    )
)
