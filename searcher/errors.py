"""One exception family for everything a user can cause.

Every message is a single line that names the problem and, where there is one, the fix.
The CLI turns any ``SearcherError`` into that line and a non-zero exit code; library callers
catch ``SearcherError`` (or a child) and never see a Whoosh exception.
"""

from __future__ import annotations


class SearcherError(Exception):
    """Base class: something the user can fix, described in one line."""


class IndexNotFound(SearcherError):
    """The index folder does not exist or holds no index."""


class IndexVersionMismatch(SearcherError):
    """The index was written with another schema version."""


class IndexLocked(SearcherError):
    """Another process is writing to the index."""


class IndexCorrupt(SearcherError):
    """The index exists but cannot be read."""


class QuerySyntaxError(SearcherError):
    """The query text cannot be parsed; the message says what and where."""


class QueryTimeout(SearcherError):
    """The query took longer than the allowed time."""

    @classmethod
    def after(cls, seconds: float) -> "QueryTimeout":
        """The error for a search stopped after ``seconds`` (the limit the user gave)."""
        return cls(f"the search took more than {seconds:g} s; make the query narrower or raise --timeout")


class QueryTooBroad(SearcherError):
    """A prefix or fuzzy term matches more index terms than a query may expand to; the
    message says how many at least and how to narrow it (never a silent cap)."""


class EngineUnavailable(SearcherError):
    """The archive's server cannot be reached or refuses the credentials."""


class SourceError(SearcherError):
    """A file cannot be read as news articles; raised per file, never for a whole run."""


class DateError(ValueError):
    """A date string is recognisable but impossible (for example 2023-02-30)."""


class InvalidArgument(SearcherError):
    """An option has a value that cannot be used (a period name, a half-life, reversed
    dates); the message names the value and what would work."""
