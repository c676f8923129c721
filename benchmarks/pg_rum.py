"""Weigh the RUM index (Debian ``postgresql-15-rum``) against the GIN index searcher uses, on
an archive a ``benchmarks/run.py`` run left on a PostgreSQL server.

RUM keeps each lexeme's positions in the index, so ``ORDER BY tsv <=> query LIMIT 10`` can
take the best matches from the index instead of reading every match's vector for
``ts_rank`` (what makes ranking a frequent term slow, and why searcher ranks only the newest
~2,000 matches). Its costs are a slower build and slower inserts (no pending list). This
script measures both sides on the newest ``--months`` month partitions:

* phase A (GIN only, as searcher runs): per word, the exact count and the top 10 by
  ``ts_rank`` over those months;
* a RUM index is built on each of those partitions (build time and size against GIN);
* phase B: the same count (the planner picks an index) and the top 10 by ``tsv <=> query``;
  the overlap of the two top 10s;
* the insert cost: a partition's rows copied into a scratch table with GIN, then with RUM;
* the RUM indexes are dropped again unless ``--keep``.

    python benchmarks/pg_rum.py --url postgresql://postgres:PW@127.0.0.1:PORT/bench_searcher --months 24

Words: lexemes of the newest partition (``ts_stat``) found in 1% to 60% of its articles,
``--words`` of them spread evenly over that range by frequency, so frequent terms are in.
"""

from __future__ import annotations

import argparse
import statistics
import time
from typing import Any, Dict, List, Tuple

import psycopg
from psycopg import sql

WEIGHTS = "{0.1, 0.4, 0.6, 1.0}"  # searcher.engines.postgres.vector.RANK_WEIGHTS


def timed(conn: psycopg.Connection, query: Any, params: List[Any], runs: int) -> Tuple[float, List[Any]]:
    """(median ms of ``runs`` runs after one warm-up, the rows)."""
    rows = conn.execute(query, params).fetchall()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        rows = conn.execute(query, params).fetchall()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), rows


def months(conn: psycopg.Connection, n: int) -> List[Tuple[str, Any]]:
    """(partition name, lower bound) of the newest ``n`` month partitions."""
    rows = conn.execute(
        "SELECT c.relname, (regexp_match(pg_get_expr(c.relpartbound, c.oid), "
        "'FROM \\(''([^'']+)''\\)'))[1]::timestamptz AS lower FROM pg_inherits i "
        "JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'searcher.articles'::regclass "
        "AND c.relname <> 'articles_undated' ORDER BY lower DESC LIMIT %s", [n]).fetchall()
    return [(r[0], r[1]) for r in rows]


def index_size(conn: psycopg.Connection, partitions: List[str], method: str) -> int:
    return int(conn.execute(
        "SELECT coalesce(sum(pg_relation_size(i.indexrelid)), 0) FROM pg_index i "
        "JOIN pg_class t ON t.oid = i.indrelid JOIN pg_class x ON x.oid = i.indexrelid "
        "JOIN pg_am a ON a.oid = x.relam WHERE t.relname = ANY(%s) AND a.amname = %s",
        [partitions, method]).fetchone()[0])


