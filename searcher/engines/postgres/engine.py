"""The PostgreSQL engine: an archive in a PostgreSQL database, for many readers and writers.

Selected by a ``postgresql://USER@HOST:PORT/DB`` location. Tables and their layout are in
``schema``, the vector in ``vector``, the query compiler in ``compile``, writing in
``writer``. Reads run on one autocommit connection (each statement sees the latest
commits); streams (``matches``, ``articles``) on a connection of their own. The location
shown anywhere is the URL without its password (``url.redact``).
"""

from __future__ import annotations

import hashlib
import time
from collections import Counter
from datetime import datetime, timezone
from typing import Any, Callable, Dict, Iterator, List, Optional, Sequence, Set, Tuple

import psycopg
from psycopg import errors as pgerrors
from psycopg import sql

from searcher.article import Article
from searcher.engines.base import CheckReport, Engine, EngineWriter, Match, Ranked, Ranking, SearchRequest, StoryPage
from searcher.engines.postgres import schema
from searcher.engines.postgres.compile import Request, compile_request
from searcher.engines.postgres.connect import connect, errors_as, server_error
from searcher.engines.postgres.url import redact
from searcher.engines.postgres.vector import RANK_WEIGHTS, clean_text, lexeme, quote
from searcher.errors import IndexLocked, IndexNotFound, IndexVersionMismatch, QueryTimeout, QueryTooBroad, SearcherError
from searcher.query.tree import Leaf, leaf_fields
from searcher.results import Stats

_S = schema.SCHEMA
_COLUMNS = "id, published, title, body, source, url, author, keywords, path, position, hash, instant, utc_offset"
#: Matches ranked exactly in full; past it, ranking takes the newest ``RANK_CANDIDATES``.
RANK_ALL = 2_000
RANK_CANDIDATES = 2_000
_ORDER = {
    "relevance": "score DESC, id",
    "newest": "instant DESC NULLS LAST, id",
    "oldest": "instant ASC NULLS LAST, id",
}


def _article(row: Sequence[Any]) -> Article:
    doc_id, _, title, body, source, url, author, keywords, path, position, doc_hash, instant, utc_offset = row
    return Article(
        id=doc_id, title=title, body=body, utc_offset=utc_offset,
        date=instant.astimezone(timezone.utc) if instant is not None else None,
        source=source, url=url, author=author,
        keywords=tuple(k for k in keywords.split(",") if k),
        path=path, position=int(position), content_hash=doc_hash,
    )


