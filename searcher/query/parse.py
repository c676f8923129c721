"""Tokenizer and recursive-descent parser for the query language, producing a small AST.

Grammar (``OR`` binds loosest, then ``AND``, then ``NOT``; juxtaposition is ``AND``)::

    query    := or_expr
    or_expr  := and_expr (("OR" | "|") and_expr)*
    and_expr := unary ((("AND" | "&") unary) | unary)*
    unary    := ("NOT" | "-")* primary
    primary  := "(" or_expr ")" | SCOPE primary | WORD | PHRASE | DATE

Operators are upper-case words or stand-alone symbols, so ``and``, ``AT&T`` and ``U.S.-China``
are text. The tokenizer refuses what could make the parser misbehave (unbalanced or too
deeply nested parentheses, unclosed quotes) before any recursion happens, so no input can
raise anything but ``QuerySyntaxError``. Leaves are analysed here, with the analyzer of the
field they will be searched in, so the AST already holds index terms.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import List, Optional, Tuple, Union

from searcher import analyzer as _an
from searcher.errors import QuerySyntaxError
from searcher.query.dates import resolve_date
from searcher.query.tree import And, DateLeaf, Leaf, Node, Not, Or

#: Longest query text accepted, in characters.
MAX_QUERY_CHARS = 10_000
#: Deepest parenthesis nesting accepted.
MAX_DEPTH = 50
#: Most index terms a query may hold (each word, each word of a phrase, each date).
MAX_TERMS = 1_000
#: Largest ``"phrase"~N`` and ``word~N`` accepted.
MAX_SLOP = 100
MAX_FUZZY = 2
#: Shortest prefix accepted before ``*``.
MIN_PREFIX = 2
#: Most prefix and fuzzy terms in one query (each can expand to many index terms).
MAX_EXPANDING = 20

_OPERATORS = {"AND": "AND", "&": "AND", "&&": "AND", "OR": "OR", "|": "OR", "||": "OR",
              "NOT": "NOT"}
_QUOTES = '"“”„'
_RUN_END = re.compile(r"[\s()\"“”„]")
_SCOPE = re.compile(r"([^\W\d_]+):")
_RELATIVE = re.compile(
    r"(?:(?:last|past)\s+\d+\s+(?:day|week|month|year)s?|(?:last|this)\s+(?:week|month|year))\b",
    re.IGNORECASE,
)
_RANGE = re.compile(r"\s*(.*?)\s*\bto\b\s*(.*?)\s*", re.IGNORECASE | re.DOTALL)
_COMPARISONS = (">=", "<=", ">", "<", "=")
_FUZZY = re.compile(r"(.*[^~])~(\d*)", re.DOTALL)


# ----------------------------------------------------------------------------- tokens


@dataclass(frozen=True)
class _Token:
    kind: str  # ( ) AND OR NOT WORD PHRASE SCOPE DATE
    text: str
    pos: int
    slop: int = 1
    since: Optional[datetime] = None
    until: Optional[datetime] = None


def _fail(message: str, pos: int) -> QuerySyntaxError:
    """An error whose message says where: character positions count from 1."""
    return QuerySyntaxError(message.replace("@", f"at character {pos + 1}"))


#: Longest piece of the query quoted whole in an error message.
_SHOWN_CHARS = 60


def _shown(text: str) -> str:
    """Part of the query for an error message: whole up to ``_SHOWN_CHARS`` characters
    (``~999999999`` stays ``~999999999``), else its start and its length."""
    if len(text) <= _SHOWN_CHARS:
        return text
    return f"{text[:_SHOWN_CHARS - 20]}\u2026 ({len(text):,} characters)"


def _number(digits: str, largest: int) -> Optional[int]:
    """``digits`` as an int when at most ``largest``, else None (also for thousands of
    digits, which ``int()`` refuses to convert)."""
    return int(digits) if len(digits) <= len(str(largest)) and int(digits) <= largest else None


def clean(text: str) -> str:
    """``text`` with control characters turned into spaces, one for one (offsets hold)."""
    return "".join(" " if (ord(c) < 32 or 127 <= ord(c) < 160) else c for c in text)


def tokenize(text: str, now: datetime) -> List[_Token]:
    """Split cleaned query text into tokens, checking quotes and parentheses as it goes."""
    tokens: List[_Token] = []
    opened: List[int] = []
    n = len(text)
    i = 0
    after_scope = False
    while i < n:
        ch = text[i]
        if ch.isspace():
            i += 1
            continue
        if ch == "(":
            opened.append(i)
            if len(opened) > MAX_DEPTH:
                raise _fail(f"parentheses nested more than {MAX_DEPTH} deep @", i)
            tokens.append(_Token("(", ch, i))
            i, after_scope = i + 1, False
            continue
        if ch == ")":
            if not opened:
                raise _fail("unbalanced parenthesis @: remove it or add '(' before it", i)
            opened.pop()
            tokens.append(_Token(")", ch, i))
            i += 1
            continue
        if ch in _QUOTES:
            token, i = _scan_phrase(text, i)
            tokens.append(token)
            after_scope = False
            continue
        if ch == "-" and not after_scope:
            if i + 1 >= n or text[i + 1].isspace() or text[i + 1] == ")":
                raise _fail("'-' @ must be followed directly by what to exclude, e.g. -drill", i)
            tokens.append(_Token("NOT", "-", i))
            i += 1
            continue
        end = _run_end(text, i)
        run = text[i:end]
        if after_scope:
            tokens.append(_Token("WORD", run, i))
            i, after_scope = end, False
            continue
        if run in _OPERATORS:
            tokens.append(_Token(_OPERATORS[run], run, i))
            i = end
            continue
        m = _SCOPE.match(run)
        if m and m.group(1).lower() in _an.SCOPES:
            field = _an.SCOPES[m.group(1).lower()]
            k = i + m.end()
            if k >= n or text[k].isspace() or text[k] == ")":
                raise _fail(f"nothing after '{m.group(0)}' @: put a word, \"phrase\" or "
                            f"(group) right after it, e.g. {m.group(0)}korea", i)
            if field == "date":
                found = _scan_date(text, k, now)
                if found is not None:
                    tokens.append(found[0])
                    i = found[1]
                    continue
            tokens.append(_Token("SCOPE", field, i))
            i, after_scope = k, True
            continue
        if m and m.end() < len(run) and run[m.end()] != "/":
            known = ", ".join(sorted(_an.SCOPES))
            raise _fail(f"unknown field '{_shown(m.group(1))}' @; known fields: {known} "
                        f"(to search for the text itself, put it in quotes: \"{_shown(run)}\")", i)
        tokens.append(_Token("WORD", run, i))
        i = end
    if opened:
        raise _fail("unbalanced parenthesis @: add ')'", opened[-1])
    return tokens


def _run_end(text: str, i: int) -> int:
    m = _RUN_END.search(text, i)
    return m.start() if m else len(text)


def _closing_quote(text: str, i: int) -> int:
    """Index of the quote closing the one at ``i``; raises when there is none."""
    for j in range(i + 1, len(text)):
        if text[j] in _QUOTES:
            return j
    raise _fail("unclosed quote @: add '\"' where the phrase ends", i)


def _scan_phrase(text: str, i: int) -> Tuple[_Token, int]:
    """A quoted phrase starting at ``i``, with its optional ``~N`` proximity."""
    j = _closing_quote(text, i)
    k = j + 1
    slop = 1
    if k < len(text) and text[k] == "~":
        m = re.compile(r"~(\d+)").match(text, k)
        if not m:
            raise _fail("'~' @ needs a number of words, e.g. \"north korea\"~3", k)
        number = _number(m.group(1), MAX_SLOP)
        if number is None or number < 1:
            raise _fail(f"proximity ~{_shown(m.group(1))} @ must be between 1 and {MAX_SLOP}", k)
        slop = number
        k = m.end()
    return _Token("PHRASE", text[i + 1:j], i, slop=slop), k


def _scan_date(text: str, k: int, now: datetime) -> Optional[Tuple[_Token, int]]:
    """The date value after ``date:`` at ``k`` as a DATE token, or None for a (group)."""
    start = k - len("date:")
    ch = text[k]
    if ch in "[{":
        close = min((j for j in (text.find("]", k), text.find("}", k)) if j >= 0), default=-1)
        if close < 0:
            raise _fail("unclosed date range @: add ']'", k)
        m = _RANGE.fullmatch(text[k + 1:close])
        if not m:
            raise _fail("date range @ needs TO, e.g. date:[2023-08-01 TO 2023-08-31]", start)
        low, high = m.group(1), m.group(2)
        if low in ("", "*") and high in ("", "*"):
            raise _fail("date range @ has no ends; give at least one date", start)
        since = until = None
        if low not in ("", "*"):
            a, b = _date(low, start, now)
            since = a if ch == "[" else b
        if high not in ("", "*"):
            a, b = _date(high, start, now)
            until = b if text[close] == "]" else a
        if since is not None and until is not None and since >= until:
            raise _fail("date range @ is empty: its end comes before its start", start)
        return _Token("DATE", text[start:close + 1], start, since=since, until=until), close + 1
    op = next((o for o in _COMPARISONS if text.startswith(o, k)), "")
    v = k + len(op)
    while op and v < len(text) and text[v].isspace():
        v += 1
    if v < len(text) and text[v] in _QUOTES:
        end = _closing_quote(text, v)
        value, after = text[v + 1:end], end + 1
    else:
        m = _RELATIVE.match(text, v)
        if m:
            value, after = m.group(0), m.end()
        elif not op and (v >= len(text) or text[v] in "()"):
            return None
        else:
            after = _run_end(text, v)
            value = text[v:after]
    a, b = _date(value, start, now)
    bounds = {"": (a, b), "=": (a, b), ">=": (a, None), ">": (b, None),
              "<=": (None, b), "<": (None, a)}[op]
    return _Token("DATE", text[start:after], start, since=bounds[0], until=bounds[1]), after


def _date(value: str, pos: int, now: datetime) -> Tuple[datetime, datetime]:
    try:
        return resolve_date(value, now=now)
    except QuerySyntaxError as exc:
        raise _fail(f"date @: {exc}", pos) from None


# ----------------------------------------------------------------------------- parser


class Parser:
    """Recursive descent over the tokens; nesting is already bounded by the tokenizer."""

    def __init__(self, tokens: List[_Token], now: datetime) -> None:
        self._tokens = tokens
        self._i = 0
        self._now = now
        self.term_count = 0
        self._expanding = 0

    def parse(self) -> Optional[Node]:
        """The AST of the whole query; None when every word was a stopword."""
        if not self._tokens:
            return None
        return self._or(None)

    def _peek(self) -> Optional[_Token]:
        return self._tokens[self._i] if self._i < len(self._tokens) else None

    def _next(self) -> _Token:
        token = self._tokens[self._i]
        self._i += 1
        return token

    def _operand_follows(self, op: _Token) -> None:
        """Refuse an operator with nothing usable after it."""
        nxt = self._peek()
        name = "'-'" if op.text == "-" else op.kind
        if nxt is None:
            raise _fail(f"query ends after {name} @: add a word after it", op.pos)
        if nxt.kind in ("AND", "OR"):
            raise _fail(f"{nxt.kind} @ directly follows {name}: remove one of them", nxt.pos)
        if nxt.kind == ")":
            raise _fail(f"{name} @ has nothing after it before ')'", op.pos)

    def _or(self, scope: Optional[str]) -> Optional[Node]:
        items = [self._and(scope)]
        while (tok := self._peek()) is not None and tok.kind == "OR":
            self._next()
            self._operand_follows(tok)
            items.append(self._and(scope))
        kept = tuple(x for x in items if x is not None)
        return kept[0] if len(kept) == 1 else (Or(kept) if kept else None)

    def _and(self, scope: Optional[str]) -> Optional[Node]:
        items = [self._unary(scope)]
        while (tok := self._peek()) is not None and tok.kind not in ("OR", ")"):
            if tok.kind == "AND":
                self._next()
                self._operand_follows(tok)
            items.append(self._unary(scope))
        kept = tuple(x for x in items if x is not None)
        return kept[0] if len(kept) == 1 else (And(kept) if kept else None)

    def _unary(self, scope: Optional[str]) -> Optional[Node]:
        negate = False
        while (tok := self._peek()) is not None and tok.kind == "NOT":
            self._next()
            self._operand_follows(tok)
            negate = not negate
        node = self._primary(scope)
        return Not(node) if negate and node is not None else node

    def _primary(self, scope: Optional[str]) -> Optional[Node]:
        tok = self._next()
        if tok.kind == ")":
            raise _fail("unexpected ')' @", tok.pos)
        if tok.kind in ("AND", "OR"):
            raise _fail(f"{tok.kind} @ has nothing before it: put words on both sides",
                        tok.pos)
        if tok.kind == "(":
            if (nxt := self._peek()) is not None and nxt.kind == ")":
                raise _fail("empty parentheses @", tok.pos)
            node = self._or(scope)
            self._next()  # the tokenizer guarantees the ')'
            return node
        if tok.kind == "SCOPE":
            return self._primary(tok.text)
        if tok.kind == "DATE":
            self._count(1, tok.pos)
            return DateLeaf(tok.since, tok.until, tok.pos)
        if tok.kind == "PHRASE":
            return self._phrase(tok, scope)
        return self._word(tok, scope)

    def _count_expanding(self, pos: int) -> None:
        self._expanding += 1
        if self._expanding > MAX_EXPANDING:
            raise _fail(f"query has more than {MAX_EXPANDING} prefix or fuzzy terms "
                        "(limit reached @); use fewer '*' and '~'", pos)

    def _count(self, n: int, pos: int) -> None:
        self.term_count += max(n, 1)
        if self.term_count > MAX_TERMS:
            raise _fail(f"query has more than {MAX_TERMS} terms (limit reached @); "
                        "search for fewer words", pos)

    def _phrase(self, tok: _Token, scope: Optional[str]) -> Optional[Node]:
        if scope == "date":
            self._count(1, tok.pos)
            since, until = _date(tok.text, tok.pos, self._now)
            return DateLeaf(since, until, tok.pos)
        return self._leaf("phrase", tok.text, tok.pos, scope, tok.slop)

    def _word(self, tok: _Token, scope: Optional[str]) -> Optional[Node]:
        raw = tok.text
        if scope == "date":
            self._count(1, tok.pos)
            since, until = _date(raw, tok.pos, self._now)
            return DateLeaf(since, until, tok.pos)
        if raw.endswith("*"):
            return self._prefix(raw, tok.pos, scope)
        m = _FUZZY.fullmatch(raw)
        if m:
            dist = _number(m.group(2), MAX_FUZZY) if m.group(2) else 1
            if dist is None or dist < 1:
                raise _fail(f"fuzzy distance ~{_shown(m.group(2))} @ must be 1 or 2", tok.pos)
            return self._fuzzy(m.group(1), raw, tok.pos, scope, dist)
        return self._leaf("word", raw, tok.pos, scope, 1)

    def _leaf(self, kind: str, text: str, pos: int, scope: Optional[str],
              slop: int) -> Optional[Leaf]:
        found = analyse(text, scope or "title")
        self._count(len(found), pos)
        if not found:
            return None
        if len(found) > 1:
            slop = max(slop, _stopword_gap(text, scope or "title"))
        keyword = None
        if scope is None:
            kws = analyse(text, "keywords")
            keyword = kws[0] if len(kws) == 1 else None
        return Leaf(kind, scope, text, pos, found, keyword, slop)

    def _prefix(self, raw: str, pos: int, scope: Optional[str]) -> Leaf:
        body = raw.rstrip("*")
        words = [t.term for t in _an.PLAIN_ANALYZER.tokens(body)]
        if len(words) > 1:
            raise _fail(f"'*' @ works on the start of one plain word, not '{_shown(body)}'", pos)
        if not words or len(words[0]) < MIN_PREFIX:
            raise _fail(f"prefix '{_shown(raw)}' @ is too short: give at least {MIN_PREFIX} "
                        "letters before '*'", pos)
        self._count(1, pos)
        self._count_expanding(pos)
        prefix = words[0]
        variants = [prefix]
        if scope in (None, "title", "body"):
            # Index terms are stems: "missiles*" must also find "missil".
            stemmed = _an.stem(prefix)
            if stemmed != prefix and len(stemmed) >= MIN_PREFIX:
                variants.append(stemmed)
        return Leaf("prefix", scope, raw, pos, tuple(variants), prefix)

    def _fuzzy(self, word: str, raw: str, pos: int, scope: Optional[str], dist: int) -> Leaf:
        analyzer = _an.STEM_ALL if scope in (None, "title", "body") else _an.PLAIN_ANALYZER
        found = [t.term for t in analyzer.tokens(word)]
        if len(found) != 1:
            raise _fail(f"'~' @ works on one plain word, not '{_shown(word)}'", pos)
        self._count(1, pos)
        self._count_expanding(pos)
        return Leaf("fuzzy", scope, raw, pos, (found[0],), word.lower(), dist)


def _stopword_gap(text: str, field: str) -> int:
    """The widest distance between consecutive indexed words of ``text``: 1 when no
    stopword sits inside the phrase, 2 for "bank of england", and so on. Index positions
    count stopwords, so a phrase spanning them needs that much slop."""
    analyzer = _an.analyzer_for(field)
    if analyzer is None:
        return 1
    positions = [t.pos for t in analyzer.tokens(text)]
    return max((b - a for a, b in zip(positions, positions[1:])), default=1)


def analyse(text: str, field: str) -> Tuple[str, ...]:
    """The index terms ``text`` becomes in ``field`` (stemmed for title/body)."""
    analyzer = _an.analyzer_for(field)
    if analyzer is None:
        return tuple(_an.keyword_terms(text))
    return tuple(t.term for t in analyzer.tokens(text) if t.term)
