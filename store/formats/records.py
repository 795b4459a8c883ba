"""The `json` and `jsonl` formats: a list of paper objects (or an object holding one under
`papers`, `items`, `results` or `data`), or one paper object per line.

A record needs a `title`; `abstract` (or `summary`), `authors`, `id`/`arxiv_id`, `url`,
`published` and the daily-papers API's fields are read when present (see `record_paper`, which
`hf_api` shares). orjson parses 100k records in a quarter of a second.
"""

from __future__ import annotations

from typing import Any

import orjson

from papertray.store.formats.common import Digest, IngestError, IngestResult, dedupe
from papertray.store.formats.fields import (
    arxiv_from_url,
    arxiv_version_of,
    author_list,
    date_field,
    field_urls,
    int_field,
    keyword_list,
    normalize_arxiv_id,
    text_field,
    url_list,
)
from papertray.store.links import extract_links, order_links
from papertray.store.models import Paper, paper_id, title_key


def parse_json(digest: Digest) -> IngestResult:
    """`json`: a list of paper objects."""
    return parse_records_as(digest, "json", "(expected a list of paper objects)")


def parse_records_as(digest: Digest, fmt: str, expected: str = "") -> IngestResult:
    """The papers of a JSON digest's records (detection may have parsed them already) read as
    the format `fmt`; `IngestError` naming what was `expected` when it holds none."""
    records = digest.records
    if records is None:
        records = records_of(load_json(digest.text))
        if records is None:
            raise IngestError(" ".join(("the JSON holds no papers", expected)).strip())
    return finish_records(records, fmt, digest.source, digest.warnings)


def parse_jsonl(digest: Digest) -> IngestResult:
    """`jsonl`: one paper object per line; other lines are skipped, with a warning."""
    records = digest.records
    if records is None:
        records = jsonl_records(digest.text, digest.warnings)
    return finish_records(records, "jsonl", digest.source, digest.warnings)


def load_json(text: str) -> Any:
    try:
        return orjson.loads(text)
    except (ValueError, TypeError, RecursionError) as err:
        raise IngestError(f"not valid JSON: {one_line(err)}") from None


def one_line(err: BaseException) -> str:
    lines = str(err).splitlines()
    return lines[0] if lines else type(err).__name__


def records_of(doc: Any) -> list[Any] | None:
    if isinstance(doc, list):
        return doc
    if isinstance(doc, dict):
        for key in ("papers", "items", "results", "data"):
            if isinstance(doc.get(key), list):
                return list(doc[key])
        if "title" in doc or isinstance(doc.get("paper"), dict):
            return [doc]
    return None


def jsonl_records(text: str, warnings: list[str]) -> list[Any]:
    records: list[Any] = []
    bad = 0
    first_bad = 0
    for number, line in enumerate(text.split("\n"), start=1):
        if not line or line.isspace():
            continue
        try:
            obj = orjson.loads(line)
        except (ValueError, TypeError, RecursionError):
            obj = None
        if isinstance(obj, dict):
            records.append(obj)
        else:
            bad += 1
            first_bad = first_bad or number
    if not records:
        raise IngestError("no JSON objects found (expected one paper object per line)")
    if bad:
        warnings.append(
            f"skipped {bad} line(s) that are not JSON objects (first: line {first_bad})"
        )
    return records


def record_paper(record: dict[str, Any], source: str) -> Paper | None:
    """One paper from a generic record or a daily-papers API item (nested `paper`)."""
    item: dict[str, Any] = record
    inner = record.get("paper")
    if isinstance(inner, dict):
        paper: dict[str, Any] = inner
        # The day it was on the daily page: `submittedOnDailyAt` (2026 responses); the item's
        # `publishedAt` is that day in 2024 responses but the arXiv date - 4 h in 2026 ones.
        digest_date = date_field(paper.get("submittedOnDailyAt")) or date_field(
            item.get("publishedAt")
        )
        comments = int_field(item.get("numComments"))
    else:
        paper = record
        digest_date = date_field(record.get("digest_date")) or date_field(
            record.get("submittedOnDailyAt")
        )
        comments = int_field(record.get("comments", record.get("numComments")))

    title = text_field(paper.get("title")) or text_field(item.get("title"))
    if not title or not title_key(title):  # "---", "}": no title, no paper
        return None
    abstract = ""
    found_details = item.get("details")
    details: dict[str, Any] = found_details if isinstance(found_details, dict) else {}
    for key in ("abstract", "summary"):
        abstract = text_field(paper.get(key), multiline=True) or text_field(
            item.get(key), multiline=True
        )
        abstract = abstract or text_field(details.get(key), multiline=True)  # scraper bots' JSON
        if abstract:
            break

    arxiv_id = normalize_arxiv_id(paper.get("arxiv_id")) or normalize_arxiv_id(paper.get("id"))
    if arxiv_id is None:
        urls = url_list(paper.get("url")) + url_list(paper.get("paper_url"))
        arxiv_id = next(filter(None, map(arxiv_from_url, urls)), None)

    # The API's own repo goes first, so it is the paper's repo even if the abstract names another.
    # A field must be a URL itself: "javascript:...https://..." is dropped, not mined.
    found = field_urls(paper, "githubRepo", "repo")
    if "://" in abstract:
        found += extract_links(abstract)
    found += field_urls(paper, "projectPage", "links", "url")
    links, repo = order_links(found) if found else ((), None)

    return Paper(
        id=paper_id(arxiv_id=arxiv_id, title=title),
        title=title,
        abstract=abstract,
        authors=tuple(author_list(paper.get("authors"))),
        published=date_field(paper.get("publishedAt", paper.get("published"))),
        links=links,
        repo=repo,
        source=source,
        arxiv_id=arxiv_id,
        upvotes=int_field(paper.get("upvotes")),
        stars=int_field(paper.get("githubStars", paper.get("stars"))),
        comments=comments,
        keywords=tuple(keyword_list(paper.get("ai_keywords", paper.get("keywords")))),
        digest_date=digest_date,
        # What `papertray list --format json` writes besides: read back, so an export imports
        # whole into another library.
        categories=tuple(keyword_list(paper.get("categories"))),
        remarks=text_field(paper.get("remarks")),
        arxiv_version=_version(paper),
    )


def _version(paper: dict[str, Any]) -> int | None:
    """The record's `arxiv_version` (as an arXiv id may write one: 1 to 999), else the version
    its arXiv id names."""
    version = int_field(paper.get("arxiv_version"))
    if version is not None and 1 <= version <= 999:
        return version
    return arxiv_version_of(paper.get("arxiv_id")) or arxiv_version_of(paper.get("id"))


def finish_records(records: list[Any], fmt: str, source: str, warnings: list[str]) -> IngestResult:
    papers: list[Paper] = []
    skipped = 0
    for record in records:
        made = record_paper(record, source) if isinstance(record, dict) else None
        if made is None:
            skipped += 1
        else:
            papers.append(made)
    if not papers:
        raise IngestError(f"no papers found: none of the {len(records)} record(s) has a title")
    if skipped:
        warnings.append(f"skipped {skipped} record(s) without a title")
    if not any(p.abstract or p.authors for p in papers):
        from papertray.store.formats.refuse import is_paper, message

        if not any(is_paper(p, abstract_like=False) for p in papers):
            first = next((r for r in records if isinstance(r, dict)), {})
            fields = ", ".join(list(map(str, first))[:6])
            raise IngestError(
                message(
                    f"JSON records that are not papers (no abstracts, authors or ids; "
                    f"fields {fields})"
                )
            )
    return dedupe(papers, fmt, warnings)
