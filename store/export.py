"""Render papers and their marks as the CLI's formats: table, json, jsonl, md, csv, bibtex,
ris (the citations: `store/citation.py`)."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator
from typing import Any

import orjson

from papertray.store.citation import bibtex_entries, ris_records
from papertray.store.links import link_label
from papertray.store.markers import markers_for, row_marks, shown_id
from papertray.store.models import Paper, PaperState
from papertray.store.sanitize import clean_text, one_line, shown_text

OUTPUT_FORMATS = ("table", "json", "jsonl", "md", "csv", "bibtex", "ris")

Row = tuple[Paper, PaperState]


def record(paper: Paper, state: PaperState) -> dict[str, Any]:
    """The JSON record of one paper: what scripts get from `papertray list --format json`."""
    data: dict[str, Any] = {
        "id": paper.id,
        "title": paper.title,
        "abstract": paper.abstract,
        "authors": list(paper.authors),
        "published": paper.published,
        "links": list(paper.links),
        "repo": paper.repo,
        "read": state.read,
        "starred": state.starred,
        "later": state.later,
        "tags": list(state.tags),
        "note": state.note,
        "source": paper.source,
    }
    for extra in (
        "arxiv_id", "arxiv_version", "upvotes", "stars", "comments", "digest_date", "added_at",
    ):  # fmt: skip
        value = getattr(paper, extra)
        if value is not None:
            data[extra] = value
    # When each mark was made (POSIX seconds), for scripts asking what was read when.
    if state.read_at is not None and state.read:
        data["read_at"] = state.read_at
    if state.starred_at is not None and state.starred:
        data["starred_at"] = state.starred_at
    if state.later_at is not None and state.later:
        data["later_at"] = state.later_at
    if paper.keywords:
        data["keywords"] = list(paper.keywords)
    if paper.categories:
        data["categories"] = list(paper.categories)
    if paper.remarks:
        data["remarks"] = paper.remarks
    if state.conflicting_note:
        # A note written on another machine at the same time, which lost (see sync).
        data["conflicting_note"] = state.conflicting_note
    return _shown_record(data)


def _shown_record(data: dict[str, Any]) -> dict[str, Any]:
    """The record's text without control characters: a library stored by an earlier version,
    or edited by hand, may hold them, and orjson escapes C0 controls but writes C1 and bidi
    controls raw to a terminal. The source (a file name) is written as the import said it."""
    for key, value in data.items():
        if isinstance(value, str):
            data[key] = shown_text(value)
        elif isinstance(value, list):
            data[key] = [shown_text(v) if isinstance(v, str) else v for v in value]
    data["source"] = one_line(data["source"])
    return data


def render_bytes(rows: Iterable[Row], fmt: str, *, width: int = 100) -> Iterator[bytes]:
    """`render` as UTF-8 bytes. JSON comes out of orjson as bytes: passing them straight to the
    output skips decoding and re-encoding the whole export."""
    if fmt == "jsonl":
        dumps, option = orjson.dumps, orjson.OPT_APPEND_NEWLINE
        batch: list[bytes] = []
        for paper, state in rows:
            batch.append(dumps(record(paper, state), option=option))
            if len(batch) == 1000:
                yield b"".join(batch)
                batch.clear()
        yield b"".join(batch)
    elif fmt == "json":
        records = [record(paper, state) for paper, state in rows]
        yield orjson.dumps(records, option=orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE)
    else:
        for chunk in render(rows, fmt, width=width):
            yield chunk.encode("utf-8")


def render(rows: Iterable[Row], fmt: str, *, width: int = 100) -> Iterator[str]:
    """Yield the output in chunks, so 100k papers stream instead of building one huge string."""
    if fmt in ("jsonl", "json"):
        for chunk in render_bytes(rows, fmt, width=width):
            yield chunk.decode("utf-8")
    elif fmt == "table":
        yield from _table(rows, width)
    elif fmt == "md":
        yield from _markdown(rows)
    elif fmt == "csv":
        yield from _csv(rows)
    elif fmt == "bibtex":
        yield from bibtex_entries(rows)
    elif fmt == "ris":
        yield from ris_records(rows)
    else:
        raise ValueError(f"unknown output format {fmt!r} (choose from {', '.join(OUTPUT_FORMATS)})")


def _line(text: str) -> str:
    # Library and state files can be edited by hand: never let a control character reach a terminal.
    return clean_text(text)


def _table(rows: Iterable[Row], width: int) -> Iterator[str]:
    markers = markers_for()  # what the locale can show, as the reader's rows
    for paper, state in rows:
        tags = " ".join(f"#{t}" for t in state.tags)
        head = f"{row_marks(paper, state, markers).joined()} {shown_id(paper):<18} "
        room = max(10, width - len(head) - (len(tags) + 1 if tags else 0))
        title = _line(paper.title)
        if len(title) > room:
            title = title[: room - 1] + "…"
        yield f"{head}{title}{' ' + _line(tags) if tags else ''}\n"


def _markdown(rows: Iterable[Row]) -> Iterator[str]:
    for paper, state in rows:
        title = _md_escape(_line(paper.title))
        parts = [f"- [{'x' if state.read else ' '}] {'⭐ ' if state.starred else ''}**{title}**"]
        if paper.repo:  # named by its host, as the reader's pane names it: ([GitHub](...))
            parts.append(f"([{link_label(paper.repo) or 'code'}]({_line(paper.repo)}))")
        if state.tags:
            parts.append(" ".join(f"`{_line(t)}`" for t in state.tags))
        yield " ".join(parts) + f" <!-- {one_line(paper.id)} -->\n"
        if state.note:
            yield f"  > {_md_escape(_line(state.note))}\n"


def _md_escape(text: str) -> str:
    return re.sub(r"([\\`*_\[\]<>#|])", r"\\\1", text)


_CSV_FIELDS = (
    "id",
    "title",
    "authors",
    "published",
    "repo",
    "links",
    "read",
    "starred",
    "tags",
    "note",
    "source",
    "abstract",
)


def _csv(rows: Iterable[Row]) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(_CSV_FIELDS)
    for paper, state in rows:
        # No control character in a cell (see `_shown_record`).
        writer.writerow(
            [
                shown_text(paper.id),
                shown_text(paper.title),
                shown_text("; ".join(paper.authors)),
                shown_text(paper.published or ""),
                shown_text(paper.repo or ""),
                shown_text(" ".join(paper.links)),
                int(state.read),
                int(state.starred),
                shown_text(" ".join(state.tags)),
                shown_text(state.note),
                one_line(paper.source),
                shown_text(paper.abstract),
            ]
        )
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
    yield buffer.getvalue()


RankedRow = tuple[Paper, PaperState, float, "list[str]"]


def render_ranked_bytes(
    rows: Iterable[RankedRow], fmt: str, *, width: int = 100
) -> Iterator[bytes]:
    """Papers ranked by similarity (`papertray similar`), best first: as `render_bytes`, with the
    score and the shared words. The table puts them on a line under each paper; JSON records
    gain `score` and `shares`; the other formats are the papers alone."""
    if fmt in ("json", "jsonl"):
        records = []
        for paper, state, score, shares in rows:
            data = record(paper, state)
            data["score"] = round(score, 4)
            data["shares"] = list(shares)
            records.append(data)
        if fmt == "json":
            yield orjson.dumps(records, option=orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE)
        else:
            yield b"".join(orjson.dumps(r, option=orjson.OPT_APPEND_NEWLINE) for r in records)
    elif fmt == "table":
        for paper, state, score, shares in rows:
            (line,) = _table([(paper, state)], width)
            why = f"{' ' * 4}{score:.2f}  shares: {_line(', '.join(shares))}"
            yield (line + why[:width] + "\n").encode("utf-8")
    else:
        yield from render_bytes(((p, s) for p, s, _score, _shares in rows), fmt, width=width)
