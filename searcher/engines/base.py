"""The engine interface: what an archive's storage and search must do.

``searcher.archive.Archive`` is the only caller. Everything above it (the CLI, the web
server, rendering, highlighting, the analysis features) sees ``Article``, ``Stats`` and the
engine-independent query tree (``searcher.query.tree``), never an engine's own types. An
engine is one package under ``searcher/engines/`` (``whoosh``, ``postgres``); its own
imports (Whoosh, psycopg) never leave that package.

A new engine implements ``Engine`` and ``EngineWriter`` below and is registered in
``searcher.engines.open_engine``. It must pass ``tests/test_conformance.py``, which runs the
same corpus and queries through ``Archive`` on every engine and compares totals, result ids
and JSON shapes. What an engine must guarantee:

* **Query semantics.** The tree is already analysed: leaf terms are index terms as
  ``searcher.analyzer`` makes them (stemmed title/body terms, plain source/author/url terms,
  whole lower-cased keywords). Unscoped leaves search title, body and (when the leaf has a
  ``keyword``) keywords (``searcher.query.tree.leaf_fields``). A phrase matches its terms in
  order, each at most ``arg`` positions after the one before (positions count stopwords:
  ``searcher.analyzer``); prefix leaves match index terms that start with any of their
  ``terms``; fuzzy leaves match terms within ``arg`` edits (Damerau, first letter fixed).
  ``Not`` excludes; ``And`` / ``Or`` as usual. ``DateLeaf`` and the request's ``since`` /
  ``until`` bound the article's date (inclusive, exclusive); undated articles match no date
  bound. A construct the engine cannot answer exactly raises ``QuerySyntaxError`` naming it;
  never a wrong answer.
* **Totals are exact**, and every matching article is counted once.
* **Ranking.** ``relevance``: a BM25-like score, best first, ties by a stable order;
  ``newest`` / ``oldest``: by date, undated last, each hit still carrying its relevance
  score. Scores need not be equal across engines; the set of matches must be.
* **Writes** go through ``EngineWriter`` under a lock or a transaction: a killed writer
  loses at most its uncommitted batch, and ``commit`` makes a batch visible to new readers.
* **Errors** are ``searcher.errors`` exceptions with one-line messages naming the fix
  (``IndexNotFound``, ``IndexLocked``, ``IndexCorrupt``, ``QueryTimeout``...); a message
  never shows a password.
"""

from __future__ import annotations

import abc
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Callable, ClassVar, Dict, Iterable, Iterator, List, Optional, Sequence, Set, Tuple

from searcher.article import Article

if TYPE_CHECKING:  # pragma: no cover
    from searcher.query.tree import Leaf, Node
    from searcher.results import Stats

#: The sort orders every engine supports.
SORTS = ("relevance", "newest", "oldest")


@dataclass(frozen=True)
class Recency:
    """Multiply relevance by ``floor + (1 - floor) * 0.5 ** (age / half_life)``, where
    ``age`` is how long before ``anchor`` an article was published (0 for later ones);
    undated articles get ``floor`` (``searcher.analytics.recency`` explains the choice)."""

    anchor: datetime
    half_life_seconds: float
    floor: float = 0.1

    def factor(self, date: Optional[datetime]) -> float:
        """The multiplier for an article of ``date``."""
        if date is None:
            return self.floor
        age = max((self.anchor - date).total_seconds(), 0.0)
        return self.floor + (1.0 - self.floor) * 0.5 ** (age / self.half_life_seconds)


@dataclass(frozen=True)
class SearchRequest:
    """One search: the query tree (None: every article) within ``[since, until)``.

    ``limit`` hits are wanted from rank ``offset`` on. ``deadline`` is a
    ``time.perf_counter()`` value after which the engine raises ``QueryTimeout.after(timeout)``.
    """

    tree: Optional["Node"]
    since: Optional[datetime] = None
    until: Optional[datetime] = None
    sort: str = "relevance"
    limit: int = 10
    offset: int = 0
    recency: Optional[Recency] = None
    deadline: Optional[float] = None
    timeout: float = 0.0


@dataclass(frozen=True)
class Ranked:
    """One hit: the article and its score (relevance, times the recency factor if asked)."""

    article: Article
    score: float
    #: With a collapsed search: the ids and sources of the story's other copies.
    copies: Tuple[str, ...] = ()
    copy_sources: Tuple[str, ...] = ()


@dataclass(frozen=True)
class Ranking:
    """What a search found: the exact total and the requested window of hits."""

    total: int
    hits: Tuple[Ranked, ...]


