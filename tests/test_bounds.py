"""Work bounded by design: `--timeout` covers the whole search (suggestions, fuzzy
expansion, highlighting), and totals that say they are exact are exact however the index
is segmented, or the query is refused in one line (never a silent cap)."""

from __future__ import annotations

import itertools
import json
import random
import types
from pathlib import Path
from typing import Iterator, List

import pytest
from click.testing import CliRunner

from searcher.analyzer import terms
from searcher.archive import Archive
from searcher.article import Article
from searcher.cli import main
from searcher.engines.whoosh import fixes
from searcher.errors import QueryTimeout
from searcher.highlight import HighlightSpec, snippets
from searcher.query import MAX_EXPANSION
from searcher.query import suggest as suggest_module

#: Letters of words the stemmer leaves alone (no vowel, no final "s" or "y").
CONSONANTS = "bcdfghjklmnpqrtvwxz"


def _cli(*args: str) -> "CliRunner":
    return CliRunner().invoke(main, list(args))  # type: ignore[return-value]


def _words(prefix: str, length: int) -> Iterator[str]:
    for tail in itertools.product(CONSONANTS, repeat=length):
        yield prefix + "".join(tail)


def _near(prefix: str, base: str, edits: int) -> List[str]:
    """Every ``prefix + word`` with at most ``edits`` letters of ``base`` substituted."""
    found = set()
    for count in range(edits + 1):
        for places in itertools.combinations(range(len(base)), count):
            for letters in itertools.product(CONSONANTS.replace(base[0], ""), repeat=count):
                word = list(base)
                for place, letter in zip(places, letters):
                    word[place] = letter
                found.add(prefix + "".join(word))
    return sorted(found)


def _index_words(folder: Path, tmp_path: Path, words: List[str], *, per_article: int, batch: int,
                 monkeypatch: pytest.MonkeyPatch) -> Path:
    """An index, through `searcher index`, of articles holding ``per_article`` of ``words``
    each, committed ``batch`` articles at a time."""
    corpus = tmp_path / f"corpus-{folder.name}"
    corpus.mkdir()
    with (corpus / "words.jsonl").open("w", encoding="utf-8") as out:
        for n in range(0, len(words), per_article):
            row = {"title": f"Words {n}", "text": "common " + " ".join(words[n : n + per_article]),
                   "url": f"https://words.example/{n}", "date": "2021-03-04"}
            out.write(json.dumps(row) + "\n")
    monkeypatch.setenv("SEARCHER_BATCH_ARTICLES", str(batch))
    result = _cli("index", str(corpus), "--index", str(folder), "--quiet")
    assert result.exit_code == 0, result.output
    return folder


def _segments(folder: Path) -> int:
    with Archive.open(folder) as archive:
        return len(archive.engine.search_view().reader().leaf_readers())


def _total(folder: Path, query: str) -> int:
    result = _cli("search", query, "--index", str(folder), "--format", "json", "--timeout", "60")
    assert result.exit_code == 0, result.output
    return int(json.loads(result.stdout)["total"])


# -- exact totals ------------------------------------------------------------------------------


