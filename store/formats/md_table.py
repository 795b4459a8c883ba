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
_LINK = re.compile(r"\[((?:[^\[\]]|\[[^\]]*\])*)\]\((https?://[^)\s]+)\)")  # [[pdf]](url)
# A badge that links somewhere: [![stars](https://img.shields.io/...)](https://github.com/o/r).
_BADGE = re.compile(r"\[\s*!\[[^\]]*\]\([^)\s]*\)\s*\]\((https?://[^)\s]+)\)")
_IMAGE = re.compile(r"!\[[^\]]*\]\([^)\s]*\)")
_BARE_URL = re.compile(r"(?<![(\w])https?://[^\s|<>()\[\]]+")
# Emphasis and code spans: **bold**, __bold__, *italic*, ~~struck~~, `code`. A lone _ is left:
# snake_case names are common in papers' titles.
_EMPHASIS = re.compile(r"(\*\*|__|\*|~~|`)(?=\S)(.+?)(?<=\S)\1")
_READ_MORE = "(Read more on "
_TITLE_COLUMNS = ("title", "paper", "paper title", "name")
_TEXT_COLUMNS = ("summary", "abstract", "tl;dr", "description")
# Columns whose links are the paper's: its code (the repo) and its PDF or page.
_LINK_COLUMNS = (
    "code", "repo", "repository", "github", "pdf", "paper", "link", "links", "url", "arxiv",
    "project", "project page", "website", "page",
)  # fmt: skip


def markdown_text(cell: str) -> tuple[str, list[str]]:
    """A cell's text without Markdown or HTML (badges, images, emphasis, `<br>`, entities),
    and the links it held, in order."""
    from papertray.store.formats.markup import markup_to_text

    links = _BADGE.findall(cell)
    text = _IMAGE.sub("", _BADGE.sub("", cell))
    links += [url for _, url in _LINK.findall(text)]
    links += _BARE_URL.findall(_LINK.sub("", text))
    text = _LINK.sub(r"\1", text)
    for _ in range(3):  # nested emphasis: ***x***, **_x_**
        text = _EMPHASIS.sub(r"\2", text)
    text = markup_to_text(text.replace("<br>", " <br> "))
    return " ".join(text.split()), links


def _header(row: str) -> list[str]:
    return [markdown_text(c)[0].lower().rstrip(":") for c in _cells(row)]


def sniff(head: str) -> bool:
    lines = [line.strip() for line in head.split("\n")[:50] if line.strip()]
    for first, second in zip(lines, lines[1:], strict=False):
        if first.startswith("|") and _RULE.fullmatch(second):
            return any(c in _TITLE_COLUMNS for c in _header(first))
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
    header = _header(lines[start])
    title_at = next((header.index(name) for name in _TITLE_COLUMNS if name in header), None)
    if title_at is None:
        raise refuse("no Title column")
    text_at = next((i for i, c in enumerate(header) if c in _TEXT_COLUMNS), None)
    authors_at = next((i for i, c in enumerate(header) if c.startswith("author")), None)
    link_at = [i for i, c in enumerate(header) if c in _LINK_COLUMNS and i != title_at]
    # Each row's lines, joined once at the end: adding each wrapped line to the row's string
    # copies all the row holds so far, for every line.
    rows: list[list[str]] = []
    for line in lines[start + 2 :]:
        if line.strip().startswith("|"):
            rows.append([line.strip()])
        elif line.strip() and rows:
            rows[-1].append(line.strip())  # a cell wrapped onto the next line
        elif rows and not line.strip():
            break
    papers: list[Paper] = []
    for number, row in enumerate((" ".join(parts) for parts in rows), start=1):
        cells = _cells(row)
        if len(cells) != len(header):
            raise refuse(f"row {number} has {len(cells)} cells, the header {len(header)}")
        title, links = markdown_text(cells[title_at])
        title = _without_read_more(title)
        abstract, found = markdown_text(cells[text_at]) if text_at is not None else ("", [])
        for at in link_at:
            links += markdown_text(cells[at])[1]
        authors = markdown_text(cells[authors_at])[0] if authors_at is not None else ""
        paper = make_paper(
            title=title,
            abstract=abstract,
            authors=[a.strip() for a in authors.split(",") if a.strip()],
            arxiv=next(filter(None, map(arxiv_from_url, links)), None),
            links=links + found,
            source=source,
            unwrap_abstract=True,
        )
        if paper is None or paper.title.startswith(("[", "|", "<", "#")):
            raise refuse(f"row {number} has no title")
        papers.append(paper)
    if not papers:
        raise refuse("no rows")
    return Parsed(papers)


def _without_read_more(title: str) -> str:
    """The title before its "(Read more on ...)" up to a closing parenthesis at the end. Found
    with `str.find`: a regex would scan to the end from each of a hostile title's many copies."""
    title = title.strip()
    at = title.find(_READ_MORE)
    if at >= 0 and title.endswith(")") and len(title) > at + len(_READ_MORE):
        return title[:at].strip()
    return title


def _cells(row: str) -> list[str]:
    row = row.strip()
    if row.startswith("|"):
        row = row[1:]
    if row.endswith("|"):
        row = row[:-1]
    # "\|" is a pipe inside a cell.
    return [cell.replace("\\|", "|").strip() for cell in re.split(r"(?<!\\)\|", row)]