def words(conn: psycopg.Connection, partition: str, n: int) -> List[Tuple[str, int]]:
    rows_total = conn.execute(sql.SQL("SELECT count(*) FROM {}").format(
        sql.Identifier("searcher", partition))).fetchone()[0]
    stats = conn.execute(
        "SELECT word, ndoc FROM ts_stat(%s) WHERE ndoc BETWEEN %s AND %s AND word ~ '^[a-z]{3,}$' "
        "ORDER BY ndoc DESC", [f"SELECT tsv FROM searcher.{partition}", max(2, rows_total // 100),
                               int(rows_total * 0.6)]).fetchall()
    step = max(1, len(stats) // n)
    return [(w, int(d)) for w, d in stats[::step][:n]]


def insert_cost(conn: psycopg.Connection, partition: str, runs: int) -> Dict[str, float]:
    """Median ms to insert a partition's rows into a scratch table indexed with each method."""
    out = {}
    for method, opclass in (("gin", ""), ("rum", " rum_tsvector_ops")):
        conn.execute("DROP TABLE IF EXISTS searcher.rum_scratch")
        conn.execute(sql.SQL("CREATE TABLE searcher.rum_scratch (LIKE {} INCLUDING DEFAULTS INCLUDING STORAGE)")
                     .format(sql.Identifier("searcher", partition)))
        conn.execute(f"CREATE INDEX ON searcher.rum_scratch USING {method} (tsv{opclass})")
        times = []
        for _ in range(runs):
            conn.execute("TRUNCATE searcher.rum_scratch")
            started = time.perf_counter()
            conn.execute(sql.SQL("INSERT INTO searcher.rum_scratch SELECT * FROM {}").format(
                sql.Identifier("searcher", partition)))
            times.append((time.perf_counter() - started) * 1000)
        out[method] = statistics.median(times)
    conn.execute("DROP TABLE searcher.rum_scratch")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", required=True, help="URL of the archive's database")
    parser.add_argument("--months", type=int, default=24)
    parser.add_argument("--words", type=int, default=20)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--keep", action="store_true", help="keep the RUM indexes")
    args = parser.parse_args()

    conn = psycopg.connect(args.url, autocommit=True)
    conn.execute("CREATE EXTENSION IF NOT EXISTS rum")
    parts = months(conn, args.months)
    names = [p for p, _ in parts]
    lower = parts[-1][1]
    total = conn.execute("SELECT count(*) FROM searcher.articles WHERE published >= %s", [lower]).fetchone()[0]
    chosen = words(conn, names[0], args.words)
    print(f"{len(parts)} newest months from {lower:%Y-%m}: {total:,} articles; {len(chosen)} words")

    where = "FROM searcher.articles WHERE published >= %s AND tsv @@ %s::tsquery"
    phase_a = {}
    for word, _ in chosen:
        q = f"'{word}'"
        count_ms, count = timed(conn, f"SELECT count(*) {where}", [lower, q], args.runs)
        rank_ms, top = timed(conn, f"SELECT id {where} ORDER BY ts_rank('{WEIGHTS}', tsv, %s::tsquery, 1) DESC, id "
                             "LIMIT 10", [lower, q, q], args.runs)
        phase_a[word] = (count_ms, int(count[0][0]), rank_ms, [r[0] for r in top])

    gin_bytes = index_size(conn, names, "gin")
    started = time.perf_counter()
    for name in names:
        conn.execute(sql.SQL("CREATE INDEX IF NOT EXISTS {} ON {} USING rum (tsv rum_tsvector_ops)").format(
            sql.Identifier(f"{name}_rum"), sql.Identifier("searcher", name)))
    build_s = time.perf_counter() - started
    rum_bytes = index_size(conn, names, "rum")
    conn.execute("ANALYZE searcher.articles")
    try:
        print(f"index build: RUM {build_s:.1f} s for {total:,} articles; size GIN {gin_bytes / 2**20:.1f} MB, "
              f"RUM {rum_bytes / 2**20:.1f} MB")
        print(f"{'word':<14}{'matches':>9}{'GIN count':>11}{'RUM count':>11}{'ts_rank top10':>15}"
              f"{'RUM <=> top10':>15}{'same':>6}")
        rows = []
        for word, _ in chosen:
            q = f"'{word}'"
            count_ms, count = timed(conn, f"SELECT count(*) {where}", [lower, q], args.runs)
            rum_ms, top = timed(conn, f"SELECT id {where} ORDER BY tsv <=> %s::tsquery LIMIT 10",
                                [lower, q, q], args.runs)
            a = phase_a[word]
            assert int(count[0][0]) == a[1], word
            same = len(set(a[3]) & {r[0] for r in top})
            rows.append((a[0], count_ms, a[2], rum_ms))
            print(f"{word:<14}{a[1]:>9,}{a[0]:>11.1f}{count_ms:>11.1f}{a[2]:>15.1f}{rum_ms:>15.1f}{same:>6}")
        med = [statistics.median(c) for c in zip(*rows)]
        print(f"{'median ms':<23}{med[0]:>11.1f}{med[1]:>11.1f}{med[2]:>15.1f}{med[3]:>15.1f}")
        cost = insert_cost(conn, names[0], args.runs)
        print(f"inserting {names[0]}'s rows into a scratch table: GIN {cost['gin']:.0f} ms, RUM {cost['rum']:.0f} ms")
    finally:
        if not args.keep:
            for name in names:
                conn.execute(sql.SQL("DROP INDEX IF EXISTS {}").format(sql.Identifier("searcher", f"{name}_rum")))


if __name__ == "__main__":
    main()
