"""The Whoosh engine: an archive in one folder, needing nothing installed.

The only module that opens Whoosh indexes, writers and searchers, and the place where
Whoosh exceptions become ``SearcherError`` messages that name the fix. Queries are compiled
(``compile``) and run by the block engine (``block``; ``vector`` on numpy once a process has
searched for a while), falling back to Whoosh's own collector for anything the block engine
does not evaluate. Writes take the folder's lock (``locking``), waiting up to ``wait``
seconds, and commit in batches.
"""

from __future__ import annotations

import functools
import hashlib
import json
import pickle
import shutil
import struct
import threading
import time
import zlib
from collections import Counter
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, List, Mapping, Optional, Sequence, Set, Tuple

from searcher.engines.whoosh import fixes  # noqa: F401,I001  (first: Whoosh imported lean and corrected)
from whoosh import index as whoosh_index
from whoosh.collectors import TimeLimit, TimeLimitCollector
from whoosh.searching import Searcher

from searcher.article import Article
from searcher.engines.base import CheckReport, Engine, EngineWriter, Match, Ranked, Ranking, SearchRequest
from searcher.engines.whoosh.schema import KIND_ARTICLE, KIND_FILE, READABLE_VERSIONS, SCHEMA_VERSION, make_schema
from searcher.errors import IndexCorrupt, IndexNotFound, IndexVersionMismatch, QueryTimeout, SearcherError
from searcher.results import Stats

if False:  # pragma: no cover (types only)
    from searcher.query.tree import Leaf

_META = "searcher.json"


def _utc(value: Optional[datetime]) -> Optional[datetime]:
    if value is None:
        return None
    return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)


def _article(fields: Mapping[str, Any]) -> Article:
    """An ``Article`` from a document's stored fields."""
    keywords = tuple(k for k in str(fields.get("keywords") or "").split(",") if k)
    return Article(
        id=str(fields.get("id", "")),
        title=str(fields.get("title", "")),
        body=str(fields.get("body", "")),
        date=_utc(fields.get("date")),
        source=str(fields.get("source", "")),
        url=str(fields.get("url", "")),
        author=str(fields.get("author", "")),
        keywords=keywords,
        path=str(fields.get("path", "")),
        position=int(fields.get("position") or 0),
        content_hash=str(fields.get("hash", "")),
        utc_offset=fields.get("offset"),
    )


def _retrying(read: Callable[[str], Any], folder: Path, attempts: int = 10) -> Any:
    """``read(folder)`` (Whoosh's ``open_dir`` or ``exists_in``), tried again when a file
    vanishes as it reads: a writer's commit deletes the table of contents it replaces, so a
    reader that listed the old one a moment before finds it gone (Whoosh retries so in
    ``Index.reader``, not when opening)."""
    for attempt in range(attempts):
        try:
            return read(str(folder))
        except FileNotFoundError:
            if attempt == attempts - 1:
                raise
            time.sleep(0.05)


#: What Whoosh raises when it reads a damaged file (a bad compressed block, a short read, a
#: broken pickle, bytes that do not decode); opening catches anything, reading these only,
#: so bugs still show.
_DAMAGE = (zlib.error, struct.error, EOFError, pickle.UnpicklingError, UnicodeDecodeError)


def _damaged(path: Path, exc: BaseException) -> IndexCorrupt:
    return IndexCorrupt(f"index '{path}' cannot be read ({type(exc).__name__}); run `searcher check --index {path}`")


def _reads_index(method: Callable[..., Any]) -> Callable[..., Any]:
    """A damaged file met while ``method`` reads the index becomes ``IndexCorrupt`` (one
    line naming `searcher check`), not a traceback from deep inside Whoosh."""

    @functools.wraps(method)
    def wrapper(self: "WhooshEngine", *args: Any, **kwargs: Any) -> Any:
        try:
            return method(self, *args, **kwargs)
        except _DAMAGE as exc:
            raise _damaged(self.path, exc) from exc

    return wrapper


