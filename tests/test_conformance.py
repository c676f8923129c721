"""The conformance suite: every engine gives the same answers through ``Archive``.

The same corpus is indexed into each engine (a Whoosh folder, a PostgreSQL database on the
test server) and the same queries, one or more of every class of the README's query
language, run through ``Archive.search`` only (never an engine's internals), so any
future engine must pass this file. Required: identical totals, identical sets of matching
ids (every match, not a page), identical JSON shapes, and the same dates in the same order
for ``newest`` / ``oldest``. Scores may differ (BM25F against ``ts_rank``); that is why
relevance order is compared only as a set. Known differences: none; the README lists the
constructs each engine refuses.

Corpora: the shipped ``corpus/`` always; ``../shared/corpora/news-csv/NewsArticles.csv``
when present (skipped cleanly otherwise).
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Dict, Iterator, List, Tuple

import pytest

from searcher.archive import Archive
from searcher.article import Article
from searcher.errors import SearcherError

from tests.conftest import CORPORA, REPO

NOW = datetime(2023, 11, 20, 12, 0, tzinfo=timezone.utc)
ALL = 100_000

#: Fixed queries: every class of the README's query language.
FIXED = [
    # words, implicit AND, OR, NOT, groups
    "missile", "korea", "north korea missile", "missile OR rocket", "missile | rocket",
    "missile AND NOT drill", "korea -missile", "korea NOT (missile OR nuclear)",
    '"north korea" AND (missile OR rocket) -drill', "(president OR minister) (election OR vote)",
    "-korea", "NOT korea AND government",
    # phrases, stopword phrases, proximity
    '"north korea"', '"interest rates"', '"bank of england"', '"prime minister"', '"the united states"',
    '"north korea"~3', '"president trump"~5', '"security council"~2', '"korea missile"~10',
    '"said the government"~4', '"in the"', "U.S.-China talks", "covid-19", "9/11",
    # scopes
    "title:korea", "title:(missile OR rocket)", "body:missile", "text:missile", 'title:"north korea"',
    "source:bbc", "source:cnn", "author:smith", 'keyword:"north korea"', "keyword:korea", "url:cnn",
    "url:bbc", 'url:"bbc co uk"', "keywords:missile",
    # prefixes and fuzzy terms
    "missil*", "missiles*", "kor*", "title:kor*", "source:bb*", "keyword:nor*", "presid*",
    "missle~", "missle~2", "goverment~", "title:koreaa~", "trum~", "keyword:korea~",
    # dates
    "date:2017", "date:2017-02", "korea date:2017", "date:[2017-02-01 TO 2017-02-28]",
    "date:>=2017-03-01", "date:<2017", "korea OR date:2023", "missile -date:2017",
    'date:"last year"', "date:today", "date:2023-08-31",
    # odd text
    "don't", "it's", "3.5", "obama's", "ÉLECTION", "кремль",
]


def _words(archive: Archive) -> List[str]:
    """Frequent title words of the corpus (the same for every engine: read from export)."""
    counts: Counter = Counter()
    for article in archive.export():
        counts.update(w.lower() for w in re.findall(r"[A-Za-z]{4,}", article.title))
    return [w for w, _ in counts.most_common(60)]


def generated(archive: Archive) -> List[str]:
    """Queries made from the corpus's own frequent words, so every class meets real matches."""
    words = _words(archive)
    out: List[str] = []
    for i, w in enumerate(words[:12]):
        nxt = words[(i + 1) % len(words)]
        out += [w, f"{w} {nxt}", f"{w} OR {nxt}", f"{w} -{nxt}", f'"{w} {nxt}"~6', f"title:{w}",
                f"{w[:3]}*", f"{w[:-1]}~", f"{w}~2", f"{w} date:[2017-01-01 TO 2017-12-31]"]
    phrases: Counter = Counter()
    for article in archive.export():
        tokens = re.findall(r"[A-Za-z]+", article.title)
        phrases.update(f"{a} {b}".lower() for a, b in zip(tokens, tokens[1:]))
    out += [f'"{p}"' for p, _ in phrases.most_common(15)]
    return out


