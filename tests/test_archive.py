"""The Archive: incremental indexing, duplicates, pruning, rebuilds, locks and reading back."""

from __future__ import annotations

import json
import os
from datetime import datetime, timezone
from pathlib import Path

import pytest

from searcher import Archive, Article, IndexLocked, IndexNotFound, IndexVersionMismatch, SearcherError
from searcher.engines.whoosh.locking import WriteLock
from tests.conftest import write_article

BODIES = {
    "a.txt": ("Missiles over the sea", "2023-08-31", "North Korea fired two ballistic missiles into the sea on Wednesday."),
    "b.txt": ("Rates held", "2023-07-15", "The central bank kept interest rates unchanged for a third month."),
    "c.txt": ("Harvest report", "", "Farmers reported a strong wheat harvest across the northern plains."),
}


@pytest.fixture
def news(make_articles):
    return make_articles(BODIES)


def _index(tmp_path: Path, *paths: Path, **kw):
    with Archive.open(tmp_path / "ix", create=True) as archive:
        return archive.index_paths(list(paths), **kw)


def test_first_run_adds_every_article_and_counts_undated(tmp_path, news):
    report = _index(tmp_path, news)
    assert (report.files_read, report.added, report.undated, report.files_failed) == (3, 3, 1, 0)
    with Archive.open(tmp_path / "ix") as archive:
        assert len(archive) == 3
        titles = sorted(a.title for a in archive.export())
        assert titles == ["Harvest report", "Missiles over the sea", "Rates held"]


def test_rerun_reads_nothing_and_adds_nothing(tmp_path, news):
    _index(tmp_path, news)
    report = _index(tmp_path, news)
    assert (report.files_read, report.files_unchanged, report.added, report.unchanged) == (0, 3, 0, 3)
    with Archive.open(tmp_path / "ix") as archive:
        assert len(archive) == 3


def test_changed_file_is_reindexed_as_updated(tmp_path, news):
    _index(tmp_path, news)
    write_article(news, "b.txt", title="Rates raised", date="2023-07-16", body="The central bank raised interest rates.")
    report = _index(tmp_path, news)
    assert (report.files_read, report.updated, report.added, report.unchanged) == (1, 1, 0, 2)
    with Archive.open(tmp_path / "ix") as archive:
        assert len(archive) == 3
        assert sorted(a.title for a in archive.export())[2] == "Rates raised"


def test_touched_but_identical_file_counts_unchanged(tmp_path, news):
    _index(tmp_path, news)
    os.utime(news / "a.txt", ns=(1, 1))
    report = _index(tmp_path, news)
    assert (report.files_read, report.unchanged, report.added, report.updated) == (1, 3, 0, 0)


def test_exact_duplicate_bodies_are_stored_once(tmp_path, news):
    copy = news / "copy-of-a.txt"
    copy.write_text((news / "a.txt").read_text(encoding="utf-8").replace("Missiles", "Rockets", 1), encoding="utf-8")
    report = _index(tmp_path, news)
    assert (report.added, report.duplicates) == (3, 1)
    # ... and on a later run the duplicate is still not added.
    report = _index(tmp_path, news)
    assert (report.added, report.duplicates) == (0, 0)
    with Archive.open(tmp_path / "ix") as archive:
        assert len(archive) == 3


def test_prune_removes_articles_of_deleted_files_only_when_asked(tmp_path, news):
    _index(tmp_path, news)
    (news / "c.txt").unlink()
    report = _index(tmp_path, news)
    assert report.removed == 0
    with Archive.open(tmp_path / "ix") as archive:
        assert len(archive) == 3
    report = _index(tmp_path, news, prune=True)
    assert report.removed == 1
    with Archive.open(tmp_path / "ix") as archive:
        assert len(archive) == 2


def test_unreadable_file_is_reported_and_its_old_articles_kept(tmp_path, news):
    _index(tmp_path, news)
    (news / "a.txt").write_bytes(b"\x00\x01\x02binary\x00" * 100)
    (news / "junk.html").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00")
    report = _index(tmp_path, news)
    failed = sorted(Path(p.path).name for p in report.failures)
    assert failed == ["a.txt", "junk.html"]
    assert report.files_failed == 2
    with Archive.open(tmp_path / "ix") as archive:
        assert len(archive) == 3
        assert any(a.title == "Missiles over the sea" for a in archive.export())


