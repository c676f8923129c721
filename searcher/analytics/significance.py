"""What marked a period: terms significantly more frequent in a set of articles.

The measure is Dunning's log-likelihood ratio G² (Dunning 1993, "Accurate methods for
the statistics of surprise and coincidence") over document counts. For a term, with

* ``a`` = foreground articles holding it (``in``), ``A`` = foreground articles,
* ``c`` = other articles of the archive holding it (``out``), ``C`` = other articles,

the 2x2 table [[a, A - a], [c, C - c]] gives ``G² = 2 · Σ O · ln(O / E)`` over its four
cells, E being the count expected if the term were as frequent inside as outside. G²
grows with both the size of the difference and the evidence for it, so a term seen in
3 of 5 articles does not beat one seen in 300 of 1,000. Only terms *more* frequent
inside than outside are listed, and only those in at least ``min_count`` foreground
articles (default :data:`MIN_COUNT`): below that, no difference means much. Under the
null hypothesis G² follows a chi-square distribution with one degree of freedom, so
G² > 10.83 means p < 0.001 for one term taken alone.

Terms are whatever the engine counts per article. The natural unit is the article's
stored keywords (words and 2-3 word keyphrases from :mod:`searcher.keywords`, chosen at
index time), which reads well and costs one lookup per article; body words work the
same way. :func:`document_counts` turns per-article term lists into the counts this
module takes; :func:`article_terms` gives an article's terms the way the index does.
"""

from __future__ import annotations

import heapq
import math
from collections import Counter
from dataclasses import dataclass
from typing import Any, Dict, Iterable, List, Mapping, Optional, Tuple

from searcher.keywords import extract_keywords

__all__ = [
    "MIN_COUNT",
    "TERMS_PER_ARTICLE",
    "TermScore",
    "log_likelihood",
    "significant_terms",
    "document_counts",
    "article_terms",
]

#: Fewest foreground articles a term must be in to be listed.
MIN_COUNT = 3
#: Keywords per article when :func:`article_terms` extracts them (what the index keeps).
TERMS_PER_ARTICLE = 8


@dataclass(frozen=True)
class TermScore:
    """One significant term: foreground (``inside``) and other (``outside``) article
    counts, and its G² score."""

    term: str
    inside: int
    outside: int
    score: float

    def to_dict(self) -> Dict[str, Any]:
        """``{"term", "in", "out", "score"}``, the score rounded to 0.01."""
        return {"term": self.term, "in": self.inside, "out": self.outside, "score": round(self.score, 2)}


def _xlogx(observed: float, expected: float) -> float:
    return observed * math.log(observed / expected) if observed > 0 else 0.0


def log_likelihood(inside: int, fg_size: int, outside: int, rest_size: int) -> float:
    """Dunning's G² for a term in ``inside`` of ``fg_size`` foreground articles and in
    ``outside`` of ``rest_size`` other articles (0.0 when either set is empty)."""
    total = fg_size + rest_size
    if fg_size <= 0 or rest_size <= 0:
        return 0.0
    with_term = inside + outside
    without = total - with_term
    cells = (
        (inside, fg_size * with_term / total),
        (fg_size - inside, fg_size * without / total),
        (outside, rest_size * with_term / total),
        (rest_size - outside, rest_size * without / total),
    )
    return max(0.0, 2.0 * sum(_xlogx(o, e) for o, e in cells))


def significant_terms(
    foreground: Mapping[str, int],
    background: Mapping[str, int],
    fg_size: int,
    bg_size: int,
    *,
    min_count: int = MIN_COUNT,
    limit: Optional[int] = 20,
) -> List[TermScore]:
    """The terms over-represented in the foreground, best (highest G²) first.

    ``foreground`` maps a term to the number of foreground articles holding it, out of
    ``fg_size``; ``background`` the same over the *whole archive* (foreground included),
    out of ``bg_size``, which is what an index's document frequencies give. A background
    count below the foreground one (an index that changed in between) is taken as equal.
    Ties are broken by term, so the order is stable. Nothing can be significant when the
    foreground is the whole archive: the result is then empty.
    """
    rest_size = bg_size - fg_size
    if fg_size <= 0 or rest_size <= 0:
        return []
    scored = []
    for term, inside in foreground.items():
        if inside < min_count:
            continue
        outside = max(0, background.get(term, inside) - inside)
        if inside * rest_size <= outside * fg_size:
            continue  # not more frequent inside than outside
        scored.append(TermScore(term, inside, outside, log_likelihood(inside, fg_size, outside, rest_size)))
    key = lambda t: (-t.score, t.term)  # noqa: E731
    if limit is None:
        return sorted(scored, key=key)
    return heapq.nsmallest(limit, scored, key=key)


def document_counts(term_lists: Iterable[Iterable[str]]) -> Tuple["Counter[str]", int]:
    """(term -> number of articles holding it, number of articles) from each article's
    terms; a term repeated within one article counts once. Streams."""
    counts: "Counter[str]" = Counter()
    articles = 0
    for terms in term_lists:
        counts.update(set(terms))
        articles += 1
    return counts, articles


def article_terms(title: str, body: str, *, count: int = TERMS_PER_ARTICLE) -> Tuple[str, ...]:
    """An article's terms as the index keeps them: its keywords and keyphrases
    (:func:`searcher.keywords.extract_keywords`); for archives without stored keywords."""
    return extract_keywords(title, body, count=count)
