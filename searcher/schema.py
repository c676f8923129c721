"""The Whoosh schema, its analyzers and the schema version.

One analyzer serves indexing, query parsing and highlighting, so a word is turned into the
same term everywhere: a stemmed, lower-cased token with stopwords removed. Positions count
the removed stopwords too, so phrases stay exact; the query parser widens the slop of a
phrase that has stopwords inside ("bank of england" → bank, england within 2 positions).
"""

from __future__ import annotations

import re
import sys
from array import array
from typing import Any, Dict, Iterator, List, NamedTuple, Tuple

from searcher import _whoosh_fixes  # noqa: F401,I001  (first: Whoosh imported lean and corrected)
from whoosh import fields, formats
from whoosh.analysis import Token, Tokenizer
from whoosh.analysis import STOP_WORDS
from whoosh.lang.porter import stem as _porter_stem

#: Bump when a change to fields or analysis makes old indexes answer differently.
SCHEMA_VERSION = 4

#: Words: letters/digits, joined by inner dots or apostrophes ("u.s", "don't", "3.5").
WORD = re.compile(r"\w+(?:[.'’]\w+)*", re.UNICODE)
#: Whoosh's list, less words that carry news: "may" (Theresa May, the month), "us" (the
#: country as often written), "not" ("not guilty"), "will" (a first name, a testament);
#: plus a few more empty ones that are frequent in news prose.
STOPWORDS = (frozenset(STOP_WORDS) - {"may", "us", "not", "will"}) | {"was", "were", "been", "has", "had", "its"}


class NewsTokenizer(Tokenizer):
    """Regex tokenizer, lower-casing, stopword removal and Porter stemming in one pass.

    Doing the four stages of Whoosh's ``StemmingAnalyzer`` in one generator avoids three
    generator layers per token; the stem cache is a plain dict shared by every call.
    """

    def __init__(self, stem: bool = True, stoplist: frozenset = STOPWORDS) -> None:
        self.stem = stem
        self.stoplist = stoplist
        self._cache: Dict[str, Tuple[str, bool]] = {}

    def __eq__(self, other: object) -> bool:
        return (
            type(other) is type(self)
            and other.stem == self.stem  # type: ignore[attr-defined]
            and other.stoplist == self.stoplist  # type: ignore[attr-defined]
        )

    def __getstate__(self) -> Dict[str, Any]:
        return {"stem": self.stem, "stoplist": self.stoplist}

    def __setstate__(self, state: Dict[str, Any]) -> None:
        self.__init__(**state)  # type: ignore[misc]

    def __call__(  # type: ignore[override]
        self,
        value: str,
        positions: bool = False,
        chars: bool = False,
        keeporiginal: bool = False,
        removestops: bool = True,
        start_pos: int = 0,
        start_char: int = 0,
        tokenize: bool = True,
        mode: str = "",
        **kwargs: Any,
    ) -> Iterator[Token]:
        t = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        if not tokenize:
            t.original = t.text = value
            t.boost = 1.0
            t.stopped = False
            if positions:
                t.pos = start_pos
            if chars:
                t.startchar = start_char
                t.endchar = start_char + len(value)
            yield t
            return
        cache = self._cache
        normalise = self._normalise
        pos = start_pos - 1
        for match in WORD.finditer(value):
            word = match.group(0)
            # Stopwords keep their place in the position count (they are just not
            # stored), so "Europeans and the unionization" is not the phrase "european union".
            pos += 1
            found = cache.get(word)
            term, stopped = normalise(word) if found is None else found
            if stopped and removestops:
                continue
            t.text = term
            t.boost = 1.0
            t.stopped = stopped
            if keeporiginal:
                t.original = match.group(0)
            if positions:
                t.pos = pos
            if chars:
                t.startchar = start_char + match.start()
                t.endchar = start_char + match.end()
            yield t

    def term_positions(self, value: str) -> Dict[str, List[int]]:
        """Each index term of ``value`` with its positions, in order of first occurrence:
        what ``self(value, positions=True)`` yields, grouped by term, without making a token
        per word (the indexer's hottest loop: a third less time per article).
        ``tests/test_fastindex.py`` checks that the two agree."""
        cache = self._cache
        normalise = self._normalise
        found: Dict[str, List[int]] = {}
        pos = -1
        for word in WORD.findall(value):
            pos += 1
            known = cache.get(word)
            term, stopped = normalise(word) if known is None else known
            if stopped:
                continue
            positions = found.get(term)
            if positions is None:
                found[term] = [pos]
            else:
                positions.append(pos)
        return found

    def _normalise(self, word: str) -> Tuple[str, bool]:
        """(index term, whether a stopword) of a word as the regex matched it: lower-cased,
        apostrophes straightened and a final possessive dropped, then stemmed. Remembered
        per word, so each distinct spelling is worked out once."""
        key = word
        word = word.lower()
        if "'" in word or "’" in word:
            word = word.replace("’", "'")
            if word.endswith("'s"):
                word = word[:-2]
        # Abbreviations such as "u.s" keep their dots and are not stemmed.
        term = _porter_stem(word) if self.stem and "." not in word else word
        found = (term, word in self.stoplist)
        cache = self._cache
        if len(cache) >= 200_000:
            cache.clear()
        cache[key] = found
        return found


