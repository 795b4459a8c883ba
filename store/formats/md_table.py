"""A Markdown table digest, one paper per row, read exactly or not at all:

    | Title | Authors | Summary |
    |-------|---------|---------|
    | Memory Barrier (Read more on [arXiv](https://arxiv.org/abs/2410.17243)) | Kehan Li | a) ... |

A title cell may wrap onto the next line. Every row must have the header's columns and a title,
or the whole file is refused: a table half read is worse than none."""

from __future__ import annotations

import re

from papertray.store.formats._common import Parsed, arxiv_from_url, make_paper
from papertray.store.models import Paper

NAME = "md-table"
_RULE = re.compile(r"\|?\s*:?-{3,}:?\s*(?:\|\s*:?-{3,}:?\s*)+\|?")
_LINK = re.compile(r"\[([^\]]*)\]\((https?://[^)\s]+)\)")
_READ_MORE = re.compile(r"\s*\(Read more on .*\)\s*$")
_TITLE_COLUMNS = ("title", "paper")
_TEXT_COLUMNS = ("summary", "abstract", "tl;dr", "description")


def sniff(head: str) -> bool:
    lines = [line.strip() for line in head.split("\n")[:50] if line.strip()]
    for first, second in zip(lines, lines[1:], strict=False):
        if first.startswith("|") and _RULE.fullmatch(second):
            header = [c.strip().lower() for c in first.strip("|").split("|")]
            return any(c in _TITLE_COLUMNS for c in header)
    return False


def parse(text: str, source: str = "") -> Parsed:
    from papertray.store.formats.common import IngestError

    def refuse(why: str) -> IngestError:
        return IngestError(
            f"a Markdown table papertray cannot read exactly ({why}): refusing the file rather "
            "than reading half of it"
        )

    lines = text.replace("\r\n", "\n").split("\n")
    start = next(
        (i for i in range(len(lines) - 1) if lines[i].strip().startswith("|")
         and _RULE.fullmatch(lines[i + 1].strip())),
        None,
    )  # fmt: skip
    if start is None:
        raise refuse("no header row")
    header = [c.strip().lower() for c in _cells(lines[start])]
    title_at = next((i for i, c in enumerate(header) if c in _TITLE_COLUMNS), None)
    if title_at is None:
        raise refuse("no Title column")
    text_at = next((i for i, c in enumerate(header) if c in _TEXT_COLUMNS), None)
    authors_at = next((i for i, c in enumerate(header) if c.startswith("author")), None)
    rows: list[str] = []
    for line in lines[start + 2 :]:
        if line.strip().startswith("|"):
            rows.append(line.strip())
        elif line.strip() and rows:
            rows[-1] += " " + line.strip()  # a cell wrapped onto the next line
        elif rows and not line.strip():
            break
    papers: list[Paper] = []
    for number, row in enumerate(rows, start=1):
        cells = _cells(row)
        if len(cells) != len(header):
            raise refuse(f"row {number} has {len(cells)} cells, the header {len(header)}")
        title_cell = cells[title_at]
        links = [url for _, url in _LINK.findall(title_cell)]
        title = _READ_MORE.sub("", _LINK.sub(r"\1", title_cell)).strip()
        paper = make_paper(
            title=title,
            abstract=cells[text_at] if text_at is not None else "",
            authors=[a.strip() for a in cells[authors_at].split(",") if a.strip()]
            if authors_at is not None
            else [],
            arxiv=next(filter(None, map(arxiv_from_url, links)), None),
            links=links,
            source=source,
            unwrap_abstract=True,
        )
        if paper is None or paper.title.startswith(("[", "|", "<", "#")):
            raise refuse(f"row {number} has no title")
        papers.append(paper)
    if not papers:
        raise refuse("no rows")
    return Parsed(papers)


def _cells(row: str) -> list[str]:
    row = row.strip()
    if row.startswith("|"):
        row = row[1:]
    if row.endswith("|"):
        row = row[:-1]
    # "\|" is a pipe inside a cell.
    return [cell.replace("\\|", "|").strip() for cell in re.split(r"(?<!\\)\|", row)]
