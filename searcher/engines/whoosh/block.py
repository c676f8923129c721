"""Exact totals and top hits by scoring whole posting blocks at a time.

Whoosh's matchers score one document at a time through several layers of Python calls
(union and intersection matchers, wrapping matchers, a scorer, a length lookup), and an
exact total means scoring every match that way: at 100,000 articles a common word costs
hundreds of milliseconds. This module evaluates the query trees ``searcher.query`` builds
term at a time instead: a posting list is decoded a block at a time, its BM25F scores are
computed in one list comprehension with a per-field table of length norms, and AND, OR and
NOT become dictionary operations. A block that cannot hold a candidate document is skipped
undecoded, and dates are filtered from the sortable date column.

Scores follow Whoosh's BM25F formula operation for operation, and totals are exact
(``tests/test_engine.py`` checks ids, scores, order and totals against Whoosh's collector).
Only the order in which the scores of several terms are added differs from Whoosh's, so two
documents whose scores differ in the last bit may swap places. Prefix and fuzzy queries are
expanded to their terms in each segment and scored as Whoosh scores them (see
``_expansion``). Query types this module does not know raise ``Unsupported`` and the caller
uses Whoosh's collector instead.
"""

from __future__ import annotations

import heapq
import sys
import time
from datetime import datetime, timedelta, timezone
from array import array
from bisect import bisect_left
from itertools import accumulate
from typing import Any, Callable, Dict, Iterator, List, Optional, Sequence, Set, Tuple

from searcher.engines.whoosh import fixes  # noqa: F401,I001  (first: Whoosh imported lean and corrected)
import whoosh.query as wq
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield
from whoosh.reading import TermNotFound
from whoosh.scoring import BM25F
from whoosh.util.numeric import byte_to_length

from searcher.engines.whoosh.codec import NewsCodec, block_ids, block_positions, block_weights, read_blocks, split_block
from searcher.engines.base import Recency
from searcher.errors import QueryTimeout

#: What the date column holds for a document without a date (Whoosh's column default).
NO_DATE = 2**64 - 1

Scores = Dict[int, float]


def _best(found: Scores, limit: int) -> List[Tuple[int, float]]:
    """The ``limit`` highest-scoring (docnum, score) pairs, ties to the lower docnum: the
    cut-off score comes from the scores alone, and only documents at or above it are sorted
    (no tuple is built for the thousands below it)."""
    if limit <= 0:
        return []
    if len(found) > limit:
        cutoff = min(heapq.nlargest(limit, found.values()))
        found = {d: s for d, s in found.items() if s >= cutoff}
    return sorted(found.items(), key=lambda item: (-item[1], item[0]))[:limit]


#: Whoosh's ``Or`` of three or more clauses in a segment of at most this many documents
#: preloads its matches into an array (``whoosh.query.compound.Or._matcher``), unscored
#: when the query asks for no scores, as prefix and fuzzy queries do.
WHOOSH_ARRAY_OR_DOCS = 5000


class Spent:
    """Seconds this process has spent searching in pure Python (``select.engine_for``)."""

    def __init__(self) -> None:
        self.seconds = 0.0

    def add(self, seconds: float) -> None:
        self.seconds += seconds


SPENT = Spent()

_EPOCH = datetime(1, 1, 1)


def raw_date(value: datetime) -> int:
    """A datetime as the date column stores it: microseconds since ``datetime.min`` (UTC)."""
    return (value.astimezone(timezone.utc).replace(tzinfo=None) - _EPOCH) // timedelta(microseconds=1)


def _decayed(found: Scores, dates: Any, recency: Recency) -> Scores:
    """Scores times the recency factor of each document's date (raw column values are
    microseconds since ``datetime.min``; undated documents get the floor)."""
    anchor = raw_date(recency.anchor)
    rate = 1.0 / (recency.half_life_seconds * 1e6)
    floor = recency.floor
    out: Scores = {}
    for d, s in found.items():
        raw = dates[d]
        factor = floor if raw == NO_DATE else floor + (1.0 - floor) * 0.5 ** (max(anchor - raw, 0) * rate)
        out[d] = s * factor
    return out


class _AnyTerm:
    """Every document holding one of ``terms`` (Term queries), each scored 1.0: what
    Whoosh's unscored array matcher gives for a prefix or fuzzy query (see
    ``Engine._expansion``)."""

    boost = 1.0

    def __init__(self, terms: List[wq.Term]) -> None:
        self.terms = wq.Or(terms)


