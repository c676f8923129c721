"""Tests for searcher.sources.html: metadata and article text from saved news pages.

The corpus tests compare against newspaper4k's output for the real pages in
../shared/corpora/html (machine-made, so a few references are marked where they are wrong);
the synthetic tests pin down each place a title, date, author or body can come from, and
hostile pages (deep nesting, scripts only, odd encodings).
"""

from __future__ import annotations

import gzip
import json
import re
from datetime import date, datetime, timezone
from functools import lru_cache
from pathlib import Path
from typing import Dict, List, Optional

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from searcher.article import Article, Problem, normalise_text
from searcher.errors import SourceError
from searcher.sources import html as html_source
from searcher.sources.html import declared_charset, extract, read, strip_site_name

HTML_CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpora" / "html"


def _corpus() -> Path:
    if not (HTML_CORPUS / "html").is_dir():
        pytest.skip("../shared/corpora/html is not here")
    return HTML_CORPUS


def _names(folder: str, suffix: str) -> List[str]:
    directory = HTML_CORPUS / folder
    return sorted(p.name[: -len(suffix)] for p in directory.glob("*" + suffix)) if directory.is_dir() else []


def _reference(name: str) -> Dict[str, object]:
    data: Dict[str, object] = json.loads((HTML_CORPUS / "metadata" / f"{name}.json").read_text(encoding="utf-8"))
    return data


def _is_english(name: str) -> bool:
    meta = _reference(name)
    return "en" in (meta.get("language"), meta.get("meta_lang"))


@lru_cache(maxsize=None)
def _article(name: str) -> Article:
    """Each page is read once per test run: the corpus tests share the result."""
    data = (HTML_CORPUS / "html" / f"{name}.html").read_bytes()
    items = list(read(data, path=f"{name}.html", mapping={}))
    assert not [item for item in items if isinstance(item, Problem)]
    assert len(items) == 1 and isinstance(items[0], Article)
    return items[0]


PAGES = _names("html", ".html")
ENGLISH = [n for n in _names("metadata", ".json") if _is_english(n)]
WITH_TEXT = [n for n in _names("txt", ".txt") if n in PAGES]

# Pages where the reference title is not what a reader would call the article's title.
TITLE_OVERRIDES = {
    # The page's <title> is "T1 embody Heartsteel song to become Worlds 2023 champions |
    # ONE Esports". The reference took the on-page <h1> instead, unlike cnn_001, cnn_test_nlp
    # and time_001, where it took <title> over a different <h1>. We apply one rule to all.
    "video_article_02": "T1 embody Heartsteel song to become Worlds 2023 champions",
}


# --- the real pages -----------------------------------------------------------------------


@pytest.mark.parametrize("name", ENGLISH)
def test_title_matches_reference(name: str) -> None:
    _corpus()
    expected = TITLE_OVERRIDES.get(name, normalise_text(str(_reference(name)["title"])))
    assert _article(name).title == expected


def _reference_day(text: Optional[str]) -> Optional[str]:
    """The reference publish_date ("2023-11-02T19:53:52+00:00", "2014-12-27 12:06:00" or
    null) as a UTC day; a date without an offset is taken as UTC, as our reader does."""
    if not text:
        return None
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is not None:
        moment = moment.astimezone(timezone.utc)
    return moment.date().isoformat()


# A known miss: sott.net's page has no publication date of its own, only a header box with
# the day it was saved ("Mon, 25 Dec 2023"), which htmldate takes for one.
_KNOWN_DATE_MISSES = {"article_with_br"}


@pytest.mark.parametrize(
    "name",
    [
        pytest.param(n, marks=pytest.mark.xfail(strict=True, reason="date box of the day the page was saved"))
        if n in _KNOWN_DATE_MISSES
        else n
        for n in ENGLISH
    ],
)
def test_date_matches_reference(name: str) -> None:
    _corpus()
    article = _article(name)
    found = article.date.astimezone(timezone.utc).date().isoformat() if article.date else None
    assert found == _reference_day(_reference(name)["publish_date"])  # type: ignore[arg-type]
    assert article.date_problem == ""


def _c1_as_cp1252(text: str) -> str:
    """The reference keeps ``&#0147;`` as the control character U+0093; browsers (and we,
    following HTML5) read such references as the cp1252 character they meant, "“"."""
    return re.sub("[\x80-\x9f]", lambda m: bytes([ord(m.group())]).decode("cp1252", "ignore"), text)