def test_prefix_and_fuzzy_totals_are_exact_however_the_index_is_segmented(tmp_path: Path,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """1,500 distinct `zq…` words (more than Whoosh's 1,000 per segment, which made the
    count depend on the segments) and as many within two edits of `zqkkkk`."""
    prefixed = list(itertools.islice(_words("zq", 3), 1500))
    near = _near("zq", "kkkk", 2)[:1500]
    assert terms(" ".join(prefixed[:50] + near[:50])) == prefixed[:50] + near[:50]  # stems are the words
    words = prefixed + near
    random.Random(4).shuffle(words)
    many = _index_words(tmp_path / "many", tmp_path, words, per_article=1, batch=400, monkeypatch=monkeypatch)
    one = _index_words(tmp_path / "one", tmp_path, words, per_article=1, batch=100_000, monkeypatch=monkeypatch)
    assert _segments(many) >= 2 and _segments(one) == 1
    for folder in (many, one):
        # "zq*" also holds the fuzzy words (all start with zq): 3,000 articles.
        assert _total(folder, "zq*") == 3000
        assert _total(folder, "zqb*") == sum(w.startswith("zqb") for w in words)
        assert _total(folder, "zqkkkk~2") == 1500 + sum(1 for w in prefixed if _edits(w, "zqkkkk") <= 2)


def _edits(a: str, b: str) -> int:
    """Plain edit distance (insert, delete, substitute), the reference for the tests."""
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


def test_too_broad_prefix_or_fuzzy_term_is_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """More than MAX_EXPANSION words: one line, exit 1, from search and from the terms'
    highlighting alike (no count cut short)."""
    prefixed = list(itertools.islice(_words("zq", 3), MAX_EXPANSION + 200))
    near = _near("zx", "kkkkkkk", 2)
    assert len(near) > MAX_EXPANSION
    folder = _index_words(tmp_path / "idx", tmp_path, prefixed + near, per_article=200, batch=10,
                          monkeypatch=monkeypatch)
    for query, shown in (("zq*", "zq*"), ("zxkkkkkkk~2", "zxkkkkkkk~2")):
        result = _cli("search", query, "--index", str(folder))
        assert result.exit_code == 1
        assert result.stderr == (
            f"Error: '{shown}' matches more than {MAX_EXPANSION:,} different words in body; make it longer or more exact\n"
        )
    assert _total(folder, "zqb*") == 2  # narrower still works: 361 words in the first two articles


# -- bounded work --------------------------------------------------------------------------------


def test_long_fuzzy_words_are_matched_without_the_automaton(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A fuzzy word longer than AUTOMATON_MAX letters is matched by a scan (building the
    automaton grew with the word: 0.6 s per segment at 960 letters, outside --timeout),
    with the same answers."""
    import whoosh.automata.lev as lev

    built: List[str] = []
    real = lev.levenshtein_automaton

    def counting(term: str, k: int, prefix: int = 0) -> object:
        built.append(term)
        return real(term, k, prefix)

    monkeypatch.setattr(lev, "levenshtein_automaton", counting)
    long_word = "zq" + "bcdfghjklm" * 20
    close = long_word[:50] + "x" + long_word[51:]
    with Archive.open(tmp_path / "idx", create=True) as archive:
        archive.add([Article(title="Long", body=f"plain {close} words", url="u1"),
                     Article(title="Short", body="plain zqbcd words", url="u2")])
        assert [h.title for h in archive.search(f"{long_word}~1")] == ["Long"]
        assert archive.search(f"{long_word}~1 OR {'zq' + 'p' * 5000}~2").total == 1
        assert archive.search(long_word[:-1] + "~1").total == 0
        assert built == []
        assert [h.title for h in archive.search("zqbcf~1")] == ["Short"]
        assert built  # a short word still goes through the automaton


def test_banded_edit_distance_matches_the_reference() -> None:
    rng = random.Random(7)
    for _ in range(3000):
        a = "".join(rng.choice("abc") for _ in range(rng.randint(0, 9)))
        b = "".join(rng.choice("abc") for _ in range(rng.randint(0, 9)))
        for k in (0, 1, 2, 3):
            assert fixes.within(a, b, k) == (_edits(a, b) <= k), (a, b, k)


def test_suggestions_skip_absurd_words(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No near-term work for a word of 200 letters (it took 11 s of edit distances)."""
    asked: List[str] = []
    with Archive.open(tmp_path / "idx", create=True) as archive:
        archive.add([Article(title="Budget", body="the budget vote", url="u1")])
        engine = archive.engine
        real = engine.near_terms

        def near_terms(field: str, term: str, distance: int, limit: int) -> List[str]:
            asked.append(term)
            return real(field, term, distance, limit)

        monkeypatch.setattr(engine, "near_terms", near_terms)
        assert archive.search("bcdfghjklm" * 20, timeout=30).suggestion is None
        assert asked == []
        assert archive.search("budgte", timeout=30).suggestion == "budget"
        assert asked  # a word of normal length is looked at
        assert len(asked) <= 2 * len(suggest_module.STEMMED_FIELDS)


def test_highlighting_stops_at_the_deadline(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """One huge article with 20 prefix terms: the snippet work itself checks the deadline
    (it was checked between hits only, and one such article took 5 s past a 1 s timeout).
    The archive's clock is made to advance a millisecond a reading, so the test does not
    depend on the machine's speed."""
    import searcher.archive as archive_module

    rng = random.Random(1)
    vocabulary = ["".join(rng.choice("abcdefghijklmnoprstuw") for _ in range(rng.randint(3, 9))) for _ in range(5000)]
    body = " ".join(rng.choice(vocabulary) for _ in range(200_000))
    query = " OR ".join(p + "*" for p in "ab ca de ex fi go ha in jo ki la ma ne ob pa re st tr un wa".split())
    with Archive.open(tmp_path / "idx", create=True) as archive:
        archive.add([Article(title="Huge", body=body, url="u1")])
        assert archive.search(query, timeout=None).total == 1
        # The engine's own deadline check reads the real clock: the fake one starts there.
        start = archive_module.time.perf_counter()
        ticks = itertools.count()
        clock = types.SimpleNamespace(perf_counter=lambda: start + next(ticks) / 500,
                                      monotonic=archive_module.time.monotonic)
        monkeypatch.setattr(archive_module, "time", clock)
        with pytest.raises(QueryTimeout, match="took more than 0.1 s"):
            archive.search(query, timeout=0.1)
        assert next(ticks) > 50  # stopped by readings inside the one article's snippet work


def test_snippets_call_the_check_on_long_texts() -> None:
    text = " ".join(["budget vote"] * 50_000)
    calls: List[int] = []
    found = snippets(text, HighlightSpec(terms={"body": {"budget"}}), check=lambda: calls.append(1))
    assert found and len(calls) >= 10
    short = snippets("the budget vote", HighlightSpec(terms={"body": {"budget"}}), check=lambda: calls.append(1))
    assert short and len(calls) < 10 + 30
