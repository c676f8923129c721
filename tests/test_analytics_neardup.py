"""Wire copies: MinHash signatures (deterministic, edit-tolerant) and grouping."""

from __future__ import annotations

import importlib.util
import itertools
import os
import random
import re
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from searcher.analytics import neardup
from searcher.analytics.neardup import DupRow, group, signature, similarity

REPO = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("bench_wire_copies", REPO / "benchmarks" / "wire_copies.py")
wire_copies = importlib.util.module_from_spec(_spec)
sys.modules["bench_wire_copies"] = wire_copies
_spec.loader.exec_module(wire_copies)  # type: ignore[union-attr]

BODY = (
    "The UN Security Council will hold an urgent meeting today on North Korea's missile launch. "
    "The United States, Japan and South Korea requested the consultations after the test. "
    "The missile flew about 500km before falling into the sea, the defence ministry said. "
    "North Korea is barred under UN resolutions from any use of ballistic missile technology.\n"
    "The council has imposed six sets of sanctions since the first nuclear test in 2006."
)
UTC = timezone.utc


def _words(text: str) -> list:
    return re.findall(r"\w+", text.casefold())


def _exact_jaccard(a: str, b: str) -> float:
    """Jaccard of 3-word shingles within sentences, computed directly (no hashing)."""

    def shingles(text: str) -> set:
        out = set()
        for sentence in re.split(r"[.!?\n]", text.casefold()):
            words = re.findall(r"\w+", sentence)
            if 0 < len(words) < neardup.SHINGLE:
                out.add(tuple(words))
            out.update(tuple(words[i : i + neardup.SHINGLE]) for i in range(len(words) - neardup.SHINGLE + 1))
        return out

    sa, sb = shingles(a), shingles(b)
    return len(sa & sb) / len(sa | sb)


def test_signature_is_compact_and_ignores_case_spacing_and_punctuation() -> None:
    sig = signature(BODY)
    assert isinstance(sig, bytes) and len(sig) == neardup.SIGNATURE_BYTES
    respelled = BODY.upper().replace(" ", "  ").replace(",", " ,").replace("'", "\u2019")
    assert signature(respelled) == sig
    assert similarity(sig, sig) == 1.0


def test_moving_sentences_changes_nothing() -> None:
    sentences = [s.strip() + "." for s in BODY.replace("\n", " ").split(". ") if s.strip()]
    rng = random.Random(3)
    moved = sentences[:]
    rng.shuffle(moved)
    assert moved != sentences
    assert signature(" ".join(moved).replace("..", ".")) == signature(" ".join(sentences).replace("..", "."))


def test_signature_is_the_same_in_another_process_with_another_hash_seed() -> None:
    code = "import sys; from searcher.analytics.neardup import signature; sys.stdout.write(signature(sys.stdin.read()).hex())"
    env = dict(os.environ, PYTHONHASHSEED="12345")
    out = subprocess.run([sys.executable, "-c", code], input=BODY, capture_output=True, text=True, env=env, check=True)
    assert out.stdout == signature(BODY).hex()  # type: ignore[union-attr]


def test_empty_and_wordless_bodies_have_no_signature_and_are_never_grouped() -> None:
    assert signature("") is None
    assert signature(" ... !!! \n ? ") is None
    assert signature("Hello") is not None  # one short sentence is one shingle
    groups = group([("a", None, "x", None), ("b", None, "y", None)])
    assert [g.copies for g in groups] == [[], []]


def test_text_form_round_trips_and_rejects_foreign_data() -> None:
    sig = signature(BODY)
    text = neardup.signature_to_text(sig)
    assert text.isascii() and neardup.signature_from_text(text) == sig
    assert neardup.signature_to_text(None) == "" and neardup.signature_from_text("") is None
    assert neardup.signature_from_text("not base64!") is None
    other = bytes([0x6D, 99]) + sig[2:]  # another format version
    assert neardup.signature_from_text(neardup.signature_to_text(other)) is None
    assert similarity(sig, other) == 0.0 and similarity(sig, None) == 0.0


