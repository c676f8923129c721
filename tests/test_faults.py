"""Faults outside searcher's control: damaged files, a full or read-only disk, concurrent
first runs, a reader while a writer commits. Each must end in one line naming the fix (or
a correct answer), keep what was committed, and let the next run complete."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
import threading
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Iterator, List, Tuple

import pytest
from click.testing import CliRunner

from searcher.archive import Archive
from searcher.article import Article
from searcher.cli import main
from searcher.engines.whoosh.check import check_index
from searcher.errors import IndexCorrupt, IndexLocked, SearcherError
from tests.test_crash import COMMON, REPO, check_state, make_corpus

FIX = "re-create the index with `searcher index --rebuild --index {} PATH...`"


def _cli(*args: str) -> "CliRunner":
    return CliRunner().invoke(main, list(args))  # type: ignore[return-value]


def _damaged_line(index: Path) -> str:
    return f"run `searcher check --index {index}`"


@pytest.fixture
def built(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Tuple[Path, Path, dict]:
    """An index of 70 articles from 13 files in several segments, and what it holds."""
    corpus = tmp_path / "corpus"
    expected = make_corpus(corpus, jsonl_files=3, per_file=20, text_files=10)
    monkeypatch.setenv("SEARCHER_BATCH_ARTICLES", "15")
    index = tmp_path / "idx"
    with Archive.open(index, create=True) as archive:
        archive.index_paths([corpus])
    return corpus, index, expected


# -- damage inside a segment ---------------------------------------------------------------


def _reads(archive: Archive, ids: List[str]) -> List[Callable[[], object]]:
    """Every kind of read a command makes, one callable each."""
    reads: List[Callable[[], object]] = [
        lambda q=query: archive.search(q, limit=1000, snippets=1, timeout=None)  # type: ignore[misc]
        for query in (COMMON, "harbour OR council", "harb* -river", '"storm vaccine"', "budgett~1", "crashwrd")
    ]
    reads += [lambda: list(archive.export()), archive.stats, lambda: len(archive),
              lambda: [archive.show(i, query="harb*") for i in ids]]
    return reads


def _parts_at(segment: Path, at: int, length: int) -> List[str]:
    """The files inside a compound segment that bytes ``at`` to ``at + length`` fall in."""
    from whoosh.filedb.compound import CompoundStorage
    from whoosh.filedb.filestore import FileStorage

    try:
        inner = CompoundStorage(FileStorage(str(segment.parent)).open_file(segment.name), use_mmap=False)
        return sorted(n for n, i in inner._dir.items() if i["offset"] < at + length and at < i["offset"] + i["length"])
    except Exception as exc:  # the damage may be in the directory itself
        return [f"(directory unreadable: {type(exc).__name__})"]


def test_check_reads_every_block_and_damage_never_crashes_a_command(built: Tuple[Path, Path, dict],
                                                                    tmp_path: Path) -> None:
    """Bytes inverted anywhere in the largest segment: `check` names the segment, and every
    reading command gives an answer or the one-line damage error, never a traceback (the
    first check read the first terms of each field only, and a search then died with
    UnicodeDecodeError). Without checksums a read may not notice damage (a term the
    damaged hash table no longer finds); `check` does."""
    _, index, _ = built
    queries = (COMMON, "harbour OR council", "harb* -river", '"storm vaccine"', "budgett~1")
    with Archive.open(index) as archive:
        ids = [a.id for a in archive.export()][::10]
        truth = {q: sorted(h.id for h in archive.search(q, limit=1000, snippets=0)) for q in queries}
    biggest = max(index.glob("*.seg"), key=lambda p: p.stat().st_size)
    size = biggest.stat().st_size
    met = 0
    for n in range(1, 12):
        copy = tmp_path / f"damaged{n}"
        shutil.copytree(index, copy)
        target = copy / biggest.name
        data = bytearray(target.read_bytes())
        at = size * n // 12
        data[at : at + 200] = bytes(b ^ 0xFF for b in data[at : at + 200])
        target.write_bytes(bytes(data))
        report = check_index(copy)
        if report.ok:
            # Damage check cannot see (free slots of the term file's hash table, which no
            # read consults): then it changes no answer either.
            assert _parts_at(target, at, 200) and all(p.endswith(".trm") for p in _parts_at(target, at, 200))
            with Archive.open(copy) as archive:
                for q in queries:
                    assert sorted(h.id for h in archive.search(q, limit=1000, snippets=0)) == truth[q], (at, q)
            continue
        assert len(report.problems) == 1, (at, _parts_at(target, at, 200), report.problems)
        assert report.problems[0].startswith(f"segment {biggest.stem} is damaged ("), report.problems
        assert report.problems[0].endswith(FIX.format(copy))
        try:
            archive = Archive.open(copy)
        except IndexCorrupt as exc:  # the damage is in what opening reads
            assert str(exc).endswith(_damaged_line(copy))
            met += 1
            continue
        with archive:
            for read in _reads(archive, ids):
                try:
                    read()
                except IndexCorrupt as exc:  # anything else fails the test
                    assert str(exc).endswith(_damaged_line(copy))
                    met += 1
        for command in (["search", COMMON, "-n", "100"], ["search", "harb*"], ["stats"], ["export"]):
            out = _cli(*command, "--index", str(copy))
            assert out.exit_code in (0, 1), (at, command, out.output)
            if out.exit_code:
                line = out.stderr.splitlines()
                assert len(line) == 1 and line[0].startswith(f"Error: index '{copy}' cannot be read ("), out.stderr
                assert line[0].endswith(_damaged_line(copy))
    # The damage was met by the reading commands, not only by check. (Damage inside the
    # signature column is invisible to reads, which never compare it with the body: only
    # check does, so fewer positions are met than are damaged.)
    assert met >= 3


def test_the_check_of_a_healthy_archive_finds_nothing(built: Tuple[Path, Path, dict]) -> None:
    _, index, _ = built
    report = check_index(index)
    assert report.ok and report.articles == 70 and report.parts >= 2


# -- a damaged table of contents -----------------------------------------------------------


def test_truncated_table_of_contents(built: Tuple[Path, Path, dict]) -> None:
    """Every command gives the one-line error (they died with UnpicklingError), and
    `index --rebuild` recovers whatever state the folder is in."""
    corpus, index, expected = built
    toc = next(index.glob("_MAIN_*.toc"))
    for cut in (0.9, 0.5, 0.05):
        shutil.copy(toc, toc.with_suffix(".bak"))
        toc.write_bytes(toc.with_suffix(".bak").read_bytes()[: int(toc.stat().st_size * cut)])
        for command in (["search", COMMON], ["stats"], ["show", "x"], ["export"], ["index", str(corpus)]):
            out = _cli(*command, "--index", str(index))
            assert out.exit_code == 1, (cut, command, out.output)
            assert out.stderr.startswith(f"Error: index '{index}' cannot be read (")
            assert out.stderr.endswith(f"{_damaged_line(index)}\n") and out.stderr.count("\n") == 1
        assert not check_index(index).ok
        shutil.move(toc.with_suffix(".bak"), toc)
    toc.write_bytes(toc.read_bytes()[:40])
    out = _cli("index", str(corpus), "--index", str(index), "--rebuild", "--quiet")
    assert (out.exit_code, out.output) == (0, "")
    assert check_index(index).ok
    assert check_state(index, expected) == 70


def test_rebuild_of_a_broken_folder_waits_for_the_writer(built: Tuple[Path, Path, dict]) -> None:
    """The lock is taken through the folder, so a running writer still keeps a rebuild
    out when the old index cannot even be opened."""
    from searcher.engines.whoosh.locking import WriteLock

    corpus, index, _ = built
    toc = next(index.glob("_MAIN_*.toc"))
    toc.write_bytes(toc.read_bytes()[:40])
    lock = WriteLock(index, wait=0)
    try:
        with pytest.raises(IndexLocked, match="is being written by process"):
            Archive.rebuild(index)
        assert toc.exists()  # nothing was deleted
    finally:
        lock.release()
    with Archive.rebuild(index) as archive:
        assert len(archive) == 0


# -- stats ---------------------------------------------------------------------------------


def test_stats_with_an_undated_first_segment(tmp_path: Path) -> None:
    """A first segment with undated articles only has no date column; `stats`, the date
    sorts and export read the next segment's dates right (stats said the index was damaged)."""
    index = tmp_path / "idx"
    with Archive.open(index, create=True) as archive:
        archive.add([Article(title=f"Undated {i}", body=f"plain story number {i}", url=f"u{i}") for i in range(3)])
        archive.add([Article(title=f"Dated {i}", body=f"dated story number {i}", url=f"d{i}",
                             date=datetime(2020, 1, 1 + i, tzinfo=timezone.utc), source="Wire")
                     for i in range(3)])
    with Archive.open(index) as archive:
        assert len(archive.engine.search_view().reader().leaf_readers()) == 2
        stats = archive.stats()
        assert (stats.articles, stats.undated, stats.per_year) == (6, 3, ((2020, 3),))
        assert (stats.first_date.day, stats.last_date.day) == (1, 3)  # type: ignore[union-attr]
        assert dict(stats.top_sources) == {"Wire": 3, "(unknown)": 3}
        newest = [h.title for h in archive.search("story", sort="newest")]
        assert newest == ["Dated 2", "Dated 1", "Dated 0", "Undated 0", "Undated 1", "Undated 2"]
        assert {a.title: a.date for a in archive.export()}["Dated 1"] == datetime(2020, 1, 2, tzinfo=timezone.utc)
    assert check_index(index).ok
    out = _cli("stats", "--index", str(index))
    assert out.exit_code == 0, out.output


