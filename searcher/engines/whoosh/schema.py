"""The Whoosh schema of a searcher index, its fields' formats and the schema version.

The fields' analyzer is ``searcher.analyzer`` wrapped as a Whoosh tokenizer, so the index
holds exactly the terms every other part of searcher computes.
"""

from __future__ import annotations

import sys
from array import array
from typing import Any, Dict, Iterator, List

from searcher.engines.whoosh import fixes  # noqa: F401,I001  (first: Whoosh imported lean and corrected)
from whoosh import columns, fields, formats
from whoosh.analysis import Token, Tokenizer

from searcher.analyzer import DEFAULT_FIELDS, STOPWORDS, Analyzer

#: Bump when a change to fields or analysis makes old indexes answer differently.
SCHEMA_VERSION = 6
#: Versions this code still reads: 4 lacks the ``day``, ``uid`` and ``sig`` fields (date
#: filters then use the UTC instant, ids come from stored fields, and wire copies are
#: grouped from signatures computed when asked); 4 and 5 lack the stories (``ikey``,
#: ``skey``, story documents): a collapsed search then groups every match itself.
READABLE_VERSIONS = (4, 5, 6)

class NewsTokenizer(Tokenizer):
    """``searcher.analyzer.Analyzer`` as a Whoosh tokenizer: the fields' analyzer.

    One generator instead of the four stages of Whoosh's ``StemmingAnalyzer``; the terms
    are exactly those ``searcher.analyzer`` gives every other engine.
    """

    def __init__(self, stem: bool = True, stoplist: frozenset = STOPWORDS) -> None:
        self.stem = stem
        self.stoplist = stoplist
        self._analyzer = Analyzer(stem=stem, stoplist=stoplist)

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
        for token in self._analyzer.tokens(value, removestops=removestops, start_pos=start_pos, start_char=start_char):
            t.text = token.term
            t.boost = 1.0
            t.stopped = token.stopped
            if keeporiginal:
                t.original = token.original
            if positions:
                t.pos = token.pos
            if chars:
                t.startchar = token.start
                t.endchar = token.end
            yield t

    def term_positions(self, value: str) -> Dict[str, List[int]]:
        """Each index term of ``value`` with its positions (``Analyzer.term_positions``)."""
        return self._analyzer.term_positions(value)


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


KIND_ARTICLE = "article"
KIND_FILE = "file"
KIND_STORY = "story"


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
        # Schema 5: the publication's own wall-clock time (date filters: its calendar day),
        # the offset it was stated with, and columns read for whole result sets.
        day=fields.DATETIME(sortable=True),
        offset=fields.STORED(),
        uid=fields.COLUMN(columns.VarBytesColumn()),
        sig=fields.COLUMN(columns.VarBytesColumn()),
        # Schema 6: stories (``searcher.stories``). Every article has ``ikey``, a number for
        # its id; every member of a story of two or more has a small "story" document
        # (``member``: its id, ``story``: the label, ``ikey`` and ``skey``: both as numbers),
        # so a merge or split rewrites those, never an article.
        ikey=fields.COLUMN(columns.NumericColumn("q")),
        skey=fields.COLUMN(columns.NumericColumn("q")),
        member=fields.ID(stored=True),
        story=fields.ID(stored=True),
    )
