"""The parsed query as an engine-independent tree.

The parser (``searcher.query.parse``) builds it, already in index-term form (words analysed
with ``searcher.analyzer``); each engine compiles it to its own query: the Whoosh engine to
Whoosh query objects run by its block engine, the PostgreSQL engine to SQL. Nothing here
knows an engine.

Node kinds: ``Leaf`` (a word, phrase, proximity, prefix or fuzzy term, in one field or the
default fields), ``DateLeaf`` (a date range), ``Not``, ``And``, ``Or``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Iterator, List, Optional, Tuple, Union

from searcher.analyzer import STEMMED_FIELDS


@dataclass(frozen=True)
class Leaf:
    """A word, phrase, prefix or fuzzy term, already in index-term form.

    ``field`` None means the default fields; then ``terms`` are title/body terms and
    ``keyword`` the whole lower-cased text as a keywords term (or None). ``kind`` is one of
    word, phrase, prefix, fuzzy; ``arg`` is the phrase slop or fuzzy distance.
    """

    kind: str
    field: Optional[str]
    raw: str
    pos: int
    terms: Tuple[str, ...]
    keyword: Optional[str] = None
    arg: int = 1


@dataclass(frozen=True)
class DateLeaf:
    """``since <= date < until``; either end may be open (None). Bounds are aware UTC."""

    since: Optional[datetime]
    until: Optional[datetime]
    pos: int


@dataclass(frozen=True)
class Not:
    child: "Node"


@dataclass(frozen=True)
class And:
    children: Tuple["Node", ...]


@dataclass(frozen=True)
class Or:
    children: Tuple["Node", ...]


Node = Union[Leaf, DateLeaf, Not, And, Or]


def leaf_fields(leaf: Leaf) -> List[Tuple[str, Tuple[str, ...]]]:
    """(field, terms) pairs the leaf searches: terms are phrase words, prefixes or one term.
    A leaf without a field searches title and body, and the keywords field when its whole
    text is one keyword."""
    if leaf.field is not None:
        return [(leaf.field, leaf.terms)]
    pairs = [(f, leaf.terms) for f in STEMMED_FIELDS]
    if leaf.keyword:
        pairs.append(("keywords", (leaf.keyword,)))
    return pairs


def positive_leaves(node: Optional[Node]) -> Iterator[Leaf]:
    """Leaves not under a NOT, in query order (what highlighting lights up)."""
    if isinstance(node, Leaf):
        yield node
    elif isinstance(node, (And, Or)):
        for child in node.children:
            yield from positive_leaves(child)


def plain_words(node: Optional[Node]) -> Iterator[Leaf]:
    """Positive single words in the default, title or body fields: what "did you mean" may
    correct."""
    for leaf in positive_leaves(node):
        if leaf.kind == "word" and leaf.field in (None, "title", "body"):
            yield leaf