def test_estimate_follows_the_exact_jaccard() -> None:
    """Over pairs of related texts, the estimate stays within 4 standard errors."""
    rng = random.Random(11)
    words = _words(BODY * 3)
    for _ in range(30):
        a = " ".join(rng.choice(words) for _ in range(rng.randint(40, 120)))
        b_words = a.split()
        for i in rng.sample(range(len(b_words)), k=rng.randint(0, len(b_words) // 2)):
            b_words[i] = rng.choice(words)
        b = " ".join(b_words)
        exact = _exact_jaccard(a, b)
        error = (exact * (1 - exact) / neardup.HASHES) ** 0.5
        assert abs(similarity(signature(a), signature(b)) - exact) <= 4 * error + 0.02, (exact,)


def _row(id_: str, day: int, source: str, body: str) -> DupRow:
    return DupRow(id_, datetime(2017, 3, 1, tzinfo=UTC) + timedelta(days=day), source, signature(body))


def test_group_shows_each_story_once_earliest_copy_first_in_ranking_order() -> None:
    copy = BODY.replace("urgent", "emergency") + "\n\nReporting by Anna Keller; editing by Tom Hardy."
    other = "Quarterly profits at US media giant TimeWarner jumped 76% to $1.13bn for the three months to December."
    rows = [
        _row("later-copy", 3, "RTE", copy),
        _row("unrelated", 0, "BBC", other),
        _row("original", 1, "Reuters", BODY),
        _row("same-day", 1, "AP", BODY),
    ]
    groups = group(rows)
    assert [(g.first.id, g.copies, g.rank) for g in groups] == [
        ("original", ["same-day", "later-copy"], 0),  # ties by date broken by id
        ("unrelated", [], 1),
    ]
    assert groups[0].sources == ["Reuters", "AP", "RTE"] and len(groups[0].members) == 3


def test_undated_copies_come_last() -> None:
    groups = group([DupRow("a", None, "x", signature(BODY)), _row("b", 5, "y", BODY)])
    assert [m.id for m in groups[0].members] == ["b", "a"]


def test_grouping_does_not_depend_on_row_order() -> None:
    bodies = [BODY, BODY + " Extra sentence here.", "Something else entirely about football and goals scored."]
    rows = [_row(f"id{i}", i % 2, "s", bodies[i % 3]) for i in range(9)]
    expected = sorted(tuple(m.id for m in g.members) for g in group(rows))
    for perm in itertools.islice(itertools.permutations(rows), 0, 200, 37):
        assert sorted(tuple(m.id for m in g.members) for g in group(perm)) == expected


def test_a_huge_bucket_of_identical_bodies_is_one_group() -> None:
    rows = [_row(f"{i:04d}", 0, "wire", BODY) for i in range(neardup.MAX_BUCKET * 3)]
    groups = group(rows)
    assert len(groups) == 1 and len(groups[0].copies) == len(rows) - 1


def test_threshold_is_applied_to_the_estimate() -> None:
    half = BODY.split(". ")
    a, b = BODY, ". ".join(half[:3]) + ". Completely different closing words are here now."
    estimate = similarity(signature(a), signature(b))
    assert 0 < estimate < 1
    rows = [_row("a", 0, "x", a), _row("b", 1, "y", b)]
    assert len(group(rows, threshold=estimate)) == 1
    assert len(group(rows, threshold=estimate + 1 / neardup.HASHES)) == 2


def _planted_scores(corpora: Path, originals: int, limit: int) -> tuple:
    real = wire_copies.load_real(corpora)[:limit]
    pool, _ = wire_copies.drop_real_duplicates(real)
    articles = wire_copies.build(pool, originals=originals, seed=5)
    rows = [(a.id, a.date, a.source, signature(a.body)) for a in articles]
    return wire_copies.score(articles, group(rows))


def test_planted_copies_of_real_articles_are_grouped() -> None:
    """Edited copies (moved sentences, new headline, 10% of words changed, a paragraph
    and a byline added) of the repo's real articles, among articles on the same topic."""
    precision, recall, predicted, true = _planted_scores(REPO / "corpus", originals=12, limit=200)
    assert true >= 30
    assert precision >= 0.9 and recall >= 0.9, (precision, recall)


def test_planted_copies_in_the_shared_corpus_are_grouped(corpora: Path) -> None:
    precision, recall, predicted, true = _planted_scores(corpora, originals=40, limit=900)
    assert true >= 100
    assert precision >= 0.9 and recall >= 0.9, (precision, recall)


@pytest.mark.parametrize("bad", [b"", b"m\x01\x03@", 12])
def test_rows_with_malformed_signatures_stay_alone(bad: object) -> None:
    rows = [("a", None, "x", bad), _row("b", 0, "y", BODY), _row("c", 1, "z", BODY)]
    groups = group(rows)  # type: ignore[arg-type]
    assert sorted(len(g.members) for g in groups) == [1, 2]


def test_with_threshold_zero_groups_are_the_components_of_shared_bands() -> None:
    """Against a brute-force check of every pair: with no verification threshold, two
    rows are in one group exactly when a chain of rows sharing an LSH band links them."""
    import numpy as np

    rng = np.random.default_rng(7)
    matrix = rng.integers(0, 48, size=(150, neardup.HASHES), dtype=np.uint32)
    header = signature("any text")[:4]  # type: ignore[index]
    rows = [(f"{i:03d}", None, "s", header + row.astype("<u4").tobytes()) for i, row in enumerate(matrix)]
    r = neardup.ROWS_PER_BAND
    bands = [[tuple(row[b * r : (b + 1) * r]) for b in range(neardup.BANDS)] for row in matrix.tolist()]
    parent = list(range(len(rows)))

    def find(i: int) -> int:
        while parent[i] != i:
            i = parent[i]
        return i

    links = 0
    for i in range(len(bands)):
        for j in range(i + 1, len(bands)):
            if any(x == y for x, y in zip(bands[i], bands[j])):
                links += 1
                parent[find(j)] = find(i)
    expected = {}
    for i in range(len(rows)):
        expected.setdefault(find(i), set()).add(rows[i][0])
    assert 20 < links and 10 < len(expected) < len(rows)  # the case is not trivial
    found = [{m.id for m in g.members} for g in group(rows, threshold=0.0)]
    assert sorted(map(sorted, found)) == sorted(map(sorted, expected.values()))
