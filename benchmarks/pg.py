"""The PostgreSQL side of the benchmark: a server to run on, and plain SQL as a baseline.

* ``server(work, url)``: the admin URL of the server to use: the one given with
  ``--pg-url``, or a temporary one started in ``work`` with ``initdb``/``pg_ctl``
  (``tests/pg_server.py``), tuned like a small production server (``fsync`` on,
  ``shared_buffers`` 2 GB).
* plain SQL (``plain_index``, ``plain_queries``): what a user writes first with
  PostgreSQL's own text search: a table with a stored generated
  ``setweight(to_tsvector('english', title), 'A') || to_tsvector('english', body)``
  column, ``COPY`` of articles already parsed in memory, a GIN index built after the
  load; queries with ``websearch_to_tsquery``, ``ORDER BY ts_rank LIMIT 10`` and
  ``ts_headline`` for the ten hits (no exact total).
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Tuple

import baselines
from baselines import CLASSES, LogicalQuery

REPO = Path(__file__).resolve().parent.parent
SETTINGS = {
    "fsync": "on",
    "shared_buffers": "'2GB'",
    "work_mem": "'64MB'",
    "maintenance_work_mem": "'512MB'",
    "max_wal_size": "'8GB'",
    "effective_cache_size": "'12GB'",
    "random_page_cost": "1.1",
    "max_connections": "100",
}


def server(work: Path, url: Optional[str]) -> Tuple[str, Any]:
    """(admin URL, the server object to stop or None)."""
    if url:
        return url, None
    import sys

    sys.path.insert(0, str(REPO))
    from tests.pg_server import PgServer

    root = work / "pg"
    root.mkdir(parents=True, exist_ok=True)
    pg = PgServer(root=root, name="data")
    pg.init()
    with open(pg.data / "postgresql.auto.conf", "a") as conf:
        for key, value in SETTINGS.items():
            conf.write(f"{key} = {value}\n")
    pg.start()
    return pg.url(), pg


def database(admin_url: str, name: str) -> str:
    """A fresh database ``name`` on the server; its URL."""
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    return admin_url.rsplit("/", 1)[0] + "/" + name


def size_bytes(url: str, schema: str = "public") -> int:
    import psycopg

    with psycopg.connect(url) as conn:
        return int(conn.execute(
            "SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0) FROM pg_class c "
            "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = %s AND c.relkind = 'r'",
            [schema]).fetchone()[0])


def plain_index(articles: Sequence[Any], url: str) -> Dict[str, float]:
    import psycopg

    started = time.perf_counter()
    with psycopg.connect(url) as conn:
        conn.execute(
            "CREATE TABLE plain (id text PRIMARY KEY, day date, title text, body text, "
            "tsv tsvector GENERATED ALWAYS AS (setweight(to_tsvector('english', title), 'A') || "
            "to_tsvector('english', body)) STORED)")
        with conn.cursor().copy("COPY plain (id, day, title, body) FROM STDIN") as copy:
            for a in articles:
                copy.write_row((baselines._doc_id(a), a.day, a.title, a.body))
        conn.execute("CREATE INDEX plain_tsv ON plain USING gin (tsv)")
        conn.execute("CREATE INDEX plain_day ON plain (day)")
        conn.commit()
    seconds = time.perf_counter() - started
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE plain")
    return {"seconds": seconds, "articles": len(articles), "size_bytes": size_bytes(url)}


def _websearch(q: LogicalQuery) -> str:
    w = q.words
    return {"term": w[0], "date": w[0], "and": f"{w[0]} {w[-1]}", "or": f"{w[0]} or {w[-1]}",
            "phrase": f'"{w[0]} {w[-1]}"', "not": f"{w[0]} -{w[-1]}"}[q.kind]


def plain_queries(url: str, queries: Sequence[LogicalQuery]) -> Tuple[Dict[str, List[float]], List[List[str]]]:
    import psycopg

    times: Dict[str, List[float]] = {k: [] for k in CLASSES}
    ids: List[List[str]] = []
    top = ("SELECT id, ts_headline('english', body, q, 'MaxFragments=2') FROM "
           "(SELECT id, body, q, ts_rank(tsv, q) AS r FROM plain, websearch_to_tsquery('english', %s) AS q "
           "WHERE tsv @@ q {dates} ORDER BY r DESC LIMIT 10) AS top ORDER BY r DESC")
    with psycopg.connect(url, autocommit=True) as conn:
        for q in queries:
            started = time.perf_counter()
            if q.since is not None:
                rows = conn.execute(top.format(dates="AND day BETWEEN %s AND %s"),
                                    [_websearch(q), q.since, q.until or q.since]).fetchall()
            else:
                rows = conn.execute(top.format(dates=""), [_websearch(q)]).fetchall()
            times[q.kind].append(time.perf_counter() - started)
            ids.append([r[0] for r in rows])
    return times, ids
