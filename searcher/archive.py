"""The ``Archive``: one searchable news archive on disk.

The only module that opens Whoosh indexes, writers and searchers, and the place where Whoosh
exceptions become ``SearcherError`` messages that name the fix. Writes take the index lock
(waiting up to ``wait`` seconds) and commit in batches, so a killed run loses at most the
batch in progress and never what was committed before.
"""

from __future__ import annotations

import functools
import json
import os
import pickle
import shutil
import struct
import threading
import time
import zlib
from collections import Counter
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Dict, Iterable, Iterator, List, Mapping, Optional, Sequence, Tuple, Union

from searcher import _whoosh_fixes  # noqa: F401,I001  (first: Whoosh imported lean and corrected)
from whoosh import index as whoosh_index
from whoosh.collectors import TimeLimit, TimeLimitCollector
from whoosh.searching import Searcher

if TYPE_CHECKING:  # writing modules load only when an archive is written (fast `search`)
    from searcher.indexing import FileResult, Indexer, ProgressFn

from searcher.article import Article, Problem
from searcher.errors import (
    IndexCorrupt,
    IndexNotFound,
    IndexVersionMismatch,
    QueryTimeout,
    SearcherError,
)
from searcher.results import Hit, IndexReport, Results, Stats
from searcher.schema import KIND_ARTICLE, KIND_FILE, SCHEMA_VERSION, make_schema

PathLike = Union[str, "os.PathLike[str]"]

#: Where ``searcher`` keeps its index when none is named.
DEFAULT_INDEX = Path("indexes") / "default"
_META = "searcher.json"
SORTS = ("relevance", "newest", "oldest")


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
#: broken pickle); opening catches anything, reading these only, so bugs still show.
_DAMAGE = (zlib.error, struct.error, EOFError, pickle.UnpicklingError)


def _damaged(path: Path, exc: BaseException) -> IndexCorrupt:
    return IndexCorrupt(f"index '{path}' cannot be read ({type(exc).__name__}); run `searcher check --index {path}`")


def _reads_index(method: Callable[..., Any]) -> Callable[..., Any]:
    """A damaged file met while ``method`` reads the index becomes ``IndexCorrupt`` (one
    line naming `searcher check`), not a traceback from deep inside Whoosh."""

    @functools.wraps(method)
    def wrapper(self: "Archive", *args: Any, **kwargs: Any) -> Any:
        try:
            return method(self, *args, **kwargs)
        except _DAMAGE as exc:
            raise _damaged(self.path, exc) from exc

    return wrapper