class PostgresEngine(Engine):
    """A searcher archive in the ``searcher`` schema of a PostgreSQL database."""

    name = "postgresql"

    def __init__(self, url: str, conn: psycopg.Connection) -> None:
        self.url = url
        self.location = redact(url)
        self.conn = conn
        self._levenshtein: Optional[str] = None
        self._has_stories: Optional[bool] = None
        with errors_as(url, "read"):
            row = conn.execute(
                "SELECT n.nspname FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace "
                "WHERE p.proname = 'levenshtein_less_equal' LIMIT 1").fetchone()
        if row:
            self._levenshtein = row[0]

    # -- opening -----------------------------------------------------------------------------

    @classmethod
    def open(cls, location: str, *, create: bool = False) -> "PostgresEngine":
        conn = connect(location)
        try:
            with errors_as(location, "open"):
                version = _version(conn)
                if version is None:
                    if not create:
                        raise IndexNotFound(f"no searcher archive in {redact(location)}; "
                                            f"run `searcher index PATH --index {redact(location)}` first")
                    _create(conn, location)
                else:
                    _check_version(version, location)
            return cls(location, conn)
        except BaseException:
            conn.close()
            raise

    @classmethod
    def rebuild(cls, location: str, *, wait: float = 0.0) -> "PostgresEngine":
        """Drop and recreate the archive's schema once no writer holds it."""
        conn = connect(location)
        try:
            with errors_as(location, "rebuild"):
                deadline = time.monotonic() + wait
                while not conn.execute("SELECT pg_try_advisory_lock(%s)", [schema.LOCK_KEY]).fetchone()[0]:
                    if time.monotonic() >= deadline:
                        raise IndexLocked(f"another searcher is writing to {redact(location)}; wait for it to "
                                          "finish, or pass --wait SECONDS")
                    time.sleep(0.2)
                try:
                    has_schema = conn.execute("SELECT to_regnamespace(%s)", [_S]).fetchone()[0] is not None
                    if has_schema and _version(conn) is None:
                        raise SearcherError(f"schema '{_S}' in {redact(location)} holds no searcher archive; "
                                            "refusing to drop it (rename it, or use another database)")
                    with conn.transaction():
                        conn.execute(f"DROP SCHEMA IF EXISTS {_S} CASCADE")
                        _create(conn, location, locked=True)
                finally:
                    conn.execute("SELECT pg_advisory_unlock(%s)", [schema.LOCK_KEY])
        except BaseException:
            conn.close()
            raise
        conn.close()
        return cls.open(location)

    def close(self) -> None:
        self.conn.close()

    # -- writing -----------------------------------------------------------------------------

    def writer(self, *, wait: float = 0.0) -> EngineWriter:
        from searcher.engines.postgres.writer import open_writer

        conn = connect(self.url)
        try:
            with errors_as(self.url, "write to"):
                allowed = conn.execute(
                    "SELECT has_table_privilege(%s, 'INSERT') AND has_table_privilege(%s, 'DELETE') "
                    "AND has_table_privilege(%s, 'INSERT')",
                    [f"{_S}.docs", f"{_S}.docs", f"{_S}.articles"]).fetchone()[0]
                if conn.execute("SELECT pg_is_in_recovery()").fetchone()[0]:
                    raise SearcherError(
                        f"{self.location} is a read-only replica; index into its primary server")
                if not allowed:
                    raise SearcherError(
                        f"the PostgreSQL user of {self.location} may only read this archive; index with a user "
                        "that has INSERT, UPDATE and DELETE on schema searcher")
                writer = open_writer(self.url, conn, wait=wait)
            if writer is None:
                raise IndexLocked(f"{self.location} is being rebuilt; wait for it to finish, or pass --wait SECONDS")
            return writer
        except BaseException:
            conn.close()
            raise

    def preparer(self) -> Optional[Callable[[Sequence[Article]], Any]]:
        from searcher.engines.postgres.vector import build_all

        return build_all

    # -- reading -----------------------------------------------------------------------------

    def count(self) -> int:
        with errors_as(self.url, "read"):
            return int(self.conn.execute(f"SELECT count(*) FROM {_S}.docs").fetchone()[0])

    def get(self, article_id: str) -> Optional[Article]:
        with errors_as(self.url, "read"):
            row = self.conn.execute(f"SELECT published FROM {_S}.docs WHERE id = %s", [clean_text(article_id)]).fetchone()
            if row is None:
                return None
            found = self._fetch([(clean_text(article_id), row[0])])
        return found.get(clean_text(article_id))

    def _fetch(self, keys: Sequence[Tuple[str, Optional[datetime]]]) -> Dict[str, Article]:
        """Articles by (id, date): the date lets the server read only their partitions."""
        dated = [(i, d) for i, d in keys if d is not None]
        undated = [i for i, d in keys if d is None]
        parts, params = [], []
        if dated:
            parts.append("(published = ANY(%s) AND id = ANY(%s))")
            params += [[d for _, d in dated], [i for i, _ in dated]]
        if undated:
            parts.append("(published IS NULL AND id = ANY(%s))")
            params.append(undated)
        if not parts:
            return {}
        rows = self.conn.execute(f"SELECT {_COLUMNS} FROM {_S}.articles WHERE " + " OR ".join(parts), params)
        return {row[0]: _article(row) for row in rows}

    def compile(self, request: SearchRequest) -> Request:
        """The request as SQL (prefix counts and fuzzy terms looked up in the vocabulary)."""
        return compile_request(request.tree, request.since, request.until,
                               fuzzy=self._fuzzy, prefix_count=self._prefix_count)

    def _score(self, compiled: Request, request: SearchRequest) -> Tuple[str, List[Any]]:
        if compiled.rank is None:
            score, params = "1.0::float8", []
        else:
            score, params = f"ts_rank('{RANK_WEIGHTS}', tsv, %s::tsquery, 1)::float8", [compiled.rank]
        recency = request.recency
        if recency is not None:
            score = (f"({score} * coalesce(%s + (1 - %s) * power(0.5, greatest(extract(epoch FROM (%s - instant)), 0) "
                     f"/ %s), %s))")
            params += [recency.floor, recency.floor, recency.anchor, recency.half_life_seconds, recency.floor]
        return score, params

    def search(self, request: SearchRequest) -> Ranking:
        """The exact total, and the top window ranked exactly among every match when there
        are at most ``RANK_ALL``; past that, among the newest matches: the fewest month
        partitions, newest first, that hold at least ``RANK_CANDIDATES`` matches (``ts_rank``
        reads each match's whole vector: ranking a third of a million matches cannot fit a
        search's time). Date sorts and recency decay are always exact over every match.

        The first statement counts the matches per partition (one plan over every month:
        with hundreds of months, planning is most of a search's time), so the ranking
        statement is planned only over the months it reads."""
        compiled = self.compile(request)
        score, score_params = self._score(compiled, request)
        where = compiled.where
        wanted = request.offset + request.limit
        per_month = self._timed(
            request,
            f"SELECT m.n, (regexp_match(pg_get_expr(c.relpartbound, c.oid), "
            f"'FROM \\(''([^'']+)''\\)'))[1]::timestamptz FROM (SELECT tableoid, count(*) AS n "
            f"FROM {_S}.articles WHERE {where.text} GROUP BY tableoid) AS m JOIN pg_class c ON c.oid = m.tableoid",
            where.params, generic=not compiled.dated)
        total = sum(int(n) for n, _ in per_month)
        if total == 0 or request.offset >= total:
            return Ranking(total, ())
        select = f"SELECT id, published, {score} AS score FROM {_S}.articles WHERE {where.text}"
        params = score_params + where.params
        months = sorted(((start, int(n)) for n, start in per_month if start is not None), reverse=True)
        if request.sort != "relevance" or request.recency is not None or total <= RANK_ALL:
            rows = self._timed(request, f"{select} ORDER BY {_ORDER[request.sort]} LIMIT %s OFFSET %s",
                               params + [request.limit, request.offset], generic=not compiled.dated)
        else:
            rows = self._newest_first(request, select, params, months, wanted,
                                      not compiled.dated)[request.offset:wanted]
        with errors_as(self.url, "read"):
            found = self._fetch([(r[0], r[1]) for r in rows])
        hits = tuple(Ranked(found[r[0]], float(r[2])) for r in rows if r[0] in found)
        return Ranking(total, hits)

    def collapsed(self, request: SearchRequest) -> Optional[StoryPage]:
        """The search of ``search`` with each match's story (``stories``, else its own id):
        one statement counts the matches per month and the distinct stories overall
        (grouping sets); the window is the first distinct stories among the best matches,
        ranked as ``search`` ranks them (past ``RANK_ALL`` matches, by relevance among the
        newest), read in growing slices; then the window's matching members."""
        from searcher.stories import earliest

        if not self._stories():
            return None
        compiled = self.compile(request)
        score, score_params = self._score(compiled, request)
        where = compiled.where
        generic = not compiled.dated
        counted = self._timed(
            request,
            f"SELECT g.n, g.stories, (regexp_match(pg_get_expr(c.relpartbound, c.oid), "
            f"'FROM \\(''([^'']+)''\\)'))[1]::timestamptz, g.tableoid IS NULL FROM "
            f"(SELECT m.tableoid, count(*) AS n, count(DISTINCT coalesce(s.story, m.id)) AS stories "
            f"FROM (SELECT tableoid, id FROM {_S}.articles WHERE {where.text}) AS m "
            f"LEFT JOIN {_S}.stories s ON s.id = m.id GROUP BY GROUPING SETS ((m.tableoid), ())) AS g "
            f"LEFT JOIN pg_class c ON c.oid = g.tableoid",
            where.params, generic=generic)
        overall = [r for r in counted if r[3]]
        total, count = (int(overall[0][0]), int(overall[0][1])) if overall else (0, 0)
        wanted = request.offset + request.limit
        if total == 0 or request.offset >= count:
            return StoryPage(total, count, ())
        select = f"SELECT id, published, {score} AS score FROM {_S}.articles WHERE {where.text}"
        params = score_params + where.params
        months = sorted(((start, int(n)) for n, _, start, whole in counted if not whole and start is not None),
                        reverse=True)
        k = max(4 * wanted, 64)
        while True:
            if request.sort != "relevance" or request.recency is not None or total <= RANK_ALL:
                # The best k matches with their stories, in one statement (ordered again
                # outside: a join keeps no order).
                outer = _ORDER[request.sort].replace("instant", "w.instant").replace("score", "w.score") \
                    .replace(", id", ", w.id")
                rows = self._timed(
                    request,
                    f"SELECT w.id, w.published, w.score, s.story FROM (SELECT id, published, instant, {score} AS score "
                    f"FROM {_S}.articles WHERE {where.text} ORDER BY {_ORDER[request.sort]} LIMIT %s) AS w "
                    f"LEFT JOIN {_S}.stories s ON s.id = w.id ORDER BY {outer}",
                    params + [k], generic=generic)
                labels = {r[0]: r[3] for r in rows if r[3] is not None}
            else:
                rows = self._newest_first(request, select, params, months, k, generic)
                labels = self._labels([r[0] for r in rows])
            first: Dict[str, None] = {}
            for r in rows:
                first.setdefault(labels.get(r[0], r[0]), None)
                if len(first) >= wanted:
                    break
            if len(first) >= wanted or len(rows) >= total or k >= total:
                break
            k *= 4
        window = list(first)[request.offset:wanted]
        if not window:
            return StoryPage(total, count, ())
        with errors_as(self.url, "read"):
            members = self.conn.execute(
                f"SELECT coalesce(s.story, d.id), d.id, d.published FROM {_S}.docs d "
                f"LEFT JOIN {_S}.stories s ON s.id = d.id WHERE d.id = ANY(%s) OR s.story = ANY(%s)",
                [window, window]).fetchall()
        keys = [(doc_id, published) for _, doc_id, published in members]
        story_of = {doc_id: label for label, doc_id, _ in members}
        dated = [(i, p) for i, p in keys if p is not None]
        parts, extra = [], []
        if dated:
            parts.append("(published = ANY(%s) AND id = ANY(%s))")
            extra += [[p for _, p in dated], [i for i, _ in dated]]
        undated = [i for i, p in keys if p is None]
        if undated:
            parts.append("(published IS NULL AND id = ANY(%s))")
            extra.append(undated)
        found = self._timed(
            request, f"SELECT {_COLUMNS}, {score} FROM {_S}.articles WHERE ({' OR '.join(parts)}) "
                     f"AND {where.text}", score_params + extra + where.params)
        by_story: Dict[str, List[Match]] = {label: [] for label in window}
        articles: Dict[str, Article] = {}
        for row in found:
            doc_id, instant, source, value = row[0], row[11], row[4], row[-1]
            label = story_of.get(doc_id, doc_id)
            if label in by_story:
                date = instant.astimezone(timezone.utc) if instant is not None else None
                by_story[label].append(Match(doc_id, date, source, float(value)))
                articles[doc_id] = _article(row[:-1])
        ordered = [sorted(by_story[label], key=earliest) for label in window]
        ordered = [o for o in ordered if o]  # (a story deleted since it was counted)
        return StoryPage(total, count, tuple(tuple(o) for o in ordered), tuple(articles[o[0].id] for o in ordered))

    def _stories(self) -> bool:
        """Whether this archive keeps stories (schema 3)."""
        if self._has_stories is None:
            with errors_as(self.url, "read"):
                found = self.conn.execute("SELECT to_regclass(%s)", [f"{_S}.stories"]).fetchone()
            self._has_stories = bool(found and found[0] is not None)
        return self._has_stories

    def _labels(self, ids: List[str]) -> Dict[str, str]:
        """{id: story label} of those of ``ids`` in a story of two or more."""
        if not ids:
            return {}
        with errors_as(self.url, "read"):
            rows = self.conn.execute(f"SELECT id, story FROM {_S}.stories WHERE id = ANY(%s)", [ids]).fetchall()
        return {doc_id: label for doc_id, label in rows}

    def _newest_first(self, request: SearchRequest, select: str, params: List[Any],
                      months: List[Tuple[datetime, int]], wanted: int, generic: bool) -> List[Tuple[Any, ...]]:
        """The best ``wanted`` matches of the newest months (``(start, matches)``, newest
        first) that hold at least ``RANK_CANDIDATES`` of them, in one statement pruned to
        those months; the older ones follow when the page reaches past them. When every
        dated month together holds fewer, every match is ranked (undated ones too)."""
        order = "ORDER BY score DESC, id LIMIT %s"
        seen = 0
        lower: Optional[datetime] = None
        for start, n in months:
            seen += n
            lower = start
            if seen >= RANK_CANDIDATES:
                break
        if lower is None or seen < RANK_CANDIDATES:
            return self._timed(request, f"{select} {order}", params + [wanted], generic=generic)
        best = self._timed(request, f"{select} AND published >= %s {order}", params + [lower, wanted])
        if wanted > seen:  # a page past the newest matches: the older ones follow, ranked
            rest = self._timed(request, f"{select} AND (published < %s OR published IS NULL) {order}",
                               params + [lower, wanted - seen])
            best = best[:seen] + rest
        return best[:wanted]

    def _timed(self, request: SearchRequest, query: str, params: List[Any], *,
               generic: bool = False) -> List[Tuple[Any, ...]]:
        """Run a search statement within what is left of the request's time. ``generic``:
        the statement reads every month, so it is prepared once and its plan kept for every
        value (planning one statement over hundreds of partitions costs more than running
        it); a statement bounded by dates is planned for its values, leaving out the other
        months."""
        try:
            with self.conn.transaction():
                # Per-row checks in a sequential scan read every article's whole vector; the
                # GIN index answers the same without reading a vector it need not check. JIT
                # compiles each partition's expressions: past a million articles a search's
                # estimated cost passes jit_above_cost and compiling took longer than running.
                left = None
                if request.deadline is not None:
                    left = f"{max(int((request.deadline - time.perf_counter()) * 1000), 1)}ms"
                self.conn.execute(
                    "SELECT set_config('enable_seqscan', 'off', true), set_config('jit', 'off', true), "
                    "set_config('plan_cache_mode', %s, true), "
                    "set_config('statement_timeout', coalesce(%s::text, current_setting('statement_timeout')), true)",
                    ["force_generic_plan" if generic else "auto", left])
                return self.conn.execute(query, params, prepare=generic).fetchall()
        except pgerrors.QueryCanceled:
            raise QueryTimeout.after(request.timeout) from None
        except psycopg.Error as exc:
            server_error(self.url, exc, "search")

    def explain(self, request: SearchRequest) -> str:
        """The server's plan for a request's matching rows (for tests and tuning)."""
        compiled = self.compile(request)
        rows = self.conn.execute(f"EXPLAIN SELECT id FROM {_S}.articles WHERE {compiled.where.text}",
                                 compiled.where.params).fetchall()
        return "\n".join(r[0] for r in rows)

    def _stream(self, query: str, params: List[Any],
                request: Optional[SearchRequest] = None) -> Iterator[Tuple[Any, ...]]:
        """Rows of ``query`` through a server-side cursor on a connection of its own, within
        what is left of ``request``'s time (the server cancels the statement past it)."""
        conn = connect(self.url, autocommit=False)
        try:
            with errors_as(self.url, "read"):
                left = None
                if request is not None and request.deadline is not None:
                    left = f"{max(int((request.deadline - time.perf_counter()) * 1000), 1)}ms"
                conn.execute("SELECT set_config('statement_timeout', coalesce(%s::text, "
                             "current_setting('statement_timeout')), true), set_config('jit', 'off', true)", [left])
                with conn.cursor(name="searcher_stream") as cur:
                    cur.itersize = 2_000
                    try:
                        cur.execute(query, params)
                        yield from cur
                    except pgerrors.QueryCanceled:
                        raise QueryTimeout.after(request.timeout if request is not None else 0.0) from None
        finally:
            conn.close()

    def matches(self, request: SearchRequest, *, signatures: bool = False) -> Iterator[Match]:
        compiled = self.compile(request)
        score, score_params = self._score(compiled, request)
        signature = "signature" if signatures else "NULL::bytea"
        query = (f"SELECT id, instant, published, source, {score}, {signature} FROM {_S}.articles "
                 f"WHERE {compiled.where.text}")
        for doc_id, instant, published, source, value, sig in self._stream(query, score_params + compiled.where.params, request):
            date = instant.astimezone(timezone.utc) if instant is not None else None
            local = published.astimezone(timezone.utc) if published is not None and published != instant else None
            yield Match(doc_id, date, source, float(value), bytes(sig) if sig is not None else None, local)

    def keywords_of(self, request: SearchRequest) -> Iterator[Tuple[str, ...]]:
        compiled = self.compile(request)
        query = f"SELECT keywords FROM {_S}.articles WHERE {compiled.where.text}"
        for (keywords,) in self._stream(query, compiled.where.params, request):
            yield tuple(k for k in keywords.split(",") if k)

    def articles(self, request: Optional[SearchRequest] = None) -> Iterator[Article]:
        where, params = "true", []
        if request is not None:
            compiled = self.compile(request)
            where, params = compiled.where.text, compiled.where.params
        query = f"SELECT {_COLUMNS} FROM {_S}.articles WHERE {where} ORDER BY instant ASC NULLS LAST, id"
        for row in self._stream(query, params, request):
            yield _article(row)

    def newest(self) -> Optional[datetime]:
        with errors_as(self.url, "read"):
            found = self.conn.execute(f"SELECT max(instant) FROM {_S}.docs").fetchone()[0]
        return found.astimezone(timezone.utc) if found is not None else None

    def stats(self, *, top: int = 10) -> Stats:
        with errors_as(self.url, "read"):
            count, first, last, undated = self.conn.execute(
                f"SELECT count(*), min(instant), max(instant), count(*) FILTER (WHERE instant IS NULL) "
                f"FROM {_S}.docs").fetchone()
            years = self.conn.execute(
                f"SELECT extract(year FROM instant AT TIME ZONE 'UTC')::int, count(*) FROM {_S}.docs "
                "WHERE instant IS NOT NULL GROUP BY 1 ORDER BY 1").fetchall()
            sources: Counter = Counter()
            for source, n in self.conn.execute(f"SELECT source, count(*) FROM {_S}.articles GROUP BY source"):
                sources[source.strip() or "(unknown)"] += int(n)
            files = self.conn.execute(f"SELECT count(*) FROM {_S}.files").fetchone()[0]
            size = self.conn.execute(
                "SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0) FROM pg_class c "
                "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = %s AND c.relkind = 'r'",
                [_S]).fetchone()[0]
        utc = lambda d: d.astimezone(timezone.utc) if d is not None else None  # noqa: E731
        return Stats(
            articles=int(count), first_date=utc(first), last_date=utc(last), undated=int(undated),
            per_year=tuple((int(y), int(n)) for y, n in years),
            top_sources=tuple(sorted(sources.items(), key=lambda kv: (-kv[1], kv[0]))[:top]),
            files=int(files), size_bytes=int(size), path=self.location, engine=self.name,
        )

    def check(self) -> CheckReport:
        report = CheckReport(location=self.location, part_name="partitions",
                             fix_hint=f"run `searcher index --rebuild --index {self.location} PATH`")
        try:
            with errors_as(self.url, "check"):
                docs, = self.conn.execute(f"SELECT count(*) FROM {_S}.docs").fetchone()
                articles, chars = self.conn.execute(
                    f"SELECT count(*), coalesce(sum(length(title) + length(body) + length(tsv::text)), 0) "
                    f"FROM {_S}.articles").fetchone()
                report.articles = int(articles)
                report.files = int(self.conn.execute(f"SELECT count(*) FROM {_S}.files").fetchone()[0])
                report.parts = int(self.conn.execute(
                    "SELECT count(*) FROM pg_inherits WHERE inhparent = %s::regclass", [f"{_S}.articles"]).fetchone()[0])
                if docs != articles:
                    report.problems.append(f"{docs} articles registered but {articles} stored")
                orphans, = self.conn.execute(
                    f"SELECT count(*) FROM {_S}.docs d WHERE NOT EXISTS "
                    f"(SELECT 1 FROM {_S}.articles a WHERE a.id = d.id)").fetchone()
                if orphans:
                    report.problems.append(f"{orphans} registered articles have no stored text")
        except SearcherError as exc:
            report.problems.append(str(exc))
        return report

    def fingerprint(self) -> str:
        with errors_as(self.url, "read"):
            generation = self.conn.execute(f"SELECT value FROM {_S}.meta WHERE key = 'generation'").fetchone()[0]
            count = self.count()
        return hashlib.sha256(f"{generation}:{count}".encode()).hexdigest()[:16]

    # -- vocabulary --------------------------------------------------------------------------

    def _prefix_count(self, field: str, prefixes: Sequence[str], limit: int) -> int:
        return len(self._prefixed(field, prefixes, limit))

    def _prefixed(self, field: str, prefixes: Sequence[str], limit: int) -> Set[str]:
        found: Set[str] = set()
        with errors_as(self.url, "search"):
            for p in prefixes:
                p = clean_text(p)
                rows = self.conn.execute(
                    f"SELECT term FROM {_S}.terms WHERE field = %s AND term >= %s AND term < %s "
                    "ORDER BY term LIMIT %s", [field, p, p + "\U0010ffff", limit])
                found.update(r[0] for r in rows)
        return found

    def _fuzzy(self, field: str, target: str, distance: int) -> Set[str]:
        """Index terms of ``field`` within ``distance`` edits (Levenshtein, as the Whoosh
        engine's automaton counts them) of ``target``, sharing its first letter."""
        target = clean_text(target)
        if not target:
            return set()
        first = target[0]
        low, high = len(target) - distance, len(target) + distance
        with errors_as(self.url, "search"):
            if self._levenshtein is not None and len(target) <= 255:
                func = sql.Identifier(self._levenshtein, "levenshtein_less_equal").as_string(self.conn)
                rows = self.conn.execute(
                    f"SELECT term FROM {_S}.terms WHERE field = %s AND term >= %s AND term < %s "
                    f"AND length(term) BETWEEN %s AND %s AND length(term) <= 255 "
                    f"AND {func}(term, %s, %s) <= %s",
                    [field, first, first + "\U0010ffff", low, high, target, distance, distance])
                return {r[0] for r in rows}
            rows = self.conn.execute(
                f"SELECT term FROM {_S}.terms WHERE field = %s AND term >= %s AND term < %s "
                "AND length(term) BETWEEN %s AND %s", [field, first, first + "\U0010ffff", low, high])
            return {r[0] for r in rows if levenshtein(r[0], target, distance) <= distance}

    def expand(self, field: str, leaf: Leaf, limit: int) -> Set[str]:
        spec = dict(leaf_fields(leaf)).get(field, leaf.terms)
        if leaf.kind == "prefix":
            found = self._prefixed(field, spec, limit + 1)
        elif leaf.kind == "fuzzy":
            target = spec[0] if field in ("title", "body") else (leaf.keyword or spec[0])
            found = self._fuzzy(field, target, leaf.arg)
        else:
            return set(spec)
        if len(found) > limit:
            shown = leaf.raw if len(leaf.raw) <= 60 else leaf.raw[:57] + "..."
            raise QueryTooBroad(f"'{shown}' matches more than {limit:,} different words in {field}; "
                                "make it longer or more exact")
        return found

    def _term_query(self, field: str, term: str) -> str:
        weight = {"title": ":A", "body": ":C"}.get(field, "")
        return quote(lexeme(field, clean_text(term))) + weight

    def doc_frequency(self, field: str, term: str) -> int:
        with errors_as(self.url, "search"):
            return int(self.conn.execute(f"SELECT count(*) FROM {_S}.articles WHERE tsv @@ %s::tsquery",
                                         [self._term_query(field, term)]).fetchone()[0])

    def near_terms(self, field: str, term: str, distance: int, limit: int) -> List[str]:
        return sorted(self._fuzzy(field, term, distance))[:limit]

    def texts_with(self, field: str, term: str, limit: int) -> List[str]:
        column = {"title": "title", "body": "body"}.get(field)
        if column is None:
            return []
        with errors_as(self.url, "search"):
            rows = self.conn.execute(f"SELECT {column} FROM {_S}.articles WHERE tsv @@ %s::tsquery LIMIT %s",
                                     [self._term_query(field, term), limit])
            return [r[0] for r in rows]


