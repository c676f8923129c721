"""The two baselines searcher is measured against, and the query set all three engines run.

* plain Whoosh: what a user writes first: ``StemmingAnalyzer`` TEXT fields, one writer, one
  ``add_document`` per article, one commit; ``MultifieldParser(["title", "body"])`` and
  ``hit.highlights("body")`` for the top 10.
* SQLite FTS5 (``tokenize='porter'``): one transaction of inserts, ``bm25`` order,
  ``snippet()`` for highlights, the date in a normal column.

Both index already-parsed articles from memory (searcher is timed end to end from files).
A ``LogicalQuery`` is one query in engine-neutral form; ``to_searcher``, ``to_whoosh`` and
``to_fts`` spell it for each engine.
"""

from __future__ import annotations

import os
import random
import re
import sqlite3
import time
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

CLASSES = ("term", "and", "or", "phrase", "date", "not")
_WORD = re.compile(r"[a-z]{4,}")
# Words that stemmers treat differently would make the engines disagree for reasons that
# have nothing to do with speed; plain alphabetic words of 4+ letters are used.


@dataclass(frozen=True)
class LogicalQuery:
    kind: str
    words: Tuple[str, ...]
    since: Optional[date] = None
    until: Optional[date] = None  # inclusive

    def to_searcher(self) -> Tuple[str, Dict[str, str]]:
        """(query text, search() keyword options)."""
        w = self.words
        opts: Dict[str, str] = {}
        if self.kind == "term":
            text = w[0]
        elif self.kind == "and":
            text = f"{w[0]} AND {w[1]}"
        elif self.kind == "or":
            text = f"{w[0]} OR {w[1]}"
        elif self.kind == "phrase":
            text = f'"{w[0]} {w[1]}"'
        elif self.kind == "date":
            text = w[0]
            opts = {"since": self.since.isoformat(), "until": self.until.isoformat()}  # type: ignore[union-attr]
        else:
            text = f"{w[0]} NOT {w[1]}"
        return text, opts

    def to_whoosh(self) -> str:
        text, _ = self.to_searcher()
        return text

    def to_fts(self) -> str:
        w = self.words
        if self.kind in ("term", "date"):
            return w[0]
        if self.kind == "phrase":
            return f'"{w[0]} {w[1]}"'
        op = {"and": "AND", "or": "OR", "not": "NOT"}[self.kind]
        return f"{w[0]} {op} {w[1]}"

    def label(self) -> str:
        text, opts = self.to_searcher()
        return text + (f" [{opts['since']}..{opts['until']}]" if opts else "")


def build_queries(articles: Sequence[Any], *, per_class: int = 20, seed: int = 42) -> List[LogicalQuery]:
    """``per_class`` queries of each class from frequent real words and word pairs."""
    from whoosh.analysis import STOP_WORDS

    rng = random.Random(seed)
    words: Counter = Counter()
    pairs: Counter = Counter()
    sample = articles if len(articles) <= 3000 else rng.sample(list(articles), 3000)
    for a in sample:
        tokens = re.findall(r"[A-Za-z]+|[^A-Za-z\s]", a.body)
        prev = None
        for tok in tokens:
            low = tok.lower()
            ok = bool(_WORD.fullmatch(low)) and low not in STOP_WORDS
            if ok:
                words[low] += 1
                if prev is not None:
                    pairs[(prev, low)] += 1
            prev = low if ok else None
    common = [w for w, _ in words.most_common(400)][20:]  # skip the very top, like real queries
    top_pairs = [p for p, n in pairs.most_common(200) if p[0] != p[1]]
    lo, hi = date(1995, 1, 1).toordinal(), date(2024, 12, 31).toordinal()
    out: List[LogicalQuery] = []
    for kind in CLASSES:
        for _ in range(per_class):
            if kind == "phrase":
                out.append(LogicalQuery(kind, rng.choice(top_pairs[:100])))
            elif kind == "date":
                start = rng.randrange(lo, hi - 400)
                span = rng.randint(30, 5 * 365)
                out.append(
                    LogicalQuery(kind, (rng.choice(common),), date.fromordinal(start), date.fromordinal(min(hi, start + span)))
                )
            elif kind == "term":
                out.append(LogicalQuery(kind, (rng.choice(common),)))
            else:
                a, b = rng.sample(common[:150], 2)
                out.append(LogicalQuery(kind, (a, b)))
    return out


def _folder_size(path: Path) -> int:
    return sum(p.stat().st_size for p in Path(path).rglob("*") if p.is_file())


def _percentile(values: Sequence[float], q: float) -> float:
    s = sorted(values)
    if not s:
        return float("nan")
    k = (len(s) - 1) * q
    f = int(k)
    c = min(f + 1, len(s) - 1)
    return s[f] + (s[c] - s[f]) * (k - f)


def latency_stats(times: Dict[str, List[float]]) -> Dict[str, Dict[str, float]]:
    out = {}
    for kind, values in times.items():
        out[kind] = {"p50_ms": _percentile(values, 0.5) * 1000, "p95_ms": _percentile(values, 0.95) * 1000}
    every = [v for values in times.values() for v in values]
    out["all"] = {"p50_ms": _percentile(every, 0.5) * 1000, "p95_ms": _percentile(every, 0.95) * 1000}
    return out


