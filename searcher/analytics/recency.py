"""Recency when asked: relevance times a bounded decay with the article's age.

``--recency 30d`` multiplies each hit's relevance by

    factor = floor + (1 - floor) · 0.5 ** (age / half_life)

where ``age`` is the time from the article's date back from the *anchor* (the end of
``--to`` when the query has one, else the newest article in the archive). An article
one half-life old keeps ``floor + (1 - floor) / 2`` of its relevance, a very old one
tends to ``floor`` (default :data:`FLOOR` = 0.1) and never goes below it: recency reorders
hits of similar relevance, it never erases a strongly relevant old article. Articles
dated after the anchor count as age 0 (factor 1). Undated articles get the floor: their
age is unknown, and ranking them as new would put every undated article first.

Half-lives are written as a number and a unit: ``12h``, ``30d``, ``2w``, ``1y`` (also
``1.5d``, ``30 days``); a year is 365.25 days. Anything else, or a half-life that is not
positive, raises :class:`~searcher.errors.InvalidArgument`.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from typing import Optional, Union

from searcher.errors import InvalidArgument

__all__ = ["FLOOR", "parse_half_life", "decay", "Recency", "anchor"]

#: The lowest factor recency ever gives (an infinitely old or an undated article).
FLOOR = 0.1

_UNITS = {
    "h": 3600.0, "hour": 3600.0, "hours": 3600.0,
    "d": 86400.0, "day": 86400.0, "days": 86400.0,
    "w": 7 * 86400.0, "week": 7 * 86400.0, "weeks": 7 * 86400.0,
    "y": 365.25 * 86400.0, "year": 365.25 * 86400.0, "years": 365.25 * 86400.0,
}  # fmt: skip
_HALF_LIFE = re.compile(r"\s*(\d+(?:\.\d+)?)\s*([a-z]+)\s*", re.IGNORECASE)

DateValue = Union[date, datetime]


def parse_half_life(text: str) -> timedelta:
    """``"30d"`` -> 30 days; :class:`InvalidArgument` (one line) for anything else."""
    match = _HALF_LIFE.fullmatch(text or "")
    unit = match and _UNITS.get(match.group(2).lower())
    if not match or unit is None:
        raise InvalidArgument(
            f"cannot read the half-life {text!r}; write a number and a unit: 12h, 30d, 2w or 1y"
        )
    seconds = float(match.group(1)) * unit
    if seconds <= 0 or not math.isfinite(seconds) or seconds > 1000 * 365.25 * 86400:
        raise InvalidArgument(f"the half-life {text!r} must be more than zero and at most 1000y")
    return timedelta(seconds=seconds)


def decay(age: timedelta, half_life: timedelta, *, floor: float = FLOOR) -> float:
    """The factor for an article ``age`` old: ``floor + (1 - floor) * 0.5 ** (age /
    half_life)``, 1.0 for a negative age."""
    if age <= timedelta(0):
        return 1.0
    return floor + (1.0 - floor) * math.pow(0.5, age / half_life)


def _as_datetime(value: DateValue) -> datetime:
    if isinstance(value, datetime):
        return value if value.tzinfo is not None else value.replace(tzinfo=timezone.utc)
    return datetime.combine(value, time(), tzinfo=timezone.utc)


def anchor(newest: Optional[DateValue], until: Optional[DateValue]) -> Optional[datetime]:
    """Where ages are measured from: the end of the ``until`` day when given (a
    ``date``, or a ``datetime`` taken as is), else ``newest``; ``None`` when neither
    is known (an archive of undated articles: recency then changes nothing)."""
    if until is not None:
        if isinstance(until, datetime):
            return _as_datetime(until)
        return datetime.combine(until, time.max, tzinfo=timezone.utc)
    return None if newest is None else _as_datetime(newest)


@dataclass(frozen=True)
class Recency:
    """A decay ready to apply: ``Recency(anchor, half_life)(date)`` is the factor."""

    anchor: datetime
    half_life: timedelta
    floor: float = FLOOR

    def __post_init__(self) -> None:
        if not 0.0 <= self.floor < 1.0:
            raise InvalidArgument(f"the recency floor must be at least 0 and below 1, not {self.floor}")
        if self.half_life <= timedelta(0):
            raise InvalidArgument("the half-life must be more than zero")
        object.__setattr__(self, "anchor", _as_datetime(self.anchor))

    def __call__(self, when: Optional[DateValue]) -> float:
        """The factor for an article dated ``when`` (the floor when ``None``)."""
        if when is None:
            return self.floor
        return decay(self.anchor - _as_datetime(when), self.half_life, floor=self.floor)

    def apply(self, score: float, when: Optional[DateValue]) -> float:
        """``score`` times the factor for ``when``."""
        return score * self(when)
