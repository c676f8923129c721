"""The ``Archive``: one searchable news archive, whatever engine holds it.

The library's entry point and the engines' only caller. It parses queries
(``searcher.query``), applies the incremental indexing rules (``searcher.indexing``) through
the engine's writer, cuts snippets with the one highlighter every engine shares, and asks
the engine (``searcher.engines``: a Whoosh folder, or a PostgreSQL database) for everything
that touches storage. Writes commit in batches, so a killed run loses at most the batch in
progress and never what was committed before.
"""

from __future__ import annotations

import os
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Dict, Iterable, Iterator, List, Mapping, Optional, Sequence, Tuple, Union

from searcher.article import Article, Problem
from searcher.engines import open_engine, printable_location, rebuild_engine
from searcher.engines.base import SORTS, CheckReport, Engine, Ranked, Recency, SearchRequest
from searcher.errors import SearcherError
from searcher.results import Hit, IndexReport, Results, Stats

if TYPE_CHECKING:  # writing modules load only when an archive is written (fast `search`)
    from searcher.analytics.export import ExportHeader
    from searcher.analytics.first import FirstSeen
    from searcher.analytics.significance import TermScore
    from searcher.indexing import FileResult, Indexer, ProgressFn
    from searcher.query import ParsedQuery

PathLike = Union[str, "os.PathLike[str]"]

#: Where ``searcher`` keeps its index when none is named.
DEFAULT_INDEX = Path("indexes") / "default"

__all__ = ["Archive", "DEFAULT_INDEX", "SORTS", "check_archive"]


