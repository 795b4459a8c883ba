"""What changed of the papers the user watches (starred or queued to read later), as `papertray
watch` finds it: the rule of what counts as a change, and the tables it is kept in
(`library.db`, see `store/db.py`).

A source's answer about one paper (`Answer`: the paper as arXiv or Hugging Face has it now) is
compared with what the last watch saw of it (table `watched`; for a paper never watched, the
paper as the library holds it: its baseline, `Watched`):

- a new arXiv version, "v1 → v3" ("now v3" when the version the user had was never known and
  the new one came out after the paper was added): the paper is revised as an arXiv
  replacement revises it (`paper_rows.revised`: its new title and authors, the fields it lacked);
- code that appeared, "code: github.com/owner/repo": the Hugging Face paper's repo, or a repo
  link in the abstract or comments of a new version;
- upvotes that reached the threshold the user set (`[watch] upvotes`), "upvotes: 153 (past 100)".

Each change is a row of `updates` (paper, kind, detail, when, seen or not); each version seen a
row of `versions` (number, date, title). Everything of one batch is written in one transaction
(`Library.apply_watch`), so a watch cut off keeps every batch before the cut. The baseline is
what watch saw, not the paper as the library holds it, so a change a fetch brought in between
(an arXiv replacement in the day's announcement, a repo in the daily papers) is still news.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

import orjson

from papertray.store.models import Paper
from papertray.store.paper_rows import merged, revised

__all__ = [
    "KINDS",
    "SOURCES",
    "Answer",
    "Update",
    "Version",
    "Watched",
    "baseline",
    "fold",
    "mark_seen",
    "read_updates",
    "read_versions",
    "read_watched",
    "record",
    "revision",
    "shown_repo",
    "unseen_count",
]

KINDS = ("version", "code", "upvotes")
"""What an update can be about."""
SOURCES = ("arxiv", "hf")
_ARXIV_PAGES = tuple(
    f"{s}://arxiv.org/{page}/" for s in ("https", "http") for page in ("abs", "pdf")
)


@dataclass(frozen=True, slots=True)
class Update:
    """One change of a watched paper, an entry of the Updates list."""

    id: int
    """Stable: what `mark_seen` takes."""
    paper: str
    kind: str
    """One of `KINDS`."""
    detail: str
    """What changed, in one line: "v1 → v3", "code: github.com/owner/repo", "upvotes: 153
    (past 100)"."""
    at: float
    """When watch found it (POSIX seconds)."""
    seen: bool
    title: str = ""
    """The paper's title as the library holds it now."""

    def to_dict(self) -> dict[str, object]:
        return {
            "id": self.id,
            "paper": self.paper,
            "kind": self.kind,
            "detail": self.detail,
            "at": self.at,
            "seen": self.seen,
            "title": self.title,
        }


@dataclass(frozen=True, slots=True)
class Version:
    """One arXiv version of a paper, as far as it was seen: its number, the day it came out
    (None when not known) and its title ("" when not known)."""

    version: int
    date: str | None
    title: str


@dataclass(frozen=True, slots=True)
class Answer:
    """What one source said of one watched paper."""

    paper: str
    """The paper's id in the library."""
    source: str
    """"arxiv" or "hf" (`SOURCES`)."""
    found: Paper | None
    """The paper as the source has it now; None when the source had nothing new to say (a 304,
    or no entry for it): the paper is only noted as checked."""
    version_at: float | None = None
    """arXiv: when its latest version came out (the Atom entry's `updated`)."""


@dataclass(frozen=True, slots=True)
class Watched:
    """What the last watch saw of a paper, and when each source was last asked."""

    version: int | None = None
    repo: str | None = None
    upvotes: int | None = None
    arxiv_at: float | None = None
    hf_at: float | None = None


def shown_repo(url: str) -> str:
    """A repo link as an update says it: no scheme, no `www.`, no trailing slash."""
    bare = url.split("://", 1)[-1].removeprefix("www.")
    return bare.rstrip("/")


def _day(seconds: float | None) -> str | None:
    if seconds is None:
        return None
    return datetime.fromtimestamp(seconds, UTC).date().isoformat()


# -- reading ------------------------------------------------------------------------------------

_WATCHED = "SELECT paper, version, repo, upvotes, arxiv_at, hf_at FROM watched"


