"""The engine-independent query tree compiled to Whoosh query objects.

The block engine (``block``, ``vector``) evaluates what this module builds; Whoosh's own
collector is the reference it is tested against. Every query is restricted to article
documents (an index also holds one marker document per source file). Prefix and fuzzy
terms are expanded against the index before anything runs: a term that would expand to
more than ``MAX_EXPANSION`` index terms raises ``QueryTooBroad`` instead of being cut
silently (which made totals depend on how the index was segmented).
"""

from __future__ import annotations

from datetime import datetime
from typing import Iterator, List, Optional, Set, Tuple

from searcher.engines.whoosh import fixes  # noqa: F401,I001  (first: Whoosh imported lean and corrected)
import whoosh.query as wq
from whoosh.reading import IndexReader

from searcher.analyzer import DEFAULT_FIELDS, STEMMED_FIELDS
from searcher.engines.whoosh import schema as _schema
from searcher.errors import QueryTooBroad
from searcher.query import MAX_EXPANSION
from searcher.query.dates import to_utc
from searcher.query.tree import And, DateLeaf, Leaf, Node, Not, Or, leaf_fields


_KIND = wq.Term("kind", _schema.KIND_ARTICLE)
_SCHEMA = _schema.make_schema()
_STEMMED = STEMMED_FIELDS


def compile_request(tree: Optional[Node], since: Optional[datetime], until: Optional[datetime],
                    reader: Optional[IndexReader]) -> wq.Query:
    """The Whoosh query for a tree within ``[since, until)``, restricted to articles.
    Raises ``QueryTooBroad`` for a prefix or fuzzy term with too many expansions in
    ``reader`` (not checked without one)."""
    if tree is not None and reader is not None:
        _check_expansions(tree, reader)
    parts: List[wq.Query] = []
    if tree is not None:
        compiled, restricted = _compile(tree)
        if not restricted:
            parts.append(_KIND)
        parts.extend(compiled.subqueries if isinstance(compiled, wq.And) else [compiled])
    else:
        parts.append(_KIND)
    if since is not None or until is not None:
        parts.append(_date_range(since, until))
    query = parts[0] if len(parts) == 1 else wq.And(parts)
    if reader is not None and "day" not in reader.schema:  # schema 4: no wall-clock field
        query = _on_field(query, "date")
    return query


def _on_field(q: wq.Query, fieldname: str) -> wq.Query:
    """``q`` with every date range moved to ``fieldname``."""
    if isinstance(q, wq.DateRange):
        return wq.DateRange(fieldname, q.startdate, q.enddate, startexcl=q.startexcl, endexcl=q.endexcl,
                            boost=q.boost)
    if isinstance(q, wq.CompoundQuery):
        return type(q)([_on_field(sub, fieldname) for sub in q.subqueries], boost=q.boost)
    if isinstance(q, wq.Not):
        return wq.Not(_on_field(q.query, fieldname), boost=q.boost)
    return q


def _check_expansions(node: Node, reader: IndexReader) -> None:
    if isinstance(node, Leaf):
        if node.kind in ("prefix", "fuzzy"):
            for fname, spec in leaf_fields(node):
                expand(reader, fname, node, spec)
    elif isinstance(node, Not):
        _check_expansions(node.child, reader)
    elif isinstance(node, (And, Or)):
        for child in node.children:
            _check_expansions(child, reader)


def _naive(value: Optional[datetime]) -> Optional[datetime]:
    """Whoosh DATETIME stores naive UTC; strip the zone after converting to UTC."""
    return None if value is None else to_utc(value).replace(tzinfo=None)


def _date_range(low: Optional[datetime], high: Optional[datetime]) -> wq.Query:
    """Bounds compare the publication's wall-clock time (the ``day`` field): an article of
    "November 19, 2019, 07:47 PM EST" is on the 19th, whatever its UTC instant."""
    return wq.DateRange("day", _naive(low), _naive(high), endexcl=True)




