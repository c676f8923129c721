"""``searcher.engine`` against Whoosh's own collector: same totals, same ranking.

The engine scores whole posting blocks instead of one document at a time; these tests
run every query both ways over an index with several segments and deleted documents, and
require the same total, the same scores (to rounding: sums may be added in another order)
and the same documents at every score. Dates sorts are checked the same way.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from pathlib import Path
from typing import Dict, List, Set, Tuple

import pytest

from searcher import Archive
from searcher.engines.whoosh.compile import compile_request
from searcher.engines.whoosh.engine import _whoosh_top
from searcher.engines.whoosh.block import Engine, Unsupported
from searcher.errors import QuerySyntaxError
from searcher.query import parse_query
from tests.conftest import CORPORA, REPO

QUERIES = [
    "missile",
    "north korea",
    '"north korea"',
    "missile OR rocket",
    "korea -missile",
    '"north korea" AND (missile OR rocket) -drill',
    "title:korea",
    'body:"prime minister"',
    'keyword:"north korea"',
    "source:bbc",
    "source:world",
    "url:bbc",
    "author:smith",
    "trump date:2017",
    "date:[2017-01-01 TO 2017-02-01]",
    "date:>=2017-03-01",
    "-trump",
    "NOT (trump OR obama)",
    '"bank of england"',
    '"north korea"~3',
    '"korea missile"~12',
    '"south korea north"~4',
    '"theresa may" OR brexit',
    "(syria OR iraq) AND (refugees OR war) -trump",
    "missile OR -rocket",
    "economy OR markets OR shares OR prices OR growth OR inflation",
    '"white house" "donald trump"',
    "zzzznotaword",
    '"missile zzzznotaword"',
    "keyword:brexit OR title:brexit",
    "missil*",
    "title:kor* OR nuclear",
    "kor* -missil*",
    '"north korea" AND missle~',
    "presdent~2 date:2017",
    "zzzz*",
    "korea -zzzz*",
    "korea* -missil*",
    "title:zzzz* OR keyword:kor*^2",
]

OPTIONS = [{}, {"since": "2017-01", "until": "2017-02"}, {"since": "2017-03"}]


@pytest.fixture(autouse=True, params=["python", "numpy"])
def engine_kind(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Every test here runs with the pure-Python engine and with ``searcher.vector``."""
    from searcher.engines.whoosh import select as engine

    monkeypatch.setattr(engine, "VECTORISE", request.param == "numpy")
    return request.param


def _build(folder: Path, sources: List[Path], monkeypatch: pytest.MonkeyPatch) -> Archive:
    """An archive with several segments (small commits) and some deleted articles."""
    monkeypatch.setenv("SEARCHER_BATCH_ARTICLES", "40")
    archive = Archive.open(folder, create=True)
    archive.index_paths(sources)
    ids = sorted(a.id for a in archive.export())
    archive.delete(ids[::7])
    assert len(archive.engine.search_view().reader().leaf_readers()) > 1
    return archive


@pytest.fixture(scope="module")
def shipped(tmp_path_factory: pytest.TempPathFactory) -> Archive:
    mp = pytest.MonkeyPatch()
    try:
        archive = _build(tmp_path_factory.mktemp("engine") / "ix", [REPO / "corpus"], mp)
    finally:
        mp.undo()
    yield archive
    archive.close()


@pytest.fixture(scope="module")
def news(tmp_path_factory: pytest.TempPathFactory) -> Archive:
    source = CORPORA / "news-csv" / "NewsArticles.csv"
    if not source.is_file():
        pytest.skip("../shared/corpora/news-csv is not here")
    folder = tmp_path_factory.mktemp("engine-news")
    sample = folder / "sample.csv"
    csv.field_size_limit(1 << 30)
    with open(source, newline="", encoding="utf-8", errors="replace") as src, open(sample, "w", newline="", encoding="utf-8") as dst:
        writer = csv.writer(dst)
        for n, row in enumerate(csv.reader(src)):
            if n > 800:
                break
            writer.writerow(row)
    mp = pytest.MonkeyPatch()
    try:
        archive = _build(folder / "ix", [sample], mp)
    finally:
        mp.undo()
    yield archive
    archive.close()