@pytest.mark.parametrize("name", WITH_TEXT)
def test_body_holds_most_reference_sentences(name: str) -> None:
    _corpus()
    reference = _c1_as_cp1252((HTML_CORPUS / "txt" / f"{name}.txt").read_text(encoding="utf-8"))
    lines = [normalise_text(line) for line in reference.splitlines() if len(line.strip()) >= 40]
    body = normalise_text(_article(name).body)
    found = [line for line in lines if line in body]
    assert len(found) >= 0.8 * len(lines), [line for line in lines if line not in body]


@pytest.mark.parametrize(
    ("name", "boilerplate"),
    [
        ("cnn_article", ["SHARE THIS", "HIDE CAPTION", "Terms of service", "Most Popular"]),
        ("cnn_001", ["Terms of Use", "Privacy Policy", "Ad Feedback", "Subscribe"]),
        ("wired_001", ["Most Popular", "Sign In", "Newsletter", "Privacy Policy"]),
        ("time_001", ["Read more:", "Sign Up for", "Terms of Use"]),
        ("fox13now_001", ["Privacy Policy", "Closed Captioning"]),
        ("yna_co_kr", ["Most Viewed", "Sitemap", "Copyright"]),
        ("cleveland.com1", ["Registration on or use of this site", "Comments"]),
        ("article_with_br", ["Reader Comments", "Quote of the Day", "Recent Comments"]),
        ("video_article_02", ["ADD TO CART", "READ MORE:"]),
    ],
)
def test_body_leaves_out_page_furniture(name: str, boilerplate: List[str]) -> None:
    _corpus()
    raw = (HTML_CORPUS / "html" / f"{name}.html").read_text(encoding="utf-8", errors="replace")
    body = _article(name).body
    for text in boilerplate:
        assert text in raw  # the string is really on the page...
        assert text not in body  # ...and not in the article


@pytest.mark.parametrize("name", PAGES)
def test_every_page_reads_or_says_why(name: str) -> None:
    _corpus()
    data = (HTML_CORPUS / "html" / f"{name}.html").read_bytes()
    if name == "google_meta_refresh":  # a redirect stub: scripts and a meta refresh only
        with pytest.raises(SourceError, match="no article text"):
            list(read(data, path=name, mapping={}))
        return
    article = _article(name)
    assert article.title and article.body
    assert article.path == f"{name}.html"
    assert article.id == "" and article.content_hash == ""


def test_corpus_metadata_details() -> None:
    _corpus()
    assert _article("wired_001").author == "Tom Bennett"
    assert _article("wired_001").source == "WIRED"
    # JSON-LD names three reporters; the reference also adds <meta name=author>'s "Douglas
    # Wood". Merging both would also turn wired_001's <meta name=author> "Condé Nast" (the
    # publisher) into an author, so JSON-LD alone speaks when it names anyone.
    assert _article("cnn_002").author == "Jeremy Herb, Lauren del Valle, Kara Scannell"
    assert _article("cleveland.com1").url == (
        "http://www.cleveland.com/food/index.ssf/2014/12/let_me_google_that_for_you_201.html"
    )  # rel=canonical is the relative "8003098": og:url is used instead
    assert _article("chinese_article_002").source == ""  # no site name, no url anywhere
    assert _article("chinese_article_002").title == "短缺药品保供稳价 全力保障临床用药需求"
    assert _article("spanish_article").title == "Anticorrupción decidirá en Madrid si recurre la imputación de la Infanta"
    assert _article("thai_article").title == "ผล DNA ยืนยัน ศพลอยแม่น้ำโขงเป็นคนสนิท อ.สุรชัย"
    assert _article("arabic_article").title == "معارضون يسيطرون على مخازن للصواريخ بريف دمشق"


# --- titles -------------------------------------------------------------------------------


def _page(head: str = "", body: str = "") -> str:
    text = "<p>" + "A paragraph of article text, long enough to be the body. " * 3 + "</p>"
    return f"<html><head>{head}</head><body>{body or text}</body></html>"


