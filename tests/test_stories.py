"""Stories assigned at index time (``searcher.stories``) on every engine.

The corpus: the shipped ``corpus/`` plus planted wire copies (edited copies of shipped
articles, copies of copies, and a "bridge" article made of two unrelated stories, which
links them into one). The stories an archive keeps must be exactly the connected sets
``analytics.neardup.components`` computes over the whole archive, whatever the indexing
order, batch size, number of worker processes or concurrent writers, and after deletes
and replacements that split or merge stories. They are read through a collapsed search
that matches every article (``-ZZNOWORD``), so each group of the results is a story.
"""

from __future__ import annotations

import json
import random
import threading
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any, FrozenSet, Iterator, List, Set

import pytest

from searcher.analytics.neardup import components, signature
from searcher.archive import Archive
from searcher.article import Article

from tests.conftest import REPO

EVERY = "-zznowordqq"  # matches every article
ALL = 100_000


def _shipped() -> List[Article]:
    """The shipped corpus's articles as the archive keeps them (ids and all)."""
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        with Archive.open(Path(folder) / "ix", create=True) as archive:
            archive.index_paths([REPO / "corpus"])
            return [replace(a, signature=None) for a in archive.export()]


def _edited(body: str, rng: random.Random, words: List[str]) -> str:
    sentences = [s for s in body.replace("\n", " ").split(". ") if s.strip()]
    rng.shuffle(sentences)
    out = " ".join(sentences).split()
    for i in rng.sample(range(len(out)), len(out) // 15):
        out[i] = rng.choice(words)
    return " ".join(out) + " Reporting by our correspondent."


def _planted() -> List[Article]:
    """The shipped articles, wire copies of twelve of them (1-3 each, some copies of a
    copy), and one bridge made of two originals' whole bodies."""
    rng = random.Random(7)
    shipped = _shipped()
    long = sorted((a for a in shipped if len(a.body.split()) >= 150), key=lambda a: a.id)
    words = sorted({w for a in long[:20] for w in a.body.split()})
    originals = rng.sample(long, 12)
    copies: List[Article] = []
    for n, original in enumerate(originals):
        previous = original
        for c in range(rng.randint(1, 3)):
            base = previous if c and rng.random() < 0.5 else original
            copy = Article(title=f"Copy {n}.{c}: {original.title}", body=_edited(base.body, rng, words),
                           date=original.date + timedelta(hours=6 * (c + 1)) if original.date else None,
                           source=f"Wire outlet {c}", url=f"https://copies.test/{n}/{c}")
            copies.append(copy.finish())
            previous = copy
    # The bridge is the whole of two originals of near equal length, so that its Jaccard
    # similarity to each is about 1/2, well past the 0.3 threshold, whatever the bodies are.
    a, b = min(((x, y) for i, x in enumerate(originals[:6]) for y in originals[i + 1:6]),
               key=lambda pair: abs(len(pair[0].body) - len(pair[1].body)))
    bridge = Article(title="Bridge", body=a.body + "\n\n" + b.body, date=max(a.date, b.date) if a.date and b.date
                     else (a.date or b.date), source="Bridge Post", url="https://copies.test/bridge").finish()
    return shipped + copies + [bridge]


@pytest.fixture(scope="module")
def planted() -> List[Article]:
    return _planted()


def _expected(articles: List[Article]) -> Set[FrozenSet[str]]:
    """The stories of two or more: ``neardup.components`` over the whole archive."""
    rows = [(a.id, a.date, a.source, signature(a.body)) for a in articles]
    return {frozenset(rows[i][0] for i in group) for group in components(rows)}


def _stories(archive: Archive) -> Set[FrozenSet[str]]:
    found = archive.search(EVERY, collapse=True, limit=ALL, snippets=0, timeout=None)
    assert found.total == len(archive)
    assert sum(1 + len(h.copies) for h in found.hits) == found.total and len(found.hits) == found.groups
    return {frozenset((h.id, *h.copies)) for h in found.hits if h.copies}


@pytest.fixture(params=["whoosh", "postgresql"])
def location(request: Any, tmp_path: Path) -> Iterator[str]:
    if request.param == "whoosh":
        yield str(tmp_path / "ix")
    else:
        yield request.getfixturevalue("pg_url")


def test_the_planted_corpus_has_merged_and_chained_stories(planted: List[Article]) -> None:
    expected = _expected(planted)
    bridge = next(a.id for a in planted if a.title == "Bridge")
    assert len(expected) >= 10 and max(len(s) for s in expected) >= 5
    assert any(bridge in s for s in expected)
    assert len(_expected([a for a in planted if a.id != bridge])) == len(expected) + 1  # it joins two


def test_stories_are_the_components_whatever_the_order_and_batches(location: str, planted: List[Article],
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    expected = _expected(planted)
    with Archive.open(location, create=True) as archive:
        archive.add(planted)
        assert _stories(archive) == expected
    rebuilt = Archive.rebuild(location)
    monkeypatch.setenv("SEARCHER_BATCH_ARTICLES", "7")  # many commits, in the reverse order
    with rebuilt as archive:
        archive.add(list(reversed(planted)))
        assert _stories(archive) == expected


def test_stories_from_files_read_by_worker_processes(location: str, planted: List[Article], tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "files"
    folder.mkdir()
    rng = random.Random(3)
    shuffled = planted[:]
    rng.shuffle(shuffled)
    for f in range(6):
        lines = [json.dumps({"id": a.id, "title": a.title, "text": a.body, "source": a.source, "url": a.url,
                             "publish_date": a.date.isoformat() if a.date else ""}) for a in shuffled[f::6]]
        (folder / f"part-{f}.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    monkeypatch.setenv("SEARCHER_WORKERS", "2")
    monkeypatch.setenv("SEARCHER_BATCH_ARTICLES", "40")
    with Archive.open(location, create=True) as archive:
        report = archive.index_paths([folder])
        assert report.added == len(planted)
        kept = list(archive.export())
        assert _stories(archive) == _expected(kept)
        assert len(_stories(archive)) == len(_expected(planted))


def test_deletes_and_replacements_split_and_merge_stories(location: str, planted: List[Article]) -> None:
    bridge = next(a for a in planted if a.title == "Bridge")
    with Archive.open(location, create=True) as archive:
        archive.add(planted)
        archive.delete([bridge.id])  # the two stories it held together split
        left = [a for a in planted if a.id != bridge.id]
        assert _stories(archive) == _expected(left)
        # A copy rewritten to say something else leaves its story (a chain may split).
        story = max(_expected(left), key=len)
        member = next(a for a in left if a.id in story and a.title.startswith("Copy"))
        changed = replace(member, body="An unrelated note about the weather at the coast. " * 3, content_hash="")
        archive.add([changed])
        now = [changed if a.id == member.id else a for a in left]
        assert _stories(archive) == _expected(now)
        # An unrelated article replaced by the bridge's text joins the two stories again.
        loner = next(a for a in now if not any(a.id in s for s in _expected(now)) and a.date is not None)
        merged = replace(loner, body=bridge.body, content_hash="")
        archive.add([merged])
        final = [merged if a.id == loner.id else a for a in now]
        assert _stories(archive) == _expected(final)
        assert any(loner.id in s for s in _expected(final))


def test_two_postgresql_indexers_at_once_find_every_link(pg_url: str, planted: List[Article]) -> None:
    """Each writer indexes every other article (so copies are split between them), in
    small batches; the story step of one waits for the other's commit."""
    Archive.open(pg_url, create=True).close()
    errors: List[BaseException] = []

    def run(part: List[Article]) -> None:
        try:
            with Archive.open(pg_url) as archive:
                for start in range(0, len(part), 9):
                    archive.add(part[start:start + 9])
        except BaseException as exc:  # pragma: no cover (reported below)
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(planted[i::2],)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    with Archive.open(pg_url) as archive:
        assert _stories(archive) == _expected(planted)


def test_collapsed_searches_agree_on_both_engines(tmp_path: Path, pg_url: str, planted: List[Article]) -> None:
    queries = ["reporting correspondent", "copy", "said", "government OR minister", "said date:[2017 TO 2018]",
               "title:copy", '"prime minister"', EVERY]
    opened = {"whoosh": Archive.open(tmp_path / "ix", create=True), "postgresql": Archive.open(pg_url, create=True)}
    try:
        for archive in opened.values():
            archive.add(planted)
        for query in queries:
            found = {}
            for name, archive in opened.items():
                whole = archive.search(query, collapse=True, limit=ALL, snippets=0, timeout=None)
                pages = []
                for sort in ("newest", "oldest"):
                    first = archive.search(query, collapse=True, limit=3, sort=sort, snippets=0, timeout=None)
                    pages.append([(h.id, h.copies) for h in first.hits])
                found[name] = (whole.total, whole.groups, sorted((h.id, h.copies) for h in whole.hits), pages)
                assert whole.hint == ""
            assert found["whoosh"] == found["postgresql"], query
            assert found["whoosh"][1] < found["whoosh"][0] or query != "title:copy"
    finally:
        for archive in opened.values():
            archive.close()


def test_collapsed_pages_rank_stories_by_their_best_match(tmp_path: Path, planted: List[Article]) -> None:
    with Archive.open(tmp_path / "ix", create=True) as archive:
        archive.add(planted)
        for sort in ("relevance", "newest", "oldest"):
            whole = archive.search("said", collapse=True, limit=ALL, snippets=0, sort=sort, timeout=None)
            paged = [h for p in range(1, 4)
                     for h in archive.search("said", collapse=True, limit=5, page=p, snippets=0, sort=sort).hits]
            assert [(h.id, h.copies) for h in paged] == [(h.id, h.copies) for h in whole.hits[:15]]
            plain = archive.search("said", limit=ALL, snippets=0, sort=sort, timeout=None)
            story_of = {i: h.id for h in whole.hits for i in (h.id, *h.copies)}
            if sort == "relevance":
                key = lambda h: (-h.score, h.id)  # noqa: E731
            else:
                sign = -1 if sort == "newest" else 1
                key = lambda h: (h.date is None, sign * h.date.timestamp() if h.date else 0, h.id)  # noqa: E731
            order: List[str] = []
            for hit in sorted(plain.hits, key=key):  # stories in the order of their best-placed match
                if story_of[hit.id] not in order:
                    order.append(story_of[hit.id])
            assert [h.id for h in whole.hits] == order
            for hit in whole.hits:
                members = [archive.get(i) for i in (hit.id, *hit.copies)]
                assert hit.id == min(members, key=lambda a: (a.date is None, a.date, a.id)).id


def _old_whoosh(folder: Path, articles: List[Article], monkeypatch: pytest.MonkeyPatch) -> None:
    """A schema-5 Whoosh index (no story fields), as the previous version wrote it."""
    from whoosh import fields

    import searcher.engines.whoosh.engine as engine_module
    from searcher.engines.whoosh.schema import make_schema

    def schema_5() -> fields.Schema:
        schema = make_schema()
        for name in ("ikey", "skey", "member", "story"):
            schema.remove(name)
        return schema

    with monkeypatch.context() as patch:
        patch.setattr(engine_module, "make_schema", schema_5)
        patch.setattr(engine_module, "SCHEMA_VERSION", 5)
        with Archive.open(folder, create=True) as archive:
            archive.add(articles)


def _old_postgres(url: str, articles: List[Article]) -> None:
    """A schema-2 PostgreSQL archive (no story tables), as the previous version made it."""
    import psycopg

    with Archive.open(url, create=True):
        pass
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("DROP TABLE searcher.stories, searcher.bands")
        conn.execute("ALTER TABLE searcher.docs DROP COLUMN signature")
        conn.execute("UPDATE searcher.meta SET value = '2' WHERE key = 'schema_version'")
    with Archive.open(url) as archive:
        archive.add(articles)


@pytest.mark.parametrize("engine", ["whoosh", "postgresql"])
def test_old_archives_without_stories_still_collapse_exactly(engine: str, tmp_path: Path, planted: List[Article],
                                                             monkeypatch: pytest.MonkeyPatch, request: Any) -> None:
    from click.testing import CliRunner

    from searcher.analytics.neardup import group
    from searcher.cli import main

    if engine == "whoosh":
        location = str(tmp_path / "old")
        _old_whoosh(Path(location), planted[:-1], monkeypatch)
    else:
        location = request.getfixturevalue("pg_url")
        _old_postgres(location, planted[:-1])
    with Archive.open(location) as archive:
        assert archive.engine.collapsed(archive._request(archive.parse("copy"))) is None
        found = archive.search("copy OR said", collapse=True, limit=ALL, snippets=0, timeout=None)
        assert "--rebuild" in found.hint
        rows = [(m.id, m.date, m.source, m.signature) for m in
                archive.engine.matches(archive._request(archive.parse("copy OR said")), signatures=True)]
        assert {frozenset((h.id, *h.copies)) for h in found.hits} == {frozenset(r.id for r in g.members)
                                                                     for g in group(rows)}
        assert found.total == len(rows) and found.groups < found.total
        archive.add([planted[-1]])  # an old archive takes new articles, still without stories
        assert len(archive) == len(planted)
    result = CliRunner().invoke(main, ["search", "copy", "--collapse", "--index", location], catch_exceptions=False)
    assert result.exit_code == 0 and "stories)" in result.output

