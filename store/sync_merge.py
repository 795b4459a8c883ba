"""How the changes of several machines become one state: the entry sync exchanges, its clock,
and the three merge rules. No files here (`sync_files.py` reads and writes them) and no tables
(`sync_tables.py` says which fields exist and how they meet `State`).

An entry is one change of one field: `(table, key, field, value, clock)`, with an `element`
for a field that is a set and `seen` for a text. Its clock is a hybrid logical clock, `(wall
milliseconds, counter, machine id)`, compared in that order: a change made here gets the later
of this machine's wall clock and one tick past the clock of the record it replaces, so it wins
over what it replaced even when this machine's clock is behind the one that wrote it, and a
machine whose clock runs ahead wins only until someone changes the field after seeing it.

Each field merges by one of three rules, all commutative, associative and idempotent, so logs
delivered in any order, twice or late, give every machine the same records:

- `REGISTER`: the value with the highest clock wins (read, starred, a mute rule).
- `ELEMENTS`: a set, each element a register of "present or not" (tags): a tag added on one
  machine and another removed on another both hold; one tag added and removed at once goes by
  the clock.
- `TEXT`: a register that keeps the versions no one had seen when writing (a note): each
  version says, per machine, the latest version of that machine it had seen (`seen`); a
  version seen by another is gone; of those left the highest clock is the text, the others
  are its conflicting text. Writing the text, even unchanged, sees every version and ends the
  conflict.

`Records` holds the winning record of every field: the state every log merged says, which
`snapshot()` writes out again as entries.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, NamedTuple

import orjson

from papertray.store import limits

__all__ = [
    "ELEMENTS",
    "REGISTER",
    "TEXT",
    "Clock",
    "Entry",
    "Records",
    "conflict_text",
    "fields_json",
    "stamp",
    "text_latest",
]

Clock = tuple[int, int, str]
"""(wall milliseconds, counter, machine id)."""
Seen = dict[str, tuple[int, int]]
"""machine id -> (wall, counter) of the latest version of that machine a text version saw."""

REGISTER = "register"
ELEMENTS = "elements"
TEXT = "text"

MAX_WALL = 10**15
"""Milliseconds: the year 33658. A larger wall time, or counter, is no clock."""
MAX_COUNTER = 2**53
NOTE_SEPARATOR = "\n\n"


class Entry(NamedTuple):
    """One change of one field. A log carries it as a JSON array of these, in this order:
    `[table, key, field, value, clock]`, with `element` after for a set, `null, seen` for a
    text (trailing nones left out)."""

    table: str
    key: str
    field: str
    value: Any
    clock: Clock
    element: str | None = None
    """The element of a set field (`ELEMENTS`): `value` is then whether it is in the set."""
    seen: Seen | None = None
    """For a `TEXT` field: the versions it replaced (see the module's docstring)."""

    @property
    def kind(self) -> str:
        if self.element is not None:
            return ELEMENTS
        return TEXT if self.seen is not None else REGISTER

    def to_json(self) -> list[Any]:
        table, key, field, value, clock, element, seen = self
        if seen is not None:
            return [table, key, field, value, clock, None, seen]
        if element is not None:
            return [table, key, field, value, clock, element]
        return [table, key, field, value, clock]


def read_entry(data: Any) -> Entry | str:
    """The entry a log line holds, or why it is none (a few words)."""
    if type(data) is not list:
        return "not an entry (an array)"
    size = len(data)
    if size == 5:
        table, key, field, value, raw = data
        element = seen = None
    elif size == 6:
        table, key, field, value, raw, element = data
        seen = None
    elif size == 7:
        table, key, field, value, raw, element, seen = data
    else:
        return "not an entry (5 to 7 items)"
    if not (type(table) is str and type(key) is str and type(field) is str):
        return "no table, key or field"
    if not table or not key or not field:
        return "an empty table, key or field"
    clock = read_clock(raw)
    if clock is None:
        return "no clock"
    if type(value) is float and not math.isfinite(value):
        return "a value that is no number"
    if (type(value) is list or type(value) is dict) and not _nested_within(value):
        return f"a value nested more than {limits.MAX_SYNC_DEPTH} deep"
    if element is not None:
        if type(element) is not str:
            return "an element that is not text"
        if type(value) is not bool:
            return "a set element's value is not true or false"
        if seen is not None:
            return "an element and a seen both"
        return _new(Entry, (table, key, field, value, clock, element, None))
    if seen is None:
        return _new(Entry, (table, key, field, value, clock, None, None))
    knew = _read_seen(seen)
    if knew is None:
        return "a text version's seen is not machine -> clock"
    if type(value) is not str:
        return "a text version's value is not text"
    if knew.get(clock[2], _NEVER) < (clock[0], clock[1]):
        knew[clock[2]] = (clock[0], clock[1])  # a version has always seen itself
    return _new(Entry, (table, key, field, value, clock, None, knew))


def _nested_within(value: list[Any] | dict[str, Any]) -> bool:
    """Whether arrays and objects nest in `value` at most `limits.MAX_SYNC_DEPTH` deep, looked
    at one level at a time (a recursive walk is what such a value would break)."""
    level: list[Any] = [value]  # the arrays and objects at one depth
    for _ in range(limits.MAX_SYNC_DEPTH):
        level = [
            inner
            for outer in level
            for inner in (outer.values() if type(outer) is dict else outer)
            if type(inner) is list or type(inner) is dict
        ]
        if not level:
            return True
    return False


def read_clock(raw: Any) -> Clock | None:
    if type(raw) is not list or len(raw) != 3:
        return None
    wall, counter, machine = raw
    if type(wall) is not int or type(counter) is not int:
        return None
    if not (0 <= wall < MAX_WALL and 0 <= counter < MAX_COUNTER):
        return None
    if type(machine) is not str or (machine not in _IDS and not is_machine_id(machine)):
        return None
    return (wall, counter, machine)


_IDS: set[str] = set()
"""Machine ids already found well-formed (a log holds few, each on every line)."""
_HEX = "0123456789abcdef"


def is_machine_id(text: Any) -> bool:
    """12 lower-case hex digits (48 random bits: two machines never draw the same)."""
    if type(text) is not str or len(text) != 12 or text.strip(_HEX):
        return False
    if len(_IDS) < 10_000:
        _IDS.add(text)
    return True


def _read_seen(raw: Any) -> Seen | None:
    if type(raw) is not dict or len(raw) > 10_000:
        return None
    seen: Seen = {}
    for machine, pair in raw.items():
        if machine not in _IDS and not is_machine_id(machine):
            return None
        if type(pair) is not list or len(pair) != 2:
            return None
        wall, counter = pair
        if type(wall) is not int or type(counter) is not int:
            return None
        if not (0 <= wall < MAX_WALL and 0 <= counter < MAX_COUNTER):
            return None
        seen[machine] = (wall, counter)
    return seen


def stamp(replaced: tuple[int, int] | None, wall: int, machine: str) -> Clock:
    """The clock of a change made here at `wall` (ms) to a field whose record had the clock
    `replaced` (wall, counter), None for a field this machine knew nothing of: the hybrid
    logical clock's send rule. The same inputs give the same clock, so a change stamped twice
    (a sync killed before it recorded what it wrote) is one entry written twice."""
    if replaced is None or wall > replaced[0]:
        return (wall, 0, machine)
    return (replaced[0], replaced[1] + 1, machine)


def _order(value: Any) -> bytes:
    """Two different values under one clock (only a hand-made log has them) are ordered by
    their JSON, so every machine keeps the same one."""
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS)


