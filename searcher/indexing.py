"""Incremental indexing: which files to read, which articles to add, update or skip.

The rules that make re-runs cheap and crash-safe:

They hold for every engine: the engine's ``EngineWriter`` gives the primitives (known files,
live articles by id, path or hash, delete, add, mark a file, commit), this module the rules.

* Every source file whose articles are all written gets a marker holding its signature
  (size and mtime). A file whose signature matches is skipped
  unread. The marker is written after the file's last article, in the same commit, so a
  run killed half way through a file leaves no marker and the next run reads that file
  again, replacing whatever part of it had been committed.
* A changed file has its old documents deleted and its articles added again; an article
  whose id and content hash are unchanged is counted as unchanged.
* An article whose normalised body, or whose id, is already in the archive from another
  place is a duplicate: counted, not stored twice.
* A file that cannot be read is reported and its previously indexed articles are kept.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Callable, Dict, Iterable, Iterator, List, Mapping, Optional, Set, Tuple, Union

from searcher.article import Article, Problem
from searcher.engines.base import EngineWriter
from searcher.errors import SourceError
from searcher.results import IndexReport

#: Called with (files done, files in total or None while counting, current path).
ProgressFn = Callable[[int, Optional[int], str], None]


@dataclass(frozen=True)
class FileResult:
    """Part or all of what reading one file gave: articles (keywords filled in), problems,
    and, on the file's last part, ``final``. A failure is in ``error`` (and is final)."""

    path: str
    signature: str
    articles: Tuple[Article, ...] = ()
    problems: Tuple[Problem, ...] = ()
    error: str = ""
    final: bool = True
    #: What the engine's ``preparer`` computed for these articles in a worker, or None.
    prepared: Any = None


def file_signature(stat: os.stat_result) -> str:
    """Size and modification time: cheap, and changes whenever the content does."""
    return f"{stat.st_size}:{stat.st_mtime_ns}"


#: Articles per part when a large file is read in parts, so memory stays flat whatever
#: the size of a CSV or JSONL export.
CHUNK_ARTICLES = 250


def with_keywords(articles: Iterable[Article]) -> Tuple[Article, ...]:
    """The articles ready to store: keywords extracted unless given, and the body's
    near-duplicate signature (``analytics.neardup``) computed, both in worker processes."""
    from searcher.analytics.neardup import signature
    from searcher.keywords import extract_keywords

    return tuple(
        replace(
            a,
            keywords=a.keywords or tuple(extract_keywords(a.title, a.body)),
            signature=a.signature if a.signature is not None else signature(a.body),
        )
        for a in articles
    )


def _failure(exc: BaseException) -> str:
    if isinstance(exc, SourceError):
        return str(exc)
    if isinstance(exc, RecursionError):
        return "structure nested too deeply to read"
    if isinstance(exc, MemoryError):
        return "too large to read into memory"
    return f"could not be read ({type(exc).__name__}: {exc})"


def read_parts(
    path: str, signature: str, fmt: str, mapping: Mapping[str, str], *, keywords: bool = True
) -> Iterator[FileResult]:
    """Read one file as parts of at most ``CHUNK_ARTICLES`` articles; never raises (a
    failure is a final part with ``error``). Without ``keywords`` the caller extracts them
    (in worker processes)."""
    from searcher.sources import read_file

    articles: List[Article] = []
    problems: List[Problem] = []
    try:
        for item in read_file(Path(path), format=fmt, mapping=mapping):
            if isinstance(item, Problem):
                problems.append(item)
                continue
            articles.append(item)
            if len(articles) >= CHUNK_ARTICLES:
                done = with_keywords(articles) if keywords else tuple(articles)
                yield FileResult(path, signature, done, tuple(problems), final=False)
                articles, problems = [], []
    except Exception as exc:  # a parser bug must cost one file, never the run
        yield FileResult(path, signature, problems=tuple(problems), error=_failure(exc))
        return
    done = with_keywords(articles) if keywords else tuple(articles)
    yield FileResult(path, signature, done, tuple(problems))


def read_one(path: str, signature: str, fmt: str, mapping: Mapping[str, str]) -> FileResult:
    """Read and prepare one whole file in one result; never raises.

    A module-level function so that worker processes can run it; for small files.
    """
    parts = list(read_parts(path, signature, fmt, mapping))
    last = parts[-1]
    return FileResult(
        path,
        signature,
        tuple(a for p in parts for a in p.articles),
        tuple(x for p in parts for x in p.problems),
        error=last.error,
    )


@dataclass
class _OpenFile:
    """A file whose parts are being written: what it replaces and what it kept so far."""

    path: str
    old: Dict[str, str]
    old_hashes: Set[str]
    kept: int = 0


class Batch:
    """Tracks what the current uncommitted writer holds, to decide when to commit."""

    def __init__(self, *, max_articles: int, max_seconds: float) -> None:
        self.max_articles = max_articles
        self.max_seconds = max_seconds
        self.articles = 0
        self.started = time.monotonic()

    def add(self, n: int) -> None:
        self.articles += n

    def full(self) -> bool:
        return self.articles >= self.max_articles or (
            self.articles > 0 and time.monotonic() - self.started >= self.max_seconds
        )

    def reset(self) -> None:
        self.articles = 0
        self.started = time.monotonic()