def read_watched(conn: sqlite3.Connection, ids: Iterable[str] | None = None) -> dict[str, Watched]:
    """Paper id -> what the last watch saw of it (papers never watched are not there)."""
    if ids is None:
        rows = conn.execute(_WATCHED).fetchall()
    else:
        rows = conn.execute(
            f"{_WATCHED} WHERE paper IN (SELECT value FROM json_each(?))",
            (orjson.dumps(list(ids)).decode(),),
        ).fetchall()
    return {r[0]: Watched(*r[1:]) for r in rows}


def baseline(conn: sqlite3.Connection, paper: Paper) -> Watched:
    """What a change of `paper` is measured against: what the last watch saw of it, or (never
    watched, or a field it never saw) the paper as the library holds it."""
    row = conn.execute(f"{_WATCHED} WHERE paper = ?", (paper.id,)).fetchone()
    if row is None:
        return Watched(paper.arxiv_version, paper.repo, paper.upvotes)
    seen = Watched(*row[1:])
    return Watched(
        seen.version if seen.version is not None else paper.arxiv_version,
        seen.repo,
        seen.upvotes if seen.upvotes is not None else paper.upvotes,
        seen.arxiv_at,
        seen.hf_at,
    )


def read_updates(
    conn: sqlite3.Connection,
    *,
    unseen_only: bool = False,
    paper: str | None = None,
    limit: int | None = None,
) -> list[Update]:
    """The updates of papers in the library, newest first."""
    where = ["1"]
    params: list[object] = []
    if unseen_only:
        where.append("NOT u.seen")
    if paper is not None:
        where.append("u.paper = ?")
        params.append(paper)
    sql = (
        "SELECT u.id, u.paper, u.kind, u.detail, u.at, u.seen, p.title FROM updates u "
        f"JOIN papers p ON p.id = u.paper WHERE {' AND '.join(where)} ORDER BY u.id DESC"
    )
    if limit is not None:
        sql += f" LIMIT {int(limit)}"
    return [
        Update(r[0], r[1], r[2], r[3], r[4], bool(r[5]), r[6])
        for r in conn.execute(sql, params).fetchall()
    ]


def unseen_count(conn: sqlite3.Connection) -> int:
    """Updates not seen yet, of papers in the library."""
    return int(
        conn.execute(
            "SELECT count(*) FROM updates u JOIN papers p ON p.id = u.paper WHERE NOT u.seen"
        ).fetchone()[0]
    )


def read_versions(conn: sqlite3.Connection, paper: str) -> list[Version]:
    rows = conn.execute(
        "SELECT version, date, title FROM versions WHERE paper = ? ORDER BY version", (paper,)
    ).fetchall()
    return [Version(r[0], r[1], r[2]) for r in rows]


# -- writing (inside the caller's transaction) ---------------------------------------------------


def mark_seen(conn: sqlite3.Connection, ids: Iterable[int] | None = None) -> int:
    """Mark these updates seen (None: every one); returns how many were not seen before."""
    if ids is None:
        return conn.execute("UPDATE updates SET seen = 1 WHERE NOT seen").rowcount
    wanted = orjson.dumps([int(i) for i in ids]).decode()
    return conn.execute(
        "UPDATE updates SET seen = 1 WHERE NOT seen AND id IN (SELECT value FROM json_each(?))",
        (wanted,),
    ).rowcount


def _new_version(base: Watched, old: Paper, answer: Answer) -> int | None:
    """The version number when `answer` brings a version newer than the baseline's."""
    found = answer.found
    if answer.source != "arxiv" or found is None or found.arxiv_version is None:
        return None
    now = found.arxiv_version
    if base.version is not None:
        return now if now > base.version else None
    # Which version the user had was never known: a version after the paper came in is news.
    came = old.added_at
    if now > 1 and came is not None and answer.version_at is not None and answer.version_at > came:
        return now
    return None


def revision(base: Watched, old: Paper, answer: Answer) -> Paper:
    """The paper as the library should hold it after `answer`: a new arXiv version revises it
    as a replacement does (`revised`); anything else completes it (`merged`: upvotes and
    stars the newer, empty fields filled, a repo where it had none)."""
    found = answer.found
    if found is None:
        return old
    # The arXiv pages of a version (`abs/2401.01234v3`) are not new links: the library has
    # the paper's own pages, made from its id, already.
    links = tuple(u for u in found.links if not u.startswith(_ARXIV_PAGES))
    found = found._replace(id=old.id, digest_date=None, source=old.source, links=links)
    if _new_version(base, old, answer) is not None:
        return revised(old, found)
    return merged(old, found)


