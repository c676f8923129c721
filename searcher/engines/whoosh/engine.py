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
import inspect
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
from typing import Any, Callable, Dict, Iterator, List, Mapping, Optional, Sequence, Set, Tuple

from searcher.engines.whoosh import fixes  # noqa: F401,I001  (first: Whoosh imported lean and corrected)
from whoosh import index as whoosh_index
from whoosh.collectors import TimeLimit, TimeLimitCollector
from whoosh.searching import Searcher

from searcher.article import Article
from searcher.engines.base import CheckReport, Engine, EngineWriter, Match, Ranked, Ranking, SearchRequest, StoryPage
from searcher.engines.whoosh.codec import BlockDamage
from searcher.engines.whoosh.schema import KIND_ARTICLE, KIND_FILE, READABLE_VERSIONS, SCHEMA_VERSION, make_schema
from searcher.errors import IndexCorrupt, IndexLocked, IndexNotFound, IndexVersionMismatch, QueryTimeout, SearcherError
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
DAMAGE = (zlib.error, struct.error, EOFError, pickle.UnpicklingError, UnicodeDecodeError, BlockDamage)


def damaged(path: Path, exc: BaseException) -> IndexCorrupt:
    return IndexCorrupt(f"index '{path}' cannot be read ({type(exc).__name__}); run `searcher check --index {path}`")


def _reads_index(method: Callable[..., Any]) -> Callable[..., Any]:
    """A damaged file met while ``method`` reads the index becomes ``IndexCorrupt`` (one
    line naming `searcher check`), not a traceback from deep inside Whoosh; for a generator,
    while it is iterated."""
    if inspect.isgeneratorfunction(method):

        @functools.wraps(method)
        def generator(self: "WhooshEngine", *args: Any, **kwargs: Any) -> Any:
            try:
                yield from method(self, *args, **kwargs)
            except DAMAGE as exc:
                raise damaged(self.path, exc) from exc

        return generator

    @functools.wraps(method)
    def wrapper(self: "WhooshEngine", *args: Any, **kwargs: Any) -> Any:
        try:
            return method(self, *args, **kwargs)
        except DAMAGE as exc:
            raise damaged(self.path, exc) from exc

    return wrapper


#: Seconds a first run waits for another one creating the same new index.
_CREATE_WAIT = 30.0


def _has_index(folder: Path) -> bool:
    """Whether ``folder`` holds a Whoosh index; a table of contents that cannot be read
    (truncated, garbled) is an index, and a damaged one."""
    if not folder.is_dir():
        return False
    try:
        return bool(_retrying(whoosh_index.exists_in, folder))
    except Exception as exc:  # Whoosh reads the whole TOC to answer: UnpicklingError, EOFError, ...
        raise damaged(folder, exc) from exc


def _contents(folder: Path) -> List[str]:
    """The names in ``folder`` besides the write lock's own files."""
    from searcher.engines.whoosh.locking import LOCK_FILES

    return [name for name in os.listdir(folder) if name not in LOCK_FILES]


def _refuse_foreign(folder: Path, action: str) -> None:
    """``IndexNotFound`` when ``folder`` holds files but neither a searcher note nor a
    table of contents: the user's own files, which no command may mix with or delete.
    (One listing decides, so another run creating an index there as it is read is not
    taken for a stranger's files.)"""
    names = _contents(folder)
    if _META in names or any(name.startswith("_MAIN_") for name in names):
        return
    if any(name != _META + ".tmp" for name in names):
        raise IndexNotFound(f"'{folder}' is not empty and holds no searcher index; {action}")


