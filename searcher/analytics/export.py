"""Every hit, reproducibly: the export header, the index fingerprint, citations.

An export of a query starts with a header record naming what was asked and of what:

    {"query": "...", "since": "2017-01-01", "until": "2017-03-31", "articles": 5356,
     "fingerprint": "idx1-..."}

``articles`` is the number of articles in the index and ``fingerprint`` identifies the
index state (:func:`fingerprint`): rerunning the export with the same query against an
index with the same fingerprint gives the same records in the same order (the engine
streams them oldest first, by date then id, undated last: :func:`export_order`). In
JSON lines the header is the first line; in CSV it is the first line as a comment,
``# searcher-export {...}`` with the same JSON (:func:`csv_comment`; read it with
``skiprows=1`` in pandas, or skip lines starting with ``#``).

Each record carries a citation of its article (:func:`citation`), in the note form of
the Chicago style for news articles, the one most archives built for researchers offer:

    Jane Doe, "Title of the Article," Outlet, February 7, 2017, https://example.org/a.

Missing parts are left out; an undated article has "n.d." in place of the date.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date, datetime, timezone
from typing import Any, Dict, Iterable, Optional, Tuple, Union

__all__ = [
    "ExportHeader",
    "fingerprint",
    "csv_comment",
    "read_csv_comment",
    "citation",
    "citation_record",
    "export_order",
]

DateValue = Union[date, datetime]
_CSV_PREFIX = "# searcher-export "
_MONTHS = (
    "January", "February", "March", "April", "May", "June", "July", "August",
    "September", "October", "November", "December",
)  # fmt: skip


def _iso_day(value: Optional[DateValue]) -> Optional[str]:
    if value is None:
        return None
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(timezone.utc)
        return value.strftime("%Y-%m-%dT%H:%M:%SZ")
    return value.isoformat()


@dataclass(frozen=True)
class ExportHeader:
    """What an export answers: the query ("" for a whole-archive export), the resolved
    date bounds (``None`` when open), the index's article count and its fingerprint."""

    query: str
    since: Optional[DateValue]
    until: Optional[DateValue]
    articles: int
    fingerprint: str

    def to_dict(self) -> Dict[str, Any]:
        """``{"query", "since", "until", "articles", "fingerprint"}``, dates in ISO 8601."""
        return {
            "query": self.query,
            "since": _iso_day(self.since),
            "until": _iso_day(self.until),
            "articles": self.articles,
            "fingerprint": self.fingerprint,
        }

    def to_json(self) -> str:
        """The header as one JSON line (no newline)."""
        return json.dumps(self.to_dict(), ensure_ascii=False, sort_keys=False)


def csv_comment(header: ExportHeader) -> str:
    """The header as the first line of a CSV export (no newline)."""
    return _CSV_PREFIX + header.to_json()


def read_csv_comment(line: str) -> Optional[Dict[str, Any]]:
    """The header dict from a CSV export's first line, or ``None`` if it holds none."""
    if not line.startswith(_CSV_PREFIX):
        return None
    try:
        value = json.loads(line[len(_CSV_PREFIX) :])
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def fingerprint(state: Iterable[Tuple[str, Any]]) -> str:
    """A short, stable identifier of an index state.

    ``state`` is what the engine can say about its content cheaply and exactly, as
    (name, value) pairs of JSON-able values: for Whoosh, each segment's name and
    document/deletion counts and the generation; for PostgreSQL, the row count and the
    last change. Order does not matter; any change of a value gives another fingerprint.
    The result is ``"idx1-"`` and 24 hex digits of BLAKE2b.
    """
    items = sorted((str(name), value) for name, value in state)
    canonical = json.dumps(items, ensure_ascii=False, separators=(",", ":"), sort_keys=True, default=str)
    return "idx1-" + hashlib.blake2b(canonical.encode("utf-8"), digest_size=12).hexdigest()


def _human_date(value: DateValue) -> str:
    if isinstance(value, datetime) and value.tzinfo is not None:
        value = value.astimezone(timezone.utc)
    return f"{_MONTHS[value.month - 1]} {value.day}, {value.year}"


def citation(*, outlet: str, author: str, title: str, date: Optional[DateValue], url: str) -> str:
    """A Chicago-style note for a news article (see the module docstring)."""
    parts = []
    if author.strip():
        parts.append(" ".join(author.split()))
    title = " ".join(title.split())
    if title:
        parts.append(f"\u201c{title},\u201d" if title[-1] not in "?!" else f"\u201c{title}\u201d")
    if outlet.strip():
        parts.append(" ".join(outlet.split()))
    parts.append(_human_date(date) if date is not None else "n.d.")
    if url.strip():
        parts.append(url.strip())
    text = ""
    for part in parts:
        if not text:
            text = part
        elif text.endswith("\u201d"):
            text += " " + part  # the title's closing quote already holds its comma
        else:
            text += ", " + part
    return text if text.endswith(".") else text + "."


def citation_record(*, outlet: str, author: str, title: str, date: Optional[DateValue], url: str) -> Dict[str, Any]:
    """The citation's parts and text: ``{"outlet", "author", "title", "date", "url", "text"}``."""
    return {
        "outlet": outlet,
        "author": author,
        "title": title,
        "date": _iso_day(date),
        "url": url,
        "text": citation(outlet=outlet, author=author, title=title, date=date, url=url),
    }


def export_order(article_id: str, when: Optional[DateValue]) -> Tuple[bool, Any, str]:
    """The sort key of the stable export order: dated articles oldest first, then the
    undated, ties by id. Engines that sort natively sort by the same three keys."""
    return (when is None, when if when is not None else 0, article_id)
