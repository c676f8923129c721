"""The PostgreSQL engine against a real server (``tests/pg_server.py``), never a mock.

Covers what is particular to a server: URLs and errors (never a password), the read-only
role, the incremental rules (the same reports as the Whoosh engine), phrases past
PostgreSQL's position limits, proximity against the Whoosh engine, partition pruning shown
with EXPLAIN, hostile queries, concurrent and killed indexers, and ``--rebuild``.
"""

from __future__ import annotations

import os
import random
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any, Dict, List

import pytest

from searcher.archive import Archive
from searcher.article import Article
from searcher.engines.base import SearchRequest
from searcher.errors import EngineUnavailable, IndexNotFound, IndexVersionMismatch, SearcherError
from searcher.query import parse_query

from tests.conftest import REPO, write_article
from tests.pg_server import PASSWORD, free_port


def _cli(*args: str, env: Dict[str, str] = None, **kwargs: Any) -> subprocess.CompletedProcess:
    full = dict(os.environ, **(env or {}))
    return subprocess.run([sys.executable, "-m", "searcher", *args], capture_output=True, text=True, env=full,
                          cwd=REPO, **kwargs)


def _ids(archive: Archive, query: str, **options: Any) -> set:
    return {h.id for h in archive.search(query, limit=10_000, snippets=0, timeout=None, **options).hits}


# -- locations and errors ----------------------------------------------------------------------


def test_the_password_never_appears(pg_url: str, tmp_path: Path) -> None:
    with Archive.open(pg_url, create=True) as archive:
        archive.index_paths([REPO / "corpus"])
        shown = [archive.location, str(archive.path), archive.stats().path, str(archive.stats().to_dict()),
                 str(archive.check().to_dict())]
    wrong = pg_url.replace(PASSWORD, "not-the-password")
    with pytest.raises(EngineUnavailable) as refused:
        Archive.open(wrong)
    shown.append(str(refused.value))
    done = _cli("stats", "--index", pg_url)
    assert done.returncode == 0, done.stderr
    shown += [done.stdout, done.stderr]
    done = _cli("search", "korea", "--index", wrong)
    assert done.returncode == 1
    shown += [done.stdout, done.stderr]
    assert len(done.stderr.strip().splitlines()) == 1 and "Traceback" not in done.stderr
    for text in shown:
        assert PASSWORD not in text and "not-the-password" not in text
    assert "***" in archive.location


def test_each_server_problem_is_one_line_naming_the_fix(pg_server: Any, pg_url: str) -> None:
    down = f"postgresql://postgres:{PASSWORD}@127.0.0.1:{free_port()}/x"
    with pytest.raises(EngineUnavailable, match="not running or not accepting"):
        Archive.open(down)
    with pytest.raises(IndexNotFound, match="no such database"):
        Archive.open(pg_server.url("no_such_db"))
    with pytest.raises(IndexNotFound, match="searcher index PATH"):
        Archive.open(pg_url)  # the database exists but holds no archive
    with Archive.open(pg_url, create=True):
        pass
    pg_server.sql("UPDATE searcher.meta SET value = '99' WHERE key = 'schema_version'", database=pg_url.rsplit("/", 1)[1])
    with pytest.raises(IndexVersionMismatch, match="--rebuild"):
        Archive.open(pg_url)
    with Archive.rebuild(pg_url) as archive:
        assert len(archive) == 0
    for problem in (down, pg_server.url("no_such_db")):
        done = _cli("search", "korea", "--index", problem)
        assert done.returncode == 1 and len(done.stderr.strip().splitlines()) == 1, done.stderr


def test_index_location_from_the_environment(pg_url: str) -> None:
    done = _cli("index", str(REPO / "corpus"), "--quiet", env={"SEARCHER_INDEX": pg_url})
    assert done.returncode == 0, done.stderr
    done = _cli("search", '"north korea"', "--format", "json", env={"SEARCHER_INDEX": pg_url})
    assert done.returncode == 0, done.stderr
    assert '"total"' in done.stdout and PASSWORD not in done.stdout


