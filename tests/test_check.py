"""Damaged or foreign indexes: `searcher check` and every command give a clear error and a
way to recover, never silently wrong results."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Tuple

import pytest
from click.testing import CliRunner

from searcher.archive import Archive
from searcher.article import Article
from searcher.engines.whoosh.check import check_index
from searcher.cli import main
from searcher.engines.whoosh.schema import KIND_ARTICLE, SCHEMA_VERSION
from tests.test_crash import COMMON, make_corpus

FIX = "re-create the index with `searcher index --rebuild --index {} PATH...`"


@pytest.fixture
def built(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Tuple[Path, Path]:
    """An index of 70 articles from 13 files, committed in several segments."""
    corpus = tmp_path / "corpus"
    make_corpus(corpus, jsonl_files=3, per_file=20, text_files=10)
    monkeypatch.setenv("SEARCHER_BATCH_ARTICLES", "15")
    index = tmp_path / "idx"
    with Archive.open(index, create=True) as archive:
        archive.index_paths([corpus])
    return corpus, index


def _cli(*args: str) -> "CliRunner":
    return CliRunner().invoke(main, list(args))  # type: ignore[return-value]


def test_healthy_index(built: Tuple[Path, Path]) -> None:
    _, index = built
    report = check_index(index)
    assert report.problems == []
    assert (report.articles, report.files) == (70, 13)
    assert report.parts >= 2
    result = _cli("check", "--index", str(index))
    assert result.exit_code == 0
    assert result.stdout == f"index {index}: 70 articles from 13 files in {report.parts} segments; healthy\n"
    assert json.loads(_cli("check", "--index", str(index), "--format", "json").stdout)["ok"] is True


def test_articles_added_by_the_library_need_no_marker(tmp_path: Path) -> None:
    with Archive.open(tmp_path / "idx", create=True) as archive:
        archive.add([Article(title="Loose", body="An article from no file.")])
    report = check_index(tmp_path / "idx")
    assert report.problems == [] and report.articles == 1 and report.files == 0


def test_truncated_segment(built: Tuple[Path, Path]) -> None:
    corpus, index = built
    biggest = max(index.glob("*.seg"), key=lambda p: p.stat().st_size)
    biggest.write_bytes(biggest.read_bytes()[: biggest.stat().st_size // 2])
    report = check_index(index)
    assert report.problems == [f"segment {biggest.stem} is damaged (EOFError: Ran out of input); " + FIX.format(index)]
    result = _cli("check", "--index", str(index))
    assert result.exit_code == 1
    assert result.stderr.splitlines()[-1] == "problem: " + report.problems[0]
    for command in (["search", COMMON], ["stats"], ["export"], ["index", str(corpus)]):
        out = _cli(*command, "--index", str(index))
        assert out.exit_code == 1, command
        assert out.stderr == f"Error: index '{index}' cannot be read (EOFError); run `searcher check --index {index}`\n"
        assert out.stdout == ""
    # The advice works.
    assert _cli("index", str(corpus), "--index", str(index), "--rebuild", "--quiet").exit_code == 0
    assert check_index(index).ok
    with Archive.open(index) as archive:
        assert len(archive) == 70


def test_stored_fields_damaged_inside_a_segment(built: Tuple[Path, Path]) -> None:
    """Damage that opening cannot see (the middle of the stored articles) surfaces when an
    article is read: one line naming `searcher check`, from the library and every command."""
    from searcher.errors import IndexCorrupt

    corpus, index = built
    with Archive.open(index) as archive:
        reader, _ = archive.engine.search_view().reader().leaf_readers()[0]
        parts = reader._storage.a._dir  # the segment's compound file: name -> offset, length
        name = next(n for n in parts if n.endswith("._stored.col"))
        seg = index / (name.split(".")[0] + ".seg")
        where = parts[name]["offset"] + parts[name]["length"] // 2
    data = bytearray(seg.read_bytes())
    data[where : where + 64] = b"\xff" * 64
    seg.write_bytes(bytes(data))
    with Archive.open(index) as archive:
        with pytest.raises(IndexCorrupt):
            list(archive.export())
        # A search whose hits include the damaged article says so in one line.
        for text in (COMMON, "-zzzzq"):
            with pytest.raises(IndexCorrupt, match=f"run `searcher check --index {index}`"):
                archive.search(text, limit=1000)
    out = _cli("export", "--index", str(index))
    assert out.exit_code == 1
    assert out.stderr.splitlines()[-1] == f"Error: index '{index}' cannot be read (error); run `searcher check --index {index}`"
    assert "Traceback" not in out.stderr
    assert not check_index(index).ok  # ... and the check it names finds the damage


def test_folder_that_is_not_an_index(tmp_path: Path) -> None:
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "todo.txt").write_text("milk")
    message = f"no index at '{folder}'; run `searcher index PATH --index {folder}` first"
    assert check_index(folder).problems == [message]
    for command in (["check"], ["search", "milk"], ["stats"]):
        out = _cli(*command, "--index", str(folder))
        assert out.exit_code == 1
        assert out.stderr.splitlines()[-1] in (f"Error: {message}", f"problem: {message}")
    # Indexing into it refuses to mix an index with the user's files.
    out = _cli("index", str(folder), "--index", str(folder))
    assert out.exit_code == 1
    assert out.stderr == (
        f"Error: '{folder}' is not empty and holds no searcher index; name an empty or new folder with --index\n"
    )
    assert sorted(p.name for p in folder.iterdir()) == ["todo.txt"]


def test_index_of_another_schema_version(built: Tuple[Path, Path]) -> None:
    _, index = built
    (index / "searcher.json").write_text(json.dumps({"schema_version": SCHEMA_VERSION + 1}))
    message = (
        f"index '{index}' was made by a newer searcher (schema {SCHEMA_VERSION + 1}, this is {SCHEMA_VERSION}); "
        f"run `searcher index --rebuild --index {index} PATH`"
    )
    assert check_index(index).problems == [message]
    out = _cli("search", COMMON, "--index", str(index))
    assert (out.exit_code, out.stderr, out.stdout) == (1, f"Error: {message}\n", "")


def test_index_without_its_note(built: Tuple[Path, Path]) -> None:
    _, index = built
    (index / "searcher.json").unlink()
    message = f"index '{index}' was not made by this searcher; run `searcher index --rebuild --index {index} PATH`"
    assert check_index(index).problems == [message]
    out = _cli("stats", "--index", str(index))
    assert (out.exit_code, out.stderr) == (1, f"Error: {message}\n")


def test_a_file_instead_of_a_folder(tmp_path: Path) -> None:
    (tmp_path / "idx").write_text("x")
    assert check_index(tmp_path / "idx").problems == [
        f"'{tmp_path / 'idx'}' is a file, not an index folder; name a folder with --index"
    ]


def _raw_add(index: Path, **fields: object) -> None:
    from whoosh import index as whoosh_index

    ix = whoosh_index.open_dir(str(index))
    with ix.writer() as writer:
        writer.add_document(**fields)
    ix.close()


def test_bookkeeping_problems(built: Tuple[Path, Path]) -> None:
    corpus, index = built
    some_file = str((corpus / "text" / "n0000.txt").resolve())
    _raw_add(index, id="orphan1", kind=KIND_ARTICLE, title="Orphan", body="x", path="/nowhere/lost.txt", hash="h1")
    with Archive.open(index) as archive:
        victim = next(a.id for a in archive.export() if a.path == some_file)
    _raw_add(index, id=victim, kind=KIND_ARTICLE, title="Twin", body="y", path=some_file, hash="h2")
    report = check_index(index)
    assert report.problems == [
        f"1 article ids are stored more than once (first: {victim}); " + FIX.format(index),
        "1 files have articles but no marker, so a run was cut short (first: /nowhere/lost.txt); "
        "run `searcher index` on the same paths again to finish them",
        f"1 files hold a different number of articles than their marker records "
        f"(first: {some_file}: 2 stored, marker says 1); " + FIX.format(index),
    ]
    assert report.articles == 72
    assert _cli("check", "--index", str(index)).exit_code == 1
