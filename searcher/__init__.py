"""searcher: full-text search for news archives, on Whoosh.

    from searcher import Archive

    with Archive.open("indexes/news", create=True) as archive:
        archive.index_paths(["corpus/"])
        for hit in archive.search('"north korea" missile'):
            print(hit.date, hit.title)

Names are imported on first use, so that ``import searcher.cli`` (every command) does not
pay for Whoosh's import until a command needs it.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

_EXPORTS = {
    "Archive": "searcher.archive",
    "DEFAULT_INDEX": "searcher.archive",
    "Article": "searcher.article",
    "Problem": "searcher.article",
    "SearcherError": "searcher.errors",
    "IndexNotFound": "searcher.errors",
    "IndexVersionMismatch": "searcher.errors",
    "IndexLocked": "searcher.errors",
    "IndexCorrupt": "searcher.errors",
    "QuerySyntaxError": "searcher.errors",
    "QueryTimeout": "searcher.errors",
    "SourceError": "searcher.errors",
    "Hit": "searcher.results",
    "IndexReport": "searcher.results",
    "Results": "searcher.results",
    "Stats": "searcher.results",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'searcher' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)


def __dir__() -> list:
    return sorted(list(globals()) + __all__)


if TYPE_CHECKING:  # pragma: no cover
    from searcher.archive import DEFAULT_INDEX, Archive
    from searcher.article import Article, Problem
    from searcher.errors import (
        IndexCorrupt,
        IndexLocked,
        IndexNotFound,
        IndexVersionMismatch,
        QuerySyntaxError,
        QueryTimeout,
        SearcherError,
        SourceError,
    )
    from searcher.results import Hit, IndexReport, Results, Stats