def test_a_read_only_role_searches_and_cannot_index(pg_server: Any, pg_url: str, tmp_path: Path) -> None:
    with Archive.open(pg_url, create=True) as archive:
        archive.index_paths([REPO / "corpus"])
        expected = _ids(archive, "korea")
    database = pg_url.rsplit("/", 1)[1]
    pg_server.sql(f"CREATE ROLE reader_{database} LOGIN PASSWORD 'reader-pw'")
    pg_server.sql(f"GRANT USAGE ON SCHEMA searcher TO reader_{database}; "
                  f"GRANT SELECT ON ALL TABLES IN SCHEMA searcher TO reader_{database}", database=database)
    reader = pg_server.url(database, user=f"reader_{database}", password="reader-pw")
    with Archive.open(reader) as archive:
        assert _ids(archive, "korea") == expected
        assert archive.search("missle~").total > 0  # fuzzy terms read the vocabulary
        with pytest.raises(SearcherError, match="may only read"):
            archive.index_paths([REPO / "corpus"])
    write_article(tmp_path / "news", "new.txt", title="New", body="A new article about korea.")
    done = _cli("index", str(tmp_path / "news"), "--index", reader)
    assert done.returncode == 1
    assert "may only read" in done.stderr and "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1 and "reader-pw" not in done.stderr


# -- writing -----------------------------------------------------------------------------------


def _report(archive: Archive, *paths: Path, prune: bool = False) -> Dict[str, Any]:
    report = archive.index_paths(list(paths), prune=prune).to_dict()
    report.pop("seconds")
    return report


def test_incremental_rules_give_the_same_reports_as_whoosh(pg_url: str, tmp_path: Path) -> None:
    news = tmp_path / "news"
    for i in range(6):
        write_article(news, f"a{i}.txt", title=f"Story {i}", date=f"2023-0{i % 3 + 1}-1{i}",
                      body=f"Body number {i} about the harbour and the council vote {i}.")
    write_article(news, "copy.txt", title="Copy", body="Body number 1 about the harbour and the council vote 1.")
    whoosh = Archive.open(tmp_path / "whoosh", create=True)
    pg = Archive.open(pg_url, create=True)
    steps: List[Any] = [lambda: None]

    def change() -> None:
        write_article(news, "a2.txt", title="Story 2 changed", date="2023-03-12", body="Now about the bridge.")
        (news / "a4.txt").unlink()

    steps += [lambda: None, change]
    with whoosh, pg:
        for step in steps:
            step()
            prune = step is change
            assert _report(whoosh, news, prune=prune) == _report(pg, news, prune=prune)
        assert len(whoosh) == len(pg) == 5
        assert _ids(whoosh, "bridge") == _ids(pg, "bridge") != set()
        assert _ids(pg, "harbour") == _ids(whoosh, "harbour")
        # Library additions and deletions by id.
        extra = [Article(title="Added", body="Added by the library about the harbour.", id="lib-1").finish()]
        assert whoosh.add(extra).added == pg.add(extra).added == 1
        assert whoosh.get("lib-1") == pg.get("lib-1")
        assert whoosh.delete(["lib-1", "nothing"]).removed == pg.delete(["lib-1", "nothing"]).removed == 1
        assert pg.get("lib-1") is None
        rebuilt = Archive.rebuild(pg_url)
        with rebuilt:
            assert len(rebuilt) == 0 and rebuilt.stats().files == 0


