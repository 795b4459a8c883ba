"""The Hugging Face daily papers as a `papertray fetch` source: which day, week or month to ask
for (`hf_source`), and asking for every page of it (`fetch_hf`)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from papertray.store import limits
from papertray.store.fetch_common import (
    HF_PAGE_SIZE,
    Fetched,
    Progress,
    Source,
    SourceError,
    as_int,
    dedupe,
    endpoints,
    json_list,
    page_limit,
    parse_papers,
)
from papertray.store.net import Client
from papertray.store.net_errors import FetchError, LimitReached, host_of

__all__ = ["fetch_hf", "hf_source"]

_WEEK = re.compile(r"(\d{4})-W(\d{2})")
_MONTH = re.compile(r"(\d{4})-(\d{2})")


def hf_source(
    *,
    date: str | None = None,
    week: str | None = None,
    month: str | None = None,
    days: int | None = None,
    sort: str | None = None,
    today: dt.date | None = None,
) -> Source:
    """The daily papers of a day, an ISO week, a month, or the last `days` days (one request
    series per day); with none of them, the latest day HF has. `sort="trending"`: HF's global
    trending list, which ignores the period."""
    chosen = [name for name, v in (("date", date), ("week", week), ("month", month)) if v]
    if len(chosen) + (days is not None) > 1:
        raise SourceError("give one of --date, --week, --month, --days")
    if sort not in (None, "trending", "publishedAt"):
        raise SourceError(f"unknown sort {sort!r} (trending or publishedAt)")
    if date:
        try:
            dt.date.fromisoformat(date)
        except ValueError:
            raise SourceError(f"--date wants YYYY-MM-DD, not {date!r}") from None
        if len(date) != 10:
            raise SourceError(f"--date wants YYYY-MM-DD, not {date!r}")
        return Source("hf", f"hf {date}", (("date", date),), sort, f"no papers on {date}")
    if week:
        match = _WEEK.fullmatch(week)
        if not match or not 1 <= int(match.group(2)) <= 53:
            raise SourceError(f"--week wants YYYY-Www (e.g. 2026-W49), not {week!r}")
        return Source("hf", f"hf {week}", (("week", week),), sort, f"no papers in {week}")
    if month:
        match = _MONTH.fullmatch(month)
        if not match or not 1 <= int(match.group(2)) <= 12:
            raise SourceError(f"--month wants YYYY-MM, not {month!r}")
        return Source("hf", f"hf {month}", (("month", month),), sort, f"no papers in {month}")
    if days is not None:
        if not 1 <= days <= limits.MAX_DAYS:
            raise SourceError(f"--days wants 1 to {limits.MAX_DAYS}, not {days}")
        end = today or dt.datetime.now(dt.UTC).date()
        dates = [(end - dt.timedelta(days=n)).isoformat() for n in range(days - 1, -1, -1)]
        label = f"hf {dates[0]}..{dates[-1]}" if days > 1 else f"hf {dates[0]}"
        return Source(
            "hf",
            label,
            tuple(("date", d) for d in dates),
            sort,
            f"no papers in the last {days} days",
        )
    return Source("hf", "hf trending" if sort == "trending" else "hf latest", (), sort,
                  "no papers on the latest day")  # fmt: skip


def fetch_hf(
    client: Client, source: Source, fetched: Fetched, conditional: bool, say: Progress
) -> None:
    """Every page of every period of `source`, each parsed as it arrives. A limit on the fetch
    (its deadline, its bytes, the pages of one period) ends it there (`Fetched.stop`)."""
    base = f"{endpoints()['hf']}/api/daily_papers"
    periods: list[tuple[str, str] | None] = list(source.params) or [None]
    fetched.one_list = True
    items = 0
    for period in periods:
        if fetched.stopped:
            break
        seen: set[str] = set()
        for page in range(limits.MAX_PAGES):
            params: dict[str, Any] = {}
            if period is not None:
                params[period[0]] = period[1]
            if source.sort:
                params["sort"] = source.sort
            params["p"] = page
            params["limit"] = HF_PAGE_SIZE
            when = f" {period[1]}" if period is not None and len(periods) > 1 else ""
            say(f"{source.label}{when}: page {page + 1}")
            try:
                response = client.get(
                    base, params, conditional=conditional, accept="application/json"
                )
            except LimitReached as limit:
                fetched.stop(str(limit))
                break
            except FetchError as error:
                if error.status == 404:
                    break  # HF answers 404 for a day without papers (or a page past its end)
                raise
            if response.not_modified:
                fetched.page(response, ".json")
                count = as_int(client.cache.get(response.request_url).get("items"))
                fetched.unchanged += count
                if count < HF_PAGE_SIZE:
                    break
                continue
            page_items = json_list(response, "the daily papers")
            keys = {_hf_item_id(item) for item in page_items}
            if page_items and keys <= seen:
                fetched.warnings.append(
                    f"{host_of(base)} sent page {page + 1} again: stopped paging there"
                )
                break
            seen |= keys
            fetched.page(response, ".json")
            fetched.notes[response.request_url] = {"items": len(page_items)}
            items += len(page_items)
            if page_items:
                fetched.papers += parse_papers(
                    response.content, "hf-api", source, base, fetched.warnings
                )
            if len(page_items) < HF_PAGE_SIZE:
                break
        else:
            fetched.stop(page_limit())
    fetched.papers = dedupe(fetched.papers)
    fetched.not_modified = bool(fetched.responses) and all(
        r.not_modified for r in fetched.responses
    )
    if not items:
        # Every day 404 or an empty list: no papers. Pages that came back 304 were imported before.
        fetched.empty = not fetched.not_modified


def _hf_item_id(item: Any) -> str:
    if isinstance(item, dict):
        paper = item.get("paper")
        if isinstance(paper, dict) and isinstance(paper.get("id"), str):
            return paper["id"]
        return str(item.get("title", ""))[:200]
    return ""
