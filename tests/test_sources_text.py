"""Tests for searcher.sources.text: header lines, titles, bodies, and the real text corpora
(the shared seed article and the text files of the repo's ``corpus/``)."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from typing import List, Union

import pytest

from searcher.article import Article, Problem
from searcher.sources import text
from searcher.sources.text import parse_text, title_from_body

SHARED = Path(__file__).resolve().parents[2] / "shared"
SEED = SHARED / "corpora" / "seed" / "2023-08-31-north-korea-missiles.txt"
SAMPLE = Path(__file__).resolve().parents[1] / "corpus" / "text"


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=timezone.utc)  # type: ignore[misc]


def read_one(data: bytes) -> Article:
    items: List[Union[Article, Problem]] = list(text.read(data, path="a.txt", mapping={}))
    assert len(items) == 1
    assert isinstance(items[0], Article)
    return items[0]


def test_seed_article_date_on_the_first_line_with_the_body() -> None:
    if not SEED.is_file():
        pytest.skip("shared corpora are not here")
    article = read_one(SEED.read_bytes())
    assert article.date == utc(2023, 8, 31)
    assert article.date_problem == ""
    assert article.body.startswith("North Korea has confirmed the firing of two short-range")
    assert "date 2023" not in article.body
    assert article.title == (
        "North Korea has confirmed the firing of two short-range ballistic missiles "
        "in a provocative move aimed at simulating\u2026"
    )
    assert article.body.endswith("in support of its invasion of Ukraine.")


@pytest.mark.parametrize(
    ("name", "encoding", "title", "start", "decoded"),
    [
        (
            "world-entertainment/2713.txt", "latin-1",
            "Prince William, Princess Kate land in Paris for 2-day tour",
            "Prince William and Princess Kate touched down in Paris", "Fran\u00e7ois Hollande",
        ),
        (
            "world-politics/2686.txt", "cp1252",
            "How does the EU hijab ruling affect Muslim women? Nihad El Aabedy",
            "The European Union's top law court ruled", "we didn\u2019t know",
        ),
    ],
)  # fmt: skip
def test_sample_files_title_on_the_first_line_legacy_encoding(
    name: str, encoding: str, title: str, start: str, decoded: str
) -> None:
    """The sample's latin-1 and Windows-1252 files: no header lines, the title on line 1."""
    data = (SAMPLE / name).read_bytes()
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    assert decoded in data.decode(encoding)
    article = read_one(data)
    assert article.title == title
    assert article.body.startswith(start)
    assert decoded in article.body  # the single-byte character decoded, not U+FFFD
    assert article.date is None and article.date_problem == ""