def test_a_phrase_past_word_16383_is_found(pg_url: str, tmp_path: Path) -> None:
    """PostgreSQL keeps positions only up to 16,383 and 256 per word: long articles keep
    every position elsewhere and their phrases are still exact."""
    rng = random.Random(7)
    filler = [f"w{rng.randrange(3000)}x" for _ in range(20_500)]
    words = filler[:20_000] + ["zanzibar", "quokka"] + filler[20_000:]
    words[:900:3] = ["harbour"] * 300  # one word 300 times: more than 256 positions
    words[25:27] = ["quokka", "lemur"]
    words[16_390:16_392] = ["lemur", "zanzibar"]  # a pair past the limit, in the other order
    news = tmp_path / "news"
    write_article(news, "long.txt", title="A long report", body=" ".join(words))
    write_article(news, "short.txt", title="Short", body="The zanzibar quokka met a harbour lemur.")
    whoosh = Archive.open(tmp_path / "whoosh", create=True)
    with whoosh, Archive.open(pg_url, create=True) as pg:
        whoosh.index_paths([news])
        pg.index_paths([news])
        long_id = next(a.id for a in pg.export() if a.title == "A long report")
        queries = ['"zanzibar quokka"', '"quokka zanzibar"', '"lemur zanzibar"', '"quokka lemur"',
                   '"zanzibar lemur"~3', '"harbour harbour"~3', '"harbour zanzibar"', '"a long report"',
                   'body:"zanzibar quokka"', 'title:"zanzibar quokka"', "harbour", '"quokka lemur zanzibar"~20']
        for query in queries:
            assert _ids(pg, query) == _ids(whoosh, query), query
        assert long_id in _ids(pg, '"zanzibar quokka"')
        assert long_id in _ids(pg, '"lemur zanzibar"')
        assert long_id not in _ids(pg, '"quokka zanzibar"')
        hit = pg.search('"zanzibar quokka"', limit=5).hits
        assert any("zanzibar" in s.text.lower() for h in hit for s in h.snippets)


def test_proximity_is_exact_against_the_whoosh_engine(pg_url: str, tmp_path: Path) -> None:
    """Random short texts over a tiny vocabulary: every phrase and proximity query (spelt out
    as tsquery alternatives, or tested by the SQL function when those would be too many)
    gives the Whoosh engine's answer."""
    rng = random.Random(11)
    vocab = ["alpha", "bravo", "charlie", "delta", "echo"]
    news = tmp_path / "news"
    for i in range(150):
        body = " ".join(rng.choice(vocab + ["the", "of"]) for _ in range(rng.randrange(3, 25)))
        write_article(news, f"{i}.txt", title=" ".join(rng.sample(vocab, 2)), body=body)
    whoosh = Archive.open(tmp_path / "whoosh", create=True)
    with whoosh, Archive.open(pg_url, create=True) as pg:
        whoosh.index_paths([news])
        pg.index_paths([news])
        for _ in range(60):
            words = [rng.choice(vocab) for _ in range(rng.randrange(2, 5))]
            slop = rng.choice([1, 2, 3, 5, 9])
            scope = rng.choice(["", "title:", "body:"])
            query = f'{scope}"{" ".join(words)}"' + (f"~{slop}" if slop > 1 else "")
            assert _ids(pg, query) == _ids(whoosh, query), query


def test_date_bounds_prune_other_months(pg_url: str, tmp_path: Path) -> None:
    news = tmp_path / "news"
    for month in range(1, 7):
        write_article(news, f"m{month}.txt", title=f"Month {month}", date=f"2023-0{month}-15",
                      body=f"harbour news of month {month}")
    write_article(news, "undated.txt", title="Undated", body="harbour news without a date")
    with Archive.open(pg_url, create=True) as archive:
        archive.index_paths([news])
        assert archive.search("harbour", since="2023-03", until="2023-03").total == 1
        parsed = parse_query("harbour", since="2023-03", until="2023-04")
        plan = archive.engine.explain(SearchRequest(parsed.tree, parsed.since, parsed.until))  # type: ignore[attr-defined]
        scanned = set(re.findall(r" on (articles_\w+)", plan))
        assert scanned == {"articles_2023_03", "articles_2023_04"}, plan
        everything = archive.engine.explain(SearchRequest(parse_query("harbour").tree))  # type: ignore[attr-defined]
        assert "articles_undated" in everything and "articles_2023_01" in everything
        assert archive.check().to_dict()["segments"] == 7  # six months and the undated partition


HOSTILE = [
    "'); DROP TABLE searcher.articles; --", "korea'; DELETE FROM searcher.docs; --", "\"; DROP SCHEMA searcher",
    "\\", "\\\\' OR 1=1", "a\x00b korea", "\x00", "'", "''", "':*", "a:* & !b", "korea <-> missile",
    "!!!", "& | ! ( ) <->", "title:'\\''", "x" * 3000, "korea~2 " * 20, " ".join(["korea"] * 10_000),
    " ".join(f"w{i}" for i in range(10_000)), '"' + "a " * 3000 + '"~100', "source:'; select pg_sleep(5); --",
    "ab*' | 'x", "\ud800 korea", "date:'2023'", "url:http://x/?q=';--",
]