class WhooshEngine(Engine):
    """A searcher archive in a Whoosh index folder."""

    name = "whoosh"

    def __init__(self, path: Path, ix: whoosh_index.Index) -> None:
        self.path = path
        self.location = str(path)
        self.ix = ix
        self._searcher: Optional[Searcher] = None
        self._columns_of: Optional[Searcher] = None  # the searcher whose columns are in _columns
        self._columns: Dict[Tuple[int, str], Any] = {}

    # -- opening ---------------------------------------------------------------------------

    @classmethod
    def open(cls, location: str, *, create: bool = False) -> "WhooshEngine":
        folder = Path(location)
        if folder.exists() and not folder.is_dir():
            raise IndexNotFound(f"'{folder}' is a file, not an index folder; name a folder with --index")
        if not _has_index(folder):
            if not create:
                raise IndexNotFound(f"no index at '{folder}'; run `searcher index PATH --index {folder}` first")
            return cls._create(folder)
        cls._check_meta(folder)
        try:
            ix = _retrying(whoosh_index.open_dir, folder)
        except Exception as exc:
            raise damaged(folder, exc) from exc
        return cls(folder, ix)

    @classmethod
    def _create(cls, folder: Path) -> "WhooshEngine":
        """A new index in ``folder``, made under the write lock: of two first runs on a new
        folder, one creates the index and the other opens it (creating it twice deleted
        the first one's table of contents as the other read it)."""
        from searcher.engines.whoosh.locking import WriteLock, cannot_write

        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise SearcherError(f"cannot create an index in '{folder}': {exc.strerror or exc}") from exc
        _refuse_foreign(folder, "name an empty or new folder with --index")
        started = time.monotonic()
        while True:
            try:
                lock = WriteLock(folder, wait=0)
                break
            except IndexLocked:  # another process creating it, or already writing to it
                if _has_index(folder):
                    return cls.open(str(folder))
                if time.monotonic() - started > _CREATE_WAIT:
                    raise
                time.sleep(0.05)
        try:
            if _has_index(folder):
                return cls.open(str(folder))
            _refuse_foreign(folder, "name an empty or new folder with --index")
            try:
                cls._write_meta(folder)
                ix = whoosh_index.create_in(str(folder), make_schema())
            except OSError as exc:
                raise cannot_write(folder, exc) from exc
        finally:
            lock.release()
        return cls(folder, ix)

    @staticmethod
    def _write_meta(folder: Path) -> None:
        """The note saying this folder is a searcher index, written before the index: a
        run killed in between leaves a note without an index, which the next run creates;
        the other order leaves an index every run refuses."""
        tmp = folder / (_META + ".tmp")
        tmp.write_text(json.dumps({"schema_version": SCHEMA_VERSION, "created": time.time()}), encoding="utf-8")
        os.replace(tmp, folder / _META)

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
        """Empty the folder and create a new index, whatever state the old one is in
        (a damaged table of contents or segment included). The write lock is taken first,
        through the folder rather than the old index, so a rebuild never pulls an index
        away from under a running writer, even when the old index cannot be opened."""
        from searcher.engines.whoosh.locking import LOCK_FILES, WriteLock, cannot_write

        folder = Path(location)
        if folder.exists() and not folder.is_dir():
            raise IndexNotFound(f"'{folder}' is a file, not an index folder; name a folder with --index")
        if not folder.is_dir() or not _contents(folder):
            return cls.open(str(folder), create=True)
        _refuse_foreign(folder, "refusing to empty it")
        lock = WriteLock(folder, wait=wait)
        try:
            try:
                for child in folder.iterdir():
                    if child.name in LOCK_FILES:
                        continue
                    if child.is_dir():
                        shutil.rmtree(child)
                    else:
                        child.unlink()
                cls._write_meta(folder)
                ix = whoosh_index.create_in(str(folder), make_schema())
            except OSError as exc:
                raise cannot_write(folder, exc) from exc
        finally:
            lock.release()
        return cls(folder, ix)

    def close(self) -> None:
        self._columns_of, self._columns = None, {}
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
            self._columns_of, self._columns = None, {}
            self._searcher = self._new_searcher()
        return self._searcher

    def _new_searcher(self) -> Searcher:
        """A searcher over the latest commit; damaged segment files become IndexCorrupt."""
        try:
            return self.ix.searcher()
        except Exception as exc:  # Whoosh raises EOFError, struct.error, ... on a damaged file
            raise damaged(self.path, exc) from exc

    # -- writing ---------------------------------------------------------------------------

    def writer(self, *, wait: float = 0.0) -> EngineWriter:
        from searcher.engines.whoosh.fastindex import new_writer
        from searcher.engines.whoosh.locking import WriteLock
        from searcher.engines.whoosh.writer import WhooshWriter

        lock = WriteLock(self.path, wait=wait)
        try:
            return WhooshWriter(self.ix, self.path, lambda: new_writer(self.ix, limitmb=256), self._new_searcher,
                                lock.release)
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
        """Every match from columns (id, instant, wall-clock time, source, signature), never from the
        stored documents, so a timeline of 30,000 matches reads no article text. Columns are
        read segment by segment (Whoosh's multi-segment column reader costs a search per
        value) and each distinct date and source is converted once. An index of schema 4
        has no id or signature column: ids then come from stored fields and signatures are
        computed from the bodies."""
        from searcher.engines.whoosh.block import Segment

        searcher = self.search_view()
        query = self._query(request, searcher)
        schema = searcher.reader().schema
        has_day = "day" in schema
        has_uid, has_sig = "uid" in schema, "sig" in schema
        translate = schema["source_key"].from_column_value
        sources: Dict[bytes, str] = {}
        dates: Dict[int, Optional[datetime]] = {}
        for leaf, offset, docnums, scores in _leaf_matches(searcher, query, request):
            if not docnums:
                continue
            instants = self._leaf_column(searcher, leaf, "date", lambda: Segment(leaf, offset, _no_check).dates("date"))
            days = (self._leaf_column(searcher, leaf, "day", lambda: Segment(leaf, offset, _no_check).dates("day"))
                    if has_day else instants)
            source_col = self._leaf_column(searcher, leaf, "source_key")
            uids = self._leaf_column(searcher, leaf, "uid") if has_uid else None
            sigs = self._leaf_column(searcher, leaf, "sig") if signatures and has_sig else None
            for docnum, score in zip(docnums, scores):
                fields = None
                raw_id = uids[docnum] if uids is not None else b""
                if raw_id:
                    article_id = raw_id.decode("utf-8")
                else:
                    fields = searcher.stored_fields(offset + docnum)
                    article_id = str(fields.get("id", ""))
                signature = None
                if signatures:
                    signature = sigs[docnum] if sigs is not None else None
                    if not signature:
                        from searcher.analytics.neardup import signature as make_signature

                        fields = fields or searcher.stored_fields(offset + docnum)
                        signature = make_signature(str(fields.get("body", "")))
                raw_source = source_col[docnum]
                source = sources.get(raw_source)
                if source is None:
                    text = str(translate(raw_source))
                    source = sources[raw_source] = "" if text == "(unknown)" else text
                raw_instant, raw_day = instants[docnum], days[docnum]
                try:
                    when = dates[raw_instant]
                except KeyError:
                    when = dates[raw_instant] = _utc(date_from_column(raw_instant))
                local = None
                if raw_day != raw_instant:
                    try:
                        local = dates[raw_day]
                    except KeyError:
                        local = dates[raw_day] = _utc(date_from_column(raw_day))
                yield Match(article_id, when, source, score, signature, local)

    def _leaf_column(self, searcher: Searcher, leaf: Any, name: str,
                     read: Optional[Callable[[], Any]] = None) -> Any:
        """The raw column ``name`` of one segment (or what ``read`` gives), kept while
        ``searcher`` is the current one: opening a bytes column decodes its table of
        offsets, which costs more than a small result set's reads."""
        if self._columns_of is not searcher:
            self._columns_of, self._columns = searcher, {}
        key = (id(leaf), name)
        found = self._columns.get(key)
        if found is None:
            found = self._columns[key] = read() if read is not None else leaf.column_reader(name, translate=False)
        return found

    @_reads_index
    def collapsed(self, request: SearchRequest) -> Optional[StoryPage]:
        """Matches read as numpy arrays (docnums, scores), each with its story from the
        story columns (``stories.story_columns``, read once per searcher): the distinct
        count is one ``np.unique``, the window the first distinct stories among the best
        few matches, and only the window's members are read as ``Match``."""
        from searcher.engines.whoosh.stories import has_stories
        from searcher.stories import earliest

        searcher = self.search_view()
        reader = searcher.reader()
        if not has_stories(reader.schema):
            return None
        import numpy as np

        from searcher.engines.whoosh.block import Segment
        from searcher.engines.whoosh.vector import _factors

        leaves = reader.leaf_readers()
        stories, numbers = self._stories_of(searcher, leaves)
        position = {offset: i for i, (leaf, offset) in enumerate(leaves) if leaf.doc_count_all()}
        parts = []
        for leaf, offset, docnums, scores in self._match_arrays(searcher, request):
            if len(docnums):
                parts.append((position[offset], np.asarray(docnums, np.int64), np.asarray(scores, np.float64)))
        total = sum(len(d) for _, d, _ in parts)
        if not total:
            return StoryPage(0, 0, ())
        seg = np.repeat(np.asarray([i for i, _, _ in parts], np.int64), [len(d) for _, d, _ in parts])
        local = np.concatenate([d for _, d, _ in parts])
        score = np.concatenate([s for _, _, s in parts])
        story = np.concatenate([stories[i][d] for i, d, _ in parts])
        date_cols: Dict[int, Any] = {}
        for i, _, _ in parts:
            leaf, offset = leaves[i]
            date_cols[i] = self._leaf_column(searcher, leaf, "date:np", lambda: np.frombuffer(
                Segment(leaf, offset, _no_check).dates("date"), np.uint64))

        def dates_of(rows: Any) -> Any:
            out = np.empty(len(rows), np.uint64)
            for i in np.unique(seg[rows]).tolist():
                mine = seg[rows] == i
                out[mine] = date_cols[i][local[rows[mine]]]
            return out

        if request.recency is not None or request.sort != "relevance":
            dates = np.concatenate([date_cols[i][d] for i, d, _ in parts])
            if request.recency is not None:
                score = score * _factors(dates, request.recency)
        if request.sort == "relevance":
            primary = -score
        else:
            signed = dates.astype(np.int64)
            primary = np.where(dates == NO_DATE, np.iinfo(np.int64).max, -signed if request.sort == "newest" else signed)
        uids = [self._leaf_column(searcher, leaf, "uid") if "uid" in reader.schema else None for leaf, _ in leaves]

        def uid(row: int) -> str:
            i, d = int(seg[row]), int(local[row])
            raw = uids[i][d] if uids[i] is not None else b""
            return raw.decode("utf-8") if raw else str(searcher.stored_fields(leaves[i][1] + d).get("id", ""))

        wanted = request.offset + request.limit
        seen = np.zeros(numbers, bool)
        seen[story] = True
        count = int(np.count_nonzero(seen))
        k = max(4 * wanted, 64)
        while True:
            if k >= total:
                rows = np.arange(total)
            else:
                cutoff = np.partition(primary, k - 1)[k - 1]
                rows = np.flatnonzero(primary <= cutoff)
            # In the request's order, ties by id (read only for the rows that tie).
            rows = rows[np.argsort(primary[rows], kind="stable")]
            key = primary[rows]
            tied = np.zeros(len(rows), bool)
            same = key[1:] == key[:-1]
            tied[1:] |= same
            tied[:-1] |= same
            if tied.any():
                ties = rows[tied].tolist()
                names = {r: uid(r) for r in ties}
                rows = np.asarray(sorted(rows.tolist(), key=lambda r: (primary[r], names.get(r, ""))), np.int64)
            _, at = np.unique(story[rows], return_index=True)
            first = story[rows[np.sort(at)]][:wanted].tolist()
            if len(first) >= wanted or len(rows) >= total:
                break
            k *= 4
        window = first[request.offset:wanted]
        if not window:
            return StoryPage(total, count, ())
        wanted_story = np.zeros(numbers, bool)
        wanted_story[window] = True
        members = np.flatnonzero(wanted_story[story])
        member_dates = dict(zip(members.tolist(), dates_of(members).tolist()))
        translate = reader.schema["source_key"].from_column_value
        by_story: Dict[int, List[Tuple[Match, int]]] = {key: [] for key in window}
        for r in members.tolist():
            i, d = int(seg[r]), int(local[r])
            raw_source = self._leaf_column(searcher, leaves[i][0], "source_key")[d]
            text = str(translate(raw_source))
            when = _utc(date_from_column(int(member_dates[r])))
            found = Match(uid(r), when, "" if text == "(unknown)" else text, float(score[r]))
            by_story[int(story[r])].append((found, leaves[i][1] + d))
        ordered = [sorted(by_story[key], key=lambda md: earliest(md[0])) for key in window]
        return StoryPage(total, count, tuple(tuple(m for m, _ in found) for found in ordered),
                         tuple(_article(searcher.stored_fields(found[0][1])) for found in ordered))

    def _stories_of(self, searcher: Searcher, leaves: List[Tuple[Any, int]]) -> Tuple[List[Any], int]:
        """``stories.story_columns``, kept while ``searcher`` is current."""
        from searcher.engines.whoosh.stories import story_columns

        if self._columns_of is not searcher:
            self._columns_of, self._columns = searcher, {}
        found = self._columns.get(("stories",))
        if found is None:
            found = self._columns[("stories",)] = story_columns(leaves)
        return found

    def _match_arrays(self, searcher: Searcher, request: SearchRequest) -> Iterator[Tuple[Any, int, Any, Any]]:
        """(segment reader, offset, local docnums, scores) of every match, through the numpy
        engine when it can evaluate the query (arrays), else as ``_leaf_matches`` gives them."""
        from searcher.engines.whoosh.block import Unsupported
        from searcher.engines.whoosh.vector import VectorEngine

        query = self._query(request, searcher)
        try:
            found = VectorEngine(searcher, deadline=request.deadline, timeout=request.timeout).matches(query)
        except Unsupported:
            yield from _leaf_matches(searcher, query, request)
            return
        for seg, (ids, scores) in found:
            yield seg.reader, seg.offset, ids, scores

    @_reads_index
    def keywords_of(self, request: SearchRequest) -> Iterator[Tuple[str, ...]]:
        searcher = self.search_view()
        query = self._query(request, searcher)
        for leaf, _, docnums, _ in _leaf_matches(searcher, query, request):
            for docnum in docnums:  # from the segment itself: no search for it per document
                value = leaf.stored_fields(docnum).get("keywords") or ""
                yield tuple(k for k in str(value).split(",") if k)

    @_reads_index
    def articles(self, request: Optional[SearchRequest] = None) -> Iterator[Article]:
        searcher = self.search_view()
        if request is None:
            for _, fields in searcher.reader().iter_docs():
                if "id" in fields:
                    yield _article(fields)
            return
        query = self._query(request, searcher)
        reader = searcher.reader()
        dates = _column(reader, "date")
        uids = _column(reader, "uid") if "uid" in reader.schema else None

        def uid(docnum: int) -> bytes:
            found = uids[docnum] if uids is not None else b""
            return found or str(searcher.stored_fields(docnum).get("id", "")).encode("utf-8")

        # By date (undated last: their column value is the largest), then id: the same
        # order whatever the segments; only (date, id, docnum) per match is held, and the
        # articles are read one by one.
        keyed = sorted((dates[docnum], uid(docnum), docnum) for docnum, _ in _all_matches(searcher, query, request))
        for _, _, docnum in keyed:
            yield _article(searcher.stored_fields(docnum))

    @_reads_index
    def newest(self) -> Optional[datetime]:
        """The largest value of each segment's date column (no per-document Python loop)."""
        from searcher.engines.whoosh.block import Segment

        best = None
        for leaf, offset in self.search_view().reader().leaf_readers():
            if not leaf.doc_count_all():
                continue
            seg = Segment(leaf, offset, lambda: None)
            deleted = seg.deleted
            dated = [v for d, v in enumerate(seg.dates("date")) if v != NO_DATE and not (deleted and d in deleted)]
            if dated:
                best = max(dated) if best is None else max(best, max(dated))
        return None if best is None else _utc(date_from_column(best))

    @_reads_index
    def stats(self, *, top: int = 10) -> Stats:
        searcher = self.search_view()
        reader = searcher.reader()
        years: Counter = Counter()
        first = last = None
        undated = 0
        is_article = list(searcher.docs_for_query(_kind_query(KIND_ARTICLE)))
        files = _count(searcher, KIND_FILE)
        dates = _column(reader, "date")
        sources = _column(reader, "source_key", translate=True)
        source_counts: Counter = Counter()
        for docnum in is_article:
            value = date_from_column(dates[docnum])
            if value is None:
                undated += 1
            else:
                years[value.year] += 1
                first = value if first is None or value < first else first
                last = value if last is None or value > last else last
            source_counts[sources[docnum]] += 1
        return Stats(
            articles=len(is_article),
            first_date=_utc(first),
            last_date=_utc(last),
            undated=undated,
            per_year=tuple(sorted(years.items())),
            top_sources=tuple((str(s), n) for s, n in source_counts.most_common(top)),
            files=files,
            size_bytes=_folder_size(self.path),
            path=str(self.path),
            engine=self.name,
        )

    def check(self) -> CheckReport:
        from searcher.engines.whoosh.check import check_index

        return check_index(self.path)

    @_reads_index
    def fingerprint(self) -> str:
        """``analytics.export.fingerprint`` of the table of contents' generation and its
        segments (ids, document and deletion counts): the same while nothing is committed,
        different after any commit."""
        from searcher.analytics.export import fingerprint

        state: List[Tuple[str, Any]] = [("generation", self.ix.latest_generation())]
        for leaf, _ in self.search_view().reader().leaf_readers():
            segment = getattr(leaf, "segment", None)
            if callable(segment):
                seg = segment()
                state.append((str(seg.segment_id()), [seg.doc_count_all(), seg.deleted_count()]))
        return fingerprint(state)

    # -- vocabulary ------------------------------------------------------------------------

    @_reads_index
    def expand(self, field: str, leaf: "Leaf", limit: int) -> Set[str]:
        from searcher.engines.whoosh.compile import expand

        return expand(self.search_view().reader(), field, leaf, leaf.terms)

    @_reads_index
    def doc_frequency(self, field: str, term: str) -> int:
        try:
            return self.search_view().reader().doc_frequency(field, term)
        except UnicodeEncodeError:  # a lone surrogate: no index term holds it
            return 0

    @_reads_index
    def near_terms(self, field: str, term: str, distance: int, limit: int) -> List[str]:
        from itertools import islice

        found: Set[str] = set()
        for leaf, _ in self.search_view().reader().leaf_readers():
            found.update(islice(leaf.terms_within(field, term, distance, prefix=1), limit))
        return sorted(found)[:limit]

    @_reads_index
    def texts_with(self, field: str, term: str, limit: int) -> List[str]:
        from itertools import islice

        searcher = self.search_view()
        reader = searcher.reader()
        if reader.doc_frequency(field, term) == 0:
            return []
        postings = reader.postings(field, term)
        return [str(searcher.stored_fields(d).get(field) or "") for d in islice(postings.all_ids(), limit)]


