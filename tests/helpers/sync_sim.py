"""Simulated machines for the sync tests: each has its own data folder and its own copy of the
shared folder, with a clock of its own (`PAPERTRAY_NOW`); `deliver` plays the sync tool,
copying one file from one machine's copy of the folder to another's whole, cut short (a
file still arriving, or an older version), or as a conflict copy.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from papertray.store import MuteError, PaperState, State, Sync
from papertray.store.dates import ENV_NOW

BASE = 1_800_000_000.0


@contextmanager
def clock(seconds: float) -> Iterator[None]:
    before = os.environ.get(ENV_NOW)
    os.environ[ENV_NOW] = repr(seconds)
    try:
        yield
    finally:
        if before is None:
            del os.environ[ENV_NOW]
        else:
            os.environ[ENV_NOW] = before


@dataclass
class Machine:
    index: int
    data: Path
    folder: Path
    skew: float
    state: State = field(init=False)
    sync: Sync = field(init=False)

    def __post_init__(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        self.state = State.open(self.data)
        self.sync = Sync(self.state, self.folder, name=f"m{self.index}", compact_after=4)

    def own_files(self) -> set[str]:
        machine = (self.state.meta("machine") or {}).get("id")
        if not machine:
            return set()
        return {n for n in os.listdir(self.folder) if n.startswith(f"papertray.{machine}.")}


class World:
    """2-4 machines, a global step counter as time, each machine's clock `skew` off it."""

    def __init__(self, root: Path, skews: list[float]) -> None:
        self.root = root
        self.machines = [
            Machine(i, root / f"data{i}", root / f"folder{i}", skew) for i, skew in enumerate(skews)
        ]
        self.step = 0

    def now(self, m: Machine) -> float:
        return BASE + self.step + m.skew

    def act(self, index: int, op: str, paper: str, arg: str) -> None:
        """One change on machine `index` (op: star, unstar, read, unread, tag, untag, note,
        mute, unmute)."""
        self.step += 1
        m = self.machines[index]
        with clock(self.now(m)):
            s = m.state
            if op in ("star", "unstar"):
                s.set_starred(paper, op == "star")
            elif op in ("read", "unread"):
                s.set_read(paper, op == "read")
            elif op == "tag":
                s.add_tags(paper, [arg])
            elif op == "untag":
                s.remove_tags(paper, [arg])
            elif op == "note":
                s.set_note(paper, arg)
            elif op == "mute":
                try:
                    s.add_mute(arg)
                except MuteError:
                    pass
            elif op == "unmute":
                for rule in s.mute_rules():
                    if rule.query == arg:
                        s.remove_mute(rule.number)
            else:
                raise ValueError(op)

    def run(self, index: int) -> None:
        self.step += 1
        m = self.machines[index]
        with clock(self.now(m)):
            report = m.sync.run()
        assert report.ok, report.error
        assert not report.refused, report.refused

    def deliver(self, src: int, dst: int, pick: int, how: str) -> None:
        """Copy the `pick`-th file of machine `src`'s folder into machine `dst`'s: `whole`,
        `lines` (its first whole lines: an older version), `torn` (cut inside a line: still
        arriving) or `copy` (whole, under a conflict copy's name). A machine's own log is never
        written over (a sync tool makes a conflict copy then: `copy`)."""
        a, b = self.machines[src], self.machines[dst]
        names = sorted(n for n in os.listdir(a.folder) if n.startswith("papertray."))
        if not names or a is b:
            return
        name = names[pick % len(names)]
        data = (a.folder / name).read_bytes()
        if how == "lines":
            cut = [i + 1 for i, c in enumerate(data) if c == 0x0A]
            data = data[: cut[len(cut) // 2]] if cut else b""
        elif how == "torn":
            data = data[: max(1, len(data) - 7)]
        own = b.own_files()
        target = name
        if how == "copy" or name in own:
            stem = name.removesuffix(".jsonl")
            target = f"{stem}.sync-conflict-20260101-000000-M{src}D{dst}.jsonl"
            if (b.folder / target).exists():
                target = f"{stem} ({self.step}).jsonl"
        elif (b.folder / name).exists():
            have = (b.folder / name).read_bytes()
            if not data.startswith(have) and not have.startswith(data):
                target = f"{name.removesuffix('.jsonl')} (conflicted copy {self.step}).jsonl"
        tmp = b.folder / f".incoming-{self.step}"
        tmp.write_bytes(data)
        os.replace(tmp, b.folder / target)

    def forget(self, src: int, dst: int) -> None:
        """The sync tool carries machine `src`'s removals to `dst`: its generations gone from
        its own folder go from `dst`'s."""
        a, b = self.machines[src], self.machines[dst]
        machine = (a.state.meta("machine") or {}).get("id")
        if not machine or a is b:
            return
        prefix = f"papertray.{machine}."
        mine = a.own_files()
        for name in os.listdir(b.folder):
            if name.startswith(prefix) and name.endswith(".jsonl") and name not in mine:
                if " " not in name and "sync-conflict" not in name:
                    os.unlink(b.folder / name)

    def settle(self) -> None:
        """The sync tool catches up everywhere, every machine syncs; twice."""
        for _ in range(2):
            for a in self.machines:
                for b in self.machines:
                    if a is not b:
                        for name in sorted(a.own_files()):
                            if name.endswith(".jsonl"):
                                shutil.copyfile(a.folder / name, b.folder / f".in-{name}")
                                os.replace(b.folder / f".in-{name}", b.folder / name)
                        self.forget(a.index, b.index)
            for m in self.machines:
                self.run(m.index)

    def states(self) -> list[dict[str, PaperState]]:
        """Each machine's marks, without the time each was last changed there."""
        out = []
        for m in self.machines:
            out.append(
                {
                    pid: PaperState(
                        s.read,
                        s.starred,
                        s.tags,
                        s.note,
                        s.read_at,
                        s.starred_at,
                        None,
                        s.conflicting_note,
                    )
                    for pid, s in m.state.all().items()
                }
            )
        return out

    def rules(self) -> list[set[tuple[str, str, float]]]:
        return [{(r.query, r.why, r.created) for r in m.state.mute_rules()} for m in self.machines]


def bare(state: State) -> dict[str, PaperState]:
    """The marks without the time each was last changed on that machine."""
    from dataclasses import replace

    return {pid: replace(s, updated_at=None) for pid, s in state.all().items()}


def logs(shared: Path) -> list[str]:
    """The logs in a folder, by name."""
    return sorted(n for n in os.listdir(shared) if n.endswith(".jsonl"))
