"""Who ran it first: the earliest matching article of each source, and the first day.

Input: (id, date, source) rows of every article that matches a query, in any order.
"Earliest" compares dates (datetimes keep their time of day, so two articles of one
day are ordered by publication time where the source gave one), then ids, so the
answer is the same whatever order the rows come in. Undated articles cannot be first:
they are left out and counted in ``undated``. The first day is the UTC calendar day of
the earliest dated article. One pass, memory per source, not per article.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timezone
from typing import Any, Dict, Iterable, Optional, Tuple, Union

__all__ = ["FirstRow", "FirstSeen", "first_appearances"]

DateValue = Union[date, datetime]


@dataclass(frozen=True)
class FirstRow:
    """The earliest matching article of one source."""

    source: str
    date: DateValue
    id: str

    def to_dict(self) -> Dict[str, Any]:
        """``{"source", "date", "id"}``, the date as ISO 8601 (``...Z`` for UTC)."""
        return {"source": self.source, "date": _iso(self.date), "id": self.id}


def _iso(value: DateValue) -> str:
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(timezone.utc).replace(tzinfo=None)
        return value.strftime("%Y-%m-%dT%H:%M:%SZ")
    return value.isoformat()


def _utc_day(value: DateValue) -> date:
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(timezone.utc)
        return value.date()
    return value


@dataclass(frozen=True)
class FirstSeen:
    """``sources``: the earliest article of each source, earliest first (ties by source,
    then id); ``first_day``: the day of the very first one (``None`` when nothing dated
    matched); ``undated``: matching articles left out for want of a date; ``total``:
    all matching articles."""

    first_day: Optional[date]
    sources: Tuple[FirstRow, ...]
    undated: int
    total: int

    def to_dict(self) -> Dict[str, Any]:
        """``{"first_day": "YYYY-MM-DD" or None, "sources": [...], "undated", "total"}``."""
        return {
            "first_day": self.first_day.isoformat() if self.first_day else None,
            "sources": [row.to_dict() for row in self.sources],
            "undated": self.undated,
            "total": self.total,
        }


def first_appearances(rows: Iterable[Tuple[str, Optional[DateValue], str]]) -> FirstSeen:
    """The earliest article of each source among ``rows`` of (id, date, source).

    Dates must be comparable with each other (all aware datetimes, or all naive, or all
    dates), as an index gives them.
    """
    best: Dict[str, Tuple[DateValue, str]] = {}
    undated = total = 0
    for article_id, when, source in rows:
        total += 1
        if when is None:
            undated += 1
            continue
        held = best.get(source)
        if held is None or (when, article_id) < held:
            best[source] = (when, article_id)
    ordered = sorted(best.items(), key=lambda item: (item[1][0], item[0], item[1][1]))
    sources = tuple(FirstRow(source, when, article_id) for source, (when, article_id) in ordered)
    first_day = _utc_day(sources[0].date) if sources else None
    return FirstSeen(first_day=first_day, sources=sources, undated=undated, total=total)