NO_DATE = 2**64 - 1  # what a DATETIME column holds for a document without a date


def _column(reader: Any, fieldname: str, *, translate: bool = False) -> Any:
    """The column of ``fieldname`` over every segment of ``reader``, by global docnum;
    a segment without the column (one whose articles are all undated has no date column)
    gives the column's default. (Whoosh's own ``MultiReader.column_reader`` leaves such a
    segment out but not its documents: every docnum before the next segment with the
    column then read another document's value, or crashed with ``struct.error``.)"""
    from whoosh.columns import MultiColumnReader

    if not reader.doc_count_all():
        return ()  # an empty index (Whoosh's EmptyReader has no columns): no docnum to read
    leaves = reader.leaf_readers()
    if len(leaves) == 1 and leaves[0][1] == 0:
        return leaves[0][0].column_reader(fieldname, translate=translate)
    return MultiColumnReader([leaf.column_reader(fieldname, translate=translate) for leaf, _ in leaves],
                             [offset for _, offset in leaves])


def _folder_size(folder: Path) -> int:
    """Bytes of the files in ``folder``; a file a committing writer deletes as it is
    listed counts as gone (``stats`` runs while an indexer commits)."""
    size = 0
    for child in folder.iterdir():
        try:
            if child.is_file():
                size += child.stat().st_size
        except FileNotFoundError:
            pass
    return size