def test_stats_while_an_indexer_commits(tmp_path: Path) -> None:
    """`stats` run again and again while `searcher index` commits small batches, undated
    articles first, never fails (it said the index was damaged most of the time)."""
    corpus = tmp_path / "corpus"
    make_corpus(corpus, jsonl_files=4, per_file=100, text_files=20)
    (corpus / "a-undated").mkdir()
    for n in range(30):
        (corpus / "a-undated" / f"u{n:03d}.txt").write_text(f"title: Undated {n}\n\n{COMMON} note without a date {n}\n")
    index = tmp_path / "idx"
    Archive.open(index, create=True).close()
    env = dict(os.environ, SEARCHER_BATCH_ARTICLES="10", PYTHONPATH=str(REPO))
    proc = subprocess.Popen([sys.executable, "-m", "searcher", "index", str(corpus), "--index", str(index), "--quiet"],
                            env=env, stderr=subprocess.PIPE, text=True)
    rounds = seen_growth = 0
    last = -1
    try:
        while proc.poll() is None:
            with Archive.open(index) as archive:
                stats = archive.stats()
            rounds += 1
            seen_growth += stats.articles > last >= 0
            last = stats.articles
    finally:
        _, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    assert rounds > 3 and seen_growth > 0  # stats really ran while the index grew
    with Archive.open(index) as archive:
        stats = archive.stats()
    assert (stats.articles, stats.undated) == (4 * 100 + 20 + 30, 30)