class Archive:
    """A news archive: a Whoosh index folder or a PostgreSQL database.

    Use it as a context manager::

        with Archive.open("indexes/news", create=True) as archive:
            report = archive.index_paths(["corpus/"])
            for hit in archive.search('"north korea" missile', since="2023-08"):
                print(hit.title)

    ``Archive.open("postgresql://user@host:5432/db")`` opens the same archive in PostgreSQL.
    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @property
    def location(self) -> str:
        """Where the archive is, safe to print (no password)."""
        return self.engine.location

    @property
    def path(self) -> Union[Path, str]:
        """The index folder (Whoosh), or the location (other engines)."""
        return getattr(self.engine, "path", self.engine.location)

    # -- opening ---------------------------------------------------------------------------

    @classmethod
    def open(cls, path: PathLike = DEFAULT_INDEX, *, create: bool = False) -> "Archive":
        """Open the archive at ``path`` (a folder, or a ``postgresql://`` URL); with
        ``create``, make it when it does not exist.

        Raises ``IndexNotFound`` (no index there), ``IndexVersionMismatch`` (made by another
        schema version), ``IndexCorrupt`` (unreadable) or ``EngineUnavailable`` (server).
        """
        return cls(open_engine(path, create=create))

    @classmethod
    def rebuild(cls, path: PathLike = DEFAULT_INDEX, *, wait: float = 0.0) -> "Archive":
        """Empty the archive at ``path`` (or make it) and return it open; never pulls an
        archive away from under a running writer."""
        return cls(rebuild_engine(path, wait=wait))

    def close(self) -> None:
        """Release the engine's files or connections."""
        self.engine.close()

    def __enter__(self) -> "Archive":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- writing ---------------------------------------------------------------------------

    def _writing(self, *, wait: float, work: Callable[["Indexer"], None]) -> IndexReport:
        """Run ``work(indexer)`` in one writing session; commit on success, keep what was
        committed on failure."""
        from searcher.gctune import fewer_collections
        from searcher.indexing import Indexer

        report = IndexReport()
        started = time.monotonic()
        writer = self.engine.writer(wait=wait)
        try:
            indexer = Indexer(writer, report=report, **_batch_limits())
            with fewer_collections():
                work(indexer)
                indexer.commit()
            writer.finish()
        except BaseException:
            writer.cancel()
            raise
        finally:
            writer.close()
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
        given = [os.fspath(p) for p in paths]
        if any(not p for p in given):
            raise SearcherError("an empty path names no file or folder; give the path to index (use '.' for this folder)")
        path_list = [Path(p) for p in given]
        prepare = self.engine.preparer()

        from searcher.indexing import walk
        from searcher.pipeline import read_all

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
            for result in read_all(todo, format, mapping, prepare=prepare):
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
        from searcher.indexing import with_keywords

        def prepared() -> Iterator[Article]:
            for a in articles:
                yield from with_keywords((a,))

        return self._writing(wait=wait, work=lambda indexer: indexer.add_articles(prepared()))

    def delete(self, ids: Iterable[str], *, wait: float = 0.0) -> IndexReport:
        """Delete articles by id."""

        def work(indexer: "Indexer") -> None:
            for article_id in ids:
                indexer.delete(article_id)

        return self._writing(wait=wait, work=work)

    # -- reading ---------------------------------------------------------------------------

    def get(self, article_id: str) -> Optional[Article]:
        """The article with this id, or None."""
        return self.engine.get(article_id)

    def __len__(self) -> int:
        """The number of articles."""
        return self.engine.count()

    def export(
        self,
        query: Optional[str] = None,
        *,
        since: Union[str, datetime, None] = None,
        until: Union[str, datetime, None] = None,
        now: Optional[datetime] = None,
    ) -> Iterator[Article]:
        """Every article (in index order), or with a query or dates every matching article,
        uncapped, streamed in a stable order (by date, undated last, then by id)."""
        if query is None and since is None and until is None:
            return self.engine.articles()
        parsed = self._parsed(query, since, until, now)
        return self.engine.articles(self._request(parsed))

    def export_header(
        self,
        query: Optional[str] = None,
        *,
        since: Union[str, datetime, None] = None,
        until: Union[str, datetime, None] = None,
        now: Optional[datetime] = None,
    ) -> "ExportHeader":
        """What an export answers, to cite and rerun it: the query, the resolved date bounds,
        the archive's article count and the fingerprint of its state."""
        from searcher.analytics.export import ExportHeader

        parsed = self._parsed(query, since, until, now)
        return ExportHeader(query=query or "", since=parsed.since, until=_inclusive(parsed.until),
                            articles=len(self), fingerprint=self.engine.fingerprint())

    def timeline(
        self,
        query: Optional[str] = None,
        *,
        by: str = "month",
        since: Union[str, datetime, None] = None,
        until: Union[str, datetime, None] = None,
        by_source: bool = False,
        now: Optional[datetime] = None,
        timeout: Optional[float] = None,
    ) -> Any:
        """Matching articles per day, week, month or year (``analytics.timeline``), every
        period of the span listed, empty ones as zero; counts are exact, and with the
        undated ones add up to the search total. Days are the publications' own. With
        ``by_source``, one series per source (``SourceTimeline``)."""
        from searcher.analytics.timeline import check_period, timeline, timeline_by_source

        check_period(by)
        parsed = self._parsed(query, since, until, now)
        request = self._request(parsed, timeout=timeout)
        low, high = parsed.since, _inclusive(parsed.until)
        if by_source:
            rows = ((m.wall_clock, m.source) for m in self.engine.matches(request))
            return timeline_by_source(rows, by, since=low, until=high)
        return timeline((m.wall_clock for m in self.engine.matches(request)), by, since=low, until=high)

    def first(
        self,
        query: str,
        *,
        since: Union[str, datetime, None] = None,
        until: Union[str, datetime, None] = None,
        now: Optional[datetime] = None,
        timeout: Optional[float] = None,
    ) -> "FirstSeen":
        """Who ran it first: the earliest matching article of each source, earliest first,
        and the first day the query matched (``analytics.first``)."""
        from searcher.analytics.first import first_appearances

        parsed = self._parsed(query, since, until, now)
        request = self._request(parsed, timeout=timeout)
        from dataclasses import replace

        matches = {m.id: m for m in self.engine.matches(request)}
        found = first_appearances((m.id, m.date, m.source) for m in matches.values())
        if not found.sources:
            return found
        # Ordered by the exact instant; the first day is the first publication's own day.
        earliest = matches[found.sources[0].id].wall_clock
        return replace(found, first_day=earliest.date() if earliest else found.first_day)

    def terms(
        self,
        query: Optional[str] = None,
        *,
        since: Union[str, datetime, None] = None,
        until: Union[str, datetime, None] = None,
        limit: int = 20,
        min_count: int = 3,
        now: Optional[datetime] = None,
        timeout: Optional[float] = None,
    ) -> List["TermScore"]:
        """The keywords and keyphrases significantly more frequent in the matching articles
        (of the period) than in the rest of the archive: Dunning's log-likelihood over
        article counts, at least ``min_count`` matching articles (``analytics.significance``)."""
        from searcher.analytics.significance import document_counts, significant_terms

        parsed = self._parsed(query, since, until, now)
        if parsed.tree is None and parsed.since is None and parsed.until is None:
            raise SearcherError("terms of the whole archive mean nothing; give a query or --from/--to")
        request = self._request(parsed, timeout=timeout)
        inside, size = document_counts(self.engine.keywords_of(request))
        candidates = {t: n for t, n in inside.items() if n >= min_count}
        total = len(self)
        background = _background(self.engine, candidates, size, total, limit)
        looked_up = {t: candidates[t] for t in background}
        return significant_terms(looked_up, background, size, total, min_count=min_count, limit=limit)

    def _parsed(self, query: Optional[str], since: Union[str, datetime, None],
                until: Union[str, datetime, None], now: Optional[datetime]) -> "ParsedQuery":
        """The parsed query; no query text means every article (within the dates)."""
        from searcher.query import ParsedQuery

        if query is not None and query.strip():
            return self.parse(query, since=since, until=until, now=now)
        if since is None and until is None:
            return ParsedQuery(query or "", None, None, None)
        return self.parse("", since=since, until=until, now=now)

    @staticmethod
    def _request(parsed: "ParsedQuery", *, timeout: Optional[float] = None) -> SearchRequest:
        deadline = time.perf_counter() + timeout if timeout else None
        return SearchRequest(tree=parsed.tree, since=parsed.since, until=parsed.until,
                             deadline=deadline, timeout=timeout or 0.0)

    def stats(self, *, top: int = 10) -> Stats:
        """Counts, date span, articles per year, top sources and the size."""
        return self.engine.stats(top=top)

    def check(self) -> CheckReport:
        """Read everything that can be damaged; problems are in the report, not raised."""
        return self.engine.check()

    def parse(
        self,
        query: str,
        *,
        since: Union[str, datetime, None] = None,
        until: Union[str, datetime, None] = None,
        now: Optional[datetime] = None,
    ) -> "ParsedQuery":
        """The parsed query (``search --show-query`` prints its ``describe()``)."""
        from searcher.query import parse_query

        return parse_query(query, since=since, until=until, now=now)

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
        recency: Optional[str] = None,
        collapse: bool = False,
    ) -> Results:
        """Run a query (see the README for the language) and return one page of hits.

        ``since``/``until`` take the same date forms as the query (``2023-08``,
        ``last 7 days``...); ``now`` fixes what relative dates mean. ``recency`` (a half-life
        such as ``30d``) multiplies relevance by a bounded decay from the newest article or
        from ``until``. With ``collapse``, copies of one wire story (near-duplicates by
        MinHash, ``analytics.neardup``) are one hit, shown as the earliest copy, with the
        other members' ids in ``copies``; ``total`` still counts articles and ``groups``
        counts stories, and pages are pages of stories. Raises ``QuerySyntaxError`` for a query that cannot be parsed and
        ``QueryTimeout`` when the whole search (snippets and suggestions included) takes more
        than ``timeout`` seconds.
        """
        from searcher.query.suggest import suggest

        if sort not in SORTS:
            raise SearcherError(f"unknown sort '{sort}'; use one of {', '.join(SORTS)}")
        if limit < 1 or page < 1:
            raise SearcherError("--limit and --page must be 1 or more")
        started = time.perf_counter()
        deadline = started + timeout if timeout else None
        parsed = self.parse(query, since=since, until=until, now=now)
        request = SearchRequest(
            tree=parsed.tree,
            since=parsed.since,
            until=parsed.until,
            sort=sort,
            limit=limit,
            offset=(page - 1) * limit,
            recency=self._recency(recency, parsed.until),
            deadline=deadline,
            timeout=timeout or 0.0,
        )
        groups = None
        hint = ""
        if collapse:
            ranking, groups, fast = self._collapsed(request)
            if not fast:
                hint = (f"this archive was indexed before stories were kept, so --collapse groups every match "
                        f"(slow on large archives); `searcher index --rebuild --index {self.location} PATH` makes it fast")
        else:
            ranking = self.engine.search(request)
        hits = self._hits(ranking.hits, parsed, snippets=snippets, snippet_chars=snippet_chars,
                          deadline=deadline, timeout=timeout or 0.0)
        suggestion = None
        if ranking.total < 3:
            suggestion = suggest(parsed, self.engine, total=ranking.total, deadline=deadline, timeout=timeout or 0.0)
        return Results(
            query=query,
            parsed=parsed,
            hits=tuple(hits),
            total=ranking.total,
            page=page,
            limit=limit,
            sort=sort,
            suggestion=suggestion,
            seconds=time.perf_counter() - started,
            groups=groups,
            hint=hint,
        )

    def _collapsed(self, request: SearchRequest) -> Tuple[Any, int, bool]:
        """(a ranking whose hits are the earliest matching copies of the requested window of
        stories, each with the story's other matching members, the number of stories, and
        whether the archive's stories answered, rather than grouping every match here).

        Stories are assigned at index time (``searcher.stories``), so this is the engine's
        search plus a dedup by story (``Engine.collapsed``). An archive written before
        stories existed has none: every match is then grouped here (exact, slower; a
        rebuild makes it fast), see ``_grouped``."""
        from searcher.engines.base import Ranking

        page = self.engine.collapsed(request)
        if page is None:
            return (*self._grouped(request), False)
        hits = [Ranked(article, max(m.score for m in members), copies=tuple(m.id for m in members[1:]),
                       copy_sources=tuple(m.source for m in members[1:]))
                for members, article in zip(page.window, page.shown)]
        return Ranking(page.total, tuple(hits)), page.stories, True

    def _grouped(self, request: SearchRequest) -> Tuple[Any, int]:
        """``_collapsed`` on an archive without stories: every match read with its
        signature and grouped (``analytics.neardup.group_page``); the counts are exact."""
        from dataclasses import replace

        from searcher.analytics.neardup import group_page
        from searcher.engines.base import Ranking

        matches = list(self.engine.matches(request, signatures=True))
        recency = request.recency
        if recency is None:
            scored = [(m, m.score) for m in matches]
        else:
            scored = [(m, m.score * recency.factor(m.date)) for m in matches]
        scored.sort(key=_match_order(request.sort))
        count, window = group_page([(m.id, m.date, m.source, m.signature) for m, _ in scored],
                                   request.offset, request.limit)
        # A story's score is its best member's: by relevance, its first-listed one's.
        best = None if request.sort == "relevance" else {m.id: score for m, score in scored}
        hits = []
        for story in window:
            article = self.engine.get(story.first.id)
            if article is None:  # deleted since the matches were read
                continue
            score = scored[story.rank][1] if best is None else max(best[m.id] for m in story.members)
            hits.append(Ranked(replace(article), score, copies=tuple(story.copies),
                               copy_sources=tuple(story.sources[1:])))
        return Ranking(len(matches), tuple(hits)), count

    def _recency(self, half_life: Optional[str], until: Optional[datetime]) -> Optional[Recency]:
        """The decay for ``--recency``: from ``until`` when given, else from the newest article."""
        if half_life is None:
            return None
        from searcher.analytics.recency import parse_half_life

        seconds = parse_half_life(half_life)
        anchor = until or self.engine.newest()
        if anchor is None:  # no dated article: nothing to decay from
            return None
        return Recency(anchor=anchor, half_life_seconds=seconds.total_seconds())

    def highlighter(self, parsed: "ParsedQuery", check: Optional[Callable[[], None]] = None) -> Any:
        """The ``HighlightSpec`` of a parsed query, prefix and fuzzy terms expanded in this
        archive's vocabulary; ``check`` (a deadline) is called before each expansion."""
        from searcher.query import MAX_EXPANSION

        def expand(field: str, leaf: Any) -> Any:
            if check is not None:
                check()
            return self.engine.expand(field, leaf, MAX_EXPANSION)

        return parsed.highlight_spec(expand)

    def _hits(self, window: Sequence[Ranked], parsed: "ParsedQuery", *, snippets: int, snippet_chars: int,
              deadline: Optional[float], timeout: float) -> List[Hit]:
        from searcher.errors import QueryTimeout
        from searcher.highlight import highlight_whole
        from searcher.highlight import snippets as cut_snippets

        def check() -> None:
            if deadline is not None and time.perf_counter() > deadline:
                raise QueryTimeout.after(timeout)

        spec = self.highlighter(parsed, check)
        hits = []
        for ranked in window:
            check()
            article = ranked.article
            body_snippets = (
                cut_snippets(article.body, spec, field="body", count=snippets, max_chars=snippet_chars,
                             check=check if deadline is not None else None)
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
                    score=ranked.score,
                    path=article.path,
                    title_snippet=highlight_whole(article.title, spec, field="title"),
                    snippets=tuple(body_snippets),
                    copies=ranked.copies,
                    copy_sources=ranked.copy_sources,
                    utc_offset=article.utc_offset,
                )
            )
        return hits

    def show(self, article_id: str, *, query: Optional[str] = None) -> Optional[tuple]:
        """The article with this id and, when ``query`` is given, its title and body
        highlighted for that query: ``(article, title_snippet, body_snippet)``; None when
        there is no such article."""
        from searcher.highlight import HighlightSpec, highlight_whole

        article = self.get(article_id)
        if article is None:
            return None
        spec = self.highlighter(self.parse(query)) if query else HighlightSpec()
        return (
            article,
            highlight_whole(article.title, spec, field="title"),
            highlight_whole(article.body, spec, field="body"),
        )


