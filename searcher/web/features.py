"""The analysis features the page shows when the library has them.

The page is built so that each feature slots in as soon as ``Archive`` grows it, with no
change here beyond what these functions already expect:

* ``archive.timeline(query, by="month", since=, until=)`` ->
  ``{"periods": [{"period": "2017-03", "count": N}, ...], "total": N}``
* ``archive.search(..., collapse=True)``: each hit gains ``copies``, the ids of the other
  members of its wire-copy group
* ``archive.terms(query, since=, until=)`` ->
  ``{"terms": [{"term": ..., "in": ..., "out": ..., "score": ...}, ...]}``

When the method (or the ``collapse`` parameter) is missing, that part of the page is hidden
and its API route answers 404 with a message.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Features:
    """Which analysis features an archive class offers."""

    timeline: bool
    copies: bool
    terms: bool

    @classmethod
    def of(cls, archive: Any) -> "Features":
        """What ``archive`` (an open ``Archive`` or a subclass's instance) can do."""
        search = getattr(archive, "search", None)
        try:
            collapse = search is not None and "collapse" in inspect.signature(search).parameters
        except (TypeError, ValueError):
            collapse = False
        return cls(
            timeline=callable(getattr(archive, "timeline", None)),
            copies=collapse,
            terms=callable(getattr(archive, "terms", None)),
        )
