"""The query language described once, as plain data: the help screen, the filter bar's hint and
the README's table are made from (or checked against) these rows. The grammar itself is the
store's (`papertray.store.query`); a test feeds every example here through `parse_query`."""

from __future__ import annotations

__all__ = ["FILTER_HINT", "QUERY_ROWS", "QueryRow"]

# (examples, what they match): each example is one query as typed.
QueryRow = tuple[tuple[str, ...], str]

QUERY_ROWS: tuple[QueryRow, ...] = (
    (
        ("memory efficient", "transformer"),
        "both words, anywhere in title, abstract, authors or tags; a lowercase word finds every"
        " form of it (`transformer`: Transformers, transformation), case and accents aside",
    ),
    (
        ("RAG", '"low bit"', "low-bit"),
        "as written: a capitalised word (`RAG`, not ragged), a phrase or a hyphenated word"
        " (the words in a row: `low-bit`, `low bit`)",
    ),
    (("transform*", '"low b"*'), "a prefix: words that start so"),
    (("contains:rag",), "the text anywhere, inside words too (leverage, storage)"),
    (("-survey", '-"phrase"', "-tag:done"), "not this; every term and field can be negated"),
    (
        ("llm OR vlm", "(llm OR vlm) -survey"),
        "either (`OR` binds tighter than the spaces: `a b OR c` is a AND (b OR c)); `( )` groups",
    ),
    (
        ("is:read", "is:unread", "is:starred", "is:unstarred", "is:later"),
        "your marks (`is:later`: your read-later queue; `--sort later` reads it oldest first)",
    ),
    (("tag:NAME",), "tagged NAME"),
    (("has:repo", "has:note", "has:tags", "has:links"), "papers that have one"),
    (
        ("title:WORD", "abstract:WORD", "author:NAME"),
        'words in one field, by the same rules (`title:"low bit"`, `author:hinton`)',
    ),
    (("repo:TEXT", "id:TEXT"), "text in the code link or the id (`repo:microsoft`, `id:2406`)"),
    (
        ("starred:<7d", "read:today", "read:2024-03-18"),
        "when you starred / read it (only papers starred / read now)",
    ),
    (("added:>2024-03-01",), "first imported after that day (a re-import never moves it)"),
    (("published:2024-03",), "the arXiv/HF date of the paper"),
    (("digest:2024-03-18",), "the day the paper was on the HF daily page"),
    (
        ("read:yesterday", "added:>=2024-03", "published:2024-03-01..2024-03-18", "read:>2w"),
        "dates: a day, month or year, today, yesterday, a range; `<` `<=` `>` `>=` before it;"
        " relative `7d` (within), `>2w` (longer ago), units h d w mo y",
    ),
    (("is:new",), "added by the latest import (or fetch) that added papers"),
    (("is:muted",), "papers a mute rule hides (they are left out of every other query)"),
)

# The filter bar's placeholder: the most used forms, in the order of the rows above.
FILTER_HINT = 'filter: words  "phrase"  pre*  -exclude  is:unread  tag:llm  has:repo  author:name'