def levenshtein(a: str, b: str, limit: int) -> int:
    """Edits (insert, delete, substitute) between ``a`` and ``b``; ``limit + 1`` as soon as
    it must exceed ``limit``."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    prev = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        cur = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] != b[j - 1]))
        if min(cur) > limit:
            return limit + 1
        prev = cur
    return prev[-1]


def _version(conn: psycopg.Connection) -> Optional[int]:
    """The archive's schema version; None when the database holds no archive."""
    if conn.execute("SELECT to_regclass(%s)", [f"{_S}.meta"]).fetchone()[0] is None:
        return None
    row = conn.execute(f"SELECT value FROM {_S}.meta WHERE key = 'schema_version'").fetchone()
    return int(row[0]) if row else -1


def _check_version(version: int, url: str) -> None:
    if version not in schema.READABLE_VERSIONS:
        shown = redact(url)
        age = "an older" if version < schema.SCHEMA_VERSION else "a newer"
        raise IndexVersionMismatch(
            f"archive {shown} was made by {age} searcher (schema {version}, this is {schema.SCHEMA_VERSION}); "
            f"run `searcher index --rebuild --index {shown} PATH`")


def _create(conn: psycopg.Connection, url: str, *, locked: bool = False) -> None:
    """Make the archive's schema (once, even when several processes try at once)."""
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s)", [schema.LOCK_KEY + 1])
        version = _version(conn)
        if version is not None:
            _check_version(version, url)
            return
        if conn.execute("SELECT to_regnamespace(%s)", [_S]).fetchone()[0] is not None:
            raise SearcherError(f"schema '{_S}' in {redact(url)} holds no searcher archive; "
                                "rename it, or use another database")
        try:
            with conn.transaction():
                conn.execute("CREATE EXTENSION IF NOT EXISTS fuzzystrmatch")
        except psycopg.Error:
            pass  # fuzzy terms are then checked in Python
        conn.execute(schema.CREATE)
        conn.execute(f"ALTER TABLE {_S}.articles_undated ADD CHECK (published IS NULL)")
        conn.execute(f"INSERT INTO {_S}.meta (key, value) VALUES ('schema_version', %s), ('generation', '0'), "
                     "('created', %s)", [str(schema.SCHEMA_VERSION), datetime.now(timezone.utc).isoformat()])