def _compile(node: Node) -> Tuple[wq.Query, bool]:
    """The Whoosh query for ``node`` and whether it can only match articles."""
    if isinstance(node, Leaf):
        return _compile_leaf(node), True
    if isinstance(node, DateLeaf):
        return _date_range(node.since, node.until), False
    if isinstance(node, Not):
        return _and_not(_KIND, _compile(node.child)[0]), True
    if isinstance(node, Or):
        compiled = [_compile(c) for c in node.children]
        return wq.Or([q for q, _ in compiled]), all(r for _, r in compiled)
    positives = [_compile(c) for c in node.children if not isinstance(c, Not)]
    negatives = [_compile(c.child)[0] for c in node.children if isinstance(c, Not)]
    restricted = any(r for _, r in positives)
    qs = [q for q, _ in positives] or [_KIND]
    base = qs[0] if len(qs) == 1 else wq.And(qs)
    if not negatives:
        return base, restricted
    neg = negatives[0] if len(negatives) == 1 else wq.Or(negatives)
    return _and_not(base, neg), restricted or not positives


def _and_not(base: wq.Query, neg: wq.Query) -> wq.Query:
    """``base`` without ``neg``, as And + Not rather than Whoosh's ``AndNot``.

    Whoosh 2.7's AndNotMatcher can let through a document that matches ``neg`` (seen on
    real news: ``putin -trump`` returned an article full of "Trump"); the inverse matcher
    behind ``Not`` is exact. The FTS5 cross-check test guards this.
    """
    return wq.And([base, wq.Not(neg)])


def _boost(fname: str) -> float:
    """Query-time weight so each default field scores with its ``DEFAULT_FIELDS`` weight.

    The title's weight is already baked into the index (its ``field_boost``), so it is
    divided out here rather than applied twice.
    """
    return DEFAULT_FIELDS[fname] / _SCHEMA[fname].format.field_boost


def _compile_leaf(leaf: Leaf) -> wq.Query:
    subs = []
    for fname, spec in leaf_fields(leaf):
        boost = _boost(fname) if leaf.field is None else 1.0
        if leaf.kind == "prefix":
            q: wq.Query = wq.Or([wq.Prefix(fname, p) for p in spec])
            q = q.subqueries[0] if len(spec) == 1 else q
        elif leaf.kind == "fuzzy":
            text = spec[0] if fname in _STEMMED else (leaf.keyword or spec[0])
            q = wq.FuzzyTerm(fname, text, maxdist=leaf.arg, prefixlength=1)
        elif fname == "keywords":
            q = wq.And([wq.Term(fname, k) for k in spec]) if len(spec) > 1 else \
                wq.Term(fname, spec[0])
        elif len(spec) == 1:
            q = wq.Term(fname, spec[0])
        else:
            q = wq.Phrase(fname, list(spec), slop=leaf.arg)
        if boost != 1.0:
            q = q.with_boost(boost)
        subs.append(q)
    return subs[0] if len(subs) == 1 else wq.Or(subs)


def expand(reader: IndexReader, fname: str, leaf: Leaf, spec: Tuple[str, ...]) -> Set[str]:
    """Index terms a prefix or fuzzy leaf matches in ``fname``; ``QueryTooBroad`` when there
    are more than ``MAX_EXPANSION``."""
    found: Set[str] = set()
    fieldobj = reader.schema[fname]
    for text in spec:
        if leaf.kind == "prefix":
            words: Iterator[str] = (fieldobj.from_bytes(b)
                                    for b in reader.expand_prefix(fname, text))
        else:
            target = text if fname in _STEMMED else (leaf.keyword or text)
            words = _terms_within(reader, fname, target, leaf.arg)
        for word in words:
            found.add(word)
            if len(found) > MAX_EXPANSION:
                shown = leaf.raw if len(leaf.raw) <= 60 else leaf.raw[:57] + "..."
                raise QueryTooBroad(
                    f"'{shown}' matches more than {MAX_EXPANSION:,} different words in {fname}; "
                    "make it longer or more exact"
                )
    return found


def _terms_within(reader: IndexReader, fname: str, target: str, maxdist: int) -> Iterator[str]:
    """The terms within ``maxdist`` edits of ``target`` (same first letter), in term order:
    the union of each segment's own expansion, which is what the fuzzy query matched.
    (On a multi-segment reader Whoosh's ``terms_within`` merges every segment's terms that
    share the first letter and computes a distance for each in Python, and it counts a
    transposition as one edit where the query's automaton counts two: it took 40% of a
    fuzzy search at 100,000 articles and could highlight words the query did not match.)"""
    found: Set[str] = set()
    for leaf, _ in reader.leaf_readers():
        found.update(leaf.terms_within(fname, target, maxdist, prefix=1))
    return iter(sorted(found))
