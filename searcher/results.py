"""Plain result objects returned by the ``Archive``: search hits, index reports, statistics.

They hold data only, so renderers and library callers can use them without Whoosh.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date as _date
from datetime import date, datetime, timedelta
from typing import Any, Dict, Iterator, List, Optional, Tuple

from searcher.article import Problem
from searcher.highlight import Snippet


def iso(date: Optional[datetime]) -> Optional[str]:
    """ISO 8601 in UTC with a ``Z``, or None."""
    if date is None:
        return None
    return date.strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class Hit:
    """One search result, with the snippets already cut for the query."""

    id: str
    title: str
    date: Optional[datetime]
    source: str
    url: str
    author: str
    keywords: Tuple[str, ...]
    score: float
    path: str
    title_snippet: Snippet
    snippets: Tuple[Snippet, ...]
    #: Collapsed searches: the other copies of the same wire story, earliest first.
    copies: Tuple[str, ...] = ()
    copy_sources: Tuple[str, ...] = ()
    #: The offset from UTC, in minutes east, the source stated with the date (or None).
    utc_offset: Optional[int] = None

    @property
    def day(self) -> "Optional[_date]":
        """The publication's own calendar day (``Article.day``): what is shown and filtered."""
        if self.date is None:
            return None
        return (self.date + timedelta(minutes=self.utc_offset or 0)).date()

    def to_dict(self) -> Dict[str, Any]:
        """The JSON form of a hit."""
        return {
            "id": self.id,
            "title": self.title,
            "date": iso(self.date),
            "day": self.day.isoformat() if self.day else None,
            "source": self.source,
            "url": self.url,
            "author": self.author,
            "keywords": list(self.keywords),
            "score": round(self.score, 4),
            "path": self.path,
            "title_highlights": [list(span) for span in self.title_snippet.highlights],
            "snippets": [s.to_dict() for s in self.snippets],
            "copies": list(self.copies),
        }


@dataclass(frozen=True)
class Results:
    """One page of hits plus what the whole query found.

    Iterating gives the hits of this page; ``total`` is the exact number of matching
    articles; ``suggestion`` is a "did you mean" query or None.
    """

    query: str
    parsed: Any  # searcher.query.ParsedQuery; typed loosely so results.py needs no Whoosh
    hits: Tuple[Hit, ...]
    total: int
    page: int
    limit: int
    sort: str
    suggestion: Optional[str]
    seconds: float
    #: With ``collapse``: how many stories (groups of copies) the articles make.
    groups: Optional[int] = None
    #: A one-line note for the user about how the results were made (e.g. an archive
    #: too old to collapse fast); not part of the JSON.
    hint: str = ""

    def __iter__(self) -> Iterator[Hit]:
        return iter(self.hits)

    def __len__(self) -> int:
        return len(self.hits)

    @property
    def pages(self) -> int:
        """How many pages of ``limit`` hits (stories, when collapsed) the results fill."""
        count = self.total if self.groups is None else self.groups
        return max(1, -(-count // self.limit)) if self.limit else 1

    def to_dict(self) -> Dict[str, Any]:
        """The JSON form: ``{"query", "total", "page", "hits": [...]}`` and a little more."""
        return {
            "query": self.query,
            "parsed": self.parsed.describe(),
            "total": self.total,
            "page": self.page,
            "pages": self.pages,
            "limit": self.limit,
            "sort": self.sort,
            "suggestion": self.suggestion,
            "seconds": round(self.seconds, 4),
            **({} if self.groups is None else {"groups": self.groups}),
            "hits": [hit.to_dict() for hit in self.hits],
        }


@dataclass
class IndexReport:
    """What one indexing run did. Counts are articles unless named otherwise."""

    files_read: int = 0
    files_unchanged: int = 0
    files_failed: int = 0
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    duplicates: int = 0
    undated: int = 0
    removed: int = 0
    failures: List[Problem] = field(default_factory=list)
    warnings: List[Problem] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def failed(self) -> int:
        """Files that could not be read at all."""
        return self.files_failed

    def to_dict(self) -> Dict[str, Any]:
        return {
            "files_read": self.files_read,
            "files_unchanged": self.files_unchanged,
            "files_failed": self.files_failed,
            "added": self.added,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "duplicates": self.duplicates,
            "undated": self.undated,
            "removed": self.removed,
            "seconds": round(self.seconds, 3),
            "failures": [str(p) for p in self.failures],
            "warnings": [str(p) for p in self.warnings],
        }


@dataclass(frozen=True)
class Stats:
    """A summary of an archive for ``searcher stats``."""

    articles: int
    first_date: Optional[datetime]
    last_date: Optional[datetime]
    undated: int
    per_year: Tuple[Tuple[int, int], ...]
    top_sources: Tuple[Tuple[str, int], ...]
    files: int
    size_bytes: int
    path: str
    engine: str = "whoosh"

    def to_dict(self) -> Dict[str, Any]:
        return {
            "path": self.path,
            "engine": self.engine,
            "articles": self.articles,
            "first_date": iso(self.first_date),
            "last_date": iso(self.last_date),
            "undated": self.undated,
            "per_year": {str(y): n for y, n in self.per_year},
            "top_sources": [{"source": s, "articles": n} for s, n in self.top_sources],
            "files": self.files,
            "size_bytes": self.size_bytes,
        }
