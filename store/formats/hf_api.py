"""The `hf-api` format: the Hugging Face `/api/daily_papers` response, a list of items each
holding its `paper`. Upvotes, the GitHub repo and its stars, the project page, keywords and the
comment count are kept; the item's `publishedAt` is the day the paper was in the digest."""

from __future__ import annotations

from typing import Any

from papertray.store.formats.common import Digest, IngestResult
from papertray.store.formats.records import parse_records_as

NAME = "hf-api"


def looks_like(records: list[Any]) -> bool:
    """True when most of the first records are API items (they nest a `paper` object)."""
    dicts = [r for r in records[:50] if isinstance(r, dict)]
    return bool(dicts) and sum(isinstance(r.get("paper"), dict) for r in dicts) * 2 > len(dicts)


def parse(digest: Digest) -> IngestResult:
    # records.record_paper reads the nested `paper` of each item, and the item's own fields.
    return parse_records_as(digest, NAME, "(expected a list of paper objects)")
