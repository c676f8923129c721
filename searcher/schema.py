"""Kept so that Whoosh indexes written before the engine seam still open.

Their table of contents pickles the fields' analyzer and format under this module's name
(``searcher.schema.NewsTokenizer``, ``searcher.schema.NewsPositions``). The schema now lives
in ``searcher.engines.whoosh.schema``; nothing in searcher imports this module.
"""

from searcher.engines.whoosh.schema import NewsPositions, NewsTokenizer  # noqa: F401
