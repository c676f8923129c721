"""Near-duplicate detection for wire copies: word shingles, MinHash, LSH banding.

The same agency story reaches an archive many times, lightly edited by each outlet
(another headline, a byline, a sentence moved, a word changed here and there, a
paragraph added). An exact hash misses all of those; this module finds them.

At index time, :func:`signature` turns an article body into a fixed-size MinHash
signature (:data:`HASHES` 32-bit values, stored as :data:`SIGNATURE_BYTES` bytes):

* **Normalisation.** The body is case-folded and cut into words (``\\w+`` runs, so
  punctuation, quotes and spacing differences vanish) and sentence ends (``.``, ``!``,
  ``?`` and line breaks).
* **Shingles.** Every run of :data:`SHINGLE` consecutive words *inside one sentence*
  is a shingle; a sentence shorter than that is one shingle on its own. Shingles never
  span a sentence end, so moving sentences or paragraphs around changes nothing. The
  title is left out on purpose: a new headline is the commonest edit of all.
* **MinHash.** Each shingle is hashed once to 64 bits (CRC-32 of each word, a fixed
  per-position multiplier, a 64-bit finaliser); the signature holds, for each of
  :data:`HASHES` fixed hash functions ``(a * x + b) mod 2**64 >> 32``, the minimum over
  the shingles. The share of equal positions in two signatures estimates the Jaccard
  similarity of their shingle sets (standard error about ``sqrt(J(1-J)/HASHES)``,
  0.06 at J = 0.4). All seeds are constants, so a signature depends on the text only:
  the same on every machine, run and Python version.

At search time, :func:`group` takes the (id, date, source, signature) rows of a
result set, finds candidate pairs with LSH banding (:data:`BANDS` bands of
:data:`ROWS_PER_BAND` values: two articles become candidates when one band is equal,
which happens with probability ``1 - (1 - J**2)**32``: 0.95 at J = 0.3, 0.08 at
J = 0.05), keeps the candidates whose estimated Jaccard is at least the threshold
(default :data:`THRESHOLD`, chosen by ``benchmarks/wire_copies.py``), and returns the
connected groups, each earliest copy first.

Costs: see ``docs/analysis.md`` (measured with ``benchmarks/wire_copies.py --cost``).
Everything is numpy plus the standard library.
"""

from __future__ import annotations

import base64
import re
import zlib
from itertools import chain
from datetime import date as Date
from typing import Dict, Iterable, List, NamedTuple, Optional, Set, Tuple, Union

import numpy as np

__all__ = [
    "SHINGLE",
    "HASHES",
    "BANDS",
    "ROWS_PER_BAND",
    "THRESHOLD",
    "SIGNATURE_BYTES",
    "Signature",
    "DupRow",
    "Group",
    "signature",
    "signature_to_text",
    "signature_from_text",
    "similarity",
    "group",
    "group_page",
    "band_keys",
    "components",
]

#: Words per shingle.
SHINGLE = 3
#: 32-bit values per signature.
HASHES = 64
#: LSH bands, and values per band (``BANDS * ROWS_PER_BAND == HASHES``).
ROWS_PER_BAND = 2
BANDS = HASHES // ROWS_PER_BAND
#: Default estimated Jaccard similarity at or above which two articles are copies.
THRESHOLD = 0.3
#: Bands whose bucket holds more articles than this are compared along the bucket
#: (each member with the next) instead of pair by pair, so that a thousand identical
#: boilerplate bodies cost a thousand comparisons, not half a million.
MAX_BUCKET = 64
_VERIFY_CHUNK = 65_536  # candidate pairs compared at once (8 MB of uint16 per side)

# Serialised form: a 4-byte header (magic, format version, shingle size, hash count),
# then the values as little-endian uint32. A signature written with other parameters
# is recognised as such and never compared (it would estimate nothing).
_MAGIC = 0x6D  # "m"
_VERSION = 1
_HEADER = bytes((_MAGIC, _VERSION, SHINGLE, HASHES))
#: Length in bytes of a serialised signature.
SIGNATURE_BYTES = len(_HEADER) + 4 * HASHES