def test_hostile_queries_give_results_or_one_line_errors(pg_url: str) -> None:
    with Archive.open(pg_url, create=True) as archive:
        archive.index_paths([REPO / "corpus"])
        count = len(archive)
        for query in HOSTILE:
            try:
                archive.search(query, limit=3)
            except SearcherError as exc:
                assert "\n" not in str(exc) and str(exc), query
        assert len(archive) == count
        assert archive.check().ok
        assert archive.search('"north korea"').total > 0


# -- concurrency -------------------------------------------------------------------------------


def _corpus_copy(tmp_path: Path, files: int) -> Path:
    news = tmp_path / "many"
    for i in range(files):
        write_article(news, f"f{i:03d}.txt", title=f"Report {i} on the harbour", date=f"2022-{i % 12 + 1:02d}-03",
                      body=f"Article {i} says the council met about harbour {i} and bridge {i * 7}.")
    return news


def test_two_indexers_at_once_lose_and_duplicate_nothing(pg_url: str, tmp_path: Path) -> None:
    news = _corpus_copy(tmp_path, 300)
    with Archive.open(pg_url, create=True):
        pass
    env = {"SEARCHER_BATCH_ARTICLES": "20", "SEARCHER_INDEX": pg_url}
    runs = [subprocess.Popen([sys.executable, "-m", "searcher", "index", str(news), "--quiet"], cwd=REPO,
                             env=dict(os.environ, **env), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            for _ in range(2)]
    seen = []
    with Archive.open(pg_url) as reader:  # searches run while both write
        while any(r.poll() is None for r in runs):
            seen.append(reader.search("harbour", limit=5).total)
            time.sleep(0.02)
    for run in runs:
        out, err = run.communicate()
        assert run.returncode == 0, err
    with Archive.open(pg_url) as archive:
        assert len(archive) == 300
        ids = [a.id for a in archive.export()]
        assert len(ids) == len(set(ids)) == 300
        assert archive.search("harbour").total == 300
        assert archive.check().ok, archive.check().problems
        assert archive.stats().files == 300
    assert seen == sorted(seen), "a search saw articles disappear"


def test_a_killed_indexer_loses_only_its_batch(pg_url: str, tmp_path: Path) -> None:
    news = _corpus_copy(tmp_path, 400)
    env = dict(os.environ, SEARCHER_BATCH_ARTICLES="10", SEARCHER_INDEX=pg_url, SEARCHER_WORKERS="0")
    run = subprocess.Popen([sys.executable, "-m", "searcher", "index", str(news), "--quiet"], cwd=REPO, env=env,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with Archive.open(pg_url) as archive:
                    if len(archive) >= 50:
                        break
            except SearcherError:
                pass
            time.sleep(0.05)
        run.send_signal(signal.SIGKILL)
    finally:
        run.wait()
    with Archive.open(pg_url) as archive:
        kept = len(archive)
        assert 0 < kept < 400
        assert kept % 10 == 0 or archive.check().ok  # whole batches only
        again = archive.index_paths([news])
        assert len(archive) == 400
        assert again.added == 400 - kept
        assert archive.check().ok


def test_rebuild_waits_for_a_writer(pg_url: str) -> None:
    with Archive.open(pg_url, create=True) as archive:
        writer = archive.engine.writer()
        try:
            with pytest.raises(SearcherError, match="--wait"):
                Archive.rebuild(pg_url, wait=0.3)
            releaser = threading.Timer(0.5, writer.close)
            releaser.start()
            with Archive.rebuild(pg_url, wait=10) as rebuilt:
                assert len(rebuilt) == 0
        finally:
            writer.close()


def test_every_month_keeps_its_vectors_in_the_rows(pg_url: str, tmp_path: Path) -> None:
    """Partitions made by the writer store ``tsv`` like the parent (``MAIN``: compressed in
    the row, read without a TOAST lookup by phrase checks and ranking)."""
    import psycopg

    news = _corpus_copy(tmp_path, 3)
    with Archive.open(pg_url, create=True) as archive:
        archive.index_paths([news])
    with psycopg.connect(pg_url) as conn:
        storage = dict(conn.execute(
            "SELECT c.relname, a.attstorage FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid "
            "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'searcher' "
            "AND c.relname LIKE 'articles%%' AND c.relkind IN ('r', 'p') AND a.attname = 'tsv'").fetchall())
    assert {"articles", "articles_undated", "articles_2022_01", "articles_2022_03"} <= set(storage)
    assert set(storage.values()) == {"m"}


def _partition_states(url: str) -> Dict[str, tuple]:
    """{partition: (rows, planner's row estimate, pages, all-visible pages)} of every article partition."""
    import psycopg

    with psycopg.connect(url) as conn:
        names = [r[0] for r in conn.execute(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "WHERE i.inhparent = 'searcher.articles'::regclass")]
        states = {}
        for name in names:
            rows = conn.execute(f"SELECT count(*) FROM searcher.{name}").fetchone()[0]
            estimate, pages, visible = conn.execute(
                "SELECT reltuples, relpages, relallvisible FROM pg_class WHERE oid = %s::regclass",
                [f"searcher.{name}"]).fetchone()
            states[name] = (rows, estimate, pages, visible)
    return states


def test_indexing_leaves_the_months_it_wrote_analyzed_and_vacuumed(pg_url: str, tmp_path: Path) -> None:
    """``searcher index`` ends with ``VACUUM (ANALYZE)`` of the partitions it changed: planner
    statistics, an all-visible map (counts from the index alone) and no GIN pending list,
    instead of slow searches until autovacuum comes by."""
    import psycopg

    # The test server commits asynchronously (for speed), and VACUUM cannot mark a page
    # all-visible before the inserting commit is flushed; PostgreSQL's default is synchronous.
    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute(f"ALTER DATABASE {pg_url.rsplit('/', 1)[1]} SET synchronous_commit = on")
    news = _corpus_copy(tmp_path, 3)
    with Archive.open(pg_url, create=True) as archive:
        archive.index_paths([news])
    states = _partition_states(pg_url)
    written = {name: st for name, st in states.items() if st[0]}
    assert len(written) >= 3
    for name, (rows, estimate, pages, visible) in written.items():
        assert estimate == rows and pages > 0 and visible == pages, (name, rows, estimate, pages, visible)
    # Deleting articles (a pruned file) tidies the months it touched too.
    removed = sorted(news.iterdir())[0]
    removed.unlink()
    with Archive.open(pg_url) as archive:
        archive.index_paths([news], prune=True)
    after = _partition_states(pg_url)
    changed = [name for name in written if after[name][0] != written[name][0]]
    assert changed
    for name in changed:
        rows, estimate, pages, visible = after[name]
        assert estimate == rows and visible == pages, (name, after[name])


def test_frequent_terms_rank_the_newest_matches_and_page_consistently(pg_url: str, tmp_path: Path,
                                                                       monkeypatch: Any) -> None:
    """Past ``RANK_ALL`` matches the top is ranked among the newest ones (the fewest newest
    months holding ``RANK_CANDIDATES``); totals stay exact and paging still gives every match
    exactly once."""
    from searcher.engines.postgres import engine as pg_engine

    news = _corpus_copy(tmp_path, 120)
    with Archive.open(pg_url, create=True) as archive:
        archive.index_paths([news])
        everything = _ids(archive, "harbour")
        monkeypatch.setattr(pg_engine, "RANK_ALL", 5)
        monkeypatch.setattr(pg_engine, "RANK_CANDIDATES", 15)
        first = archive.search("harbour", limit=5)
        assert first.total == 120
        newest = max(h.date for h in archive.search("harbour", sort="newest", limit=1).hits)
        # 10 matches a month: the fewest newest months holding 15 candidates are the newest
        # two (20 in all); nothing older is ranked for the first page.
        assert all(h.date.month >= newest.month - 1 for h in first.hits)
        seen: List[str] = []
        for page in range(1, 40):
            results = archive.search("harbour", limit=7, page=page, snippets=0)
            assert results.total == 120
            seen += [h.id for h in results.hits]
        assert len(seen) == len(set(seen)) == 120 and set(seen) == everything