# -- a full or read-only file system ---------------------------------------------------------


@contextlib.contextmanager
def _tmpfs(where: Path, size: str) -> Iterator[Path]:
    """A tmpfs of ``size`` mounted at ``where`` for the test, always unmounted after."""
    where.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(where)],
                          capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs to fill or make read-only ({done.stderr.strip() or 'not permitted'}); "
                    "needs root or CAP_SYS_ADMIN")
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], capture_output=True)


def _remount(where: Path, options: str) -> None:
    subprocess.run(["mount", "-o", f"remount,{options}", str(where)], check=True, capture_output=True)


def _run_index(corpus: Path, index: Path, batch: int = 40) -> subprocess.CompletedProcess:
    env = dict(os.environ, SEARCHER_BATCH_ARTICLES=str(batch), PYTHONPATH=str(REPO))
    return subprocess.run([sys.executable, "-m", "searcher", "index", str(corpus), "--index", str(index), "--quiet"],
                          env=env, capture_output=True, text=True, timeout=300)


def _leftovers(index: Path) -> List[str]:
    """Files no committed table of contents refers to."""
    with Archive.open(index) as archive:
        live = {s.segment_id() for s in archive.engine.ix._segments()}
        gen = archive.engine.ix.latest_generation()
    keep = {"MAIN_WRITELOCK", "searcher.json", f"_MAIN_{gen}.toc"}
    return sorted(p.name for p in index.iterdir() if p.name not in keep and p.name.split(".")[0] not in live)


