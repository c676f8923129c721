"""Tests for searcher.sources.tabular: CSV and JSON Lines, quirks, mappings, real data."""

from __future__ import annotations

import csv
import json
import sys
from datetime import datetime, timezone
from pathlib import Path
from typing import Dict, List, Mapping, Optional, Tuple, Union

import pytest

from searcher.article import Article, Problem
from searcher.errors import SourceError
from searcher.sources.tabular import read_csv, read_jsonl

NEWS_CSV = Path(__file__).resolve().parents[2] / "shared" / "corpora" / "news-csv" / "NewsArticles.csv"

Items = List[Union[Article, Problem]]


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=timezone.utc)  # type: ignore[misc]


def csv_items(text: str, *, path: str = "f.csv", mapping: Optional[Mapping[str, str]] = None) -> Items:
    return list(read_csv(text.encode("utf-8"), path=path, mapping=mapping or {}))


def jsonl_items(text: str, *, mapping: Optional[Mapping[str, str]] = None) -> Items:
    return list(read_jsonl(text.encode("utf-8"), path="f.jsonl", mapping=mapping or {}))


def split(items: Items) -> Tuple[List[Article], List[Problem]]:
    articles = [item for item in items if isinstance(item, Article)]
    problems = [item for item in items if isinstance(item, Problem)]
    return articles, problems


# --- the real file ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def news_csv() -> Tuple[Items, List[Dict[str, str]]]:
    if not NEWS_CSV.is_file():
        pytest.skip("shared corpora are not here")
    items = list(read_csv(NEWS_CSV.read_bytes(), path=str(NEWS_CSV), mapping={}))
    csv.field_size_limit(sys.maxsize)
    with NEWS_CSV.open(encoding="utf-8", errors="replace", newline="") as handle:
        rows = list(csv.DictReader(handle))
    return items, rows


def test_news_csv_every_row_with_text_is_an_article(news_csv: Tuple[Items, List[Dict[str, str]]]) -> None:
    items, rows = news_csv
    articles, problems = split(items)
    assert len(rows) == 3824
    with_text = [index for index, row in enumerate(rows) if row["text"].strip()]
    assert [article.position for article in articles] == with_text
    assert len(articles) == 3788
    assert [problem.position for problem in problems] == [
        index for index, row in enumerate(rows) if not row["text"].strip()
    ]
    assert all(problem.reason == "row has no text; skipped" for problem in problems)
    assert all(article.date is not None and article.date_problem == "" for article in articles)


def test_news_csv_rows_checked_by_hand(news_csv: Tuple[Items, List[Dict[str, str]]]) -> None:
    articles = {article.position: article for article in split(news_csv[0])[0]}
    first = articles[0]
    assert first.title == (
        "Betsy DeVos Confirmed as Education Secretary, With Pence Casting Historic "
        "Tie-Breaking Vote"
    )
    assert first.date == utc(2017, 2, 7)
    assert first.source == "abcnews.go.com"
    assert first.url.startswith("http://abcnews.go.com/Politics/pence-break-tie-betsy-devos")
    assert first.body.startswith("Michigan billionaire education activist Betsy DeVos")
    assert articles[521].date == utc(2016, 12, 30, 7, 11)  # "          2016/12/30 7:11"
    assert articles[1000].date == utc(2017, 2, 13)
    assert articles[1000].source == "huffingtonpost.com"
    assert articles[1000].title == "Sikh Temples Open Their Doors To Oroville Dam Evacuees"
    assert articles[3823].date == utc(2017, 3, 30)
    assert articles[3823].source == "rte.ie"


# --- CSV -------------------------------------------------------------------------------


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_csv_delimiters_are_sniffed(delimiter: str) -> None:
    rows = [["id", "Headline", "Body", "Date", "Link"], ["7", "A title", "Some text", "2017/2/7", "https://www.x.org/a"]]
    text = "\n".join(delimiter.join(row) for row in rows) + "\n"
    (article,) = csv_items(text)
    assert article == Article(
        title="A title",
        body="Some text",
        date=utc(2017, 2, 7),
        source="x.org",
        url="https://www.x.org/a",
        position=0,
    )


def test_csv_quoted_newlines_delimiters_and_quotes() -> None:
    text = (
        'title,text,source,author\r\n'
        '"One, two","Line one\r\nLine ""two""\r\n\r\nPara, three",Wire,"Ann, Bob"\r\n'
        'Second,Plain,Wire,\r\n'
    )
    first, second = csv_items(text)
    assert isinstance(first, Article) and isinstance(second, Article)
    assert first.title == "One, two"
    assert first.body == 'Line one\r\nLine "two"\r\n\r\nPara, three'
    assert (first.source, first.author, first.position) == ("Wire", "Ann, Bob", 0)
    assert (second.title, second.body, second.position) == ("Second", "Plain", 1)