class WhooshEngine(Engine):
    """A searcher archive in a Whoosh index folder."""

    name = "whoosh"

    def __init__(self, path: Path, ix: whoosh_index.Index) -> None:
        self.path = path
        self.location = str(path)
        self.ix = ix
        self._searcher: Optional[Searcher] = None

    # -- opening ---------------------------------------------------------------------------

    @classmethod
    def open(cls, location: str, *, create: bool = False) -> "WhooshEngine":
        folder = Path(location)
        if folder.exists() and not folder.is_dir():
            raise IndexNotFound(f"'{folder}' is a file, not an index folder; name a folder with --index")
        has_index = folder.is_dir() and _retrying(whoosh_index.exists_in, folder)
        if not has_index:
            if not create:
                raise IndexNotFound(f"no index at '{folder}'; run `searcher index PATH --index {folder}` first")
            if folder.is_dir() and any(folder.iterdir()) and not (folder / _META).exists():
                raise IndexNotFound(
                    f"'{folder}' is not empty and holds no searcher index; name an empty or new folder with --index"
                )
            return cls._create(folder)
        cls._check_meta(folder)
        try:
            ix = _retrying(whoosh_index.open_dir, folder)
        except Exception as exc:
            raise _damaged(folder, exc) from exc
        return cls(folder, ix)

    @classmethod
    def _create(cls, folder: Path) -> "WhooshEngine":
        try:
            folder.mkdir(parents=True, exist_ok=True)
            # The note first: a run killed in between leaves a note without an index, which
            # the next run creates; the other order leaves an index every run refuses.
            (folder / _META).write_text(
                json.dumps({"schema_version": SCHEMA_VERSION, "created": time.time()}), encoding="utf-8"
            )
            ix = whoosh_index.create_in(str(folder), make_schema())
        except OSError as exc:
            raise SearcherError(f"cannot create an index in '{folder}': {exc.strerror or exc}") from exc
        return cls(folder, ix)

    @staticmethod
    def _check_meta(folder: Path) -> None:
        try:
            meta = json.loads((folder / _META).read_text(encoding="utf-8"))
            version = int(meta["schema_version"])
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise IndexVersionMismatch(
                f"index '{folder}' was not made by this searcher; run `searcher index --rebuild --index {folder} PATH`"
            ) from exc
        if version not in READABLE_VERSIONS:
            age = "an older" if version < SCHEMA_VERSION else "a newer"
            raise IndexVersionMismatch(
                f"index '{folder}' was made by {age} searcher (schema {version}, this is {SCHEMA_VERSION}); "
                f"run `searcher index --rebuild --index {folder} PATH`"
            )

    @classmethod
    def rebuild(cls, location: str, *, wait: float = 0.0) -> "WhooshEngine":
        """Empty the folder (taking the old index's write lock first, so a rebuild never
        pulls an index away from under a running writer) and create a new index."""
        folder = Path(location)
        if folder.is_dir() and whoosh_index.exists_in(str(folder)):
            try:
                old = whoosh_index.open_dir(str(folder))
            except Exception:
                old = None
            if old is not None:
                from searcher.engines.whoosh.locking import WriteLock

                lock = WriteLock(old, folder, wait=wait)
                lock.release()
                old.close()
            for child in folder.iterdir():
                if child.is_dir():
                    shutil.rmtree(child)
                else:
                    child.unlink()
        elif folder.is_dir() and any(folder.iterdir()) and not (folder / _META).exists():
            raise IndexNotFound(f"'{folder}' is not empty and holds no searcher index; refusing to empty it")
        return cls.open(str(folder), create=True)

    def close(self) -> None:
        if self._searcher is not None:
            self._searcher.close()
            self._searcher = None
        self.ix.close()

    def search_view(self) -> Searcher:
        """A searcher over the latest commit, reused while the index is unchanged."""
        if self._searcher is None:
            self._searcher = self._new_searcher()
        elif not self._searcher.up_to_date():
            # Not Searcher.refresh(): it reuses segment readers by segment id and so misses
            # deletions committed to a segment it already had open.
            self._searcher.close()
            self._searcher = None
            self._searcher = self._new_searcher()
        return self._searcher

    def _new_searcher(self) -> Searcher:
        """A searcher over the latest commit; damaged segment files become IndexCorrupt."""
        try:
            return self.ix.searcher()
        except Exception as exc:  # Whoosh raises EOFError, struct.error, ... on a damaged file
            raise _damaged(self.path, exc) from exc

    # -- writing ---------------------------------------------------------------------------

    def writer(self, *, wait: float = 0.0) -> EngineWriter:
        from searcher.engines.whoosh.fastindex import new_writer
        from searcher.engines.whoosh.locking import WriteLock
        from searcher.engines.whoosh.writer import WhooshWriter

        lock = WriteLock(self.ix, self.path, wait=wait)
        try:
            return WhooshWriter(lambda: new_writer(self.ix, limitmb=256), self._new_searcher, lock.release)
        except BaseException:
            lock.release()
            raise

    def preparer(self) -> Optional[Callable[[Sequence[Article]], Any]]:
        from searcher.engines.whoosh.writer import prepare

        return prepare

    # -- reading ---------------------------------------------------------------------------

    @_reads_index
    def count(self) -> int:
        return _count(self.search_view(), KIND_ARTICLE)

    @_reads_index
    def get(self, article_id: str) -> Optional[Article]:
        fields = self.search_view().document(id=article_id)
        return _article(fields) if fields else None

    @_reads_index
    def search(self, request: SearchRequest) -> Ranking:
        searcher = self.search_view()
        total, found = _top(searcher, self._query(request, searcher), limit=request.offset + request.limit,
                            request=request)
        window = found[request.offset: request.offset + request.limit]
        hits = tuple(Ranked(_article(searcher.stored_fields(docnum)), score) for docnum, score in window)
        return Ranking(total, hits)

    def _query(self, request: SearchRequest, searcher: Searcher) -> Any:
        from searcher.engines.whoosh.compile import compile_request

        return compile_request(request.tree, request.since, request.until, searcher.reader())

    @_reads_index
    def matches(self, request: SearchRequest, *, signatures: bool = False) -> Iterator[Match]:
        searcher = self.search_view()
        query = self._query(request, searcher)
        reader = searcher.reader()
        dates = reader.column_reader("date", translate=False) if reader.has_column("date") else None
        for docnum, score in _all_matches(searcher, query, request):
            fields = searcher.stored_fields(docnum)
            raw = dates[docnum] if dates is not None else _NO_DATE
            yield Match(str(fields.get("id", "")), _utc(_from_column(raw)), str(fields.get("source", "")), score)

    def articles(self, request: Optional[SearchRequest] = None) -> Iterator[Article]:
        searcher = self.search_view()
        try:
            if request is None:
                for _, fields in searcher.reader().iter_docs():
                    if "id" in fields:
                        yield _article(fields)
                return
            query = self._query(request, searcher)
            reader = searcher.reader()
            dates = reader.column_reader("date", translate=False) if reader.has_column("date") else None
            keyed = []
            for docnum, _ in _all_matches(searcher, query, request):
                raw = dates[docnum] if dates is not None else _NO_DATE
                keyed.append((raw, docnum))
            # Ordered by date (undated last), then index order; articles are read one by one.
            keyed.sort()
            for _, docnum in keyed:
                yield _article(searcher.stored_fields(docnum))
        except _DAMAGE as exc:
            raise _damaged(self.path, exc) from exc

    @_reads_index
    def stats(self, *, top: int = 10) -> Stats:
        searcher = self.search_view()
        reader = searcher.reader()
        years: Counter = Counter()
        first = last = None
        undated = 0
        is_article = list(searcher.docs_for_query(_kind_query(KIND_ARTICLE)))
        files = _count(searcher, KIND_FILE)
        dates = reader.column_reader("date", translate=False) if reader.has_column("date") else None
        sources = reader.column_reader("source_key") if reader.has_column("source_key") else None
        source_counts: Counter = Counter()
        for docnum in is_article:
            value = _from_column(dates[docnum]) if dates is not None else None
            if value is None:
                undated += 1
            else:
                years[value.year] += 1
                first = value if first is None or value < first else first
                last = value if last is None or value > last else last
            if sources is not None:
                source_counts[sources[docnum]] += 1
        size = sum(f.stat().st_size for f in self.path.iterdir() if f.is_file())
        return Stats(
            articles=len(is_article),
            first_date=_utc(first),
            last_date=_utc(last),
            undated=undated,
            per_year=tuple(sorted(years.items())),
            top_sources=tuple((str(s), n) for s, n in source_counts.most_common(top)),
            files=files,
            size_bytes=size,
            path=str(self.path),
            engine=self.name,
        )

    def check(self) -> CheckReport:
        from searcher.engines.whoosh.check import check_index

        return check_index(self.path)

    def fingerprint(self) -> str:
        """A hash of the table of contents' generation and its segments (ids and deletion
        counts): the same while nothing is committed, different after any commit."""
        searcher = self.search_view()
        parts = [f"gen {self.ix.latest_generation()}"]
        for leaf, _ in searcher.reader().leaf_readers():
            segment = getattr(leaf, "segment", None)
            if callable(segment):
                seg = segment()
                parts.append(f"{seg.segment_id()}:{seg.doc_count_all()}:{seg.deleted_count()}")
        return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:16]

    # -- vocabulary ------------------------------------------------------------------------

    def expand(self, field: str, leaf: "Leaf", limit: int) -> Set[str]:
        from searcher.engines.whoosh.compile import expand

        return expand(self.search_view().reader(), field, leaf, leaf.terms)

    def doc_frequency(self, field: str, term: str) -> int:
        try:
            return self.search_view().reader().doc_frequency(field, term)
        except UnicodeEncodeError:  # a lone surrogate: no index term holds it
            return 0

    def near_terms(self, field: str, term: str, distance: int, limit: int) -> List[str]:
        from itertools import islice

        found: Set[str] = set()
        for leaf, _ in self.search_view().reader().leaf_readers():
            found.update(islice(leaf.terms_within(field, term, distance, prefix=1), limit))
        return sorted(found)[:limit]

    def texts_with(self, field: str, term: str, limit: int) -> List[str]:
        from itertools import islice

        searcher = self.search_view()
        reader = searcher.reader()
        if reader.doc_frequency(field, term) == 0:
            return []
        postings = reader.postings(field, term)
        return [str(searcher.stored_fields(d).get(field) or "") for d in islice(postings.all_ids(), limit)]


