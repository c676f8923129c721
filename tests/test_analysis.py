"""The news analyses through ``Archive`` and the CLI: wire copies collapsed, timelines,
significant terms, first appearance, recency, reproducible export.

Each is checked against a brute-force answer computed from ``Archive.export`` and plain
searches, on a small archive built here with planted copies and a planted topic.
"""

from __future__ import annotations

import csv
import io
import json
import random
from collections import Counter
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Dict, List

import pytest
from click.testing import CliRunner

from searcher import Archive, Article
from searcher.analytics.export import read_csv_comment
from searcher.cli import main
from searcher.errors import SearcherError

WORDS = ("harbour council budget river storm vaccine election market school railway bridge "
         "minister court police weather festival factory strike hospital airport").split()


def _story(rng: random.Random, n: int) -> str:
    sentences = []
    for _ in range(n):
        sentences.append(" ".join(rng.choice(WORDS) for _ in range(rng.randint(8, 14))).capitalize() + ".")
    return " ".join(sentences)


def _edited(body: str, rng: random.Random) -> str:
    """A wire copy: sentences reordered, a tenth of the words changed, a paragraph added."""
    sentences = [s for s in body.split(". ") if s]
    rng.shuffle(sentences)
    words = " ".join(sentences).split()
    for i in rng.sample(range(len(words)), len(words) // 10):
        words[i] = rng.choice(WORDS)
    return " ".join(words) + " Reporting by our correspondent in the capital."


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Archive:
    """120 articles over 2019-2021 (none in 2020-06), 5 wire stories of 4 copies each, and
    a topic ("glacier", "iceberg") planted in 2021-03."""
    rng = random.Random(7)
    articles: List[Article] = []
    start = datetime(2019, 1, 1, tzinfo=timezone.utc)
    for n in range(100):
        date = start + timedelta(days=rng.randint(0, 3 * 365))
        if date.year == 2020 and date.month == 6:
            date += timedelta(days=40)
        articles.append(Article(title=f"Local story {n}", body=_story(rng, 6), date=date,
                                source=rng.choice(["Daily", "Herald", "Post"]), url=f"https://e.test/{n}",
                                keywords=tuple(rng.sample(WORDS, 5))))
    for s in range(5):
        body = "Exclusive wire report. " + _story(rng, 12)
        first = start + timedelta(days=100 + 30 * s)
        for c in range(4):
            articles.append(Article(title=f"Wire {s} as printed by outlet {c}", body=body if c == 0 else _edited(body, rng),
                                    date=first + timedelta(hours=5 * c), source=f"Outlet {c}",
                                    url=f"https://wire.test/{s}/{c}", keywords=("wire report",)))
    for n in range(8):
        articles.append(Article(title=f"Glacier watch {n}", body="The glacier lost another iceberg. " + _story(rng, 3),
                                date=datetime(2021, 3, 2 + n, tzinfo=timezone.utc), source="Herald",
                                url=f"https://ice.test/{n}", keywords=("glacier", "iceberg", rng.choice(WORDS))))
    articles.append(Article(title="Undated harbour note", body="The harbour council met.", source="Post"))
    folder = tmp_path_factory.mktemp("analysis") / "ix"
    opened = Archive.open(folder, create=True)
    opened.add(articles)
    yield opened
    opened.close()


def _all_ids(archive: Archive, query: str, **options: object) -> List[str]:
    found = archive.search(query, limit=1000, snippets=0, **options)  # type: ignore[arg-type]
    assert found.total <= 1000
    return [h.id for h in found.hits]


# -- wire copies ----------------------------------------------------------------------------


def test_collapse_shows_each_wire_story_once_as_its_earliest_copy(archive: Archive) -> None:
    plain = archive.search("title:wire", limit=100)
    collapsed = archive.search("title:wire", limit=100, collapse=True)
    assert plain.total == collapsed.total == 20
    assert collapsed.groups == 5 and len(collapsed.hits) == 5
    for hit in collapsed.hits:
        assert hit.source == "Outlet 0"  # the earliest copy is the one shown
        assert len(hit.copies) == 3
        members = [archive.get(i) for i in hit.copies]
        assert all(m is not None and m.title.startswith(hit.title.split(" as printed")[0]) for m in members)
        assert all(m.date > hit.date for m in members if m is not None)
    shown = {h.id for h in collapsed.hits} | {i for h in collapsed.hits for i in h.copies}
    assert shown == {h.id for h in plain.hits}
    data = collapsed.to_dict()
    assert data["groups"] == 5 and data["total"] == 20
    assert all(isinstance(h["copies"], list) for h in data["hits"])
    assert all(h["copies"] == [] for h in archive.search("local", limit=5).to_dict()["hits"])


def test_collapse_keeps_unrelated_articles_apart_and_pages_by_story(archive: Archive) -> None:
    found = archive.search("harbour OR council", collapse=True, limit=7)
    assert found.groups is not None and found.total >= found.groups
    pages = [archive.search("harbour OR council", collapse=True, limit=7, page=p) for p in range(1, found.pages + 1)]
    ids = [h.id for page in pages for h in page.hits]
    assert len(ids) == len(set(ids)) == found.groups
    result = CliRunner().invoke(main, ["search", "title:wire", "--collapse", "--index", str(archive.path)])
    assert result.exit_code == 0, result.output
    assert "4 copies: Outlet 0, Outlet 1, Outlet 2, Outlet 3" in result.output
    assert "20 articles (5 stories) matched" in result.output


# -- timeline -------------------------------------------------------------------------------


@pytest.mark.parametrize("by", ["day", "week", "month", "year"])
def test_timeline_counts_are_exact_and_empty_periods_are_zero(archive: Archive, by: str) -> None:
    found = archive.timeline("harbour OR council", by=by)
    total = archive.search("harbour OR council").total
    assert found.total == total == sum(n for _, n in found.periods) + found.undated
    assert found.undated == 1
    if by == "month":
        months = dict(found.periods)
        assert months["2020-06"] == 0
        expected = Counter(a.day.strftime("%Y-%m") for a in archive.export("harbour OR council") if a.day)
        assert {k: v for k, v in months.items() if v} == dict(expected)


def test_timeline_within_dates_and_by_source(archive: Archive) -> None:
    found = archive.timeline(None, by="month", since="2021-02", until="2021-04")
    assert [p for p, _ in found.periods] == ["2021-02", "2021-03", "2021-04"]
    assert sum(n for _, n in found.periods) == archive.search("", since="2021-02", until="2021-04").total
    per_source = archive.timeline(None, by="year", by_source=True)
    assert sum(sum(c) for _, c in per_source.series) + sum(n for _, n in per_source.undated) == len(archive)
    result = CliRunner().invoke(main, ["timeline", "glacier", "--by", "month", "--format", "json",
                                       "--index", str(archive.path)])
    data = json.loads(result.output)
    assert data["total"] == 8 and data["periods"] == [{"period": "2021-03", "count": 8}]
    bad = CliRunner().invoke(main, ["timeline", "x", "--by", "decade", "--index", str(archive.path)])
    assert bad.exit_code == 2


# -- significant terms ----------------------------------------------------------------------


def test_the_planted_topic_marks_its_month(archive: Archive) -> None:
    found = archive.terms(since="2021-03", until="2021-03")
    assert [t.term for t in found[:2]] == ["glacier", "iceberg"] or [t.term for t in found[:2]] == ["iceberg", "glacier"]
    assert found[0].inside == 8 and found[0].outside == 0
    result = CliRunner().invoke(main, ["terms", "--from", "2021-03", "--to", "2021-03", "--format", "json",
                                       "--index", str(archive.path)])
    data = json.loads(result.output)
    assert set(data["terms"][0]) == {"term", "in", "out", "score"}
    with pytest.raises(SearcherError):
        archive.terms()


# -- first appearance -----------------------------------------------------------------------


def test_first_appearance_is_exact_against_a_brute_force_scan(archive: Archive) -> None:
    for query in ("title:wire", "harbour", '"council budget"'):
        found = archive.first(query)
        earliest: Dict[str, Article] = {}
        for article in archive.export(query):
            if article.date is None:
                continue
            best = earliest.get(article.source)
            if best is None or (article.day, article.date, article.id) < (best.day, best.date, best.id):
                earliest[article.source] = article
        assert {r.source: r.id for r in found.sources} == {s: a.id for s, a in earliest.items()}
        assert found.first_day == min(a.day for a in earliest.values())
        dates = [r.date for r in found.sources]
        assert dates == sorted(dates)
    data = json.loads(CliRunner().invoke(main, ["first", "glacier", "--format", "json", "--index", str(archive.path)]).output)
    assert data["first_day"] == "2021-03-02" and data["sources"][0]["source"] == "Herald"


# -- recency and sorting --------------------------------------------------------------------


def test_recency_favours_recent_articles_and_date_sorts_keep_scores(archive: Archive) -> None:
    plain = archive.search("harbour", limit=1000)
    recent = archive.search("harbour", limit=1000, recency="90d")
    assert recent.total == plain.total
    plain_scores = {h.id: h.score for h in plain.hits}
    newest = max(h.date for h in plain.hits if h.date)
    for hit in recent.hits:
        factor = hit.score / plain_scores[hit.id]
        assert 0.1 <= factor <= 1.0 + 1e-9
        if hit.date == newest:
            assert factor == pytest.approx(1.0)
    by_date = archive.search("harbour", sort="newest", limit=1000)
    assert all(h.score == pytest.approx(plain_scores[h.id]) for h in by_date.hits)
    assert any(h.score > 0 for h in by_date.hits)
    with pytest.raises(SearcherError, match="half-life 'abc'"):
        archive.search("harbour", recency="abc")


# -- export ---------------------------------------------------------------------------------


def test_export_of_a_query_is_uncapped_stable_and_cites(archive: Archive) -> None:
    ids = set(_all_ids(archive, "harbour OR council OR budget"))
    exported = list(archive.export("harbour OR council OR budget"))
    assert {a.id for a in exported} == ids and len(exported) == len(ids)
    assert [a.id for a in exported] == [a.id for a in archive.export("harbour OR council OR budget")]
    dated = [a for a in exported if a.date]
    assert dated == sorted(dated, key=lambda a: (a.date, a.id)) and exported[-1].date is None
    result = CliRunner().invoke(main, ["export", "glacier", "--from", "2021", "--index", str(archive.path)])
    lines = [json.loads(line) for line in result.output.splitlines()]
    header, records = lines[0], lines[1:]
    assert header["query"] == "glacier" and header["since"].startswith("2021-01-01")
    assert header["articles"] == len(archive) and header["fingerprint"]
    assert len(records) == 8 and all("Herald" in r["citation"] and r["url"] in r["citation"] for r in records)
    as_csv = CliRunner().invoke(main, ["export", "glacier", "--format", "csv", "--index", str(archive.path)]).output
    first_line, rest = as_csv.split("\n", 1)
    assert read_csv_comment(first_line)["fingerprint"] == header["fingerprint"]
    assert len(list(csv.DictReader(io.StringIO(rest)))) == 8


def test_the_fingerprint_changes_with_the_content(tmp_path: Path) -> None:
    with Archive.open(tmp_path / "ix", create=True) as archive:
        archive.add([Article(title="One", body="First article.")])
        before = archive.export_header("article").fingerprint
        assert archive.export_header("article").fingerprint == before
        archive.add([Article(title="Two", body="Second article.")])
        assert archive.export_header("article").fingerprint != before
