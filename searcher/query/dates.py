"""Date expressions of the query language, resolved to exact half-open UTC intervals.

Every date a user can type (``2023``, ``2023-08``, ``2023-08-31``, ``2023-08-31T12:00Z``,
``today``, ``last 7 days``, ``last month``...) stands for an interval ``[start, end)`` of
aware UTC datetimes. Ranges and comparisons are built from those two ends, so
``date:[2023-08-01 TO 2023-08-31]`` is exactly ``2023-08-01T00:00Z <= date <
2023-09-01T00:00Z`` and never silently widened. All calendar arithmetic is in UTC.

Relative dates (``now`` is the reference instant, its UTC calendar day is "today"):

=====================  ==================================================================
``today``              the UTC calendar day of ``now``
``yesterday``          the day before today
``last N days``        N calendar days ending with today: from 00:00 of today-(N-1) to the
                       end of today (``last 7 days`` on a Friday starts on the Saturday)
``last N weeks``       the same rolling window, 7*N calendar days including today
``last N months``      from the day after the same day-of-month N months ago (clamped to
                       the month's length) to the end of today
``last N years``       from the day after the same date N years ago to the end of today
``this week``          the calendar week (Monday to Sunday) containing today
``last week``          the previous calendar week, Monday 00:00 to the next Monday 00:00
``this month``         the calendar month containing today; ``last month`` the one before
``this year``          the calendar year containing today; ``last year`` the one before
=====================  ==================================================================

A number means a rolling window ending today; no number means a whole calendar unit
(``last 1 week`` is the last 7 days, ``last week`` is Monday to Sunday of the week before).
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone
from typing import Optional, Tuple

from searcher.errors import QuerySyntaxError

__all__ = ["resolve_date", "format_utc", "to_utc", "DATE_FORMS"]

#: The accepted date forms, quoted in error messages.
DATE_FORMS = (
    "2023, 2023-08, 2023-08-31, 2023-08-31T12:00:00Z, today, yesterday, "
    "last 7 days (or weeks/months/years), this week, last week, this month, last month, "
    "this year, last year"
)

_MAX_AWARE = datetime.max.replace(tzinfo=timezone.utc)

_YEAR = re.compile(r"(\d{4})")
_MONTH = re.compile(r"(\d{4})-(\d{1,2})")
_DAY = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_STAMP = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?"
    r"\s*(Z|z|UTC|[+-]\d{2}(?::?\d{2})?)?"
)
_LAST_N = re.compile(r"(?:last|past) (\d{1,7}) (day|week|month|year)s?")
_CALENDAR = re.compile(r"(last|this) (week|month|year)")


def to_utc(value: datetime) -> datetime:
    """``value`` as an aware UTC datetime; a naive datetime is taken to be UTC already."""
    if value.tzinfo is None:
        return value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc)


def format_utc(value: datetime) -> str:
    """``2023-08-01T00:00:00Z``: the exact UTC instant, microseconds only when present."""
    v = to_utc(value)
    text = (
        f"{v.year:04d}-{v.month:02d}-{v.day:02d}T{v.hour:02d}:{v.minute:02d}:{v.second:02d}"
    )
    if v.microsecond:
        text += f".{v.microsecond:06d}"
    return text + "Z"


def resolve_date(text: str, *, now: datetime) -> Tuple[datetime, datetime]:
    """The half-open interval ``[start, end)`` (aware UTC) that the date expression means.

    ``now`` anchors relative expressions such as ``today`` or ``last month``; a naive
    ``now`` is taken as UTC. Raises ``QuerySyntaxError`` naming the accepted forms when
    ``text`` is not a date, or naming the problem when it is an impossible one (2023-02-30).
    """
    raw = " ".join(text.split())
    if not raw:
        raise QuerySyntaxError(f"empty date; use one of: {DATE_FORMS}")
    try:
        interval = _absolute(raw)
        if interval is None:
            interval = _relative(raw, to_utc(now))
    except (ValueError, OverflowError) as exc:
        raise QuerySyntaxError(f"impossible date {raw!r} ({exc})") from None
    if interval is None:
        raise QuerySyntaxError(f"unknown date {raw!r}; use one of: {DATE_FORMS}")
    return interval


def _absolute(raw: str) -> Optional[Tuple[datetime, datetime]]:
    """Calendar dates and timestamps, or None if ``raw`` is not one."""
    m = _YEAR.fullmatch(raw)
    if m:
        year = int(m.group(1))
        return _utc(year, 1, 1), _year_start(year + 1)
    m = _MONTH.fullmatch(raw)
    if m:
        year, month = int(m.group(1)), int(m.group(2))
        start = _utc(year, month, 1)
        return start, _month_start(year, month + 1)
    m = _DAY.fullmatch(raw)
    if m:
        start = _utc(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        return start, _plus(start, timedelta(days=1))
    m = _STAMP.fullmatch(raw)
    if m:
        return _stamp(m)
    return None


def _stamp(m: "re.Match[str]") -> Tuple[datetime, datetime]:
    """A timestamp covers one unit of its own precision: a minute, second or microsecond."""
    year, month, day, hour, minute = (int(m.group(i)) for i in range(1, 6))
    second = int(m.group(6)) if m.group(6) else 0
    frac = m.group(7)
    micro = int(frac.ljust(6, "0")) if frac else 0
    zone = m.group(8)
    tz = timezone.utc
    if zone and zone.upper() not in ("Z", "UTC"):
        sign = -1 if zone[0] == "-" else 1
        digits = zone[1:].replace(":", "")
        offset = timedelta(hours=int(digits[:2]), minutes=int(digits[2:] or 0))
        tz = timezone(sign * offset)
    start = datetime(year, month, day, hour, minute, second, micro, tzinfo=tz)
    start = start.astimezone(timezone.utc)
    if frac:
        step = timedelta(microseconds=10 ** (6 - len(frac)))
    elif m.group(6):
        step = timedelta(seconds=1)
    else:
        step = timedelta(minutes=1)
    return start, _plus(start, step)


def _relative(raw: str, now: datetime) -> Optional[Tuple[datetime, datetime]]:
    """Expressions anchored at ``now`` (see the module docstring), or None."""
    words = re.sub(r"[\s_-]+", " ", raw.lower()).strip()
    today = now.date()
    tomorrow = _day(today) + timedelta(days=1)
    if words == "today":
        return _day(today), tomorrow
    if words == "yesterday":
        return _day(today) - timedelta(days=1), _day(today)
    m = _LAST_N.fullmatch(words)
    if m:
        count, unit = int(m.group(1)), m.group(2)
        if count < 1:
            raise ValueError("the count must be at least 1")
        if unit == "day":
            first = today - timedelta(days=count - 1)
        elif unit == "week":
            first = today - timedelta(days=7 * count - 1)
        elif unit == "month":
            first = _shift_months(today, -count) + timedelta(days=1)
        else:
            first = _shift_months(today, -12 * count) + timedelta(days=1)
        return _day(first), tomorrow
    m = _CALENDAR.fullmatch(words)
    if m:
        back = 1 if m.group(1) == "last" else 0
        unit = m.group(2)
        if unit == "week":
            monday = today - timedelta(days=today.weekday()) - timedelta(weeks=back)
            return _day(monday), _day(monday) + timedelta(weeks=1)
        if unit == "month":
            first = _shift_months(today.replace(day=1), -back)
            return _day(first), _day(_shift_months(first, 1))
        year = today.year - back
        return _utc(year, 1, 1), _year_start(year + 1)
    return None


def _utc(year: int, month: int, day: int) -> datetime:
    return datetime(year, month, day, tzinfo=timezone.utc)


def _day(value: date) -> datetime:
    return _utc(value.year, value.month, value.day)


def _year_start(year: int) -> datetime:
    """1 January of ``year``, or the end of time after year 9999."""
    return _utc(year, 1, 1) if year <= 9999 else _MAX_AWARE


def _month_start(year: int, month: int) -> datetime:
    """The first of ``month`` (which may be 13, meaning January of the next year)."""
    if month == 13:
        return _year_start(year + 1)
    return _utc(year, month, 1)


def _plus(start: datetime, step: timedelta) -> datetime:
    """``start + step``, saturating at the end of time instead of overflowing."""
    try:
        return start + step
    except OverflowError:
        return _MAX_AWARE


def _shift_months(value: date, months: int) -> date:
    """``value`` moved by whole months, the day clamped to the target month's length."""
    index = value.year * 12 + value.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    if year < 1:
        raise ValueError("that is before year 1")
    next_first = date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)
    last_day = (next_first - timedelta(days=1)).day
    return date(year, month, min(value.day, last_day))
