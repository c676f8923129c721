"""Stories: the wire copies of one story, grouped once at index time.

A *story* is a connected set of the archive's similarity graph: two articles are linked
when they share an LSH band and their estimated Jaccard similarity is at least
``neardup.THRESHOLD`` (exactly how ``analytics.neardup.group`` links the rows of a result
set). Every article of a story of two or more carries the story's *label*, the id of its
earliest member (by date, undated last, then id); an article linked to nothing has no
label and is a story of its own. The label depends only on the set of articles, never on
the order they were indexed in, the number of workers or which of two writers came first.

``assign`` keeps the labels right after each committed batch, for every engine: an
engine's writer calls it from ``commit`` with a :class:`StoryStore`, the three lookups it
answers from what is committed (articles sharing a band key, the members of given
stories, and recording labels). The rule:

1. the batch's new articles are compared with the committed articles sharing one of their
   band keys (``neardup.band_keys``), and with each other;
2. the stories touched are those of the committed articles a new one is linked to, and
   those that lost a member (deleted or replaced articles);
3. the components are recomputed among the touched stories' remaining members plus the
   new articles: a union of whole components of the new graph (a story's members link
   to nothing outside it, and a new article's links go to touched stories), so the
   result is exact: stories merge when a new article links them, and split when the
   article that held them together goes;
4. each member whose label changed gets its new one.

A collapsed search is then a plain search plus a dedup by label
(``Engine.collapsed``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Dict, Iterable, List, NamedTuple, Optional, Protocol, Sequence, Set, Tuple

__all__ = ["Member", "StoryStore", "assign", "earliest", "label_of", "story_key"]


class Member(NamedTuple):
    """An article as the story rules need it: id, UTC date, near-duplicate signature and its
    current label ("" when it is a story of its own)."""

    id: str
    date: Optional[datetime]
    signature: Optional[bytes]
    story: str = ""


class StoryStore(Protocol):
    """What an engine's writer answers for ``assign``, from its committed articles minus
    those it deleted in the batch being committed."""

    def story_candidates(self, keys: Sequence[int]) -> List[Member]:
        """The live articles having any of these band keys (``neardup.band_keys``)."""

    def story_members(self, stories: Iterable[str]) -> List[Member]:
        """The live articles labelled with any of these stories."""

    def set_stories(self, labels: Dict[str, str]) -> None:
        """Record each article's new label ("" : a story of its own)."""


def earliest(m: Any) -> Tuple[bool, float, str]:
    """The order of a story's members, earliest first (by date, undated last, then id), of
    anything with ``id`` and ``date``: which member labels a story and which one a
    collapsed result shows."""
    return (m.date is None, m.date.timestamp() if m.date is not None else 0.0, m.id)


def label_of(members: Iterable[Member]) -> str:
    """A story's label: the id of its earliest member (date, undated last, then id)."""
    return min(members, key=earliest).id


def story_key(label: str) -> int:
    """A non-zero signed 64-bit number for a label (or an article's own id): what engines
    keep in numeric columns to count distinct stories; stable across runs and machines."""
    import hashlib

    value = int.from_bytes(hashlib.blake2b(label.encode("utf-8", "surrogatepass"), digest_size=8).digest(),
                           "little", signed=True)
    return value or 1


def _groups(members: List[Member]) -> List[List[int]]:
    from searcher.analytics.neardup import components

    return components([(m.id, None, "", m.signature) for m in members])


def assign(store: StoryStore, added: Sequence[Member], lost: Iterable[str] = ()) -> Dict[str, str]:
    """Bring the labels up to date after a batch: ``added`` are its new articles (labels
    ignored), ``lost`` the labels of the stories that lost members (deleted or replaced
    articles). Returns the labels recorded ({id: label}, "" for alone)."""
    from searcher.analytics.neardup import band_keys

    added = [m._replace(story="") for m in added]
    touched: Set[str] = {s for s in lost if s}
    extra: Dict[str, Member] = {}  # committed articles alone, linked to a new one
    if added:
        keys = band_keys([m.signature for m in added])
        wanted = sorted({int(k) for k in keys.ravel().tolist() if k})
        new_ids = {m.id for m in added}
        found = [m for m in store.story_candidates(wanted) if m.id not in new_ids] if wanted else []
        if found:
            pool = added + found
            for group in _groups(pool):
                if not any(i < len(added) for i in group):
                    continue  # committed articles linked among themselves: already right
                for i in group:
                    if i >= len(added):
                        m = pool[i]
                        if m.story:
                            touched.add(m.story)
                        else:
                            extra[m.id] = m
    if not touched and not extra and not added:
        return {}
    members: Dict[str, Member] = {m.id: m for m in store.story_members(sorted(touched))} if touched else {}
    members.update(extra)
    for m in added:
        members[m.id] = m
    everyone = list(members.values())
    labels: Dict[str, str] = {m.id: "" for m in everyone}
    for group in _groups(everyone):
        label = label_of(everyone[i] for i in group)
        for i in group:
            labels[everyone[i].id] = label
    changed = {i: label for i, label in labels.items() if label != members[i].story}
    if changed:
        store.set_stories(changed)
    return changed
