"""The relevance order: BM25 over stems, as a stemmed index would rank.

FTS5's own `bm25()` ranks the phrases of its query, and the word index holds words unstemmed: a
stemmed word reaches it as an OR of its forms (`efficient OR efficiency OR efficiently`), each
with its own rarity, so a paper holding a rare form would outrank one holding the word in its
title. Here each word of the query counts once, with all its forms together, as notmuch (Xapian)
ranks: per paper, the occurrences of the word's forms (FTS5's `instance` vocabulary), weighted
by column (a title word counts `WEIGHTS[0]` times), saturated and length-normalised by BM25
(k1 = 1.2, b = 0.75), times the word's inverse document frequency over the library.
"""

from __future__ import annotations

import math
import sqlite3
from collections import defaultdict
from collections.abc import Iterable, Sequence

import orjson

from papertray.store.query_sql import terms_with_stem
from papertray.store.query_tree import Words

__all__ = ["WEIGHTS", "rank"]

WEIGHTS = (10.0, 1.0, 2.0)
"""Title, abstract and authors: a word in the title says most about what a paper is."""
K1 = 1.2
B = 0.75


def _varints(blob: bytes) -> Iterable[int]:
    """FTS5's docsize record: each column's length as an SQLite varint."""
    value = 0
    for byte in blob:
        value = (value << 7) | (byte & 0x7F)
        if not byte & 0x80:
            yield value
            value = 0


def _forms(conn: sqlite3.Connection, node: Words) -> list[str]:
    """The indexed words a query word stands for."""
    if node.how == "stem":
        return terms_with_stem(conn, node.words[0])
    forms = list(node.words)
    if node.how == "prefix":
        last = node.words[-1]
        forms[-1:] = [
            r[0]
            for r in conn.execute(
                "SELECT term FROM terms WHERE term >= ? AND term < ?", (last, last + "\uffff")
            )
        ] or [last]
    return forms


def _length(conn: sqlite3.Connection, rowids: Sequence[int]) -> dict[int, int]:
    wanted = orjson.dumps(list(rowids)).decode()
    return {
        r[0]: sum(_varints(r[1]))
        for r in conn.execute(
            "SELECT id, sz FROM papers_fts_docsize WHERE id IN (SELECT value FROM json_each(?))",
            (wanted,),
        )
    }


def average_length(conn: sqlite3.Connection) -> float:
    """The mean length (in words) of a paper's indexed text, over the whole library."""
    total = count = 0
    for (blob,) in conn.execute("SELECT sz FROM papers_fts_docsize"):
        total += sum(_varints(blob))
        count += 1
    return total / count if count else 1.0


def rank(
    conn: sqlite3.Connection, rowids: Sequence[int], words: Sequence[Words], avg: float
) -> list[int]:
    """`rowids` (the papers a query matched) best first; ties keep their order. `avg`:
    `average_length` of the library."""
    if not rowids or not words:
        return list(rowids)
    wanted = set(rowids)
    total = conn.execute("SELECT count(*) FROM papers").fetchone()[0] or 1
    conn.execute(
        "CREATE VIRTUAL TABLE IF NOT EXISTS temp.pt_instances "
        "USING fts5vocab(main, papers_fts, 'instance')"
    )
    lengths = _length(conn, rowids)
    score: dict[int, float] = defaultdict(float)
    for node in dict.fromkeys(words):
        columns = {"title": (0,), "abstract": (1,), "author": (2,)}.get(node.kind, (0, 1, 2))
        forms = _forms(conn, node)
        marks = ", ".join("?" * len(forms))
        frequency: dict[int, float] = defaultdict(float)
        holders = 0
        for doc, column, count in conn.execute(
            f"SELECT doc, col, count(*) FROM temp.pt_instances WHERE term IN ({marks}) "
            "GROUP BY doc, col",
            forms,
        ):
            index = ("title", "abstract", "authors").index(column)
            if index not in columns:
                continue
            if doc not in frequency:
                holders += 1
            frequency[doc] += WEIGHTS[index] * count
        idf = math.log(1.0 + (total - holders + 0.5) / (holders + 0.5))
        for doc, tf in frequency.items():
            if doc in wanted:
                norm = K1 * (1.0 - B + B * lengths.get(doc, avg) / avg)
                score[doc] += idf * tf * (K1 + 1.0) / (tf + norm)
    order = {rowid: n for n, rowid in enumerate(rowids)}
    return sorted(rowids, key=lambda r: (-score.get(r, 0.0), order[r]))
