"""Tests for searcher.dates: every date shape real archives hold, and the refusals."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from searcher.dates import (
    date_from_url, dates_in_text, month_from_url, parse_date, parse_date_local, parse_date_value, split_date_prefix,
)
from searcher.errors import DateError


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=timezone.utc)  # type: ignore[misc]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("2023-08-31", utc(2023, 8, 31)),
        ("  2023-08-31\n", utc(2023, 8, 31)),
        ("2013-11-27T10:30:00Z", utc(2013, 11, 27, 10, 30)),
        ("2013-11-27T10:30Z", utc(2013, 11, 27, 10, 30)),
        ("2013-11-27T10:30:00+02:00", utc(2013, 11, 27, 8, 30)),
        ("2013-11-27T10:30:00+0200", utc(2013, 11, 27, 8, 30)),
        ("2013-11-27T01:30:00-05:00", utc(2013, 11, 27, 6, 30)),
        ("2013-11-27T23:30:00-05:00", utc(2013, 11, 28, 4, 30)),
        ("2013-11-27T10:30:00.000000", utc(2013, 11, 27, 10, 30)),
        ("2013-11-27 10:30:00.250", utc(2013, 11, 27, 10, 30, 0, 250000)),
        ("2013-11-27 10:30:15", utc(2013, 11, 27, 10, 30, 15)),
        ("2013-11-27 24:00", utc(2013, 11, 28)),
        ("2017/1/30 7:11", utc(2017, 1, 30, 7, 11)),
        ("2017/2/7", utc(2017, 2, 7)),
        ("30.01.2017", utc(2017, 1, 30)),
        ("27.06.2019 14.30", utc(2019, 6, 27, 14, 30)),
        ("30-01-2017", utc(2017, 1, 30)),
        ("Nov 27, 2013", utc(2013, 11, 27)),
        ("Nov. 27th, 2013", utc(2013, 11, 27)),
        ("27 November 2013", utc(2013, 11, 27)),
        ("27-Nov-2013", utc(2013, 11, 27)),
        ("27th of May, 2013", utc(2013, 5, 27)),
        ("Sept 3, 2013", utc(2013, 9, 3)),
        ("November 27, 2013 10:30 AM EST", utc(2013, 11, 27, 15, 30)),
        ("November 27, 2013 12:05 am", utc(2013, 11, 27, 0, 5)),
        ("November 27, 2013 12:05 p.m.", utc(2013, 11, 27, 12, 5)),
        ("July 4, 2013 12:00 PM EDT", utc(2013, 7, 4, 16, 0)),
        ("July 4, 2013 9 PM PT", utc(2013, 7, 5, 4, 0)),  # summer: PT is UTC-7
        ("Jan 4, 2013 9 PM PT", utc(2013, 1, 5, 5, 0)),  # winter: PT is UTC-8
        ("Wednesday, November 27, 2013", utc(2013, 11, 27)),
        ("Thursday 27 June 2019 14.30 BST", utc(2019, 6, 27, 13, 30)),
        ("Mon, 27 Nov 2013 10:30:00 GMT", utc(2013, 11, 27, 10, 30)),
        ("Mon, 27 Nov 2013 10:30:00 +0000", utc(2013, 11, 27, 10, 30)),
        ("Wed, 27 Nov 2013 10:30:00 PST", utc(2013, 11, 27, 18, 30)),
        ("Wed, 27 Nov 2013 10:30:00 +0530", utc(2013, 11, 27, 5, 0)),
        ("27 Nov 13 10:30 GMT", utc(2013, 11, 27, 10, 30)),
        ("Wed Nov 27 10:30:00 2013", utc(2013, 11, 27, 10, 30)),
        ("10:30 AM ET, Wed November 27, 2013", utc(2013, 11, 27, 15, 30)),
        ("20131127", utc(2013, 11, 27)),
        ("20131127T103000Z", utc(2013, 11, 27, 10, 30)),
        ("1485734400", utc(2017, 1, 30)),
        ("1485734400000", utc(2017, 1, 30)),
        ("Published: Nov 27, 2013", utc(2013, 11, 27)),
        ("Posted 2013-11-27 by the desk", utc(2013, 11, 27)),
    ],
)
def test_parse_date_shapes(text: str, expected: datetime) -> None:
    result = parse_date(text)
    assert result == expected
    assert result is not None and result.utcoffset() == timedelta(0)


def test_ambiguous_numeric_dates_slash_is_month_first_dot_is_day_first() -> None:
    assert parse_date("03/04/2017") == utc(2017, 3, 4)
    assert parse_date("03.04.2017") == utc(2017, 4, 3)
    assert parse_date("03-04-2017") == utc(2017, 4, 3)
    # When the preferred order is impossible, the possible one is used.
    assert parse_date("30/01/2017") == utc(2017, 1, 30)
    assert parse_date("01.30.2017") == utc(2017, 1, 30)


def test_two_digit_years_pick_the_nearest_century() -> None:
    assert parse_date("03/04/17") == utc(2017, 3, 4)
    assert parse_date("03/04/99") == utc(1999, 3, 4)


@pytest.mark.parametrize(
    "text", ["", "   ", "hello", "Source: BBC 2013", "2013", "May 2013", "12345678", "42"]
)
def test_text_without_a_date_gives_none(text: str) -> None:
    assert parse_date(text) is None


@pytest.mark.parametrize(
    "text, message",
    [
        ("2023-02-30", "impossible date '2023-02-30'"),
        ("2017-13-01", "impossible date '2017-13-01'"),
        ("13/13/2017", "impossible date '13/13/2017'"),
        ("31.04.2017", "impossible date '31.04.2017'"),
        ("Feb 30, 2016", "impossible date 'Feb 30, 2016'"),
        ("2013-11-27 25:00", "impossible date '2013-11-27 25:00'"),
        ("2013-11-27 13:00 PM", "impossible date '2013-11-27 13:00 PM'"),
        ("Wed, 30 Feb 2013 10:30:00 GMT", "impossible date 'Wed, 30 Feb 2013 10:30:00 GMT'"),
        ("0999-01-01", "implausible date '0999-01-01'"),
        ("3023-01-01", "implausible date '3023-01-01'"),
    ],
)
def test_impossible_and_implausible_dates_raise(text: str, message: str) -> None:
    with pytest.raises(DateError) as caught:
        parse_date(text)
    assert str(caught.value) == message


def test_a_date_just_inside_next_year_is_accepted() -> None:
    soon = (datetime.now(timezone.utc) + timedelta(days=300)).date()
    assert parse_date(soon.isoformat()) == utc(soon.year, soon.month, soon.day)


def test_parse_date_value_handles_json_values() -> None:
    assert parse_date_value(1485734400) == utc(2017, 1, 30)
    assert parse_date_value(1485734400.5) == utc(2017, 1, 30, 0, 0, 0, 500000)
    assert parse_date_value(1485734400123) == utc(2017, 1, 30, 0, 0, 0, 123000)
    assert parse_date_value("2017/2/7") == utc(2017, 2, 7)
    assert parse_date_value({"$date": "2017-01-01T00:00:00Z"}) == utc(2017, 1, 1)
    assert parse_date_value(datetime(2017, 1, 1, 12)) == utc(2017, 1, 1, 12)
    assert parse_date_value(date(2017, 1, 1)) == utc(2017, 1, 1)
    offset = timezone(timedelta(hours=2))
    assert parse_date_value(datetime(2017, 1, 1, 12, tzinfo=offset)) == utc(2017, 1, 1, 10)
    for nothing in (None, 0, True, False, float("nan"), [], {"a": 1}):
        assert parse_date_value(nothing) is None
    with pytest.raises(DateError):
        parse_date_value(99999999999999999)


def test_split_date_prefix_separates_a_date_from_following_words() -> None:
    assert split_date_prefix("2023-08-31 North Korea has") == ("2023-08-31", "North Korea has")
    assert split_date_prefix(" Nov 27, 2013 10:30 AM EST Officials said") == (
        "Nov 27, 2013 10:30 AM EST",
        "Officials said",
    )
    assert split_date_prefix("2023-02-30 text") == ("2023-02-30", "text")
    assert split_date_prefix("rape drug found") is None
    assert split_date_prefix("2013-11-27x") is None


@pytest.mark.parametrize(
    "url, expected",
    [
        ("http://x.com/2013/11/27/world/story.html", utc(2013, 11, 27)),
        ("https://edition.cnn.com/2013/11/27/", utc(2013, 11, 27)),
        ("http://x.com/news/2013-11-27/story", utc(2013, 11, 27)),
        ("http://x.com/a/20131127/b", utc(2013, 11, 27)),
        ("http://x.com/story-20131127-1.html", utc(2013, 11, 27)),
        ("https://www.theguardian.com/world/2013/nov/27/story", utc(2013, 11, 27)),
        ("http://abcnews.go.com/Politics/story?id=45310061", None),
        ("http://x.com/45310061/", None),
        ("http://x.com/2013/02/30/", None),
        ("http://x.com/2013/11/", None),
        ("", None),
    ],
)
def test_date_from_url(url: str, expected: datetime) -> None:
    assert date_from_url(url) == expected


_DATE_ALPHABET = "0123456789-/.:, TZ+apmAPMESTGMTNovJanMonday()thof\u00e9"


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(), st.text(alphabet=_DATE_ALPHABET, max_size=40)))
def test_parse_date_returns_utc_none_or_raises_date_error(text: str) -> None:
    try:
        result = parse_date(text)
    except DateError as error:
        assert str(error).startswith(("impossible date '", "implausible date '"))
        return
    assert result is None or result.utcoffset() == timedelta(0)
    split = split_date_prefix(text)
    assert split is None or text.lstrip().startswith(split[0])


@settings(max_examples=100, deadline=None)
@given(st.one_of(st.integers(), st.floats(), st.none(), st.booleans()))
def test_parse_date_value_numbers_never_crash(value: object) -> None:
    try:
        result = parse_date_value(value)
    except DateError as error:
        assert str(error).startswith(("impossible date '", "implausible date '")), error
        return
    assert result is None or result.tzinfo is not None


# --- dates in the languages news archives hold, and the publication's own day ------------


@pytest.mark.parametrize(
    "text, expected",
    [
        ("19. November 2019", utc(2019, 11, 19)),
        ("Donnerstag, 31. Mai 2012", utc(2012, 5, 31)),
        ("Veröffentlicht am 3. Dezember 2011 um 14:56 Uhr", utc(2011, 12, 3, 14, 56)),
        ("19 de noviembre de 2019", utc(2019, 11, 19)),
        ("Publicado el 5 de marzo de 2018", utc(2018, 3, 5)),
        ("mercredi 11 septembre 2019", utc(2019, 9, 11)),
        ("le 19 février 2019", utc(2019, 2, 19)),
        ("1er août 2019", utc(2019, 8, 1)),
        ("3 maggio 2019", utc(2019, 5, 3)),
        ("3 de março de 2019", utc(2019, 3, 3)),
        ("3 mei 2019", utc(2019, 5, 3)),
        ("14. Januar 2020, 9:21 Uhr", utc(2020, 1, 14, 9, 21)),
        ("Updated 3:02 PM ET Nov 19, 2019", utc(2019, 11, 19)),
    ],
)
def test_byline_dates_in_other_languages(text: str, expected: datetime) -> None:
    assert parse_date(text) == expected


def test_day_first_reading_for_european_pages() -> None:
    assert parse_date("03/04/2017") == utc(2017, 3, 4)  # US habit by default
    assert parse_date("03/04/2017", day_first=True) == utc(2017, 4, 3)
    assert parse_date("le 19/11/2019 à 07h47", day_first=True) == utc(2019, 11, 19, 7, 47)
    assert parse_date("le 19/11/2019 à 07h47") == utc(2019, 11, 19, 7, 47)  # 19 cannot be a month


def test_local_date_keeps_the_stated_offset() -> None:
    text = "November 19, 2019, 07:47 PM EST"
    local = parse_date_local(text)
    assert local is not None and local.date() == date(2019, 11, 19)
    assert local.utcoffset() == timedelta(hours=-5)
    assert parse_date(text) == utc(2019, 11, 20, 0, 47)  # the same instant, in UTC
    assert local == parse_date(text)
    no_zone = parse_date_local("2019-11-19 23:30")
    assert no_zone is not None and no_zone.utcoffset() == timedelta(0) and no_zone.date() == date(2019, 11, 19)
    assert parse_date_local("2019-11-19T23:30:00+09:00").date() == date(2019, 11, 19)  # type: ignore[union-attr]


def test_dates_in_running_text() -> None:
    text = "Dieser Beitrag wurde am Samstag, 3. Dezember 2011 um %H:%M Uhr veröffentlicht; am 2023-02-30 nicht; Stand 12.10.2015, 19:16"
    assert list(dates_in_text(text, day_first=True)) == [utc(2011, 12, 3), utc(2015, 10, 12, 19, 16)]
    assert list(dates_in_text("no date here, only 2019 and May")) == []


@pytest.mark.parametrize(
    "url, month",
    [
        ("http://www.pbrunst.de/news/2011/12/kein-cyberterrorismus/", (2011, 12)),
        ("https://example.com/2019/06/28/story", (2019, 6)),
        ("https://example.com/2019/13/story", None),
        ("https://example.com/news/story-2019", None),
    ],
)
def test_month_from_url(url: str, month: object) -> None:
    assert month_from_url(url) == month