#: What :func:`signature` returns and :func:`group` reads: the serialised bytes, or
#: ``None`` for a body without a single word.
Signature = Optional[bytes]

_TOKEN = re.compile(r"\w+|[.!?\x00]")
_END = 0  # a sentence end, in the sequence of word hashes (words hash to 1 .. 2**32)
_ENDS = (_END,) * SHINGLE

# Fixed seeds: the hash functions of the signature (odd multipliers a, offsets b) and
# the per-position multipliers that make a shingle's hash depend on word order.
_rng = np.random.default_rng(20170207)
_A = (_rng.integers(0, 2**62, size=(HASHES, 1), dtype=np.uint64) << np.uint64(1)) | np.uint64(1)
_B = _rng.integers(0, 2**63, size=(HASHES, 1), dtype=np.uint64)
_POSITION = [np.uint64(int(p) | 1) for p in _rng.integers(0, 2**63, size=SHINGLE, dtype=np.uint64)]
del _rng
_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_S31, _S29, _S32 = np.uint64(31), np.uint64(29), np.uint64(32)

#: Whitespace-separated chunk -> the hashes of its words and sentence ends. News
#: vocabulary repeats, so nearly every chunk is a hit: one dict lookup per chunk, done
#: in C by ``map``, instead of a regular expression over the text.
_CHUNKS: Dict[str, Tuple[int, ...]] = {}
_MAX_CHUNKS = 200_000


def _chunk_hashes(chunk: str) -> Tuple[int, ...]:
    """Hashes of the words (CRC-32 of the case-folded word, plus 1) of one chunk, and
    :data:`SHINGLE` ends for each sentence end (``.``, ``!``, ``?``, a line break): a
    window that starts on a word then never reaches the next sentence, and a short
    sentence fits in one window with ends after it. Cached."""
    hashes: List[int] = []
    for token in _TOKEN.findall(chunk.casefold()):
        if token in ".!?\x00":
            hashes.extend(_ENDS)
        else:
            hashes.append(zlib.crc32(token.encode("utf-8")) + 1)
    found = tuple(hashes)
    if len(_CHUNKS) >= _MAX_CHUNKS:
        _CHUNKS.clear()
    _CHUNKS[chunk] = found
    return found


def _shingle_hashes(text: str) -> np.ndarray:
    """64-bit hashes of the shingles of ``text`` (repeats included), as described above."""
    chunks = text.replace("\n", " \x00 ").split()
    found: List[Optional[Tuple[int, ...]]] = list(map(_CHUNKS.get, chunks))
    if None in found:
        found = [f if f is not None else _chunk_hashes(c) for f, c in zip(found, chunks)]
    found.append(_ENDS)
    seq = np.fromiter(chain.from_iterable(found), dtype=np.uint64)  # type: ignore[arg-type]
    m = len(seq) - SHINGLE + 1
    if m <= 0:
        return np.empty(0, dtype=np.uint64)
    x = seq[:m] * _POSITION[0]
    for k in range(1, SHINGLE):
        x += seq[k : k + m] * _POSITION[k]
    # A shingle starts on a word and either is all words or is a whole short sentence.
    after_end = np.empty(m, dtype=bool)
    after_end[0] = True
    np.equal(seq[: m - 1], _END, out=after_end[1:])
    keep = (seq[:m] != _END) & ((seq[SHINGLE - 1 :] != _END) | after_end)
    x = x[keep]
    x ^= x >> _S31
    x *= _MIX1
    x ^= x >> _S29
    return np.asarray(x, dtype=np.uint64)


def signature(body: str) -> Signature:
    """The MinHash signature of an article body, serialised; ``None`` when it has no word.

    Deterministic (fixed seeds, no use of Python's salted ``hash``), about 0.1-0.3 ms for
    a 450-word article; meant to be computed once per article at index time and stored
    beside it (:data:`SIGNATURE_BYTES` bytes, or :func:`signature_to_text` for engines
    that store text).
    """
    shingles = _shingle_hashes(body)
    if not len(shingles):
        return None
    values = _A * shingles  # (HASHES, shingles): a * x + b, mod 2**64 ...
    values += _B
    mins = (values.min(axis=1) >> _S32).astype("<u4")  # ... its top 32 bits (min commutes with >>)
    return _HEADER + bytes(mins.tobytes())


