"""A faster Whoosh segment writer that writes the very same index bytes.

Profiling ``SegmentWriter`` on news articles showed the time going to per-posting
bookkeeping rather than to real work:

* every posting becomes a 5-tuple in a ``PostingPool`` (with a size estimate per add), and
  the pool sorts all of them at commit;
* at commit, ``FieldWriter.add_postings`` asks the per-document reader for the field
  length of every single posting (four calls deep);
* ``Positions.word_values`` runs the analyzer through two more generator layers and two
  ``defaultdict``\\ s.

``FastWriter`` keeps the postings of new documents in a dict per field (term → docnums,
weights, values), which is already grouped by term and ordered by document, so a commit
only sorts the distinct terms and writes each field in one pass (``searcher.termwriter``);
looks each document's field lengths up once; and builds position postings for
``NewsTokenizer`` fields in one pass. Segments merged in by the merge policy are streamed
back from disk, merged with ``heapq.merge`` instead of being sorted in a pool, and written
term by term through Whoosh's field writer (the path ``termwriter``'s bytes are tested
against). The formats and the postings written are Whoosh's own (the block layout is
``searcher.codec``'s), so the postings, stored fields and lengths read back are those
Whoosh's own writer gives (``tests/test_fastindex.py`` checks this).
"""

from __future__ import annotations

import heapq
import sys
from array import array
from datetime import datetime
from itertools import accumulate, chain
from typing import Any, Dict, Iterable, Iterator, List, NamedTuple, Optional, Tuple

from searcher.engines.whoosh import fixes  # noqa: F401,I001  (first: Whoosh imported lean and corrected)
from whoosh.reading import SegmentReader
from whoosh.writing import SegmentWriter

from searcher.engines.whoosh.schema import NewsPositions, NewsTokenizer
from searcher.engines.whoosh.termwriter import write_field

_encode_positions = NewsPositions().encode
_BIG_ENDIAN = sys.byteorder != "little"

# term bytes -> [docnums, weights, values]
_Postings = Dict[bytes, Tuple[List[int], List[float], List[bytes]]]


def positions_items(analyzer: NewsTokenizer, value: str, field_boost: float) -> List[Tuple[bytes, int, float, bytes]]:
    """What ``TEXT(...).index(value)`` gives for a ``NewsPositions`` field analysed by a
    ``NewsTokenizer``, byte for byte, in one pass (the tokenizer's boost is always 1.0)."""
    encode = _encode_positions
    return [
        (text.encode("utf-8"), len(plist), float(len(plist)) * field_boost, encode(plist))
        for text, plist in analyzer.term_positions(value).items()
    ]


class Packed(NamedTuple):
    """``positions_items`` of one value in three flat byte strings, which a reader process
    builds and pickles in a few C calls (a tuple per term cost more to build and to pickle
    than the analysis itself): the terms in order, UTF-8, each ended by a NUL (no term holds
    one: terms are runs of word characters); each term's number of positions (native uint32);
    every position, term after term (``NewsPositions.encode``'s bytes, concatenated)."""

    terms: bytes
    counts: bytes
    positions: bytes


def pack_positions(analyzer: NewsTokenizer, value: str) -> Packed:
    """``positions_items(analyzer, value, ...)`` as a ``Packed``."""
    found = analyzer.term_positions(value)
    lists = found.values()
    positions = array("I", chain.from_iterable(lists))
    if _BIG_ENDIAN:
        positions.byteswap()
    terms = "".join([t + "\0" for t in found]).encode("utf-8")
    return Packed(terms, array("I", map(len, lists)).tobytes(), positions.tobytes())


def unpack_positions(packed: Packed, field_boost: float) -> Tuple[List[bytes], array, List[float], List[bytes]]:
    """What ``positions_items`` gives for the value ``packed`` was made from, as columns:
    (terms, counts, weights, values)."""
    counts = array("I")
    counts.frombytes(packed.counts)
    blob = packed.positions
    ends = [4 * e for e in accumulate(counts)]
    return (
        packed.terms.split(b"\0")[: len(counts)],
        counts,
        [float(n) * field_boost for n in counts],
        [blob[e - 4 * n : e] for n, e in zip(counts, ends)],
    )