Version = tuple[Clock, str, Seen]
"""One version of a text: (clock, value, seen). Plain tuples, as every record is: the sync
state file is the records as they are (orjson writes tuples as arrays)."""


def _knows(seen: Seen, clock: Clock) -> bool:
    had = seen.get(clock[2])
    return had is not None and had >= (clock[0], clock[1])


def conflict_text(versions: list[Version]) -> str:
    """The conflicting text of a text field: every other version's, newest first, each once,
    none that is empty or the text itself."""
    if len(versions) < 2:
        return ""
    text = versions[0][1]
    others = (v[1] for v in versions[1:] if v[1] and v[1] != text)
    return NOTE_SEPARATOR.join(dict.fromkeys(others))


# A field's record: REGISTER (clock, value); ELEMENTS {element: (clock, present)};
# TEXT [(clock, value, seen), ...], highest clock first.
Record = Any
_new = tuple.__new__  # a named tuple made without its Python-level __new__ (per entry of a log)


class Records:
    """The winning record of every field, by table and key: what every log merged says."""

    def __init__(self) -> None:
        self.tables: dict[str, dict[str, dict[str, Record]]] = {}
        self.taken = 0
        """Entries that changed a record, since these records were made."""

    def fields(self, table: str, key: str) -> dict[str, Record] | None:
        keys = self.tables.get(table)
        return keys.get(key) if keys is not None else None

    def keys(self, table: str) -> dict[str, dict[str, Record]]:
        return self.tables.get(table, {})

    def merge(self, entry: Entry) -> bool:
        """Take `entry` in; True when it changed a record. False, too, for an entry of a kind
        the field's record is not (a hand-made log): the record stays."""
        table, key, name, value, clock, element, seen = entry
        keys = self.tables.get(table)
        if keys is None:
            keys = self.tables[table] = {}
        fields = keys.get(key)
        if fields is None:
            fields = keys[key] = {}
        old = fields.get(name)
        if element is not None:
            if old is None:
                fields[name] = {element: (clock, value)}
                return True
            if type(old) is not dict:
                return False
            had = old.get(element)
            if had is None or clock > had[0] or (clock == had[0] and _wins(clock, value, *had)):
                old[element] = (clock, value)
                return True
            return False
        if seen is not None:
            if old is None:
                fields[name] = [(clock, value, seen)]
                return True
            if type(old) is not list or type(value) is not str:
                return False
            return self._merge_text(fields, entry, old)
        if old is None:
            fields[name] = (clock, value)
            return True
        if type(old) is not tuple:
            return False
        if clock > old[0] or (clock == old[0] and _wins(clock, value, *old)):
            fields[name] = (clock, value)
            return True
        return False

    @staticmethod
    def _merge_text(fields: dict[str, Record], entry: Entry, old: list[Version]) -> bool:
        _table, _key, name, value, clock, _element, seen = entry
        assert seen is not None
        machine, pair = clock[2], (clock[0], clock[1])
        for had, text, knew in old:
            if had == clock:
                # The same version again; or, from a hand-made log, another text under its
                # clock, which replaces it only if it orders later (as a register's would).
                if not _wins(clock, value, had, text):
                    return False
            elif knew.get(machine, _NEVER) >= pair:
                return False  # a version written after seeing this one replaces it
        kept = [v for v in old if v[0] != clock and not _knows(seen, v[0])]
        kept.append((clock, value, seen))
        kept.sort(key=_first, reverse=True)
        fields[name] = kept
        return True

    def merge_all(
        self,
        entries: Iterable[Entry],
        before: dict[tuple[str, str], dict[str, Record] | None] | None = None,
    ) -> set[tuple[str, str]]:
        """Merge each; the (table, key) of every record that changed. `before` gets, for each
        of those keys, its records as they were (None: it had none), unless it has them."""
        changed: set[tuple[str, str]] = set()
        merge = self.merge
        taken = 0
        for entry in entries:
            where = (entry[0], entry[1])
            if before is None or where in before:
                if merge(entry):
                    changed.add(where)
                    taken += 1
                continue
            fields = self.fields(*where)
            kept = _copy(fields) if fields else None
            if merge(entry):
                changed.add(where)
                before[where] = kept
                taken += 1
        self.taken += taken
        return changed

    def snapshot(self) -> Iterator[Entry]:
        """Every record as entries: merged into empty records they give these records again."""
        for table, keys in self.tables.items():
            for key, fields in keys.items():
                for field, record in fields.items():
                    yield from _entries(table, key, field, record)

    def count(self) -> int:
        return sum(
            len(r) if isinstance(r, (dict, list)) else 1
            for keys in self.tables.values()
            for fields in keys.values()
            for r in fields.values()
        )

    # -- the sync state file's form ------------------------------------------------------------

    def to_json(self) -> dict[str, dict[str, dict[str, Any]]]:
        """The records in the sync state file's form: themselves (no copy: write them out
        before they change again)."""
        return self.tables

    @classmethod
    def from_json(cls, tables: Mapping[str, Any]) -> Records:
        """The records of `to_json` as JSON gave them back (the sync state file, which only
        sync writes: read as it was written, without a log's checks). ValueError when it is
        not that form."""
        records = cls()
        try:
            for table, keys in tables.items():
                records.tables[table] = {
                    key: {field: _load_record(raw) for field, raw in fields.items()}
                    for key, fields in keys.items()
                }
        except (AttributeError, IndexError, KeyError, TypeError, ValueError) as error:
            raise ValueError(f"not the records of a sync state file ({error})") from None
        return records