def test_rebuild_starts_afresh(tmp_path, news):
    _index(tmp_path, news)
    (news / "c.txt").unlink()
    with Archive.rebuild(tmp_path / "ix") as archive:
        assert len(archive) == 0
        report = archive.index_paths([news])
        assert report.added == 2


def test_missing_index_names_the_fix(tmp_path):
    with pytest.raises(IndexNotFound, match=r"searcher index PATH"):
        Archive.open(tmp_path / "nothing")


def test_folder_that_is_not_an_index_is_not_touched(tmp_path):
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "notes.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(IndexNotFound, match="holds no searcher index"):
        Archive.open(tmp_path / "docs", create=True)
    with pytest.raises(IndexNotFound):
        Archive.rebuild(tmp_path / "docs")
    assert (tmp_path / "docs" / "notes.txt").read_text(encoding="utf-8") == "mine"


def test_other_schema_version_names_rebuild(tmp_path, news):
    _index(tmp_path, news)
    meta = tmp_path / "ix" / "searcher.json"
    meta.write_text(json.dumps({"schema_version": 0}), encoding="utf-8")
    with pytest.raises(IndexVersionMismatch, match=r"older searcher .*--rebuild"):
        Archive.open(tmp_path / "ix")


def test_second_writer_is_refused_naming_the_first(tmp_path, news):
    _index(tmp_path, news)
    with Archive.open(tmp_path / "ix") as archive:
        lock = WriteLock(archive.path, wait=0)
        try:
            with pytest.raises(IndexLocked, match=rf"process {os.getpid()} .*--wait"):
                archive.index_paths([news], wait=0.3)
        finally:
            lock.release()
        # Released: the next run goes through.
        assert archive.index_paths([news]).files_unchanged == 3


def test_library_add_get_and_replace(tmp_path):
    when = datetime(2020, 5, 1, 12, 30, tzinfo=timezone.utc)
    article = Article(title="Hello", body="A short article about volcanoes in Iceland.", date=when, url="https://example.org/a")
    with Archive.open(tmp_path / "ix", create=True) as archive:
        report = archive.add([article])
        assert report.added == 1
        stored = list(archive.export())
        assert len(stored) == 1 and stored[0].date == when and stored[0].keywords
        got = archive.get(stored[0].id)
        assert got is not None and got.title == "Hello" and got.url == "https://example.org/a"
        report = archive.add([Article(title="Hello again", body="Volcanoes erupted.", url="https://example.org/a")])
        assert (report.added, report.updated) == (0, 1)
        assert len(archive) == 1 and archive.get(stored[0].id).title == "Hello again"
        assert archive.get("no-such-id") is None


def test_stats(tmp_path, news):
    _index(tmp_path, news)
    with Archive.open(tmp_path / "ix") as archive:
        stats = archive.stats()
    assert stats.articles == 3 and stats.undated == 1 and stats.files == 3
    assert stats.per_year == ((2023, 2),)
    assert stats.first_date == datetime(2023, 7, 15, tzinfo=timezone.utc)
    assert stats.last_date == datetime(2023, 8, 31, tzinfo=timezone.utc)
    assert stats.size_bytes > 0


def test_date_sorts_put_undated_articles_last(tmp_path, make_articles):
    news = make_articles({
        "old.txt": ("Old flood", "2001-03-04", "A flood hit the valley."),
        "new.txt": ("New flood", "2022-10-11", "Another flood hit the valley."),
        "none.txt": ("Undated flood", "", "A flood without a date hit the valley."),
    })
    _index(tmp_path, news)
    with Archive.open(tmp_path / "ix") as archive:
        newest = [h.title for h in archive.search("flood", sort="newest")]
        oldest = [h.title for h in archive.search("flood", sort="oldest")]
        assert newest == ["New flood", "Old flood", "Undated flood"]
        assert oldest == ["Old flood", "New flood", "Undated flood"]
        page2 = archive.search("flood", sort="newest", limit=2, page=2)
        assert [h.title for h in page2] == ["Undated flood"] and page2.total == 3