@pytest.mark.parametrize(
    ("head", "body", "title"),
    [
        ("<title>Plain title</title>", "", "Plain title"),
        (
            '<script type="application/ld+json">{"@type": "NewsArticle", "headline": "From LD"}</script>',
            "",
            "From LD",
        ),
        (
            '<script type="application/ld+json">{"@graph": [{"@type": "WebSite", "name": "S"},'
            ' {"@type": "NewsArticle", "headline": "From graph"}]}</script>',
            "",
            "From graph",
        ),
        (
            '<script type="application/ld+json">[{"@type": "Organization", "name": "S"},'
            ' {"@type": "Article", "headline": "From list"}]</script>',
            "",
            "From list",
        ),
        ('<meta property="og:title" content="From og">', "", "From og"),
        ('<meta name="twitter:title" content="From twitter">', "", "From twitter"),
        ("", "<h1>From h1</h1><p>" + "Body text of the article here. " * 5 + "</p>", "From h1"),
        # <title> wins over the display headline when both are there.
        ('<title>Seo title | Site</title><meta property="og:title" content="Display">', "", "Seo title"),
        ('<title>CNN wins award | CNN</title><meta property="og:site_name" content="CNN">', "", "CNN wins award"),
        # ...unless <title> is only the site's name.
        ('<title>Daily Planet</title><meta property="og:site_name" content="Daily Planet">'
         '<meta property="og:title" content="Real headline">', "", "Real headline"),
        # A headline that <title> starts with keeps its own typography.
        ("<title>It's here -- Section -- Site</title><h1>It’s here</h1>", "", "It’s here"),
    ],
)
def test_title_sources(head: str, body: str, title: str) -> None:
    assert extract(_page(head, body)).title == title


@pytest.mark.parametrize(
    ("title", "sites", "expected"),
    [
        ("Storm hits coast - CNN.com", ["CNN", "cnn.com"], "Storm hits coast"),
        ("Storm hits coast | CNN Politics", ["CNN", "cnn.com"], "Storm hits coast"),
        ("Hansen warns | TIME", ["TIME", "time.com"], "Hansen warns"),
        ("Headline — The Site", ["The Site", ""], "Headline"),
        ("Noticia larga aquí » Local » Noticias » Ultima Hora", ["", "ultimahora.es"], "Noticia larga aquí"),
        ("A long headline about things | Section", ["", ""], "A long headline about things"),
        ("北京新闻标题在这里-新华网", ["", ""], "北京新闻标题在这里"),
        ("CNN wins award - CNN.com", ["CNN", "cnn.com"], "CNN wins award"),
        # A colon and a hyphenated word are part of the headline, not separators.
        ("Gates on Russia: 'Friendly'", ["CNN", "cnn.com"], "Gates on Russia: 'Friendly'"),
        ("Covid-19 cases rise", ["", ""], "Covid-19 cases rise"),
        # A dash segment that is neither short after a strong separator nor the site stays.
        ("Obama visits Berlin - talks on trade", ["", ""], "Obama visits Berlin - talks on trade"),
    ],
)
def test_strip_site_name(title: str, sites: List[str], expected: str) -> None:
    assert strip_site_name(title, site_names=sites) == expected


# --- dates --------------------------------------------------------------------------------

_DAY = datetime(2021, 3, 4, tzinfo=timezone.utc)


@pytest.mark.parametrize(
    "head",
    [
        '<script type="application/ld+json">{"@type": "NewsArticle", "datePublished": "2021-03-04"}</script>',
        '<script type="application/ld+json">{"@type": "VideoObject", "uploadDate": "2021-03-04"}</script>',
        '<script type="application/ld+json">{"@type": "Article", "dateCreated": "2021-03-04"}</script>',
        '<meta property="article:published_time" content="2021-03-04T00:00:00Z">',
        '<meta name="date" content="2021-03-04">',
        '<meta name="pubdate" content="2021-03-04">',
        '<meta name="DC.date.issued" content="2021-03-04">',
        '<meta name="sailthru.date" content="2021-03-04">',
        '<meta name="parsely-pub-date" content="2021-03-04">',
        '<meta itemprop="datePublished" content="2021-03-04">',
    ],
)
def test_date_sources(head: str) -> None:
    article = extract(_page(f"<title>T</title>{head}"))
    assert (article.date, article.date_problem) == (_DAY, "")


def test_date_from_time_elements() -> None:
    text = "<p>" + "Words of the article body go here. " * 5 + "</p>"
    comment = '<div class="comments"><time datetime="2022-01-01">x</time></div>'
    article = extract(_page("<title>T</title>", f'{comment}<article><time datetime="2021-03-04">Mar 4</time>{text}</article>'))
    assert article.date == _DAY
    marked = extract(_page("<title>T</title>", f'{comment}<time pubdate datetime="2021-03-04">x</time>{text}'))
    assert marked.date == _DAY


def test_date_order_and_url_fallback() -> None:
    both = '<meta name="date" content="2020-01-01"><meta property="article:published_time" content="2021-03-04">'
    assert extract(_page(f"<title>T</title>{both}")).date == _DAY
    canonical = '<link rel="canonical" href="https://news.example.com/2021/03/04/story.html">'
    article = extract(_page(f"<title>T</title>{canonical}"))
    assert (article.date, article.url, article.source) == (
        _DAY,
        "https://news.example.com/2021/03/04/story.html",
        "news.example.com",
    )
    assert extract(_page("<title>T</title>"), url="https://x.org/2021/03/04/a").date == _DAY