class Indexer:
    """One indexing run through an engine's writer (which holds the lock or transaction)."""

    def __init__(
        self,
        writer: EngineWriter,
        *,
        report: IndexReport,
        batch_articles: int = 5000,
        batch_seconds: float = 30.0,
    ) -> None:
        self.writer = writer
        self.report = report
        self._batch = Batch(max_articles=batch_articles, max_seconds=batch_seconds)
        self.known_files: Dict[str, Tuple[str, int]] = writer.known_files()
        self._seen_hashes: Set[str] = set()
        self._seen_ids: Set[str] = set()
        self._open_file: Optional[_OpenFile] = None

    def commit(self) -> None:
        """Commit what is pending (a no-op when nothing is)."""
        self.writer.commit()
        self._batch.reset()

    def add_file(self, result: FileResult) -> None:
        """Store a file's articles (one part of them, for large files) and, with its last
        part, its marker, replacing what the file gave before.

        The old articles are deleted only once the new reading has produced something, so a
        file that cannot be read at all keeps its articles. A file that fails after some
        parts keeps the parts written and gets no marker, so the next run reads it again.
        """
        report = self.report
        report.warnings.extend(result.problems)
        current = self._open_file if self._open_file and self._open_file.path == result.path else None
        if result.error:
            report.files_failed += 1
            report.failures.append(Problem(result.path, result.error))
            self._open_file = None
            return
        writer = self.writer
        if current is None:
            old: Dict[str, str] = {}
            if result.path in self.known_files or writer.might_hold("path", result.path):
                old = writer.live("path", result.path)
            if old or result.path in self.known_files:
                writer.delete("path", result.path)
                self.known_files.pop(result.path, None)
            current = _OpenFile(result.path, old, set(old.values()))
        if result.prepared is not None:
            writer.prepared(result.prepared)
        for article in result.articles:
            if self._add_article(article, current.old, current.old_hashes):
                current.kept += 1
        self._batch.add(len(result.articles))
        if result.final:
            writer.mark_file(result.path, result.signature, current.kept)
            self.known_files[result.path] = (result.signature, current.kept)
            report.files_read += 1
            report.removed += len(set(current.old) - self._seen_ids)
            self._batch.add(1)
            self._open_file = None
        else:
            self._open_file = current
        if self._batch.full():
            self.commit()

    def add_articles(self, articles: Iterable[Article]) -> None:
        """Add articles that come from no file (library callers), replacing same ids."""
        for article in articles:
            article = article.finish()
            old: Dict[str, str] = {}
            if article.id not in self._seen_ids and self.writer.might_hold("id", article.id):
                old = self.writer.live("id", article.id)
                if old:
                    self.writer.delete("id", article.id)
            self._add_article(article, old, set(old.values()))
            self._batch.add(1)
            if self._batch.full():
                self.commit()

    def delete(self, article_id: str) -> None:
        """Delete one article by id (counted in the report when it was there)."""
        self.report.removed += self.writer.delete("id", article_id)

    def _add_article(self, article: Article, replacing: Mapping[str, str], replacing_hashes: Set[str]) -> bool:
        """Add one article unless it duplicates another; returns whether it was stored."""
        report = self.report
        writer = self.writer
        if article.id in self._seen_ids or article.content_hash in self._seen_hashes:
            report.duplicates += 1
            return False
        if article.id not in replacing and writer.might_hold("id", article.id) and writer.live("id", article.id):
            report.duplicates += 1
            return False
        if article.content_hash not in replacing_hashes and writer.might_hold("hash", article.content_hash):
            if any(i not in replacing for i in writer.live("hash", article.content_hash)):
                report.duplicates += 1
                return False
        self._seen_ids.add(article.id)
        self._seen_hashes.add(article.content_hash)
        previous = replacing.get(article.id)
        if previous is None:
            report.added += 1
        elif previous == article.content_hash:
            report.unchanged += 1
        else:
            report.updated += 1
        if article.date is None:
            report.undated += 1
        if article.date_problem:
            report.warnings.append(Problem(article.path, article.date_problem, article.position))
        writer.add(article)
        return True

    def skip_unchanged(self, path: str, signature: str) -> bool:
        """True (and counted) when the file is indexed with this very signature."""
        known = self.known_files.get(path)
        if known is None or known[0] != signature:
            return False
        self.report.files_unchanged += 1
        self.report.unchanged += known[1]
        return True

    def prune(self, keep: Callable[[str], bool]) -> None:
        """Delete the articles and markers of indexed files for which ``keep`` is False."""
        for path in list(self.known_files):
            if keep(path):
                continue
            self.report.removed += self.writer.delete("path", path)
            del self.known_files[path]


def walk(paths: Iterable[Union[str, Path]]) -> Iterator[Union[Tuple[str, str], Problem]]:
    """(absolute path, signature) for every candidate file, or a Problem for what cannot be
    listed or stat-ed."""
    from searcher.sources import iter_files

    for item in iter_files(paths):
        if isinstance(item, Problem):
            yield item
            continue
        try:
            stat = item.stat()
        except OSError as exc:
            yield Problem(str(item), f"cannot read file information ({exc.strerror or exc})")
            continue
        resolved = str(item.resolve())
        try:
            resolved.encode("utf-8")
        except UnicodeEncodeError:
            # Undecodable bytes in a name (surrogate escapes) cannot be stored in the index.
            shown = resolved.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
            yield Problem(shown, "file name is not valid UTF-8; rename the file to index it")
            continue
        yield resolved, file_signature(stat)