@dataclass(frozen=True)
class Match:
    """One matching article in brief, for analyses over a whole result set (timelines,
    first appearance, wire-copy groups): its id, its UTC instant ``date`` (ordering,
    recency), source, score, when asked its near-duplicate signature
    (``searcher.analytics.neardup``), and ``local``, the publication's wall-clock time (the
    instant moved by the stated offset, labelled UTC: its calendar day is the publication's
    own, what timelines count; None when it equals ``date``)."""

    id: str
    date: Optional[datetime]
    source: str
    score: float = 0.0
    signature: Optional[bytes] = None
    local: Optional[datetime] = None

    @property
    def wall_clock(self) -> Optional[datetime]:
        """The publication's wall-clock time: ``local``, else the instant."""
        return self.local if self.local is not None else self.date


@dataclass(frozen=True)
class StoryPage:
    """What ``Engine.collapsed`` found: ``total`` matching articles, the number of distinct
    ``stories`` among them, and the requested window of stories, best first (a story ranks
    where its best-placed match does), each as its matching members (``Match``, scored),
    earliest first (``searcher.stories.earliest``: by date, undated last, then id), and
    ``shown``: the article of each story's earliest member, the one a result shows."""

    total: int
    stories: int
    window: Tuple[Tuple[Match, ...], ...]
    shown: Tuple[Article, ...] = ()


@dataclass
class CheckReport:
    """What ``Engine.check`` found: counts and a list of one-line problems (empty: healthy)."""

    location: str
    articles: int = 0
    files: int = 0
    parts: int = 0
    problems: List[str] = field(default_factory=list)
    fix_hint: str = ""
    #: What ``parts`` counts: "segments" (Whoosh), "partitions" (PostgreSQL).
    part_name: str = "segments"

    @property
    def ok(self) -> bool:
        return not self.problems

    def to_dict(self) -> Dict[str, Any]:
        return {
            "path": self.location,
            "ok": self.ok,
            "articles": self.articles,
            "files": self.files,
            "segments": self.parts,
            "problems": list(self.problems),
            "fix": self.fix_hint if self.problems else "",
        }


class EngineWriter(abc.ABC):
    """One writing session, holding the archive's write lock (or a transaction).

    ``searcher.indexing.Indexer`` applies the incremental rules (skip unchanged files, replace
    changed ones, count duplicates once, prune) through these primitives, identically for
    every engine. Nothing is visible to readers before ``commit``.
    """

    @abc.abstractmethod
    def known_files(self) -> Dict[str, Tuple[str, int]]:
        """{source file path: (signature, articles kept)} of every file whose articles are
        all committed."""

    @abc.abstractmethod
    def live(self, field: str, value: str) -> Dict[str, str]:
        """{article id: content hash} of committed, live articles whose ``field`` (``id``,
        ``path`` or ``hash``) equals ``value``."""

    def might_hold(self, field: str, value: str) -> bool:
        """A cheap pre-test for ``live``: False only when no article ever had this value."""
        return True

    @abc.abstractmethod
    def delete(self, field: str, value: str) -> int:
        """Delete the articles whose ``field`` (``id`` or ``path``) equals ``value``, and for
        ``path`` the file's marker; returns how many articles were live."""

    @abc.abstractmethod
    def add(self, article: Article) -> None:
        """Store one article (its id is not live: the indexer deleted or checked it)."""

    @abc.abstractmethod
    def mark_file(self, path: str, signature: str, articles: int) -> None:
        """Record that every article of ``path`` (at ``signature``) is written."""

    def prepared(self, payload: Any) -> None:
        """Receive what ``Engine.preparer`` computed in a worker for the next articles."""

    @abc.abstractmethod
    def commit(self) -> None:
        """Make everything written so far durable and visible; a no-op when nothing is."""

    @abc.abstractmethod
    def cancel(self) -> None:
        """Drop what is not committed."""

    def finish(self) -> None:
        """Called once after the session's last successful commit, before ``close``: tidy
        what the session wrote for the searches to come (statistics, pending index entries).
        A no-op by default; never called after a failure or an interrupt."""

    @abc.abstractmethod
    def close(self) -> None:
        """Release the lock or connection; safe to call twice."""