def test_impossible_date_is_reported_not_guessed() -> None:
    head = '<meta property="article:published_time" content="2023-02-30T10:00:00Z"><meta name="date" content="2023-02-28">'
    article = extract(_page(f"<title>T</title>{head}"))
    assert article.date is None
    assert article.date_problem.startswith("impossible date '2023-02-30T10:00:00Z' in meta article:published_time")


def test_no_date_anywhere() -> None:
    article = extract(_page("<title>T</title>"))
    assert (article.date, article.date_problem) == (None, "")


# --- author, source, url ------------------------------------------------------------------


def test_author_source_url_from_json_ld_and_meta() -> None:
    ld = (
        '<script type="application/ld+json">{"@type": "NewsArticle", "headline": "H",'
        ' "author": [{"@type": "Person", "name": "Ann Lee"}, {"name": "Bo Chan"}],'
        ' "publisher": {"@type": "Organization", "name": "The Gazette"}}</script>'
    )
    article = extract(_page(ld + '<meta property="og:url" content="https://www.gazette.example/a">'))
    assert (article.author, article.source, article.url) == ("Ann Lee, Bo Chan", "The Gazette", "https://www.gazette.example/a")
    meta = '<meta name="author" content="By Cy Dee"><meta property="og:site_name" content="Site Name">'
    article = extract(_page("<title>T</title>" + meta))
    assert (article.author, article.source, article.url) == ("Cy Dee", "Site Name", "")
    byline = '<span class="byline">By Ed Fox</span><p>' + "Text of the story, at some length. " * 5 + "</p>"
    assert extract(_page("<title>T</title>", byline)).author == "Ed Fox"
    url_author = '<meta property="article:author" content="https://www.facebook.com/someone">'
    assert extract(_page("<title>T</title>" + url_author)).author == ""


# --- body ---------------------------------------------------------------------------------

_STORY = [
    "The council voted on Tuesday to rebuild the old bridge over the river, after years of delay.",
    "Residents said the crossing, closed since the floods, had cut the town in two for too long.",
    "Work is expected to start in the spring and to take about eighteen months to complete.",
]


def test_body_skips_furniture_and_keeps_paragraphs() -> None:
    body = (
        '<header><a href="/">Home</a> <a href="/news">News</a></header>'
        '<nav><ul><li><a href="/a">World</a></li><li><a href="/b">Sport</a></li></ul></nav>'
        '<div class="share-bar">Share on Facebook Share on Twitter</div>'
        "<article>" + "".join(f"<p>{p}</p>" for p in _STORY) + "</article>"
        '<div id="comments"><p>A reader wrote a long comment that is not part of the article, sadly.</p></div>'
        '<aside><p>Related: other stories you may like to read this afternoon, all of them.</p></aside>'
        "<footer>Copyright 2021 The Paper. All rights reserved.</footer>"
        "<script>var tracking = 'long script text that should never be read as article text';</script>"
    )
    assert extract(_page("<title>T</title>", body)).body == "\n\n".join(_STORY)


def test_body_from_item_prop_article_body() -> None:
    body = (
        '<div class="teasers">' + "<p>Teaser text for another story on the site, quite long indeed.</p>" * 8 + "</div>"
        '<div itemprop="articleBody">' + "".join(f"<p>{p}</p>" for p in _STORY * 3) + "</div>"
    )
    assert extract(_page("<title>T</title>", body)).body == "\n\n".join(_STORY * 3)


def test_body_from_br_separated_text_and_non_english() -> None:
    arabic = "قال المسؤولون إن العمل في الجسر القديم سيبدأ في الربيع المقبل بعد سنوات من التأخير"
    chinese = "市政府周二宣布将重建河上的旧桥，工程预计明年春天开始，历时约十八个月完成。"
    body = f'<div class="menu"><a href="/">首页</a></div><div class="text">{arabic}<br>{chinese}<br><br>{_STORY[0]}</div>'
    assert extract(_page("<title>T</title>", body)).body == f"{arabic}\n\n{chinese}\n\n{_STORY[0]}"


def test_body_falls_back_to_json_ld_article_body() -> None:
    ld = json.dumps({"@type": "NewsArticle", "headline": "H", "articleBody": "\n".join(_STORY)})
    page = f'<html><head><script type="application/ld+json">{ld}</script></head><body><div id="app"></div></body></html>'
    assert extract(page).body == "\n\n".join(_STORY)


def test_body_survives_page_wide_wrapper_with_furniture_class() -> None:
    body = '<div class="site-wrap has-sidebar int-nav">' + "".join(f"<p>{p}</p>" for p in _STORY * 2) + "</div>"
    assert extract(_page("<title>T</title>", body)).body == "\n\n".join(_STORY * 2)