def _background(engine: Engine, candidates: Mapping[str, int], size: int, total: int, limit: int) -> Dict[str, int]:
    """Archive-wide article counts of the candidate terms that can make the ``limit`` best
    (``analytics.significance``): looked up best possible score first, and no further
    once that bound falls below the ``limit``-th exact score found. A term's best possible
    score is its G² if no other article held it, and its real score is never higher, so
    the list is the one every candidate's count would give, at a fraction of the lookups
    (a common word's 20,000 candidates need about 2,000)."""
    import heapq

    from searcher.analytics.significance import log_likelihood

    rest = total - size
    if size <= 0 or rest <= 0 or limit < 1:
        return {}
    bound_of: Dict[int, float] = {}
    for n in set(candidates.values()):
        bound_of[n] = log_likelihood(n, size, 0, rest)
    best: List[float] = []  # the ``limit`` best exact scores so far, a min-heap
    background: Dict[str, int] = {}
    for term in sorted(candidates, key=lambda t: (-bound_of[candidates[t]], t)):
        if len(best) >= limit and bound_of[candidates[term]] < best[0]:
            break
        inside = candidates[term]
        found = background[term] = engine.doc_frequency("keywords", term)
        outside = max(0, found - inside)
        if inside * rest <= outside * size:
            continue  # not more frequent inside: never listed
        score = log_likelihood(inside, size, outside, rest)
        if len(best) < limit:
            heapq.heappush(best, score)
        elif score > best[0]:
            heapq.heapreplace(best, score)
    return background


def _match_order(sort: str) -> Callable[[Tuple[Any, float]], Any]:
    """The sort key of (match, score) pairs for ``sort``: what ``Engine.search`` ranks by."""
    far = datetime.max.replace(tzinfo=timezone.utc)
    if sort == "newest":
        return lambda pair: (pair[0].date is None, -(pair[0].date or far).timestamp(), pair[0].id)
    if sort == "oldest":
        return lambda pair: (pair[0].date is None, pair[0].date or far, pair[0].id)
    return lambda pair: (-pair[1], pair[0].id)


def _inclusive(until: Optional[datetime]) -> Optional[datetime]:
    """The last instant before an exclusive bound (so ``--to 2017-03`` ends in March)."""
    from datetime import timedelta

    return None if until is None else until - timedelta(microseconds=1)


def check_archive(path: PathLike = DEFAULT_INDEX) -> CheckReport:
    """Check the archive at ``path`` (``searcher check``): everything that can be damaged is
    read; problems, the archive not opening among them, are in the report, never raised."""
    location = os.fspath(path)
    try:
        engine = open_engine(location)
    except SearcherError as exc:
        return CheckReport(location=printable_location(location), problems=[str(exc)])
    with Archive(engine) as archive:
        return archive.check()


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
