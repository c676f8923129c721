"""More than one PostgreSQL server: a streaming replica, and an old month moved to another
server through ``postgres_fdw``. Each test starts the extra servers it needs (real ones, in
temporary folders) and stops them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterator

import pytest

from searcher.archive import Archive
from searcher.errors import SearcherError

from tests.conftest import write_article
from tests.pg_server import PASSWORD, PgServer, wait_for


def _news(folder: Path, start: int, count: int, month: str = "2023-05") -> Path:
    for i in range(start, start + count):
        write_article(folder, f"n{i:04d}.txt", title=f"Harbour report {i}", date=f"{month}-{i % 27 + 1:02d}",
                      body=f"The harbour board met on day {i}; the bridge vote {i} is due. Ships number {i * 3}.")
    return folder


@pytest.fixture
def primary(pg_server: Any) -> Iterator[PgServer]:
    """A primary of its own (a replica copies the whole cluster)."""
    server = PgServer()
    server.init().start()
    yield server
    server.cleanup()


def test_a_replica_serves_searches_while_the_primary_indexes(primary: PgServer, tmp_path: Path) -> None:
    url = primary.create_database("news")
    with Archive.open(url, create=True) as archive:
        archive.index_paths([_news(tmp_path / "first", 0, 40)])
    replica = PgServer(root=primary.root, name="replica")
    try:
        replica.replica_of(primary).start()
        replica_url = replica.url("news")
        assert wait_for(lambda: _total(replica_url) == 40)
        with Archive.open(replica_url) as on_replica:
            assert on_replica.search("harbour").total == 40
            with pytest.raises(SearcherError, match="read-only replica; index into its primary"):
                on_replica.index_paths([_news(tmp_path / "other", 500, 1)])
            with Archive.open(url) as writer:  # the primary indexes more; the replica keeps answering
                more = _news(tmp_path / "second", 40, 200)
                writer.index_paths([more])
                assert on_replica.search("bridge").total >= 40
            assert wait_for(lambda: on_replica.search("harbour").total == 240)
            assert {h.id for h in on_replica.search('"bridge vote 200"').hits} == \
                {h.id for h in Archive.open(url).search('"bridge vote 200"').hits} != set()
    finally:
        replica.cleanup()


def _total(url: str) -> int:
    try:
        with Archive.open(url) as archive:
            return archive.search("harbour").total
    except Exception:
        return -1


def test_a_month_moved_to_another_server_is_searched_transparently(primary: PgServer, tmp_path: Path) -> None:
    url = primary.create_database("news")
    news = _news(tmp_path / "news", 0, 30, month="2021-03")
    _news(news, 100, 30, month="2023-05")
    queries = ["harbour", '"bridge vote 7"', "bridge -ships", "harbour date:2021", "harb*", "harbur~",
               '"harbour board"~3', "title:report"]
    with Archive.open(url, create=True) as archive:
        archive.index_paths([news])
        before = {q: {h.id for h in archive.search(q, limit=100).hits} for q in queries}
        assert len(before["harbour"]) == 60
    remote = PgServer(root=primary.root, name="remote")
    try:
        remote.init().start()
        remote.create_database("old")
        remote.sql("CREATE SCHEMA searcher", database="old")
        columns = primary.sql("SELECT string_agg(format('%I %s', attname, format_type(atttypid, atttypmod)), ', ' "
                              "ORDER BY attnum) FROM pg_attribute WHERE attrelid = 'searcher.articles'::regclass "
                              "AND attnum > 0 AND NOT attisdropped", database="news")
        remote.sql(f"CREATE TABLE searcher.articles_2021_03 ({columns})", database="old")
        # The rows travel as COPY text, then the month is swapped for a foreign table.
        rows = primary.sql("COPY searcher.articles_2021_03 TO STDOUT", database="news")
        (primary.root / "month.copy").write_text(rows + "\n")
        remote.sql(f"COPY searcher.articles_2021_03 FROM '{primary.root / 'month.copy'}'", database="old")
        remote.sql("CREATE INDEX ON searcher.articles_2021_03 USING gin (tsv)", database="old")
        primary.sql(f"""
            CREATE EXTENSION postgres_fdw;
            CREATE SERVER old_months FOREIGN DATA WRAPPER postgres_fdw
                OPTIONS (host '127.0.0.1', port '{remote.port}', dbname 'old');
            CREATE USER MAPPING FOR PUBLIC SERVER old_months OPTIONS (user 'postgres', password '{PASSWORD}');
            BEGIN;
            ALTER TABLE searcher.articles DETACH PARTITION searcher.articles_2021_03;
            DROP TABLE searcher.articles_2021_03;
            CREATE FOREIGN TABLE searcher.articles_2021_03 PARTITION OF searcher.articles
                FOR VALUES FROM ('2021-03-01 00:00:00+00') TO ('2021-04-01 00:00:00+00')
                SERVER old_months OPTIONS (schema_name 'searcher', table_name 'articles_2021_03');
            COMMIT;
        """, database="news")
        assert remote.sql("SELECT count(*) FROM searcher.articles_2021_03", database="old") == "30"
        assert primary.sql("SELECT count(*) FROM ONLY searcher.articles_undated", database="news") == "0"
        with Archive.open(url) as archive:
            after = {q: {h.id for h in archive.search(q, limit=100).hits} for q in queries}
            assert after == before
            plan = archive.engine.explain(_request("harbour date:2021"))  # type: ignore[attr-defined]
            assert "Foreign Scan" in plan and "articles_2023_05" not in plan
            assert archive.check().ok
    finally:
        remote.cleanup()


def _request(query: str) -> Any:
    from searcher.engines.base import SearchRequest
    from searcher.query import parse_query

    parsed = parse_query(query)
    return SearchRequest(parsed.tree, parsed.since, parsed.until)