def test_an_index_written_before_the_engine_seam_still_opens(tmp_path: Path) -> None:
    """``tests/data/whoosh-index-schema4`` was written by the first round's layout (its table
    of contents pickles ``searcher.schema`` and ``searcher.codec`` names)."""
    import shutil

    folder = tmp_path / "old"
    shutil.copytree(Path(__file__).parent / "data" / "whoosh-index-schema4", folder)
    with Archive.open(folder) as archive:
        assert len(archive) == 3
        found = archive.search("missile")
        assert [h.title for h in found] == ["Missile test in North Korea"]
        assert found.hits[0].snippets[0].highlights
        assert archive.search('"interest rates"').total == 1
        assert archive.search("rocket*").total == 1
        assert archive.stats().undated == 1
        archive.add([Article(title="New", body="A new missile article.")])
        assert archive.search("missile").total == 2


def test_date_filters_and_display_use_the_publications_own_day(tmp_path: Path) -> None:
    """"November 19, 2019, 07:47 PM EST" is 00:47 UTC on the 20th: it is found, shown and
    counted on the 19th, while JSON keeps the exact instant."""
    from click.testing import CliRunner

    from searcher.cli import main

    instant = datetime(2019, 11, 20, 0, 47, tzinfo=timezone.utc)
    with Archive.open(tmp_path / "ix", create=True) as archive:
        archive.add([Article(title="Evening vote", body="The council voted late.", date=instant, utc_offset=-300,
                             url="https://e.test/evening"),
                     Article(title="Morning vote", body="The council voted early.", url="https://e.test/morning",
                             date=datetime(2019, 11, 20, 9, 0, tzinfo=timezone.utc))])
        on_19 = archive.search("council", since="2019-11-19", until="2019-11-19")
        assert [h.title for h in on_19] == ["Evening vote"]
        assert on_19.hits[0].date == instant and on_19.hits[0].day.isoformat() == "2019-11-19"
        assert [h.title for h in archive.search("council", since="2019-11-20", until="2019-11-20")] == ["Morning vote"]
        assert [h.title for h in archive.search("council", sort="oldest")] == ["Evening vote", "Morning vote"]
        assert dict(archive.timeline("council", by="day").periods) == {"2019-11-19": 1, "2019-11-20": 1}
        assert archive.get(on_19.hits[0].id).utc_offset == -300
    result = CliRunner().invoke(main, ["search", "evening", "--format", "json", "--index", str(tmp_path / "ix")])
    hit = json.loads(result.output)["hits"][0]
    assert hit["date"] == "2019-11-20T00:47:00Z" and hit["day"] == "2019-11-19"
    text = CliRunner().invoke(main, ["search", "evening", "--color", "never", "--index", str(tmp_path / "ix")]).output
    assert "2019-11-19" in text


def test_an_empty_path_is_refused_by_the_library_too(tmp_path: Path) -> None:
    with Archive.open(tmp_path / "ix", create=True) as archive:
        with pytest.raises(SearcherError, match="empty path"):
            archive.index_paths([""])
        assert len(archive) == 0


def test_newest_is_the_stats_last_date(tmp_path: Path) -> None:
    with Archive.open(tmp_path / "ix", create=True) as archive:
        assert archive.engine.newest() is None
        archive.add([Article(title=f"A{n}", body=f"Body {n}.", url=f"https://e.test/{n}",
                             date=datetime(2020, 1, 1 + n, tzinfo=timezone.utc)) for n in range(5)])
        archive.add([Article(title="Undated", body="No date.", url="https://e.test/u")])
        assert archive.engine.newest() == archive.stats().last_date == datetime(2020, 1, 5, tzinfo=timezone.utc)
        archive.delete([archive.search("A4").hits[0].id])
        assert archive.engine.newest() == archive.stats().last_date == datetime(2020, 1, 4, tzinfo=timezone.utc)
