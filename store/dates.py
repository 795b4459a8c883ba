"""Date terms of the query language (`read:<7d`, `added:2024-03`, `published:>=2024-03-01`) and
the clock they are read against.

A term becomes a `Span`: a half-open interval [start, end) of POSIX seconds, resolved once when
the query is parsed, so matching a paper is two float comparisons. Days, months and years are
calendar days in the clock's time zone (the local one, unless `PAPERTRAY_NOW` names another).

    7d  <7d  <=7d      within the last 7 days (h, d, w, mo = 30 days, y = 365 days)
    >2w  >=2w          longer ago than 2 weeks
    today  yesterday   that calendar day
    2024-03-18  2024-03  2024                     that day, month or year
    >2024-03-18  >=…  <…  <=…                      after / from / before / up to it
    2024-03-01..2024-03-18                         from the first through the second (inclusive)

A mark time (`read_at`, `starred_at`, `added_at`) matches when it lies in the span; a field that
is only a day (`published`, `digest_date`) matches when that day overlaps the span, so
`published:<7d` includes the day seven days ago and `published:>2024-03-18` starts the next day.
"""

from __future__ import annotations

import os
import re
import time
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo

__all__ = [
    "ENV_NOW",
    "Clock",
    "DateError",
    "Span",
    "day_span",
    "day_bounds",
    "iso_day",
    "now",
    "parse_date_term",
    "system_clock",
]

ENV_NOW = "PAPERTRAY_NOW"
"""Fixes "now" for every date term (tests, reproducible scripts): an ISO date-time such as
`2024-03-20T12:00:00+00:00` (its offset is then the time zone for days) or POSIX seconds."""

_INF = float("inf")
_UNITS = {"h": 3600.0, "d": 86400.0, "w": 7 * 86400.0, "mo": 30 * 86400.0, "y": 365 * 86400.0}
_RELATIVE = re.compile(r"(\d{1,6})(h|d|w|mo|y)")
_ABSOLUTE = re.compile(r"(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?")
_OPS = ("<=", ">=", "<", ">")
EXAMPLES = "2024-03-18, 2024-03, 2024, today, yesterday, 7d, <2w, >=2024-03-01"


class DateError(ValueError):
    """A date term that cannot be read; the message is one line naming the bad part."""


@dataclass(frozen=True, slots=True)
class Clock:
    """ "Now" and the time zone days are counted in. Inject one (tests), or use `system_clock()`."""

    now: float
    tz: tzinfo | None = None
    """None: the local time zone of this machine."""

    def local(self, seconds: float) -> datetime:
        return datetime.fromtimestamp(seconds, self.tz).astimezone(self.tz)

    def today(self) -> date:
        return self.local(self.now).date()

    def midnight(self, day: date) -> float:
        """POSIX seconds of the start of `day` in this clock's time zone."""
        start = datetime(day.year, day.month, day.day)
        if self.tz is not None:
            return start.replace(tzinfo=self.tz).timestamp()
        return time.mktime(start.timetuple())

    @staticmethod
    def system() -> Clock:
        """This machine's clock (`system_clock`), for callers that hold only the noun."""
        return system_clock()


def system_clock() -> Clock:
    """The one place "now" is read: `PAPERTRAY_NOW` when set (see `ENV_NOW`), else the system."""
    fixed = os.environ.get(ENV_NOW, "").strip()
    if not fixed:
        return Clock(time.time())
    try:
        return Clock(float(fixed))
    except ValueError:
        pass
    try:
        moment = datetime.fromisoformat(fixed)
    except ValueError:
        raise DateError(
            f"{ENV_NOW}={fixed[:40]!r} is not a date-time like 2024-03-20T12:00:00+00:00"
        ) from None
    if moment.tzinfo is None:
        return Clock(time.mktime(moment.timetuple()) + moment.microsecond / 1e6)
    return Clock(moment.timestamp(), moment.tzinfo)


