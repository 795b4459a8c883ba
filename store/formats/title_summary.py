"""Labelled text, one paper per block, blocks separated by `---` lines:

    Title: Task Me Anything
    PDF: https://arxiv.org/pdf/2406.11775
    Summary: Benchmarks for large multimodal language models ...
    ---

Read exactly or not at all: a block with any other shape refuses the whole file (a file that
merely has some `Title:` lines is something else)."""

from __future__ import annotations

import re

from papertray.store.formats._common import Parsed, arxiv_from_url, make_paper
from papertray.store.models import Paper

NAME = "title-summary"
_LABELS = ("title", "pdf", "url", "link", "summary", "abstract", "authors", "date")
_LINE = re.compile(r"([A-Za-z]+):[ \t]*(.*)")
_SEPARATOR = re.compile(r"^-{3,}[ \t]*$", re.M)


def sniff(head: str) -> bool:
    start = head.lstrip()
    return start.startswith("Title:") and ("\nSummary:" in head or "\nAbstract:" in head)


def parse(text: str, source: str = "") -> Parsed:
    from papertray.store.formats.common import IngestError

    text = text.replace("\r\n", "\n")
    papers: list[Paper] = []
    for number, block in enumerate(_SEPARATOR.split(text), start=1):
        if not block.strip():
            continue
        # Each label's lines, joined once at the end: adding each wrapped line to the string
        # copies all the summary holds so far, for every line.
        parts: dict[str, list[str]] = {}
        last = ""
        for line in block.strip("\n").split("\n"):
            found = _LINE.fullmatch(line)
            if found and found.group(1).lower() in _LABELS:
                last = found.group(1).lower()
                parts[last] = [found.group(2)]
            elif last in ("summary", "abstract") and line.strip():  # a wrapped summary
                parts[last].append(line.strip())
            elif line.strip():
                raise IngestError(
                    f"block {number} is not Title:/PDF:/Summary: text ({line[:40]!r}): "
                    "refusing the file rather than reading half of it"
                )
        fields = {label: " ".join(lines) for label, lines in parts.items()}
        abstract = fields.get("summary") or fields.get("abstract") or ""
        links = [fields[k].strip() for k in ("pdf", "url", "link") if fields.get(k)]
        paper = make_paper(
            title=fields.get("title", ""),
            abstract=abstract,
            authors=[a.strip() for a in fields.get("authors", "").split(",") if a.strip()],
            arxiv=next(filter(None, map(arxiv_from_url, links)), None),
            links=links,
            source=source,
            unwrap_abstract=True,
        )
        if paper is None:
            raise IngestError(
                f"block {number} has no title: refusing the file rather than reading half of it"
            )
        papers.append(paper)
    return Parsed(papers)
