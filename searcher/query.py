"""User query text plus date options → a ready-to-run Whoosh query, shown back exactly.

``parse_query`` is the only way in: it tokenizes and parses the text (``queryparse``),
resolves every date to exact UTC bounds (``querydates``), and builds Whoosh query objects
that are always restricted to article documents. The result, ``ParsedQuery``, can describe
itself in one line (``search --show-query``), say what to highlight, and list the words a
"did you mean" suggestion (``suggest``) may correct.

Query language, by example::

    north korea missile          implicit AND
    missile OR rocket            also |   (AND is also &; NOT binds tighter than AND > OR)
    missile -drill               also NOT drill
    "interest rates"             phrase, analysed: matches "interest rate" too
    "north korea"~3              proximity: each word at most 3 positions after the last
    title:(missile OR rocket)    scopes: title body text source author keyword(s) url date
    missil*   missle~  missle~2  prefix (2+ letters), fuzzy (edit distance 1 or 2)
    date:2023-08  date:[2023-08-01 TO 2023-08-31]  date:>=2023-08-01  date:last 7 days

Unscoped words search title, body and keywords (BM25F weights from ``DEFAULT_FIELDS``);
bare ``2023`` is a word, only ``date:`` and the since/until options filter by date.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from itertools import islice
from typing import Dict, Iterator, List, Optional, Set, Tuple, Union

from searcher import _whoosh_fixes  # noqa: F401,I001  (first: Whoosh imported lean and corrected)
import whoosh.query as wq
from whoosh.reading import IndexReader
from whoosh.searching import Searcher
from whoosh.support.levenshtein import damerau_levenshtein

from searcher import schema as _schema
from searcher.errors import QuerySyntaxError
from searcher.highlight import HighlightSpec
from searcher.querydates import format_utc, resolve_date, to_utc
from searcher.queryparse import (
    MAX_QUERY_CHARS,
    And,
    DateLeaf,
    Leaf,
    Node,
    Not,
    Or,
    Parser,
    clean,
    tokenize,
)

__all__ = ["ParsedQuery", "parse_query", "resolve_date", "suggest", "MAX_EXPANSION"]

#: Most index terms one prefix or fuzzy term expands to (alphabetically first ones win).
MAX_EXPANSION = 1_000
#: A query with fewer hits than this may get a "did you mean".
_FEW_HITS = 5
#: A correction must occur in this many times more documents than the typed word.
_SUGGEST_RATIO = 5
#: A word found in more articles than this is never "corrected".
_KNOWN_WORD_DF = 1
#: How many articles are read to find how a suggested stem is spelt in text.
_SURFACE_DOCS = 10

_KIND = wq.Term("kind", _schema.KIND_ARTICLE)
_SCHEMA = _schema.make_schema()
_STEMMED = ("title", "body")


class _CappedPrefix(wq.Prefix):
    """A Prefix that expands to at most ``MAX_EXPANSION`` index terms."""

    def _btexts(self, ixreader: IndexReader) -> Iterator[bytes]:
        return islice(super()._btexts(ixreader), MAX_EXPANSION)


class _CappedFuzzy(wq.FuzzyTerm):
    """A FuzzyTerm that expands to at most ``MAX_EXPANSION`` index terms."""

    def _btexts(self, ixreader: IndexReader) -> Iterator[str]:
        return islice(super()._btexts(ixreader), MAX_EXPANSION)


@dataclass(frozen=True)
class ParsedQuery:
    """A parsed query: what was typed, the Whoosh query to run and its resolved dates.

    ``since`` is the inclusive and ``until`` the exclusive bound (aware UTC) combined from
    the since/until options and the top-level ``date:`` terms of the query.
    """

    text: str
    query: wq.Query
    since: Optional[datetime]
    until: Optional[datetime]
    _tree: Optional[Node] = field(default=None, repr=False, compare=False)

    def describe(self) -> str:
        """One line showing how the query was understood, dates as exact UTC bounds.

        Unscoped terms (searched in title, body and keywords) are shown bare, in index form
        (stemmed): ``(missil OR rocket) AND NOT drill AND date >= 2023-08-01T00:00:00Z``.
        """
        parts = []
        if self._tree is not None:
            parts.append(_describe(self._tree, top=True))
            if isinstance(self._tree, Or) and (self.since or self.until):
                parts[0] = f"({parts[0]})"
        parts.extend(_describe_bounds(self.since, self.until))
        return " AND ".join(parts)

    def highlight_spec(self, reader: IndexReader) -> HighlightSpec:
        """Positive terms and phrases per field, prefix and fuzzy terms expanded in ``reader``."""
        terms: Dict[str, Set[str]] = {}
        phrases: Dict[str, List[Tuple[Tuple[str, ...], int]]] = {}
        for leaf in _positive_leaves(self._tree):
            for fname, spec in _leaf_fields(leaf):
                if leaf.kind in ("prefix", "fuzzy"):
                    found = terms.setdefault(fname, set())
                    found.update(_expand(reader, fname, leaf, spec))
                elif len(spec) == 1 or fname == "keywords":
                    terms.setdefault(fname, set()).update(spec)
                else:
                    entry = (tuple(spec), leaf.arg)
                    if entry not in phrases.setdefault(fname, []):
                        phrases[fname].append(entry)
        return HighlightSpec(
            terms={f: frozenset(t) for f, t in terms.items() if t},
            phrases={f: tuple(p) for f, p in phrases.items()},
        )

    def words(self) -> List[str]:
        """The positive plain words (not phrases, prefixes or fuzzy terms) as typed."""
        return [leaf.raw for leaf in _plain_words(self._tree)]


def parse_query(
    text: str,
    *,
    since: Union[str, datetime, None] = None,
    until: Union[str, datetime, None] = None,
    now: Optional[datetime] = None,
) -> ParsedQuery:
    """Parse ``text`` and the since/until options into a ``ParsedQuery``.

    ``since``/``until`` strings are date expressions: ``since`` starts where its date starts,
    ``until`` includes its whole date (``until="2023-08-31"`` ends at 2023-09-01T00:00Z,
    exclusive). A datetime is used as the exact bound (naive means UTC). ``now`` anchors
    relative dates and defaults to the current time. Raises ``QuerySyntaxError`` with a
    one-line message naming the problem and its character position.
    """
    if len(text) > MAX_QUERY_CHARS:
        raise QuerySyntaxError(
            f"query is {len(text)} characters long; the limit is {MAX_QUERY_CHARS}"
        )
    now = to_utc(now) if now is not None else datetime.now(timezone.utc)
    cleaned = clean(text)
    tree = Parser(tokenize(cleaned, now), now).parse()
    low = _option(since, now, "--from", 0)
    high = _option(until, now, "--to", 1)
    tree, low, high = _hoist_dates(tree, low, high)
    if low is not None and high is not None and low >= high:
        raise QuerySyntaxError(
            f"the dates leave nothing to search: from {format_utc(low)} until before "
            f"{format_utc(high)}; check --from/--to and date: in the query"
        )
    if tree is None and low is None and high is None:
        if cleaned.strip():
            raise QuerySyntaxError(
                "the query has only common words or punctuation (like 'the', 'and'); "
                "add a distinctive word"
            )
        raise QuerySyntaxError("empty query; type some words, or give --from/--to")
    parts: List[wq.Query] = []
    if tree is not None:
        compiled, restricted = _compile(tree)
        if not restricted:
            parts.append(_KIND)
        parts.extend(compiled.subqueries if isinstance(compiled, wq.And) else [compiled])
    else:
        parts.append(_KIND)
    if low is not None or high is not None:
        parts.append(_date_range(low, high))
    query = parts[0] if len(parts) == 1 else wq.And(parts)
    return ParsedQuery(text, query, low, high, tree)


def _option(value: Union[str, datetime, None], now: datetime, name: str,
            end: int) -> Optional[datetime]:
    if value is None:
        return None
    if isinstance(value, datetime):
        return to_utc(value)
    try:
        return resolve_date(value, now=now)[end]
    except QuerySyntaxError as exc:
        raise QuerySyntaxError(f"{name} {value!r}: {exc}") from None


def _hoist_dates(tree: Optional[Node], low: Optional[datetime], high: Optional[datetime]
                 ) -> Tuple[Optional[Node], Optional[datetime], Optional[datetime]]:
    """Move top-level ``date:`` terms into the single since/until filter."""
    conjuncts = tree.children if isinstance(tree, And) else ((tree,) if tree else ())
    rest = []
    for node in conjuncts:
        if isinstance(node, DateLeaf):
            if node.since is not None:
                low = node.since if low is None else max(low, node.since)
            if node.until is not None:
                high = node.until if high is None else min(high, node.until)
        else:
            rest.append(node)
    if len(rest) == len(conjuncts):
        return tree, low, high
    return (rest[0] if len(rest) == 1 else (And(tuple(rest)) if rest else None)), low, high


def _naive(value: Optional[datetime]) -> Optional[datetime]:
    """Whoosh DATETIME stores naive UTC; strip the zone after converting to UTC."""
    return None if value is None else to_utc(value).replace(tzinfo=None)


def _date_range(low: Optional[datetime], high: Optional[datetime]) -> wq.Query:
    return wq.DateRange("date", _naive(low), _naive(high), endexcl=True)


# ----------------------------------------------------------------------------- compiling


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
    return _schema.DEFAULT_FIELDS[fname] / _SCHEMA[fname].format.field_boost


def _leaf_fields(leaf: Leaf) -> List[Tuple[str, Tuple[str, ...]]]:
    """(field, terms) pairs the leaf searches: terms are phrase words, prefixes or one term."""
    if leaf.field is not None:
        return [(leaf.field, leaf.terms)]
    pairs = [(f, leaf.terms) for f in _STEMMED]
    if leaf.keyword:
        pairs.append(("keywords", (leaf.keyword,)))
    return pairs


def _compile_leaf(leaf: Leaf) -> wq.Query:
    subs = []
    for fname, spec in _leaf_fields(leaf):
        boost = _boost(fname) if leaf.field is None else 1.0
        if leaf.kind == "prefix":
            q: wq.Query = wq.Or([_CappedPrefix(fname, p) for p in spec])
            q = q.subqueries[0] if len(spec) == 1 else q
        elif leaf.kind == "fuzzy":
            text = spec[0] if fname in _STEMMED else (leaf.keyword or spec[0])
            q = _CappedFuzzy(fname, text, maxdist=leaf.arg, prefixlength=1)
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


# ----------------------------------------------------------------------------- describing


def _describe_bounds(low: Optional[datetime], high: Optional[datetime]) -> List[str]:
    parts = []
    if low is not None:
        parts.append(f"date >= {format_utc(low)}")
    if high is not None:
        parts.append(f"date < {format_utc(high)}")
    return parts


def _describe(node: Node, top: bool = False) -> str:
    if isinstance(node, Leaf):
        return _describe_leaf(node)
    if isinstance(node, DateLeaf):
        text = " AND ".join(_describe_bounds(node.since, node.until))
        return text if top else f"({text})"
    if isinstance(node, Not):
        return f"NOT {_describe(node.child)}"
    joint = " OR " if isinstance(node, Or) else " AND "
    text = joint.join(_describe(c) for c in node.children)
    return text if top else f"({text})"


def _describe_leaf(leaf: Leaf) -> str:
    scope = f"{leaf.field}:" if leaf.field else ""
    if leaf.kind == "prefix":
        return f"{scope}{leaf.keyword}*"
    if leaf.kind == "fuzzy":
        return f"{scope}{leaf.terms[0]}~{leaf.arg}"
    if leaf.field == "keywords":
        return " AND ".join(f'{scope}"{k}"' if " " in k else scope + k for k in leaf.terms)
    if len(leaf.terms) == 1:
        return scope + leaf.terms[0]
    slop = f"~{leaf.arg}" if leaf.arg > 1 else ""
    return f'{scope}"{" ".join(leaf.terms)}"{slop}'


# ----------------------------------------------------------------------------- walking


def _positive_leaves(node: Optional[Node]) -> Iterator[Leaf]:
    """Leaves not under a NOT, in query order."""
    if isinstance(node, Leaf):
        yield node
    elif isinstance(node, (And, Or)):
        for child in node.children:
            yield from _positive_leaves(child)


def _plain_words(node: Optional[Node]) -> Iterator[Leaf]:
    for leaf in _positive_leaves(node):
        if leaf.kind == "word" and leaf.field in (None, "title", "body"):
            yield leaf


def _expand(reader: IndexReader, fname: str, leaf: Leaf, spec: Tuple[str, ...]) -> Set[str]:
    """Index terms a prefix or fuzzy leaf matches in ``fname``, at most MAX_EXPANSION."""
    found: Set[str] = set()
    fieldobj = reader.schema[fname]
    for text in spec:
        if leaf.kind == "prefix":
            words: Iterator[str] = (fieldobj.from_bytes(b)
                                    for b in reader.expand_prefix(fname, text))
        else:
            target = text if fname in _STEMMED else (leaf.keyword or text)
            words = _terms_within(reader, fname, target, leaf.arg)
        found.update(islice(words, MAX_EXPANSION - len(found)))
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


# ----------------------------------------------------------------------------- suggesting


def suggest(parsed: ParsedQuery, searcher: Searcher, *, total: Optional[int] = None) -> Optional[str]:
    """"Did you mean": the query text with misspelt words corrected, or None.

    Only when the query finds fewer than a handful of articles (``total``, when the caller
    already searched, saves running the query again). A word counts as misspelt
    when a term within edit distance 1 (else 2) of its stem occurs in at least
    ``_SUGGEST_RATIO`` times as many title/body documents; the most frequent such term wins
    and is shown as a surface word taken from an article that contains it.
    """
    leaves = [leaf for leaf in _plain_words(parsed._tree)
              if len(leaf.terms) == 1 and leaf.raw.isalpha() and len(leaf.raw) >= 3]
    if not leaves:
        return None
    if total is None:  # the caller did not search already
        total = searcher.search(parsed.query, limit=_FEW_HITS).scored_length()
    if total >= _FEW_HITS:
        return None
    reader = searcher.reader()
    text = parsed.text
    changed = False
    for leaf in sorted(leaves, key=lambda lf: lf.pos, reverse=True):
        best = _correction(reader, leaf.terms[0])
        if best is None:
            continue
        word = _match_case(_surface(searcher, best, leaf.raw), leaf.raw)
        if word.lower() != leaf.raw.lower():
            text = text[:leaf.pos] + word + text[leaf.pos + len(leaf.raw):]
            changed = True
    return text if changed else None


def _df(reader: IndexReader, term: str) -> int:
    return sum(reader.doc_frequency(f, term) for f in _STEMMED)


def _correction(reader: IndexReader, stem: str) -> Optional[str]:
    """The most frequent term near ``stem`` that is much more frequent than it, or None."""
    own = _df(reader, stem)
    if own > _KNOWN_WORD_DF:
        # A word several articles use is a real word, even if a similar one is more
        # common: "rates" found nothing because of a date filter, not a typo.
        return None
    for dist in (1, 2):
        candidates: Set[str] = set()
        for fname in _STEMMED:
            near = reader.terms_within(fname, stem, dist, prefix=1)
            candidates.update(islice(near, MAX_EXPANSION))
        candidates.discard(stem)
        scored = [(_df(reader, c), c) for c in candidates]
        scored = [(df, c) for df, c in scored if df >= max(1, own * _SUGGEST_RATIO)]
        if scored:
            return max(scored, key=lambda s: (s[0], [-ord(ch) for ch in s[1]]))[1]
    return None


def _surface(searcher: Searcher, term: str, typed: str) -> str:
    """A readable word for index term ``term``, taken from articles that contain it.

    Surface forms are gathered from a few articles; the one closest to what the user typed
    wins ("missle" → "missile" rather than "missiles").
    """
    reader = searcher.reader()
    forms: Dict[str, int] = {}
    for fname in _STEMMED:
        if reader.doc_frequency(fname, term) == 0:
            continue
        postings = reader.postings(fname, term)
        for docnum in islice(postings.all_ids(), _SURFACE_DOCS):
            stored = searcher.stored_fields(docnum).get(fname) or ""
            for token in _schema.ANALYZER(stored[:200_000], keeporiginal=True):
                if token.text == term:
                    word = token.original.lower().replace("’", "'")
                    word = word[:-2] if word.endswith("'s") else word
                    forms[word] = forms.get(word, 0) + 1
    if not forms:
        return term
    typed = typed.lower()
    return min(forms, key=lambda w: (damerau_levenshtein(w, typed), -forms[w], w))


def _match_case(word: str, typed: str) -> str:
    if typed.isupper() and len(typed) > 1:
        return word.upper()
    if typed[:1].isupper():
        return word[:1].upper() + word[1:]
    return word
