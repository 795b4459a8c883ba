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
    """One change of one field, as logs carry it."""

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

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"t": self.table, "k": self.key, "f": self.field}
        if self.element is not None:
            data["e"] = self.element
        data["v"] = self.value
        data["c"] = list(self.clock)
        if self.seen is not None:
            data["s"] = {m: list(c) for m, c in self.seen.items()}
        return data


def read_entry(data: Any) -> Entry | str:
    """The entry a log line holds, or why it is none (a few words)."""
    if not isinstance(data, dict):
        return "not an object"
    table, key, field = data.get("t"), data.get("k"), data.get("f")
    if not (isinstance(table, str) and isinstance(key, str) and isinstance(field, str)):
        return "no table, key or field"
    if not table or not key or not field:
        return "an empty table, key or field"
    clock = read_clock(data.get("c"))
    if clock is None:
        return "no clock"
    if "v" not in data:
        return "no value"
    value = data["v"]
    if isinstance(value, float) and not math.isfinite(value):
        return "a value that is no number"
    element = data.get("e")
    if element is not None and not isinstance(element, str):
        return "an element that is not text"
    seen: Seen | None = None
    if "s" in data:
        seen = _read_seen(data["s"])
        if seen is None or element is not None:
            return "a text version's seen is not machine -> clock"
        if seen.get(clock[2], (-1, -1)) < clock[:2]:
            seen[clock[2]] = (clock[0], clock[1])  # a version has always seen itself
    if element is not None and not isinstance(value, bool):
        return "a set element's value is not true or false"
    if seen is not None and not isinstance(value, str):
        return "a text version's value is not text"
    return Entry(table, key, field, value, clock, element, seen)


def read_clock(raw: Any) -> Clock | None:
    if not isinstance(raw, list) or len(raw) != 3:
        return None
    wall, counter, machine = raw
    if not (_count(wall, MAX_WALL) and _count(counter, MAX_COUNTER)):
        return None
    if not isinstance(machine, str) or not is_machine_id(machine):
        return None
    return (wall, counter, machine)


def is_machine_id(text: str) -> bool:
    """12 lower-case hex digits (48 random bits: two machines never draw the same)."""
    return len(text) == 12 and all(c in "0123456789abcdef" for c in text)