# -- the archives ------------------------------------------------------------------------------


def _corpus_path(name: str) -> Path:
    if name == "shipped":
        return REPO / "corpus"
    path = CORPORA / "news-csv" / "NewsArticles.csv"
    if not path.is_file():
        pytest.skip("../shared/corpora/news-csv/NewsArticles.csv is not here")
    return path


@pytest.fixture(scope="module", params=["shipped", "news-csv"])
def archives(request: Any, tmp_path_factory: Any, pg_server: Any) -> Iterator[Dict[str, Archive]]:
    """{engine name: Archive} holding the same corpus."""
    source = _corpus_path(request.param)
    folder = tmp_path_factory.mktemp(f"whoosh-{request.param}")
    url = pg_server.create_database(f"conformance_{request.param.replace('-', '_')}")
    opened = {
        "whoosh": Archive.open(folder / "index", create=True),
        "postgresql": Archive.open(url, create=True),
    }
    reports = {name: a.index_paths([source]) for name, a in opened.items()}
    assert reports["whoosh"].added == reports["postgresql"].added > 0
    yield opened
    for archive in opened.values():
        archive.close()


def _outcome(archive: Archive, query: str, **options: Any) -> Tuple[str, Any]:
    """("ok", (total, ids)) or ("error", error class name) for a query on one archive."""
    try:
        results = archive.search(query, limit=ALL, snippets=0, now=NOW, timeout=None, **options)
    except SearcherError as exc:
        return "error", type(exc).__name__
    ids = [h.id for h in results.hits]
    assert len(ids) == len(set(ids)), f"{query!r}: an article returned twice"
    return "ok", (results.total, frozenset(ids))


def _compare(archives: Dict[str, Archive], queries: List[str], **options: Any) -> List[str]:
    problems = []
    for query in queries:
        outcomes = {name: _outcome(a, query, **options) for name, a in archives.items()}
        first = outcomes["whoosh"]
        for name, outcome in outcomes.items():
            if outcome != first:
                detail = outcome if outcome[0] == "error" else outcome[1][0]
                theirs = first if first[0] == "error" else first[1][0]
                problems.append(f"{query!r} {options}: whoosh {theirs}, {name} {detail}")
    return problems


# -- the tests ---------------------------------------------------------------------------------


def test_every_query_class_gives_the_same_totals_and_ids(archives: Dict[str, Archive]) -> None:
    assert _compare(archives, FIXED) == []


def test_queries_from_the_corpus_give_the_same_totals_and_ids(archives: Dict[str, Archive]) -> None:
    queries = generated(archives["whoosh"])
    assert len(queries) > 120
    assert _compare(archives, queries) == []


def test_from_and_to_options_give_the_same_results(archives: Dict[str, Archive]) -> None:
    queries = ["korea", "missile OR president", '"north korea"', "government"]
    problems = []
    for since, until in (("2017-02", "2017-02"), ("2017-03-01", None), (None, "2016"), ("last 7 days", None)):
        problems += _compare(archives, queries, since=since, until=until)
    assert problems == []


def test_only_dates_lists_the_same_articles(archives: Dict[str, Archive]) -> None:
    problems = _compare(archives, [""], since="2017-01-01", until="2017-12-31")
    problems += _compare(archives, [""], since="2000-01-01")
    assert problems == []


@pytest.mark.parametrize("sort", ["newest", "oldest"])
def test_date_sorts_give_the_same_date_order(archives: Dict[str, Archive], sort: str) -> None:
    for query in ("korea OR president OR government OR said", "date:2017"):
        orders = {}
        for name, archive in archives.items():
            results = archive.search(query, sort=sort, limit=ALL, snippets=0, now=NOW, timeout=None)
            orders[name] = [h.date for h in results.hits]
            dated = [d for d in orders[name] if d is not None]
            assert dated == sorted(dated, reverse=(sort == "newest"))
            assert all(d is None for d in orders[name][len(dated):]), "undated articles come last"
        assert orders["whoosh"] == orders["postgresql"]


