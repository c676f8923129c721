""""Did you mean": corrections of misspelt words from the archive's own vocabulary.

Works on any engine through its vocabulary methods (``doc_frequency``, ``near_terms``,
``texts_with``). The work is bounded by design, so it fits inside a search's ``--timeout``:
only words of at most ``MAX_WORD`` letters are looked at, each looks at most at
``MAX_CANDIDATES`` near terms, and the deadline is checked between steps.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Callable, Dict, Optional

from searcher.analyzer import ANALYZER, STEMMED_FIELDS
from searcher.errors import QueryTimeout
from searcher.query.tree import plain_words

if TYPE_CHECKING:  # pragma: no cover
    from searcher.engines.base import Engine
    from searcher.query import ParsedQuery

#: A query with fewer hits than this may get a "did you mean".
FEW_HITS = 5
#: A correction must occur in this many times more documents than the typed word.
SUGGEST_RATIO = 5
#: A word found in more articles than this is never "corrected".
KNOWN_WORD_DF = 1
#: How many articles are read to find how a suggested stem is spelt in text.
SURFACE_DOCS = 10
#: Longer words are not corrected: no real word is that long, and the edit-distance work
#: grows with the length (a 200-letter word took 11 s before this limit).
MAX_WORD = 30
#: Most near terms looked at per word and distance.
MAX_CANDIDATES = 200


def suggest(parsed: "ParsedQuery", engine: "Engine", *, total: int, deadline: Optional[float] = None,
            timeout: float = 0.0) -> Optional[str]:
    """The query text with misspelt words corrected, or None.

    Only when the query found fewer than ``FEW_HITS`` articles (``total``). A word counts
    as misspelt when a term within edit distance 1 (else 2) of its stem occurs in at least
    ``SUGGEST_RATIO`` times as many title/body documents; the most frequent such term wins
    and is shown as a surface word taken from an article that contains it. Raises
    ``QueryTimeout`` past ``deadline``.
    """
    if total >= FEW_HITS:
        return None
    leaves = [leaf for leaf in plain_words(parsed.tree)
              if len(leaf.terms) == 1 and leaf.raw.isalpha() and 3 <= len(leaf.raw) <= MAX_WORD]
    text = parsed.text
    changed = False

    def check() -> None:
        if deadline is not None and time.perf_counter() > deadline:
            raise QueryTimeout.after(timeout)

    for leaf in sorted(leaves, key=lambda lf: lf.pos, reverse=True):
        check()
        best = _correction(engine, leaf.terms[0], check)
        if best is None:
            continue
        word = _match_case(_surface(engine, best, leaf.raw), leaf.raw)
        if word.lower() != leaf.raw.lower():
            text = text[:leaf.pos] + word + text[leaf.pos + len(leaf.raw):]
            changed = True
    return text if changed else None


def _df(engine: "Engine", term: str) -> int:
    return sum(engine.doc_frequency(f, term) for f in STEMMED_FIELDS)


def _correction(engine: "Engine", stem: str, check: Callable[[], None]) -> Optional[str]:
    """The most frequent term near ``stem`` that is much more frequent than it, or None."""
    own = _df(engine, stem)
    if own > KNOWN_WORD_DF:
        # A word several articles use is a real word, even if a similar one is more
        # common: "rates" found nothing because of a date filter, not a typo.
        return None
    for dist in (1, 2):
        candidates = set()
        for fname in STEMMED_FIELDS:
            candidates.update(engine.near_terms(fname, stem, dist, MAX_CANDIDATES))
            check()
        candidates.discard(stem)
        scored = []
        for c in sorted(candidates)[:MAX_CANDIDATES]:
            df = _df(engine, c)
            if df >= max(1, own * SUGGEST_RATIO):
                scored.append((df, c))
        check()
        if scored:
            return max(scored, key=lambda s: (s[0], [-ord(ch) for ch in s[1]]))[1]
    return None


def _surface(engine: "Engine", term: str, typed: str) -> str:
    """A readable word for index term ``term``, taken from articles that contain it; the
    form closest to what the user typed wins ("missle" → "missile", not "missiles")."""
    forms: Dict[str, int] = {}
    for fname in STEMMED_FIELDS:
        for stored in engine.texts_with(fname, term, SURFACE_DOCS):
            for token in ANALYZER.tokens(stored[:200_000]):
                if token.term == term:
                    word = token.original.lower().replace("’", "'")
                    word = word[:-2] if word.endswith("'s") else word
                    forms[word] = forms.get(word, 0) + 1
    if not forms:
        return term
    typed = typed.lower()
    return min(forms, key=lambda w: (damerau_levenshtein(w, typed), -forms[w], w))


def damerau_levenshtein(a: str, b: str) -> int:
    """Edits (insert, delete, substitute, swap two neighbours) between ``a`` and ``b``:
    the optimal-string-alignment distance."""
    prev2: list = []
    prev = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        cur = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        prev2, prev = prev, cur
    return prev[len(b)]


def _match_case(word: str, typed: str) -> str:
    if typed.isupper() and len(typed) > 1:
        return word.upper()
    if typed[:1].isupper():
        return word[:1].upper() + word[1:]
    return word
