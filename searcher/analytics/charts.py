"""Plain-text charts for the terminal: horizontal bars and sparklines.

No colours and no cursor control, so the output is the same in a pipe, a file or a
terminal. Block characters (``█▏▎...``, ``▁▂...█``) are used when the output can encode
them (see :func:`can_draw_blocks`); otherwise ASCII (``#``, `` .:-=+*#``), which every
terminal shows.
"""

from __future__ import annotations

import codecs
from typing import List, Optional, Sequence, Tuple

__all__ = ["bar_chart", "sparkline", "can_draw_blocks"]

_EIGHTHS = " ▏▎▍▌▋▊▉"  # 0/8 .. 7/8 of a cell
_FULL = "█"
_SPARKS = "▁▂▃▄▅▆▇█"
_ASCII_SPARKS = ".:-=+*#@"


def can_draw_blocks(encoding: Optional[str]) -> bool:
    """Whether text in ``encoding`` (a stream's ``.encoding``) can hold block characters."""
    if not encoding:
        return False
    try:
        codecs.lookup(encoding)
        (_FULL + _EIGHTHS + _SPARKS).encode(encoding)
    except (LookupError, UnicodeEncodeError):
        return False
    return True


def _bar(count: int, peak: int, width: int, blocks: bool) -> str:
    """A bar ``count / peak`` of ``width`` cells; any non-zero count shows at least a sliver."""
    if count <= 0 or peak <= 0:
        return ""
    eighths = max(1, round(count / peak * width * 8))
    if not blocks:
        return "#" * max(1, round(eighths / 8))
    full, rest = divmod(eighths, 8)
    return _FULL * full + (_EIGHTHS[rest] if rest else "")


def bar_chart(rows: Sequence[Tuple[str, int]], *, width: int = 50, blocks: bool = True) -> List[str]:
    """One line per (label, count): the label, a bar scaled to the largest count, the
    count. Zero counts get no bar but keep their line, so empty periods stay visible."""
    if not rows:
        return []
    peak = max(count for _, count in rows)
    label_width = max(len(label) for label, _ in rows)
    count_width = max(len(f"{count:,}") for _, count in rows)
    lines = []
    for label, count in rows:
        bar = _bar(count, peak, width, blocks)
        lines.append(f"{label:<{label_width}}  {count:>{count_width},}  {bar}".rstrip())
    return lines


def sparkline(counts: Sequence[int], *, blocks: bool = True) -> str:
    """One character per count, its height scaled to the largest; zero is a space, any
    non-zero count at least the lowest mark."""
    marks = _SPARKS if blocks else _ASCII_SPARKS
    peak = max(counts, default=0)
    if peak <= 0:
        return " " * len(counts)
    top = len(marks) - 1
    return "".join(
        " " if c <= 0 else marks[min(top, max(0, -(-c * len(marks) // peak) - 1))] for c in counts
    )
