"""``Engine`` with posting blocks decoded and scored by numpy, for large indexes.

``searcher.engine`` works on Python dicts: a posting costs about a microsecond to decode,
score and merge, and a query over a common word of a 100,000-article archive touches
hundreds of thousands of postings. Here a term's blocks become numpy arrays (ids, weights,
positions) with one ``frombuffer`` and one running sum each, BM25F is computed on whole
arrays, AND, OR and NOT go through boolean and float tables over the segment's docnums
(numpy's set operations sort or hash, which cost more here), and phrases are matched on
sorted ``docnum << 32 | position`` keys with ``searchsorted``.

The results are the engine's, bit for bit: every score is computed with the same float64
operations in the same order (weights widened from float32 as Python does, scores of
several terms added in the same order), and ties break the same way. ``tests/test_engine.py``
runs every comparison with Whoosh through both engines and checks they agree exactly.

Importing numpy costs about 0.15 s, more than a whole small search, so ``searcher.engine``
uses this module only once searching in the process has cost about that much (see
``engine.engine_for``).
"""

from __future__ import annotations

import heapq
from typing import Any, Callable, List, Optional, Sequence, Tuple

import numpy as np

import whoosh.query as wq

from searcher.engines.whoosh.codec import raw_positions, split_block
from searcher.engines.base import Recency
from searcher.engines.whoosh.block import NO_DATE, Engine, Segment, Unsupported, raw_date

#: A scored set: (sorted unique docnums as int64, their float64 scores).
Found = Tuple[np.ndarray, np.ndarray]

_EMPTY_IDS = np.zeros(0, np.int64)
_EMPTY: Found = (_EMPTY_IDS, np.zeros(0, np.float64))
_ID_DTYPES = {"B": np.dtype("<u1"), "H": np.dtype("<u2"), "I": np.dtype("<u4")}
_POS_DTYPES = {"h": np.dtype("<i2"), "i": np.dtype("<i4")}
_SHIFT = 32  # docnum << 32 | position: positions are uint32