def _add_packed(postings: _Postings, packed: Packed, docnum: int, field_boost: float, boost: float) -> int:
    """``add_document``'s posting loop for a ``Packed`` value: the same entries (weight
    ``float(count) * field_boost * boost``), from columns rather than a tuple per posting;
    returns the value's length (its number of positions)."""
    terms, counts, weights, values = unpack_positions(packed, field_boost)
    if boost != 1.0:
        weights = [w * boost for w in weights]
    get = postings.get
    for term, weight, value in zip(terms, weights, values):
        entry = get(term)
        if entry is None:
            postings[term] = ([docnum], [weight], [value])
        else:
            entry[0].append(docnum)
            entry[1].append(weight)
            entry[2].append(value)
    return sum(counts)


#: Postings computed ahead of time (in a reader process), keyed by (field name, value) and
#: used by ``FastWriter.add_document``; ``searcher.pipeline`` fills it one file at a time.
PREANALYSED: Dict[Tuple[str, str], Any] = {}


def preanalyse(schema: Any, fields: Iterable[Tuple[str, Any]]) -> List[Any]:
    """What ``FastWriter.add_document`` would compute for (field name, value) pairs: position
    postings for fast fields, ``field.index(value)`` for other indexed ones, None otherwise."""
    out: List[Any] = []
    for name, value in fields:
        field = schema[name] if name in schema else None
        if field is None or not field.indexed or value is None:
            out.append(None)
        elif _fast_field(field) and isinstance(value, str):
            out.append(pack_positions(field.analyzer, value))
        else:
            out.append(list(field.index(value)))
    return out


def _fast_field(field: Any) -> bool:
    return type(field.format) is NewsPositions and type(field.analyzer) is NewsTokenizer


def supported(schema: Any) -> bool:
    """FastWriter handles schemas without term vectors or separate spelling fields."""
    return not any(f.vector or f.separate_spelling() for _, f in schema.items())