def signature_to_text(sig: Signature) -> str:
    """The signature as ASCII (base64), for engines that store text; "" for ``None``."""
    return "" if sig is None else base64.b64encode(sig).decode("ascii")


def signature_from_text(text: str) -> Signature:
    """The inverse of :func:`signature_to_text`; ``None`` for "" or for text that is not a
    signature of this format (an index written by another version compares nothing)."""
    if not text:
        return None
    try:
        sig = base64.b64decode(text.encode("ascii"), validate=True)
    except (ValueError, UnicodeEncodeError):
        return None
    return sig if _valid(sig) else None


def _valid(sig: object) -> bool:
    return isinstance(sig, (bytes, bytearray, memoryview)) and len(sig) == SIGNATURE_BYTES and bytes(sig[:4]) == _HEADER


def _values(sig: bytes) -> np.ndarray:
    return np.frombuffer(sig, dtype="<u4", offset=len(_HEADER))


def similarity(a: Signature, b: Signature) -> float:
    """Estimated Jaccard similarity of two articles' shingle sets, 0.0 to 1.0 (0.0 when
    either signature is missing or of another format)."""
    if not (_valid(a) and _valid(b)):
        return 0.0
    return float(np.count_nonzero(_values(a) == _values(b))) / HASHES  # type: ignore[arg-type]


DateLike = Union[Date, None]


class DupRow(NamedTuple):
    """One article of a result set as :func:`group` needs it (any 4-tuple will do).

    ``date`` is a ``datetime`` (all aware or all naive) or a ``date``, or ``None``;
    ``signature`` is what :func:`signature` returned for the article's body.
    """

    id: str
    date: DateLike
    source: str
    signature: Signature


class Group(NamedTuple):
    """Copies of one story: ``members`` earliest first (by date, then id; undated last).

    ``rank`` is the position in the input rows of the group's first-listed member, so a
    ranked result list keeps its ranking when each group is shown once.
    """

    members: Tuple[DupRow, ...]
    rank: int

    @property
    def first(self) -> DupRow:
        """The earliest copy: the one to show."""
        return self.members[0]

    @property
    def copies(self) -> List[str]:
        """Ids of the other members, earliest first (empty when the article is alone)."""
        return [m.id for m in self.members[1:]]

    @property
    def sources(self) -> List[str]:
        """The source of every member, earliest first (repeats kept: "N copies: ...")."""
        return [m.source for m in self.members]


def _earliest(row: DupRow) -> Tuple[bool, object, str]:
    return (row.date is None, row.date if row.date is not None else 0, row.id)


class _Components:
    """Union-find over row numbers; rows never joined cost nothing."""

    def __init__(self, n: int) -> None:
        self.parent = list(range(n))
        self.touched: Set[int] = set()

    def joined(self) -> List[int]:
        """The rows that were joined to another, in order."""
        return sorted(self.touched)

    def find(self, i: int) -> int:
        parent = self.parent
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def union(self, i: int, j: int) -> None:
        ri, rj = self.find(i), self.find(j)
        self.touched.update((i, j))
        if ri != rj:
            self.parent[max(ri, rj)] = min(ri, rj)


def _band_keys(matrix: np.ndarray, band: int) -> np.ndarray:
    """One uint64 per row: the values of the row in ``band`` (exact for 2 values a band)."""
    cols = matrix[:, band * ROWS_PER_BAND : (band + 1) * ROWS_PER_BAND].astype(np.uint64)
    key = cols[:, 0].copy()
    for c in range(1, ROWS_PER_BAND):
        if ROWS_PER_BAND == 2:
            key <<= _S32
            key |= cols[:, c]
        else:
            key *= _MIX1
            key ^= cols[:, c]
    return key


