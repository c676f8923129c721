"""The engine-independent query tree compiled to SQL over the articles' ``tsvector``.

Every value reaches the server as a bound parameter: terms become ``tsquery`` values built
here from already-analysed terms (each lexeme quoted by ``vector.quote``), never text the
server parses as SQL. What each leaf becomes (lexemes and weights as ``vector`` lays them
out):

* a word: its stem (unweighted: title or body), plus ``#keyword`` when unscoped; scoped
  ``title:`` / ``body:`` add the weight (``:A`` / ``:C``), other fields have their own
  lexeme prefix;
* a phrase: ``a <-> b <-> c``; a proximity ``"a b"~N`` (each word 1 to N positions after the
  last) as the exact alternatives ``(a <1> b | ... | a <N> b)``, nested for more words while
  there are at most ``MAX_ALTERNATIVES``; past that, the words' conjunction plus
  ``searcher.phrase_in_vector`` (the same test on the vector's positions, in SQL);
* a prefix: ``p:*`` for each variant; a fuzzy term: the terms within its distance found
  in the archive's vocabulary (``searcher.terms``), ``QueryTooBroad`` past
  ``MAX_EXPANSION``;
* a date range: ``published`` bounds (the partition key, so other months are pruned).

Articles whose positions did not fit a ``tsvector`` (``exact`` false, see ``vector``) get
their phrase tests from ``long_positions`` (``searcher.phrase_in_long``); everything else
reads the same on them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Callable, List, Optional, Sequence, Set, Tuple

from searcher.errors import QuerySyntaxError, QueryTooBroad
from searcher.query import MAX_EXPANSION
from searcher.query.tree import And, DateLeaf, Leaf, Node, Not, Or, leaf_fields
from searcher.engines.postgres.vector import PREFIX, fits, lexeme, quote

#: Most alternatives one proximity phrase is spelt out into as an exact ``tsquery``.
MAX_ALTERNATIVES = 64
#: A lexeme no article holds: what a term matching nothing compiles to.
NEVER = quote("!")

#: Finds the index terms of a field that a fuzzy leaf matches: (field, target, distance).
Vocabulary = Callable[[str, str, int], Set[str]]
#: Counts the index terms of a field starting with any of some prefixes, up to a limit.
PrefixCount = Callable[[str, Sequence[str], int], int]


@dataclass
class Sql:
    """A SQL boolean expression with ``%s`` placeholders and their values, in order."""

    text: str
    params: List[object] = field(default_factory=list)

    @staticmethod
    def join(op: str, parts: Sequence["Sql"]) -> "Sql":
        return Sql("(" + f" {op} ".join(p.text for p in parts) + ")", [v for p in parts for v in p.params])


def _match(tsq: str) -> Sql:
    return Sql("tsv @@ %s::tsquery", [tsq])


@dataclass
class Compiled:
    """One node: ``tsq``, a single ``tsquery`` exact on articles with exact positions (None
    when the node needs SQL: a date or a long proximity); ``positional`` whether it reads
    positions; ``cand``, a ``tsquery`` every match satisfies (None: no such); ``exact_sql``
    and ``long_sql``, the node as SQL on articles with and without exact positions."""

    tsq: Optional[str]
    positional: bool
    cand: Optional[str]
    exact_sql: Sql
    long_sql: Sql


@dataclass
class Request:
    """What a search runs: the WHERE clause, the ``tsquery`` its hits are ranked by, and
    whether the clause bounds dates anywhere (then only a plan made for its values can
    leave out the other months)."""

    where: Sql
    rank: Optional[str]
    dated: bool = False


def compile_request(tree: Optional[Node], since: Optional[datetime], until: Optional[datetime], *,
                    fuzzy: Vocabulary, prefix_count: PrefixCount) -> Request:
    """The WHERE clause for a tree within ``[since, until)``."""
    parts: List[Sql] = []
    rank: Optional[str] = None
    if since is not None:
        parts.append(Sql("published >= %s", [since]))
    if until is not None:
        parts.append(Sql("published < %s", [until]))
    dated = bool(parts)
    if tree is not None:
        compiler = _Compiler(fuzzy, prefix_count)
        node = compiler.node(tree)
        parts.append(where_of(node))
        rank = " | ".join(compiler.rank_terms) or None
        dated = dated or compiler.dated
    if not parts:
        return Request(Sql("true"), rank)
    return Request(parts[0] if len(parts) == 1 else Sql.join("AND", parts), rank, dated)


def where_of(node: Compiled) -> Sql:
    """The node as one WHERE condition: a plain match when positions do not matter, else
    the candidate match (what the GIN index answers) and the exact test per article."""
    if not node.positional:
        return node.exact_sql
    test = Sql(f"CASE WHEN exact THEN {node.exact_sql.text} ELSE {node.long_sql.text} END",
               node.exact_sql.params + node.long_sql.params)
    return Sql.join("AND", [_match(node.cand), test]) if node.cand else test


def _op(op: str, items: Sequence[Optional[str]]) -> Optional[str]:
    if any(i is None for i in items):
        return None
    return "(" + f" {op} ".join(items) + ")"  # type: ignore[arg-type]


class _Compiler:
    def __init__(self, fuzzy: Vocabulary, prefix_count: PrefixCount) -> None:
        self.fuzzy = fuzzy
        self.prefix_count = prefix_count
        self.rank_terms: List[str] = []
        self.dated = False
        self._negated = 0

    def node(self, node: Node) -> Compiled:
        if isinstance(node, Leaf):
            return self.leaf(node)
        if isinstance(node, DateLeaf):
            self.dated = True
            # An undated article matches no date, so its negation matches it: false, not NULL.
            parts = [Sql("published IS NOT NULL")]
            if node.since is not None:
                parts.append(Sql("published >= %s", [node.since]))
            if node.until is not None:
                parts.append(Sql("published < %s", [node.until]))
            sql = Sql.join("AND", parts)
            return Compiled(None, False, None, sql, sql)
        if isinstance(node, Not):
            self._negated += 1
            child = self.node(node.child)
            self._negated -= 1
            tsq = None if child.tsq is None else f"!{child.tsq}"
            exact = Sql(f"NOT {child.exact_sql.text}", child.exact_sql.params)
            long = Sql(f"NOT {child.long_sql.text}", child.long_sql.params)
            return Compiled(tsq, child.positional, None, exact, long)
        children = [self.node(c) for c in node.children]
        op, sql_op = ("&", "AND") if isinstance(node, And) else ("|", "OR")
        positional = any(c.positional for c in children)
        if isinstance(node, And):
            cands = [c.cand for c in children if c.cand is not None]
            cand = _op("&", cands) if cands else None
        else:
            cand = _op("|", [c.cand for c in children])
        tsq = _op(op, [c.tsq for c in children])
        if tsq is not None:
            exact = _match(tsq)
        else:
            exact = Sql.join(sql_op, [c.exact_sql for c in children])
        long = Sql.join(sql_op, [c.long_sql for c in children]) if positional else exact
        return Compiled(tsq, positional, cand, exact, long)

    # -- leaves ------------------------------------------------------------------------------

    def leaf(self, leaf: Leaf) -> Compiled:
        parts: List[Compiled] = []
        for fname, spec in self._groups(leaf):
            parts.append(self.part(leaf, fname, spec))
        if len(parts) == 1:
            return parts[0]
        return self.node_or(parts)

    def node_or(self, parts: List[Compiled]) -> Compiled:
        positional = any(p.positional for p in parts)
        cand = _op("|", [p.cand for p in parts])
        tsq = _op("|", [p.tsq for p in parts])
        exact = _match(tsq) if tsq is not None else Sql.join("OR", [p.exact_sql for p in parts])
        long = Sql.join("OR", [p.long_sql for p in parts]) if positional else exact
        return Compiled(tsq, positional, cand, exact, long)

    @staticmethod
    def _groups(leaf: Leaf) -> List[Tuple[str, Tuple[str, ...]]]:
        """The leaf's (field, terms) with title and body merged into "stems" when unscoped:
        an unweighted stem lexeme matches exactly title or body."""
        if leaf.field is not None:
            return list(leaf_fields(leaf))
        groups: List[Tuple[str, Tuple[str, ...]]] = [("stems", leaf.terms)]
        groups.extend((f, s) for f, s in leaf_fields(leaf) if f == "keywords")
        return groups

    def part(self, leaf: Leaf, fname: str, spec: Tuple[str, ...]) -> Compiled:
        weight = {"title": ":A", "body": ":C"}.get(fname, "")
        real = "title" if fname == "stems" else fname
        fields = ("title", "body") if fname == "stems" else (fname,)
        if leaf.kind == "prefix":
            for f in fields:
                if self.prefix_count(f, spec, MAX_EXPANSION + 1) > MAX_EXPANSION:
                    raise _too_broad(leaf, f)
            suffix = ":*" + weight.lstrip(":")
            tsq = "(" + " | ".join(self._lex(real, p, leaf) + suffix for p in spec) + ")"
            self._rank(tsq)
            return Compiled(tsq, False, tsq, _match(tsq), _match(tsq))
        if leaf.kind == "fuzzy":
            found: Set[str] = set()
            for f in fields:
                target = spec[0] if f in ("title", "body") else (leaf.keyword or spec[0])
                near = self.fuzzy(f, target, leaf.arg)
                if len(near) > MAX_EXPANSION:
                    raise _too_broad(leaf, f)
                found |= near
            lexes = [self._lex(real, t, leaf) + weight for t in sorted(found) if fits(lexeme(real, t))]
            tsq = "(" + " | ".join(lexes) + ")" if lexes else NEVER
            self._rank(tsq)
            return Compiled(tsq, False, tsq, _match(tsq), _match(tsq))
        lexes = [self._lex(real, t, leaf) + weight for t in spec]
        if len(spec) == 1 or fname == "keywords":
            tsq = lexes[0] if len(lexes) == 1 else "(" + " & ".join(lexes) + ")"
            self._rank(tsq)
            return Compiled(tsq, False, tsq, _match(tsq), _match(tsq))
        cand = "(" + " & ".join(lexes) + ")"
        self._rank(cand)
        weights = {"title": "A", "body": "C", "stems": "AC"}.get(fname, "D")
        raw = [lexeme(real, t) for t in spec]
        long = Sql.join("AND", [_match(cand), Sql("searcher.phrase_in_long(id, %s, %s, %s)", [weights, raw, leaf.arg])])
        tsq = proximity(lexes, leaf.arg)
        if tsq is None:
            exact = Sql.join("AND", [_match(cand), Sql("searcher.phrase_in_vector(tsv, %s, %s, %s)",
                                                        [weights, raw, leaf.arg])])
            return Compiled(None, True, cand, exact, long)
        return Compiled(tsq, True, cand, _match(tsq), long)

    def _lex(self, fname: str, term: str, leaf: Leaf) -> str:
        lex = lexeme(fname, term)
        if not fits(lex):
            shown = leaf.raw if len(leaf.raw) <= 40 else leaf.raw[:37] + "..."
            raise QuerySyntaxError(f"'{shown}' holds a word longer than PostgreSQL can index (2,046 bytes); "
                                   "search for a shorter word")
        return quote(lex)

    def _rank(self, tsq: str) -> None:
        if not self._negated:
            self.rank_terms.append(tsq)


def proximity(lexes: Sequence[str], slop: int) -> Optional[str]:
    """Words in order, each 1 to ``slop`` positions after the one before, as one exact
    ``tsquery``; None when that takes more than ``MAX_ALTERNATIVES`` alternatives.

    PostgreSQL's ``x <N> y`` matches where ``y`` starts N positions after the end of ``x``,
    and an OR inside a phrase reports its matches by where they start (its positions are
    shifted to its widest alternative), so the chain is nested from the right:
    ``a <k> (b <j> c | ...)`` tests where each alternative starts, which is where its
    first word is."""
    if slop == 1:
        return "(" + " <-> ".join(lexes) + ")"
    if slop ** (len(lexes) - 1) > MAX_ALTERNATIVES:
        return None
    chain = lexes[-1]
    for word in reversed(lexes[:-1]):
        chain = "(" + " | ".join(f"{word} <{k}> {chain}" for k in range(1, slop + 1)) + ")"
    return chain


def _too_broad(leaf: Leaf, fname: str) -> QueryTooBroad:
    shown = leaf.raw if len(leaf.raw) <= 60 else leaf.raw[:57] + "..."
    return QueryTooBroad(f"'{shown}' matches more than {MAX_EXPANSION:,} different words in {fname}; "
                         "make it longer or more exact")


__all__ = ["compile_request", "Request", "Sql", "proximity", "PREFIX"]