def test_paging_covers_every_match_once(archives: Dict[str, Archive]) -> None:
    for name, archive in archives.items():
        everything = archive.search("korea OR government OR president", limit=ALL, snippets=0, timeout=None)
        seen: List[str] = []
        page = 1
        while True:
            results = archive.search("korea OR government OR president", limit=7, page=page, snippets=0,
                                     timeout=None)
            assert results.total == everything.total
            if not results.hits:
                break
            seen += [h.id for h in results.hits]
            page += 1
        assert len(seen) == len(set(seen)) == everything.total, name
        assert set(seen) == {h.id for h in everything.hits}


def _shape(value: Any) -> Any:
    """The structure of a JSON value: keys and types, not the values."""
    if isinstance(value, dict):
        return {k: _shape(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_shape(value[0])] if value else []
    return type(value).__name__


def test_json_shapes_are_identical(archives: Dict[str, Archive]) -> None:
    for query in ('"north korea" missile', "korea", "missil*"):
        shapes = {}
        for name, archive in archives.items():
            results = archive.search(query, limit=3, snippets=2, now=NOW)
            shapes[name] = _shape(results.to_dict())
            assert results.hits, query
        assert shapes["whoosh"] == shapes["postgresql"]
    stats = {name: a.stats() for name, a in archives.items()}
    assert _shape(stats["whoosh"].to_dict()) == _shape(stats["postgresql"].to_dict())
    for field in ("articles", "first_date", "last_date", "undated", "per_year", "files"):
        assert getattr(stats["whoosh"], field) == getattr(stats["postgresql"], field), field
    assert stats["postgresql"].engine == "postgresql"


def test_same_article_and_query_give_the_same_snippets(archives: Dict[str, Archive]) -> None:
    for query in ('"north korea" missile', "korea OR government", "missil*", '"security council"~2'):
        found = {}
        for name, archive in archives.items():
            results = archive.search(query, limit=ALL, snippets=2, now=NOW, timeout=None)
            found[name] = {h.id: (h.title_snippet, h.snippets) for h in results.hits}
        assert found["whoosh"] == found["postgresql"], query


def test_get_and_export_agree(archives: Dict[str, Archive]) -> None:
    exported = {name: [a.id for a in archive.export()] for name, archive in archives.items()}
    assert sorted(exported["whoosh"]) == sorted(exported["postgresql"])
    for article_id in exported["whoosh"][:20]:
        assert archives["whoosh"].get(article_id) == archives["postgresql"].get(article_id)
    assert len(archives["whoosh"]) == len(archives["postgresql"])


# -- the news analyses: the same answers on every engine -----------------------------------------

ANALYSED = ["north korea", "trump", '"white house"', "missile OR rocket", "election -trump"]


def test_timelines_are_identical(archives: Dict[str, Archive]) -> None:
    for query in ANALYSED:
        for by in ("day", "week", "month", "year"):
            found = {name: a.timeline(query, by=by, now=NOW).to_dict() for name, a in archives.items()}
            assert found["whoosh"] == found["postgresql"], (query, by)
            total = archives["whoosh"].search(query, now=NOW, timeout=None).total
            assert found["whoosh"]["total"] == total
    by_source = {name: a.timeline(None, by="year", by_source=True).to_dict() for name, a in archives.items()}
    assert by_source["whoosh"] == by_source["postgresql"]


def test_first_appearances_are_identical(archives: Dict[str, Archive]) -> None:
    for query in ANALYSED:
        found = {name: a.first(query, now=NOW).to_dict() for name, a in archives.items()}
        assert found["whoosh"] == found["postgresql"], query


def test_significant_terms_are_identical(archives: Dict[str, Archive]) -> None:
    for since, until in (("2017-02", "2017-02"), ("2017-03-01", "2017-03-15")):
        found = {name: [t.to_dict() for t in a.terms(since=since, until=until, now=NOW)] for name, a in archives.items()}
        assert found["whoosh"] == found["postgresql"], (since, until)


def test_collapsed_searches_group_the_same_copies(archives: Dict[str, Archive]) -> None:
    for query in ANALYSED:
        found = {}
        for name, archive in archives.items():
            results = archive.search(query, collapse=True, limit=ALL, snippets=0, now=NOW, timeout=None)
            found[name] = (results.total, results.groups,
                           sorted(tuple(sorted((h.id, *h.copies))) for h in results.hits))
        assert found["whoosh"] == found["postgresql"], query


def test_exports_of_a_query_are_identical(archives: Dict[str, Archive]) -> None:
    for query in ANALYSED:
        exported = {name: [a.id for a in archive.export(query, now=NOW)] for name, archive in archives.items()}
        assert exported["whoosh"] == exported["postgresql"], query  # the same stable order
        assert len(exported["whoosh"]) == archives["whoosh"].search(query, now=NOW, timeout=None).total


def test_recency_searches_match_the_same_articles(archives: Dict[str, Archive]) -> None:
    newest = {name: a.engine.newest() for name, a in archives.items()}
    assert newest["whoosh"] == newest["postgresql"] == archives["whoosh"].stats().last_date
    for query in ANALYSED:
        found = {name: _outcome(a, query, recency="30d") for name, a in archives.items()}
        assert found["whoosh"] == found["postgresql"], query


@pytest.fixture(params=["whoosh", "postgresql"])
def fresh(request: Any, tmp_path: Path) -> Iterator[Archive]:
    """An empty archive on each engine."""
    location = str(tmp_path / "ix") if request.param == "whoosh" else request.getfixturevalue("pg_url")
    with Archive.open(location, create=True) as archive:
        yield archive


def test_time_zones_order_by_instant_and_count_by_the_publications_day(fresh: Archive) -> None:
    """Two copies of one story: Tokyo's at 01:00 UTC (10:00 local, May 2), New York's at
    04:00 UTC (23:00 local, May 1). Ordering, recency, the earliest copy and first
    appearance follow the instant; days and timelines the publication's own calendar."""
    from datetime import datetime, timezone

    body = ("The volcano erupted before dawn, sending ash over three towns. " * 8).strip()
    fresh.add([
        Article(title="Volcano erupts", body=body, url="https://tokyo.test/v", source="Tokyo Daily",
                date=datetime(2023, 5, 2, 1, 0, tzinfo=timezone.utc), utc_offset=540),
        Article(title="Volcano erupts overnight", body=body + " AP contributed.", url="https://nyc.test/v",
                source="NYC Post", date=datetime(2023, 5, 2, 4, 0, tzinfo=timezone.utc), utc_offset=-300),
    ])
    for sort, expected in (("newest", ["NYC Post", "Tokyo Daily"]), ("oldest", ["Tokyo Daily", "NYC Post"])):
        assert [h.source for h in fresh.search("volcano", sort=sort)] == expected
    collapsed = fresh.search("volcano", collapse=True)
    assert collapsed.groups == 1 and collapsed.hits[0].source == "Tokyo Daily" and len(collapsed.hits[0].copies) == 1
    first = fresh.first("volcano")
    assert [r.source for r in first.sources] == ["Tokyo Daily", "NYC Post"]
    assert first.to_dict()["sources"][0]["date"] == "2023-05-02T01:00:00Z" and first.first_day.isoformat() == "2023-05-02"
    assert dict(fresh.timeline("volcano", by="day").periods) == {"2023-05-01": 1, "2023-05-02": 1}
    assert [h.source for h in fresh.search("volcano", since="2023-05-01", until="2023-05-01")] == ["NYC Post"]
    recent = fresh.search("volcano", recency="1h", collapse=False)
    assert recent.hits[0].source == "NYC Post"  # the newest instant decays least