class Engine(abc.ABC):
    """One archive's storage and search. Open with ``searcher.engines.open_engine``."""

    #: A short name shown in ``stats`` and errors: "whoosh", "postgresql".
    name: ClassVar[str] = ""

    #: Where the archive is, safe to print (a URL without its password).
    location: str = ""

    # -- lifecycle ---------------------------------------------------------------------------

    @classmethod
    @abc.abstractmethod
    def open(cls, location: str, *, create: bool = False) -> "Engine":
        """Open the archive at ``location``; with ``create``, make it when missing. Raises
        ``IndexNotFound``, ``IndexVersionMismatch``, ``IndexCorrupt`` or ``SearcherError``."""

    @classmethod
    @abc.abstractmethod
    def rebuild(cls, location: str, *, wait: float = 0.0) -> "Engine":
        """Empty the archive at ``location`` (or make it), whatever state it is in, once no
        other writer holds it, and return it open."""

    @abc.abstractmethod
    def close(self) -> None:
        """Release files, connections and caches."""

    def __enter__(self) -> "Engine":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- writing -----------------------------------------------------------------------------

    @abc.abstractmethod
    def writer(self, *, wait: float = 0.0) -> EngineWriter:
        """A writing session; waits up to ``wait`` seconds for another writer, then raises
        ``IndexLocked`` (engines that allow concurrent writers never wait)."""

    def preparer(self) -> Optional[Callable[[Sequence[Article]], Any]]:
        """A picklable module-level function run in indexing worker processes on each batch
        of articles; its result reaches ``EngineWriter.prepared`` before the batch is
        added. None when the engine prepares nothing."""
        return None

    # -- reading -----------------------------------------------------------------------------

    @abc.abstractmethod
    def count(self) -> int:
        """How many articles the archive holds."""

    @abc.abstractmethod
    def search(self, request: SearchRequest) -> Ranking:
        """The exact total and the requested window of hits."""

    @abc.abstractmethod
    def matches(self, request: SearchRequest, *, signatures: bool = False) -> Iterator[Match]:
        """Every article ``request`` matches (its ``limit``, ``offset`` and ``sort`` ignored),
        in no particular order, streamed; scored when the request has a tree."""

    def collapsed(self, request: SearchRequest) -> Optional[StoryPage]:
        """A search collapsed by story (``searcher.stories``: wire copies grouped at index
        time): the exact number of matches and of distinct stories among them, and the
        window of stories (``offset``/``limit`` count stories) in the request's order, a
        story placed by its best match (by relevance, its best score, times the recency
        factor when asked; by date, its newest or oldest match; ties by id). None when the
        archive keeps no stories (made by an older version): ``Archive`` then groups every
        match itself (``matches(signatures=True)``)."""
        return None

    def keywords_of(self, request: SearchRequest) -> Iterator[Tuple[str, ...]]:
        """The stored keywords of every article ``request`` matches (significant terms)."""
        for article in self.articles(request):
            yield article.keywords

    @abc.abstractmethod
    def get(self, article_id: str) -> Optional[Article]:
        """The article with this id, or None."""

    @abc.abstractmethod
    def articles(self, request: Optional[SearchRequest] = None) -> Iterator[Article]:
        """Every article (or every match of ``request``) streamed, in a stable order: by
        date, undated last, then by id. Memory stays flat."""

    def newest(self) -> Optional[datetime]:
        """The date of the newest article (where ``--recency`` measures from), or None."""
        return self.stats(top=1).last_date

    @abc.abstractmethod
    def stats(self, *, top: int = 10) -> "Stats":
        """Counts, date span, articles per year, top sources and the size."""

    @abc.abstractmethod
    def check(self) -> CheckReport:
        """Read everything that can be damaged and report what is wrong and how to recover."""

    @abc.abstractmethod
    def fingerprint(self) -> str:
        """A short string that changes whenever the archive's content changes and is the
        same for the same content: cited in export headers."""

    # -- vocabulary (highlighting prefix/fuzzy terms, "did you mean") -------------------------

    @abc.abstractmethod
    def expand(self, field: str, leaf: "Leaf", limit: int) -> Set[str]:
        """The index terms of ``field`` that a prefix or fuzzy ``leaf`` matches; raises
        ``QueryTooBroad`` when there are more than ``limit``."""

    @abc.abstractmethod
    def doc_frequency(self, field: str, term: str) -> int:
        """In how many articles ``term`` occurs in ``field`` (title, body, or keywords,
        where a term is a whole lower-cased keyword)."""

    @abc.abstractmethod
    def near_terms(self, field: str, term: str, distance: int, limit: int) -> List[str]:
        """At most ``limit`` index terms of ``field`` within ``distance`` edits of ``term``
        (first letter fixed), for "did you mean"."""

    @abc.abstractmethod
    def texts_with(self, field: str, term: str, limit: int) -> List[str]:
        """The ``field`` text of at most ``limit`` articles holding ``term``: how a stem is
        spelt in text, for showing a suggestion."""


def iter_batches(items: Iterable[Any], size: int) -> Iterator[List[Any]]:
    """``items`` in lists of at most ``size``."""
    batch: List[Any] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch
