"""Stories in a Whoosh index (schema 6): what ``searcher.stories`` looks up and records,
and the story of every document that a collapsed search counts.

Storage: each article has ``ikey`` (``stories.story_key`` of its id) in a numeric column;
each member of a story of two or more has one small "story" document (``member``,
``story`` stored; ``ikey`` and ``skey`` in numeric columns), replaced when its label
changes, so no article is ever rewritten.

At index time a writer loads, on its first commit, the committed articles' ids, dates,
signatures and labels into :class:`StoryTable` (about 400 bytes an article: 40 MB for
100,000) and keeps it up to date; the band keys are sorted numpy arrays, one per batch,
searched with ``searchsorted``. At search time :func:`story_columns` gives, per segment,
the story key of every document (its own ``ikey`` when it has no story document), read
from the two numeric columns with numpy.
"""

from __future__ import annotations

from typing import Any, Dict, Iterable, List, Sequence, Set, Tuple

import numpy as np

from searcher.stories import Member, story_key

#: The fields only a schema-6 index has.
STORY_FIELDS = ("ikey", "skey", "member", "story")


def has_stories(schema: Any) -> bool:
    """Whether an index of this schema keeps stories."""
    return all(name in schema for name in STORY_FIELDS)


def numeric_column(leaf: Any, name: str) -> np.ndarray:
    """Every document's value of a ``NumericColumn("q")`` of one segment (0 when none)."""
    out = np.zeros(leaf.doc_count_all(), np.int64)
    perdoc = leaf._perdoc
    if name in leaf.schema and perdoc.has_column(name):
        col = perdoc.column_reader(name, leaf.schema[name].column_type)
        raw = np.frombuffer(col._dbfile.get(col._basepos, col._count * 8), ">i8")
        out[: len(raw)] = raw
    return out


def _live(leaf: Any) -> np.ndarray:
    live = np.ones(leaf.doc_count_all(), bool)
    deleted = leaf.deleted_docs_set
    if deleted:
        live[np.fromiter(deleted, np.int64, len(deleted))] = False
    return live


def story_columns(leaves: Sequence[Tuple[Any, int]]) -> Tuple[List[np.ndarray], int]:
    """(per segment (``reader.leaf_readers()``), the story number of every document, and
    how many numbers there are): documents share a number when they share a story (the
    ``skey`` of a live story document, else the document's own ``ikey``). Numbers are
    dense (0 to n - 1), so the distinct stories of a result set are counted by marking
    a table of n booleans."""
    ikeys = [numeric_column(leaf, "ikey") for leaf, _ in leaves]
    members, labels = [], []
    for (leaf, _), ikey in zip(leaves, ikeys):
        skey = numeric_column(leaf, "skey")
        mine = (skey != 0) & _live(leaf)
        members.append(ikey[mine])
        labels.append(skey[mine])
    member = np.concatenate(members) if members else np.zeros(0, np.int64)
    label = np.concatenate(labels) if labels else np.zeros(0, np.int64)
    order = np.argsort(member, kind="stable")
    member, label = member[order], label[order]
    out = []
    for (_, offset), ikey in zip(leaves, ikeys):
        story = ikey.copy()
        alone = np.flatnonzero(ikey == 0)  # no key (written by other tools): a story of its own
        story[alone] = -(alone + offset + 1) * 7919
        if len(member):
            at = np.minimum(np.searchsorted(member, ikey), len(member) - 1)
            hit = member[at] == ikey
            story[hit] = label[at[hit]]
        out.append(story)
    if not out:
        return out, 0
    keys, dense = np.unique(np.concatenate(out), return_inverse=True)
    bounds = np.cumsum([0] + [len(o) for o in out])
    return [dense[a:b].astype(np.int64) for a, b in zip(bounds[:-1], bounds[1:])], len(keys)