class VectorEngine(Engine):
    """``Engine`` on numpy arrays; see the module doc."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._np_norms: dict = {}

    # -- per-segment data -------------------------------------------------------------------

    @staticmethod
    def _lengths(seg: Segment, fieldname: str) -> np.ndarray:
        key = ("lengths", fieldname)
        if key not in seg.cache:
            seg.cache[key] = np.frombuffer(seg.lengths(fieldname), np.uint8)
        return seg.cache[key]

    @staticmethod
    def _dates_of(seg: Segment, fieldname: str = "date") -> np.ndarray:
        key = "dates:" + fieldname
        if key not in seg.cache:
            seg.cache[key] = np.frombuffer(seg.dates(fieldname), np.uint64)
        return seg.cache[key]

    @staticmethod
    def _deleted(seg: Segment) -> np.ndarray:
        if "deleted" not in seg.cache:
            seg.cache["deleted"] = np.array(sorted(seg.deleted or ()), np.int64)
        return seg.cache["deleted"]

    def _mask(self, seg: Segment, cand: np.ndarray) -> np.ndarray:
        """A boolean per document of ``seg``: True for the candidates."""
        mask = np.zeros(seg.doccount, bool)
        mask[cand] = True
        return mask

    # -- operations on scored sets ----------------------------------------------------------

    @staticmethod
    def _size(found: Found) -> int:  # type: ignore[override]
        return len(found[0])

    @staticmethod
    def _ones(members: np.ndarray) -> Found:  # type: ignore[override]
        return members, np.ones(len(members), np.float64)

    @staticmethod
    def _scaled(found: Found, boost: float) -> Found:
        return found[0], found[1] * boost

    @staticmethod
    def _ids(found: Found) -> np.ndarray:  # type: ignore[override]
        return found[0]

    @staticmethod
    def _both(found: Found, scores: Found) -> Found:  # type: ignore[override]
        # (Table lookups over the docnum range: numpy's set operations sort or hash.)
        ids, b = scores
        if not len(ids) or not len(found[0]):
            return _EMPTY
        dense = np.zeros(max(found[0][-1], ids[-1]) + 1, np.float64)
        present = np.zeros(len(dense), bool)
        dense[found[0]] = found[1]
        present[found[0]] = True
        keep = present[ids]
        ids = ids[keep]
        return ids, dense[ids] + b[keep]

    @staticmethod
    def _either(found: Found, scores: Found) -> Found:  # type: ignore[override]
        if not len(found[0]):
            return scores
        if not len(scores[0]):
            return found
        size = max(found[0][-1], scores[0][-1]) + 1
        dense = np.zeros(size, np.float64)
        present = np.zeros(size, bool)
        dense[found[0]] = found[1]
        dense[scores[0]] += scores[1]  # 0.0 + s is s: exact
        present[found[0]] = True
        present[scores[0]] = True
        ids = np.flatnonzero(present)
        return ids, dense[ids]

    @staticmethod
    def _without(found: Found, excluded: np.ndarray, bonus: float) -> Found:  # type: ignore[override]
        if not len(excluded) or not len(found[0]):
            return found[0], found[1] + bonus
        absent = np.ones(max(found[0][-1], excluded[-1]) + 1, bool)
        absent[excluded] = False
        keep = absent[found[0]]
        return found[0][keep], found[1][keep] + bonus

    @staticmethod
    def _only(found: Found, matched: np.ndarray) -> Found:  # type: ignore[override]
        if not len(matched) or not len(found[0]):
            return _EMPTY
        present = np.zeros(max(found[0][-1], matched[-1]) + 1, bool)
        present[matched] = True
        keep = present[found[0]]
        return found[0][keep], found[1][keep]

    # -- leaves -----------------------------------------------------------------------------

    def _raw(self, seg: Segment, fieldname: str, btext: bytes) -> Any:
        """A term's postings in ``seg`` as read from disk: None when absent, a list of
        undecoded ``codec.read_blocks`` blocks, or (ids, weights, values) of an inlined list
        (or of a segment of another codec)."""
        found = seg.raw_blocks(fieldname, btext)
        if found is not False:
            return found
        ids: List[int] = []
        ws: List[float] = []
        values: List[Any] = []
        for bids, bws, bvals in seg.blocks(fieldname, btext, values=True):
            ids.extend(bids)
            ws.extend(bws)
            values.extend(bvals)
        return ids, ws, values

    def _chosen(self, blocks: List[Tuple[int, int, Any]], cand: Optional[np.ndarray]) -> Tuple[List[int], np.ndarray]:
        """The indexes of the blocks that can hold a candidate (all without candidates),
        and every block's last id."""
        maxids = np.array([b[1] for b in blocks], np.int64)
        if cand is None:
            return list(range(len(blocks))), maxids
        # Block k holds a candidate when one lies in (maxids[k - 1], maxids[k]].
        upto = np.searchsorted(cand, maxids, "right")
        return np.flatnonzero(np.diff(upto, prepend=0)).tolist(), maxids

    @staticmethod
    def _block_ids(parts: List[Tuple[Any, ...]], chosen: List[int], maxids: np.ndarray) -> np.ndarray:
        """The docnums of the chosen blocks (``codec.split_block`` parts), decoded with one
        running sum: each block's first id (stored whole) becomes its distance from the last
        id of the chosen block before."""
        deltas = np.concatenate([np.frombuffer(p[1], _ID_DTYPES[p[0]]) for p in parts], dtype=np.int64, casting="unsafe")
        sizes = np.array([len(p[1]) // _ID_DTYPES[p[0]].itemsize for p in parts])
        starts = np.cumsum(sizes) - sizes
        before = maxids[chosen]
        deltas[starts[1:]] -= before[:-1]
        return deltas.cumsum()

    def _postings(self, seg: Segment, fieldname: str, btext: bytes, cand: Optional[np.ndarray],
                  weights: bool = True) -> Tuple[np.ndarray, Optional[np.ndarray]]:
        """A term's (docnums, weights as float64) in ``seg``, only the candidates' if given."""
        self._check()
        raw = self._raw(seg, fieldname, btext)
        if raw is None:
            return _EMPTY_IDS, (np.zeros(0, np.float64) if weights else None)
        if isinstance(raw, tuple):
            # (Weights as the inlined entry holds them, Python floats: as the pure engine reads them.)
            ids, ws = np.array(raw[0], np.int64), np.array(raw[1], np.float64)
        else:
            chosen, maxids = self._chosen(raw, cand)
            if not chosen:
                return _EMPTY_IDS, (np.zeros(0, np.float64) if weights else None)
            parts = [split_block(raw[k][2]) for k in chosen]
            ids = self._block_ids(parts, chosen, maxids)
            ws = None
            if weights:
                ws = np.concatenate([
                    np.frombuffer(p[3], "<f4") if p[3] is not None
                    else np.full(len(p[1]) // _ID_DTYPES[p[0]].itemsize, p[4], np.float32)
                    for p in parts
                ]).astype(np.float64)
        if cand is not None:
            keep = self._mask(seg, cand)[ids]
            ids = ids[keep]
            if ws is not None:
                ws = ws[keep]
        return ids, ws

    def _term(self, fieldname: str, text: Any, seg: Segment, cand: Optional[np.ndarray]) -> Found:  # type: ignore[override]
        field = self.schema[fieldname]
        btext = self._btext(fieldname, text)
        if btext is None:
            return _EMPTY
        ids, ws = self._postings(seg, fieldname, btext, cand)
        assert ws is not None
        if not len(ids) or not field.scorable:
            return ids, ws
        idf = self.searcher.idf(fieldname, btext)
        norm = self._np_norms.get(fieldname)
        if norm is None:
            norm = self._np_norms[fieldname] = np.array(self._norm_table(fieldname), np.float64)
        lens = self._lengths(seg, fieldname)
        # Engine._term's expression, operation for operation.
        return ids, idf * ((ws * (self.K1 + 1)) / (ws + norm[lens[ids]]))

    def _dates(self, q: wq.DateRange, seg: Segment, cand: Optional[np.ndarray]) -> Found:  # type: ignore[override]
        lo = 0 if q.start is None else q.start + (1 if q.startexcl else 0)
        hi = NO_DATE - 1 if q.end is None else min(q.end - (1 if q.endexcl else 0), NO_DATE - 1)
        if lo > hi:
            return _EMPTY
        dates = self._dates_of(seg, q.fieldname)
        lo_, hi_ = np.uint64(max(lo, 0)), np.uint64(hi)
        if cand is None:
            ids = np.flatnonzero((dates >= lo_) & (dates <= hi_)).astype(np.int64)
        else:
            d = dates[cand]
            ids = cand[(d >= lo_) & (d <= hi_)]
        return ids, np.ones(len(ids), np.float64)

    def _members(self, q: wq.Query, seg: Segment, cand: Optional[np.ndarray]) -> np.ndarray:  # type: ignore[override]
        kind = type(q)
        if kind is wq.Term:
            btext = self._btext(q.fieldname, q.text)
            if btext is None:
                return _EMPTY_IDS
            return self._postings(seg, q.fieldname, btext, cand, weights=False)[0]
        if kind is wq.Or:
            present = np.zeros(seg.doccount, bool)
            for sub in q.subqueries:
                present[self._members(sub, seg, cand)] = True
            return np.flatnonzero(present)
        return self._eval(q, seg, cand)[0]

    def _phrase_matches(self, fieldname: str, btexts: List[bytes], slop: int, seg: Segment,  # type: ignore[override]
                        cand: np.ndarray, decode: Callable[[bytes], List[int]]) -> np.ndarray:
        """The documents of ``cand`` where each word follows the one before within ``slop``
        positions: Engine's test, on sorted ``docnum << 32 | position`` keys."""
        current: Optional[np.ndarray] = None
        for btext in btexts:
            keys = self._position_keys(seg, fieldname, btext, cand, decode)
            if current is None:
                current = keys
            else:
                i = np.searchsorted(current, keys)  # current[i - 1] is the last key before
                has = i > 0
                before = current[np.maximum(i - 1, 0)]
                gap = keys - before
                ok = has & (gap <= slop) & ((keys >> _SHIFT) == (before >> _SHIFT))
                current = keys[ok]
            if not len(current):
                return _EMPTY_IDS
        assert current is not None
        docs = current >> _SHIFT
        return docs[np.concatenate(([True], docs[1:] != docs[:-1]))]  # sorted: drop repeats

    def _position_keys(self, seg: Segment, fieldname: str, btext: bytes, cand: np.ndarray,
                       decode: Callable[[bytes], List[int]]) -> np.ndarray:
        """Sorted ``docnum << 32 | position`` of the term's positions in the candidates."""
        self._check()
        mask = self._mask(seg, cand)
        raw = self._raw(seg, fieldname, btext)
        if raw is None:
            return _EMPTY_IDS
        if isinstance(raw, tuple):
            keys = [(d << _SHIFT) | p for d, v in zip(raw[0], raw[2]) if mask[d] for p in decode(v)]
            return np.array(keys, np.int64)
        chosen, maxids = self._chosen(raw, cand)
        if not chosen:
            return _EMPTY_IDS
        parts = [split_block(raw[k][2]) for k in chosen]
        sections = [raw_positions(p) for p in parts]
        if any(section is None for section in sections):
            raise Unsupported("positions of another format")
        ids = self._block_ids(parts, chosen, maxids)
        counts, deltas = [], []
        for code, counts_bytes, delta_bytes in sections:  # type: ignore[misc]
            counts.append(np.frombuffer(counts_bytes, "<u4"))
            deltas.append(np.frombuffer(delta_bytes, _POS_DTYPES[code]))
        per_posting = np.concatenate(counts)
        steps = np.concatenate(deltas, dtype=np.int64, casting="unsafe")
        # Each block's differences start again from 0: one running sum, less the sum so far
        # at the start of each block.
        running = steps.cumsum()
        sizes = np.array([len(d) for d in deltas])
        ends = np.cumsum(sizes)
        restart = np.concatenate(([0], running[ends[:-1] - 1])) if len(ends) > 1 else np.zeros(1, np.int64)
        positions = running - np.repeat(restart, sizes)
        docs = np.repeat(ids, per_posting)
        keep = mask[docs]
        return (docs[keep] << _SHIFT) | positions[keep]

    # -- results ----------------------------------------------------------------------------

    def matches(self, query: wq.Query) -> List[Tuple[Segment, Found]]:  # type: ignore[override]
        self._validate(query)
        out = []
        for seg in self.segments:
            ids, scores = self._eval(query, seg, None)
            if seg.deleted and len(ids):
                ids, scores = self._without((ids, scores), self._deleted(seg), 0.0)
            out.append((seg, (ids, scores)))
        return out

    def _top(self, query: wq.Query, limit: int, sort: str,
             recency: Optional[Recency] = None) -> Tuple[int, List[Tuple[int, float]]]:
        total = 0
        best: List[Tuple[Any, int, float]] = []
        for seg, (ids, scores) in self.matches(query):
            total += len(ids)
            if not len(ids) or limit <= 0:
                continue
            off = seg.offset
            if recency is not None:
                scores = scores * _factors(self._dates_of(seg)[ids], recency)
            if sort == "relevance":
                if len(ids) > limit:
                    cutoff = np.partition(scores, len(scores) - limit)[len(scores) - limit]
                    keep = scores >= cutoff
                    ids, scores = ids[keep], scores[keep]
                order = np.lexsort((ids, -scores))[:limit]
                keyed: Sequence[Tuple[Any, int, float]] = [
                    (-s, off + d, s) for d, s in zip(ids[order].tolist(), scores[order].tolist())
                ]
            else:
                dates = self._dates_of(seg)[ids]
                if sort == "newest":
                    order = np.lexsort((ids, ~dates, dates == NO_DATE))[:limit]
                    keyed = [
                        ((v == NO_DATE, -v), off + d, s)
                        for d, v, s in zip(ids[order].tolist(), dates[order].tolist(), scores[order].tolist())
                    ]
                else:
                    order = np.lexsort((ids, dates))[:limit]
                    keyed = [
                        (v, off + d, s) for d, v, s in zip(ids[order].tolist(), dates[order].tolist(), scores[order].tolist())
                    ]
            best = heapq.nsmallest(limit, best + list(keyed))
        return total, [(d, s) for _, d, s in best]


def _factors(dates: np.ndarray, recency: Recency) -> np.ndarray:
    """The recency factor of each raw date (microseconds since ``datetime.min``), as
    ``block._decayed`` gives it one at a time."""
    anchor = raw_date(recency.anchor)
    age = np.maximum(anchor - dates.astype(np.float64), 0.0)
    factors = recency.floor + (1.0 - recency.floor) * np.power(0.5, age / (recency.half_life_seconds * 1e6))
    factors[dates == NO_DATE] = recency.floor
    return factors