class Archive:
    """A news archive backed by a Whoosh index in one folder.

    Use it as a context manager::

        with Archive.open("indexes/news", create=True) as archive:
            report = archive.index_paths(["corpus/"])
            for hit in archive.search('"north korea" missile', since="2023-08"):
                print(hit.title)
    """

    def __init__(self, path: Path, ix: whoosh_index.Index) -> None:
        self.path = path
        self._ix = ix
        self._searcher: Optional[Searcher] = None

    # -- opening ---------------------------------------------------------------------------

    @classmethod
    def open(cls, path: PathLike = DEFAULT_INDEX, *, create: bool = False) -> "Archive":
        """Open the archive in ``path``; with ``create``, make it when it does not exist.

        Raises ``IndexNotFound`` (no index there), ``IndexVersionMismatch`` (made by another
        schema version) or ``IndexCorrupt`` (unreadable).
        """
        folder = Path(path)
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
            raise IndexCorrupt(
                f"index '{folder}' cannot be read ({type(exc).__name__}); run `searcher check --index {folder}`"
            ) from exc
        return cls(folder, ix)

    @classmethod
    def _create(cls, folder: Path) -> "Archive":
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
        if version != SCHEMA_VERSION:
            age = "an older" if version < SCHEMA_VERSION else "a newer"
            raise IndexVersionMismatch(
                f"index '{folder}' was made by {age} searcher (schema {version}, this is {SCHEMA_VERSION}); "
                f"run `searcher index --rebuild --index {folder} PATH`"
            )

    def close(self) -> None:
        """Release the searcher and the index's files."""
        if self._searcher is not None:
            self._searcher.close()
            self._searcher = None
        self._ix.close()

    def __enter__(self) -> "Archive":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _search_view(self) -> Searcher:
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
            return self._ix.searcher()
        except Exception as exc:  # Whoosh raises EOFError, struct.error, ... on a damaged file
            raise _damaged(self.path, exc) from exc

    # -- writing ---------------------------------------------------------------------------

    def _writing(self, *, wait: float, work: "Any") -> IndexReport:
        """Run ``work(indexer)`` under the write lock; commit on success, keep what was
        committed on failure."""
        report = IndexReport()
        started = time.monotonic()
        from searcher.fastindex import fewer_collections, new_writer
        from searcher.indexing import Indexer
        from searcher.locking import WriteLock

        lock = WriteLock(self._ix, self.path, wait=wait)
        indexer: Optional[Indexer] = None
        try:
            indexer = Indexer(
                new_writer=lambda: new_writer(self._ix, limitmb=256),
                new_searcher=self._new_searcher,
                report=report,
                **_batch_limits(),
            )
            with fewer_collections():
                work(indexer)
                indexer.commit()
        except BaseException:
            if indexer is not None:
                indexer.cancel()
            raise
        finally:
            if indexer is not None:
                indexer.close()
            lock.release()
            report.seconds = time.monotonic() - started
        return report

    def index_paths(
        self,
        paths: Iterable[PathLike],
        *,
        format: str = "auto",
        mapping: Optional[Mapping[str, str]] = None,
        prune: bool = False,
        wait: float = 0.0,
        on_progress: Optional["ProgressFn"] = None,
    ) -> IndexReport:
        """Index every news file under ``paths`` (files or folders) incrementally.

        Unchanged files are skipped; changed files are re-read; with ``prune``, articles
        whose files no longer exist are removed. ``on_progress(done, total, path)`` is called
        as files are handled. Problems with single files are in the report, not raised.
        """
        mapping = dict(mapping or {})
        path_list = [Path(p) for p in paths]

        from searcher.indexing import walk

        def work(indexer: "Indexer") -> None:
            todo: List[tuple] = []
            listed = 0
            for item in walk(path_list):
                if isinstance(item, Problem):
                    indexer.report.files_failed += 1
                    indexer.report.failures.append(item)
                    continue
                listed += 1
                if on_progress is not None and listed % 500 == 0:
                    on_progress(0, None, item[0])
                if not indexer.skip_unchanged(*item):
                    todo.append(item)
            total = len(todo)
            done = 0
            for result in _read_all(todo, format, mapping):
                indexer.add_file(result)
                done += result.final or bool(result.error)
                if on_progress is not None:
                    on_progress(done, total, result.path)
            if prune:
                indexer.prune(lambda p: os.path.exists(p))

        return self._writing(wait=wait, work=work)

    def add(self, articles: Iterable[Article], *, wait: float = 0.0) -> IndexReport:
        """Add (or replace, by id) articles that come from no file; keywords are extracted
        for those that have none."""
        from dataclasses import replace

        from searcher.keywords import extract_keywords

        def prepared() -> Iterator[Article]:
            for a in articles:
                yield a if a.keywords else replace(a, keywords=tuple(extract_keywords(a.title, a.body)))

        return self._writing(wait=wait, work=lambda indexer: indexer.add_articles(prepared()))

    def delete(self, ids: Iterable[str], *, wait: float = 0.0) -> IndexReport:
        """Delete articles by id."""

        def work(indexer: "Indexer") -> None:
            for article_id in ids:
                indexer.report.removed += indexer.writer.delete_by_term("id", article_id)

        return self._writing(wait=wait, work=work)

    @classmethod
    def rebuild(cls, path: PathLike = DEFAULT_INDEX, *, wait: float = 0.0) -> "Archive":
        """Empty the archive at ``path`` (or make it) and return it open.

        Takes the write lock of the old index first, so a rebuild never pulls an index away
        from under a running writer.
        """
        folder = Path(path)
        if folder.is_dir() and whoosh_index.exists_in(str(folder)):
            try:
                old = whoosh_index.open_dir(str(folder))
            except Exception:
                old = None
            if old is not None:
                from searcher.locking import WriteLock

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
        return cls.open(folder, create=True)

    # -- reading ---------------------------------------------------------------------------

    @_reads_index
    def get(self, article_id: str) -> Optional[Article]:
        """The article with this id, or None."""
        fields = self._search_view().document(id=article_id)
        return _article(fields) if fields else None

    def __len__(self) -> int:
        """The number of articles (deleted ones excluded, unlike Whoosh's doc_frequency)."""
        return _count(self._search_view(), KIND_ARTICLE)

    def export(self) -> Iterator[Article]:
        """Every article, streamed in index order."""
        searcher = self._search_view()
        try:
            for _, fields in searcher.reader().iter_docs():
                if "id" in fields:
                    yield _article(fields)
        except _DAMAGE as exc:
            raise _damaged(self.path, exc) from exc

    @_reads_index
    def stats(self, *, top: int = 10) -> Stats:
        """Counts, date span, articles per year, top sources and the size on disk."""
        searcher = self._search_view()
        reader = searcher.reader()
        years: Counter = Counter()
        first = last = None
        undated = 0
        is_article = list(searcher.docs_for_query(_kind_query(KIND_ARTICLE)))
        articles = len(is_article)
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
        top_sources = tuple((str(s), n) for s, n in source_counts.most_common(top))
        return Stats(
            articles=articles,
            first_date=_utc(first),
            last_date=_utc(last),
            undated=undated,
            per_year=tuple(sorted(years.items())),
            top_sources=top_sources,
            files=files,
            size_bytes=size,
            path=str(self.path),
        )

    @_reads_index
    def search(
        self,
        query: str,
        *,
        since: Union[str, datetime, None] = None,
        until: Union[str, datetime, None] = None,
        sort: str = "relevance",
        limit: int = 10,
        page: int = 1,
        snippets: int = 2,
        snippet_chars: int = 240,
        timeout: Optional[float] = 10.0,
        now: Optional[datetime] = None,
    ) -> Results:
        """Run a query (see the README for the language) and return one page of hits.

        ``since``/``until`` take the same date forms as the query (``2023-08``,
        ``last 7 days``...); ``now`` fixes what relative dates mean. Raises
        ``QuerySyntaxError`` for a query that cannot be parsed and ``QueryTimeout`` when
        the search takes more than ``timeout`` seconds.
        """
        from searcher.query import parse_query, suggest

        if sort not in SORTS:
            raise SearcherError(f"unknown sort '{sort}'; use one of {', '.join(SORTS)}")
        if limit < 1 or page < 1:
            raise SearcherError("--limit and --page must be 1 or more")
        started = time.perf_counter()
        parsed = parse_query(query, since=since, until=until, now=now)
        searcher = self._search_view()
        total, found = _top(searcher, parsed.query, limit=page * limit, sort=sort, timeout=timeout)
        window = found[(page - 1) * limit : page * limit]
        hits = self._hits(window, parsed, searcher, snippets=snippets, snippet_chars=snippet_chars)
        suggestion = None
        if total < 3:
            suggestion = suggest(parsed, searcher, total=total)
        return Results(
            query=query,
            parsed=parsed,
            hits=tuple(hits),
            total=total,
            page=page,
            limit=limit,
            sort=sort,
            suggestion=suggestion,
            seconds=time.perf_counter() - started,
        )

    def _hits(self, window: Any, parsed: Any, searcher: Searcher, *, snippets: int, snippet_chars: int) -> List[Hit]:
        from searcher.highlight import highlight_whole
        from searcher.highlight import snippets as cut_snippets

        spec = parsed.highlight_spec(searcher.reader())
        hits = []
        for docnum, score in window:
            article = _article(searcher.stored_fields(docnum))
            body_snippets = (
                cut_snippets(article.body, spec, field="body", count=snippets, max_chars=snippet_chars)
                if snippets > 0
                else []
            )
            hits.append(
                Hit(
                    id=article.id,
                    title=article.title,
                    date=article.date,
                    source=article.source,
                    url=article.url,
                    author=article.author,
                    keywords=article.keywords,
                    score=score,
                    path=article.path,
                    title_snippet=highlight_whole(article.title, spec, field="title"),
                    snippets=tuple(body_snippets),
                )
            )
        return hits

    @_reads_index
    def show(self, article_id: str, *, query: Optional[str] = None) -> Optional[tuple]:
        """The article with this id and, when ``query`` is given, its title and body
        highlighted for that query: ``(article, title_snippet, body_snippet)``; None when
        there is no such article."""
        from searcher.highlight import HighlightSpec, highlight_whole
        from searcher.query import parse_query

        article = self.get(article_id)
        if article is None:
            return None
        spec = HighlightSpec()
        if query:
            spec = parse_query(query).highlight_spec(self._search_view().reader())
        return (
            article,
            highlight_whole(article.title, spec, field="title"),
            highlight_whole(article.body, spec, field="body"),
        )


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