def text_latest(versions: list[Version]) -> tuple[int, int]:
    """The highest (wall, counter) the versions of a text hold or have seen: what a new
    version must pass (see `stamp`)."""
    pairs = [(clock[0], clock[1]) for clock, _text, _seen in versions]
    pairs += [pair for _clock, _text, seen in versions for pair in seen.values()]
    return max(pairs)


_NEVER = (-1, -1)


def _first(version: Version) -> Clock:
    return version[0]


def _wins(clock: Clock, value: Any, old_clock: Clock, old_value: Any) -> bool:
    if clock != old_clock:
        return clock > old_clock
    return value != old_value and _order(value) > _order(old_value)


def _copy(fields: dict[str, Record]) -> dict[str, Record]:
    """A copy that a merge cannot change (a set's record is changed in place)."""
    return {f: dict(r) if isinstance(r, dict) else r for f, r in fields.items()}


def fields_json(fields: Mapping[str, Record] | None) -> dict[str, Any] | None:
    """One key's records in the sync state file's form (a copy: they may change after)."""
    return None if fields is None else _copy(dict(fields))


def _entries(table: str, key: str, field: str, record: Record) -> Iterator[Entry]:
    if isinstance(record, tuple):
        yield _new(Entry, (table, key, field, record[1], record[0], None, None))
    elif isinstance(record, dict):
        for element, (clock, present) in record.items():
            yield _new(Entry, (table, key, field, present, clock, element, None))
    else:
        for clock, value, seen in record:
            yield _new(Entry, (table, key, field, value, clock, None, seen))


def _load_record(raw: Any) -> Record:
    """A record as JSON gave it back: a set is an object; a register [clock, value], its
    clock an array of numbers and an id; a text [[clock, value, seen], ...]."""
    if isinstance(raw, dict):
        return {e: (_load_clock(c), bool(p)) for e, (c, p) in raw.items()}
    if isinstance(raw[0], (list, tuple)) and raw[0] and isinstance(raw[0][0], int):
        clock, value = raw
        return (_load_clock(clock), value)
    versions = [
        (_load_clock(c), str(v), {m: (w, n) for m, (w, n) in seen.items()}) for c, v, seen in raw
    ]
    if not versions:
        raise ValueError("a text without a version")
    versions.sort(key=_first, reverse=True)
    return versions


def _load_clock(raw: list[Any]) -> Clock:
    wall, counter, machine = raw
    if not (type(wall) is int and type(counter) is int and type(machine) is str):
        raise ValueError("a clock that is not one")
    return (wall, counter, machine)
