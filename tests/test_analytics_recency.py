"""Recency: half-life parsing (one-line errors) and the bounded decay."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from searcher.analytics.recency import FLOOR, Recency, anchor, decay, parse_half_life
from searcher.errors import InvalidArgument

UTC = timezone.utc
NOW = datetime(2017, 3, 31, 12, tzinfo=UTC)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("30d", timedelta(days=30)),
        ("12h", timedelta(hours=12)),
        ("2w", timedelta(weeks=2)),
        ("1y", timedelta(days=365.25)),
        (" 1.5 days ", timedelta(hours=36)),
        ("3 Weeks", timedelta(weeks=3)),
    ],
)
def test_half_lives(text: str, expected: timedelta) -> None:
    assert parse_half_life(text) == expected


@pytest.mark.parametrize("bad", ["abc", "", "30", "d", "30x", "-5d", "0d", "1e3d", "30 m", "99999y"])
def test_bad_half_lives_are_one_line_errors(bad: str) -> None:
    with pytest.raises(InvalidArgument) as info:
        parse_half_life(bad)
    assert "\n" not in str(info.value) and repr(bad) in str(info.value)


def test_decay_is_bounded_and_halves_above_the_floor() -> None:
    half = timedelta(days=30)
    assert decay(timedelta(0), half) == 1.0
    assert decay(timedelta(days=-3), half) == 1.0  # after the anchor
    assert decay(half, half) == pytest.approx(FLOOR + (1 - FLOOR) / 2)
    assert decay(2 * half, half) == pytest.approx(FLOOR + (1 - FLOOR) / 4)
    assert decay(timedelta(days=36500), half) >= FLOOR  # never erased
    assert decay(timedelta(days=300), half) > FLOOR
    assert decay(half, half, floor=0.0) == pytest.approx(0.5)


@given(st.integers(0, 10**6), st.integers(0, 10**6))
def test_older_never_scores_higher(a: int, b: int) -> None:
    recency = Recency(NOW, timedelta(days=7))
    older, newer = sorted([a, b], reverse=True)
    factor_old = recency(NOW - timedelta(hours=older))
    factor_new = recency(NOW - timedelta(hours=newer))
    assert FLOOR <= factor_old <= factor_new <= 1.0


def test_undated_articles_get_the_floor_and_scores_scale() -> None:
    recency = Recency(NOW, timedelta(days=30))
    assert recency(None) == FLOOR
    assert recency.apply(8.0, NOW - timedelta(days=30)) == pytest.approx(8.0 * (FLOOR + (1 - FLOOR) / 2))
    assert recency(date(2017, 3, 31)) == pytest.approx(decay(timedelta(hours=12), timedelta(days=30)))
    naive = Recency(datetime(2017, 3, 31, 12), timedelta(days=1))  # naive: taken as UTC
    assert naive(NOW) == 1.0
    with pytest.raises(InvalidArgument):
        Recency(NOW, timedelta(days=1), floor=1.0)
    with pytest.raises(InvalidArgument):
        Recency(NOW, timedelta(0))


def test_anchor_is_the_end_of_the_to_day_else_the_newest_article() -> None:
    assert anchor(NOW, date(2017, 2, 1)) == datetime(2017, 2, 1, 23, 59, 59, 999999, tzinfo=UTC)
    assert anchor(NOW, None) == NOW
    assert anchor(date(2017, 1, 5), None) == datetime(2017, 1, 5, tzinfo=UTC)
    assert anchor(None, None) is None
