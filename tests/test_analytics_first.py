"""Who ran it first: exact against a brute-force scan."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta, timezone

from hypothesis import given
from hypothesis import strategies as st

from searcher.analytics.first import FirstRow, first_appearances

UTC = timezone.utc
START = datetime(2017, 1, 1, tzinfo=UTC)


def _brute_force(rows: list) -> tuple:
    """For each source, scan every row for the smallest (date, id); then order them."""
    out = []
    for source in {s for _, d, s in rows if d is not None}:
        dated = [(d, i) for i, d, s in rows if s == source and d is not None]
        d, i = min(dated)
        out.append((source, d, i))
    out.sort(key=lambda r: (r[1], r[0], r[2]))
    return tuple(out)


_row = st.tuples(
    st.text(alphabet="abcdef0123", min_size=1, max_size=4),
    st.one_of(st.none(), st.integers(0, 50).map(lambda h: START + timedelta(hours=h * 7))),
    st.sampled_from(["BBC", "RTE", "AP", "", "Reuters"]),
)


@given(st.lists(_row, max_size=80))
def test_matches_a_brute_force_scan(rows: list) -> None:
    result = first_appearances(iter(rows))
    assert tuple((r.source, r.date, r.id) for r in result.sources) == _brute_force(rows)
    assert result.total == len(rows) and result.undated == sum(1 for r in rows if r[1] is None)
    dated = [d for _, d, _ in rows if d is not None]
    assert result.first_day == (min(dated).date() if dated else None)


def test_order_of_rows_does_not_matter() -> None:
    rng = random.Random(2)
    rows = [(f"id{n:03d}", START + timedelta(days=rng.randrange(30)), rng.choice("ABCD")) for n in range(300)]
    expected = first_appearances(rows)
    for _ in range(5):
        rng.shuffle(rows)
        assert first_appearances(rows) == expected


def test_shape_and_utc_day() -> None:
    late = datetime(2017, 3, 1, 22, 0, tzinfo=timezone(timedelta(hours=-5)))  # 2 March UTC
    result = first_appearances([("x", late, "AP"), ("y", None, "BBC"), ("z", datetime(2017, 3, 5, tzinfo=UTC), "BBC")])
    assert result.to_dict() == {
        "first_day": "2017-03-02",
        "sources": [
            {"source": "AP", "date": "2017-03-02T03:00:00Z", "id": "x"},
            {"source": "BBC", "date": "2017-03-05T00:00:00Z", "id": "z"},
        ],
        "undated": 1,
        "total": 3,
    }
    assert FirstRow("s", date(2017, 1, 2), "i").to_dict()["date"] == "2017-01-02"
    empty = first_appearances([("a", None, "s")])
    assert empty.first_day is None and empty.sources == () and empty.to_dict()["first_day"] is None