def now() -> float:
    """POSIX seconds now, as every date term sees it: marks and imports are stamped with this,
    so under a fixed `PAPERTRAY_NOW` a star made "now" is `starred:today`. A malformed value is
    reported by the query that reads it, never by a mark."""
    try:
        return system_clock().now
    except DateError:
        return time.time()


@dataclass(frozen=True, slots=True)
class Span:
    """[start, end) in POSIX seconds; either end may be infinite."""

    start: float = -_INF
    end: float = _INF

    def holds(self, seconds: float | None) -> bool:
        return seconds is not None and self.start <= seconds < self.end


def day_span(clock: Clock, day: date) -> tuple[float, float]:
    return clock.midnight(day), clock.midnight(day + timedelta(days=1))


def _calendar(text: str, clock: Clock) -> tuple[float, float] | None:
    """The [start, end) of `today`, `yesterday`, `YYYY`, `YYYY-MM` or `YYYY-MM-DD`; None if the
    text is none of them; DateError for a date that does not exist (2024-13-01, 2023-02-29)."""
    if text == "today":
        return day_span(clock, clock.today())
    if text == "yesterday":
        return day_span(clock, clock.today() - timedelta(days=1))
    m = _ABSOLUTE.fullmatch(text)
    if m is None:
        return None
    year, month, day = int(m.group(1)), m.group(2), m.group(3)
    try:
        if day is not None:
            first = date(year, int(month), int(day))
            last = first + timedelta(days=1)
        elif month is not None:
            first = date(year, int(month), 1)
            last = date(year + (first.month == 12), first.month % 12 + 1, 1)
        else:
            first, last = date(year, 1, 1), date(year + 1, 1, 1)
    except (ValueError, OverflowError):
        raise DateError("no such date") from None
    return clock.midnight(first), clock.midnight(last)


def parse_date_term(value: str, clock: Clock) -> Span:
    """The span a date term names (see the module's docstring). Raises DateError."""
    text = value.strip().lower()
    op = next((o for o in _OPS if text.startswith(o)), "")
    rest = text[len(op) :].strip()
    if not op and ".." in rest:
        first, _, last = rest.partition("..")
        a, b = _calendar(first.strip(), clock), _calendar(last.strip(), clock)
        if a is None or b is None:
            raise DateError("a range is DATE..DATE, e.g. 2024-03-01..2024-03-18")
        if b[1] <= a[0]:
            raise DateError("the range ends before it starts")
        return Span(a[0], b[1])
    m = _RELATIVE.fullmatch(rest)
    if m is not None:
        boundary = clock.now - int(m.group(1)) * _UNITS[m.group(2)]
        # `7d` and `<7d`: less than 7 days ago, i.e. since then; `>7d`: longer ago than that.
        return Span(boundary, _INF) if op in ("", "<", "<=") else Span(-_INF, boundary)
    found = _calendar(rest, clock)
    if found is None:
        raise DateError("not a date")
    start, end = found
    return {
        "": Span(start, end),
        ">": Span(end, _INF),
        ">=": Span(start, _INF),
        "<": Span(-_INF, start),
        "<=": Span(-_INF, end),
    }[op]


def day_bounds(span: Span, clock: Clock) -> tuple[str, str]:
    """The first and last `YYYY-MM-DD` (inclusive) of the days that overlap `span`, for fields
    that hold only a day: a stored day then matches by two string comparisons."""
    lo = "" if span.start == -_INF else clock.local(span.start).date().isoformat()
    if span.end == _INF:
        return lo, "9999-99-99"
    last = clock.local(span.end).date()
    if clock.midnight(last) >= span.end:  # the span ends at that midnight: the day is out
        last -= timedelta(days=1)
    return lo, last.isoformat()


def iso_day(text: str | None) -> str | None:
    """The `YYYY-MM-DD` a stored date starts with, or None (free text such as "Mar 18")."""
    if text and len(text) >= 10 and text[4] == "-" and text[7] == "-" and text[:4].isdigit():
        return text[:10]
    return None