def test_short_page_keeps_its_little_text() -> None:
    assert extract("<p>Only a short note.</p>").body == "Only a short note."


# --- hostile and odd pages ----------------------------------------------------------------


def test_ten_thousand_levels_deep() -> None:
    page = "<html><head><title>Deep</title></head><body>" + "<div>" * 10000 + f"<p>{_STORY[0]}</p>" + "</div>" * 10000
    items = list(read((page + "</body></html>").encode(), path="deep.html", mapping={}))
    assert items == [Article(title="Deep", body=_STORY[0], path="deep.html")]


def test_ten_thousand_unclosed_elements() -> None:
    page = "<title>Open</title>" + "<span><b>" * 5000 + _STORY[1]
    (article,) = read(page.encode(), path="open.html", mapping={})
    assert isinstance(article, Article) and article.body == _STORY[1]


def test_recursion_error_falls_back_to_flat_text(monkeypatch: pytest.MonkeyPatch) -> None:
    def explode(html_text: str, *, url: str = "") -> Article:
        raise RecursionError("maximum recursion depth exceeded")

    monkeypatch.setattr(html_source, "extract", explode)
    page = b"<title>Flat &amp; fine</title><script>x()</script><div><p>Some text</p><!-- c --></div>"
    items = list(read(page, path="p.html", mapping={}))
    assert items == [
        Problem(path="p.html", reason="page nested too deeply to read its layout; used its plain text"),
        Article(title="Flat & fine", body="Flat & fine Some text", path="p.html"),
    ]


@pytest.mark.parametrize(
    "page",
    [
        b"",
        b"   \n ",
        b"<html><head><script>var a = 1;</script></head><body><script>go()</script><style>p {}</style></body></html>",
        b"<html><body><!-- only a comment --><noscript><p>Enable JavaScript</p></noscript></body></html>",
    ],
)
def test_no_article_text_is_a_source_error(page: bytes) -> None:
    with pytest.raises(SourceError, match="^no article text in the page$"):
        list(read(page, path="empty.html", mapping={}))


def test_broken_json_ld_is_ignored() -> None:
    head = '<title>T</title><script type="application/ld+json">{"headline": "unterminated</script>'
    deep = '<script type="application/ld+json">' + "[" * 50000 + "]" * 50000 + "</script>"
    assert extract(_page(head + deep)).title == "T"


# --- encodings ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("head", "charset"),
    [
        (b'<meta charset="Shift_JIS">', "shift_jis"),
        (b"<meta charset=utf-8>", "utf-8"),
        (b'<meta http-equiv="Content-Type" content="text/html; charset=GB2312">', "gb2312"),
        (b'<?xml version="1.0" encoding="ISO-8859-1"?>', "iso-8859-1"),
        (b"<title>none</title>", None),
    ],
)
def test_declared_charset(head: bytes, charset: Optional[str]) -> None:
    assert declared_charset(b"<html><head>" + head + b"</head>") == charset


@pytest.mark.parametrize(
    ("charset", "title"),
    [("shift_jis", "東京の天気"), ("gbk", "北京新闻"), ("cp1252", "Café — “quoted”"), ("utf-8", "Ünïcödé ✓")],
)
def test_read_decodes_declared_charset(charset: str, title: str) -> None:
    text = f'<html><head><meta charset="{charset}"><title>{title}</title></head><body><p>{title} {_STORY[0]}</p></body></html>'
    (article,) = read(text.encode(charset), path="e.html", mapping={})
    assert isinstance(article, Article)
    assert (article.title, article.body) == (title, f"{title} {_STORY[0]}")


def test_malformed_addresses_are_ignored() -> None:
    head = '<title>T</title><link rel="canonical" href="http://[broken/x"><meta property="og:url" content="/relative">'
    article = extract(_page(head))
    assert (article.url, article.source) == ("", "")


def test_huge_json_ld_list_stays_fast() -> None:
    items = ",".join('{"@type": "Thing", "name": "x"}' for _ in range(50000))
    head = f'<script type="application/ld+json">[{items}, {{"@type": "NewsArticle", "headline": "Last"}}]</script>'
    assert extract(_page(head)).title == "Last"


_PIECES = st.sampled_from(
    [
        "<p>", "</p>", "<div class='share'>", "<div>", "</div>", "<article>", "</article>", "<br>",
        "<title>", "</title>", "<h1>", "</h1>", "<a href='/x'>", "</a>", "<script>", "</script>",
        "<time datetime='2023-02-30'>", "<meta property='og:title' content='T'>", "<!--", "-->",
        "<![CDATA[", "]]>", "<meta name='date' content='2021-13-01'>", "&amp;", "&#0147;", "&#xD800;",
        '<script type="application/ld+json">{"@graph": [{"headline": 1, "author": {"name": []}}]}',
        "News text, with words and commas.", "新闻", "خبر", " ", "<", ">", "\x00",
    ]
)  # fmt: skip