def _changes(
    base: Watched, old: Paper, new: Paper, answer: Answer, threshold: int | None
) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    version = _new_version(base, old, answer)
    if version is not None:
        before = f"v{base.version} → " if base.version is not None else "now "
        found.append(("version", f"{before}v{version}"))
    if base.repo is None and new.repo:
        found.append(("code", f"code: {shown_repo(new.repo)}"))
    if (
        threshold is not None
        and new.upvotes is not None
        and (base.upvotes or 0) < threshold <= new.upvotes
    ):
        found.append(("upvotes", f"upvotes: {new.upvotes} (past {threshold})"))
    return found


def record(
    conn: sqlite3.Connection,
    answer: Answer,
    base: Watched,
    old: Paper,
    new: Paper,
    at: float,
    threshold: int | None,
) -> list[Update]:
    """Write what `answer` changed of the paper (`old` before, `new` after `revision`): its
    updates, the versions seen, and the new baseline. Returns the updates made."""
    made: list[Update] = []
    for kind, detail in _changes(base, old, new, answer, threshold):
        cursor = conn.execute(
            "INSERT INTO updates (paper, kind, detail, at, seen) VALUES (?, ?, ?, ?, 0)",
            (new.id, kind, detail, at),
        )
        made.append(Update(int(cursor.lastrowid or 0), new.id, kind, detail, at, False, new.title))
    found = answer.found
    remote = found.arxiv_version if answer.source == "arxiv" and found is not None else None
    if found is not None and remote is not None:
        _versions(conn, new.id, base, old, found, remote, answer.version_at)
    versions = [v for v in (base.version, remote, new.arxiv_version) if v is not None]
    arxiv_at = at if answer.source == "arxiv" else base.arxiv_at
    hf_at = at if answer.source == "hf" else base.hf_at
    conn.execute(
        "INSERT OR REPLACE INTO watched (paper, version, repo, upvotes, arxiv_at, hf_at) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        (
            new.id,
            max(versions) if versions else None,
            new.repo,
            new.upvotes if new.upvotes is not None else base.upvotes,
            arxiv_at,
            hf_at,
        ),
    )
    return made


def _versions(
    conn: sqlite3.Connection,
    pid: str,
    base: Watched,
    old: Paper,
    found: Paper,
    remote: int,
    version_at: float | None,
) -> None:
    """The versions this answer shows: the one arXiv has now (its day and title), the one the
    user had (the title it had then), and the first (the day it came out, `published`)."""
    conn.execute(
        "INSERT INTO versions (paper, version, date, title) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (paper, version) DO UPDATE SET "
        "date = coalesce(versions.date, excluded.date), "
        "title = CASE WHEN versions.title = '' THEN excluded.title ELSE versions.title END",
        (pid, remote, _day(version_at), found.title),
    )
    if base.version is not None and base.version < remote:
        first_day = old.published if base.version == 1 else None
        conn.execute(
            "INSERT OR IGNORE INTO versions (paper, version, date, title) VALUES (?, ?, ?, ?)",
            (pid, base.version, first_day, old.title),
        )
    if remote > 1:
        conn.execute(
            "INSERT OR IGNORE INTO versions (paper, version, date, title) VALUES (?, 1, ?, '')",
            (pid, found.published),
        )


def fold(conn: sqlite3.Connection, from_id: str, into_id: str) -> None:
    """Two records of one paper becoming one (`Library.fold`): the updates and versions of
    `from_id` go to `into_id`; what watch saw of `into_id` stays."""
    conn.execute("UPDATE updates SET paper = ? WHERE paper = ?", (into_id, from_id))
    conn.execute(
        "INSERT OR IGNORE INTO versions (paper, version, date, title) "
        "SELECT ?, version, date, title FROM versions WHERE paper = ?",
        (into_id, from_id),
    )
    conn.execute("DELETE FROM versions WHERE paper = ?", (from_id,))
    conn.execute("DELETE FROM watched WHERE paper = ?", (from_id,))
