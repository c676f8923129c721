"""The tables of a searcher archive in PostgreSQL, its schema version and its partitions.

Everything lives in one PostgreSQL schema, ``searcher``:

* ``articles``: the stored fields, ``exact`` and the ``tsv`` vector (``vector``), range
  partitioned by ``published`` (one partition per month, made as needed; undated
  articles in the default partition), with a GIN index on ``tsv``. ``published`` is the
  publication's wall-clock time (the UTC instant moved by the offset the source stated,
  labelled UTC), so date filters compare the publication's own day; ``instant`` is the
  exact UTC instant (sorting, display), ``utc_offset`` the stated offset and
  ``signature`` the near-duplicate signature (``analytics.neardup``). ``tsv`` is stored
  ``MAIN``: compressed inside its row, so a phrase check or a rank reads it without a
  lookup in the TOAST table;
* ``docs``: one row per live article (id, content hash, file, date), with unique ids and
  unique hashes: what makes two indexers at once never store an article twice
  (a partitioned table cannot hold a unique id across months);
* ``files``: the markers of files whose articles are all written (path, signature, count);
* ``terms``: the archive's vocabulary per field, for prefix counts and fuzzy terms;
* ``long_positions``: every position of every lexeme of articles whose positions do not
  fit a ``tsvector``;
* ``meta``: the schema version and a generation counter bumped by every commit;
* (schema 3) ``bands``: each live article's LSH band keys (``analytics.neardup.band_keys``),
  indexed, where a new article finds its candidate copies; ``stories``: the label of every
  member of a story of two or more (``searcher.stories``), a side table so that a merge
  or split rewrites those rows, never an article; ``docs.signature``: the signature again,
  so that the story rules read candidates without touching the partitions.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Iterable, Set, Tuple

SCHEMA = "searcher"
#: Bump when a change to tables or analysis makes old archives answer differently.
SCHEMA_VERSION = 3
#: Versions this code still opens: 2 has no stories (a collapsed search then groups every
#: match itself; ``--rebuild`` makes it fast).
READABLE_VERSIONS = (2, 3)
#: The advisory lock key writers hold shared and ``--rebuild`` exclusively.
LOCK_KEY = 0x5EA4C4E4
#: The transaction lock of the story step: one writer at a time, so that the second sees
#: the first's committed articles (``PostgresWriter``). (+1: creating, +2: partitions.)
STORY_LOCK = LOCK_KEY + 3

CREATE = f"""
CREATE SCHEMA {SCHEMA};
CREATE TABLE {SCHEMA}.meta (key text PRIMARY KEY, value text NOT NULL);
CREATE TABLE {SCHEMA}.docs (
    id text PRIMARY KEY,
    hash text NOT NULL UNIQUE,
    path text NOT NULL,
    published timestamptz,
    instant timestamptz,
    signature bytea
);
CREATE INDEX docs_path ON {SCHEMA}.docs (path);
CREATE TABLE {SCHEMA}.bands (key bigint NOT NULL, id text NOT NULL);
CREATE INDEX bands_key ON {SCHEMA}.bands (key);
CREATE INDEX bands_id ON {SCHEMA}.bands (id);
CREATE TABLE {SCHEMA}.stories (id text PRIMARY KEY, story text NOT NULL);
CREATE INDEX stories_story ON {SCHEMA}.stories (story);
CREATE TABLE {SCHEMA}.articles (
    id text NOT NULL,
    published timestamptz,
    title text NOT NULL,
    body text NOT NULL,
    source text NOT NULL,
    url text NOT NULL,
    author text NOT NULL,
    keywords text NOT NULL,
    path text NOT NULL,
    position integer NOT NULL,
    hash text NOT NULL,
    exact boolean NOT NULL,
    tsv tsvector NOT NULL,
    instant timestamptz,
    utc_offset integer,
    signature bytea
) PARTITION BY RANGE (published);
-- The vector stays compressed in its row (not in the TOAST table, where the body goes):
-- phrase checks and ranking read it three times faster (benchmarks/README.md).
ALTER TABLE {SCHEMA}.articles ALTER COLUMN tsv SET STORAGE MAIN;
CREATE TABLE {SCHEMA}.articles_undated PARTITION OF {SCHEMA}.articles DEFAULT;
CREATE INDEX articles_tsv ON {SCHEMA}.articles USING gin (tsv);
CREATE INDEX articles_id ON {SCHEMA}.articles (id);
CREATE INDEX articles_published ON {SCHEMA}.articles (published);
CREATE TABLE {SCHEMA}.files (path text PRIMARY KEY, signature text NOT NULL, articles integer NOT NULL);
CREATE TABLE {SCHEMA}.terms (field text NOT NULL, term text COLLATE "C" NOT NULL, PRIMARY KEY (field, term));
CREATE TABLE {SCHEMA}.long_positions (
    id text NOT NULL,
    lexeme text NOT NULL,
    weight "char" NOT NULL,
    positions integer[] NOT NULL,
    PRIMARY KEY (id, lexeme, weight)
);