class StoryTable:
    """The committed articles as ``searcher.stories.assign`` needs them, for one writing
    session: the ``StoryStore`` of the Whoosh writer."""

    def __init__(self) -> None:
        self.rows: Dict[str, Member] = {}
        self._chunks: List[Tuple[np.ndarray, np.ndarray]] = []  # (sorted band keys, row numbers)
        self._ids: List[str] = []
        self._by_story: Dict[str, Set[str]] = {}
        #: Ids whose (committed) label ``set_stories`` replaced: their story documents go.
        self.replaced: Set[str] = set()

    @classmethod
    def load(cls, searcher: Any) -> "StoryTable":
        """Read every live article's id, date, signature and label from a searcher."""
        from searcher.engines.whoosh.engine import _utc, date_from_column
        from searcher.engines.whoosh.schema import KIND_STORY

        table = cls()
        labels: Dict[str, str] = {}
        for fields in searcher.documents(kind=KIND_STORY):
            labels[str(fields.get("member", ""))] = str(fields.get("story", ""))
        found: List[Member] = []
        for leaf, _ in searcher.reader().leaf_readers():
            if not leaf.doc_count_all() or not leaf._perdoc.has_column("uid"):
                continue
            uids = leaf.column_reader("uid", translate=False)
            sigs = leaf.column_reader("sig", translate=False)
            from searcher.engines.whoosh.block import Segment

            dates = Segment(leaf, 0, lambda: None).dates("date")
            live = _live(leaf)
            for docnum in np.flatnonzero(live).tolist():
                raw = uids[docnum]
                if not raw:
                    continue  # a file marker or a story document
                article_id = raw.decode("utf-8")
                found.append(Member(article_id, _utc(date_from_column(dates[docnum])), sigs[docnum] or None,
                                    labels.get(article_id, "")))
        table.add(found)
        return table

    def add(self, members: Iterable[Member]) -> None:
        """Add articles (their labels as given)."""
        from searcher.analytics.neardup import BANDS, band_keys

        members = list(members)
        if not members:
            return
        start = len(self._ids)
        for m in members:
            self.rows[m.id] = m
            self._ids.append(m.id)
            if m.story:
                self._by_story.setdefault(m.story, set()).add(m.id)
        keys = band_keys([m.signature for m in members]).ravel()
        rows = np.repeat(np.arange(start, start + len(members), dtype=np.int64), BANDS)
        keep = keys != 0
        keys, rows = keys[keep], rows[keep]
        order = np.argsort(keys, kind="stable")
        self._chunks.append((keys[order], rows[order]))

    def remove(self, article_id: str) -> str:
        """Forget an article; returns its label ("" when alone or unknown)."""
        m = self.rows.pop(article_id, None)
        if m is None:
            return ""
        if m.story:
            self._by_story.get(m.story, set()).discard(article_id)
        return m.story

    # -- StoryStore ------------------------------------------------------------------------

    def story_candidates(self, keys: Sequence[int]) -> List[Member]:
        wanted = np.asarray(keys, np.int64)
        found: Set[str] = set()
        for sorted_keys, rows in self._chunks:
            if not len(sorted_keys):
                continue
            lo = np.searchsorted(sorted_keys, wanted, "left")
            hi = np.searchsorted(sorted_keys, wanted, "right")
            hit = hi > lo
            for a, b in zip(lo[hit].tolist(), hi[hit].tolist()):
                found.update(self._ids[r] for r in rows[a:b].tolist())
        return [self.rows[i] for i in sorted(found) if i in self.rows]

    def story_members(self, stories: Iterable[str]) -> List[Member]:
        ids = sorted({i for s in stories for i in self._by_story.get(s, ())})
        return [self.rows[i] for i in ids if i in self.rows]

    def set_stories(self, labels: Dict[str, str]) -> None:
        for article_id, label in labels.items():
            m = self.rows.get(article_id)
            if m is None:
                continue
            if m.story:
                self._by_story.get(m.story, set()).discard(article_id)
                self.replaced.add(article_id)
            self.rows[article_id] = m._replace(story=label)
            if label:
                self._by_story.setdefault(label, set()).add(article_id)


def story_document(article_id: str, label: str) -> Dict[str, Any]:
    """The story document of one member."""
    from searcher.engines.whoosh.schema import KIND_STORY

    return {"kind": KIND_STORY, "member": article_id, "story": label,
            "ikey": story_key(article_id), "skey": story_key(label)}