@settings(max_examples=200, deadline=None)
@given(st.lists(_PIECES, max_size=40).map("".join))
def test_any_markup_gives_an_article_or_a_source_error(page: str) -> None:
    try:
        items = list(read(page.encode("utf-8", "surrogatepass"), path="p.html", mapping={}))
    except SourceError as error:
        assert str(error) == "no article text in the page"
        return
    assert len(items) == 1 and isinstance(items[0], Article) and items[0].body


# --- the publication's own day, byline dates, and the dev set ----------------------------


def test_day_is_the_publications_own_calendar_day() -> None:
    head = '<meta property="article:published_time" content="2019-11-19T19:47:00-05:00">'
    article = extract(_page(f"<title>T</title>{head}"))
    assert article.date == datetime(2019, 11, 20, 0, 47, tzinfo=timezone.utc)  # the instant, UTC
    assert article.utc_offset == -300
    assert article.day == date(2019, 11, 19)  # what --from/--to 2019-11-19 must match
    utc_page = extract(_page('<meta property="article:published_time" content="2019-11-19T23:00:00Z">'))
    assert (utc_page.utc_offset, utc_page.day) == (None, date(2019, 11, 19))


def test_day_from_a_byline_in_eastern_time() -> None:
    body = (
        '<article><h1>Headline</h1><div class="byline-date">November 19, 2019, 07:47 PM EST</div>'
        + "<p>" + "Words of the article body go here, and more of them. " * 6 + "</p></article>"
    )
    article = extract(_page("<title>T</title>", body))
    assert article.day == date(2019, 11, 19)


@pytest.mark.parametrize(
    "lang, byline, day",
    [
        ("de", "Veröffentlicht am 19. November 2019 um 07:47 Uhr", date(2019, 11, 19)),
        ("es", "Publicado el 19 de noviembre de 2019", date(2019, 11, 19)),
        ("fr", "Publié le 19/11/2019 à 07h47", date(2019, 11, 19)),
        ("fr", "Publié le 03/04/2019 à 07h47", date(2019, 4, 3)),
        ("it", "Pubblicato il 19 novembre 2019", date(2019, 11, 19)),
        ("nl", "Gepubliceerd op 19 november 2019", date(2019, 11, 19)),
        ("pt", "Publicado em 19 de novembro de 2019", date(2019, 11, 19)),
    ],
)
def test_date_only_in_the_visible_byline(lang: str, byline: str, day: date) -> None:
    body = (
        f'<article><h1>Titel</h1><p class="meta">{byline}</p>'
        + "<p>" + "Der Text des Artikels steht hier, lang genug für einen Absatz. " * 6 + "</p></article>"
        + '<aside class="sidebar"><p>Archiv: 1. Januar 2015</p></aside><footer>© 2021</footer>'
    )
    article = extract(f'<html lang="{lang}"><head><title>Titel</title></head><body>{body}</body></html>')
    assert article.day == day


def test_publication_date_says_where_it_came_from() -> None:
    found = html_source.publication_date(_page('<script type="application/ld+json">{"@type": "NewsArticle", "datePublished": "2021-03-04"}</script>'))
    assert found is not None and (found.moment, found.where) == (_DAY, "JSON-LD datePublished")
    assert html_source.publication_date(_page("<title>T</title>")) is None


_DEVSET_PAGES = Path(__file__).parent / "data" / "devset" / "pages"
_PROSE = "<p>" + "Words of the article body go here, and more of them follow. " * 6 + "</p>"


@pytest.mark.parametrize(
    "side",
    [
        '<aside><article><h2>Other story</h2><time datetime="2022-01-01">Jan 1</time></article></aside>',
        '<div class="related-stories"><article><time datetime="2022-01-01">Jan 1</time></article></div>',
        '<nav><time datetime="2022-01-01">Today</time></nav>',
        '<footer><article><time datetime="2022-01-01">Jan 1</time></article></footer>',
    ],
)
def test_time_in_sidebars_and_lists_does_not_date_the_article(side: str) -> None:
    body = f'{side}<article><h1>Headline</h1><time datetime="2021-03-04T10:00:00Z">4 March</time>{_PROSE}</article>'
    found = html_source.publication_date(_page("<title>T</title>", body))
    assert found is not None and (found.moment.date(), found.where) == (_DAY.date(), "<time>")