def _doc_id(a: Any) -> str:
    from searcher.article import make_id

    return make_id(url=a.url, path="", position=0)


# -- plain Whoosh -------------------------------------------------------------------------


def whoosh_index(articles: Sequence[Any], folder: Path) -> Dict[str, float]:
    """Index from memory the way a first-time Whoosh user would; returns timings."""
    from whoosh import fields, index
    from whoosh.analysis import StemmingAnalyzer

    schema = fields.Schema(
        id=fields.ID(stored=True, unique=True),
        title=fields.TEXT(analyzer=StemmingAnalyzer(), stored=True),
        body=fields.TEXT(analyzer=StemmingAnalyzer(), stored=True),
        date=fields.DATETIME(stored=True),
    )
    folder.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    ix = index.create_in(str(folder), schema)
    writer = ix.writer()
    for a in articles:
        writer.add_document(
            id=_doc_id(a), title=a.title, body=a.body, date=datetime(a.day.year, a.day.month, a.day.day)
        )
    writer.commit()
    seconds = time.perf_counter() - started
    ix.close()
    return {"seconds": seconds, "articles": len(articles), "size_bytes": _folder_size(folder)}


def whoosh_queries(folder: Path, queries: Sequence[LogicalQuery]) -> Tuple[Dict[str, List[float]], List[List[str]]]:
    from whoosh import index
    from whoosh.qparser import MultifieldParser
    from whoosh.query import DateRange

    ix = index.open_dir(str(folder))
    times: Dict[str, List[float]] = {k: [] for k in CLASSES}
    ids: List[List[str]] = []
    with ix.searcher() as s:
        parser = MultifieldParser(["title", "body"], ix.schema)
        for q in queries:
            started = time.perf_counter()
            query = parser.parse(q.to_whoosh())
            filt = None
            if q.since is not None:
                until = q.until or q.since
                filt = DateRange(
                    "date",
                    datetime(q.since.year, q.since.month, q.since.day),
                    datetime(until.year, until.month, until.day, 23, 59, 59),
                )
            results = s.search(query, limit=10, filter=filt)
            found = []
            for hit in results:
                hit.highlights("body")
                found.append(hit["id"])
            times[q.kind].append(time.perf_counter() - started)
            ids.append(found)
    ix.close()
    return times, ids


# -- SQLite FTS5 ----------------------------------------------------------------------------


def fts_index(articles: Sequence[Any], folder: Path) -> Dict[str, float]:
    folder.mkdir(parents=True, exist_ok=True)
    db_path = folder / "fts.db"
    if db_path.exists():
        db_path.unlink()
    started = time.perf_counter()
    db = sqlite3.connect(str(db_path))
    db.execute("CREATE TABLE articles (id TEXT PRIMARY KEY, day TEXT, title TEXT, body TEXT)")
    db.execute(
        "CREATE VIRTUAL TABLE articles_fts USING fts5(title, body, content='articles', "
        "content_rowid='rowid', tokenize='porter')"
    )
    db.execute("CREATE INDEX articles_day ON articles(day)")
    with db:
        for a in articles:
            cur = db.execute(
                "INSERT INTO articles (id, day, title, body) VALUES (?, ?, ?, ?)",
                (_doc_id(a), a.day.isoformat(), a.title, a.body),
            )
            db.execute(
                "INSERT INTO articles_fts (rowid, title, body) VALUES (?, ?, ?)", (cur.lastrowid, a.title, a.body)
            )
    db.close()
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "articles": len(articles), "size_bytes": os.path.getsize(db_path)}


def fts_queries(folder: Path, queries: Sequence[LogicalQuery]) -> Tuple[Dict[str, List[float]], List[List[str]]]:
    db = sqlite3.connect(str(folder / "fts.db"))
    times: Dict[str, List[float]] = {k: [] for k in CLASSES}
    ids: List[List[str]] = []
    base = (
        "SELECT a.id, snippet(articles_fts, 1, '[', ']', '…', 24) FROM articles_fts "
        "JOIN articles a ON a.rowid = articles_fts.rowid WHERE articles_fts MATCH ?"
    )
    for q in queries:
        started = time.perf_counter()
        if q.since is not None:
            rows = db.execute(
                base + " AND a.day BETWEEN ? AND ? ORDER BY bm25(articles_fts) LIMIT 10",
                (q.to_fts(), q.since.isoformat(), (q.until or q.since).isoformat()),
            ).fetchall()
        else:
            rows = db.execute(base + " ORDER BY bm25(articles_fts) LIMIT 10", (q.to_fts(),)).fetchall()
        times[q.kind].append(time.perf_counter() - started)
        ids.append([r[0] for r in rows])
    db.close()
    return times, ids


#: name → (index function, query function)
ENGINES: Dict[str, Tuple[Callable[..., Dict[str, float]], Callable[..., Any]]] = {
    "plain_whoosh": (whoosh_index, whoosh_queries),
    "sqlite_fts5": (fts_index, fts_queries),
}
