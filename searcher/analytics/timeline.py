"""How much was written, period by period: exact counts with the empty periods kept.

Periods (names as the CLI's ``--by`` takes them):

* ``day``: ``2017-03-05``;
* ``week``: ISO 8601 weeks, Monday to Sunday, named ``2017-W09`` by their ISO year and
  week number (so 1 January 2017, a Sunday, is in ``2016-W52``);
* ``month``: ``2017-03``;
* ``year``: ``2017``.

A dated article counts in the period holding its UTC calendar day (dates in this
project are UTC; an aware datetime in another zone is converted first, a naive one is
taken as UTC). Undated articles cannot be placed: they are counted apart, in
``undated``, so that ``sum(counts) + undated == total`` is the number of articles given,
which is the search total when the caller passes every hit.

Every period from the first to the last is listed, with 0 where nothing was written;
``since``/``until`` (the query's date bounds) widen that span to the bounds. They never
drop anything: filtering by date is the query's job, and a count that silently lost
articles would not be exact.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Any, Dict, Hashable, Iterable, List, Optional, Sequence, Set, Tuple, Union

from searcher.errors import InvalidArgument

__all__ = [
    "PERIODS",
    "check_period",
    "check_bounds",
    "period_key",
    "period_keys",
    "Timeline",
    "SourceTimeline",
    "timeline",
    "timeline_by_source",
]

#: Period names, finest first.
PERIODS: Tuple[str, ...] = ("day", "week", "month", "year")

DateValue = Union[date, datetime]


def check_period(by: str) -> str:
    """``by`` if it names a period; else :class:`InvalidArgument` with a one-line message."""
    if by not in PERIODS:
        raise InvalidArgument(f"unknown period {by!r}; use one of: {', '.join(PERIODS)}")
    return by


def check_bounds(since: Optional[DateValue], until: Optional[DateValue]) -> None:
    """:class:`InvalidArgument` when ``since`` is after ``until`` (reversed dates)."""
    if since is not None and until is not None and _day(since) > _day(until):
        raise InvalidArgument(
            f"the date range is reversed: {_day(since).isoformat()} is after {_day(until).isoformat()}; swap --from and --to"
        )


def _day(value: DateValue) -> date:
    """The UTC calendar day of a date or datetime."""
    if isinstance(value, datetime):
        zone = value.tzinfo
        if zone is not None and zone is not timezone.utc:
            value = value.astimezone(timezone.utc)
        return value.date()
    return value


def _period_start(day: date, by: str) -> date:
    if by == "day":
        return day
    if by == "week":
        return day - timedelta(days=day.weekday())
    if by == "month":
        return day.replace(day=1)
    return day.replace(month=1, day=1)


def _next_start(start: date, by: str) -> date:
    if by == "day":
        return start + timedelta(days=1)
    if by == "week":
        return start + timedelta(days=7)
    if by == "month":
        return date(start.year + start.month // 12, start.month % 12 + 1, 1)
    return date(start.year + 1, 1, 1)


def _key_of_start(start: date, by: str) -> str:
    if by == "day":
        return start.isoformat()
    if by == "week":
        year, week, _ = start.isocalendar()
        return f"{year:04d}-W{week:02d}"
    if by == "month":
        return f"{start.year:04d}-{start.month:02d}"
    return f"{start.year:04d}"


def period_key(value: DateValue, by: str) -> str:
    """The name of the period (see the module docstring) holding ``value``'s UTC day."""
    check_period(by)
    return _key_of_start(_period_start(_day(value), by), by)


def period_keys(first: DateValue, last: DateValue, by: str) -> List[str]:
    """The names of every period from the one holding ``first`` to the one holding
    ``last``, in order (empty when ``first`` is after ``last``)."""
    check_period(by)
    start, end = _period_start(_day(first), by), _period_start(_day(last), by)
    keys = []
    while start <= end:
        keys.append(_key_of_start(start, by))
        start = _next_start(start, by)
    return keys


@dataclass(frozen=True)
class Timeline:
    """Articles per period: ``periods`` holds (name, count) for every period of the span,
    in order; ``undated`` counts articles without a date; ``total`` all of them."""

    by: str
    periods: Tuple[Tuple[str, int], ...]
    undated: int
    total: int

    def to_dict(self) -> Dict[str, Any]:
        """``{"by", "periods": [{"period", "count"}, ...], "undated", "total"}``."""
        return {
            "by": self.by,
            "periods": [{"period": key, "count": count} for key, count in self.periods],
            "undated": self.undated,
            "total": self.total,
        }