def test_csv_unbalanced_quote_is_reported_and_reading_goes_on() -> None:
    text = (
        "title,text,date\n"
        "A,first body,2017-01-01\n"
        'B,"broken body,2017-01-02\n'
        "C,third body,2017-01-03\n"
        "D,fourth body,2017-01-04\n"
    )
    articles, problems = split(csv_items(text))
    assert [a.title for a in articles] == ["A", "C", "D"]
    assert [a.date for a in articles] == [utc(2017, 1, 1), utc(2017, 1, 3), utc(2017, 1, 4)]
    assert len(problems) == 1
    assert problems[0].position == 1
    assert problems[0].reason.startswith("line 3: unbalanced quotes")


def test_csv_row_without_text_and_bad_date_and_short_and_long_rows() -> None:
    text = (
        "title,text,date\n"
        "No text,,2017-01-01\n"
        "Bad date,Body,2017-02-30\n"
        "Odd date,Body two,soon\n"
        "Short row,Body three\n"
        "Too,many,2017-01-01,fields\n"
    )
    items = csv_items(text)
    assert items[0] == Problem("f.csv", "row has no text; skipped", 0)
    assert isinstance(items[1], Article) and items[1].date is None
    assert items[1].date_problem == "impossible date '2017-02-30'"
    assert isinstance(items[2], Article) and items[2].date_problem == "unrecognised date 'soon'"
    assert isinstance(items[3], Article) and (items[3].body, items[3].position) == ("Body three", 3)
    assert items[4] == Problem("f.csv", "line 6: 4 fields but 3 columns; row skipped", 4)


def test_csv_mapping_and_missing_title_and_date_from_url() -> None:
    text = "Story,When,Where\nThe first sentence. The second.,27 November 2013,https://news.example.com/2013/11/28/x\n"
    (article,) = csv_items(text, mapping={"body": "story", "date": "When", "url": "Where"})
    assert isinstance(article, Article)
    assert article.title == "The first sentence"
    assert article.date == utc(2013, 11, 27)
    assert article.source == "news.example.com"
    (article,) = csv_items("text,link\nBody,https://news.example.com/2013/11/28/x\n")
    assert isinstance(article, Article) and article.date == utc(2013, 11, 28)


def test_csv_mapping_errors_name_the_columns() -> None:
    with pytest.raises(SourceError) as caught:
        csv_items("title,content\nA,B\n", mapping={"body": "article_text"})
    assert str(caught.value) == "no column 'article_text' to map body to; columns are: title, content"
    with pytest.raises(SourceError) as caught:
        csv_items("title,content\nA,B\n", mapping={"summary": "content"})
    assert str(caught.value).startswith("cannot map unknown field 'summary'")


def test_csv_without_a_text_column_or_header_is_refused() -> None:
    with pytest.raises(SourceError) as caught:
        csv_items("name,age\nAnn,3\n")
    assert "no text column" in str(caught.value) and "columns are: name, age" in str(caught.value)
    with pytest.raises(SourceError):
        csv_items("The first article text goes here,2017-01-01\nAnother,2017-01-02\n")


def test_csv_prefers_the_longest_body_column_and_handles_bom_and_sep_line() -> None:
    text = "\ufeffsep=;\nTitle;Description;Text\nT;A short summary;The much longer full text.\n"
    (article,) = csv_items(text)
    assert isinstance(article, Article)
    assert (article.title, article.body) == ("T", "The much longer full text.")
    (article,) = csv_items("\ufefftitle,text\nT,Body\n")
    assert isinstance(article, Article) and article.title == "T"


def test_csv_fields_longer_than_the_default_limit() -> None:
    body = "word " * 60_000
    (article,) = csv_items(f'title,text\nBig,"{body}"\n')
    assert isinstance(article, Article) and len(article.body) == len(body.strip())


def test_tsv_by_name() -> None:
    (article,) = csv_items("title\ttext\nA, b\tC; d\n", path="f.tsv")
    assert isinstance(article, Article) and (article.title, article.body) == ("A, b", "C; d")


# --- JSON Lines and JSON ---------------------------------------------------------------


def test_jsonl_broken_lines_are_problems_with_their_line_numbers() -> None:
    lines = [
        json.dumps({"id": 1, "title": "One", "text": "Body one", "date": "2017-01-01"}),
        "",
        '{"title": "Two", "text": "Body two"',
        json.dumps([1, 2]),
        json.dumps({"title": "Five", "content": "Body five", "timestamp": 1485734400}),
    ]
    items = jsonl_items("\n".join(lines) + "\n")
    assert [type(item).__name__ for item in items] == ["Article", "Problem", "Problem", "Article"]
    one, broken, not_object, five = items
    assert isinstance(one, Article) and (one.title, one.date, one.position) == ("One", utc(2017, 1, 1), 0)
    assert broken == Problem("f.jsonl", "line 3: invalid JSON (Expecting ',' delimiter at column 36)", 1)
    assert not_object == Problem("f.jsonl", "line 4: not a JSON object; skipped", 2)
    assert isinstance(five, Article) and (five.body, five.date, five.position) == ("Body five", utc(2017, 1, 30), 3)


