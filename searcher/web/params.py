"""The state of a search page, read from and written back to a URL's query string.

The URL holds the whole state (query, source, dates, sort, page, page size, timeline
granularity), so a search can be bookmarked, shared and walked back with the browser's back
button. Every value is checked here; a bad one is a ``BadParameter`` with a one-line message,
which the web app answers with 400.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, Dict, Mapping, Optional
from urllib.parse import urlencode

from searcher.errors import SearcherError

SORTS = ("relevance", "newest", "oldest")
PERIODS = ("year", "month", "day")
MAX_LIMIT = 100
MAX_PAGE = 10_000
MAX_FIELD = 10_000  # characters, the query language's own limit


class BadParameter(SearcherError):
    """A query-string value the web page or API cannot use."""


def _text(args: Mapping[str, str], name: str) -> str:
    value = args.get(name, "") or ""
    if len(value) > MAX_FIELD:
        raise BadParameter(f"'{name}' is longer than {MAX_FIELD} characters; shorten it")
    if "\x00" in value:
        raise BadParameter(f"'{name}' holds a NUL character; remove it")
    return value.strip()


def _number(args: Mapping[str, str], name: str, default: int, top: int) -> int:
    raw = (args.get(name) or "").strip()
    if not raw:
        return default
    if not raw.isdigit() or not 1 <= int(raw) <= top:
        raise BadParameter(f"'{name}' must be a whole number from 1 to {top}, not '{raw[:40]}'")
    return int(raw)


def _choice(args: Mapping[str, str], name: str, choices: tuple, default: str) -> str:
    raw = (args.get(name) or "").strip()
    if not raw:
        return default
    if raw not in choices:
        raise BadParameter(f"'{name}' must be one of {', '.join(choices)}, not '{raw[:40]}'")
    return raw


@dataclass(frozen=True)
class SearchState:
    """One search as the page and the API take it: ``q`` in the query language, an optional
    ``source`` to narrow to, ``since``/``until`` in the library's date forms (URL names
    ``from`` and ``to``), ``sort``, ``page``, ``limit`` hits a page, and the timeline's
    ``by`` (year, month or day)."""

    q: str = ""
    source: str = ""
    since: str = ""
    until: str = ""
    sort: str = "relevance"
    page: int = 1
    limit: int = 10
    by: str = "year"

    @classmethod
    def from_args(cls, args: Mapping[str, str], *, default_limit: int = 10) -> "SearchState":
        """Read and check a query string (``request.args``); raises ``BadParameter``."""
        return cls(
            q=_text(args, "q"),
            source=_text(args, "source"),
            since=_text(args, "from"),
            until=_text(args, "to"),
            sort=_choice(args, "sort", SORTS, "relevance"),
            page=_number(args, "page", 1, MAX_PAGE),
            limit=_number(args, "limit", default_limit, MAX_LIMIT),
            by=_choice(args, "by", PERIODS, "year"),
        )

    @property
    def empty(self) -> bool:
        """Nothing asked yet: the page shows the form only."""
        return not (self.q or self.source or self.since or self.until)

    @property
    def _source_phrase(self) -> str:
        return 'source:"' + self.source.replace('"', " ").replace("\\", " ") + '"'

    @property
    def query(self) -> str:
        """The query the library runs: ``q``, narrowed to ``source`` when one is chosen
        (as a ``source:"..."`` phrase, so a name with spaces or dots works)."""
        if not self.source:
            return self.q
        return f"({self.q}) {self._source_phrase}" if self.q else self._source_phrase

    def suggested(self, suggestion: str) -> "SearchState":
        """This search with the library's "did you mean" for ``query`` in place of ``q``
        (the source filter kept apart when the suggestion kept it as it was)."""
        if self.source:
            head, tail = "(", ") " + self._source_phrase
            if suggestion.startswith(head) and suggestion.endswith(tail):
                return self.with_(q=suggestion[len(head) : -len(tail)])
            return self.with_(q=suggestion, source="")
        return self.with_(q=suggestion)

    def search_kwargs(self) -> Dict[str, Any]:
        """Keyword arguments for ``Archive.search`` (besides the query)."""
        return {
            "since": self.since or None,
            "until": self.until or None,
            "sort": self.sort,
            "page": self.page,
            "limit": self.limit,
        }

    def with_(self, **changes: Any) -> "SearchState":
        """A copy with some fields changed (``page`` goes back to 1 unless given)."""
        changes.setdefault("page", 1)
        return replace(self, **changes)

    def args(self, *, page: Optional[int] = None) -> Dict[str, str]:
        """The query-string form, defaults left out so URLs stay short and readable."""
        out: Dict[str, str] = {}
        for key, value, default in (
            ("q", self.q, ""),
            ("source", self.source, ""),
            ("from", self.since, ""),
            ("to", self.until, ""),
            ("sort", self.sort, "relevance"),
            ("page", str(page or self.page), "1"),
            ("limit", str(self.limit), "10"),
            ("by", self.by, "year"),
        ):
            if value != default:
                out[key] = value
        return out

    def query_string(self, **changes: Any) -> str:
        """``?q=...`` for this state with ``changes`` applied ("" when all are defaults)."""
        state = self.with_(**changes) if changes else self
        encoded = urlencode(state.args())
        return "?" + encoded if encoded else ""
