"""The web page and JSON API of `searcher serve`, through Flask's test client and a real
waitress server on 127.0.0.1 (the browser tests are in test_web_browser.py).

* The page: results with title, date, source, keywords and highlighted snippets; exact totals
  and paging; the parsed query shown back; did-you-mean; the source filter; errors as one
  line on the page with a 4xx; the article view; the URL holding the whole state.
* The API: /api/search gives what `searcher search --format json` gives; /api/article/ID;
  4xx with a one-line JSON message, never a traceback.
* Safety: a hostile article's title, body, source, author and url never become markup or a
  link; CSP and other headers on every response; GET only; loopback Host names only; the
  token when one is given, and no binding beyond loopback without one.
* The analysis slots (timeline, wire copies, terms) hidden while Archive lacks them; the
  timeline drawn and clickable when an Archive has it.
* `searcher serve` prints its address and stops cleanly on Ctrl-C; concurrent requests
  beside a writer all succeed.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from datetime import datetime, timezone
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, Dict, List, Tuple
from urllib.parse import parse_qs, urlsplit

import pytest
from click.testing import CliRunner

from searcher.archive import Archive
from searcher.article import Article
from searcher.cli import main
from searcher.errors import SearcherError
from searcher.highlight import Snippet
from searcher.web import chart, view
from searcher.web.app import CSP, create_app
from searcher.web.features import Features
from searcher.web.params import BadParameter, SearchState
from searcher.web.server import check_binding, is_loopback, running

REPO = Path(__file__).resolve().parents[1]

HOSTILE_TITLE = '<script>alert("title")</script> Zebra crossing <b>opened</b>'
HOSTILE_BODY = 'The zebra crossing opened. <img src=x onerror=alert(1)> Residents cheered.\n\n<a href="javascript:alert(2)">click</a> more zebra news.'
HOSTILE_SOURCE = '"><svg onload=alert(3)>'
HOSTILE_URL = "javascript:alert(4)"
HOSTILE_AUTHOR = "<i onmouseover=alert(5)>Mallory</i>"


def _day(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%d").replace(tzinfo=timezone.utc)


ARTICLES = [
    ("Missile test over the sea", "2017-02-12", "wire.example", "North Korea fired a ballistic missile over the sea on Sunday. Officials said the missile flew 500 km."),
    ("Second missile launch condemned", "2017-03-06", "wire.example", "Four missiles were launched. The launch was condemned by the council.\n\nA second paragraph about the missile programme."),
    ("Missile defence shield talks", "2018-05-20", "daily.example", "Talks on a missile defence shield resumed in Geneva between the two governments."),
    ("Rocket and missile exhibition", "2019-09-01", "daily.example", "An exhibition of rockets and one missile opened in the capital city museum."),
    ("Budget vote delayed", "2019-10-10", "daily.example", "The budget vote was delayed again by the finance committee. No missile was mentioned."),
    ("Harvest festival returns", "2020-08-15", "rural.example", "The harvest festival returned to the valley after two years with apples and cider."),
]


def build_archive(folder: Path) -> Path:
    """A small archive: missile stories over three years and sources, others, and a hostile one."""
    with Archive.open(folder, create=True) as archive:
        articles = [
            Article(title=t, body=b, date=_day(d), source=s, url=f"https://{s}/story/{n}")
            for n, (t, d, s, b) in enumerate(ARTICLES)
        ]
        articles.append(
            Article(title=HOSTILE_TITLE, body=HOSTILE_BODY, date=_day("2021-01-05"), source=HOSTILE_SOURCE, url=HOSTILE_URL, author=HOSTILE_AUTHOR)
        )
        archive.add(articles)
    return folder


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_archive(tmp_path_factory.mktemp("web") / "index")


@pytest.fixture(scope="module")
def client(index_dir: Path) -> Any:
    return create_app(index_dir).test_client()


def hostile_id(index_dir: Path) -> str:
    with Archive.open(index_dir) as archive:
        return archive.search("zebra", limit=1).hits[0].id


class Markup(HTMLParser):
    """Every element and attribute of a page, to check what became markup."""

    def __init__(self, page: str) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: List[Tuple[str, Dict[str, str]]] = []
        self.text: List[str] = []
        self.feed(page)

    def handle_starttag(self, tag: str, attrs: List[Tuple[str, Any]]) -> None:
        self.elements.append((tag, {k: v or "" for k, v in attrs}))

    def handle_data(self, data: str) -> None:
        self.text.append(data)

    def tags(self, name: str) -> List[Dict[str, str]]:
        return [attrs for tag, attrs in self.elements if tag == name]

    @property
    def all_text(self) -> str:
        return " ".join(" ".join(self.text).split())


def assert_no_active_markup(page: str) -> Markup:
    """No script, no event handler attribute, no javascript: link, no element the articles
    could have brought in (img, svg, iframe, b, i)."""
    doc = Markup(page)
    assert not doc.tags("script")
    for tag, attrs in doc.elements:
        if tag == "svg" and attrs.get("role") == "img" and attrs.get("aria-label", "").startswith("Articles per "):
            continue  # the page's own timeline chart (its bars and labels are checked below)
        assert tag not in ("img", "svg", "iframe", "b", "i", "object", "embed"), tag
        for name, value in attrs.items():
            assert not name.startswith("on"), (tag, name)
            if name in ("href", "src", "action"):
                assert not value.strip().lower().startswith(("javascript:", "data:")), (tag, value)
    return doc


# -- the page ------------------------------------------------------------------------------


def test_results_show_title_date_source_keywords_and_highlighted_snippets(client: Any) -> None:
    page = client.get("/?q=missile&sort=oldest")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    doc = Markup(html)
    titles = [a for a in doc.tags("a") if a.get("class") == "title"]
    assert len(titles) == 5  # the budget story mentions the word too
    assert "Missile test over the sea" in doc.all_text
    assert "2017-02-12 · wire.example" in doc.all_text
    assert "5 articles, showing 1–5 · page 1 of 1" in doc.all_text
    assert re.search(r"<mark>[Mm]issile</mark>", html)  # the snippet's match marked
    keywords = re.findall(r'<p class="keywords">(.*?)</p>', html, re.S)
    assert len(keywords) == 5 and all("<a href=" in k for k in keywords)
    assert "Searched for missil" in doc.all_text  # the parsed query shown back
    assert [a["href"] for a in doc.tags("a") if a.get("class") == "url"][0] == "https://wire.example/story/0"


def test_paging_has_exact_totals_and_links_that_keep_the_state(client: Any) -> None:
    first = client.get("/?q=missile&sort=oldest&limit=2")
    doc = Markup(first.get_data(as_text=True))
    assert "5 articles, showing 1–2 · page 1 of 3" in doc.all_text
    next_link = [a["href"] for a in doc.tags("a") if a.get("rel") == "next"][0]
    assert parse_qs(urlsplit(next_link).query) == {"q": ["missile"], "sort": ["oldest"], "page": ["2"], "limit": ["2"]}
    second = Markup(client.get(next_link).get_data(as_text=True))
    assert "5 articles, showing 3–4 · page 2 of 3" in second.all_text
    assert "Missile defence shield talks" in second.all_text and "Missile test over the sea" not in second.all_text
    last = Markup(client.get("/?q=missile&sort=oldest&limit=2&page=3").get_data(as_text=True))
    assert "showing 5–5 · page 3 of 3" in last.all_text and not [a for a in last.tags("a") if a.get("rel") == "next"]
    beyond = Markup(client.get("/?q=missile&limit=2&page=9").get_data(as_text=True))
    assert "No articles on page 9" in beyond.all_text


def test_the_url_holds_the_whole_state(client: Any) -> None:
    url = "/?q=missile&source=daily.example&from=2018&to=2019-09&sort=newest&page=1&limit=5"
    doc = Markup(client.get(url).get_data(as_text=True))
    inputs = {a["name"]: a.get("value", "") for a in doc.tags("input") if "name" in a}
    assert inputs["q"] == "missile" and inputs["from"] == "2018" and inputs["to"] == "2019-09" and inputs["limit"] == "5"
    selected = [a["value"] for a in doc.tags("option") if "selected" in a]
    assert selected == ["newest", "daily.example"]
    assert "2 articles" in doc.all_text  # 2018-05 and 2019-09 from daily.example
    state = SearchState.from_args({"q": "a b", "from": "2018", "to": "2019", "sort": "oldest", "page": "3", "limit": "5", "by": "month", "source": "x y"})
    assert SearchState.from_args(state.args()) == state
    assert SearchState().query_string() == ""


def test_source_filter_narrows_to_one_source_and_lists_sources(client: Any) -> None:
    doc = Markup(client.get("/?q=missile&source=wire.example").get_data(as_text=True))
    assert "2 articles" in doc.all_text and "daily.example" not in " ".join(s for s in doc.text if "·" in s)
    options = [a["value"] for a in doc.tags("option")]
    assert {"wire.example", "daily.example", "rural.example", HOSTILE_SOURCE} <= set(options)
    only_source = Markup(client.get("/?source=rural.example").get_data(as_text=True))
    assert "Harvest festival returns" in only_source.all_text and "1 article" in only_source.all_text


def test_did_you_mean_links_to_the_corrected_search(client: Any) -> None:
    doc = Markup(client.get("/?q=missle&source=wire.example").get_data(as_text=True))
    assert "Did you mean missile ?" in doc.all_text
    link = [a["href"] for a in doc.tags("a") if "missile" in a.get("href", "") and "keyword" not in a.get("href", "")][0]
    assert parse_qs(urlsplit(link).query) == {"q": ["missile"], "source": ["wire.example"]}
    assert "2 articles" in Markup(client.get(link).get_data(as_text=True)).all_text


@pytest.mark.parametrize(
    "url, status, message",
    [
        ('/?q="north korea', 400, "unclosed quote at character 1"),
        ("/?q=missile&page=zero", 400, "'page' must be a whole number from 1 to 10000"),
        ("/?q=missile&limit=1000", 400, "'limit' must be a whole number from 1 to 100"),
        ("/?q=missile&sort=best", 400, "'sort' must be one of relevance, newest, oldest"),
        ("/?q=missile&from=2023-02-30", 400, "impossible date '2023-02-30'"),
        ("/article/nosuchid", 404, "no article with id 'nosuchid'"),
        ("/no/such/page", 404, "no page at /no/such/page"),
    ],
)
def test_errors_are_one_line_on_the_page(client: Any, url: str, status: int, message: str) -> None:
    page = client.get(url)
    assert page.status_code == status
    html = page.get_data(as_text=True)
    errors = re.findall(r'<p class="error" role="alert">(.*?)</p>', html, re.S)
    assert len(errors) == 1 and "\n" not in errors[0]
    assert message in Markup(errors[0]).all_text
    assert "Traceback" not in html and 'name="q"' in html  # the form is still there


def test_article_view_highlights_the_query_and_links_back(client: Any, index_dir: Path) -> None:
    with Archive.open(index_dir) as archive:
        hit = archive.search('"defence shield"', limit=1).hits[0]
    html = client.get(f"/article/{hit.id}?q=%22defence+shield%22&page=1&sort=newest").get_data(as_text=True)
    doc = Markup(html)
    assert doc.tags("h1") and "Missile defence shield talks" in doc.all_text
    assert re.search(r"<mark>defence shield</mark>", html)
    assert "2018-05-20 · daily.example" in doc.all_text
    back = [a["href"] for a in doc.tags("a") if "Back" in html and a["href"].startswith("/?")][0]
    assert parse_qs(urlsplit(back).query) == {"q": ['"defence shield"'], "sort": ["newest"]}
    bad = client.get(f"/article/{hit.id}?q=(shield")
    assert bad.status_code == 400 and "unbalanced parenthesis" in bad.get_data(as_text=True)
    two = client.get(f"/article/{archive_id(index_dir, 'Second missile')}").get_data(as_text=True)
    assert len(re.findall(r"<p>", two.split('class="body"')[1].split("</div>")[0])) == 2  # paragraphs kept


def archive_id(index_dir: Path, title: str) -> str:
    with Archive.open(index_dir) as archive:
        return next(h.id for h in archive.search(f'title:"{title}"', limit=5).hits)


# -- safety ----------------------------------------------------------------------------------


def test_hostile_article_never_becomes_markup_on_results_or_article_page(client: Any, index_dir: Path) -> None:
    results = client.get("/?q=zebra").get_data(as_text=True)
    doc = assert_no_active_markup(results)
    assert '<script>alert("title")</script> Zebra crossing <b>opened</b>' in doc.all_text
    assert HOSTILE_SOURCE in doc.all_text
    assert not [a for a in doc.tags("a") if a.get("class") == "url"]  # javascript: is no link

    article = client.get(f"/article/{hostile_id(index_dir)}?q=zebra").get_data(as_text=True)
    doc = assert_no_active_markup(article)
    for text in ("<img src=x onerror=alert(1)>", '<a href="javascript:alert(2)">click</a>', HOSTILE_SOURCE, "<i onmouseover=alert(5)>Mallory</i>", HOSTILE_URL):
        assert text in doc.all_text
    assert "<mark>zebra</mark>" in article.lower()


def test_hostile_query_text_is_escaped_too(client: Any) -> None:
    page = client.get("/?q=%3Cscript%3Ealert(1)%3C/script%3E%20zebra&source=%22%3E%3Csvg%20onload%3Dx%3E")
    assert_no_active_markup(page.get_data(as_text=True))


def test_safe_link_refuses_everything_but_http_addresses() -> None:
    assert view.safe_link("https://example.org/a?b=1") == "https://example.org/a?b=1"
    assert view.safe_link("HTTP://example.org") == "HTTP://example.org"
    for bad in ("javascript:alert(1)", "JaVaScRiPt:alert(1)", " javascript:x", "java\tscript:x", "java\nscript:x",
                "data:text/html,<script>", "vbscript:x", "//evil.example/x", "/local", "https:///nohost", "http://a b", ""):
        assert view.safe_link(bad) is None, bad


def test_every_response_has_the_security_headers(client: Any) -> None:
    for url in ("/", "/?q=missile", "/api/search?q=missile", "/api/search", "/nope", "/static/searcher.css"):
        response = client.get(url)
        assert response.headers["Content-Security-Policy"] == CSP
        assert "script-src" not in CSP and "default-src 'none'" in CSP  # no script may run at all
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"] == "no-referrer"


def test_the_page_fetches_nothing_from_other_hosts(client: Any) -> None:
    doc = Markup(client.get("/?q=missile").get_data(as_text=True))
    for tag, attr in (("link", "href"), ("img", "src"), ("script", "src"), ("form", "action")):
        for attrs in doc.tags(tag):
            assert attrs[attr].startswith("/"), attrs
    assert client.get("/static/searcher.css").status_code == 200
    assert client.get("/static/favicon.svg").status_code == 200


def test_the_server_is_read_only(client: Any) -> None:
    for method in ("post", "put", "delete", "patch"):
        for url in ("/", "/api/search?q=x", "/api/article/x"):
            response = getattr(client, method)(url)
            assert response.status_code == 405
    body = client.post("/api/search").get_json()
    assert body["error"] == "POST is not allowed: this server is read-only (GET only)"


def test_only_loopback_host_names_are_answered(index_dir: Path) -> None:
    local = create_app(index_dir, trusted_hosts=["localhost", "127.0.0.1"]).test_client()
    assert local.get("/?q=missile", headers={"Host": "127.0.0.1:8080"}).status_code == 200
    assert local.get("/", headers={"Host": "localhost:8080"}).status_code == 200
    refused = local.get("/?q=missile", headers={"Host": "attacker.example"})
    assert refused.status_code == 400 and "answers only to localhost" in refused.get_data(as_text=True)


def test_a_token_guards_every_route_when_given(index_dir: Path) -> None:
    token = "correct-horse-battery-staple"
    client = create_app(index_dir, token=token).test_client()
    for url in ("/", "/?q=missile", "/api/search?q=missile", "/static/searcher.css"):
        assert client.get(url).status_code == 401
    assert client.get("/?q=missile&token=wrong-token-wrong-token").status_code == 401
    assert token not in client.get("/api/search?q=missile").get_data(as_text=True)
    entered = client.get(f"/?q=missile&token={token}")
    assert entered.status_code == 303 and entered.headers["Location"] == "/?q=missile"  # token out of the URL
    assert "HttpOnly" in entered.headers["Set-Cookie"] and token not in entered.headers["Set-Cookie"]
    assert client.get("/?q=missile").status_code == 200  # the cookie now
    fresh = create_app(index_dir, token=token).test_client()
    assert fresh.get("/api/search?q=missile", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    assert fresh.get("/api/search?q=missile", headers={"Authorization": "Bearer nope"}).status_code == 401


def test_binding_beyond_loopback_needs_a_long_token() -> None:
    assert is_loopback("127.0.0.1") and is_loopback("localhost") and is_loopback("::1") and is_loopback("127.8.9.1")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.168.1.5") and not is_loopback("example.org")
    check_binding("127.0.0.1", None)
    check_binding("0.0.0.0", "a-long-enough-token-here")
    with pytest.raises(SearcherError, match="--host 0.0.0.0 lets other machines read the archive; give a --token"):
        check_binding("0.0.0.0", None)
    with pytest.raises(SearcherError, match="shorter than 16 characters"):
        check_binding("127.0.0.1", "short")
    result = CliRunner().invoke(main, ["serve", "--host", "0.0.0.0", "--index", "nowhere"], env={"SEARCHER_TOKEN": ""})
    assert result.exit_code == 1 and "lets other machines read the archive" in result.output


# -- the JSON API ------------------------------------------------------------------------------


def test_api_search_gives_what_the_cli_json_gives(client: Any, index_dir: Path) -> None:
    api = client.get("/api/search?q=missile&from=2017&to=2019&sort=newest&page=2&limit=2")
    assert api.status_code == 200 and api.mimetype == "application/json"
    cli = CliRunner().invoke(main, ["search", "missile", "--from", "2017", "--to", "2019", "--sort", "newest", "--page", "2", "--limit", "2", "--format", "json", "--index", str(index_dir)])
    assert cli.exit_code == 0, cli.output
    ours, theirs = api.get_json(), json.loads(cli.output)
    ours.pop("seconds"), theirs.pop("seconds")
    assert ours == theirs
    assert ours["total"] == 5 and ours["page"] == 2 and len(ours["hits"]) == 2


def test_api_article_and_its_errors(client: Any, index_dir: Path) -> None:
    article_id = hostile_id(index_dir)
    data = client.get(f"/api/article/{article_id}?q=zebra").get_json()
    assert data["title"] == HOSTILE_TITLE and data["url"] == HOSTILE_URL and data["body"] == HOSTILE_BODY
    assert data["body_highlights"] and all(HOSTILE_BODY[s:e].lower() == "zebra" for s, e in data["body_highlights"])
    missing = client.get("/api/article/nosuchid")
    assert missing.status_code == 404 and missing.get_json() == {"error": "no article with id 'nosuchid'", "status": 404}
    for url, status, text in (
        ("/api/search", 400, "give a query 'q'"),
        ("/api/search?q=(missile", 400, "unbalanced parenthesis"),
        ("/api/search?q=missile&limit=0", 400, "'limit' must be a whole number"),
    ):
        response = client.get(url)
        assert response.status_code == status and text in response.get_json()["error"], url
    collapsed = client.get("/api/search?q=missile&collapse=1").get_json()
    assert collapsed["groups"] <= collapsed["total"] and all(isinstance(h["copies"], list) for h in collapsed["hits"])
    timeline = client.get("/api/timeline?q=missile").get_json()
    assert sum(p["count"] for p in timeline["periods"]) + timeline["undated"] == timeline["total"]
    assert "terms" in client.get("/api/terms?q=missile").get_json()
    stats = client.get("/api/stats").get_json()
    assert stats["articles"] == 7


# -- the analysis slots --------------------------------------------------------------------------


class YearlyArchive(Archive):
    """An Archive with a timeline in the planned shape, counted by real searches (only for
    this test: the real one is being built in the library)."""

    def timeline(self, query: str, *, by: str = "month", since: Any = None, until: Any = None) -> Dict[str, Any]:
        stats = self.stats()
        periods = []
        for year, _ in stats.per_year:
            found = self.search(query or f"date:{year}", since=since or str(year), until=until or str(year), limit=1, snippets=0)
            inside = max(str(year), str(since or year)) <= str(year) <= str(until or year)
            periods.append({"period": str(year), "count": found.total if inside else 0})
        return {"periods": periods, "total": sum(p["count"] for p in periods)}


def test_the_library_analysis_features_are_shown(client: Any, index_dir: Path) -> None:
    with Archive.open(index_dir) as archive:
        assert Features.of(archive) == Features(timeline=True, copies=True, terms=True)
    html = client.get("/?q=missile").get_data(as_text=True)
    assert 'class="timeline"' in html
    assert_no_active_markup(html)


def test_timeline_is_drawn_and_a_bar_narrows_the_dates(index_dir: Path) -> None:
    client = create_app(index_dir, opener=YearlyArchive.open).test_client()
    html = client.get("/?q=missile").get_data(as_text=True)
    doc = Markup(html)
    rects = doc.tags("rect")
    assert len(rects) == 5  # 2017 to 2021, one bar a year
    assert "Articles per year (5)" in doc.all_text
    heights = {title: float(r["height"]) for r, title in zip(rects, re.findall(r"<title>(\d{4}): (\d+)</title>", html))}
    assert heights[("2017", "2")] > heights[("2018", "1")] > 0 and heights[("2020", "0")] == 0
    bar_2017 = [a["href"] for a in doc.tags("a") if "from=2017" in a.get("href", "")][0]
    assert parse_qs(urlsplit(bar_2017).query) == {"q": ["missile"], "from": ["2017"], "to": ["2017"], "by": ["month"]}
    narrowed = Markup(client.get(bar_2017).get_data(as_text=True))
    assert "2 articles" in narrowed.all_text and "Missile defence" not in narrowed.all_text
    api = client.get("/api/timeline?q=missile").get_json()
    assert api["total"] == 5 and api["periods"][0] == {"period": "2017", "count": 2}


def test_chart_geometry() -> None:
    c = chart.chart([{"period": "2017", "count": 10}, {"period": "2018", "count": 0}, {"period": "2019", "count": 5}], width=300, height=118)
    assert [b.period for b in c.bars] == ["2017", "2018", "2019"] and c.top == 10
    tall, empty, half = c.bars
    assert tall.height == 100 and tall.y == 0 and empty.height == 0 and half.height == 50
    assert all(b.width > 0 and 0 <= b.x < 300 for b in c.bars)
    many = chart.chart([{"period": f"p{n}", "count": n} for n in range(100)], max_labels=8)
    assert len(many.labels) <= 8 and many.bars[1].height >= 1  # a small count stays visible
    assert chart.chart([]).bars == ()


def test_pieces_and_paragraphs_keep_every_character() -> None:
    snippet = Snippet("Alpha beta.\n\nGamma beta delta.", ((6, 10), (19, 23)))
    assert view.pieces(snippet) == [("Alpha ", False), ("beta", True), (".\n\nGamma ", False), ("beta", True), (" delta.", False)]
    assert view.paragraphs(snippet) == [[("Alpha ", False), ("beta", True), (".", False)], [("Gamma ", False), ("beta", True), (" delta.", False)]]
    assert view.page_window(7, 20) == [1, None, 5, 6, 7, 8, 9, None, 20]
    assert view.page_window(1, 1) == [1]
    with pytest.raises(BadParameter):
        SearchState.from_args({"q": "x\x00"})


# -- the real server ------------------------------------------------------------------------------


def _get(url: str) -> Tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def test_concurrent_requests_beside_a_writer_all_succeed(tmp_path: Path) -> None:
    index = build_archive(tmp_path / "index")
    failures: List[Any] = []
    with running(index, threads=4) as address:

        def client(n: int) -> None:
            for i in range(8):
                url = address + ("api/search?q=missile+OR+story&limit=3" if (n + i) % 2 else "?q=missile&page=1")
                status, body = _get(url)
                if status != 200 or (b'"total"' not in body and b"articles" not in body):
                    failures.append((status, body[:200]))

        threads = [threading.Thread(target=client, args=(n,)) for n in range(8)]
        for t in threads:
            t.start()
        with Archive.open(index) as archive:
            for batch in range(3):
                archive.add([Article(title=f"Added story {batch}-{k}", body=f"A story added while searching, number {batch}-{k}.", url=f"https://new.example/{batch}/{k}") for k in range(20)])
        for t in threads:
            t.join()
        status, body = _get(address + "api/search?q=story&limit=1")
    assert not failures
    assert status == 200 and json.loads(body)["total"] == 60  # the server sees the writer's commits


def test_serve_prints_its_address_and_stops_on_ctrl_c(index_dir: Path) -> None:
    env = dict(os.environ, PYTHONPATH=str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    env.pop("SEARCHER_TOKEN", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "searcher", "serve", "--index", str(index_dir), "--port", "0"],
        stderr=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env,
    )
    try:
        line = process.stderr.readline()
        match = re.search(r"serving .* at (http://127\.0\.0\.1:\d+/); press Ctrl-C to stop", line)
        assert match, line
        status, body = _get(match.group(1) + "api/search?q=missile")
        assert status == 200 and json.loads(body)["total"] == 5
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=20)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0
    assert err.strip().endswith("searcher: stopped") and "Traceback" not in err


def test_serve_refuses_a_missing_index_and_a_busy_port(tmp_path: Path, index_dir: Path) -> None:
    missing = CliRunner().invoke(main, ["serve", "--index", str(tmp_path / "none")])
    assert missing.exit_code == 1 and "no index at" in missing.output
    with running(index_dir) as address:
        port = urlsplit(address).port
        busy = CliRunner().invoke(main, ["serve", "--index", str(index_dir), "--port", str(port)])
    assert busy.exit_code == 1 and f"cannot listen on 127.0.0.1:{port}" in busy.output
