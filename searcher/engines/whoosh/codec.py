"""Whoosh's W3 codec with posting blocks that decode at C speed.

W3 writes each block of 128 postings as one zlib-compressed pickle of three tuples (ids,
weights, values), so reading a block for any query means decompressing and unpickling
every position list in it, and creating a Python object per id, weight and value: on a
100,000-article index that was 220 µs a block, most of a common word's search time.

``NewsCodec`` keeps W3's files, term index and statistics, and changes the blocks: the block
info (W3 pickles it) is a fixed struct, and the data holds ids (delta-encoded) and weights
as raw arrays, then the values (positions) as a separately compressed section that only
phrase queries decode. Decoding ids and weights is two ``array.frombytes`` calls, and
writing pickles nothing. The positions of a ``NewsPositions`` field are stored for the whole
block at once: the number of positions of each posting, then every position of the block
as one array of differences (small numbers, which compress well): a block's positions
decode with one ``frombytes`` and one running sum.
Readers open each segment with the codec that wrote it, so indexes made by plain W3 still
read; the schema version marks the change.
"""

from __future__ import annotations

import struct
import sys
import zlib
from array import array
from itertools import accumulate, chain, repeat
from operator import rshift, sub
from typing import Any, List, Optional, Tuple

from searcher.engines.whoosh import fixes  # noqa: F401,I001  (first: Whoosh imported lean and corrected)
from whoosh.codec.whoosh3 import WHOOSH3_HEADER_MAGIC, W3Codec, W3LeafMatcher, W3PostingsWriter
from whoosh.system import _INT_SIZE
from whoosh.util.numeric import byte_to_length, length_to_byte

from searcher.engines.whoosh.schema import NewsPositions

# Block info (what W3 pickles): postings, last id, top weight, compressed, length bytes.
_INFO = struct.Struct("<IIdBBB")
_BLOCK_LENGTH = struct.Struct("!i")  # W3's write_int: a big-endian signed int
_unpack_int = _BLOCK_LENGTH.unpack
# id typecode, weight kind, value kind, values compressed, posting count, value count, weight
_HEAD = struct.Struct("<cBBBIIf")
_W_ONES, _W_CONST, _W_ARRAY = 0, 1, 2
_V_NONE, _V_FIXED, _V_VARIABLE, _V_POSITIONS = 0, 1, 2, 3
_SWAP = sys.byteorder != "little"  # blocks are little-endian on disk
assert array("I").itemsize == 4 and array("f").itemsize == 4, "the block layout needs 4-byte I and f arrays"
#: Values sections shorter than this are stored uncompressed.
_COMPRESS_MIN = 64


def _raw(values: array) -> bytes:
    if _SWAP:
        values = array(values.typecode, values)
        values.byteswap()
    return values.tobytes()


def _load(typecode: str, data: bytes) -> array:
    out = array(typecode)
    out.frombytes(data)
    if _SWAP:
        out.byteswap()
    return out


def _id_typecode(top: int) -> str:
    return "B" if top < 256 else "H" if top < 65536 else "I"


class NewsPostingsWriter(W3PostingsWriter):
    """W3's postings writer with the block layout described in the module doc."""

    def finish_postings(self) -> Any:
        # W3's finish_postings, with its inlining working: it calls ``set_inline``, which
        # W3TermInfo does not have (``set_inlined``), so any inline limit above 1 crashed.
        terminfo = self._terminfo
        if not self.written() and len(self) < self._inlinelimit:
            terminfo.add_block(self)
            # A block gives None as the value of a posting of a valueless format (ids,
            # kinds); so does an inlined list, rather than ListMatcher's "" for no values.
            values = (None,) * len(self._ids) if self._format.fixed_value_size() == 0 else self._values
            terminfo.set_inlined(self._ids, self._weights, values)
        else:
            if self._ids:
                self._write_block(last=True)
            terminfo.set_extent(self._startoffset, self._postfile.tell() - self._startoffset)
        self._terminfo = None
        return terminfo

    def _write_block(self, last: bool = False) -> None:
        if not self._blockcount:
            self._postfile.write(WHOOSH3_HEADER_MAGIC)
        self._terminfo.add_block(self)
        self._postfile.write(
            block_bytes(
                self._format, self._compression, self._ids, self._weights, self._values,
                self._maxweight, self._minlength, self._maxlength, last,
            )
        )
        self._blockcount += 1
        self._new_block()


