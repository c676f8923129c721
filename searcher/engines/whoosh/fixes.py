"""Small, targeted corrections to Whoosh 2.7.5 (whoosh-reloaded), applied on import.

Each one fixes measured behaviour, is tested in ``tests/test_whoosh_fixes.py``, and keeps
Whoosh's own results unchanged.

* ``BufferFile`` (every file inside a segment, read through mmap) copies the whole file
  into a ``BytesIO`` when it is opened, though it only ever reads from it. Opening a
  searcher therefore copied every segment's postings and terms into memory: 58 ms of the
  70 ms it took to open a 10,000-article index, and memory that grows with the archive
  (about 6 MB per 1,000 articles). A read-only file object over the same buffer replaces
  the copy.
* Whoosh imports two modules it never uses when searching: ``whoosh.compat`` imports
  ``urllib.request`` (for ``urlretrieve``, which nothing calls) and ``whoosh.reading``
  imports the ``cached_property`` package, which imports ``asyncio``. Together they were
  about 60 ms of every ``searcher search`` process. ``_lean_import`` imports Whoosh with a
  stand-in for each (a ``urlretrieve`` that imports the real one when called, and
  ``functools.cached_property``) and removes the stand-ins at once, so any later
  ``import urllib.request`` or ``import cached_property`` gets the real module. The same
  goes for ``whoosh.lang.morph_en`` (14 ms of word tables for the ``Variations`` query,
  which searcher never builds): its ``variations`` imports the real module when called.

* A stored-fields column works out where each document's bytes start with a Python loop
  over every document of the segment, the first time one document is read: 1.5 ms per
  5,000-article segment, most of the time a search process spends fetching its ten hits
  on a 100,000-article index. ``itertools.accumulate`` gives the same offsets in C.

* A fuzzy query (``goverment~``) walks each segment's term index with a Levenshtein
  automaton (``SegmentReader.terms_within``), one binary search of the term index per step:
  most of a fuzzy search's time at 100,000 articles. The query's matching and its
  highlighting both need the same expansion, so each segment reader remembers its answers
  (up to 64 per reader; a segment never changes). Building the automaton grows with the
  word (a 960-letter fuzzy word took 0.6 s per segment, not bounded by ``--timeout``): a word
  longer than ``AUTOMATON_MAX`` letters is matched instead by a scan of the terms that share
  its first letters and are within ``maxdist`` of its length, with a banded edit distance
  (the same terms: few terms are that long).

Every module of searcher that imports Whoosh imports this one first.
"""

from __future__ import annotations

import functools
import sys
import types
from typing import Any


def _urlretrieve(*args: Any, **kwargs: Any) -> Any:
    import urllib.request

    return urllib.request.urlretrieve(*args, **kwargs)


def _variations(*args: Any, **kwargs: Any) -> Any:
    from whoosh.lang.morph_en import variations

    return variations(*args, **kwargs)


def _lean_import() -> None:
    """Import Whoosh's core without ``urllib.request``, ``asyncio`` and the English word
    variation tables (see module doc)."""
    if "whoosh.query" in sys.modules:
        return
    shims = {}
    if "whoosh.lang.morph_en" not in sys.modules:
        shims["whoosh.lang.morph_en"] = types.ModuleType("whoosh.lang.morph_en")
        shims["whoosh.lang.morph_en"].variations = _variations  # type: ignore[attr-defined]
    if "urllib.request" not in sys.modules:
        shims["urllib.request"] = types.ModuleType("urllib.request")
        shims["urllib.request"].urlretrieve = _urlretrieve  # type: ignore[attr-defined]
    if "cached_property" not in sys.modules:
        shims["cached_property"] = types.ModuleType("cached_property")
        shims["cached_property"].cached_property = functools.cached_property  # type: ignore[attr-defined]
    sys.modules.update(shims)
    try:
        import whoosh.compat  # noqa: F401
        import whoosh.query  # noqa: F401
        import whoosh.reading  # noqa: F401
    finally:
        for name, module in shims.items():
            if sys.modules.get(name) is module:
                del sys.modules[name]


_lean_import()

import struct  # noqa: E402
from array import array  # noqa: E402
from itertools import accumulate  # noqa: E402

from whoosh import columns  # noqa: E402
from whoosh.filedb import structfile  # noqa: E402
from whoosh.reading import SegmentReader  # noqa: E402


class _BufferReader:
    """A read-only, seekable file over a buffer (a memoryview of the mmap), without copying."""

    def __init__(self, buf: Any) -> None:
        self._buf = buf
        self._pos = 0

    def read(self, n: int = -1) -> bytes:
        end = len(self._buf) if n is None or n < 0 else min(len(self._buf), self._pos + n)
        data = bytes(self._buf[self._pos : end])
        self._pos = max(self._pos, end)
        return data

    def readline(self, limit: int = -1) -> bytes:
        rest = bytes(self._buf[self._pos :] if limit is None or limit < 0 else self._buf[self._pos : self._pos + limit])
        cut = rest.find(b"\n")
        line = rest if cut < 0 else rest[: cut + 1]
        self._pos += len(line)
        return line

    def __iter__(self) -> Any:
        while True:
            line = self.readline()
            if not line:
                return
            yield line

    def seek(self, pos: int, whence: int = 0) -> int:
        base = {0: 0, 1: self._pos, 2: len(self._buf)}[whence]
        self._pos = max(0, base + pos)
        return self._pos

    def tell(self) -> int:
        return self._pos

    def close(self) -> None:
        self._buf = b""