_NO_DATE = 2**64 - 1  # what a DATETIME column holds for a document without a date


def _from_column(raw: int) -> Optional[datetime]:
    """A date from its raw column value (microseconds since ``datetime.min``), or None."""
    if raw == _NO_DATE:
        return None
    try:
        return datetime.min + timedelta(microseconds=raw)
    except OverflowError:
        return None


def _newest_first(key: int) -> tuple:
    return (key == _NO_DATE, -key)


def _sort_facet(sort: str) -> Any:
    """Whoosh sort facet for a sort name; undated articles come last either way (a plain
    reversed date sort would put them first, since they hold the column's largest value)."""
    from whoosh.sorting import FieldFacet, TranslateFacet

    if sort == "newest":
        return TranslateFacet(_newest_first, FieldFacet("date"))
    if sort == "oldest":
        return FieldFacet("date")
    return None


def _all_matches(searcher: Searcher, query: Any, request: SearchRequest) -> Iterator[Tuple[int, float]]:
    """Every matching (global docnum, score), through the block engine when it can."""
    from searcher.engines.whoosh.block import Unsupported
    from searcher.engines.whoosh.select import engine_for

    try:
        engine = engine_for(searcher, deadline=request.deadline, timeout=request.timeout)
        for seg, found in engine.matches(query):
            off = seg.offset
            for d, s in found.items():
                yield off + int(d), float(s)
    except Unsupported:
        for hit in searcher.search(query, limit=None, scored=True):
            yield hit.docnum, float(hit.score)