class Unsupported(Exception):
    """The query holds a node this engine does not evaluate; use Whoosh's collector."""


class Segment:
    """One segment's reader and the per-segment data queries need, read once."""

    def __init__(self, reader: Any, offset: int, check: Callable[[], None]) -> None:
        self.reader = reader
        self.offset = offset
        self.check = check
        self.doccount = reader.doc_count_all()
        self.deleted = reader.deleted_docs_set
        self._lengths: Dict[str, bytes] = {}
        self._dates: Dict[str, array] = {}
        self._raw: Dict[Tuple[str, bytes], Any] = {}
        #: Anything else an engine derives from the segment once per query.
        self.cache: Dict[Any, Any] = {}

    def lengths(self, fieldname: str) -> bytes:
        """Every document's encoded length byte of ``fieldname`` (0 for none)."""
        found = self._lengths.get(fieldname)
        if found is None:
            col = self.reader._perdoc._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN)
            found = b"" if col is None else col._dbfile.get(col._basepos, col._count)
            found = found + bytes(self.doccount - len(found))
            self._lengths[fieldname] = found
        return found

    def dates(self, fieldname: str = "date") -> array:
        """Every document's raw value of a date column (``NO_DATE`` for none): ``date``, the
        UTC instant (sorting), or ``day``, the wall-clock time (date filters)."""
        values = self._dates.get(fieldname)
        if values is None:
            perdoc = self.reader._perdoc
            values = array("Q")
            if fieldname in self.reader.schema and perdoc.has_column(fieldname):
                col = perdoc.column_reader(fieldname, self.reader.schema[fieldname].column_type)
                values.frombytes(col._dbfile.get(col._basepos, col._count * 8))
                if sys.byteorder == "little":
                    values.byteswap()  # the column is big-endian ("!Q")
            values.extend([NO_DATE] * (self.doccount - len(values)))
            self._dates[fieldname] = values
        return values

    def block_matchers(self, fieldname: str, btext: bytes) -> Iterator[Any]:
        """The term's matcher positioned on each block in turn, or a single list matcher
        for a short posting list inlined in the term info: the way to read what
        ``raw_blocks`` does not (inlined lists, other codecs, values). Callers keep only
        their candidates' postings themselves."""
        reader = self.reader
        try:
            m = reader._terms.matcher(fieldname, btext, reader.schema[fieldname].format)
        except TermNotFound:
            return
        if not hasattr(m, "_read_data"):  # a short posting list inlined in the term info
            yield m
            return
        while not m._atend:
            self.check()
            yield m
            m._next_block()

    def raw_blocks(self, fieldname: str, btext: bytes) -> Any:
        """The term's posting blocks undecoded (``codec.read_blocks``), read with one file
        access; None when the term is not in this segment, False when its postings are
        inlined in the term entry or written by another codec (read them with a matcher)."""
        key = (fieldname, btext)
        found = self._raw.get(key)
        if found is None and key not in self._raw:
            self.check()
            terms = self.reader._terms
            try:
                info = terms.term_info(fieldname, btext)
            except TermNotFound:
                found = None
            else:
                if info.is_inlined() or not isinstance(terms._codec, NewsCodec):
                    found = False
                else:
                    offset, length = info.extent()
                    if isinstance(length, tuple):  # (Whoosh's from_bytes leaves the unpacked tuple)
                        length = length[0]
                    found = read_blocks(terms._postfile, offset, length)
            self._raw[key] = found
        return found

    def chosen(self, raw: List[Tuple[int, int, Any]], candidates: Optional[Sequence[int]]) -> Iterator[Tuple[int, int, Any]]:
        """The ``raw_blocks`` that can hold one of the sorted ``candidates`` (all of them
        without candidates): the others are skipped undecoded."""
        lo = 0  # candidates below this index are before the current block
        previous_max = -1
        for block in raw:
            block_max = block[1]
            if candidates is not None:
                lo = bisect_left(candidates, previous_max + 1, lo)
                if lo == len(candidates):
                    return
                if candidates[lo] > block_max:
                    previous_max = block_max
                    continue
            previous_max = block_max
            self.check()  # (a block at a time: a long list stays under the deadline)
            yield block

    def blocks(self, fieldname: str, btext: bytes, candidates: Optional[List[int]] = None,
               values: bool = False, weights: bool = True) -> List[Tuple[Sequence[int], Any, Any]]:
        """The posting blocks of a term as (ids, weights, values or None); with sorted
        ``candidates``, blocks that hold none of them are skipped without decoding (the
        blocks may still hold other documents, and an inlined list is read whole)."""
        out: List[Tuple[Sequence[int], Any, Any]] = []
        raw = None if values else self.raw_blocks(fieldname, btext)
        if raw is None and not values:
            return out
        if raw:
            for n, _, data in self.chosen(raw, candidates):
                parts = split_block(data)
                out.append((block_ids(parts), block_weights(parts, n) if weights else None, None))
            return out
        for m in self.block_matchers(fieldname, btext):
            if not hasattr(m, "_read_data"):
                ids, ws, vals = [], [], []
                while m.is_active():
                    ids.append(m.id())
                    ws.append(m.weight())
                    vals.append(m.value() if values else None)
                    m.next()
                return [(ids, ws, vals if values else None)]
            m._read_ids()
            if weights:
                m._read_weights()
            if values:
                m._read_values()
            out.append((m._ids, m._weights, m._values))
        return out