def test_json_list_single_object_and_api_wrapper() -> None:
    record = {
        "headline": "H",
        "body": ["Para one.", "Para two."],
        "authors": ["Ann", {"name": "Bob"}],
        "source": {"id": "x", "name": "Example Wire"},
        "published_at": "2013-11-27T10:30:00Z",
        "url": "https://example.com/a",
    }
    expected = Article(
        title="H",
        body="Para one.\n\nPara two.",
        date=utc(2013, 11, 27, 10, 30),
        source="Example Wire",
        url="https://example.com/a",
        author="Ann, Bob",
    )
    assert jsonl_items(json.dumps([record])) == [expected]
    assert jsonl_items(json.dumps(record, indent=2)) == [expected]
    assert jsonl_items(json.dumps({"status": "ok", "articles": [record, record]})) == [
        expected,
        Article(**{**expected.__dict__, "position": 1}),
    ]


def test_jsonl_html_body_mapping_with_dotted_path_and_errors() -> None:
    line = json.dumps({"meta": {"headline": "Deep"}, "html": "<p>Hello <b>world</b></p><p>Bye</p>"})
    (article,) = jsonl_items(line, mapping={"title": "meta.headline", "body": "html"})
    assert isinstance(article, Article) and (article.title, article.body) == ("Deep", "Hello world\n\nBye")
    with pytest.raises(SourceError) as caught:
        jsonl_items(line, mapping={"body": "missing"})
    assert str(caught.value) == "no column 'missing' to map body to; columns are: meta, html"
    with pytest.raises(SourceError):
        jsonl_items('[{"text": "a"}, ')
    with pytest.raises(SourceError):
        jsonl_items('{\n  "text": "a",\n')


def test_jsonl_later_line_without_text_is_a_problem() -> None:
    text = json.dumps({"text": "Body"}) + "\n" + json.dumps({"title": "Only a title"}) + "\n"
    items = jsonl_items(text)
    assert isinstance(items[0], Article)
    assert items[1] == Problem("f.jsonl", "row has no text; skipped", 1)


# --- one bad row is one bad row -----------------------------------------------------------


def test_a_nul_byte_costs_its_csv_row_only() -> None:
    items = csv_items("title,text\nOne,First good row\nTwo,A row with a \x00 byte\nThree,Third good row\n")
    articles, problems = split(items)
    assert [a.title for a in articles] == ["One", "Three"]
    assert [a.position for a in articles] == [0, 2]
    assert problems == [Problem("f.csv", "line 3: NUL byte in the row (binary data?); row skipped", 1)]


def test_a_nul_byte_costs_its_json_line_only() -> None:
    lines = [json.dumps({"title": "One", "text": "First"}), '{"title": "Two", "text": "bad \x00 byte"}',
             "\x00\x00\x00", json.dumps({"title": "Four", "text": "Fourth"})]  # fmt: skip
    articles, problems = split(jsonl_items("\n".join(lines) + "\n"))
    assert [a.title for a in articles] == ["One", "Four"]
    assert problems == [
        Problem("f.jsonl", "line 2: NUL byte in the row (binary data?); row skipped", 1),
        Problem("f.jsonl", "line 3: NUL byte in the row (binary data?); row skipped", 2),
    ]


def test_csv_and_jsonl_files_with_a_nul_row_are_read_but_binaries_are_not(tmp_path: Path) -> None:
    """Through ``read_file``: a NUL once spoilt the whole file as "binary"; now only a real
    binary (a known signature, or mostly control bytes) is refused, whatever its name."""
    from searcher.sources import read_file

    (tmp_path / "a.csv").write_bytes(b"title,text\nOne,Good row one\nTwo,Bad\x00row\nThree,Good row three\n")
    (tmp_path / "b.jsonl").write_bytes(b'{"title": "One", "text": "Good"}\n{"title": "Two", "text": "Bad\x00"}\n')
    (tmp_path / "c.csv").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00" + bytes(range(256)) * 4)
    (tmp_path / "d.jsonl").write_bytes(bytes(range(32)) * 100)
    (tmp_path / "e.txt").write_bytes(b"title: Text\n\nA text file with a \x00 byte.\n")
    a_articles, a_problems = split(list(read_file(tmp_path / "a.csv")))
    assert [a.title for a in a_articles] == ["One", "Three"]
    assert [str(p) for p in a_problems] == [f"{tmp_path / 'a.csv'}:1: line 3: NUL byte in the row (binary data?); row skipped"]
    b_articles, b_problems = split(list(read_file(tmp_path / "b.jsonl")))
    assert [a.title for a in b_articles] == ["One"] and len(b_problems) == 1
    for name in ("c.csv", "d.jsonl", "e.txt"):
        with pytest.raises(SourceError) as caught:
            list(read_file(tmp_path / name))
        assert str(caught.value) == "binary file, not text (an image, PDF or archive?)", name