def _top(searcher: Searcher, query: Any, *, limit: int, request: SearchRequest) -> Tuple[int, List[Tuple[int, float]]]:
    """(exact total, the first ``limit`` (docnum, score) pairs in the request's order).

    The block engine (or the numpy one, see ``select.engine_for``) scores whole posting
    lists at a time; a query it does not know runs through Whoosh's collector instead,
    which is slower but gives the same answer.
    """
    from searcher.engines.whoosh.block import Unsupported
    from searcher.engines.whoosh.select import engine_for

    started = time.perf_counter()
    timeout = request.timeout
    try:
        engine = engine_for(searcher, deadline=request.deadline, timeout=timeout)
        return engine.top(query, limit, request.sort, recency=request.recency)
    except Unsupported:
        left = max(timeout - (time.perf_counter() - started), 0.001) if timeout else None
        try:
            return _whoosh_top(searcher, query, limit=limit, sort=request.sort, timeout=left)
        except QueryTimeout:
            raise QueryTimeout.after(timeout or 0.0) from None  # the user's limit, not the time left


def _whoosh_top(searcher: Searcher, query: Any, *, limit: int, sort: str, timeout: Optional[float]) -> Tuple[int, List[Tuple[int, float]]]:
    """``_top`` through Whoosh's own collector (the reference the block engine is tested against)."""
    collector = _collector(searcher, limit=limit, sort=sort)
    if timeout:
        use_alarm = threading.current_thread() is threading.main_thread()
        collector = TimeLimitCollector(collector, timelimit=timeout, use_alarm=use_alarm)
    try:
        searcher.search_with_collector(query, collector)
    except TimeLimit:
        raise QueryTimeout.after(timeout or 0.0) from None
    found = collector.results()
    # Sorted by date, Whoosh holds the sort key in ``score``: no relevance then.
    return len(found), [(hit.docnum, float(hit.score) if sort == "relevance" else 0.0) for hit in found]


def _collector(searcher: Searcher, *, limit: int, sort: str) -> Any:
    """A Whoosh collector whose total is exact.

    Whoosh's default top-N collector swaps in cheaper matchers once its heap is full
    (``replace``) and skips low-quality blocks; both drop documents from its count (on
    NewsArticles.csv, ``trump AND russia`` with limit 1 counted 6 of 145).
    """
    from whoosh.collectors import TopCollector

    if sort == "relevance":
        return TopCollector(limit=limit, usequality=False, replace=0)
    return searcher.collector(limit=limit, sortedby=_sort_facet(sort))


def _count(searcher: Searcher, kind: str) -> int:
    return sum(1 for _ in searcher.docs_for_query(_kind_query(kind)))


def _kind_query(kind: str) -> Any:
    from whoosh.query import Term

    return Term("kind", kind)
