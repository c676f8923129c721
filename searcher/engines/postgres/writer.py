"""Writing to a PostgreSQL archive: the ``EngineWriter`` of the PostgreSQL engine.

Changes are kept in memory until ``commit``, which applies them in one transaction:
deletions, the new articles' registry rows (``docs``, unique by id and by content hash:
``ON CONFLICT DO NOTHING``, so two indexers at once never store an article twice), the
articles themselves with ``COPY``, the vocabulary, the file markers and the generation
counter. A killed writer loses only that transaction; a deadlock with another writer
is retried from the same buffered changes. Month partitions are made before the
transaction, in a short one of their own (``ATTACH PARTITION`` does not stop searches).

``might_hold`` answers from 64-bit hashes of every id, content hash and path committed
when the session started (a sorted numpy array: 8 bytes an article) plus what this
session added; ``live`` asks the server.
"""

from __future__ import annotations

import time
from datetime import datetime, timedelta
from typing import Any, Dict, Iterable, List, Optional, Sequence, Set, Tuple

import numpy as np
import psycopg
from psycopg import errors as pgerrors
from psycopg import sql

from searcher.article import Article
from searcher.engines.base import EngineWriter
from searcher.engines.postgres import schema
from searcher.engines.postgres.connect import server_error
from searcher.engines.postgres.vector import Vector, build, clean_text
from searcher.stories import Member, assign

_S = schema.SCHEMA
_LOOKUP = {"id": "id", "hash": "hash", "path": "path"}
_ARTICLE_COLUMNS = ("id", "published", "title", "body", "source", "url", "author", "keywords", "path",
                    "position", "hash", "exact", "tsv", "instant", "utc_offset", "signature")


def wall_clock(article: Article) -> Optional[datetime]:
    """The publication's wall-clock time, labelled UTC: the partition key and what date
    filters compare, so an article of 07:47 PM EST on Nov 19 is on the 19th."""
    if article.date is None:
        return None
    return article.date + timedelta(minutes=article.utc_offset or 0)
#: Times a batch is tried again after a deadlock with another writer.
RETRIES = 8


def _key(value: str) -> int:
    return hash(value)


