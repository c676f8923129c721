"""Tests for searcher.querydates: every date form resolved to exact half-open UTC bounds."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from searcher.errors import QuerySyntaxError
from searcher.query.dates import format_utc, resolve_date, to_utc

NOW = datetime(2023, 9, 15, 10, 30, tzinfo=timezone.utc)  # a Friday
END_OF_TIME = datetime.max.replace(tzinfo=timezone.utc)


def _utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=timezone.utc)


@pytest.mark.parametrize("text, start, end", [
    ("2023", _utc(2023, 1, 1), _utc(2024, 1, 1)),
    ("2023-08", _utc(2023, 8, 1), _utc(2023, 9, 1)),
    ("2023-12", _utc(2023, 12, 1), _utc(2024, 1, 1)),
    ("2023-8", _utc(2023, 8, 1), _utc(2023, 9, 1)),
    ("2023-08-31", _utc(2023, 8, 31), _utc(2023, 9, 1)),
    ("2024-02-29", _utc(2024, 2, 29), _utc(2024, 3, 1)),
    ("2023-08-31T12:00", _utc(2023, 8, 31, 12), _utc(2023, 8, 31, 12, 1)),
    ("2023-08-31T12:00:00Z", _utc(2023, 8, 31, 12), _utc(2023, 8, 31, 12, 0, 1)),
    ("2023-08-31 12:00:00", _utc(2023, 8, 31, 12), _utc(2023, 8, 31, 12, 0, 1)),
    ("2023-08-31T12:00:00.5Z", _utc(2023, 8, 31, 12, 0, 0, 500000),
     _utc(2023, 8, 31, 12, 0, 0, 600000)),
    ("2023-08-31T02:00:00+02:00", _utc(2023, 8, 31), _utc(2023, 8, 31, 0, 0, 1)),
    ("2023-08-31T20:00-0500", _utc(2023, 9, 1, 1), _utc(2023, 9, 1, 1, 1)),
    ("  2023-08  ", _utc(2023, 8, 1), _utc(2023, 9, 1)),
    ("9999", _utc(9999, 1, 1), END_OF_TIME),
    ("9999-12-31", _utc(9999, 12, 31), END_OF_TIME),
])
def test_absolute_dates(text: str, start: datetime, end: datetime) -> None:
    assert resolve_date(text, now=NOW) == (start, end)


@pytest.mark.parametrize("text, start, end", [
    ("today", _utc(2023, 9, 15), _utc(2023, 9, 16)),
    ("Yesterday", _utc(2023, 9, 14), _utc(2023, 9, 15)),
    ("last 7 days", _utc(2023, 9, 9), _utc(2023, 9, 16)),
    ("last_7_days", _utc(2023, 9, 9), _utc(2023, 9, 16)),
    ("last 1 day", _utc(2023, 9, 15), _utc(2023, 9, 16)),
    ("last 2 weeks", _utc(2023, 9, 2), _utc(2023, 9, 16)),
    ("last 3 months", _utc(2023, 6, 16), _utc(2023, 9, 16)),
    ("last 2 years", _utc(2021, 9, 16), _utc(2023, 9, 16)),
    ("this week", _utc(2023, 9, 11), _utc(2023, 9, 18)),
    ("last week", _utc(2023, 9, 4), _utc(2023, 9, 11)),
    ("this month", _utc(2023, 9, 1), _utc(2023, 10, 1)),
    ("last month", _utc(2023, 8, 1), _utc(2023, 9, 1)),
    ("this year", _utc(2023, 1, 1), _utc(2024, 1, 1)),
    ("last year", _utc(2022, 1, 1), _utc(2023, 1, 1)),
])
def test_relative_dates(text: str, start: datetime, end: datetime) -> None:
    assert resolve_date(text, now=NOW) == (start, end)


def test_relative_dates_across_boundaries() -> None:
    jan = _utc(2024, 1, 3, 5)  # a Wednesday
    assert resolve_date("last month", now=jan) == (_utc(2023, 12, 1), _utc(2024, 1, 1))
    assert resolve_date("last week", now=jan) == (_utc(2023, 12, 25), _utc(2024, 1, 1))
    assert resolve_date("this week", now=jan) == (_utc(2024, 1, 1), _utc(2024, 1, 8))
    assert resolve_date("last year", now=jan) == (_utc(2023, 1, 1), _utc(2024, 1, 1))
    march31 = _utc(2024, 3, 31)
    # one month before 31 March is 29 February (clamped); the window starts the day after
    assert resolve_date("last 1 month", now=march31) == (_utc(2024, 3, 1), _utc(2024, 4, 1))
    sunday = _utc(2023, 9, 17, 23, 59)
    assert resolve_date("this week", now=sunday) == (_utc(2023, 9, 11), _utc(2023, 9, 18))


def test_now_is_read_in_utc() -> None:
    naive = datetime(2023, 9, 15, 23, 30)  # naive means UTC
    assert resolve_date("today", now=naive) == (_utc(2023, 9, 15), _utc(2023, 9, 16))
    tokyo = datetime(2023, 9, 16, 1, 0, tzinfo=timezone(timedelta(hours=9)))
    assert resolve_date("today", now=tokyo) == (_utc(2023, 9, 15), _utc(2023, 9, 16))


@pytest.mark.parametrize("text, message", [
    ("", "empty date"),
    ("soon", "unknown date 'soon'; use one of: 2023, 2023-08"),
    ("2023-02-30", "impossible date '2023-02-30'"),
    ("2023-13", "impossible date '2023-13'"),
    ("0000", "impossible date '0000'"),
    ("2023-08-31T25:00", "impossible date"),
    ("last 0 days", "the count must be at least 1"),
    ("last 9999999 years", "impossible date"),
    ("last 9999999 days", "impossible date"),
    ("last fortnight", "unknown date"),
    ("23-08-31", "unknown date"),
])
def test_bad_dates(text: str, message: str) -> None:
    with pytest.raises(QuerySyntaxError) as info:
        resolve_date(text, now=NOW)
    assert message in str(info.value)
    assert "\n" not in str(info.value)


def test_format_and_to_utc() -> None:
    assert format_utc(_utc(2023, 8, 1)) == "2023-08-01T00:00:00Z"
    assert format_utc(datetime(2023, 8, 1, 2, tzinfo=timezone(timedelta(hours=2)))) == (
        "2023-08-01T00:00:00Z"
    )
    assert format_utc(_utc(2023, 8, 1, 0, 0, 0, 250)) == "2023-08-01T00:00:00.000250Z"
    assert format_utc(_utc(5, 1, 2)) == "0005-01-02T00:00:00Z"
    assert to_utc(datetime(2023, 8, 1)) == _utc(2023, 8, 1)
