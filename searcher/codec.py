"""Kept so that Whoosh indexes written before the engine seam still open.

Their table of contents pickles the codec under this module's name
(``searcher.codec.NewsCodec``). The codec now lives in ``searcher.engines.whoosh.codec``;
nothing in searcher imports this module.
"""

from searcher.engines.whoosh.codec import NewsCodec  # noqa: F401