def _count(value: Any, limit: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value < limit


def _read_seen(raw: Any) -> Seen | None:
    if not isinstance(raw, dict) or len(raw) > 10_000:
        return None
    seen: Seen = {}
    for machine, pair in raw.items():
        if not is_machine_id(machine) or not isinstance(pair, list) or len(pair) != 2:
            return None
        if not (_count(pair[0], MAX_WALL) and _count(pair[1], MAX_COUNTER)):
            return None
        seen[machine] = (pair[0], pair[1])
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


class Version(NamedTuple):
    clock: Clock
    value: str
    seen: Seen


def _knows(seen: Seen, clock: Clock) -> bool:
    had = seen.get(clock[2])
    return had is not None and had >= (clock[0], clock[1])


def conflict_text(versions: list[Version]) -> str:
    """The conflicting text of a text field: every other version's, newest first, each once,
    none that is empty or the text itself."""
    if len(versions) < 2:
        return ""
    text = versions[0].value
    others = (v.value for v in versions[1:] if v.value and v.value != text)
    return NOTE_SEPARATOR.join(dict.fromkeys(others))


# A field's record: REGISTER (clock, value); ELEMENTS {element: (clock, present)};
# TEXT [Version, ...], highest clock first.
Record = Any


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
        keys = self.tables.setdefault(entry.table, {})
        fields = keys.get(entry.key)
        if fields is None:
            fields = keys[entry.key] = {}
        old = fields.get(entry.field)
        element = entry.element
        if element is not None:
            if old is None:
                fields[entry.field] = {element: (entry.clock, entry.value)}
                return True
            if not isinstance(old, dict):
                return False
            had = old.get(element)
            if had is None or _wins(entry.clock, entry.value, had[0], had[1]):
                old[element] = (entry.clock, entry.value)
                return True
            return False
        if entry.seen is not None:
            if old is None:
                fields[entry.field] = [Version(entry.clock, entry.value, entry.seen)]
                return True
            if not isinstance(old, list) or not isinstance(entry.value, str):
                return False
            return self._merge_text(fields, entry, old)
        if old is None:
            fields[entry.field] = (entry.clock, entry.value)
            return True
        if not isinstance(old, tuple):
            return False
        if _wins(entry.clock, entry.value, old[0], old[1]):
            fields[entry.field] = (entry.clock, entry.value)
            return True
        return False

    @staticmethod
    def _merge_text(fields: dict[str, Record], entry: Entry, old: list[Version]) -> bool:
        clock, seen = entry.clock, entry.seen
        assert seen is not None
        for version in old:
            if version.clock == clock:
                # The same version again; or, from a hand-made log, another text under its
                # clock, which replaces it only if it orders later (as a register's would).
                if not _wins(clock, entry.value, version.clock, version.value):
                    return False
            elif _knows(version.seen, clock):
                return False  # a version written after seeing this one replaces it
        kept = [v for v in old if v.clock != clock and not _knows(seen, v.clock)]
        kept.append(Version(clock, entry.value, seen))
        kept.sort(key=lambda v: v.clock, reverse=True)
        fields[entry.field] = kept
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
            where = (entry.table, entry.key)
            if before is None or where in before:
                if merge(entry):
                    changed.add(where)
                    taken += 1
                continue
            fields = self.fields(entry.table, entry.key)
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
        out: dict[str, dict[str, dict[str, Any]]] = {}
        for table, keys in self.tables.items():
            out[table] = {
                key: {field: _record_json(record) for field, record in fields.items()}
                for key, fields in keys.items()
            }
        return out

    @classmethod
    def from_json(cls, tables: Mapping[str, Any]) -> Records:
        """The records of `to_json`; a record that is not one (a hand-edited file) is left
        out, to come back from the logs."""
        records = cls()
        for table, keys in tables.items():
            if not isinstance(keys, dict):
                continue
            for key, fields in keys.items():
                if not isinstance(fields, dict):
                    continue
                for field, raw in fields.items():
                    for entry in _json_entries(table, key, field, raw):
                        records.merge(entry)
        return records


def text_latest(versions: list[Version]) -> tuple[int, int]:
    """The highest (wall, counter) the versions of a text hold or have seen: what a new
    version must pass (see `stamp`)."""
    return max(pair for v in versions for pair in (v.clock[:2], *v.seen.values()))


def _wins(clock: Clock, value: Any, old_clock: Clock, old_value: Any) -> bool:
    if clock != old_clock:
        return clock > old_clock
    return value != old_value and _order(value) > _order(old_value)


def _copy(fields: dict[str, Record]) -> dict[str, Record]:
    """A copy that a merge cannot change (a set's record is changed in place)."""
    return {f: dict(r) if isinstance(r, dict) else r for f, r in fields.items()}


def fields_json(fields: Mapping[str, Record] | None) -> dict[str, Any] | None:
    """One key's records in the sync state file's form."""
    return None if fields is None else {f: _record_json(r) for f, r in fields.items()}


def _entries(table: str, key: str, field: str, record: Record) -> Iterator[Entry]:
    if isinstance(record, tuple):
        yield Entry(table, key, field, record[1], record[0])
    elif isinstance(record, dict):
        for element, (clock, present) in record.items():
            yield Entry(table, key, field, present, clock, element)
    else:
        for version in record:
            yield Entry(table, key, field, version.value, version.clock, None, version.seen)


def _record_json(record: Record) -> Any:
    if isinstance(record, tuple):
        return {"r": [list(record[0]), record[1]]}
    if isinstance(record, dict):
        return {"e": {e: [list(c), p] for e, (c, p) in record.items()}}
    return {
        "t": [[list(v.clock), v.value, {m: list(p) for m, p in v.seen.items()}] for v in record]
    }


def _json_entries(table: str, key: str, field: str, raw: Any) -> list[Entry]:
    found: list[Entry | str] = []
    if isinstance(raw, dict) and isinstance(raw.get("r"), list) and len(raw["r"]) == 2:
        found.append(
            read_entry({"t": table, "k": key, "f": field, "v": raw["r"][1], "c": raw["r"][0]})
        )
    elif isinstance(raw, dict) and isinstance(raw.get("e"), dict):
        for element, pair in raw["e"].items():
            if isinstance(pair, list) and len(pair) == 2:
                data = {"t": table, "k": key, "f": field, "e": element, "v": pair[1], "c": pair[0]}
                found.append(read_entry(data))
    elif isinstance(raw, dict) and isinstance(raw.get("t"), list):
        for item in raw["t"]:
            if isinstance(item, list) and len(item) == 3:
                data = {"t": table, "k": key, "f": field, "v": item[1], "c": item[0], "s": item[2]}
                found.append(read_entry(data))
    return [e for e in found if isinstance(e, Entry)]
