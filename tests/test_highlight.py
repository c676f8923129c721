"""Tests for searcher/highlight.py: matching, fragments and formatters, with exact outputs."""

from __future__ import annotations

from typing import Dict, List, Sequence, Tuple

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from searcher.highlight import (
    HighlightSpec,
    Snippet,
    _matches,
    find_matches,
    highlight_whole,
    snippets,
    to_ansi,
    to_html,
    to_marked,
)
from searcher.analyzer import analyze, terms

Phrases = Tuple[Tuple[Tuple[str, ...], int], ...]


def spec(words: Sequence[str] = (), phrases: Phrases = (), field: str = "body") -> HighlightSpec:
    """A spec for one field from plain words (turned into index terms) and term phrases."""
    found = frozenset(t for w in words for t in terms(w))
    return HighlightSpec(terms={field: found}, phrases={field: phrases})


def marked(text: str, s: HighlightSpec, field: str = "body") -> str:
    return to_marked(highlight_whole(text, s, field=field))


# --------------------------------------------------------------------------- matching


def test_stemmed_variants_light_up() -> None:
    text = "Missiles flew. The missile's range and a MISSILE test; dismissile is not one."
    assert marked(text, spec(["missile"])) == (
        "[Missiles] flew. The [missile's] range and a [MISSILE] test; dismissile is not one."
    )


def test_phrase_marks_only_the_phrase_not_scattered_words() -> None:
    text = "North Korea fired missiles. In the north, South Korea watched."
    s = spec(phrases=((("north", "korea"), 1),))
    assert find_matches(text, s, "body") == [(0, 11)]
    assert marked(text, s) == "[North Korea] fired missiles. In the north, South Korea watched."


def test_phrase_follows_index_positions_over_punctuation() -> None:
    # Whoosh matches "north korea" here too: the comma is not a token.
    text = "In the north, Korea watched."
    assert marked(text, spec(phrases=((("north", "korea"), 1),))) == "In the [north, Korea] watched."


def test_phrase_across_a_stopword_covers_it() -> None:
    # Index positions count stopwords; the query parser gives "bank of england" slop 2.
    text = "The Bank of England raised rates. A bank near old England did not. Bank England."
    s = spec(phrases=((("bank", "england"), 2),))
    assert marked(text, s) == (
        "The [Bank of England] raised rates. A bank near old England did not. [Bank England]."
    )
    assert marked(text, spec(phrases=((("bank", "england"), 1),))) == (
        "The Bank of England raised rates. A bank near old England did not. [Bank England]."
    )


def test_terms_and_phrases_together_merge_touching_spans() -> None:
    text = "Bank of England bankers met."
    s = spec(["banker"], phrases=((("bank", "england"), 2),))
    assert marked(text, s) == "[Bank of England] [bankers] met."
    assert find_matches(text, s, "body") == [(0, 15), (16, 23)]


def test_proximity_marks_tokens_of_occurrences_within_slop() -> None:
    text = "North and South Korea met. North Korea fired. The north of the big old country Korea."
    s = spec(phrases=((("north", "korea"), 3),))
    assert marked(text, s) == (
        "[North] and South [Korea] met. [North Korea] fired. "
        "The north of the big old country Korea."
    )


def test_proximity_is_ordered_like_whoosh() -> None:
    assert marked("Korea, north of it.", spec(phrases=((("north", "korea"), 3),))) == (
        "Korea, north of it."
    )


def test_three_word_phrase_needs_every_word() -> None:
    text = "New York City is big. New York has a city. York City new."
    s = spec(phrases=((("new", "york", "citi"), 1),))
    assert marked(text, s) == "[New York City] is big. New York has a city. York City new."


