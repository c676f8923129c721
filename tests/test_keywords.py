"""Tests for searcher.keywords: keyword extraction on small written texts, and its
properties and cost on real news when ../shared is there."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import List, Tuple

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from searcher.keywords import MAX_CHARS, extract_keywords
from searcher.analyzer import STOPWORDS

NORTH_KOREA_TITLE = "North Korea fires two ballistic missiles in simulated nuclear strike"
NORTH_KOREA_BODY = """\
North Korea has fired two short-range ballistic missiles into the sea off its east coast,
South Korea's military said on Thursday, in what Pyongyang called a rehearsal of a tactical
nuclear strike on the South.

The missiles were launched shortly before midnight, Seoul's Joint Chiefs of Staff said.
Japan's defence ministry said the missiles fell outside its exclusive economic zone.

North Korea's state media said the missile launches were a warning against joint military
exercises by South Korea and the United States. Kim Jong Un has repeatedly denounced the
drills as a rehearsal for an invasion of North Korea.

"North Korea's reckless missile launches threaten peace on the Korean Peninsula," a
spokesman for the South Korean unification ministry told reporters. Washington condemned
the missile tests and urged Pyongyang to return to talks.

North Korea has carried out a record number of missile tests this year, and analysts say
Kim Jong Un is determined to expand his nuclear arsenal despite international sanctions.
Click here to read more. Image copyright Getty Images.
"""

DEVOS_TITLE = "Senate confirms Betsy DeVos as education secretary"
DEVOS_BODY = """\
Betsy DeVos was confirmed as education secretary on Tuesday after Vice President Mike Pence
cast a tie-breaking vote in the Senate, the first time a vice president has been needed to
confirm a cabinet nominee.

DeVos, a billionaire from Michigan, has spent decades campaigning for school vouchers and
charter schools. Critics say school vouchers drain money from public schools.

Two Republican senators voted against DeVos, leaving the Senate split 50-50. Pence then cast
the deciding vote. Teachers unions had urged senators to reject DeVos, and Democrats held the
floor all night in protest against her nomination.

