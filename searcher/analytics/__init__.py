"""News-analysis algorithms that do not depend on a search engine.

Each module takes plain inputs (rows of id, date, source; term counts; texts) that any
engine can produce for a result set, and returns plain, JSON-able results:

* :mod:`~searcher.analytics.neardup`: wire copies (MinHash signatures at index time,
  grouping of a result set at search time);
* :mod:`~searcher.analytics.timeline` and :mod:`~searcher.analytics.charts`: articles
  per period, and their terminal rendering;
* :mod:`~searcher.analytics.significance`: terms that marked a set of articles;
* :mod:`~searcher.analytics.first`: who ran a story first;
* :mod:`~searcher.analytics.recency`: half-lives and the bounded decay;
* :mod:`~searcher.analytics.export`: the export header, index fingerprint, citations.

Nothing here imports an engine; the engines and ``Archive`` call these.
"""