def test_time_marked_published_beats_time_marked_updated() -> None:
    body = (
        '<article><h1>Headline</h1><time class="updated" datetime="2022-01-01">Updated</time>'
        f'<time class="published" datetime="2021-03-04">4 March</time>{_PROSE}</article>'
    )
    assert extract(_page("<title>T</title>", body)).day == _DAY.date()


def test_visible_date_of_a_time_beats_a_distant_datetime_attribute() -> None:
    body = f'<article><h1>Titre</h1><time datetime="2019-07-03T10:18:46Z">Publié le 29 juin 2019</time>{_PROSE}</article>'
    assert extract(f'<html lang="fr"><head><title>T</title></head><body>{body}</body></html>').day == date(2019, 6, 29)
    near = f'<article><h1>T</h1><time datetime="2019-06-30T01:00:00Z">June 29, 2019</time>{_PROSE}</article>'
    assert extract(_page("<title>T</title>", near)).date == datetime(2019, 6, 30, 1, 0, tzinfo=timezone.utc)


def test_article_wrapped_in_an_aside_keeps_its_byline_date() -> None:
    """Some sites put the whole article in an <aside>; a created-date meta tag there, stamped
    by the publishing system years later, gives way to the visible byline."""
    body = (
        '<main><aside class="page"><section><h1>Frank Witzel erhält Buchpreis</h1>'
        '<div class="ar-date">12.10.2015, 19:16 Uhr</div><meta itemprop="dateCreated" content="2019-05-07T17:00:52+02:00">'
        f"{_PROSE}</section></aside></main>"
    )
    found = html_source.publication_date(f'<html lang="de"><head><title>T</title></head><body>{body}</body></html>')
    assert found is not None and (found.moment.date(), found.where) == (date(2015, 10, 12), "byline text")


def test_strong_structured_date_is_not_second_guessed_by_a_byline() -> None:
    head = '<meta property="article:published_time" content="2021-03-04T08:00:00Z">'
    body = f'<article><h1>H</h1><div class="date">May 5, 2020</div>{_PROSE}</article>'
    assert extract(_page(head, body)).day == _DAY.date()


def test_date_the_text_calls_the_publication_beats_a_copyright_year() -> None:
    body = (
        f"<div class='post'><h2>Kein Cyberterrorismus</h2>{_PROSE}"
        "<p class='postmetadata'><small>Dieser Beitrag wurde am Samstag, 3. Dezember 2011 um %H:%M Uhr "
        "veröffentlicht und unter Cybercrime gespeichert.</small></p></div>"
        "<div id='footer'>&copy; 2010 by Dr. P. Brunst | Impressum | Kontakt</div>"
    )
    found = html_source.publication_date(f'<html lang="de"><head><title>T</title></head><body>{body}</body></html>')
    assert found is not None and found.moment.date() == date(2011, 12, 3)


@pytest.mark.parametrize(
    "name, day, where",
    [
        # htmldate reads 2010-06-01 (the copyright line); the text says "... 3. Dezember 2011 ... veröffentlicht"
        ("htmldate/pbrunst.de.html.gz", date(2011, 12, 3), "byline text"),
        # <time datetime="2019-07-03...">Publié le 29 juin 2019</time>, related stories' <time>s around it
        ("htmldate/paris-luttes.info.html.gz", date(2019, 6, 29), None),
        # the article sits in an <aside>; itemprop dateCreated 2019-05-07 against the byline 12.10.2015
        ("trafilatura/rnz.de.witzel.html.gz", date(2015, 10, 12), "byline text"),
    ],
)
def test_devset_pages_that_misled_the_date_finder(name: str, day: date, where: Optional[str]) -> None:
    text = html_source.decode_page(gzip.decompress((_DEVSET_PAGES / name).read_bytes()))
    found = html_source.publication_date(text)
    assert found is not None and found.moment.date() == day
    assert where is None or found.where == where


def test_text_from_sibling_boxes_and_not_from_a_box_named_content() -> None:
    """An article split over sibling boxes (text, picture, text) is read whole, and a
    one-paragraph sidebar box whose class is "content" does not beat it."""
    first = "<p>" + "The first part of the story tells what happened, with details. " * 5 + "</p>"
    second = "<p>" + "The second part of the story tells what comes next, at length. " * 5 + "</p>"
    body = (
        f'<div class="story"><div class="box">{first}{first}</div><div class="pic"><img src="x.jpg"></div>'
        f'<div class="box">{second}{second}</div></div>'
        '<div class="sidebar"><div class="content"><p>Our podcast this week, with guests, news, and more, '
        "about media, church and society.</p></div></div>"
    )
    article = extract(_page("<title>T</title>", body))
    assert "The first part" in article.body and "The second part" in article.body
    assert "podcast" not in article.body