class FastWriter(SegmentWriter):
    """A ``SegmentWriter`` with an in-memory, term-grouped posting buffer (see module doc)."""

    def __init__(self, ix: Any, **kwargs: Any) -> None:
        super().__init__(ix, **kwargs)
        self._mem: Dict[str, _Postings] = {}
        self._merged: List[Tuple[Any, int, Optional[Dict[int, int]]]] = []
        self._fast_fields = {name for name, f in self.schema.items() if _fast_field(f)}

    def add_document(self, **fields: Any) -> None:  # noqa: C901 (mirrors SegmentWriter)
        self._check_state()
        perdocwriter = self.perdocwriter
        schema = self.schema
        docnum = self.docnum
        mem = self._mem
        docboost = self._doc_boost(fields)
        fieldnames = sorted(name for name in fields if not name.startswith("_"))
        self._check_fields(schema, fieldnames)
        perdocwriter.start_doc(docnum)
        try:
            for fieldname in fieldnames:
                value = fields.get(fieldname)
                if value is None:
                    continue
                field = schema[fieldname]
                length = 0
                if field.indexed:
                    fieldboost = self._field_boost(fields, fieldname, docboost)
                    postings = mem.get(fieldname)
                    if postings is None:
                        postings = mem[fieldname] = {}
                    items: Optional[Iterable[Any]] = None
                    if PREANALYSED and isinstance(value, (str, datetime)):
                        items = PREANALYSED.get((fieldname, value))
                    if type(items) is Packed:
                        length = _add_packed(postings, items, docnum, field.format.field_boost, fieldboost)
                        if not field.scorable:
                            length = 0
                    else:
                        if items is None:
                            if fieldname in self._fast_fields and isinstance(value, str):
                                items = positions_items(field.analyzer, value, field.format.field_boost)
                            else:
                                items = field.index(value)
                        scorable = field.scorable
                        for tbytes, freq, weight, vbytes in items:
                            if scorable:
                                length += freq
                            entry = postings.get(tbytes)
                            if entry is None:
                                entry = postings[tbytes] = ([], [], [])
                            entry[0].append(docnum)
                            entry[1].append(weight * fieldboost)
                            entry[2].append(vbytes)
                customval = fields.get("_stored_%s" % fieldname, value)
                perdocwriter.add_field(fieldname, field, customval if field.stored else None, length)
                column = field.column_type
                if column and customval is not None:
                    perdocwriter.add_column_value(fieldname, column, field.to_column_value(customval))
        except Exception:
            perdocwriter.cancel_doc()
            raise
        perdocwriter.finish_doc()
        self._added = True
        self.docnum += 1

    # Merges: remember the segment and stream its postings back at flush time (the reader
    # the merge policy passes is closed right after this call).
    def add_postings_to_pool(self, reader: Any, startdoc: int, docmap: Optional[Dict[int, int]]) -> None:
        self._merged.append((reader.segment(), startdoc, docmap))

    def _mem_stream(self) -> Iterator[Tuple[str, bytes, int, float, bytes]]:
        for fieldname in sorted(self._mem):
            postings = self._mem[fieldname]
            for btext in sorted(postings):
                docs, weights, values = postings[btext]
                for i, d in enumerate(docs):
                    yield fieldname, btext, d, weights[i], values[i]

    def _segment_stream(self, segment: Any, startdoc: int, docmap: Optional[Dict[int, int]]) -> Iterator[Any]:
        reader = SegmentReader(self.storage, self.schema, segment)
        try:
            yield from self._process_posts(reader.iter_postings(), startdoc, docmap)
        finally:
            reader.close()

    def _flush_segment(self) -> None:
        self.perdocwriter.close()
        pdr = self.per_document_reader() if self.codec.length_stats else None
        try:
            lengths = _Lengths(pdr, self.docnum)
            if not self._merged:
                self._write_grouped(lengths)
            else:
                streams = [self._mem_stream()] + [self._segment_stream(*m) for m in self._merged]
                self._write_stream(lengths, heapq.merge(*streams))
            self.fieldwriter.close()
        finally:
            if pdr is not None:
                pdr.close()
        self._mem = {}

    def _write_grouped(self, lengths: "_Lengths") -> None:
        for fieldname in sorted(self._mem):
            postings = self._mem[fieldname]
            if postings:
                write_field(self.fieldwriter, fieldname, self.schema[fieldname], postings, lengths.of(fieldname))

    def _write_stream(self, lengths: "_Lengths", items: Iterable[Any]) -> None:
        fw = self.fieldwriter
        lastfn: Optional[str] = None
        lasttext: Optional[bytes] = None
        lens: List[Any] = []
        for fieldname, btext, docnum, weight, value in items:
            if fieldname != lastfn:
                if lasttext is not None:
                    fw.finish_term()
                if lastfn is not None:
                    fw.finish_field()
                fw.start_field(fieldname, self.schema[fieldname])
                lens = lengths.of(fieldname)
                lastfn, lasttext = fieldname, None
            if btext != lasttext:
                if lasttext is not None:
                    fw.finish_term()
                fw.start_term(btext)
                lasttext = btext
            fw.add(docnum, weight, value or b"", lens[docnum])
        if lasttext is not None:
            fw.finish_term()
        if lastfn is not None:
            fw.finish_field()


class _Lengths:
    """Every document's length of a field, looked up once per field instead of once per
    posting; the same values ``FieldWriter.add_postings`` would ask for."""

    def __init__(self, pdr: Any, doccount: int) -> None:
        self._pdr = pdr
        self._doccount = doccount
        self._cache: Dict[str, List[Any]] = {}

    def of(self, fieldname: str) -> List[Any]:
        found = self._cache.get(fieldname)
        if found is None:
            if self._pdr is None:
                found = [0] * self._doccount
            else:
                dfl = self._pdr.doc_field_length
                found = [dfl(d, fieldname) for d in range(self._doccount)]
            self._cache[fieldname] = found
        return found


def new_writer(ix: Any, *, limitmb: int = 256) -> SegmentWriter:
    """The writer searcher indexes with: ``FastWriter`` when the schema allows it."""
    from searcher.engines.whoosh.codec import codec

    if supported(ix.schema):
        return FastWriter(ix, _lk=False, limitmb=limitmb, codec=codec())
    return SegmentWriter(ix, _lk=False, limitmb=limitmb, codec=codec())