DeVos said she would work with teachers. "I look forward to working with everyone," DeVos
said after the vote.
"""

# Words no keyword may begin or end with, besides the index's stopwords. ("new" may
# begin a name, "new york", so it is only checked as a keyword on its own.)
_NEVER_AT_EDGE = STOPWORDS | {
    "said", "says", "told", "according", "also", "year", "years", "percent", "mr",
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
    "january", "february", "march", "april", "june", "july", "august", "september",
    "october", "november", "december", "the", "he", "she", "they", "his", "her", "their",
    "was", "were", "has", "had", "would", "could", "about", "after", "than",
}


def _check_shape(keywords: Tuple[str, ...], *, at_most: int = 10) -> None:
    """Lower-case, trimmed, no stopword at either end, no duplicates, no bare numbers."""
    assert isinstance(keywords, tuple)
    assert len(keywords) <= at_most
    assert len(set(keywords)) == len(keywords)
    for keyword in keywords:
        assert keyword == keyword.lower().strip()
        assert "  " not in keyword and "," not in keyword
        words = keyword.split(" ")
        assert 1 <= len(words) <= 3
        assert words[0] not in _NEVER_AT_EDGE, keyword
        assert words[-1] not in _NEVER_AT_EDGE, keyword
        assert not all(w.replace(".", "").isdigit() for w in words), keyword
        assert keyword not in ("new", "first", "last", "people", "time", "way"), keyword


# --- small written texts -------------------------------------------------------------


def test_north_korea_article_gives_country_and_missiles() -> None:
    keywords = extract_keywords(NORTH_KOREA_TITLE, NORTH_KOREA_BODY)
    _check_shape(keywords)
    assert 5 <= len(keywords) <= 8
    assert keywords[0] == "north korea"
    assert any("missile" in k for k in keywords[:4])
    assert "kim jong un" in keywords


def test_north_korea_article_has_no_near_duplicates() -> None:
    keywords = extract_keywords(NORTH_KOREA_TITLE, NORTH_KOREA_BODY)
    assert not {"missile", "missiles"} <= set(keywords)
    assert "korea" not in keywords  # "north korea" says it
    assert sum(k in ("missile", "missiles") for k in keywords) <= 1


def test_boilerplate_is_never_a_keyword() -> None:
    keywords = extract_keywords(NORTH_KOREA_TITLE, NORTH_KOREA_BODY, count=10)
    joined = " | ".join(keywords)
    for junk in ("said", "told", "thursday", "click", "image", "copyright", "getty", "year"):
        assert junk not in joined


def test_surname_is_shown_as_the_full_name() -> None:
    keywords = extract_keywords(DEVOS_TITLE, DEVOS_BODY)
    _check_shape(keywords)
    assert keywords[0] == "betsy devos"
    assert "devos" not in keywords
    assert "school vouchers" in keywords
    assert "mike pence" in keywords or "pence" in keywords
    assert "president mike pence" not in keywords  # titles never run into names


@pytest.mark.parametrize("count", [1, 5, 8, 10])
def test_count_bounds_the_result(count: int) -> None:
    keywords = extract_keywords(NORTH_KOREA_TITLE, NORTH_KOREA_BODY, count=count)
    assert len(keywords) == count
    assert keywords == extract_keywords(NORTH_KOREA_TITLE, NORTH_KOREA_BODY, count=10)[:count]


def test_zero_count_gives_nothing() -> None:
    assert extract_keywords(NORTH_KOREA_TITLE, NORTH_KOREA_BODY, count=0) == ()


@pytest.mark.parametrize(
    "title, body",
    [("", ""), ("", "   \n\t "), ("The", "It is what it was, and they said so."), ("", "2017 12 31")],
)
def test_empty_or_stopword_only_text_gives_nothing(title: str, body: str) -> None:
    assert extract_keywords(title, body) == ()


def test_very_short_text_gives_few_keywords() -> None:
    keywords = extract_keywords("", "Floods hit Jakarta.")
    assert set(keywords) <= {"floods", "jakarta", "floods hit", "hit jakarta"}
    assert "jakarta" in keywords
    assert len(keywords) <= 3


def test_headline_only_article_uses_the_title() -> None:
    keywords = extract_keywords("Volcano erupts on Iceland's Reykjanes peninsula", "")
    assert any("volcano" in k for k in keywords)
    assert any("reykjanes" in k for k in keywords)
    assert "iceland" in keywords


def test_title_words_rank_higher() -> None:
    body = (
        "The council approved the budget. Residents criticised the plan for the harbour. "
        "The harbour works will close the ferry terminal. The budget includes new buses."
    )
    with_title = extract_keywords("Harbour works to close ferry terminal", body, count=3)
    assert with_title[0] in ("harbour", "harbour works", "ferry terminal")


def test_possessives_and_curly_apostrophes_are_stripped() -> None:
    body = (
        "Germany’s economy shrank again. Germany's exporters blame weak demand from China, "
        "and Germany’s central bank expects the economy to shrink further. China's demand "
        "for German machinery fell sharply."
    )
    keywords = extract_keywords("", body)
    assert "germany" in keywords
    assert not any("'" in k or "’" in k for k in keywords)


def test_web_addresses_handles_and_numbers_are_skipped() -> None:
    body = (
        "Follow @newsdesk and visit https://example.com/story or www.example.org today. "
        "The 2024 budget of 3.5 billion euros passed 51-49 in the Bundestag. "
        "The Bundestag vote ends months of budget talks."
    )
    keywords = extract_keywords("", body)
    joined = " ".join(keywords)
    assert keywords[0] in ("bundestag", "bundestag vote")
    for junk in ("newsdesk", "example", "http", "www", "2024", "3.5", "51-49"):
        assert junk not in joined


def test_doc_freq_demotes_words_common_in_the_index() -> None:
    body = (
        "Shares in Nokia rose after Nokia reported strong network sales. "
        "Nokia said network sales grew in India, and Nokia expects more network sales."
    )
    plain = extract_keywords("", body, count=2)
    assert plain[0] == "nokia"
    demoted = extract_keywords("", body, count=2, doc_freq=lambda w: 0.9 if w == "nokia" else 0.0)
    assert demoted[0] != "nokia"


@pytest.mark.parametrize(
    "text",
    [
        "北朝鮮は木曜日、弾道ミサイル2発を発射した。韓国軍が明らかにした。",
        "كوريا الشمالية تطلق صاروخين باليستيين قصيري المدى في البحر",
        "Северная Корея запустила две баллистические ракеты малой дальности.",
        "Nordkorea hat zwei ballistische Raketen abgefeuert, teilte das Militär Südkoreas mit.",
        "\x00\x01\ufeff\u200b \U0001F680 ¿¡ — … ‘’ “” ｡",
    ],
)
def test_non_english_text_does_not_crash(text: str) -> None:
    keywords = extract_keywords(text[:20], text * 3)
    assert isinstance(keywords, tuple)
    assert all(isinstance(k, str) and k == k.lower() for k in keywords)


@pytest.mark.parametrize(
    "body",
    [
        "El juez José Castro ha citado a declarar a la infanta Cristina como imputada en el "
        "caso Nóos, según ha informado este martes el Tribunal Superior de Justicia de "
        "Baleares, que ha rechazado el recurso del fiscal Pedro Horrach contra la decisión.",
        "北朝鮮は木曜日、短距離弾道ミサイル2発を日本海に向けて発射した。韓国軍合同参謀本部が"
        "明らかにした。北朝鮮は今年に入って弾道ミサイルの発射を繰り返しており、日米韓は警戒を"
        "強めている。防衛省によると、ミサイルは日本の排他的経済水域の外に落下したとみられる。",
    ],
)
def test_long_non_english_text_gives_no_keywords(body: str) -> None:
    # The word lists and rules are English: other languages would get noise ("que",
    # "por") or whole unspaced sentences as keywords.
    assert extract_keywords("", body) == ()
    assert extract_keywords("", body * 5) == ()


def test_a_two_megabyte_body_is_read_only_to_max_chars() -> None:
    """What keeps a huge body cheap: only its first ``MAX_CHARS`` characters are read (the
    time is measured by ``benchmarks/hostile_costs.py``)."""
    body = (NORTH_KOREA_BODY + "\n") * (2_000_000 // len(NORTH_KOREA_BODY))
    assert len(body) >= 1_900_000 and MAX_CHARS < len(body)
    keywords = extract_keywords(NORTH_KOREA_TITLE, body)
    assert "north korea" in keywords
    tail = " ".join(f"zebra{i} quokka{i} wombat" for i in range(50_000))
    assert extract_keywords(NORTH_KOREA_TITLE, body[:MAX_CHARS] + " " + tail) == keywords


def test_one_huge_word_gives_no_keywords() -> None:
    assert extract_keywords("", "x" * 2_000_000) == ()


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300), st.text(max_size=2000))
def test_any_text_gives_well_formed_keywords(title: str, body: str) -> None:
    _check_shape(extract_keywords(title, body), at_most=8)


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            "the North Korea missile missiles launch said Pence of and . , Mr New York "
            "Bank England Monday told schools vouchers DeVos Betsy it's U.S. 2017 a".split()
        ),
        max_size=200,
    )
)
def test_news_like_word_soup_gives_well_formed_keywords(words: List[str]) -> None:
    keywords = extract_keywords("", " ".join(words))
    _check_shape(keywords, at_most=8)
    assert not {"missile", "missiles"} <= set(keywords)


# --- real articles, when the shared corpora are there ---------------------------------

_SHARED = Path(__file__).resolve().parents[2] / "shared" / "corpora"
_SAMPLE = Path(__file__).resolve().parents[1] / "corpus"


def _real_articles() -> List[Tuple[str, str]]:
    """100 rows of the shared NewsArticles.csv and the 30 topic-folder text files of the
    repo's ``corpus/`` (title on line 1; UTF-8, latin-1 or Windows-1252)."""
    news = _SHARED / "news-csv" / "NewsArticles.csv"
    if not news.is_file():
        pytest.skip("shared corpora not available")
    csv.field_size_limit(1 << 30)
    with news.open(encoding="utf-8", errors="replace", newline="") as handle:
        rows = [(r["title"], r["text"]) for r in csv.DictReader(handle)]
    articles = rows[::max(1, len(rows) // 100)][:100]
    for path in sorted((_SAMPLE / "text").glob("world-*/*.txt")):
        data = path.read_bytes()
        try:
            content = data.decode("utf-8")
        except UnicodeDecodeError:
            content = data.decode("cp1252")
        title, _, body = content.partition("\n")
        articles.append((title, body))
    return articles


@pytest.fixture(scope="module")
def real_articles() -> List[Tuple[str, str]]:
    return _real_articles()


def test_real_articles_give_five_to_eight_clean_keywords(
    real_articles: List[Tuple[str, str]]
) -> None:
    assert len(real_articles) == 130
    for title, body in real_articles:
        keywords = extract_keywords(title, body)
        _check_shape(keywords, at_most=8)
        if len(body.split()) >= 150:
            assert len(keywords) >= 5, (title, keywords)
        assert not any(k in STOPWORDS for k in keywords)