def test_lead_paragraph_in_a_box_of_its_own_joins_the_text() -> None:
    """A lead paragraph wrapped in boxes of its own, beside the box that holds the rest of
    the article (both of one kind, as content systems lay them out), is part of the body;
    a box of another kind beside them with a short note is not."""
    lead = "The decree approving the new statutes was published today, after two years of work."
    rest = "".join(f"<p>Paragraph {i} of the article, which goes on, with details, and more details.</p>" for i in range(8))
    body = (
        '<div class="fields">'
        f'<div class="field--item"><div class="paragraph"><div class="chapo"><p>{lead}</p></div></div></div>'
        f'<div class="field--item"><div class="paragraph"><div class="text">{rest}</div></div></div>'
        '<div class="share-links"><p>Share this page with your friends, now, today.</p></div>'
        "</div>"
    )
    article = extract(_page("<title>T</title>", body))
    assert article.body.startswith(lead)
    assert "Paragraph 7 of the article" in article.body
    assert "Share this page" not in article.body


def test_subhead_with_an_anchor_id_and_mailto_link_are_text() -> None:
    """A subheading whose id is an anchor made of its words (``nav_...``) is not navigation,
    and a paragraph that is an e-mail link is part of the text; a comment function's label
    at the end is not."""
    paragraphs = "".join(f"<p>Sentence {i} of the report, with enough words to be a paragraph.</p>" for i in range(6))
    body = (
        f'<article>{paragraphs}<h3 class="subheading" id="nav_only_the_foil_1">Only the foil stays behind</h3>'
        f'{paragraphs}<p><a href="mailto:desk@example.org">desk@example.org</a></p>'
        "<p>Kommentare schreiben</p></article>"
    )
    article = extract(_page("<title>T</title>", body))
    assert "Only the foil stays behind" in article.body
    assert "desk@example.org" in article.body
    assert "Kommentare schreiben" not in article.body


def test_lead_paragraph_in_an_article_header_is_text_but_not_headline_or_byline() -> None:
    """An article's ``<header>`` may hold its lead paragraph: that is text; the headline,
    subtitle and the byline with its date there are not."""
    lead = "If you do not draw everything yourself, foreign files can bloat your own plans with layers and styles."
    paragraphs = "".join(f"<p>Step {i} of the plan, explained with enough words to count as text.</p>" for i in range(6))
    body = (
        f"<article><header><h1>The headline</h1><h2>A subtitle</h2><p>{lead}</p>"
        '<p><time datetime="2019-03-19">19.03.2019 11:45</time> | by Inga Buller, who wrote it</p></header>'
        f"{paragraphs}</article>"
    )
    article = extract(_page("<title>The headline</title>", body))
    assert article.body.startswith(lead)
    assert "The headline" not in article.body and "A subtitle" not in article.body
    assert "Inga Buller" not in article.body


_DEVSET = Path(__file__).parent / "data" / "devset"


def _devset_sample() -> List[Dict[str, object]]:
    """Every fourth article with a known day of each part of the dev set (tune, held-out,
    fresh): both projects."""
    records = [json.loads(line) for line in (_DEVSET / "expected.jsonl").read_text(encoding="utf-8").splitlines()]
    articles = [r for r in records if r["kind"] == "article" and r["date"]]
    return [r for split in ("tune", "heldout", "fresh") for r in [a for a in articles if a["split"] == split][::4]]


def test_devset_sample_dates_and_text() -> None:
    """On a sample of the dev set (benchmarks/extraction.py scores all of it): every page
    gets a date, nine in ten the expected day, and the text holds what trafilatura's tests
    require of it on most pages."""
    sample = _devset_sample()
    assert len(sample) >= 25 and {r["split"] for r in sample} == {"tune", "heldout", "fresh"}
    wrong, dateless, thin = [], [], []
    for record in sample:
        data = gzip.decompress((_DEVSET / "pages" / str(record["file"])).read_bytes())
        article = next(a for a in read(data, path=str(record["file"]), mapping={}) if isinstance(a, Article))
        if article.day is None:
            dateless.append(record["file"])
        elif article.day != date.fromisoformat(str(record["date"])):
            wrong.append((record["file"], article.day))
        wanted = list(record["with"])  # type: ignore[call-overload]
        if wanted and sum(snippet in article.body for snippet in wanted) < len(wanted) / 2:
            thin.append(record["file"])
    assert not dateless
    assert len(wrong) <= len(sample) // 10, wrong
    assert len(thin) <= len(sample) // 10, thin
