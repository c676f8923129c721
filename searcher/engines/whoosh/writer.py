"""Writing a Whoosh index: the ``EngineWriter`` of the Whoosh engine.

Holds the folder's write lock for its whole life, opens a ``fastindex`` segment writer on
the first change after each commit, and answers the indexer's questions about committed
articles from a searcher over the last commit. Every id, hash and path ever committed is
kept in memory (read once from the lexicons) as a cheap first test before asking the index
about live documents: on a large index, asking touched every segment's terms and made
memory grow with every small file.

A write the file system refuses (a full disk, a read-only folder) becomes one
``SearcherError`` line; what was committed before stays, and the files of the batch in
progress are removed on ``cancel`` (and, left by a killed run, when the next session
starts), so that they neither fill the disk nor stop the next run.
"""

from __future__ import annotations

import functools
import re
import shutil
from datetime import timedelta
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Sequence, Set, Tuple, TypeVar

from searcher.engines.whoosh import fixes  # noqa: F401,I001  (first: Whoosh imported lean and corrected)
from whoosh.index import Index, clean_files
from whoosh.searching import Searcher
from whoosh.writing import IndexWriter

from searcher.article import Article
from searcher.engines.base import EngineWriter
from searcher.engines.whoosh import fastindex
from searcher.engines.whoosh.locking import cannot_write
from searcher.engines.whoosh.schema import KIND_ARTICLE, KIND_FILE, make_schema
from searcher.engines.whoosh.stories import StoryTable, has_stories, story_document
from searcher.stories import Member, assign, story_key

_SCHEMA = None
_F = TypeVar("_F", bound=Callable[..., Any])
#: What an unfinished commit leaves besides segment files: Whoosh's temporary folder (the
#: posting pool and the stored columns being assembled) and a table of contents being written.
_TEMP_DIR = "MAIN.tmp"
_TEMP_TOC = re.compile(r"^_MAIN_[0-9]+\.toc\..+$")


def remove_leftovers(ix: Index, folder: Path) -> None:
    """Delete what no committed table of contents refers to: files of segments that were
    never committed, Whoosh's temporary folder and half-written tables of contents. Only
    under the write lock (no writer is running then; readers only open committed segments)."""
    toc = ix._read_toc()
    clean_files(ix.storage, ix.indexname, toc.generation, toc.segments)
    shutil.rmtree(folder / _TEMP_DIR, ignore_errors=True)
    for child in folder.iterdir():
        if _TEMP_TOC.match(child.name):
            try:
                child.unlink()
            except OSError:
                pass


def _writes(method: _F) -> _F:
    """An ``OSError`` while ``method`` writes (no space left, read-only file system) becomes
    the one-line ``cannot_write`` error, and a damaged file it reads ``IndexCorrupt``."""
    from searcher.engines.whoosh.engine import DAMAGE, damaged

    @functools.wraps(method)
    def wrapper(self: "WhooshWriter", *args: Any, **kwargs: Any) -> Any:
        try:
            return method(self, *args, **kwargs)
        except OSError as exc:
            raise cannot_write(self._folder, exc) from exc
        except DAMAGE as exc:
            raise damaged(self._folder, exc) from exc

    return wrapper  # type: ignore[return-value]


def article_fields(article: Article) -> Dict[str, object]:
    """The Whoosh document for an article."""
    doc: Dict[str, object] = {
        "id": article.id,
        "kind": KIND_ARTICLE,
        "title": article.title,
        "body": article.body,
        "source": article.source,
        "source_key": article.source.strip() or "(unknown)",
        "url": article.url,
        "author": article.author,
        "keywords": ",".join(k.replace(",", " ") for k in article.keywords),
        "path": article.path,
        "position": article.position,
        "hash": article.content_hash,
    }
    if article.date is not None:
        doc["date"] = article.date.replace(tzinfo=None)
        # The publication's wall-clock time: what date filters compare (its own calendar day).
        doc["day"] = (article.date + timedelta(minutes=article.utc_offset or 0)).replace(tzinfo=None)
        if article.utc_offset is not None:
            doc["offset"] = article.utc_offset
    doc["uid"] = article.id.encode("utf-8")
    doc["ikey"] = story_key(article.id)
    if article.signature is not None:
        doc["sig"] = bytes(article.signature)
    return doc


def prepare(articles: Sequence[Article]) -> Tuple[List[Tuple[str, Any]], List[Any]]:
    """In an indexing worker: every indexed field of ``articles`` analysed into postings
    (``fastindex.preanalyse``), the writer's most expensive per-document step."""
    global _SCHEMA
    if _SCHEMA is None:
        _SCHEMA = make_schema()
    from datetime import datetime

    pairs = [
        (name, value)
        for a in articles
        for name, value in article_fields(a).items()
        if name in _SCHEMA and _SCHEMA[name].indexed and isinstance(value, (str, datetime))
    ]
    return pairs, fastindex.preanalyse(_SCHEMA, pairs)


