"""What the list shows: the query typed, the context it runs under (the latest import for
`is:new`, the mute rules), the order, and the result, the rowids of the matching papers.

A plain class the main screen holds (tests drive it without a screen). `LiveQuery.search` says
what to ask the library; `Search.run`, in a worker, asks it: the first screenful at once when
the order allows (`LIMIT`, so a key redraws the list long before a broad query is counted),
then the whole result. The screen takes each `Result` as it comes (`accept`); a result a newer
key made stale never arrives (its worker was cancelled, its query interrupted).

A query that does not parse falls back to its complete words: while `has:pdf` is typed, the
list shows what `memory` before it matches, never `has`.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from papertray.store import MuteSet, QueryError, display, parse_query
from papertray.store import rules as safe

if TYPE_CHECKING:
    from papertray.store import Library, Paper, PaperState, Query, display, types
    from papertray.tui.ranking import Ranking

__all__ = ["FOR_YOU", "SORTS", "LiveQuery", "Result", "Search", "complete_part", "like_title"]

WORD_START_LETTERS = 3
"""A shorter word being typed is not asked as the start of a word (too many words start so):
the list shows what the words before it find, until it is this long."""
SORTS = tuple(display.SORT_ORDERS)
"""The store's sort orders, in the order `S` cycles through them."""
FOR_YOU = SORTS.index("foryou")
LIKE_TITLE = 50
"""Characters of the paper's title the status line quotes for "more like this"."""


@dataclass(frozen=True)
class Search:
    """One question for the library, with everything it needs (a snapshot: the marks may
    change while it runs)."""

    query: Query
    order: display.SortOrder
    context: types.QueryContext
    states: Mapping[str, PaperState]
    marks_version: object
    scope: Sequence[int] | None = None
    """Only these rowids (the reader opened on files)."""
    ranks: Sequence[int] | None = None
    """The "for you" place of each rowid (see `Ranking`); None: that order is not asked."""
    first_page: int = 0
    """Send the first this many rows on their own first (0: only the whole result)."""

    def run(self, library: Library) -> Iterator[Result]:
        """The result, in one or two parts (call from a worker): the first screenful when the
        order lets the library stop early, then the whole of it with the muted count."""
        ranked = self.ranks is not None
        order_by = "papers.rowid" if ranked or self.order.ranked else self.order.sql
        select = library.select
        if self.first_page and order_by == "papers.rowid" and not ranked:
            first = select(
                self.query,
                self.states,
                context=self.context,
                order_by=order_by,
                limit=self.first_page,
                marks_version=self.marks_version,
                scope=self.scope,
            )
            rowids = array("q", first.rowids)
            if len(rowids) < self.first_page and not self.context.mutes:
                yield Result(self, rowids, complete=True)  # that was all of it
                return
            yield Result(self, rowids, complete=False)
        found = select(
            self.query,
            self.states,
            context=self.context,
            order_by=order_by,
            count_muted=True,
            marks_version=self.marks_version,
            scope=self.scope,
        )
        rowids = array("q", found.rowids)
        if self.ranks is not None:
            ranks, last = self.ranks, len(self.ranks)
            rowids = array("q", sorted(rowids, key=lambda r: ranks[r] if r < last else last + r))
        note = found.note
        if note is None and self.order.column and rowids:
            # Sorted by a value no paper shown has (upvotes of a BibTeX library): say so. The
            # papers with the value come first, so the first paper tells.
            note = display.no_value_note(self.order, library.rows(rowids[:1]))
        yield Result(self, rowids, complete=True, muted=found.muted, note=note)


@dataclass
class Result:
    search: Search
    rowids: array[int]
    complete: bool
    """False for the first screenful of a result still being counted."""
    muted: int = 0
    note: str | None = None
    """Why the order is not the one asked for (relevance without a word to rank by, a value
    no paper shown has)."""