-- Positions of ``nxt`` that follow one of ``cur`` by 1 to ``slop``: one step of a phrase.
CREATE FUNCTION {SCHEMA}.follow(cur integer[], nxt integer[], slop integer) RETURNS integer[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT coalesce(array_agg(p ORDER BY p), '{{}}')
    FROM unnest(nxt) AS p
    WHERE EXISTS (SELECT 1 FROM unnest(cur) AS q WHERE q < p AND q >= p - slop)
$$;

-- Whether ``lexemes`` occur in order, each 1 to ``slop`` after the last, at positions of
-- the given weights of ``vec`` (exact for articles whose positions fit).
CREATE FUNCTION {SCHEMA}.phrase_in_vector(vec tsvector, wanted text, lexemes text[], slop integer)
RETURNS boolean LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE
    cur integer[];
    nxt integer[];
    i integer;
BEGIN
    FOR i IN 1 .. cardinality(lexemes) LOOP
        SELECT coalesce(array_agg(u.p ORDER BY u.p), '{{}}') INTO nxt
        FROM unnest(vec) AS t, unnest(t.positions, t.weights) AS u(p, w)
        WHERE t.lexeme = lexemes[i] AND strpos(wanted, upper(u.w)) > 0;
        cur := CASE WHEN i = 1 THEN nxt ELSE {SCHEMA}.follow(cur, nxt, slop) END;
        IF cardinality(cur) = 0 THEN
            RETURN false;
        END IF;
    END LOOP;
    RETURN true;
END $$;

-- The same test on ``long_positions``, for articles whose positions do not fit a vector.
CREATE FUNCTION {SCHEMA}.phrase_in_long(doc text, wanted text, lexemes text[], slop integer)
RETURNS boolean LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$
DECLARE
    cur integer[];
    nxt integer[];
    i integer;
BEGIN
    FOR i IN 1 .. cardinality(lexemes) LOOP
        SELECT coalesce(array_agg(p ORDER BY p), '{{}}') INTO nxt
        FROM {SCHEMA}.long_positions AS l, unnest(l.positions) AS p
        WHERE l.id = doc AND l.lexeme = lexemes[i] AND strpos(wanted, l.weight::text) > 0;
        cur := CASE WHEN i = 1 THEN nxt ELSE {SCHEMA}.follow(cur, nxt, slop) END;
        IF cardinality(cur) = 0 THEN
            RETURN false;
        END IF;
    END LOOP;
    RETURN true;
END $$;
"""


def month_start(value: datetime) -> datetime:
    """The first instant (UTC) of ``value``'s month."""
    value = value.astimezone(timezone.utc)
    return datetime(value.year, value.month, 1, tzinfo=timezone.utc)


def next_month(start: datetime) -> datetime:
    return datetime(start.year + (start.month == 12), start.month % 12 + 1, 1, tzinfo=timezone.utc)


def partition_name(start: datetime) -> str:
    """``articles_2023_08``: made of digits only, so safe to put in DDL."""
    return f"articles_{start.year:04d}_{start.month:02d}"


def partition_ddl(start: datetime) -> Tuple[str, Tuple[datetime, datetime]]:
    """The statement creating the partition of the month starting at ``start``; its bounds
    are bound parameters of a ``format()`` call run on the server."""
    return partition_name(start), (start, next_month(start))


def months(dates: Iterable[datetime]) -> Set[datetime]:
    """The month starts of ``dates``."""
    return {month_start(d) for d in dates}
