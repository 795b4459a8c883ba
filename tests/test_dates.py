"""Date terms and the clock: exact spans for relative and absolute forms, and clear errors."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from papertray.store import Paper, PaperState, QueryError, parse_query
from papertray.store.dates import (
    ENV_NOW,
    Clock,
    DateError,
    Span,
    day_bounds,
    iso_day,
    parse_date_term,
    system_clock,
)

UTC = timezone.utc
# Wednesday 2024-03-20 12:00 UTC.
NOW = datetime(2024, 3, 20, 12, tzinfo=UTC).timestamp()
CLOCK = Clock(NOW, UTC)
DAY = 86400.0


def at(*args: int) -> float:
    return datetime(*args, tzinfo=UTC).timestamp()  # type: ignore[misc]


@pytest.mark.parametrize(
    ("term", "span"),
    [
        ("7d", Span(NOW - 7 * DAY)),
        ("<7d", Span(NOW - 7 * DAY)),
        ("<=7d", Span(NOW - 7 * DAY)),
        (">2w", Span(end=NOW - 14 * DAY)),
        (">=2w", Span(end=NOW - 14 * DAY)),
        ("<12h", Span(NOW - 12 * 3600)),
        ("<1mo", Span(NOW - 30 * DAY)),
        (">1y", Span(end=NOW - 365 * DAY)),
        ("today", Span(at(2024, 3, 20), at(2024, 3, 21))),
        ("yesterday", Span(at(2024, 3, 19), at(2024, 3, 20))),
        ("2024-03-18", Span(at(2024, 3, 18), at(2024, 3, 19))),
        ("2024-3-8", Span(at(2024, 3, 8), at(2024, 3, 9))),
        ("2024-03", Span(at(2024, 3, 1), at(2024, 4, 1))),
        ("2024-12", Span(at(2024, 12, 1), at(2025, 1, 1))),
        ("2024", Span(at(2024, 1, 1), at(2025, 1, 1))),
        (">2024-03-01", Span(at(2024, 3, 2))),
        (">=2024-03-01", Span(at(2024, 3, 1))),
        ("<2024-03-01", Span(end=at(2024, 3, 1))),
        ("<=2024-03-01", Span(end=at(2024, 3, 2))),
        (">2024-02", Span(at(2024, 3, 1))),
        ("<=2023", Span(end=at(2024, 1, 1))),
        (">=yesterday", Span(at(2024, 3, 19))),
        ("2024-03-01..2024-03-18", Span(at(2024, 3, 1), at(2024, 3, 19))),
        ("2024-02..2024-03", Span(at(2024, 2, 1), at(2024, 4, 1))),
        ("  TODAY ", Span(at(2024, 3, 20), at(2024, 3, 21))),
    ],
)
def test_terms_name_exact_spans(term: str, span: Span) -> None:
    assert parse_date_term(term, CLOCK) == span


@pytest.mark.parametrize(
    ("term", "why"),
    [
        ("2024-13-01", "no such date"),
        ("2023-02-29", "no such date"),
        ("2024-00", "no such date"),
        ("last week", "not a date"),
        ("7days", "not a date"),
        ("<", "not a date"),
        ("2024-03-18..", "a range is DATE..DATE"),
        ("2024-03-18..2024-03-01", "the range ends before it starts"),
    ],
)
def test_bad_terms_say_why(term: str, why: str) -> None:
    with pytest.raises(DateError, match=why):
        parse_date_term(term, CLOCK)


def test_a_bad_date_is_one_line_naming_the_field() -> None:
    with pytest.raises(QueryError) as caught:
        parse_query("memory read:2024-13-01", CLOCK)
    message = caught.value.message
    assert message.startswith("bad date '2024-13-01' in read:… (no such date); use e.g. 2024-03-18")
    assert "\n" not in message
    assert caught.value.position == len("memory read:")


def test_day_bounds_cover_the_days_a_span_touches() -> None:
    assert day_bounds(parse_date_term("2024-03-18", CLOCK), CLOCK) == ("2024-03-18", "2024-03-18")
    assert day_bounds(parse_date_term(">2024-03-18", CLOCK), CLOCK) == ("2024-03-19", "9999-99-99")
    assert day_bounds(parse_date_term("<2024-03", CLOCK), CLOCK) == ("", "2024-02-29")
    # Within the last 7 days: the day 7 days ago counts, as it overlaps.
    assert day_bounds(parse_date_term("<7d", CLOCK), CLOCK) == ("2024-03-13", "9999-99-99")


def test_iso_day_reads_only_dates() -> None:
    assert iso_day("2024-03-18T10:00:00Z") == "2024-03-18"
    assert iso_day("2024-03-18") == "2024-03-18"
    assert iso_day("Mar 18") is None and iso_day("") is None and iso_day(None) is None


def test_days_follow_the_clock_time_zone() -> None:
    tokyo = Clock(NOW, timezone(timedelta(hours=9)))  # 21:00 on the 20th in UTC+9
    assert parse_date_term("today", tokyo) == Span(
        datetime(2024, 3, 20, tzinfo=tokyo.tz).timestamp(),
        datetime(2024, 3, 21, tzinfo=tokyo.tz).timestamp(),
    )


def test_the_clock_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV_NOW, "2024-03-20T12:00:00+00:00")
    clock = system_clock()
    assert clock.now == NOW and clock.today().isoformat() == "2024-03-20"
    monkeypatch.setenv(ENV_NOW, str(NOW))
    assert system_clock().now == NOW
    monkeypatch.setenv(ENV_NOW, "soon")
    with pytest.raises(DateError, match="PAPERTRAY_NOW"):
        system_clock()
    with pytest.raises(QueryError, match="PAPERTRAY_NOW"):
        parse_query("read:today")
    parse_query("no dates here")  # the clock is read only when a date term needs it


def test_query_fields_over_marks_and_paper_dates() -> None:
    paper = Paper(
        "arxiv:1", "T", published="2024-03-18", digest_date="2024-03-19", added_at=NOW - 3 * DAY
    )
    read = PaperState(read=True, read_at=NOW - 2 * DAY, starred=True, starred_at=NOW - 10 * DAY)
    cases = {
        "read:<7d": True,
        "read:>7d": False,
        "read:2024-03-18": True,
        "starred:<7d": False,
        "starred:2024-03": True,
        "added:>=2024-03-17": True,
        "added:today": False,
        "published:2024-03-18": True,
        "published:>2024-03-18": False,
        "digest:2024-03-19": True,
        "digest:<7d": True,
        "-read:today": True,
    }
    for text, expected in cases.items():
        assert parse_query(text, CLOCK).matches(paper, read) is expected, text
    # A mark time left behind by an unmark does not count: the paper is not read now.
    unread = PaperState(read=False, read_at=NOW - 2 * DAY)
    assert not parse_query("read:<7d", CLOCK).matches(paper, unread)
    undated = Paper("t:2", "U", published="Mar 18")
    for text in ("added:2024", "published:2024", "digest:<100y", "read:<100y"):
        assert not parse_query(text, CLOCK).matches(undated), text