class Engine:
    """Evaluates one parsed query over every segment of a Whoosh searcher."""

    def __init__(self, searcher: Any, *, deadline: Optional[float] = None, timeout: float = 0.0) -> None:
        weighting = searcher.weighting
        if type(weighting) is not BM25F:
            raise Unsupported("weighting")
        self.searcher = searcher
        self.schema = searcher.schema
        self.B, self.K1 = weighting.B, weighting.K1
        self._field_B = weighting._field_B
        self._deadline = deadline
        self._timeout = timeout
        self._norms: Dict[str, List[float]] = {}
        self._costs: Dict[int, float] = {}
        self._expansions: Dict[Tuple[int, int], Any] = {}
        self.segments = [
            Segment(r, off, self._check) for r, off in searcher.reader().leaf_readers() if r.doc_count_all()
        ]  # (an empty index has one EmptyReader)

    def _check(self) -> None:
        if self._deadline is not None and time.perf_counter() > self._deadline:
            raise QueryTimeout.after(self._timeout)

    # -- public ----------------------------------------------------------------------------

    def matches(self, query: wq.Query) -> List[Tuple[Segment, Scores]]:
        """Every matching live document with its score, per segment."""
        self._validate(query)
        out = []
        for seg in self.segments:
            found = self._eval(query, seg, None)
            if seg.deleted:
                for d in seg.deleted.intersection(found):
                    del found[d]
            out.append((seg, found))
        return out

    def top(self, query: wq.Query, limit: int, sort: str = "relevance",
            recency: Optional[Recency] = None) -> Tuple[int, List[Tuple[int, float]]]:
        """(exact total, the first ``limit`` (global docnum, score) pairs) for ``sort``:
        relevance (ties: lower docnum first, as Whoosh), newest or oldest (undated last),
        each with its relevance score, times ``recency``'s factor when given."""
        started = time.perf_counter()
        try:
            return self._top(query, limit, sort, recency)
        finally:
            SPENT.add(time.perf_counter() - started)

    def _top(self, query: wq.Query, limit: int, sort: str,
             recency: Optional[Recency] = None) -> Tuple[int, List[Tuple[int, float]]]:
        total = 0
        best: List[Tuple[Any, int, float]] = []
        for seg, found in self.matches(query):
            total += len(found)
            off = seg.offset
            if recency is not None:
                found = _decayed(found, seg.dates(), recency)
            if sort == "relevance":
                keyed = [(-s, off + d, s) for d, s in _best(found, limit)]
            else:
                dates = seg.dates()
                if sort == "newest":
                    keyed = heapq.nsmallest(
                        limit, (((dates[d] == NO_DATE, -dates[d]), off + d, s) for d, s in found.items())
                    )
                else:
                    keyed = heapq.nsmallest(limit, ((dates[d], off + d, s) for d, s in found.items()))
            best = heapq.nsmallest(limit, best + keyed)
        return total, [(d, s) for _, d, s in best]

    # -- evaluation ------------------------------------------------------------------------

    def _validate(self, q: wq.Query) -> None:
        kind = type(q)
        if kind in (wq.And, wq.Or):
            if not q.subqueries:
                raise Unsupported("empty " + kind.__name__)
            for sub in q.subqueries:
                if type(q) is wq.Or and type(sub) is wq.Not:
                    raise Unsupported("bare NOT under OR")
                self._validate(sub)
        elif kind is wq.Not:
            self._validate(q.query)
        elif kind is wq.Term:
            if q.fieldname not in self.schema or q.minquality:
                raise Unsupported("term")
        elif kind is wq.Phrase:
            field = self.schema[q.fieldname] if q.fieldname in self.schema else None
            if field is None or not field.format.supports("positions") or q.char_ranges:
                raise Unsupported("phrase")
        elif kind is wq.DateRange:
            if q.fieldname not in ("date", "day"):
                raise Unsupported("date range")
        elif self._multi_term(q):
            if q.fieldname not in self.schema or (isinstance(q, wq.Prefix) and not q.text) or not q.constantscore:
                raise Unsupported("multi-term")  # (Whoosh matches every document for "*")
        else:
            raise Unsupported(kind.__name__)

    @staticmethod
    def _multi_term(q: wq.Query) -> bool:
        """Whether ``q`` is a prefix or fuzzy query run by Whoosh's ``MultiTerm`` matcher,
        which ``_expansion`` reproduces."""
        return isinstance(q, (wq.Prefix, wq.FuzzyTerm)) and type(q).matcher in (wq.Prefix.matcher, wq.MultiTerm.matcher)

    def _expansion(self, q: wq.Query, seg: Segment) -> Any:
        """What Whoosh's collector runs for the prefix or fuzzy query ``q`` in ``seg``.

        Whoosh expands such a query per segment, into the terms of that segment (capped as
        the query class caps them), and asks for no scores; its ``Or`` then picks a matcher
        by the number of terms and the size of the segment. One term: that term, scored,
        without the query's boost. Two terms, or a segment of more than
        ``WHOOSH_ARRAY_OR_DOCS`` documents: the terms' scores added, times the boost (the
        request for no scores reaches no term). Three terms or more in a smaller segment,
        or ``Or.TOO_MANY_CLAUSES`` terms anywhere: every matching document scores 1.0. No
        term: nothing. (A query made with ``constantscore=False`` is left to Whoosh.)
        """
        key = (id(q), id(seg))
        found = self._expansions.get(key)
        if found is None:
            terms = [wq.Term(q.fieldname, w) for w in q._btexts(seg.reader) if w]
            if len(terms) == 1:
                found = terms[0]
            elif not terms:
                found = _AnyTerm([])  # (Whoosh: a null matcher)
            elif len(terms) < wq.Or.TOO_MANY_CLAUSES and (len(terms) == 2 or seg.doccount > WHOOSH_ARRAY_OR_DOCS):
                found = wq.Or(terms, boost=q.boost)
            else:
                found = _AnyTerm(terms)
            self._expansions[key] = found  # (kept for the query: costs are cached by id)
        return found

    def _eval(self, q: wq.Query, seg: Segment, cand: Optional[List[int]]) -> Scores:
        """Scores of the documents of ``seg`` matching ``q`` (only among the sorted
        ``cand`` docnums when given)."""
        kind = type(q)
        if kind is wq.Term:
            found = self._term(q.fieldname, q.text, seg, cand)
        elif kind is wq.Phrase:
            found = self._phrase(q, seg, cand)
        elif kind is wq.And:
            found = self._and(q.subqueries, seg, cand)
        elif kind is wq.Or:
            found = self._or(q.subqueries, seg, cand)
        elif kind is wq.DateRange:
            found = self._dates(q, seg, cand)
        elif kind is _AnyTerm:
            found = self._ones(self._members(q.terms, seg, cand))
        elif kind is not wq.Not:  # a prefix or fuzzy query (validated); its boost is inside
            return self._eval(self._expansion(q, seg), seg, cand)
        else:  # a bare NOT (validated to sit under AND only)
            raise Unsupported("NOT outside AND")
        if q.boost != 1.0 and not (kind in (wq.And, wq.Or) and len(q.subqueries) == 1):
            # (Whoosh ignores the boost of a compound query with a single subquery.)
            found = self._scaled(found, q.boost)
        return found

    # -- operations on scored sets (``VectorEngine`` does the same on arrays) ---------------

    @staticmethod
    def _size(found: Scores) -> int:
        return len(found)

    @staticmethod
    def _ones(members: Any) -> Scores:
        """The documents of a ``_members`` result, each scored 1.0."""
        return dict.fromkeys(members, 1.0)

    @staticmethod
    def _scaled(found: Scores, boost: float) -> Scores:
        return {d: s * boost for d, s in found.items()}

    @staticmethod
    def _ids(found: Scores) -> List[int]:
        """The sorted docnums of ``found``: the candidates of what is evaluated next."""
        return sorted(found)

    @staticmethod
    def _both(found: Scores, scores: Scores) -> Scores:
        """The documents in both, with the scores added (``found``'s first)."""
        return {d: found[d] + s for d, s in scores.items() if d in found}

    @staticmethod
    def _either(found: Scores, scores: Scores) -> Scores:
        """The documents in either, with the scores of those in both added."""
        if not found:
            return scores
        both = found.keys() & scores.keys()
        merged = {**found, **scores}
        for d in both:
            merged[d] = found[d] + scores[d]
        return merged

    @staticmethod
    def _without(found: Scores, excluded: Any, bonus: float) -> Scores:
        """``found`` less the ``excluded`` documents, the rest scored ``bonus`` higher."""
        return {d: s + bonus for d, s in found.items() if d not in excluded}

    @staticmethod
    def _only(found: Scores, matched: Any) -> Scores:
        return {d: s for d, s in found.items() if d in matched}

    def _norm_table(self, fieldname: str) -> List[float]:
        """``K1 * ((1 - B) + B * fl / avgfl)`` for each of the 256 encoded lengths."""
        table = self._norms.get(fieldname)
        if table is None:
            B = self._field_B.get(fieldname, self.B)
            K1 = self.K1
            avgfl = self.searcher.avg_field_length(fieldname) or 1
            table = [K1 * ((1 - B) + B * byte_to_length(b) / avgfl) for b in range(256)]
            self._norms[fieldname] = table
        return table

    def _btext(self, fieldname: str, text: Any) -> Optional[bytes]:
        """The term's bytes, or None for a word Whoosh cannot encode (a lone surrogate from
        undecodable input), which is in no document."""
        try:
            return self.schema[fieldname].to_bytes(text)
        except ValueError:
            return None

    def _term(self, fieldname: str, text: Any, seg: Segment, cand: Optional[List[int]]) -> Scores:
        """BM25F scores of the documents holding the term (weights for unscored fields)."""
        field = self.schema[fieldname]
        btext = self._btext(fieldname, text)
        if btext is None:
            return {}
        blocks = seg.blocks(fieldname, btext, cand)
        if not blocks:
            return {}
        scores: Scores = {}
        # Among candidates, only their postings are scored (a common word's blocks hold
        # many documents the candidates exclude).
        keep = None if cand is None else set(cand)
        if field.scorable:
            idf = self.searcher.idf(fieldname, btext)
            k1p1 = self.K1 + 1
            norm = self._norm_table(fieldname)
            lens = seg.lengths(fieldname)
            for ids, weights, _ in blocks:
                self._check()
                if keep is None:
                    scores.update(zip(ids, [idf * ((w * k1p1) / (w + norm[lens[d]])) for d, w in zip(ids, weights)]))
                else:
                    scores.update({
                        d: idf * ((w * k1p1) / (w + norm[lens[d]])) for d, w in zip(ids, weights) if d in keep
                    })
        else:
            for ids, weights, _ in blocks:
                scores.update(zip(ids, weights) if keep is None else {d: w for d, w in zip(ids, weights) if d in keep})
        return scores

    def _phrase(self, q: wq.Phrase, seg: Segment, cand: Optional[List[int]]) -> Scores:
        """Documents with the words in order, each within ``slop`` positions after the one
        before (Whoosh's ``SpanNear2`` with ``mindist=1``), scored as the sum of the words'
        scores. Positions are decoded only for documents that have every word."""
        field = self.schema[q.fieldname]
        found: Any = None
        for word in q.words:
            scores = self._term(q.fieldname, word, seg, cand)
            found = scores if found is None else self._both(found, scores)
            if not self._size(found):
                return found
            cand = self._ids(found)
        assert found is not None and cand is not None
        btexts = [field.to_bytes(word) for word in q.words]
        matched = self._phrase_matches(q.fieldname, btexts, q.slop, seg, cand, field.format.decode_positions)
        return self._only(found, matched)

    def _phrase_matches(self, fieldname: str, btexts: List[bytes], slop: int, seg: Segment, cand: List[int],
                        decode: Callable[[bytes], List[int]]) -> Set[int]:
        """The documents of ``cand`` where each word follows the one before within ``slop``
        positions, checked one document at a time.

        (Matching whole posting lists as sets of ``docnum << 32 | position`` keys instead, at C
        speed, was no faster here: making a Python int per position costs as much as the
        per-document loop saves.)"""
        keep = set(cand)
        positions = []
        for btext in btexts:
            vals: Dict[int, Sequence[int]] = {}
            raw = seg.raw_blocks(fieldname, btext)
            if raw:
                for _, _, data in seg.chosen(raw, cand):
                    parts = split_block(data)
                    block = block_positions(parts)
                    if block is None:
                        raise Unsupported("positions of another format")
                    counts, in_block = block
                    for d, n, end in zip(block_ids(parts), counts, accumulate(counts)):
                        if d in keep:
                            vals[d] = in_block[end - n : end]
            elif raw is False:  # an inlined list (or another codec): read it the generic way
                for ids, _, values in seg.blocks(fieldname, btext, cand, values=True):
                    vals.update((d, decode(v)) for d, v in zip(ids, values) if d in keep)
            positions.append(vals)
        out: Set[int] = set()
        for d in cand:
            current = positions[0][d]
            for vals in positions[1:]:
                following = []
                for p in vals[d]:
                    i = bisect_left(current, p)  # current[i - 1] is the last position before p
                    if i and p - current[i - 1] <= slop:
                        following.append(p)
                current = following
                if not current:
                    break
            if current:
                out.add(d)
        return out

    def _dates(self, q: wq.DateRange, seg: Segment, cand: Optional[List[int]]) -> Scores:
        """Constant score 1.0 for dated documents in range, as Whoosh's range query gives."""
        lo = 0 if q.start is None else q.start + (1 if q.startexcl else 0)
        hi = NO_DATE - 1 if q.end is None else min(q.end - (1 if q.endexcl else 0), NO_DATE - 1)
        dates = seg.dates(q.fieldname)
        if cand is None:
            return {d: 1.0 for d, v in enumerate(dates) if lo <= v <= hi}
        return {d: 1.0 for d in cand if lo <= dates[d] <= hi}

    def _cost(self, q: wq.Query) -> float:
        """An estimate of how many documents ``q`` matches, to start an AND with the fewest
        (worked out once per query node, not once per segment)."""
        found = self._costs.get(id(q))
        if found is None:
            found = self._costs[id(q)] = self._estimate(q)
        return found

    def _estimate(self, q: wq.Query) -> float:
        kind = type(q)
        if kind is wq.Term:
            return self._df(q.fieldname, q.text)
        if kind is wq.Phrase:
            return min((self._df(q.fieldname, w) for w in q.words), default=0)
        if kind is wq.Or:
            return sum(self._cost(s) for s in q.subqueries)
        if kind is wq.And:
            return min((self._cost(s) for s in q.subqueries if type(s) is not wq.Not), default=float("inf"))
        return float("inf")  # date ranges: filter, do not drive

    def _df(self, fieldname: str, text: Any) -> int:
        btext = self._btext(fieldname, text)
        return 0 if btext is None else self.searcher.doc_frequency(fieldname, btext)

    def _and(self, subs: Sequence[wq.Query], seg: Segment, cand: Optional[List[int]]) -> Scores:
        # (Prefix and fuzzy queries cost inf: they run last, among the candidates.)
        positives = sorted((s for s in subs if type(s) is not wq.Not), key=self._cost)
        negatives = [s for s in subs if type(s) is wq.Not]
        found: Any = None
        for sub in positives:
            scores = self._eval(sub, seg, cand)
            found = scores if found is None else self._both(found, scores)
            if not self._size(found):
                return found
            cand = self._ids(found)
        if found is None:
            raise Unsupported("AND of NOTs only")
        for sub in negatives:
            excluded = self._members(sub.query, seg, cand)
            # Whoosh's inverse matcher scores each document 1.0, whatever the boost.
            found = self._without(found, excluded, 1.0)
            if not self._size(found):
                return found
            cand = self._ids(found)
        return found

    def _or(self, subs: Sequence[wq.Query], seg: Segment, cand: Optional[List[int]]) -> Scores:
        found: Any = None
        for sub in subs:
            scores = self._eval(sub, seg, cand)
            found = scores if found is None else self._either(found, scores)
        return found

    def _members(self, q: wq.Query, seg: Segment, cand: Optional[List[int]]) -> Set[int]:
        """The documents matching ``q`` (among ``cand``), unscored: what a NOT excludes."""
        kind = type(q)
        if kind is wq.Term:
            btext = self._btext(q.fieldname, q.text)
            if btext is None:
                return set()
            found: Set[int] = set()
            for ids, _, _ in seg.blocks(q.fieldname, btext, cand, weights=False):
                found.update(ids)
            return found if cand is None else found.intersection(cand)
        if kind is wq.Or:
            found = set()
            for sub in q.subqueries:
                found |= self._members(sub, seg, cand)
            return found
        return set(self._eval(q, seg, cand))