def date_from_column(raw: int) -> Optional[datetime]:
    """A date from its raw column value (microseconds since ``datetime.min``), or None."""
    if raw == NO_DATE:
        return None
    try:
        return datetime.min + timedelta(microseconds=raw)
    except OverflowError:
        return None


def _newest_first(key: int) -> tuple:
    return (key == NO_DATE, -key)


def _sort_facet(sort: str) -> Any:
    """Whoosh sort facet for a sort name; undated articles come last either way (a plain
    reversed date sort would put them first, since they hold the column's largest value)."""
    from whoosh.sorting import FieldFacet, TranslateFacet

    if sort == "newest":
        return TranslateFacet(_newest_first, FieldFacet("date"))
    if sort == "oldest":
        return FieldFacet("date")
    return None


def _no_check() -> None:
    """No deadline: the block engine's own checks stop a query that runs too long."""


def _leaf_matches(searcher: Searcher, query: Any,
                  request: SearchRequest) -> Iterator[Tuple[Any, int, List[int], List[float]]]:
    """(segment reader, its docnum offset, local docnums, scores) of every match, segment by
    segment, through the block engine when it can."""
    from bisect import bisect_right

    from searcher.engines.whoosh.block import Unsupported
    from searcher.engines.whoosh.select import engine_for

    try:
        engine = engine_for(searcher, deadline=request.deadline, timeout=request.timeout)
        found_all = engine.matches(query)
    except Unsupported:
        leaves = searcher.reader().leaf_readers()
        offsets = [offset for _, offset in leaves]
        per_leaf: Dict[int, Tuple[List[int], List[float]]] = {}
        for hit in searcher.search(query, limit=None, scored=True):
            i = bisect_right(offsets, hit.docnum) - 1
            docnums, scores = per_leaf.setdefault(i, ([], []))
            docnums.append(hit.docnum - offsets[i])
            scores.append(float(hit.score))
        for i in sorted(per_leaf):
            yield leaves[i][0], offsets[i], per_leaf[i][0], per_leaf[i][1]
        return
    for seg, found in found_all:
        # The block engine gives {docnum: score}, the numpy one (ids, scores) arrays.
        if isinstance(found, dict):
            yield seg.reader, seg.offset, list(found), [float(s) for s in found.values()]
        else:
            yield seg.reader, seg.offset, found[0].tolist(), found[1].tolist()


def _all_matches(searcher: Searcher, query: Any, request: SearchRequest) -> Iterator[Tuple[int, float]]:
    """Every matching (global docnum, score), through the block engine when it can."""
    for _, offset, docnums, scores in _leaf_matches(searcher, query, request):
        for docnum, score in zip(docnums, scores):
            yield offset + docnum, score


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
