"""The timeline as a bar chart: geometry for a server-side SVG, no script, no markup.

``archive.timeline`` (when the library has it) gives periods and counts; this module turns
them into bars and a few axis labels that the ``_timeline.html`` template draws, each bar a
link that narrows the search to its period.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping, Sequence, Tuple

#: A click on a bar narrows to that period and shows the next finer one.
FINER = {"year": "month", "month": "day", "day": "day"}


@dataclass(frozen=True)
class Bar:
    """One period's bar: position and size in SVG user units, and what it stands for."""

    x: float
    y: float
    width: float
    height: float
    period: str
    count: int


@dataclass(frozen=True)
class Chart:
    """A whole chart: its size, the bars, the tallest count, and (x, text) axis labels."""

    width: int
    height: int
    bars: Tuple[Bar, ...]
    top: int
    labels: Tuple[Tuple[float, str], ...]


def chart(periods: Sequence[Mapping[str, Any]], *, width: int = 720, height: int = 120, max_labels: int = 8) -> Chart:
    """Bars for ``[{"period": "2017-03", "count": 12}, ...]`` (in time order), scaled so the
    largest count fills ``height`` (less a band for labels); an empty list gives no bars."""
    plot = height - 18  # room for the labels under the bars
    items = [(str(p["period"]), int(p["count"])) for p in periods]
    top = max((c for _, c in items), default=0)
    if not items:
        return Chart(width, height, (), 0, ())
    slot = width / len(items)
    gap = min(2.0, slot * 0.2)
    bars = []
    for n, (period, count) in enumerate(items):
        h = plot * count / top if top else 0.0
        if count and h < 1.0:
            h = 1.0  # a period with any article stays visible
        bars.append(Bar(round(n * slot + gap / 2, 2), round(plot - h, 2), round(slot - gap, 2), round(h, 2), period, count))
    step = max(1, -(-len(items) // max_labels))
    labels = tuple((round(b.x + b.width / 2, 2), b.period) for b in bars[::step])
    return Chart(width, height, tuple(bars), top, labels)