def _compiled(searcher, text: str, **options):
    """The Whoosh query the engine runs for ``text``."""
    parsed = parse_query(text, **options)
    return compile_request(parsed.tree, parsed.since, parsed.until, searcher.reader())


def _block_top(searcher, query, limit: int, sort: str):
    """The block engine's answer, never Whoosh's fallback (``Unsupported`` would fail the test)."""
    from searcher.engines.whoosh.select import engine_for

    return engine_for(searcher).top(query, limit, sort)


def _groups(found: List[Tuple[int, float]], key) -> Dict[object, Set[int]]:
    out: Dict[object, Set[int]] = defaultdict(set)
    for docnum, score in found:
        out[key(docnum, score)].add(docnum)
    return out


def _compare(archive: Archive, text: str, options: dict, sort: str) -> int:
    searcher = archive.engine.search_view()
    try:
        query = _compiled(searcher, text, **options)
    except QuerySyntaxError:  # a date: term and options that leave no dates
        return 0
    total, ours = _block_top(searcher, query, 10_000, sort)
    wtotal, theirs = _whoosh_top(searcher, query, limit=10_000, sort=sort, timeout=None)
    assert total == wtotal == len(ours) == len(theirs), text
    if sort == "relevance":
        for (_, a), (_, b) in zip(ours, theirs):
            assert a == pytest.approx(b, rel=1e-9), text
        # Same documents at each score (ties and last-bit differences may reorder them).
        key = lambda d, s: round(s, 6)  # noqa: E731
    else:
        dates = {}
        for docnum, _ in theirs:
            dates[docnum] = searcher.stored_fields(docnum).get("date")
        key = lambda d, s: dates[d]  # noqa: E731
        assert [dates[d] for d, _ in ours] == [dates[d] for d, _ in theirs], text
    assert _groups(ours, key) == _groups(theirs, key), text
    # And the first page agrees document for document wherever scores are not tied.
    firsts = _block_top(searcher, query, 10, sort)[1]
    assert [d for d, _ in firsts] == [d for d, _ in ours[:10]]
    return total


@pytest.mark.parametrize("sort", ["relevance", "newest", "oldest"])
def test_engine_matches_whoosh_on_the_shipped_corpus(shipped: Archive, sort: str) -> None:
    totals = [_compare(shipped, q, opts, sort) for q in QUERIES for opts in OPTIONS]
    assert sum(t > 0 for t in totals) > len(totals) // 2  # the queries do find things


def test_engine_matches_whoosh_on_real_news(news: Archive) -> None:
    totals = [_compare(news, q, opts, "relevance") for q in QUERIES for opts in OPTIONS]
    assert max(totals) > 100


def test_phrases_over_inlined_lists_and_blocks(tmp_path: Path) -> None:
    """Phrase positions come from two places: a term in one or two articles keeps its
    postings inline in the term entry, a common one in blocks of 128. Phrases mixing both,
    repeated words, long documents and wide slops agree with Whoosh."""
    from searcher.article import Article

    common = "harbour dredging resumed after the storm"
    articles = [
        Article(id=f"a{i}", title=f"Port report {i}", body=f"{common}. Day {i}: {'harbour ' * (i % 4)}dredging again.")
        for i in range(300)
    ]
    articles.append(Article(id="rare1", title="Zephyrine harbour", body="The zephyrine harbour dredging crew."))
    articles.append(Article(id="rare2", title="Long", body=" ".join(["filler"] * 70_000) + " zephyrine harbour dredging"))
    with Archive.open(tmp_path / "ix", create=True) as archive:
        archive.add(articles)
        for text in ('"zephyrine harbour"', '"harbour dredging"', '"harbour harbour dredging"',
                     '"zephyrine harbour dredging"', '"zephyrine dredging"~2', '"harbour resumed"~12',
                     'title:"zephyrine harbour"'):
            assert _compare(archive, text, {}, "relevance") > 0, text
        assert _compare(archive, '"dredging harbour"', {}, "relevance") == 0  # both words, never in that order
        assert _compare(archive, '"zephyrine harbour"', {}, "relevance") == 2