@dataclass
class LiveQuery:
    """The query typed and the result shown, the order and the context of both."""

    scope: list[int] | None = None
    scope_name: str = ""
    text: str = ""
    """The text typed, applied or not."""
    error: str | None = None
    """Why `text` does not parse (the list shows what its complete part matches)."""
    query: Query = field(default_factory=lambda: parse_query(""))
    """What is asked: `text`, or its complete part."""
    sort: int = 0
    sort_before: int = 0
    """The order "for you" keeps while it has nothing to rank by."""
    mutes: MuteSet = field(default_factory=lambda: MuteSet([]))
    rules: list[types.MuteRule] = field(default_factory=list)
    latest: types.ImportBatch | None = None
    result: Result | None = None
    word_start: bool = False
    """The last word of `text` is being typed and the filter as typed found nothing: the list
    shows `word_start_text` (see `ask_word_start`)."""
    word_start_text: str = ""
    """What is asked while `word_start`: the word as the start of a word (`memor*`), or, for a
    word shorter than `WORD_START_LETTERS`, the words before it (`memory` for `memory ef`)."""
    pinned: Query | None = None
    """A query its text does not say all of (a follow opened: its search's query, and papers
    added since it was last seen), asked while the filter holds its text."""

    # -- what is asked ---------------------------------------------------------------------------

    def pin(self, query: Query) -> None:
        """Ask `query` while the filter's text is its text (the screen then types it)."""
        self.pinned = query

    @property
    def described(self) -> str:
        """The query as the status line names it."""
        return f"{self.text} (new since you last looked)" if self.pinned is not None else self.text

    def type(self, text: str) -> None:
        self.text = text
        self.word_start = False
        if self.pinned is not None and text == self.pinned.text:
            self.query, self.error = self.pinned, None
            return
        self.pinned = None
        try:
            self.query = parse_query(text)
            self.error = None
        except QueryError as error:
            self.error = error.message
            self.query = parse_query(complete_part(text))

    @property
    def fallback(self) -> str:
        """What the list shows while `text` does not parse, or while its last word is asked
        as the start of a word."""
        if self.word_start:
            return self.word_start_text
        return complete_part(self.text) if self.error else self.text

    def not_kept(self, verb: str) -> str | None:
        """Why the filter is not one to keep (mute, save, follow), in a line; None when it is.
        Not while it has an error (the list shows what its complete part finds), nor while its
        last word is being typed (the words as typed find nothing, the list shows what the
        word's start finds)."""
        if not self.text.strip():
            return f"Filter first (/): then {verb}."
        if self.error:
            return f"The filter has an error ({self.error}): fix it, then {verb}."
        if self.word_start:
            word = self.text.rsplit(None, 1)[-1]
            shows = f"“{self.fallback}”" if self.fallback.strip() else "all papers"
            finish = f"“{word}”" if len(word) < WORD_START_LETTERS else f"“{word}” or type {word}*"
            return (
                f"The filter's last word is not finished (the list shows {shows}):"
                f" finish {finish}, then {verb}."
            )
        return None

    @property
    def incomplete(self) -> bool:
        """Whether the list shows something else than `text` asks (`fallback`)."""
        return self.error is not None or self.word_start

    def ask_word_start(self) -> bool:
        """Ask for the word being typed something other than nothing, once `text` as typed
        found no paper: `memor` finds what `memor*` does until a space ends the word; a word
        shorter than `WORD_START_LETTERS` leaves the list with what the words before it find
        (`memory ef` shows `memory`, `m` all papers) rather than blank between two letters.
        Only a plain last word (not a phrase, a field or an exclusion); whether it is asked."""
        word = self.text.rsplit(None, 1)[-1] if self.text.strip() else ""
        if self.word_start or self.error or self.pinned is not None or not word.isalnum():
            return False
        if self.text[-1:].isspace():
            return False
        if len(word) >= WORD_START_LETTERS:
            asked = f"{self.text}*"
        else:
            asked = self.text[: len(self.text) - len(word)].rstrip()
        try:
            self.query = parse_query(asked)
        except QueryError:
            return False
        self.word_start, self.word_start_text = True, asked
        return True

    def set_rules(self, rules: list[types.MuteRule]) -> bool:
        """The mute rules in force; whether they changed."""
        if rules == self.rules:
            return False
        self.rules = rules
        self.mutes = MuteSet(rules)
        return True

    @property
    def new_batch(self) -> float | None:
        return self.latest.at if self.latest is not None else None

    def rule_for(self, paper: Paper | None, state: PaperState) -> types.MuteRule | None:
        """The rule that mutes the paper (for the pane), or None."""
        if paper is None or not self.mutes:
            return None
        return self.mutes.rule_for(paper, state, self.new_batch)

    def search(
        self,
        states: Mapping[str, PaperState],
        marks_version: object,
        *,
        ranks: Sequence[int] | None = None,
        first_page: int = 0,
    ) -> Search:
        """The search that answers the query as it is now (run it in a worker). "For you"
        without its `ranks` yet keeps the order before it."""
        order = self.order
        if not self.for_you_shown:
            ranks = None
        elif ranks is None:
            order = display.SORT_ORDERS[SORTS[self.sort_before]]
        return Search(
            self.query,
            order,
            self.mutes.context(self.new_batch),
            dict(states),
            marks_version,
            self.scope,
            ranks,
            first_page,
        )

    @property
    def quick(self) -> bool:
        """Whether the library answers the first screenful at once, so it may be asked on the
        UI thread: no query, or words alone (the word index lists them in import order by
        itself), in digest order, without rules to apply or files to stay within."""
        query = self.query
        words_alone = len(query.ranked_terms) == len(query.terms) == len(query.root.children)
        return self.sort == 0 and not self.mutes and self.scope is None and words_alone

    # -- the order --------------------------------------------------------------------------------

    @property
    def order(self) -> display.SortOrder:
        if self.sort == 0 and self.query.asks_for_the_queue:
            # `is:later` reads the queue oldest first (issue 23)
            return display.SORT_ORDERS["later"]
        return display.SORT_ORDERS[SORTS[self.sort]]

    @property
    def for_you_shown(self) -> bool:
        return self.sort == FOR_YOU

    def cycle(self) -> None:
        """The next order (`S`); "for you" remembers the one before, kept until it is ranked."""
        previous, self.sort = self.sort, (self.sort + 1) % len(SORTS)
        if self.for_you_shown:
            self.sort_before = previous

    @property
    def before_label(self) -> str:
        return display.SORT_ORDERS[SORTS[self.sort_before]].label

    def label(self, ranking: Ranking) -> str:
        """The order as the status line names it: "more like this" open, "for you" without
        anything to rank by, a relevance order without words, or the order itself."""
        like, for_you = ranking.like, ranking.for_you
        if like is not None:
            return f"like {like_title(like.title)} (escape: back)"
        label = self.order.label
        if self.for_you_shown and for_you is not None and for_you.ranks is None:
            return f"{label}: no {for_you.what} yet, {self.before_label}"
        note = self.result.note if self.result is not None else None
        return f"{label} ({note})" if note else label

    # -- the answer -------------------------------------------------------------------------------

    def accept(self, result: Result) -> None:
        self.result = result

    @property
    def rowids(self) -> Sequence[int]:
        return self.result.rowids if self.result is not None else ()

    @property
    def counting(self) -> bool:
        """Whether the result shown is its first screenful, the rest still being counted."""
        return self.result is not None and not self.result.complete

    def add_to_scope(self, rowids: Sequence[int]) -> None:
        """A reader opened on files shows what a fetch from it brought, too."""
        if self.scope is not None:
            self.scope = list(dict.fromkeys([*self.scope, *rowids]))


def like_title(title: str) -> str:
    """The paper "more like this" ranks against, quoted in the status line: a long title is
    cut with an ellipsis, so it reads as cut."""
    return f"“{safe.quoted(safe.shown_text(title), LIKE_TITLE)}”"


def complete_part(text: str) -> str:
    """The longest prefix of `text`, cut at a space, that parses ("" when none does)."""
    cut = len(text)
    while cut > 0:
        cut = text.rfind(" ", 0, cut)
        if cut <= 0:
            return ""
        try:
            parse_query(text[:cut])
        except QueryError:
            continue
        return text[:cut]
    return ""