class NewsPositions(formats.Positions):
    """Whoosh's ``Positions`` format with each posting's positions as a raw array of
    unsigned 32-bit little-endian ints instead of a pickled list of deltas.

    Decoding is one ``array.frombytes`` instead of an unpickling and a running sum, and a
    posting block's positions can be read in bulk (``searcher.codec`` stores them per block,
    delta-coded across the block, and ``searcher.engine`` checks phrases on them as sets).
    """

    def encode(self, poslist: List[int]) -> bytes:  # type: ignore[override]
        values = array("I", poslist)
        if _BIG_ENDIAN:
            values.byteswap()
        return values.tobytes()

    def decode_positions(self, valuestring: bytes) -> List[int]:  # type: ignore[override]
        values = array("I")
        values.frombytes(valuestring)
        if _BIG_ENDIAN:
            values.byteswap()
        return values.tolist()

    def decode_frequency(self, valuestring: bytes) -> int:  # type: ignore[override]
        return len(valuestring) // 4

    def decode_weight(self, valuestring: bytes) -> float:  # type: ignore[override]
        return (len(valuestring) // 4) * self.field_boost


_BIG_ENDIAN = sys.byteorder != "little"
assert array("I").itemsize == 4, "NewsPositions needs 4-byte unsigned ints"


def _news_positions(field: Any) -> Any:
    """``field`` with ``NewsPositions`` in place of Whoosh's ``Positions``."""
    field.format = NewsPositions(field_boost=field.format.field_boost)
    return field


ANALYZER = NewsTokenizer()
PLAIN_ANALYZER = NewsTokenizer(stem=False, stoplist=frozenset())


class Span(NamedTuple):
    """One analysed token: its index term, character span in the text and position."""

    term: str
    start: int
    end: int
    pos: int


def analyze(text: str) -> List[Span]:
    """Tokens of ``text`` exactly as the body and title fields index them, with offsets."""
    return [
        Span(t.text, t.startchar, t.endchar, t.pos)
        for t in ANALYZER(text, positions=True, chars=True)
    ]


def terms(text: str) -> List[str]:
    """The index terms of ``text`` (stemmed, stopwords removed), in order."""
    return [t.text for t in ANALYZER(text)]


#: Field names the query language lets users scope to, mapped to index fields.
SCOPES = {
    "title": "title",
    "body": "body",
    "text": "body",
    "source": "source",
    "author": "author",
    "keyword": "keywords",
    "keywords": "keywords",
    "url": "url",
    "date": "date",
}

#: Fields searched when a word has no scope, with their BM25F weights.
DEFAULT_FIELDS = {"title": 2.5, "body": 1.0, "keywords": 1.5}

KIND_ARTICLE = "article"
KIND_FILE = "file"


def make_schema() -> fields.Schema:
    """The schema of every searcher index.

    Besides articles, an index holds one small "file" document per source file whose
    articles are all committed (``kind=file``, ``filesig``): that is how a re-run knows what
    it can skip, and why a run killed half way through a file re-reads that file.
    """
    return fields.Schema(
        id=fields.ID(stored=True, unique=True),
        kind=fields.ID(),
        title=_news_positions(fields.TEXT(analyzer=ANALYZER, stored=True, field_boost=DEFAULT_FIELDS["title"])),
        body=_news_positions(fields.TEXT(analyzer=ANALYZER, stored=True)),
        date=fields.DATETIME(stored=True, sortable=True),
        source=fields.TEXT(analyzer=PLAIN_ANALYZER, stored=True),
        source_key=fields.ID(sortable=True),
        url=_news_positions(fields.TEXT(analyzer=PLAIN_ANALYZER, stored=True, phrase=True)),
        author=fields.TEXT(analyzer=PLAIN_ANALYZER, stored=True),
        keywords=fields.KEYWORD(stored=True, commas=True, lowercase=True, scorable=True),
        path=fields.ID(stored=True),
        position=fields.STORED(),
        hash=fields.ID(stored=True),
        filesig=fields.ID(stored=True),
    )