def block_bytes(
    format_: Any, compression: int, ids: Any, weights: Any, values: List[bytes],
    maxweight: float, minlength: Optional[int], maxlength: int, last: bool,
) -> bytes:
    """One block of a posting list as the postings file holds it: its length (negative
    for the list's last block, as W3 writes it), its info, its data. ``values`` holds the
    postings' non-empty values and ``weights`` their weights as an ``array("f")``; the
    statistics are the block's (``W3PostingsWriter``'s)."""
    n = len(ids)
    deltas = list(map(sub, ids, chain((0,), ids)))
    idcode = _id_typecode(max(deltas))
    parts = [b"", _raw(array(idcode, deltas))]
    wconst = 0.0
    if weights.count(1.0) == n:
        wkind = _W_ONES
    elif weights.count(weights[0]) == n:
        wkind, wconst = _W_CONST, weights[0]
    else:
        wkind = _W_ARRAY
        parts.append(_raw(array("f", weights)))
    fixedsize = format_.fixed_value_size()
    vcount = len(values)
    if fixedsize == 0:
        vkind, section = _V_NONE, b""
    elif type(format_) is NewsPositions:
        vkind, section = _V_POSITIONS, _positions_section(values)
    elif fixedsize is not None and fixedsize > 0:
        vkind, section = _V_FIXED, b"".join(values)
    else:
        vkind = _V_VARIABLE
        section = _raw(array("I", [len(v) for v in values])) + b"".join(values)
    comp = 0
    if compression and len(section) >= _COMPRESS_MIN:
        comp = compression
        section = zlib.compress(section, comp)
    parts[0] = _HEAD.pack(idcode.encode("ascii"), wkind, vkind, 1 if comp else 0, n, vcount, wconst)
    parts.append(section)
    databytes = b"".join(parts)
    infobytes = _INFO.pack(n, ids[-1], maxweight, comp, length_to_byte(minlength), length_to_byte(maxlength))
    blocklength = len(infobytes) + len(databytes)
    return _BLOCK_LENGTH.pack(-blocklength if last else blocklength) + infobytes + databytes


def _positions_section(values: Any) -> bytes:
    """A block's ``NewsPositions`` values: a delta typecode, each posting's count of
    positions, then the differences between consecutive positions across the whole block
    (the first position of a posting usually gives a negative one)."""
    counts = array("I", map(rshift, map(len, values), repeat(2)))
    positions = _load("I", b"".join(values))
    deltas = list(map(sub, positions, chain((0,), positions)))
    code = "h" if -32768 <= min(deltas, default=0) and max(deltas, default=0) <= 32767 else "i"
    return code.encode("ascii") + _raw(counts) + _raw(array(code, deltas))


def _positions_parts(section: Any, vcount: int) -> Tuple[str, Any, Any]:
    """What ``_positions_section`` wrote, in its parts: (typecode of the differences, the
    counts as little-endian uint32, the differences)."""
    return chr(section[0]), section[1 : 1 + 4 * vcount], section[1 + 4 * vcount :]


def _read_positions(vcount: int, section: bytes) -> Tuple[array, List[int]]:
    """What ``_positions_section`` wrote: (counts, absolute positions)."""
    code, counts, deltas = _positions_parts(section, vcount)
    return _load("I", counts), list(accumulate(_load(code, deltas)))


def split_block(b: Any) -> Tuple[str, Any, int, Any, float, int, int, int, Any]:
    """A block's data in its parts: (id typecode, ids as differences, weight kind, weights
    or None, the weight of every posting when weights is None, value kind, values
    compressed, value count, values)."""
    idcode, wkind, vkind, vcomp, n, vcount, wconst = _HEAD.unpack_from(b)
    start = _HEAD.size
    idcode = idcode.decode("ascii")
    idsize = array(idcode).itemsize
    ids = b[start : start + n * idsize]
    start += n * idsize
    weights = None
    if wkind == _W_ARRAY:
        weights = b[start : start + n * 4]
        start += n * 4
    elif wkind == _W_ONES:
        wconst = 1.0
    return idcode, ids, wkind, weights, wconst, vkind, vcomp, vcount, b[start:]


def block_ids(parts: Tuple[Any, ...]) -> Tuple[int, ...]:
    """The docnums of a block from its ``split_block`` parts."""
    return tuple(accumulate(_load(parts[0], parts[1])))


def block_weights(parts: Tuple[Any, ...], n: int) -> array:
    """The ``n`` weights of a block from its ``split_block`` parts."""
    if parts[3] is not None:
        return _load("f", parts[3])
    return array("f", [parts[4]]) * n


def raw_positions(parts: Tuple[Any, ...]) -> Optional[Tuple[str, Any, Any]]:
    """A block's positions from its ``split_block`` parts, decompressed but not decoded:
    (typecode of the differences across the block, each posting's count as little-endian
    uint32, the differences, little-endian), or None for a block of another format."""
    vkind, vcomp, vcount, section = parts[5:]
    if vkind != _V_POSITIONS:
        return None
    return _positions_parts(zlib.decompress(section) if vcomp else section, vcount)


def block_positions(parts: Tuple[Any, ...]) -> Optional[Tuple[array, List[int]]]:
    """A block's (number of positions of each posting, every position of the block in
    posting order) from its ``split_block`` parts, or None for a block of another format."""
    raw = raw_positions(parts)
    if raw is None:
        return None
    code, counts, deltas = raw
    return _load("I", counts), list(accumulate(_load(code, deltas)))


class BlockDamage(Exception):
    """A posting list's bytes contradict the block layout: the file is damaged."""