def test_numpy_engine_gives_the_same_answer_bit_for_bit(shipped: Archive, engine_kind: str) -> None:
    """Not just close to Whoosh: the same ids, scores to the last bit, and order."""
    from searcher.engines.whoosh.vector import VectorEngine

    if engine_kind == "numpy":
        pytest.skip("one run compares both")
    searcher = shipped.engine.search_view()
    compared = 0
    for text in QUERIES + ['"north korea"~0', 'title:korea^3 OR body:missile^0.5', "(korea OR missile)^2 -rocket"]:
        for options in OPTIONS:
            try:
                query = _compiled(searcher, text, **options)
            except QuerySyntaxError:
                continue
            for sort in ("relevance", "newest", "oldest"):
                for limit in (0, 1, 10, 10_000):
                    ours = Engine(searcher).top(query, limit, sort)
                    theirs = VectorEngine(searcher).top(query, limit, sort)
                    assert ours == theirs, (text, options, sort, limit)
                    compared += bool(ours[0])
    assert compared > 100


def test_a_word_no_index_can_hold_ends_a_phrase_or_an_and(shipped: Archive) -> None:
    """A lone surrogate (from undecodable input) is in no document: the phrase or AND it
    is in matches nothing, on both engines, and the other words are not read."""
    import whoosh.query as wq

    from searcher.engines.whoosh.vector import VectorEngine

    searcher = shipped.engine.search_view()
    for query in (wq.Phrase("body", ["\udce9x", "korea"]), wq.And([wq.Term("body", "\udce9x"), wq.Term("body", "korea")])):
        for cls in (Engine, VectorEngine):
            assert cls(searcher).top(query, 10) == (0, []), (cls, query)


def test_numpy_engine_agrees_on_random_queries(shipped: Archive, engine_kind: str) -> None:
    """Random trees of AND, OR, NOT, phrases (with slops), fields and boosts over the
    corpus's own words, common and rare: both engines give the same page and total."""
    import random

    from searcher.engines.whoosh.vector import VectorEngine

    if engine_kind == "numpy":
        pytest.skip("one run compares both")
    searcher = shipped.engine.search_view()
    words = sorted({w.decode() for w in searcher.reader().lexicon("body")
                    if w.isalpha() and len(w) > 2})
    rng = random.Random(7)
    common = [w for w in words if searcher.doc_frequency("body", w) > 20] or words

    def leaf() -> str:
        pool = common if rng.random() < 0.7 else words
        if rng.random() < 0.3:
            slop = rng.choice(["", "", "~1", "~3"])
            return f'"{rng.choice(pool)} {rng.choice(pool)}"{slop}'
        field = rng.choice(["", "", "title:", "body:", "keyword:"])
        boost = rng.choice(["", "", "^2", "^0.5"])
        return f"{field}{rng.choice(pool)}{boost}"

    def tree(depth: int) -> str:
        if depth == 0 or rng.random() < 0.3:
            return leaf()
        op = rng.choice([" AND ", " OR ", " "])
        parts = [tree(depth - 1) for _ in range(rng.randint(2, 3))]
        text = "(" + op.join(parts) + ")"
        return text + f" -{leaf()}" if rng.random() < 0.3 else text

    found = 0
    for _ in range(150):
        text = tree(3)
        try:
            query = _compiled(searcher, text)
        except QuerySyntaxError:
            continue
        for sort in ("relevance", "newest"):
            ours = Engine(searcher).top(query, 10, sort)
            assert ours == VectorEngine(searcher).top(query, 10, sort), (text, sort)
            found += ours[0] > 0
    assert found > 40


