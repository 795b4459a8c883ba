"""The query language compiled to SQL over the library database: the one path that answers
`papertray list -q`, the reader's filter, mute rules and their counts.

As beets does (`beets/dbcore/query.py`), each node of the query tree becomes an SQL clause with
its parameters. Words go to the FTS5 index (`papers_fts MATCH`): a stemmed word is the OR of
the indexed words with its stem (table `terms`), a phrase or capitalised word a quoted FTS5
phrase, a prefix FTS5's `*`; the words of an AND go to one MATCH. The user's marks live in
TinyDB (`state.json`), so each connection holds a copy of them in two temporary tables
(`pt_marks`, `pt_tags`), refreshed when the marks change (`sync_marks`); a bare word matches a
tag too, decided in Python over the few distinct tags. `store/matching.py` evaluates the same
tree for one paper in Python; tests run both and compare.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from papertray.store.matching import STATE_DATES, tag_holds
from papertray.store.models import PaperState
from papertray.store.query import Query
from papertray.store.query_tree import (
    And,
    Date,
    Has,
    Is,
    Node,
    Not,
    Or,
    QueryContext,
    Tag,
    Text,
    Words,
)
from papertray.store.words import stem

__all__ = ["MarksTables", "Selection", "compile_where", "fts_match", "select", "sync_marks"]

_COLUMNS = {"any": "{title abstract authors}", "title": "title", "abstract": "abstract"}
_MATCH = "papers.rowid IN (SELECT rowid FROM papers_fts WHERE papers_fts MATCH ?)"


def _quoted(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def terms_with_stem(conn: sqlite3.Connection, word: str) -> list[str]:
    """The indexed words with the stem of `word` (the word itself among them)."""
    rows = conn.execute("SELECT term FROM terms WHERE stem = ?", (stem(word),)).fetchall()
    return list(dict.fromkeys([word, *(r[0] for r in rows)]))


def fts_match(conn: sqlite3.Connection, node: Words) -> str:
    """The FTS5 expression of a `Words` node over its column(s)."""
    columns = _COLUMNS.get(node.kind, "authors")
    if node.how == "stem":
        body = "(" + " OR ".join(map(_quoted, terms_with_stem(conn, node.words[0]))) + ")"
    elif node.how == "exact":
        body = _quoted(" ".join(node.words))
    else:
        body = _quoted(" ".join(node.words)) + " *"
    return f"{columns} : {body}"


@dataclass
class MarksTables:
    """What a connection's copy of the marks holds: the distinct tags (a bare word's tag
    hits are found among them), and which version of the marks it is."""

    tags: list[str] = field(default_factory=list)
    version: object = None


def sync_marks(
    conn: sqlite3.Connection,
    states: Mapping[str, PaperState],
    version: object,
    held: MarksTables | None,
) -> MarksTables:
    """Make the connection's temporary tables hold `states` (unless they hold that `version`
    already: a `State.version`, or None to copy whatever `states` is)."""
    if held is not None and version is not None and held.version == version:
        return held
    conn.execute(
        "CREATE TEMP TABLE IF NOT EXISTS pt_marks (paper TEXT PRIMARY KEY, read INT NOT NULL, "
        "starred INT NOT NULL, has_note INT NOT NULL, tagged INT NOT NULL, read_at REAL, "
        "starred_at REAL, later INT NOT NULL, later_at REAL) WITHOUT ROWID"
    )
    conn.execute(
        "CREATE TEMP TABLE IF NOT EXISTS pt_tags (tag TEXT NOT NULL, paper TEXT NOT NULL, "
        "PRIMARY KEY (tag, paper)) WITHOUT ROWID"
    )
    conn.execute("DELETE FROM temp.pt_marks")
    conn.execute("DELETE FROM temp.pt_tags")
    conn.executemany(
        "INSERT INTO temp.pt_marks VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            (
                pid,
                s.read,
                s.starred,
                bool(s.note.strip()),
                bool(s.tags),
                s.read_at,
                s.starred_at,
                s.later,
                s.later_at,
            )
            for pid, s in states.items()
        ),
    )
    pairs = {(t.casefold(), pid) for pid, s in states.items() for t in s.tags}
    conn.executemany("INSERT INTO temp.pt_tags VALUES (?, ?)", pairs)
    return MarksTables(sorted({tag for tag, _pid in pairs}), version)


class _Compiler:
    def __init__(self, conn: sqlite3.Connection, tags: Sequence[str], context: QueryContext):
        self.conn = conn
        self.tags = tags
        self.context = context
        self.params: list[Any] = []

    def words_alone(self, node: Node) -> tuple[bool, Words] | None:
        """(positive, node) for a `Words` node (or its negation) that no tag can match: such
        nodes of one AND share one FTS5 MATCH."""
        negated = isinstance(node, Not)
        inner = node.child if isinstance(node, Not) else node
        if not isinstance(inner, Words):
            return None
        if inner.kind == "any" and any(tag_holds(inner, t) for t in self.tags):
            return None
        return (not negated, inner)

    def match(self, expression: str) -> str:
        self.params.append(expression)
        return _MATCH

    def clause(self, node: Node) -> str:
        if isinstance(node, And):
            return self.all_of(node.children)
        if isinstance(node, Or):
            if not node.children:
                return "0"
            return "(" + " OR ".join(self.clause(c) for c in node.children) + ")"
        if isinstance(node, Not):
            return f"NOT ({self.clause(node.child)})"
        if isinstance(node, Words):
            sql = self.match(fts_match(self.conn, node))
            if node.kind == "any":
                hits = [t for t in self.tags if tag_holds(node, t)]
                if hits:
                    self.params.extend(hits)
                    marks = ", ".join("?" * len(hits))
                    sql = (
                        f"({sql} OR papers.id IN "
                        f"(SELECT paper FROM temp.pt_tags WHERE tag IN ({marks})))"
                    )
            return sql
        if isinstance(node, Text):
            self.params.append(node.value)
            if node.kind == "repo":
                return "instr(pt_fold(coalesce(papers.repo, '')), ?) > 0"
            if node.kind == "id":
                return (
                    "instr(pt_fold(papers.id || char(10) || coalesce(papers.arxiv_id, '')), ?) > 0"
                )
            self.params.extend([node.value, node.value])
            return (
                "(instr(pt_fold(papers.title), ?) > 0 OR instr(pt_fold(papers.abstract), ?) > 0"
                " OR instr(pt_fold(papers.authors), ?) > 0)"
            )
        if isinstance(node, Has):
            if node.value == "repo":
                return "coalesce(papers.repo, '') != ''"
            if node.value == "links":
                return "papers.links != ''"
            column = "has_note" if node.value == "note" else "tagged"
            return f"papers.id IN (SELECT paper FROM temp.pt_marks WHERE {column})"
        if isinstance(node, Tag):
            self.params.append(node.name)
            return "papers.id IN (SELECT paper FROM temp.pt_tags WHERE tag = ?)"
        if isinstance(node, Date):
            if node.field in STATE_DATES:
                self.params.extend([node.span.start, node.span.end])
                return (
                    f"papers.id IN (SELECT paper FROM temp.pt_marks WHERE {node.field} AND "
                    f"{node.field}_at >= ? AND {node.field}_at < ?)"
                )
            # A paper without the date matches no date term: coalesce, or NOT of NULL is NULL.
            if node.field == "added":
                self.params.extend([node.span.start, node.span.end])
                return "coalesce(papers.added_at >= ? AND papers.added_at < ?, 0)"
            column = "published_day" if node.field == "published" else "digest_day"
            self.params.extend(node.days)
            return f"coalesce(papers.{column} >= ? AND papers.{column} <= ?, 0)"
        assert isinstance(node, Is), node
        if node.value == "new":
            if self.context.new_batch is None:
                return "0"
            self.params.append(self.context.new_batch)
            return "coalesce(papers.added_at = ?, 0)"
        if node.value == "muted":
            return self.muted()
        column = {"unread": "read", "unstarred": "starred"}.get(node.value, node.value)
        inside = f"papers.id IN (SELECT paper FROM temp.pt_marks WHERE {column})"
        return inside if node.value in ("read", "starred", "later") else f"NOT ({inside})"

    def muted(self) -> str:
        """Whether a mute rule matches (rules never consult `is:muted` themselves)."""
        rules = self.context.mutes
        if not rules:
            return "0"
        inner = _Compiler(self.conn, self.tags, QueryContext(self.context.new_batch))
        sql = "(" + " OR ".join(inner.clause(rule) for rule in rules) + ")"
        self.params.extend(inner.params)
        return sql

    def all_of(self, children: Iterable[Node]) -> str:
        others: list[Node] = []
        positive: list[str] = []
        negative: list[str] = []
        for child in children:
            alone = self.words_alone(child)
            if alone is None:
                others.append(child)
            else:
                (positive if alone[0] else negative).append(fts_match(self.conn, alone[1]))
        parts: list[str] = []  # compiled in order: the parameters follow the same order
        if positive:
            expression = " AND ".join(f"({e})" for e in positive)
            expression += "".join(f" NOT ({e})" for e in negative)
            parts.append(self.match(expression))
        parts.extend(self.clause(child) for child in others)
        if not positive:
            parts.extend(f"NOT ({self.match(e)})" for e in negative)
        return "(" + " AND ".join(parts) + ")" if parts else "1"


def compile_where(
    conn: sqlite3.Connection, node: Node, tags: Sequence[str], context: QueryContext
) -> tuple[str, list[Any]]:
    """The SQL condition (over `papers`, with the connection's marks tables) of a query tree,
    and its parameters."""
    compiler = _Compiler(conn, tags, context)
    return compiler.clause(node), compiler.params


@dataclass
class Selection:
    rowids: list[int]
    """The rows matching, in the order asked for."""
    muted: int = 0
    """Rows that matched but a mute rule left out (when asked to count them)."""
    note: str | None = None
    """Why the order is not the one asked for (a relevance order with no word to rank by)."""
    rows: list[Any] = field(default_factory=list)
    """The whole rows, when other columns than the rowid were asked for."""


def select(
    conn: sqlite3.Connection,
    query: Query,
    tags: Sequence[str],
    context: QueryContext,
    *,
    order_by: str = "papers.rowid",
    limit: int | None = None,
    count_muted: bool = False,
    scope: str | None = None,
    columns: str = "papers.rowid",
) -> Selection:
    """The rowids of the papers matching `query` in the order `order_by` (an ORDER BY over
    `papers` and `m`, the marks); with mute rules in the context, muted
    papers are left out unless the query mentions `is:muted`. `scope`: a table of rowids the
    result is limited to (`rowid` column). `columns`: what each row of the result is (the
    rowid by default; `rows` then holds whole rows)."""
    where, params = compile_where(conn, query.root, tags, context)
    hides = bool(context.mutes) and query.hides_muted
    mute_sql, mute_params = "0", list[Any]()
    if hides:
        mute_sql, mute_params = compile_where(conn, Is("muted"), tags, context)
    if columns == order_by == "papers.rowid" and not (scope or hides) and where == f"({_MATCH})":
        # Words alone, asked by rowid in import order (the reader's filter as it is typed):
        # the word index answers by itself, in rowid order, without a row of `papers` read:
        # a first screenful (`limit`) at once, the whole result in a fraction of the time.
        words = "SELECT rowid FROM papers_fts WHERE papers_fts MATCH ? ORDER BY rowid"
        if limit is not None:
            words += f" LIMIT {int(limit)}"
        return Selection([r[0] for r in conn.execute(words, params)])
    scoped = f" AND papers.rowid IN (SELECT rowid FROM {scope})" if scope else ""
    joins = "LEFT JOIN temp.pt_marks m ON m.paper = papers.id"
    sql = f"SELECT {columns} FROM papers {joins} WHERE {where}{scoped}"
    all_params = list(params)
    if hides:
        sql += f" AND NOT {mute_sql}"
        all_params += mute_params
    sql += f" ORDER BY {order_by}"
    if limit is not None:
        sql += f" LIMIT {int(limit)}"
    cursor = conn.execute(sql, all_params)
    rows: list[Any] = []
    rowids: list[int] = []
    if columns == "papers.rowid":
        rowids = [r[0] for r in cursor]
    else:
        rows = cursor.fetchall()
    muted = 0
    if hides and count_muted:
        count_sql = f"SELECT count(*) FROM papers WHERE {where}{scoped} AND {mute_sql}"
        muted = conn.execute(count_sql, params + mute_params).fetchone()[0]
    return Selection(rowids, muted, None, rows)