@dataclass(frozen=True)
class SourceTimeline:
    """Articles per period and source: ``series`` maps each source to its counts, one
    per name in ``periods``; sources come busiest first (then by name)."""

    by: str
    periods: Tuple[str, ...]
    series: Tuple[Tuple[str, Tuple[int, ...]], ...]
    undated: Tuple[Tuple[str, int], ...]
    total: int

    def to_dict(self) -> Dict[str, Any]:
        """``{"by", "periods": [names], "sources": [{"source", "counts", "undated",
        "total"}, ...], "total"}``."""
        undated = dict(self.undated)
        return {
            "by": self.by,
            "periods": list(self.periods),
            "sources": [
                {
                    "source": source,
                    "counts": list(counts),
                    "undated": undated.get(source, 0),
                    "total": sum(counts) + undated.get(source, 0),
                }
                for source, counts in self.series
            ],
            "total": self.total,
        }


def _span(
    days: Iterable[date], by: str, since: Optional[DateValue], until: Optional[DateValue]
) -> List[Tuple[str, date]]:
    """(name, start) of every period from the earliest of ``days`` and ``since`` to the
    latest of ``days`` and ``until``."""
    bounds = list(days)
    bounds += [_day(v) for v in (since, until) if v is not None]
    if not bounds:
        return []
    first, last = min(bounds), max(bounds)
    if _periods_between(first, last, by) > MAX_PERIODS:
        raise InvalidArgument(
            f"a timeline by {by} from {first.isoformat()} to {last.isoformat()} would have more than "
            f"{MAX_PERIODS:,} periods; narrow --from/--to or count by a longer period (--by month or year)"
        )
    start, end = _period_start(first, by), _period_start(last, by)
    out = []
    while start <= end:
        out.append((_key_of_start(start, by), start))
        try:
            start = _next_start(start, by)
        except (OverflowError, ValueError):  # the last period the calendar can hold
            break
    return out


#: Most periods a timeline lists (the days of a century; weeks of 760 years).
MAX_PERIODS = 40_000


def _periods_between(first: date, last: date, by: str) -> int:
    """About how many periods of ``by`` lie from ``first`` to ``last`` (an upper bound)."""
    days = (last - first).days
    return days // {"day": 1, "week": 7, "month": 28, "year": 365}[by] + 1


def _count_days(values: Iterable[Optional[DateValue]]) -> Tuple["Counter[date]", int]:
    """UTC day -> count, and the number of ``None`` values."""
    raw: "Counter[Optional[DateValue]]" = Counter(values)  # hashing in C: one pass, whatever the input size
    undated = raw.pop(None, 0)
    days: "Counter[date]" = Counter()
    for value, n in raw.items():
        days[_day(value)] += n  # type: ignore[arg-type]  # None was popped
    return days, undated


def timeline(
    dates: Iterable[Optional[DateValue]],
    by: str = "month",
    *,
    since: Optional[DateValue] = None,
    until: Optional[DateValue] = None,
) -> Timeline:
    """Count ``dates`` (one per matching article, ``None`` when undated) per period.

    Streams: memory grows with the number of distinct dates, not of articles. Raises
    :class:`InvalidArgument` for an unknown period or ``since`` after ``until``.
    """
    check_period(by)
    check_bounds(since, until)
    days, undated = _count_days(dates)
    per_period: "Counter[date]" = Counter()
    for day, n in days.items():
        per_period[_period_start(day, by)] += n
    span = _span(days, by, since, until)
    periods = tuple((key, per_period.get(start, 0)) for key, start in span)
    return Timeline(by=by, periods=periods, undated=undated, total=sum(per_period.values()) + undated)


def timeline_by_source(
    rows: Iterable[Tuple[Optional[DateValue], Hashable]],
    by: str = "month",
    *,
    since: Optional[DateValue] = None,
    until: Optional[DateValue] = None,
) -> SourceTimeline:
    """Count (date, source) rows per source and period, every source over the same span.

    The same rules as :func:`timeline`; each source's counts plus its undated articles
    add up to its number of rows.
    """
    check_period(by)
    check_bounds(since, until)
    raw: "Counter[Tuple[Optional[DateValue], Hashable]]" = Counter(rows)
    cells: "Counter[Tuple[Hashable, date]]" = Counter()
    undated: "Counter[Hashable]" = Counter()
    per_source: "Counter[Hashable]" = Counter()
    days: Set[date] = set()
    for (value, source), n in raw.items():
        per_source[source] += n
        if value is None:
            undated[source] += n
            continue
        day = _day(value)
        days.add(day)
        cells[(source, _period_start(day, by))] += n
    span = _span(days, by, since, until)
    order: Sequence[Any] = sorted(per_source, key=lambda s: (-per_source[s], str(s)))
    series = tuple(
        (source, tuple(cells.get((source, start), 0) for _, start in span)) for source in order
    )
    return SourceTimeline(
        by=by,
        periods=tuple(key for key, _ in span),
        series=series,
        undated=tuple((s, undated[s]) for s in order if undated[s]),
        total=sum(per_source.values()),
    )
