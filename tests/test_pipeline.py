"""Large files are read in parts: memory stays flat, results stay exact, failures stay safe."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from searcher import Archive, SourceError
from searcher import indexing, pipeline


def _jsonl(path: Path, n: int, start: int = 0) -> Path:
    rows = [
        {"title": f"Story {i}", "text": f"Reporters covered event number {i} about harbour dredging {i * 7}.",
         "url": f"https://example.org/{i}", "date": "2020-01-02"}
        for i in range(start, start + n)
    ]
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def small_parts(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(indexing, "CHUNK_ARTICLES", 3)
    monkeypatch.setattr(pipeline, "STREAM_BYTES", 200)


@pytest.mark.parametrize("workers", ["0", "2"])
def test_a_large_file_in_parts_ends_exact(tmp_path: Path, small_parts: None, monkeypatch: pytest.MonkeyPatch, workers: str) -> None:
    monkeypatch.setenv("SEARCHER_WORKERS", workers)
    news = tmp_path / "news"
    news.mkdir()
    _jsonl(news / "big.jsonl", 10)
    _jsonl(news / "other.jsonl", 4, start=100)
    with Archive.open(tmp_path / "ix", create=True) as archive:
        report = archive.index_paths([news])
        assert (report.files_read, report.added, report.duplicates) == (2, 14, 0)
        assert sorted(int(a.title.split()[1]) for a in archive.export()) == list(range(10)) + list(range(100, 104))
        assert all(a.keywords for a in archive.export())
        again = archive.index_paths([news])
        assert (again.files_unchanged, again.unchanged, again.added) == (2, 14, 0)
        # A changed large file replaces its articles exactly.
        _jsonl(news / "big.jsonl", 7, start=50)
        changed = archive.index_paths([news])
        assert (changed.files_read, changed.added, changed.removed) == (1, 7, 10)
        assert len(archive) == 11


def test_a_file_failing_half_way_gets_no_marker_and_is_read_again(tmp_path: Path, small_parts: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SEARCHER_WORKERS", "0")
    news = tmp_path / "news"
    news.mkdir()
    _jsonl(news / "big.jsonl", 10)
    import searcher.sources as sources

    real = sources.read_file

    def breaks_after_four(path, **kw):
        for n, item in enumerate(real(path, **kw)):
            if n == 4:
                raise SourceError("disk error half way")
            yield item

    monkeypatch.setattr(sources, "read_file", breaks_after_four)
    with Archive.open(tmp_path / "ix", create=True) as archive:
        report = archive.index_paths([news])
        assert report.files_failed == 1 and report.failures[0].reason == "disk error half way"
        assert report.added == 3  # the first part of 3 was written, without a marker
    monkeypatch.setattr(sources, "read_file", real)
    with Archive.open(tmp_path / "ix") as archive:
        report = archive.index_paths([news])
        assert (report.files_read, report.files_unchanged) == (1, 0)
        assert len(archive) == 10
        assert sorted(a.title for a in archive.export()) == sorted(f"Story {i}" for i in range(10))


def _index_state(folder: Path) -> tuple:
    """Everything a search reads: postings (with positions), stored fields, field lengths."""
    from whoosh import index as whoosh_index

    ix = whoosh_index.open_dir(str(folder))
    with ix.reader() as r:
        docs = list(r.iter_docs())
        lengths = [
            (d, name, r.doc_field_length(d, name))
            for d, _ in docs for name in ("title", "body", "keywords", "source", "url", "author")
        ]
        return list(r.iter_postings()), docs, lengths, sorted(r.all_doc_ids())


def test_postings_analysed_by_workers_equal_the_writers_own(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Reader processes analyse the articles they read (``fastindex.PREANALYSED``); the index
    must be the one the writer makes alone, also when the indexer skips duplicates inside a
    part and commits between parts."""
    corpus_dir = Path(__file__).resolve().parent.parent / "corpus"
    news = tmp_path / "news"
    (news / "text").mkdir(parents=True)
    for path in sorted((corpus_dir / "text").rglob("*.txt"))[:12]:
        (news / "text" / path.name).write_bytes(path.read_bytes())
    _jsonl(news / "a.jsonl", 9)
    rows = (news / "a.jsonl").read_text(encoding="utf-8").splitlines()
    # b.jsonl repeats rows of a.jsonl (duplicates across files) and of itself (inside a part)
    (news / "b.jsonl").write_text("\n".join([rows[2], rows[7]] + _jsonl(tmp_path / "c.jsonl", 5, 50).read_text().splitlines() + [rows[2]]) + "\n")
    monkeypatch.setattr(indexing, "CHUNK_ARTICLES", 3)
    monkeypatch.setattr(pipeline, "STREAM_BYTES", 200)
    monkeypatch.setenv("SEARCHER_BATCH_ARTICLES", "7")
    states = []
    for workers in ("0", "2"):
        monkeypatch.setenv("SEARCHER_WORKERS", workers)
        with Archive.open(tmp_path / f"ix{workers}", create=True) as archive:
            report = archive.index_paths([news])
        assert report.duplicates == 3 and report.files_failed == 0
        states.append(_index_state(tmp_path / f"ix{workers}"))
    assert states[0] == states[1]


def _children(pid: int) -> list:
    """The pids whose parent is ``pid`` (from /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def _alive(pid: int) -> bool:
    """Whether ``pid`` runs (a zombie waiting to be reaped has ended)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc (Linux)")
def test_workers_end_silently_when_the_indexer_is_killed(tmp_path: Path) -> None:
    """``kill -9`` of `searcher index` while its workers hold read-ahead work: they used to
    finish it and print a BrokenPipeError traceback each when handing it back. Now they end
    with the indexer, at once and without a word."""
    import signal
    import subprocess
    import sys
    import time

    news = tmp_path / "news"
    news.mkdir()
    for f in range(40):
        rows = [{"title": f"Story {f} {i}", "text": f"harbour dredging council {i} " * 60} for i in range(150)]
        (news / f"f{f:02d}.jsonl").write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    repo = Path(__file__).resolve().parents[1]
    env = dict(os.environ, PYTHONPATH=str(repo), SEARCHER_WORKERS="2")
    with open(tmp_path / "stderr.txt", "wb") as err:
        proc = subprocess.Popen([sys.executable, "-m", "searcher", "index", str(news), "--index", str(tmp_path / "ix")],
                                stdout=subprocess.DEVNULL, stderr=err, env=env)
        workers: list = []
        deadline = time.monotonic() + 60
        while len(workers) < 2 and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.05)
            workers = _children(proc.pid)
        time.sleep(0.5)  # the workers are reading ahead
        assert proc.poll() is None and len(workers) == 2, "the run ended before it could be killed"
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        deadline = time.monotonic() + 60
        while any(_alive(w) for w in workers) and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.5)  # a traceback would be written by now
    assert not any(_alive(w) for w in workers)
    assert (tmp_path / "stderr.txt").read_text(errors="replace") == ""