@pytest.mark.parametrize(
    "text, phrase, slop",
    [
        ("north korea", ("north", "korea"), 1),
        ("north big korea", ("north", "korea"), 1),
        ("north big korea", ("north", "korea"), 2),
        ("north big old korea", ("north", "korea"), 2),
        ("north of the korea", ("north", "korea"), 1),
        ("korea north", ("north", "korea"), 5),
        ("north north korea", ("north", "korea"), 1),
        ("a b c a b c", ("a", "c"), 2),
        ("new york new york city", ("new", "york", "citi"), 1),
        ("new big york big city", ("new", "york", "citi"), 2),
        ("new big big york city", ("new", "york", "citi"), 2),
        ("north korea", ("north", "korea"), 0),
        ("bank of england", ("bank", "england"), 2),
        ("bank of the england", ("bank", "england"), 2),
        ("north of the korea", ("north", "korea"), 3),
        ("the north, korea", ("north", "korea"), 1),
    ],
)
def test_phrase_matches_exactly_when_whoosh_does(text: str, phrase: Tuple[str, ...], slop: int) -> None:
    from whoosh import fields
    from whoosh.filedb.filestore import RamStorage
    from whoosh.query import Phrase

    from searcher.engines.whoosh.schema import ANALYZER

    index = RamStorage().create_index(fields.Schema(body=fields.TEXT(analyzer=ANALYZER)))
    with index.writer() as writer:
        writer.add_document(body=text)
    # Whoosh reads slop 0 as "never"; the spec's contract says 0 means adjacent, like 1.
    query = Phrase("body", list(phrase), slop=max(1, slop))
    with index.searcher() as searcher:
        whoosh_matches = len(searcher.search(query)) == 1
    ours = find_matches(text, spec(phrases=((phrase, slop),)), "body")
    assert bool(ours) == whoosh_matches


def test_fields_are_separate_and_missing_fields_match_nothing() -> None:
    s = HighlightSpec(terms={"title": frozenset({"missil"})})
    assert find_matches("missile", s, "body") == []
    assert find_matches("missile", s, "title") == [(0, 7)]
    assert find_matches("", s, "title") == []


def test_title_with_highlight_whole() -> None:
    s = HighlightSpec(
        terms={"title": frozenset({"missil"})}, phrases={"title": ((("north", "korea"), 1),)}
    )
    title = "North Korea fires missiles; south, then north"
    assert highlight_whole(title, s, field="title") == Snippet(title, ((0, 11), (18, 26)))


def test_odd_unicode() -> None:
    text = "İstanbul \u212aelvin ΟΔΟΣ οδός 東京 naïve café \ud800 e\u0301 \u200bcafé 🚀missile"
    words = ["İstanbul", "kelvin", "ΟΔΟΣ", "café", "missile"]
    assert marked(text, spec(words)) == (
        "[İstanbul] [\u212aelvin] [ΟΔΟΣ] οδός 東京 naïve [café] \ud800 e\u0301 \u200b[café] 🚀[missile]"
    )
    cjk = "大阪は雨。東京は晴れ。大阪は雨。"  # sentences end at 。 with no space after
    assert snippets(cjk, spec(["東京は晴れ"]), max_chars=8) == [Snippet("東京は晴れ。", ((0, 5),))]


def test_fast_matching_agrees_with_analysing_everything_on_a_real_article() -> None:
    text = (
        "U.S. officials said the missile's test, like the missiles before it, was "
        "\u201cprovocative\u201d. Don't panic: North Korea's possibilities and capabilities "
        "remain limited, the U.S. said. The universities' relational studies generalize."
    )
    words = terms(text)
    s = HighlightSpec(
        terms={"body": frozenset(words[::2])},
        phrases={"body": (((words[3], words[4]), 1), ((words[5], words[8]), 4))},
    )
    assert _matches(text, s, "body") == _matches(text, s, "body", full=True)


# --------------------------------------------------------------------------- fragments

STORY = (
    "Seoul was quiet on Monday morning. "  # 0: no match
    "Officials said a missile was fired. "  # 1: one term
    "Markets barely moved. "  # 2: nothing
    "North Korea said the missile test of its new missiles succeeded. "  # 3: phrase + term x2
    "Analysts were not surprised."  # 4
)
STORY_SPEC = spec(["missile"], phrases=((("north", "korea"), 1),))


