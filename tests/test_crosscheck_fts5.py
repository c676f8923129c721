"""Cross-check against an independent engine: SQLite FTS5 (porter tokenizer, stdlib).

The articles of ../shared/corpora/news-csv are indexed by searcher; the same articles, as
searcher stored them (so both engines see identical titles, bodies and UTC dates), go into
an FTS5 table. For each boolean, phrase and date query the sets of matching ids must be
equal. Queries avoid stopwords (searcher drops them, FTS5 keeps them) and words whose
tokenization differs between the engines (abbreviations with dots, possessives).
"""

from __future__ import annotations

import csv
import sqlite3
from pathlib import Path
from typing import Dict, Optional, Set, Tuple

import pytest

from searcher import Archive
from tests.conftest import CORPORA

#: (searcher query, since, until, FTS5 MATCH expression, FTS5 date bounds [from, to))
QUERIES = [
    ("missile", None, None, "missile", None),
    ("trump AND russia", None, None, "trump AND russia", None),
    ("brexit OR referendum", None, None, "brexit OR referendum", None),
    ("korea -missile", None, None, "korea NOT missile", None),
    ('"north korea"', None, None, '"north korea"', None),
    ('"white house"', None, None, '"white house"', None),
    ('"prime minister" AND britain', None, None, '"prime minister" AND britain', None),
    ("(syria OR iraq) AND refugees", None, None, "(syria OR iraq) AND refugees", None),
    ("election NOT france", None, None, "election NOT france", None),
    ("climate change", None, None, "climate AND change", None),
    ('"supreme court" OR judge', None, None, '"supreme court" OR judge', None),
    ("oil AND (price OR prices)", None, None, "oil AND (price OR prices)", None),
    ("china trade", None, None, "china AND trade", None),
    ("putin -trump", None, None, "putin NOT trump", None),
    ("police AND (shooting OR attack)", None, None, "police AND (shooting OR attack)", None),
    ('"european union"', None, None, '"european union"', None),
    ('"theresa may"', None, None, '"theresa may"', None),  # "may" is no stopword here
    ("us AND sanctions", None, None, "us AND sanctions", None),
    ("germany merkel", None, None, "germany AND merkel", None),
    ("(israel OR palestinians) -settlements", None, None, "(israel OR palestinians) NOT settlements", None),
    ("missile date:[2017-02-01 TO 2017-02-28]", None, None, "missile", ("2017-02-01", "2017-03-01")),
    ("trump", "2017-03", "2017-03", "trump", ("2017-03-01", "2017-04-01")),
    ('"donald trump" date:[2017-01-20 TO 2017-01-31]', None, None, '"donald trump"', ("2017-01-20", "2017-02-01")),
    ("economy date:>=2017-03-01", None, None, "economy", ("2017-03-01", "9999")),
    ("syria", None, "2016-12-31", "syria", ("0000", "2017-01-01")),
    ("refugees OR migrants", "2017-01-15", "2017-02-15", "refugees OR migrants", ("2017-01-15", "2017-02-16")),
]

_ROWS = 2000  # enough for every query to find dozens of articles, small enough for a fast test


@pytest.fixture(scope="module")
def engines(tmp_path_factory: pytest.TempPathFactory) -> Tuple[Archive, sqlite3.Connection]:
    source = CORPORA / "news-csv" / "NewsArticles.csv"
    if not source.is_file():
        pytest.skip("../shared/corpora/news-csv is not here")
    folder = tmp_path_factory.mktemp("crosscheck")
    sample = folder / "sample.csv"
    with open(source, newline="", encoding="utf-8", errors="replace") as src, open(sample, "w", newline="", encoding="utf-8") as dst:
        csv.field_size_limit(1 << 30)
        reader = csv.reader(src)
        writer = csv.writer(dst)
        for n, row in enumerate(reader):
            if n > _ROWS:
                break
            writer.writerow(row)
    archive = Archive.open(folder / "ix", create=True)
    archive.index_paths([sample])
    db = sqlite3.connect(":memory:")
    db.execute("CREATE VIRTUAL TABLE fts USING fts5(id UNINDEXED, day UNINDEXED, title, body, tokenize='porter')")
    db.executemany(
        "INSERT INTO fts VALUES (?, ?, ?, ?)",
        [(a.id, a.date.strftime("%Y-%m-%d") if a.date else "", a.title, a.body) for a in archive.export()],
    )
    yield archive, db
    archive.close()
    db.close()


def _fts_ids(db: sqlite3.Connection, match: str, days: Optional[Tuple[str, str]]) -> Set[str]:
    sql = "SELECT id FROM fts WHERE fts MATCH ?"
    args: list = [f"{{title body}}: ({match})"]
    if days:
        sql += " AND day >= ? AND day < ? AND day != ''"
        args += list(days)
    return {row[0] for row in db.execute(sql, args)}


@pytest.mark.parametrize("query,since,until,match,days", QUERIES, ids=[q[0] for q in QUERIES])
def test_same_ids_as_fts5(engines, query: str, since: Optional[str], until: Optional[str], match: str, days) -> None:
    archive, db = engines
    results = archive.search(query, since=since, until=until, limit=5000, snippets=0)
    ours = {hit.id for hit in results}
    theirs = _fts_ids(db, match, days)
    assert results.total == len(ours)
    assert theirs, f"{query!r} finds nothing in FTS5: not a useful check"
    assert ours == theirs, f"{query!r}: only searcher {sorted(ours - theirs)[:5]}, only FTS5 {sorted(theirs - ours)[:5]}"


def test_total_is_exact_whatever_the_page_size(engines) -> None:
    archive, db = engines
    for query, since, until, _, _ in QUERIES:
        full = archive.search(query, since=since, until=until, limit=5000, snippets=0)
        for sort in ("relevance", "newest"):
            one = archive.search(query, since=since, until=until, limit=1, snippets=0, sort=sort)
            assert one.total == len(full.hits), (query, sort)


def test_crosscheck_table(engines) -> None:
    """Prints the table quoted in the closing note (run with -s to see it)."""
    archive, db = engines
    lines = [f"{'query':<55} {'searcher':>8} {'FTS5':>6}"]
    for query, since, until, match, days in QUERIES:
        total = archive.search(query, since=since, until=until, limit=1, snippets=0).total
        label = query + (f" --from {since}" if since else "") + (f" --to {until}" if until else "")
        lines.append(f"{label:<55} {total:>8} {len(_fts_ids(db, match, days)):>6}")
    print("\n" + "\n".join(lines))
    assert len(lines) == len(QUERIES) + 1
