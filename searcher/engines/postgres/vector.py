"""An article as one PostgreSQL ``tsvector``, built from searcher's own analyzer.

PostgreSQL's text search configurations would stem and count positions their own way; to
give the same matches as the Whoosh engine, the vector holds exactly the terms
``searcher.analyzer`` makes (positions counting stopwords), written as a ``tsvector``
literal. Every field lives in the one vector, kept apart two ways:

* **lexemes**: title and body terms are the analyzer's stems; keywords are ``#`` + the
  lower-cased keyword; source, author and url terms are ``s:``, ``a:``, ``u:`` + the plain
  term (a stem never holds ``#`` or ``:``), so an unweighted lexeme is already one field
  group (title or body, keywords, source...);
* **weights and positions**: title A, keywords B, body C, source/author/url D, each field
  in its own range of positions, ``GAP`` apart, so no phrase (each word at most
  ``MAX_SLOP`` after the last) can run from one field into the next; title and body are
  told apart by weight.

PostgreSQL keeps positions up to 16,383 and at most 256 per lexeme. An article whose
layout fits is ``exact``: every phrase test on its vector is exact. One that does not (a
very long body, a word used hundreds of times) gets a vector that still holds every
lexeme with the right weights (enough for words, prefixes, fuzzy terms and ranking) and,
in ``long_positions``, every position of every lexeme, which phrase tests on such
articles read instead (``compile``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, List, Sequence, Tuple

from searcher.analyzer import ANALYZER, PLAIN_ANALYZER, keyword_terms
from searcher.article import Article
from searcher.query.parse import MAX_SLOP

#: Positions between two fields: more than any phrase step can span.
GAP = MAX_SLOP + 1
#: PostgreSQL's limits: the largest position, positions per lexeme, bytes per lexeme.
MAX_POS = 16_383
MAX_POSITIONS = 256
MAX_LEXEME_BYTES = 2_046

#: Lexeme prefixes of the fields that are not title/body stems.
PREFIX = {"keywords": "#", "source": "s:", "author": "a:", "url": "u:"}
#: The weight of each field.
WEIGHT = {"title": "A", "keywords": "B", "body": "C", "source": "D", "author": "D", "url": "D"}
#: Weights array for ``ts_rank`` ({D, C, B, A}): the ``analyzer.DEFAULT_FIELDS`` ratios.
RANK_WEIGHTS = "{0.1, 0.4, 0.6, 1.0}"


@dataclass(frozen=True)
class Vector:
    """What the writer stores for one article: the ``tsvector`` literal, whether its
    positions are exact, every (lexeme, weight, positions) when they are not, and the
    terms of each field (for the archive's vocabulary)."""

    literal: str
    exact: bool
    long_positions: Tuple[Tuple[str, str, Tuple[int, ...]], ...]
    terms: Tuple[Tuple[str, Tuple[str, ...]], ...]


def lexeme(field: str, term: str) -> str:
    """The lexeme of an index term of ``field`` in the vector."""
    return PREFIX.get(field, "") + term


def quote(text: str) -> str:
    """A lexeme quoted for a ``tsvector`` or ``tsquery`` literal."""
    return "'" + text.replace("\\", "\\\\").replace("'", "''") + "'"


def clean_text(text: str) -> str:
    """``text`` as PostgreSQL can store it: no NUL characters, no lone surrogates."""
    if "\x00" in text:
        text = text.replace("\x00", "")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = text.encode("utf-8", "replace").decode("utf-8")
    return text


def fits(lex: str) -> bool:
    """Whether PostgreSQL accepts ``lex`` as a lexeme (it refuses longer ones)."""
    return len(lex.encode("utf-8", "replace")) <= MAX_LEXEME_BYTES


def field_terms(article: Article) -> List[Tuple[str, Dict[str, List[int]]]]:
    """(field, {term: positions}) of every indexed field, positions from 0 per field."""
    keywords = keyword_terms(",".join(k.replace(",", " ") for k in article.keywords))
    return [
        ("title", ANALYZER.term_positions(clean_text(article.title))),
        ("source", PLAIN_ANALYZER.term_positions(clean_text(article.source))),
        ("author", PLAIN_ANALYZER.term_positions(clean_text(article.author))),
        ("url", PLAIN_ANALYZER.term_positions(clean_text(article.url))),
        ("keywords", {k: [i] for i, k in enumerate(dict.fromkeys(clean_text(k) for k in keywords))}),
        ("body", ANALYZER.term_positions(clean_text(article.body))),
    ]


def build(article: Article) -> Vector:
    """The vector of one article (see the module docstring for the layout)."""
    # lexeme -> [(position, weight)], positions from 1, fields GAP apart.
    entries: Dict[str, List[Tuple[int, str]]] = {}
    terms: List[Tuple[str, Tuple[str, ...]]] = []
    base = 1
    highest = 0
    for field, found in field_terms(article):
        weight = WEIGHT[field]
        last = -1
        kept = []
        for term, positions in found.items():
            lex = lexeme(field, term)
            if not fits(lex):
                continue
            kept.append(term)
            entries.setdefault(lex, []).extend((base + p, weight) for p in positions)
            last = max(last, positions[-1])
        terms.append((field, tuple(kept)))
        highest = max(highest, base + last)
        base += last + 1 + GAP
    exact = highest <= MAX_POS and all(len(v) <= MAX_POSITIONS for v in entries.values())
    if exact:
        literal = " ".join(quote(lex) + ":" + ",".join(f"{p}{w}" for p, w in found) for lex, found in entries.items())
        return Vector(literal, True, (), tuple(terms))
    return Vector(_lossy(entries), False, _all_positions(entries), tuple(terms))


def _lossy(entries: Dict[str, List[Tuple[int, str]]]) -> str:
    """A vector for an article whose positions do not fit: every lexeme with each of its
    weights, at most ``MAX_POSITIONS`` positions (so ranking still counts frequency), and
    positions clamped to ``MAX_POS`` but never merged across weights (PostgreSQL keeps one
    weight per position)."""
    parts = []
    for lex, found in entries.items():
        by_weight: Dict[str, List[int]] = {}
        for p, w in found:
            by_weight.setdefault(w, []).append(p)
        share = max(MAX_POSITIONS // len(by_weight), 1)
        slots = []
        # Each weight gets its own band of positions below MAX_POS: A, B, C, D in quarters.
        for w, positions in by_weight.items():
            band = "ABCD".index(w) * (MAX_POS // 4) + 1
            slots.extend(f"{band + min(i, MAX_POS // 4 - 1)}{w}" for i in range(min(len(positions), share)))
        parts.append(quote(lex) + ":" + ",".join(slots))
    return " ".join(parts)


def _all_positions(entries: Dict[str, List[Tuple[int, str]]]) -> Tuple[Tuple[str, str, Tuple[int, ...]], ...]:
    """(lexeme, weight, every position) for ``long_positions``."""
    rows = []
    for lex, found in entries.items():
        by_weight: Dict[str, List[int]] = {}
        for p, w in found:
            by_weight.setdefault(w, []).append(p)
        rows.extend((lex, w, tuple(ps)) for w, ps in by_weight.items())
    return tuple(rows)


def build_all(articles: Sequence[Article]) -> List[Tuple[str, Vector]]:
    """(article id, vector) for each article: the engine's ``preparer``, run in indexing
    workers (analysis is the costly part of writing)."""
    return [(a.id, build(a)) for a in articles]
