"""The one text analyzer: how words become index terms, for every engine.

Indexing, query parsing, highlighting and every engine turn a word into the same term: a
lower-cased token, apostrophes straightened and a final possessive dropped, Porter-stemmed
(abbreviations such as "u.s" keep their dots and are not stemmed), with stopwords removed.
Positions count the removed stopwords too, so phrases stay exact; the query parser widens
the slop of a phrase that has stopwords inside ("bank of england" → bank, england within 2
positions). An engine that stores what this module gives (the Whoosh engine's postings, the
PostgreSQL engine's tsvector) answers phrase and proximity queries the same way.

The Porter stemmer is Whoosh's (a pure function, ``whoosh.lang.porter``): the only Whoosh
name used outside ``searcher/engines/whoosh``, because changing stemmer would change the
terms of every existing index.
"""

from __future__ import annotations

import re
from typing import Dict, Iterator, List, NamedTuple, Optional, Tuple

from whoosh.lang.porter import stem as _porter_stem

#: Words: letters/digits, joined by inner dots or apostrophes ("u.s", "don't", "3.5").
WORD = re.compile(r"\w+(?:[.'’]\w+)*", re.UNICODE)

#: Whoosh's English stopword list (``whoosh.analysis.STOP_WORDS``), as data.
_WHOOSH_STOP_WORDS = frozenset(
    "a an and are as at be by can for from have if in is it may not of on or tbd that the "
    "this to us we when will with yet you your".split()
)
#: Whoosh's list, less words that carry news: "may" (Theresa May, the month), "us" (the
#: country as often written), "not" ("not guilty"), "will" (a first name, a testament);
#: plus a few more empty ones that are frequent in news prose.
STOPWORDS = (_WHOOSH_STOP_WORDS - {"may", "us", "not", "will"}) | {"was", "were", "been", "has", "had", "its"}


class Token(NamedTuple):
    """One word of a text: its index term, whether it is a stopword, its position (counting
    stopwords), its character span and the word as written."""

    term: str
    stopped: bool
    pos: int
    start: int
    end: int
    original: str


class Analyzer:
    """Regex tokenizer, lower-casing, stopword removal and Porter stemming in one pass.

    ``stem=False, stoplist=frozenset()`` gives the plain analyzer of the source, author and
    url fields. Each distinct spelling is normalised once and remembered.
    """

    def __init__(self, stem: bool = True, stoplist: frozenset = STOPWORDS) -> None:
        self.stem = stem
        self.stoplist = stoplist
        self._cache: Dict[str, Tuple[str, bool]] = {}

    def tokens(self, value: str, *, removestops: bool = True, start_pos: int = 0, start_char: int = 0) -> Iterator[Token]:
        """Every word of ``value`` (stopwords too unless ``removestops``), in order."""
        cache = self._cache
        normalise = self.normalise
        pos = start_pos - 1
        for match in WORD.finditer(value):
            word = match.group(0)
            pos += 1
            found = cache.get(word)
            term, stopped = normalise(word) if found is None else found
            if stopped and removestops:
                continue
            yield Token(term, stopped, pos, start_char + match.start(), start_char + match.end(), word)

    def term_positions(self, value: str) -> Dict[str, List[int]]:
        """Each index term of ``value`` with its positions, in order of first occurrence,
        without making a token per word (the indexer's hottest loop)."""
        cache = self._cache
        normalise = self.normalise
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

    def normalise(self, word: str) -> Tuple[str, bool]:
        """(index term, whether a stopword) of a word as ``WORD`` matched it."""
        key = word
        word = word.lower()
        if "'" in word or "’" in word:
            word = word.replace("’", "'")
            if word.endswith("'s"):
                word = word[:-2]
        # Abbreviations such as "u.s" keep their dots and are not stemmed.
        term = stem(word) if self.stem else word
        found = (term, word in self.stoplist)
        cache = self._cache
        if len(cache) >= 200_000:
            cache.clear()
        cache[key] = found
        return found


def stem(word: str) -> str:
    """The Porter stem of a lower-cased word; abbreviations ("u.s") are kept as they are."""
    return word if "." in word else _porter_stem(word)


ANALYZER = Analyzer()
PLAIN_ANALYZER = Analyzer(stem=False, stoplist=frozenset())
#: Stems every word, stopwords included: the query parser's view of a phrase.
STEM_ALL = Analyzer(stem=True, stoplist=frozenset())


class Span(NamedTuple):
    """One analysed token: its index term, character span in the text and position."""

    term: str
    start: int
    end: int
    pos: int


def analyze(text: str) -> List[Span]:
    """Tokens of ``text`` exactly as the body and title fields index them, with offsets."""
    return [Span(t.term, t.start, t.end, t.pos) for t in ANALYZER.tokens(text)]


def terms(text: str) -> List[str]:
    """The index terms of ``text`` (stemmed, stopwords removed), in order."""
    return [t.term for t in ANALYZER.tokens(text)]


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
#: Fields analysed with ``ANALYZER`` (stemmed); source, author and url use ``PLAIN_ANALYZER``.
STEMMED_FIELDS = ("title", "body")
PLAIN_FIELDS = ("source", "author", "url")


def analyzer_for(field: str) -> Optional[Analyzer]:
    """The analyzer of a text field, or None for ``keywords`` (whole lower-cased phrases)."""
    if field in STEMMED_FIELDS:
        return ANALYZER
    if field in PLAIN_FIELDS:
        return PLAIN_ANALYZER
    return None


def keyword_terms(value: str) -> List[str]:
    """The terms of a keywords value: comma-separated phrases, lower-cased and stripped."""
    return [k.strip().lower() for k in value.split(",") if k.strip()]