def _batch_limits() -> Dict[str, Any]:
    """Batch size overrides from the environment, so crash tests can force many small commits."""
    limits: Dict[str, Any] = {}
    for name, key, kind in (
        ("SEARCHER_BATCH_ARTICLES", "batch_articles", int),
        ("SEARCHER_BATCH_SECONDS", "batch_seconds", float),
    ):
        value = os.environ.get(name)
        if value:
            try:
                limits[key] = max(kind(value), 1) if kind is int else max(kind(value), 0.0)
            except ValueError:
                raise SearcherError(f"{name}={value!r} is not a number") from None
    return limits


def _top(searcher: Searcher, query: Any, *, limit: int, sort: str, timeout: Optional[float]) -> Tuple[int, List[Tuple[int, float]]]:
    """(exact total, the first ``limit`` (docnum, score) pairs in ``sort`` order).

    ``searcher.engine`` (or ``searcher.vector``, see ``engine.engine_for``) scores whole
    posting lists at a time; a query it does not know runs through Whoosh's collector
    instead, which is slower but gives the same answer.
    """
    from searcher.engine import Unsupported, engine_for

    started = time.perf_counter()
    deadline = started + timeout if timeout else None
    try:
        return engine_for(searcher, deadline=deadline, timeout=timeout or 0.0).top(query, limit, sort)
    except Unsupported:
        left = max(timeout - (time.perf_counter() - started), 0.001) if timeout else timeout
        try:
            return _whoosh_top(searcher, query, limit=limit, sort=sort, timeout=left)
        except QueryTimeout:
            raise QueryTimeout.after(timeout or 0.0) from None  # the user's limit, not the time left


def _whoosh_top(searcher: Searcher, query: Any, *, limit: int, sort: str, timeout: Optional[float]) -> Tuple[int, List[Tuple[int, float]]]:
    """``_top`` through Whoosh's own collector (the reference ``searcher.engine`` is tested against)."""
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


def _read_all(todo: Sequence[tuple], fmt: str, mapping: Mapping[str, str]) -> Iterator["FileResult"]:
    """Read the files in order; parsing and keywords run in worker processes when there are
    several files and CPUs (``searcher.pipeline``)."""
    from searcher.pipeline import read_all

    return read_all(todo, fmt, mapping)
