"""User query text plus date options → an engine-independent query, shown back exactly.

``parse_query`` is the only way in: it tokenizes and parses the text (``parse``), resolves
every date to exact UTC bounds (``dates``) and gives a ``ParsedQuery``: the query tree
(``tree``), which each engine compiles to its own form, and the date bounds. A
``ParsedQuery`` can describe itself in one line (``search --show-query``), say what to
highlight, and list the words a "did you mean" suggestion (``suggest``) may correct.

Query language, by example::

    north korea missile          implicit AND
    missile OR rocket            also |   (AND is also &; NOT binds tighter than AND > OR)
    missile -drill               also NOT drill
    "interest rates"             phrase, analysed: matches "interest rate" too
    "north korea"~3              proximity: each word at most 3 positions after the last
    title:(missile OR rocket)    scopes: title body text source author keyword(s) url date
    missil*   missle~  missle~2  prefix (2+ letters), fuzzy (edit distance 1 or 2)
    date:2023-08  date:[2023-08-01 TO 2023-08-31]  date:>=2023-08-01  date:last 7 days

Unscoped words search title, body and keywords (weights in ``analyzer.DEFAULT_FIELDS``);
bare ``2023`` is a word, only ``date:`` and the since/until options filter by date.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Callable, Dict, List, Optional, Set, Tuple, Union

from searcher.errors import QuerySyntaxError
from searcher.highlight import HighlightSpec
from searcher.query.dates import format_utc, resolve_date, to_utc
from searcher.query.parse import MAX_QUERY_CHARS, Parser, clean, tokenize
from searcher.query.tree import And, DateLeaf, Leaf, Node, Not, Or, leaf_fields, plain_words, positive_leaves

__all__ = ["ParsedQuery", "parse_query", "resolve_date", "Expander", "MAX_EXPANSION"]

#: Most index terms one prefix or fuzzy term may expand to; past it an engine raises
#: ``QueryTooBroad`` rather than cutting the expansion (which would make totals wrong).
MAX_EXPANSION = 5_000

#: Expands a prefix or fuzzy leaf in one field to the index terms it matches
#: (``Engine.expand``).
Expander = Callable[[str, Leaf], Set[str]]


@dataclass(frozen=True)
class ParsedQuery:
    """A parsed query: what was typed, its tree and its resolved dates.

    ``tree`` is None when the query is only dates. ``since`` is the inclusive and ``until``
    the exclusive bound (aware UTC) combined from the since/until options and the top-level
    ``date:`` terms of the query.
    """

    text: str
    tree: Optional[Node]
    since: Optional[datetime]
    until: Optional[datetime]

    def describe(self) -> str:
        """One line showing how the query was understood, dates as exact UTC bounds.

        Unscoped terms (searched in title, body and keywords) are shown bare, in index form
        (stemmed): ``(missil OR rocket) AND NOT drill AND date >= 2023-08-01T00:00:00Z``.
        """
        parts = []
        if self.tree is not None:
            parts.append(_describe(self.tree, top=True))
            if isinstance(self.tree, Or) and (self.since or self.until):
                parts[0] = f"({parts[0]})"
        parts.extend(_describe_bounds(self.since, self.until))
        return " AND ".join(parts)

    def highlight_spec(self, expand: Expander) -> HighlightSpec:
        """Positive terms and phrases per field; prefix and fuzzy terms expanded by
        ``expand`` (the engine's vocabulary)."""
        terms: Dict[str, Set[str]] = {}
        phrases: Dict[str, List[Tuple[Tuple[str, ...], int]]] = {}
        for leaf in positive_leaves(self.tree):
            for fname, spec in leaf_fields(leaf):
                if leaf.kind in ("prefix", "fuzzy"):
                    terms.setdefault(fname, set()).update(expand(fname, leaf))
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
        return [leaf.raw for leaf in plain_words(self.tree)]


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
    return ParsedQuery(text, tree, low, high)


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