def _decoded(data: bytes) -> str:
    """A sample file's text in its own encoding (UTF-8 or Windows-1252; latin-1 is a subset here)."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252")


def test_sample_every_text_file_in_the_topic_folders_has_a_title_and_body() -> None:
    paths = sorted(SAMPLE.glob("world-*/*.txt"))
    assert len(paths) == 30
    legacy = 0
    for path in paths:
        data = path.read_bytes()
        legacy += not _is_utf8(data)
        first_line, blank, rest = _decoded(data).partition("\n\n")
        article = read_one(data)
        assert blank and article.title == first_line, path
        assert article.body == rest.strip(), path  # every character decoded as written
        assert not article.body.startswith(first_line), path
    assert legacy == 2  # the latin-1 and the Windows-1252 file


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


@pytest.mark.parametrize(
    "source",
    [
        "Title: Rates rise\nDate: 2013-11-27\nSource: BBC\nAuthor: Jane Doe\n"
        "URL: https://bbc.co.uk/a\n\nThe bank raised rates.",
        "title Rates rise\ndate 2013-11-27\nsource BBC\nauthor Jane Doe\n"
        "url https://bbc.co.uk/a\n\nThe bank raised rates.",
        "TITLE:Rates rise\nDATE:2013-11-27\nSOURCE:BBC\nAUTHOR:Jane Doe\n"
        "URL:https://bbc.co.uk/a\nThe bank raised rates.",
        "---\ntitle: \"Rates rise\"\ndate: 2013-11-27\nsource: BBC\nauthor: 'Jane Doe'\n"
        "url: https://bbc.co.uk/a\ntags: x\n---\nThe bank raised rates.",
        "\r\n  Title: Rates rise\r\n  Date: 2013-11-27\r\n  Source: BBC\r\nAuthor: Jane Doe\r\n"
        "Url: https://bbc.co.uk/a\r\n\r\nThe bank raised rates.\r\n",
    ],
)
def test_header_forms(source: str) -> None:
    article = parse_text(source)
    assert article == Article(
        title="Rates rise",
        body="The bank raised rates.",
        date=utc(2013, 11, 27),
        source="BBC",
        url="https://bbc.co.uk/a",
        author="Jane Doe",
    )


def test_date_header_with_time_and_zone_and_body_on_the_same_line() -> None:
    article = parse_text("date Nov 27, 2013 10:30 AM EST Officials said on Wednesday.")
    assert article.date == utc(2013, 11, 27, 15, 30)
    assert article.body == "Officials said on Wednesday."
    assert article.title == "Officials said on Wednesday"


def test_impossible_date_header_keeps_the_article_and_reports_it() -> None:
    article = parse_text("date 2023-02-30 Something happened today. More.")
    assert article.date is None
    assert article.date_problem == "impossible date '2023-02-30'"
    assert article.body == "Something happened today. More."


def test_unrecognised_date_header_with_a_colon_is_reported() -> None:
    article = parse_text("Date: sometime last week\n\nThe story.")
    assert article.date is None
    assert article.date_problem == "unrecognised date 'sometime last week'"
    assert article.body == "The story."


@pytest.mark.parametrize(
    "source",
    [
        "Date rape drug found in bars across the city. Police warned.",
        "Source code of the app leaked on Monday. It was bad.",
        "Title fight ends in a draw after twelve rounds. Fans booed.",
        "Author of the report resigned. The panel said so.",
        "Source: a senior official said the plan was dead. More text.",
    ],
)
def test_ordinary_first_sentences_are_not_headers(source: str) -> None:
    article = parse_text(source)
    assert article.body == source
    assert article.date is None and article.source == "" and article.author == ""
    assert article.title == source.split(". ")[0]


def test_weak_header_alone_is_body_but_beside_a_date_is_a_header() -> None:
    assert parse_text("Source Reuters\n\nBody text here.").source == ""
    article = parse_text("source Reuters\ndate 2013-11-27\n\nBody text here.")
    assert article.source == "Reuters"
    assert article.body == "Body text here."


def test_title_line_rules() -> None:
    # Short first line followed by a blank line is the title.
    article = parse_text("Is this the end?\n\nThe story goes on.")
    assert (article.title, article.body) == ("Is this the end?", "The story goes on.")
    # A sentence ending with a full stop is body, not title.
    article = parse_text("It rained.\n\nThen it stopped.")
    assert (article.title, article.body) == ("It rained", "It rained.\n\nThen it stopped.")
    # Not followed by a blank line: body.
    article = parse_text("Short line\nnext line continues.")
    assert article.title == "Short line next line continues"
    # A Markdown heading.
    article = parse_text("# Big news\n\nBody para.")
    assert (article.title, article.body) == ("Big news", "Body para.")
    # A lone line is both title and body.
    article = parse_text("Only one line")
    assert (article.title, article.body) == ("Only one line", "Only one line")


def test_title_from_body_skips_abbreviations_and_shortens() -> None:
    assert title_from_body("Mr. Smith met U.S. officials. Then he left.") == (
        "Mr. Smith met U.S. officials"
    )
    assert title_from_body("Why now? Nobody knows.") == "Why now?"
    long = "word " * 60
    title = title_from_body(long)
    assert title.endswith("\u2026") and len(title) <= 120
    assert title == ("word " * 23).strip() + "\u2026"
    assert title_from_body("") == ""


def test_read_decodes_and_keeps_paragraphs() -> None:
    data = "Caf\u00e9 owners protest\n\nFirst para \u2013 here.\n\nSecond para.".encode("cp1252")
    article = read_one(data)
    assert article.title == "Caf\u00e9 owners protest"
    assert article.body == "First para \u2013 here.\n\nSecond para."