def _candidate_pairs(matrix: np.ndarray) -> np.ndarray:
    """Row-number pairs (i < j) that share at least one LSH band, without repeats.

    Within a band, rows with equal keys form a bucket: every pair of a bucket of up to
    :data:`MAX_BUCKET` rows is a candidate, a larger bucket gives its rows in index
    order, each with the next. All vectorised: a bucket of two costs no Python.
    """
    n = matrix.shape[0]
    found: List[np.ndarray] = []
    for band in range(BANDS):
        key = _band_keys(matrix, band)
        order = np.argsort(key)
        ranked = key[order]
        starts = np.empty(n, dtype=bool)
        starts[0] = True
        np.not_equal(ranked[1:], ranked[:-1], out=starts[1:])
        run = np.cumsum(starts) - 1
        lengths = np.bincount(run)
        if lengths.max() < 2:
            continue
        big = lengths > MAX_BUCKET
        if big.any():
            # Index order inside large buckets, so that "each with the next" does not
            # depend on how argsort broke ties.
            order = order[np.lexsort((order, run))]
            in_big = big[run]
            same = in_big[1:] & (run[1:] == run[:-1])
            found.append(np.stack([order[:-1][same], order[1:][same]], axis=1))
        else:
            in_big = np.zeros(n, dtype=bool)
        small = lengths[~big]
        longest = int(small.max()) if len(small) else 0
        for d in range(1, longest):
            same = (run[d:] == run[:-d]) & ~in_big[d:]
            if same.any():
                found.append(np.stack([order[:-d][same], order[d:][same]], axis=1))
    if not found:
        return np.empty((0, 2), dtype=np.int64)
    pairs = np.concatenate(found).astype(np.int64)
    pairs.sort(axis=1)
    codes = np.unique(pairs[:, 0] * n + pairs[:, 1])
    return np.stack([codes // n, codes % n], axis=1)


def _verified(matrix: np.ndarray, pairs: np.ndarray, threshold: float) -> np.ndarray:
    """The candidate pairs whose estimated Jaccard similarity is at least ``threshold``.

    Compared on the low 16 bits of each value (b-bit minwise hashing): half the memory
    traffic, and two different 32-bit minima agree there once in 65,536 cases, so the
    estimate moves by less than 0.0001 on average. In chunks, so memory stays bounded
    however many candidates a large result set has.
    """
    low = matrix.astype(np.uint16)
    need = threshold * HASHES - 1e-9
    keep = []
    for start in range(0, len(pairs), _VERIFY_CHUNK):
        chunk = pairs[start : start + _VERIFY_CHUNK]
        agree = np.count_nonzero(low[chunk[:, 0]] == low[chunk[:, 1]], axis=1)
        keep.append(chunk[agree >= need])
    return np.concatenate(keep) if keep else pairs


def _linked(items: List[DupRow], threshold: float) -> "_Components":
    """The components of ``items``: union of every verified candidate pair (the root of a
    component is its lowest row number, so the first-listed member)."""
    head = len(_HEADER)
    signed = [
        i
        for i, sig in enumerate(row[3] for row in items)
        if type(sig) is bytes and len(sig) == SIGNATURE_BYTES and sig.startswith(_HEADER)
    ]
    components = _Components(len(items))
    if len(signed) > 1:
        matrix = np.frombuffer(
            b"".join([items[i][3][head:] for i in signed]), dtype="<u4"  # type: ignore[index]
        ).reshape(len(signed), HASHES)
        index = np.asarray(signed, dtype=np.int64)
        for i, j in index[_verified(matrix, _candidate_pairs(matrix), threshold)].tolist():
            components.union(i, j)
    return components


def _rows(rows: Iterable[Tuple[str, DateLike, str, Signature]]) -> List[DupRow]:
    return [row if type(row) is DupRow else DupRow(*row) for row in rows]


def group(rows: Iterable[Tuple[str, DateLike, str, Signature]], *, threshold: float = THRESHOLD) -> List[Group]:
    """Group the rows of a result set into copies of one story.

    ``rows`` are (id, date, source, signature) tuples, typically in ranking order. Two
    articles are linked when they share an LSH band and their estimated Jaccard
    similarity is at least ``threshold``; groups are the connected sets of links. Rows
    without a valid signature (``None``, or another format) are groups of their own.
    Groups come in the order of their first-listed member (see :attr:`Group.rank`);
    members are earliest first. Ties are broken by id, so the result does not depend on
    the order of equal-dated rows.
    """
    items = _rows(rows)
    components = _linked(items, threshold)
    members: Dict[int, List[int]] = {}
    find = components.find
    for i in components.joined():
        members.setdefault(find(i), []).append(i)
    groups: List[Group] = [
        Group(members=tuple(sorted((items[i] for i in found), key=_earliest)), rank=found[0])
        for found in members.values()
    ]
    joined = {i for found in members.values() for i in found}
    groups.extend(Group(members=(row,), rank=i) for i, row in enumerate(items) if i not in joined)
    groups.sort(key=lambda g: g.rank)
    return groups


def group_page(
    rows: Iterable[Tuple[str, DateLike, str, Signature]], offset: int, limit: int, *, threshold: float = THRESHOLD
) -> Tuple[int, List[Group]]:
    """``(len(group(rows)), group(rows)[offset:offset + limit])`` without building the
    groups outside the page: what a page of collapsed results needs from a large result
    set (the count stays exact, every row is still compared)."""
    items = _rows(rows)
    components = _linked(items, threshold)
    find, parent = components.find, components.parent
    members: Dict[int, List[int]] = {}
    for i in components.joined():
        members.setdefault(find(i), []).append(i)
    # A component's root is its first-listed member, so the stories in rank order are the
    # rows that are their own root.
    count = len(items) - sum(len(found) - 1 for found in members.values())
    page: List[Group] = []
    seen = 0
    for i in range(len(items)):
        if len(page) >= limit:
            break
        if parent[i] != i:
            continue
        if seen >= offset:
            found = members.get(i)
            if found is None:
                page.append(Group(members=(items[i],), rank=i))
            else:
                page.append(Group(members=tuple(sorted((items[j] for j in found), key=_earliest)), rank=i))
        seen += 1
    return count, page


_BAND_SALT = np.arange(BANDS, dtype=np.uint64) * np.uint64(0x9E3779B97F4A7C15)


def band_keys(signatures: List[Signature]) -> np.ndarray:
    """One row of :data:`BANDS` int64 keys per signature: two articles share a key exactly
    when their values in that band are equal (the LSH test of :func:`group`), up to a
    64-bit hash collision, which only proposes a candidate that the Jaccard test then
    rejects. Rows of a missing or foreign signature are all 0 (0 is never a key). For
    the index-time stories (``searcher.stories``), which look candidates up by key."""
    out = np.zeros((len(signatures), BANDS), dtype=np.int64)
    valid = [i for i, sig in enumerate(signatures) if _valid(sig)]
    if not valid:
        return out
    head = len(_HEADER)
    matrix = np.frombuffer(b"".join(bytes(signatures[i][head:]) for i in valid),  # type: ignore[index]
                           dtype="<u4").reshape(len(valid), HASHES)
    keys = np.stack([_band_keys(matrix, band) for band in range(BANDS)], axis=1)
    keys = keys ^ _BAND_SALT
    keys ^= keys >> _S31
    keys *= _MIX1
    keys ^= keys >> _S29
    keys &= np.uint64(2**63 - 1)  # a non-negative int64: a PostgreSQL bigint
    keys[keys == 0] = 1
    out[valid] = keys.astype(np.int64)
    return out


def components(rows: Iterable[Tuple[str, DateLike, str, Signature]], *, threshold: float = THRESHOLD) -> List[List[int]]:
    """The connected sets (row numbers, in order) of ``rows`` of two or more members, linked
    as :func:`group` links them: what the index-time stories of ``searcher.stories`` are,
    computed over the rows given."""
    items = _rows(rows)
    found = _linked(items, threshold)
    members: Dict[int, List[int]] = {}
    for i in found.joined():
        members.setdefault(found.find(i), []).append(i)
    return [m for m in members.values() if len(m) > 1]