class PostgresWriter(EngineWriter):
    """A writing session on its own connection, holding the archive's shared writer lock
    (which only ``--rebuild`` takes exclusively)."""

    def __init__(self, url: str, conn: psycopg.Connection) -> None:
        self.url = url
        self.conn = conn
        self._closed = False
        self._deletes: List[Tuple[str, str]] = []
        self._adds: List[Tuple[Article, Vector]] = []
        self._marks: Dict[str, Tuple[str, int]] = {}
        self._prepared: Dict[str, Vector] = {}
        self._terms: Set[Tuple[str, str]] = set()
        self._new_terms: List[Tuple[str, str]] = []
        self._partitions: Set[str] = set()
        #: Tables that committed changes touched: ``finish`` tidies them for searches.
        self._touched: Set[str] = set()
        self._touching: Set[str] = set()
        self._added: Dict[str, Set[str]] = {"id": set(), "hash": set(), "path": set()}
        self._ever = self._load_keys()
        # Schema 3 keeps stories (``searcher.stories``); an archive of schema 2 has none.
        self._stories = conn.execute(
            "SELECT value FROM " + _S + ".meta WHERE key = 'schema_version'").fetchone()[0] != "2"
        self._cur: Optional[psycopg.Cursor] = None

    def _load_keys(self) -> Dict[str, np.ndarray]:
        keys: Dict[str, List[int]] = {"id": [], "hash": [], "path": []}
        with self.conn.transaction():
            with self.conn.cursor(name="searcher_keys") as cur:
                cur.itersize = 50_000
                cur.execute(f"SELECT id, hash, path FROM {_S}.docs")
                for doc_id, doc_hash, path in cur:
                    keys["id"].append(_key(doc_id))
                    keys["hash"].append(_key(doc_hash))
                    keys["path"].append(_key(path))
        return {k: np.unique(np.array(v, dtype=np.int64)) for k, v in keys.items()}

    # -- what is committed -------------------------------------------------------------------

    def known_files(self) -> Dict[str, Tuple[str, int]]:
        rows = self.conn.execute(f"SELECT path, signature, articles FROM {_S}.files").fetchall()
        return {path: (sig, int(n)) for path, sig, n in rows}

    def live(self, field: str, value: str) -> Dict[str, str]:
        column = _LOOKUP[field]
        rows = self.conn.execute(f"SELECT id, hash FROM {_S}.docs WHERE {column} = %s", [clean_text(value)]).fetchall()
        return {doc_id: doc_hash for doc_id, doc_hash in rows}

    def might_hold(self, field: str, value: str) -> bool:
        if value in self._added[field]:
            return True
        keys = self._ever[field]
        k = _key(value)
        i = int(np.searchsorted(keys, k))
        return i < len(keys) and int(keys[i]) == k

    # -- changes -----------------------------------------------------------------------------

    def delete(self, field: str, value: str) -> int:
        live = len(self.live(field, value)) if self.might_hold(field, value) else 0
        self._deletes.append((field, value))
        return live

    def add(self, article: Article) -> None:
        vec = self._prepared.pop(article.id, None) or build(article)
        self._adds.append((article, vec))
        self._added["id"].add(article.id)
        self._added["hash"].add(article.content_hash)
        self._added["path"].add(article.path)

    def mark_file(self, path: str, signature: str, articles: int) -> None:
        self._marks[path] = (signature, articles)

    def prepared(self, payload: Any) -> None:
        self._prepared = dict(payload)

    def commit(self) -> None:
        if not (self._deletes or self._adds or self._marks):
            return
        try:
            self._make_partitions()
            for attempt in range(RETRIES):
                try:
                    self._touching = set()
                    with self.conn.transaction():
                        self._apply()
                    break
                except (pgerrors.DeadlockDetected, pgerrors.SerializationFailure):
                    if attempt == RETRIES - 1:
                        raise
                    time.sleep(0.05 * (attempt + 1))
        except psycopg.Error as exc:
            server_error(self.url, exc, "write to")
        self._terms.update(self._new_terms)
        self._new_terms = []
        self._touched |= self._touching
        self._deletes, self._adds, self._marks = [], [], {}
        self._prepared = {}

    def _make_partitions(self) -> None:
        """Every month partition the pending articles need, each made as an empty table and
        attached (which locks the parent table only against other schema changes)."""
        wanted = {}
        for article, _ in self._adds:
            if article.date is not None:
                start = schema.month_start(wall_clock(article))  # type: ignore[arg-type]
                wanted[schema.partition_name(start)] = start
        missing = {n: s for n, s in wanted.items() if n not in self._partitions}
        if not missing:
            return
        existing = {r[0] for r in self.conn.execute(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "WHERE i.inhparent = %s::regclass", [f"{_S}.articles"])}
        for name, start in sorted(missing.items()):
            if name not in existing:
                self._attach(name, start)
            self._partitions.add(name)

    def _attach(self, name: str, start: Any) -> None:
        table = sql.Identifier(_S, name)
        for attempt in range(50):
            try:
                with self.conn.transaction():
                    # One writer at a time makes partitions; searches are not stopped.
                    self.conn.execute("SELECT pg_advisory_xact_lock(%s)", [schema.LOCK_KEY + 2])
                    found = self.conn.execute("SELECT to_regclass(%s)", [f"{_S}.{name}"]).fetchone()
                    if found and found[0] is not None:
                        return
                    self.conn.execute("SET LOCAL lock_timeout = '2s'")
                    self.conn.execute(sql.SQL("CREATE TABLE {} (LIKE {} INCLUDING DEFAULTS INCLUDING STORAGE)").format(
                        table, sql.Identifier(_S, "articles")))
                    self.conn.execute(sql.SQL("ALTER TABLE {} ATTACH PARTITION {} FOR VALUES FROM ({}) TO ({})").format(
                        sql.Identifier(_S, "articles"), table, sql.Literal(start),
                        sql.Literal(schema.next_month(start))))
                return
            except pgerrors.LockNotAvailable:
                time.sleep(0.1 + 0.05 * attempt)
        raise pgerrors.LockNotAvailable("partition")

    def _apply(self) -> None:
        cur = self.conn.cursor()
        # Deletions first: a changed file's old articles go before its new ones come.
        ids: Set[str] = set()
        paths = [clean_text(v) for f, v in self._deletes if f == "path"]
        by_id = [clean_text(v) for f, v in self._deletes if f == "id"]
        if paths:
            cur.execute(f"DELETE FROM {_S}.docs WHERE path = ANY(%s) RETURNING id", [paths])
            ids.update(r[0] for r in cur.fetchall())
            cur.execute(f"DELETE FROM {_S}.files WHERE path = ANY(%s)", [paths])
        if by_id:
            cur.execute(f"DELETE FROM {_S}.docs WHERE id = ANY(%s) RETURNING id", [by_id])
            ids.update(r[0] for r in cur.fetchall())
        gone = sorted(ids)
        if gone:
            cur.execute(f"DELETE FROM {_S}.articles WHERE id = ANY(%s) RETURNING tableoid::regclass::text", [gone])
            self._touching.update(r[0] for r in cur.fetchall())
            cur.execute(f"DELETE FROM {_S}.long_positions WHERE id = ANY(%s)", [gone])
        kept: List[Article] = []
        if self._adds:
            kept = self._insert(cur)
        if self._stories and (gone or kept):
            self._assign_stories(cur, gone, kept)
        if self._marks:
            marks = sorted(self._marks.items())
            cur.execute(
                f"INSERT INTO {_S}.files (path, signature, articles) "
                "SELECT * FROM unnest(%s::text[], %s::text[], %s::integer[]) "
                "ON CONFLICT (path) DO UPDATE SET signature = excluded.signature, articles = excluded.articles",
                [[clean_text(p) for p, _ in marks], [s for _, (s, _) in marks], [n for _, (_, n) in marks]])
        cur.execute(f"UPDATE {_S}.meta SET value = (value::bigint + 1)::text WHERE key = 'generation'")

    def _insert(self, cur: psycopg.Cursor) -> List[Article]:
        """Insert the pending articles; returns those stored (the others were there)."""
        adds = sorted(self._adds, key=lambda av: av[0].id)
        columns, types = "id, hash, path, published, instant", "%s::text[], %s::text[], %s::text[], %s::timestamptz[], %s::timestamptz[]"
        values: List[Any] = [[clean_text(a.id) for a, _ in adds], [a.content_hash for a, _ in adds],
                             [clean_text(a.path) for a, _ in adds], [wall_clock(a) for a, _ in adds],
                             [a.date for a, _ in adds]]
        if self._stories:
            columns, types = columns + ", signature", types + ", %s::bytea[]"
            values.append([bytes(a.signature) if a.signature is not None else None for a, _ in adds])
        cur.execute(
            f"INSERT INTO {_S}.docs ({columns}) SELECT * FROM unnest({types}) ON CONFLICT DO NOTHING RETURNING id",
            values)
        accepted = {r[0] for r in cur.fetchall()}
        kept = [(a, v) for a, v in adds if clean_text(a.id) in accepted]
        self._touching.update(_partition_of(a) for a, _ in kept)
        columns = sql.SQL(", ").join(sql.Identifier(c) for c in _ARTICLE_COLUMNS)
        with cur.copy(sql.SQL("COPY {} ({}) FROM STDIN").format(sql.Identifier(_S, "articles"), columns)) as copy:
            for a, v in kept:
                copy.write_row((
                    clean_text(a.id), wall_clock(a), clean_text(a.title), clean_text(a.body), clean_text(a.source),
                    clean_text(a.url), clean_text(a.author),
                    clean_text(",".join(k.replace(",", " ") for k in a.keywords)), clean_text(a.path),
                    a.position, a.content_hash, v.exact, v.literal, a.date, a.utc_offset,
                    bytes(a.signature) if a.signature is not None else None,
                ))
        long_rows = [(clean_text(a.id), lex, w, list(ps)) for a, v in kept for lex, w, ps in v.long_positions]
        if long_rows:
            with cur.copy(f"COPY {_S}.long_positions (id, lexeme, weight, positions) FROM STDIN") as copy:
                for row in long_rows:
                    copy.write_row(row)
        terms = self._new_terms = sorted({ft for _, v in kept for ft in vec_terms(v)} - self._terms)
        if terms:
            cur.execute(
                f"INSERT INTO {_S}.terms (field, term) SELECT * FROM unnest(%s::text[], %s::text[]) "
                "ON CONFLICT DO NOTHING",
                [[f for f, _ in terms], [t for _, t in terms]])
        return [a for a, _ in kept]

    # -- stories (``searcher.stories``) -----------------------------------------------------

    def _assign_stories(self, cur: psycopg.Cursor, gone: List[str], kept: List[Article]) -> None:
        """The story step of a batch, last in its transaction and under ``STORY_LOCK``
        (held to the commit): of two writers at once, the second waits and then sees the
        first's committed articles, so no link between their batches is missed."""
        from searcher.analytics.neardup import band_keys

        cur.execute("SELECT pg_advisory_xact_lock(%s)", [schema.STORY_LOCK])
        lost: Set[str] = set()
        if gone:
            cur.execute(f"DELETE FROM {_S}.bands WHERE id = ANY(%s)", [gone])
            cur.execute(f"DELETE FROM {_S}.stories WHERE id = ANY(%s) RETURNING story", [gone])
            lost = {r[0] for r in cur.fetchall()}
        added = [Member(clean_text(a.id), a.date, a.signature) for a in kept]
        if added:
            keys = band_keys([m.signature for m in added])
            rows = [(m.id, int(k)) for m, row in zip(added, keys.tolist()) for k in row if k]
            if rows:
                with cur.copy(f"COPY {_S}.bands (id, key) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
        self._cur = cur
        try:
            assign(self, added, lost)
        finally:
            self._cur = None

    def story_candidates(self, keys: Sequence[int]) -> List[Member]:
        """``StoryStore``: committed articles with one of the band keys (this batch's own
        too, which ``assign`` leaves out)."""
        assert self._cur is not None
        self._cur.execute(
            f"SELECT d.id, d.instant, d.signature, coalesce(s.story, '') FROM "
            f"(SELECT DISTINCT id FROM {_S}.bands WHERE key = ANY(%s)) AS b JOIN {_S}.docs d ON d.id = b.id "
            f"LEFT JOIN {_S}.stories s ON s.id = b.id", [list(keys)])
        return [_member(row) for row in self._cur.fetchall()]

    def story_members(self, stories: Iterable[str]) -> List[Member]:
        """``StoryStore``: the live members of these stories."""
        assert self._cur is not None
        self._cur.execute(
            f"SELECT d.id, d.instant, d.signature, s.story FROM {_S}.stories s JOIN {_S}.docs d ON d.id = s.id "
            "WHERE s.story = ANY(%s)", [sorted(stories)])
        return [_member(row) for row in self._cur.fetchall()]

    def set_stories(self, labels: Dict[str, str]) -> None:
        """``StoryStore``: replace the labels of these articles ("" : none)."""
        assert self._cur is not None
        ids = sorted(labels)
        self._cur.execute(f"DELETE FROM {_S}.stories WHERE id = ANY(%s)", [ids])
        labelled = [i for i in ids if labels[i]]
        if labelled:
            self._cur.execute(f"INSERT INTO {_S}.stories (id, story) SELECT * FROM unnest(%s::text[], %s::text[])",
                              [labelled, [labels[i] for i in labelled]])

    def cancel(self) -> None:
        self._deletes, self._adds, self._marks = [], [], {}
        self._prepared = {}

    def finish(self) -> None:
        """``VACUUM (ANALYZE)`` the partitions this session changed. A bulk load otherwise
        leaves them, until autovacuum comes by, with new rows in the GIN index's pending
        list (scanned in full by every search), no planner statistics and an unset
        visibility map (counts visit the table instead of the index): the first searches
        after indexing 100k articles ran 2-3x slower (benchmarks/README.md). Tables another
        session is vacuuming are skipped; a role that may write but not vacuum gets
        PostgreSQL's warning and nothing else; a failure here loses nothing (autovacuum
        does the same later). Most of its time is the GIN pending list's merge, index work
        the inserts deferred (1.2 ms an article at 20k on this machine); the TOAST tables
        (bodies, read only for the ten hits shown) are left to autovacuum."""
        if not self._touched:
            return
        tables = sorted(self._touched | {f"{_S}.docs", f"{_S}.terms"})
        self._touched = set()
        try:
            for table in tables:  # the connection is in autocommit: VACUUM needs it
                self.conn.execute(sql.SQL("VACUUM (ANALYZE, SKIP_LOCKED, PROCESS_TOAST FALSE) {}").format(
                    sql.Identifier(*table.split(".", 1))))
        except psycopg.Error:
            pass  # everything is committed; autovacuum does the same later

    def close(self) -> None:
        if not self._closed:
            self._closed = True
            try:
                self.conn.close()  # also releases the session's advisory lock
            except psycopg.Error:
                pass


def _partition_of(article: Article) -> str:
    """The schema-qualified partition an article is stored in."""
    published = wall_clock(article)
    if published is None:
        return f"{_S}.articles_undated"
    return f"{_S}.{schema.partition_name(schema.month_start(published))}"


def _member(row: Tuple[Any, ...]) -> Member:
    doc_id, instant, signature, story = row
    return Member(doc_id, instant, bytes(signature) if signature is not None else None, story or "")


def vec_terms(vec: Vector) -> Set[Tuple[str, str]]:
    """The (field, term) pairs of a vector, for the vocabulary table."""
    return {(f, t) for f, terms in vec.terms for t in terms}


def open_writer(url: str, conn: psycopg.Connection, *, wait: float) -> Optional[PostgresWriter]:
    """A writer on ``conn`` once the shared writer lock is held (None: a rebuild holds it
    for longer than ``wait`` seconds)."""
    deadline = time.monotonic() + wait
    while True:
        got = conn.execute("SELECT pg_try_advisory_lock_shared(%s)", [schema.LOCK_KEY]).fetchone()
        if got and got[0]:
            return PostgresWriter(url, conn)
        if time.monotonic() >= deadline:
            return None
        time.sleep(0.1)