def test_numpy_is_imported_only_once_searching_has_cost_as_much(
        shipped: Archive, engine_kind: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """A one-off search stays in pure Python (importing numpy costs more than it saves);
    a process that has searched for longer than the import takes switches to numpy."""
    import sys

    from searcher.engines.whoosh import select as engine
    from searcher.engines.whoosh.vector import VectorEngine

    if engine_kind == "numpy":
        pytest.skip("one run checks the choice")
    monkeypatch.setattr(engine, "VECTORISE", None)
    monkeypatch.delitem(sys.modules, "numpy")  # as in a fresh process (searcher.vector keeps its own)
    monkeypatch.setattr(engine.SPENT, "seconds", 0.0)
    searcher = shipped.engine.search_view()
    assert type(engine.engine_for(searcher)) is Engine
    engine.engine_for(searcher).top(_compiled(searcher, "korea"), 10)
    assert 0 < engine.SPENT.seconds < engine.VECTORISE_AFTER
    monkeypatch.setattr(engine.SPENT, "seconds", engine.VECTORISE_AFTER)
    assert type(engine.engine_for(searcher)) is VectorEngine
    monkeypatch.setattr(engine, "VECTORISE", False)
    assert type(engine.engine_for(searcher)) is Engine


def test_engine_handles_every_query_the_parser_builds(shipped: Archive) -> None:
    """Prefix and fuzzy queries included; a query tree holding anything else goes to
    Whoosh's collector."""
    import whoosh.query as wq

    from searcher.engines.whoosh.select import engine_for

    searcher = shipped.engine.search_view()
    for text in QUERIES:
        engine_for(searcher).top(_compiled(searcher, text), 10)  # no Unsupported
    for query in (wq.Every("body"), wq.And([wq.Term("body", "korea"), wq.Wildcard("body", "k*a")])):
        with pytest.raises(Unsupported):
            engine_for(searcher).top(query, 10)


def test_prefix_and_fuzzy_in_a_segment_of_over_5000_documents(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Whoosh scores a prefix of three or more terms by the terms' scores in a segment of
    more than 5,000 documents, and 1.0 a document in a smaller one: both ways agree."""
    from searcher.article import Article
    from searcher.engines.whoosh.block import WHOOSH_ARRAY_OR_DOCS

    words = ["harbour", "harbours", "harbourside", "harbourmaster", "harvest"]
    articles = [
        Article(id=f"a{i}", title=f"Report {i}", body=f"The {words[i % 5]} story {i}, {words[(i * 7) % 5]} again.")
        for i in range(WHOOSH_ARRAY_OR_DOCS + 200)
    ]
    monkeypatch.setenv("SEARCHER_BATCH_ARTICLES", str(2 * WHOOSH_ARRAY_OR_DOCS))  # one segment
    with Archive.open(tmp_path / "ix", create=True) as archive:
        archive.add(articles)
        assert max(r.doc_count_all() for r, _ in archive.engine.search_view().reader().leaf_readers()) > WHOOSH_ARRAY_OR_DOCS
        for text in ("harbour*", "harb* story", "harbor~ -harvest", "title:report harbours~", "harbour* OR harvest*",
                     "zzzz* OR harbour", "harbour -zzzz*"):
            assert _compare(archive, text, {}, "relevance") > 0, text


def test_engine_respects_the_timeout(shipped: Archive) -> None:
    from searcher.engines.whoosh.select import engine_for
    from searcher.errors import QueryTimeout

    searcher = shipped.engine.search_view()
    with pytest.raises(QueryTimeout):
        engine_for(searcher, deadline=0.0, timeout=0.5).top(_compiled(searcher, "korea"), 10)


def test_news_positions_round_trip() -> None:
    """Raw positions: what Whoosh's own format encodes, decoded the same, with the same
    frequency and weight."""
    from whoosh.formats import Positions

    from searcher.engines.whoosh.schema import NewsPositions

    fmt, whoosh_fmt = NewsPositions(field_boost=2.5), Positions(field_boost=2.5)
    for positions in ([0], [3, 4, 9], list(range(0, 5000, 7)), [70000, 70001], [2**32 - 1]):
        value = fmt.encode(positions)
        assert fmt.decode_positions(value) == whoosh_fmt.decode_positions(whoosh_fmt.encode(positions)) == positions
        assert fmt.decode_frequency(value) == len(positions)
        assert fmt.decode_weight(value) == whoosh_fmt.decode_weight(whoosh_fmt.encode(positions))


def test_empty_archive(tmp_path: Path) -> None:
    with Archive.open(tmp_path / "ix", create=True) as archive:
        for text in ("missile", '"north korea"', "-trump", "date:2017"):
            assert archive.search(text).total == 0