def _init(self: Any, buf: Any, name: Any = None, onclose: Any = None) -> None:
    self._buf = buf
    self._name = name
    self.file = _BufferReader(buf)
    self.onclose = onclose
    self.is_real = False
    self.is_closed = False


def _array_code(byte: int) -> str:
    """A column's array type code; a damaged byte (any other value) is ``struct.error``,
    which readers report as damage (``struct.calcsize`` of a non-ASCII character raised
    ``UnicodeEncodeError`` instead)."""
    code = chr(byte)
    if code not in "bBhHiIlLqQ":
        raise struct.error(f"bad array type code {byte}")
    return code


def _read_offsets_and_lengths(self: Any) -> None:
    """``VarBytesColumn.Reader._read_offsets_and_lengths`` with the offsets from
    ``accumulate`` instead of a Python loop (same values)."""
    dbfile, basepos, length, doccount = self._dbfile, self._basepos, self._length, self._doccount
    lastbyte = basepos + length - 1
    lens_code = chr(dbfile.get_byte(lastbyte))
    offsets = None
    if lens_code == "X":
        self.had_stored_offsets = True
        lens_code = _array_code(dbfile.get_byte(lastbyte - 2))
        offsets_code = _array_code(dbfile.get_byte(lastbyte - 1))
        offsetstart = (lastbyte - 2) - doccount * struct.calcsize(offsets_code)
        offsets = dbfile.get_array(offsetstart, offsets_code, doccount)
        lastbyte = offsetstart
    lens_code = _array_code(ord(lens_code))
    lenstart = lastbyte - struct.calcsize(lens_code) * doccount
    lengths = dbfile.get_array(lenstart, lens_code, doccount)
    if offsets is None:
        offsets = array("L", accumulate(lengths, initial=0))
        offsets.pop()
    self._offsets = offsets
    self._lengths = lengths


_MEMO_LIMIT = 64
#: Longest word matched with Whoosh's Levenshtein automaton (about 25 ms per segment).
AUTOMATON_MAX = 40


def within(a: str, b: str, maxdist: int) -> bool:
    """Whether ``a`` is at most ``maxdist`` insertions, deletions and substitutions from
    ``b`` (the automaton's distance: a swap of two letters is two edits); only a band of
    ``2 * maxdist + 1`` cells per row is computed, and it stops as soon as every cell of a
    row is over ``maxdist``."""
    n, m = len(a), len(b)
    if abs(n - m) > maxdist:
        return False
    over = maxdist + 1
    prev = [j if j <= maxdist else over for j in range(m + 1)]
    for i in range(1, n + 1):
        cur = [over] * (m + 1)
        if i <= maxdist:
            cur[0] = i
        best = cur[0]
        ch = a[i - 1]
        for j in range(max(1, i - maxdist), min(m, i + maxdist) + 1):
            value = min(prev[j - 1] + (ch != b[j - 1]), prev[j] + 1, cur[j - 1] + 1, over)
            cur[j] = value
            best = min(best, value)
        if best > maxdist:
            return False
        prev = cur
    return prev[m] <= maxdist


def _scan_within(reader: Any, fieldname: str, text: str, maxdist: int, prefix: int) -> Any:
    """``terms_within`` by a scan (for long words; see the module doc), in term order."""
    field = reader.schema[fieldname]
    lowest = len(text) - maxdist
    for btext in reader.expand_prefix(field.spelling_fieldname(fieldname), text[:prefix]):
        if len(btext) < lowest:  # a UTF-8 term has at least as many bytes as letters
            continue
        word = btext.decode("utf-8")
        if within(word[prefix:], text[prefix:], maxdist):
            yield word


def _memo_terms_within(original: Any) -> Any:
    """``SegmentReader.terms_within`` remembering its answers per reader (a segment never
    changes), in the same order."""

    @functools.wraps(original)
    def terms_within(self: Any, fieldname: str, text: str, maxdist: int, prefix: int = 0) -> Any:
        memo = self.__dict__.setdefault("_searcher_within", {})
        key = (fieldname, text, maxdist, prefix)
        found = memo.get(key)
        if found is None:
            if len(memo) >= _MEMO_LIMIT:
                memo.clear()
            if len(text) > AUTOMATON_MAX:
                found = tuple(_scan_within(self, fieldname, text, maxdist, prefix))
            else:
                found = tuple(original(self, fieldname, text, maxdist, prefix))
            memo[key] = found
        return iter(found)

    return terms_within


def apply() -> None:
    """Install the fixes (idempotent)."""
    cls = structfile.BufferFile
    if getattr(cls, "_searcher_fixed", False):
        return
    cls.__init__ = _init  # type: ignore[method-assign]
    cls._searcher_fixed = True  # type: ignore[attr-defined]
    columns.VarBytesColumn.Reader._read_offsets_and_lengths = _read_offsets_and_lengths  # type: ignore[method-assign]
    SegmentReader.terms_within = _memo_terms_within(SegmentReader.terms_within)  # type: ignore[method-assign]


apply()