def test_fragments_are_whole_sentences_in_relevance_order() -> None:
    got = snippets(STORY, STORY_SPEC, count=2, max_chars=70)
    assert [to_marked(s) for s in got] == [
        "[North Korea] said the [missile] test of its new [missiles] succeeded.",
        "Officials said a [missile] was fired. Markets barely moved.",
    ]


def test_fragments_take_the_sentences_around_that_fit() -> None:
    got = snippets(STORY, STORY_SPEC, count=1, max_chars=240)
    assert [to_marked(s) for s in got] == [
        "Seoul was quiet on Monday morning. "
        "Officials said a [missile] was fired. Markets barely moved. "
        "[North Korea] said the [missile] test of its new [missiles] succeeded. "
        "Analysts were not surprised."
    ]


def test_fragments_do_not_overlap() -> None:
    got = snippets(STORY, STORY_SPEC, count=5, max_chars=100)
    assert [to_marked(s) for s in got] == [
        "[North Korea] said the [missile] test of its new [missiles] succeeded. "
        "Analysts were not surprised.",
        "Seoul was quiet on Monday morning. Officials said a [missile] was fired. "
        "Markets barely moved.",
    ]


def test_ties_go_to_the_earlier_fragment() -> None:
    text = "A missile flew. Nothing. Another missile flew. Nothing again."
    got = snippets(text, spec(["missile"]), count=2, max_chars=25)
    assert [to_marked(s) for s in got] == ["A [missile] flew. Nothing.", "Another [missile] flew."]


def test_count_and_size_bounds() -> None:
    text = " ".join(f"Sentence {i} mentions the missile number {i} again." for i in range(40))
    got = snippets(text, spec(["missile"]), count=3, max_chars=60)
    assert len(got) == 3
    assert all(len(s.text) <= 60 for s in got)
    assert [to_marked(s) for s in got][0] == "Sentence 0 mentions the [missile] number 0 again."
    assert snippets(text, spec(["missile"]), count=0) == []


def test_long_sentence_is_cut_at_words_with_ellipses() -> None:
    words = " ".join(f"word{i}" for i in range(60))
    text = f"{words} the missile flew {words}."
    got = snippets(text, spec(["missile"]), count=1, max_chars=60)
    assert [to_marked(s) for s in got] == [
        "…word59 the [missile] flew word0 word1 word2 word3 word4…"
    ]
    assert len(got[0].text) <= 60


def test_sentence_boundaries_skip_abbreviations_and_lowercase_continuations() -> None:
    text = "Mr. Kim met U.S. envoys. The talks e.g. about missiles went well. End."
    got = snippets(text, spec(["missile"]), count=1, max_chars=44)
    assert [to_marked(s) for s in got] == ["The talks e.g. about [missiles] went well."]
    got = snippets(text, spec(["envoy"]), count=1, max_chars=30)
    assert [to_marked(s) for s in got] == ["Mr. Kim met U.S. [envoys]."]


def test_whitespace_is_collapsed_and_offsets_follow() -> None:
    text = "The   North\n Korea\tmissile\r\nflew   far."
    got = snippets(text, spec(["missile"], phrases=((("north", "korea"), 1),)))
    assert got == [Snippet("The North Korea missile flew far.", ((4, 15), (16, 23)))]


def test_blank_lines_end_a_sentence() -> None:
    text = "Missile launch\n\nThe agency reported nothing new today at all"
    got = snippets(text, spec(["missile"]), count=1, max_chars=30)
    assert [to_marked(s) for s in got] == ["[Missile] launch"]


