"""Timelines: exact counts per day, ISO week, month and year, empty periods kept; charts."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from searcher.analytics import charts
from searcher.analytics.timeline import (
    PERIODS,
    check_bounds,
    period_key,
    period_keys,
    timeline,
    timeline_by_source,
)
from searcher.errors import InvalidArgument, SearcherError

UTC = timezone.utc


def test_period_names() -> None:
    day = date(2017, 3, 5)
    assert [period_key(day, by) for by in PERIODS] == ["2017-03-05", "2017-W09", "2017-03", "2017"]
    # ISO weeks: 1 January 2017 is a Sunday, in the last week of 2016; 1 January 2015 a
    # Thursday, in week 1 of 2015; 31 December 2014 too.
    assert period_key(date(2017, 1, 1), "week") == "2016-W52"
    assert period_key(date(2014, 12, 31), "week") == "2015-W01"
    assert period_keys(date(2016, 12, 30), date(2017, 1, 10), "week") == ["2016-W52", "2017-W01", "2017-W02"]
    assert period_keys(date(2016, 11, 15), date(2017, 2, 1), "month") == ["2016-11", "2016-12", "2017-01", "2017-02"]
    assert period_keys(date(2017, 2, 1), date(2016, 1, 1), "year") == []


def test_a_utc_instant_counts_on_its_utc_day() -> None:
    late = datetime(2017, 3, 31, 23, 30, tzinfo=timezone(timedelta(hours=-5)))  # 1 April UTC
    assert period_key(late, "month") == "2017-04"
    assert period_key(datetime(2017, 3, 31, 23, 30), "month") == "2017-03"  # naive: taken as UTC


def test_empty_periods_are_zero_and_undated_counted_apart() -> None:
    dates = [date(2017, 1, 3), date(2017, 1, 9), None, datetime(2017, 4, 1, 8, tzinfo=UTC), None]
    result = timeline(dates, "month")
    assert result.periods == (("2017-01", 2), ("2017-02", 0), ("2017-03", 0), ("2017-04", 1))
    assert result.undated == 2 and result.total == 5
    assert result.to_dict() == {
        "by": "month",
        "periods": [
            {"period": "2017-01", "count": 2},
            {"period": "2017-02", "count": 0},
            {"period": "2017-03", "count": 0},
            {"period": "2017-04", "count": 1},
        ],
        "undated": 2,
        "total": 5,
    }


def test_bounds_widen_the_span_and_never_drop_articles() -> None:
    result = timeline([date(2017, 2, 10)], "month", since=date(2017, 1, 1), until=date(2017, 3, 31))
    assert result.periods == (("2017-01", 0), ("2017-02", 1), ("2017-03", 0))
    outside = timeline([date(2016, 12, 31), date(2017, 2, 10)], "month", since=date(2017, 1, 1))
    assert outside.periods[0] == ("2016-12", 1) and outside.total == 2
    assert timeline([], "year", since=date(2015, 6, 1), until=date(2017, 1, 1)).periods == (
        ("2015", 0), ("2016", 0), ("2017", 0),
    )
    assert timeline([], "day").periods == () and timeline([None], "day").total == 1


@pytest.mark.parametrize("bad", ["fortnight", "", "Month", "months"])
def test_an_unknown_period_is_a_one_line_error(bad: str) -> None:
    with pytest.raises(InvalidArgument) as info:
        timeline([date(2017, 1, 1)], bad)
    assert isinstance(info.value, SearcherError)
    message = str(info.value)
    assert "\n" not in message and repr(bad) in message and "day, week, month, year" in message


def test_reversed_dates_are_a_one_line_error() -> None:
    with pytest.raises(InvalidArgument, match="reversed.*2017-03-01 is after 2017-01-01"):
        timeline([], "day", since=date(2017, 3, 1), until=date(2017, 1, 1))
    check_bounds(date(2017, 1, 1), date(2017, 1, 1))  # one day is fine


_dates = st.one_of(
    st.none(),
    st.dates(min_value=date(1990, 1, 1), max_value=date(2030, 12, 31)),
    st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2030, 12, 31), timezones=st.just(UTC)),
)


@settings(max_examples=60, deadline=None)
@given(st.lists(_dates, max_size=60), st.sampled_from(PERIODS))
def test_counts_match_a_brute_force_count(values: list, by: str) -> None:
    result = timeline(values, by)
    expected = Counter(period_key(v, by) for v in values if v is not None)
    listed = dict(result.periods)
    assert {k: n for k, n in listed.items() if n} == dict(expected)
    assert sum(listed.values()) + result.undated == result.total == len(values)
    keys = [k for k, _ in result.periods]
    assert keys == sorted(keys) and len(set(keys)) == len(keys)
    if expected:  # contiguous: every period between the first and the last, once
        days = [v.date() if isinstance(v, datetime) else v for v in values if v is not None]
        assert keys == period_keys(min(days), max(days), by)


def test_by_source_shares_one_span() -> None:
    rows = [
        (date(2017, 1, 5), "BBC"),
        (date(2017, 3, 5), "BBC"),
        (date(2017, 3, 6), "RTE"),
        (None, "RTE"),
        (date(2017, 3, 7), "RTE"),
        (date(2017, 2, 1), "AP"),
    ]
    result = timeline_by_source(rows, "month")
    assert result.periods == ("2017-01", "2017-02", "2017-03")
    assert result.series == (("RTE", (0, 0, 2)), ("BBC", (1, 0, 1)), ("AP", (0, 1, 0)))
    assert result.undated == (("RTE", 1),) and result.total == 6
    data = result.to_dict()
    assert data["sources"][0] == {"source": "RTE", "counts": [0, 0, 2], "undated": 1, "total": 3}
    assert sum(s["total"] for s in data["sources"]) == data["total"]


def test_bar_chart_keeps_empty_periods_and_scales_to_the_peak() -> None:
    lines = charts.bar_chart([("2017-01", 2), ("2017-02", 0), ("2017-03", 1000)], width=10)
    assert lines[0].startswith("2017-01      2  ") and lines[0].endswith("\u258f")  # a sliver, never nothing
    assert lines[1] == "2017-02      0"
    assert lines[2] == "2017-03  1,000  " + "\u2588" * 10
    ascii_lines = charts.bar_chart([("a", 1), ("bb", 4)], width=4, blocks=False)
    assert ascii_lines == ["a   1  #", "bb  4  ####"]
    assert all(line.isascii() for line in ascii_lines)
    assert charts.bar_chart([]) == []


def test_sparkline() -> None:
    assert charts.sparkline([0, 1, 4, 8]) == " \u2581\u2584\u2588"
    assert charts.sparkline([0, 1, 4, 8], blocks=False) == " .=@"
    assert charts.sparkline([0, 0]) == "  " and charts.sparkline([]) == ""


def test_can_draw_blocks() -> None:
    assert charts.can_draw_blocks("utf-8")
    assert not charts.can_draw_blocks("ascii")
    assert not charts.can_draw_blocks("latin-1")
    assert not charts.can_draw_blocks(None) and not charts.can_draw_blocks("no-such-codec")
