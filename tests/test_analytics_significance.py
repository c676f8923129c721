"""Significant terms: Dunning's G² over document counts; a planted topic comes first."""

from __future__ import annotations

import importlib.util
import math
import random
import re
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from searcher.analytics.significance import (
    TermScore,
    article_terms,
    document_counts,
    log_likelihood,
    significant_terms,
)

REPO = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("bench_wire_copies_sig", REPO / "benchmarks" / "wire_copies.py")
wire_copies = importlib.util.module_from_spec(_spec)
sys.modules["bench_wire_copies_sig"] = wire_copies
_spec.loader.exec_module(wire_copies)  # type: ignore[union-attr]


def _dunning(k11: int, k12: int, k21: int, k22: int) -> float:
    """G² in Dunning's own form: 2 (Σ k ln k - Σ rows ln rows - Σ cols ln cols + N ln N)."""

    def xlx(x: float) -> float:
        return x * math.log(x) if x > 0 else 0.0

    n = k11 + k12 + k21 + k22
    cells = xlx(k11) + xlx(k12) + xlx(k21) + xlx(k22)
    rows = xlx(k11 + k12) + xlx(k21 + k22)
    cols = xlx(k11 + k21) + xlx(k12 + k22)
    return 2 * (cells - rows - cols + xlx(n))


@given(
    st.integers(1, 500), st.integers(1, 5000), st.integers(0, 500), st.integers(0, 5000)
)
def test_g2_agrees_with_dunnings_formula(fg: int, rest: int, a: int, c: int) -> None:
    a, c = min(a, fg), min(c, rest)
    assert log_likelihood(a, fg, c, rest) == pytest.approx(_dunning(a, fg - a, c, rest - c), rel=1e-9, abs=1e-9)


def test_known_value_and_degenerate_tables() -> None:
    # 10 of 100 inside against 10 of 900 outside; expected 2, 98, 18, 882, so by hand
    # G² = 2 (10 ln 5 + 90 ln(90/98) + 10 ln(10/18) + 890 ln(890/882)) = 21.18 (p < 0.001).
    assert log_likelihood(10, 100, 10, 900) == pytest.approx(_dunning(10, 90, 10, 890))
    assert round(log_likelihood(10, 100, 10, 900), 2) == 21.18
    assert log_likelihood(5, 50, 50, 500) == pytest.approx(0.0, abs=1e-12)  # same rate: no evidence
    assert log_likelihood(0, 0, 3, 10) == 0.0 and log_likelihood(1, 10, 0, 0) == 0.0


def test_ranking_filters_and_stable_ties() -> None:
    foreground = {"strike": 30, "walkout": 12, "pickets": 12, "weather": 5, "rare": 2, "the": 90}
    background = {"strike": 40, "walkout": 12, "pickets": 12, "weather": 200, "rare": 2, "the": 900}
    terms = significant_terms(foreground, background, fg_size=100, bg_size=1000)
    assert [t.term for t in terms] == ["strike", "pickets", "walkout"]  # equal scores: by term
    assert terms[0] == TermScore("strike", 30, 10, pytest.approx(log_likelihood(30, 100, 10, 900)))
    assert terms[1].score == terms[2].score
    # "weather" is rarer inside, "the" as frequent inside as out, "rare" below the minimum count
    assert significant_terms(foreground, background, 100, 1000, min_count=2)[-1].term == "rare"
    assert [t.term for t in significant_terms(foreground, background, 100, 1000, limit=1)] == ["strike"]
    assert terms[0].to_dict() == {"term": "strike", "in": 30, "out": 10, "score": round(terms[0].score, 2)}


def test_whole_archive_foreground_and_inconsistent_counts() -> None:
    assert significant_terms({"a": 5}, {"a": 5}, 10, 10) == []
    # a background count below the foreground one is taken as equal (no article outside)
    assert significant_terms({"a": 5}, {"a": 1}, 10, 100)[0].outside == 0
    assert significant_terms({"a": 5}, {}, 10, 100)[0].outside == 0


def test_document_counts_count_each_article_once() -> None:
    counts, n = document_counts(iter([["a", "b", "a"], ["b"], []]))
    assert n == 3 and counts == {"a": 1, "b": 2}


def test_a_topic_planted_in_one_month_comes_first() -> None:
    """Real articles spread over twelve months, except those about North Korea, all put
    in March: March's most significant terms are that story's words."""
    real = wire_copies.load_real(REPO / "corpus")
    planted = {i for i, (title, body) in enumerate(real) if "north korea" in f"{title} {body}".lower()}
    assert 8 <= len(planted) <= len(real) // 3
    rng = random.Random(4)
    month = {i: 3 if i in planted else rng.randint(1, 12) for i in range(len(real))}
    terms = [article_terms(title, body) for title, body in real]
    foreground, fg_size = document_counts(terms[i] for i in range(len(real)) if month[i] == 3)
    background, bg_size = document_counts(terms)
    best = significant_terms(foreground, background, fg_size, bg_size, limit=5)
    assert best[0].term == "north korea"

    def share(term: str, ids: set) -> float:
        word = re.compile(rf"\b{re.escape(term)}\b", re.IGNORECASE)
        return sum(bool(word.search(f"{real[i][0]} {real[i][1]}")) for i in ids) / len(ids)

    others = set(range(len(real))) - planted
    for found in best:  # each is a word of the planted story, rare elsewhere
        assert share(found.term, planted) >= 2 * share(found.term, others), found