def test_disk_full_keeps_committed_batches_and_cleans_up(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    expected = make_corpus(corpus, jsonl_files=8, per_file=200, text_files=10)
    with _tmpfs(tmp_path / "small", "1m") as mount:
        index = mount / "idx"
        done = _run_index(corpus, index)
        assert done.returncode == 1, done.stderr
        assert done.stderr == (
            f"Error: cannot write to index '{index}': No space left on device; free some disk space, then run again "
            "(every batch committed before is kept)\n"
        )
        kept = check_state(index, expected)  # whole committed batches only
        assert kept > 0
        assert _leftovers(index) == []  # the failed batch's files are gone
        _remount(mount, "size=64m")
        done = _run_index(corpus, index)
        assert (done.returncode, done.stderr) == (0, "")
        assert check_state(index, expected) == sum(len(ids) for ids in expected.values())
        assert check_index(index).ok


def test_leftovers_of_a_failed_run_are_removed_by_the_next(built: Tuple[Path, Path, dict]) -> None:
    """Files a killed or failed commit left (an uncommitted segment, Whoosh's temporary
    folder, a half-written table of contents) are removed when the next writer starts."""
    corpus, index, expected = built
    (index / "MAIN.tmp").mkdir()
    (index / "MAIN.tmp" / "pool.ctmp").write_bytes(b"x" * 1000)
    (index / "MAIN_0123456789abcdef.pst").write_bytes(b"x" * 1000)
    (index / "_MAIN_99.toc.1700000000.5").write_bytes(b"x")
    assert len(_leftovers(index)) == 3
    assert _cli("index", str(corpus), "--index", str(index), "--quiet").exit_code == 0
    assert _leftovers(index) == []
    assert check_state(index, expected) == 70


def test_read_only_folder(built: Tuple[Path, Path, dict], tmp_path: Path) -> None:
    corpus, _, expected = built
    with _tmpfs(tmp_path / "ro", "16m") as mount:
        index = mount / "idx"
        assert _run_index(corpus, index).returncode == 0
        _remount(mount, "ro")
        message = (f"Error: cannot write to index '{index}': Read-only file system; make the folder writable or "
                   "name another one with --index, then run again (every batch committed before is kept)\n")
        for extra in ([], ["--rebuild"]):
            out = _cli("index", str(corpus), "--index", str(index), "--quiet", *extra)
            assert (out.exit_code, out.stderr) == (1, message)
        assert _cli("search", COMMON, "--index", str(index)).exit_code == 0
        assert check_state(index, expected) == 70
        _remount(mount, "rw")


# -- concurrent first runs -------------------------------------------------------------------


def test_two_first_runs_on_a_new_folder(tmp_path: Path) -> None:
    """Two writers started together on a folder that does not exist yet both succeed (one
    failed with "No such file or directory" when the other created the index over it, or
    took the other's new files for a stranger's)."""
    for attempt in range(20):
        folder = tmp_path / f"new{attempt}" / "idx"
        barrier = threading.Barrier(2)
        errors: List[BaseException] = []

        def first_run(n: int) -> None:
            barrier.wait()
            try:
                with Archive.open(folder, create=True) as archive:
                    archive.add([Article(title=f"First {n}", body=f"first run number {n}", url=f"u{n}")], wait=30)
            except BaseException as exc:  # noqa: BLE001  (reported by the assert below)
                errors.append(exc)

        threads = [threading.Thread(target=first_run, args=(n,)) for n in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert errors == [], attempt
        with Archive.open(folder) as archive:
            assert len(archive) == 2


def test_a_first_run_never_takes_over_a_folder_of_user_files(tmp_path: Path) -> None:
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "todo.txt").write_text("milk")
    for make in (lambda: Archive.open(folder, create=True), lambda: Archive.rebuild(folder)):
        with pytest.raises(SearcherError, match="is not empty and holds no searcher index"):
            make()
        assert [p.name for p in folder.iterdir()] == ["todo.txt"]


_HOLDER_WITH_WORKER = """
import multiprocessing, sys, time
from pathlib import Path
from searcher.engines.whoosh.locking import WriteLock
lock = WriteLock(Path(sys.argv[1]), wait=0)
worker = multiprocessing.get_context("fork").Process(target=time.sleep, args=(60,))
worker.start()
print(worker.pid, flush=True)
time.sleep(60)
"""


def test_a_killed_writers_workers_do_not_keep_the_lock(tmp_path: Path) -> None:
    """A forked worker that outlives its SIGKILLed parent leaves the folder unlocked (it
    kept the parent's lock file open, and the next run said another process was writing)."""
    import signal

    index = tmp_path / "idx"
    Archive.open(index, create=True).close()
    holder = subprocess.Popen([sys.executable, "-c", _HOLDER_WITH_WORKER, str(index)], stdout=subprocess.PIPE,
                              text=True, env=dict(os.environ, PYTHONPATH=str(REPO)))
    worker = int(holder.stdout.readline())  # type: ignore[union-attr]
    try:
        with Archive.open(index) as archive, pytest.raises(IndexLocked):
            archive.add([Article(title="t", body="b", url="u")])
        holder.send_signal(signal.SIGKILL)
        holder.wait()
        os.kill(worker, 0)  # the worker is still alive ...
        with Archive.open(index) as archive:  # ... and the folder is free (the worker sleeps
            # 60 s: a short wait covers only the kernel's clean-up of the killed holder)
            archive.add([Article(title="t", body="b", url="u")], wait=3)
            assert len(archive) == 1
    finally:
        holder.kill()
        holder.wait()
        with contextlib.suppress(ProcessLookupError):
            os.kill(worker, signal.SIGKILL)