def test_lead_without_highlights_when_the_body_does_not_match() -> None:
    text = "  Seoul was quiet. Officials said nothing. " + "Filler words here. " * 30
    assert snippets(text, spec(["missile"]), max_chars=45) == [
        Snippet("Seoul was quiet. Officials said nothing.", ())
    ]
    long_first = "Seoul " * 50
    assert snippets(long_first, spec(["missile"]), max_chars=20) == [
        Snippet("Seoul Seoul Seoul…", ())
    ]
    assert snippets("", spec(["missile"])) == []
    assert snippets(" \n\t ", spec(["missile"])) == []
    with pytest.raises(ValueError):
        snippets("x", spec(["missile"]), max_chars=0)


def test_long_body_is_fast_enough_and_finds_the_far_match() -> None:
    body = "Quiet day in Seoul with nothing to report. " * 45_000 + "Then a missile flew."
    assert len(body) > 1_900_000
    got = snippets(body, spec(["missile"]))
    assert [to_marked(s) for s in got] == [
        "Quiet day in Seoul with nothing to report. " * 5 + "Then a [missile] flew."
    ]


def test_long_body_with_many_matches_still_picks_the_richest_passage() -> None:
    body = "A missile flew over the sea today. " * 3000 + "North Korea tested a missile. " + (
        "Another missile flew here. " * 3000
    )
    got = snippets(body, spec(["missile"], phrases=((("north", "korea"), 1),)), max_chars=60)
    assert [to_marked(s) for s in got] == [
        "[North Korea] tested a [missile]. Another [missile] flew here.",
        "Another [missile] flew here. Another [missile] flew here.",
    ]


# --------------------------------------------------------------------------- formatters

SCRIPT = Snippet("<script>alert(1)</script> The missile & AT&T.", ((30, 37),))


def test_to_html_escapes_text_and_marks_matches() -> None:
    assert to_html(SCRIPT) == (
        "&lt;script&gt;alert(1)&lt;/script&gt; The <mark>missile</mark> &amp; AT&amp;T."
    )
    body = "<b>Missile</b> \"tests\""
    s = highlight_whole(body, spec(["missile", "test"]), field="body")
    assert to_html(s) == "&lt;b&gt;<mark>Missile</mark>&lt;/b&gt; &quot;<mark>tests</mark>&quot;"


def test_to_ansi() -> None:
    assert to_ansi(SCRIPT, color=False) == SCRIPT.text
    assert "\x1b" not in to_ansi(SCRIPT, color=False)
    assert to_ansi(SCRIPT, color=True) == (
        "<script>alert(1)</script> The \x1b[1;33mmissile\x1b[0m & AT&T."
    )
    hostile = Snippet("a\x1b[2Jmissile\x9b", ((5, 12),))
    assert to_ansi(hostile, color=False) == "a\ufffd[2Jmissile\ufffd"


def test_to_marked_and_to_dict() -> None:
    assert to_marked(SCRIPT) == "<script>alert(1)</script> The [missile] & AT&T."
    assert to_marked(SCRIPT, "**", "**") == "<script>alert(1)</script> The **missile** & AT&T."
    got = snippets(STORY, STORY_SPEC, count=2, max_chars=70)
    data = [s.to_dict() for s in got]
    assert data[1] == {
        "text": "Officials said a missile was fired. Markets barely moved.",
        "highlights": [[17, 24]],
    }
    found = [[d["text"][s:e] for s, e in d["highlights"]] for d in data]
    assert found == [["North Korea", "missile", "missiles"], ["missile"]]


def test_snippet_rejects_bad_highlights() -> None:
    with pytest.raises(ValueError):
        Snippet("abc", ((0, 2), (1, 3)))
    with pytest.raises(ValueError):
        Snippet("abc", ((2, 5),))


# --------------------------------------------------------------------------- properties

_WORDS = (
    "north korea missile missiles missile's the of and bank england u.s U.S. don't "
    "Don’t possibility possibly İstanbul ΟΔΟΣ café 東京 a in x run running ran"
).split()
_GLUE = ["", " ", "  ", ", ", ". ", "! ", "\n", "\n\n", " - ", "'", ".", "…", " «", "» ", "\u212a"]
texts = st.lists(
    st.tuples(st.sampled_from(_WORDS) | st.text(max_size=6), st.sampled_from(_GLUE)), max_size=60
).map(lambda parts: "".join(w + g for w, g in parts))