class WhooshWriter(EngineWriter):
    """A writing session on one Whoosh index; the caller has taken the write lock and
    passes ``release`` to give it back on ``close``."""

    @_writes
    def __init__(self, ix: Index, folder: Path, new_writer: Callable[[], IndexWriter],
                 new_searcher: Callable[[], Searcher], release: Callable[[], None]) -> None:
        self._ix = ix
        self._folder = folder
        self._new_writer = new_writer
        self._new_searcher = new_searcher
        self._release = release
        self._writer: Optional[IndexWriter] = None
        self._closed = False
        try:
            remove_leftovers(ix, folder)
        except OSError:
            pass  # a read-only folder: nothing to remove, and the first write says so
        self._searcher = new_searcher()
        reader = self._searcher.reader()
        self._ever: Dict[str, Set[str]] = {
            name: {t.decode("utf-8") for t in reader.lexicon(name)} for name in ("id", "hash", "path")
        }
        # Stories (schema 6): the batch's new articles and deleted ids, and the committed
        # articles' table, loaded at the first commit that needs it.
        self._stories = has_stories(reader.schema)
        self._table: Optional[StoryTable] = None
        self._added: List[Member] = []
        self._gone: Set[str] = set()

    @property
    @_writes
    def _w(self) -> IndexWriter:
        if self._writer is None:
            self._writer = self._new_writer()
        return self._writer

    @_writes
    def known_files(self) -> Dict[str, Tuple[str, int]]:
        files: Dict[str, Tuple[str, int]] = {}
        for fields in self._searcher.documents(kind=KIND_FILE):
            files[fields["path"]] = (fields.get("filesig", ""), int(fields.get("position") or 0))
        return files

    @_writes
    def live(self, field: str, value: str) -> Dict[str, str]:
        return {
            str(d["id"]): str(d.get("hash", ""))
            for d in self._searcher.documents(**{field: value})
            if "id" in d
        }

    def might_hold(self, field: str, value: str) -> bool:
        return value in self._ever[field]

    @_writes
    def delete(self, field: str, value: str) -> int:
        live = self.live(field, value) if self.might_hold(field, value) else {}
        self._w.delete_by_term(field, value)
        if self._stories:
            for article_id in live:
                self._gone.add(article_id)
                self._w.delete_by_term("member", article_id)
        return len(live)

    @_writes
    def add(self, article: Article) -> None:
        writer = self._w
        doc = article_fields(article)
        if any(name not in writer.schema for name in doc):  # an index of an older schema
            doc = {name: value for name, value in doc.items() if name in writer.schema}
        writer.add_document(**doc)
        for name, value in (("id", article.id), ("hash", article.content_hash), ("path", article.path)):
            self._ever[name].add(value)
        if self._stories:
            self._added.append(Member(article.id, article.date, article.signature))

    @_writes
    def mark_file(self, path: str, signature: str, articles: int) -> None:
        self._w.add_document(kind=KIND_FILE, path=path, filesig=signature, position=articles)

    def prepared(self, payload: Any) -> None:
        pairs, analysed = payload
        fastindex.PREANALYSED.clear()
        for key, items in zip(pairs, analysed):
            if items is not None:
                fastindex.PREANALYSED[key] = items

    def _assign_stories(self) -> None:
        """``searcher.stories.assign`` for the batch, its story documents written into it."""
        if self._table is None and not self._added:
            # Only deletions: a story changes only if a deleted article had a label.
            from searcher.engines.whoosh.schema import KIND_STORY

            if not any(self._searcher.document(kind=KIND_STORY, member=i) for i in self._gone):
                self._gone = set()
                return
        if self._table is None:
            self._table = StoryTable.load(self._searcher)
        table = self._table
        lost = {table.remove(i) for i in self._gone}
        lost.update(table.remove(m.id) for m in self._added)
        table.replaced = set()
        changed = assign(table, self._added, lost)
        writer = self._w
        for article_id, label in sorted(changed.items()):
            if article_id in table.replaced:  # its story document goes (new ones have none)
                writer.delete_by_term("member", article_id)
            if label:
                writer.add_document(**story_document(article_id, label))
        table.add(m._replace(story=changed.get(m.id, "")) for m in self._added)
        self._added, self._gone = [], set()

    @_writes
    def commit(self) -> None:
        if self._stories and (self._added or self._gone):
            self._assign_stories()
        if self._writer is not None:
            self._writer.commit()
            self._writer = None
            self._searcher.close()
            self._searcher = self._new_searcher()

    def cancel(self) -> None:
        """Drop the uncommitted batch and its files; never raises (it runs while another
        error, often the file system's, is on its way to the user)."""
        writer, self._writer = self._writer, None
        self._added, self._gone, self._table = [], set(), None
        if writer is None:
            return
        try:
            writer.cancel()
        except Exception:
            pass  # closing the batch's files failed (a full disk refuses their last bytes)
        try:
            remove_leftovers(self._ix, self._folder)
        except Exception:
            pass

    def close(self) -> None:
        if not self._closed:
            self._closed = True
            fastindex.PREANALYSED.clear()
            self._searcher.close()
            self._release()