def read_blocks(postfile: Any, offset: int, length: int) -> List[Tuple[int, int, Any]]:
    """Every block of the posting list at ``offset`` (a term info's extent), undecoded:
    (postings, last id, data as a memoryview), read with one file access instead of a
    matcher step per block. Raises ``BlockDamage`` (or ``struct.error``) for bytes that
    are not a posting list."""
    if offset < 0 or length < 4:
        raise BlockDamage(f"a posting list at {offset} of {length} bytes")
    extent = memoryview(postfile.get(offset, length))
    if bytes(extent[:4]) != WHOOSH3_HEADER_MAGIC:
        raise BlockDamage("not a posting list")
    out = []
    pos = 4
    head = _INT_SIZE + _INFO.size
    while True:
        blocklength = _unpack_int(extent[pos : pos + _INT_SIZE])[0]
        n, maxid = _INFO.unpack_from(extent, pos + _INT_SIZE)[:2]
        end = pos + _INT_SIZE + abs(blocklength)
        out.append((n, maxid, extent[pos + head : end]))
        if blocklength < 0:
            return out
        pos = end


class NewsLeafMatcher(W3LeafMatcher):
    """W3's leaf matcher reading ``NewsPostingsWriter`` blocks; values decode on demand."""

    def _read_header(self) -> None:
        # W3's, raising BlockDamage rather than a bare Exception for a damaged file.
        if self._startoffset < 0 or self._postfile.get(self._startoffset, 4) != WHOOSH3_HEADER_MAGIC:
            raise BlockDamage("not a posting list")
        self._baseoffset = self._startoffset + 4

    def _goto(self, position: int) -> None:
        # W3's _goto, with the block info read as one struct instead of a pickle.
        self._data = None
        self._ids = None
        self._weights = None
        self._values = None
        self._i = 0
        head = self._postfile.get(position, _INT_SIZE + _INFO.size)
        length = _unpack_int(head[:_INT_SIZE])[0]
        if length < 0:
            self._lastblock = True
            length = -length
        self._nextoffset = position + _INT_SIZE + length
        self._dataoffset = position + _INT_SIZE + _INFO.size
        (self._blocklength, self._maxid, self._maxweight, self._compression, mnlen, mxlen) = _INFO.unpack_from(head, _INT_SIZE)
        self._minlength = byte_to_length(mnlen)
        self._maxlength = byte_to_length(mxlen)

    def _read_data(self) -> None:
        b = self._postfile.get(self._dataoffset, self._nextoffset - self._dataoffset)
        self._data = b

    def _parts(self) -> Tuple[Any, ...]:
        if self._data is None:
            self._read_data()
        return split_block(self._data)

    def _read_ids(self) -> None:
        self._ids = block_ids(self._parts())

    def _read_weights(self) -> None:
        self._weights = block_weights(self._parts(), self._blocklength)

    def _values_section(self) -> Tuple[int, int, bytes]:
        *_, vkind, vcomp, vcount, section = self._parts()
        if vcomp:
            section = zlib.decompress(section)
        return vkind, vcount, section

    def _read_values(self) -> None:
        vkind, vcount, section = self._values_section()
        fixedsize = self._fixedsize
        if vkind == _V_POSITIONS:
            counts, positions = _read_positions(vcount, section)
            blob = _raw(array("I", positions))
            ends = [4 * e for e in accumulate(counts)]
            self._values = tuple(blob[e - 4 * n : e] for n, e in zip(counts, ends))
        elif vkind == _V_VARIABLE:
            lengths = _load("I", section[: vcount * 4])
            blob = section[vcount * 4 :]
            ends = list(accumulate(lengths))
            self._values = tuple(blob[e - n : e] for n, e in zip(lengths, ends))
        elif vkind == _V_NONE:
            self._values = (None,) * self._blocklength
        else:
            self._values = tuple(section[i : i + fixedsize] for i in range(0, len(section), fixedsize))


class NewsCodec(W3Codec):
    """W3 with ``NewsPostingsWriter`` blocks; see the module doc."""

    def postings_writer(self, dbfile: Any, byteids: bool = False) -> W3PostingsWriter:
        if byteids:  # term vectors keep W3's layout (searcher stores none)
            return super().postings_writer(dbfile, byteids=byteids)
        return NewsPostingsWriter(
            dbfile,
            blocklimit=self._blocklimit,
            byteids=byteids,
            compression=self._compression,
            inlinelimit=self._inlinelimit,
        )

    def postings_reader(self, dbfile: Any, terminfo: Any, format_: Any, term: Any = None,
                        scorer: Any = None) -> Any:
        if terminfo.is_inlined():
            return super().postings_reader(dbfile, terminfo, format_, term=term, scorer=scorer)
        offset, length = terminfo.extent()
        return NewsLeafMatcher(dbfile, offset, length, format_, term=term, scorer=scorer)


#: Posting lists shorter than this are stored inside their term's entry (most terms of a
#: news archive occur in one or two articles; writing each as a block cost more than the rest).
INLINE_LIMIT = 3


def codec() -> NewsCodec:
    """The codec new segments are written with."""
    return NewsCodec(inlinelimit=INLINE_LIMIT)