def _spec_from(text: str, data: st.DataObject) -> HighlightSpec:
    vocabulary = sorted({s.term for s in analyze(text)}) or ["missil"]
    chosen = data.draw(st.lists(st.sampled_from(vocabulary), max_size=4))
    phrases = data.draw(
        st.lists(
            st.tuples(
                st.lists(st.sampled_from(vocabulary), min_size=1, max_size=3).map(tuple),
                st.integers(0, 4),
            ),
            max_size=2,
        )
    )
    return HighlightSpec(terms={"body": frozenset(chosen)}, phrases={"body": tuple(phrases)})


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=texts, data=st.data(), count=st.integers(1, 4), max_chars=st.integers(1, 300))
def test_snippets_never_break_their_bounds(
    text: str, data: st.DataObject, count: int, max_chars: int
) -> None:
    s = _spec_from(text, data)
    got = snippets(text, s, count=count, max_chars=max_chars)
    assert len(got) <= count
    assert bool(got) == bool(text.strip())
    for snippet in got:
        assert len(snippet.text) <= max_chars
        previous = 0
        for start, end in snippet.highlights:
            assert previous <= start < end <= len(snippet.text)
            previous = end
    whole = highlight_whole(text, s, field="body")
    assert whole.text == text


@settings(max_examples=150, deadline=None)
@given(text=texts, data=st.data())
def test_fast_matching_equals_analysing_the_whole_text(text: str, data: st.DataObject) -> None:
    s = _spec_from(text, data)
    assert _matches(text, s, "body") == _matches(text, s, "body", full=True)


@settings(max_examples=100, deadline=None)
@given(text=texts, data=st.data())
def test_highlights_cover_whole_tokens_of_the_spec(text: str, data: st.DataObject) -> None:
    s = _spec_from(text, data)
    wanted = set(s.terms["body"])
    for start, end in find_matches(text, s, "body"):
        covered = [sp for sp in analyze(text) if start <= sp.start and sp.end <= end]
        assert covered and covered[0].start == start and covered[-1].end == end
        if not s.phrases["body"]:
            assert all(sp.term in wanted for sp in covered)


def _chains(positions: Dict[str, List[int]], words: Tuple[str, ...], slop: int) -> List[List[int]]:
    """Every occurrence of a phrase by brute force: positions p1 < ... < pn, each gap 1..slop."""
    chains = [[p] for p in positions.get(words[0], [])]
    for word in words[1:]:
        chains = [
            c + [p] for c in chains for p in positions.get(word, []) if 1 <= p - c[-1] <= max(1, slop)
        ]
    return chains


@settings(max_examples=150, deadline=None)
@given(
    text=st.lists(st.sampled_from("a b c d the of x".split()), max_size=25).map(" ".join),
    words=st.lists(st.sampled_from("a b c d".split()), min_size=1, max_size=3).map(tuple),
    slop=st.integers(0, 4),
)
def test_phrase_marks_exactly_the_tokens_of_complete_occurrences(
    text: str, words: Tuple[str, ...], slop: int
) -> None:
    spans = analyze(text)
    positions: Dict[str, List[int]] = {}
    for sp in spans:
        positions.setdefault(sp.term, []).append(sp.pos)
    in_occurrence = {p for chain in _chains(positions, words, slop) for p in chain}
    expected = [(sp.start, sp.end) for sp in spans if sp.pos in in_occurrence]
    found = find_matches(text, spec(phrases=((words, slop),)), "body")
    # Spans of adjacent phrase words are joined: split them back into the marked tokens.
    tokens = [(sp.start, sp.end) for sp in spans if any(s <= sp.start and sp.end <= e for s, e in found)]
    assert tokens == expected
