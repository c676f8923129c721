"""Concurrency: readers beside a writer, two writers on one index, locks left by dead runs.

* Searches from other processes while `searcher index` commits batch after batch all
  succeed, and every state they see is a whole commit (a count the run can commit), never
  going down.
* A second writer waits up to ``--wait`` seconds, then fails with exit 1 and a message
  naming the other process by pid.
* A lock left by a killed process never blocks (the kernel drops fcntl locks of dead
  processes) and its stale ``writer.json`` note never names the dead process.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from itertools import accumulate
from pathlib import Path
from typing import Dict, List, Set, Tuple

import pytest

from searcher.archive import Archive
from searcher.engines.whoosh.locking import holder
from tests.test_crash import COMMON, REPO, make_corpus

ENV = dict(os.environ, PYTHONPATH=str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", ""))

_READER = """
import json, sys, time
from searcher.archive import Archive
index, total, limit = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
deadline = time.monotonic() + limit
archive = Archive.open(index)
n = 0
while time.monotonic() < deadline:
    n += 1
    if n % 5 == 0:  # sometimes a fresh open, as a new CLI process would
        archive.close()
        archive = Archive.open(index)
    count = len(archive)
    found = archive.search(sys.argv[4], limit=3, snippets=1, timeout=30).total
    print(json.dumps([count, found]), flush=True)
    if count == total and found == total:
        break
archive.close()
"""

# Holds the write lock as a writer would (note included) until killed.
_HOLDER = """
import sys, time
from pathlib import Path
from searcher.archive import Archive
from searcher.engines.whoosh.locking import WriteLock
archive = Archive.open(sys.argv[1])
lock = WriteLock(Path(sys.argv[1]), wait=0)
print("locked", flush=True)
time.sleep(float(sys.argv[2]))
lock.release()
print("released", flush=True)
"""


def _python(code: str, *args: str) -> "subprocess.Popen[str]":
    return subprocess.Popen(
        [sys.executable, "-c", code, *args], env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def _searcher(*args: str, timeout: float = 120) -> "subprocess.CompletedProcess[str]":
    return subprocess.run(
        [sys.executable, "-m", "searcher", *args], env=ENV, capture_output=True, text=True, timeout=timeout
    )


def _start_holder(index: Path, seconds: float) -> "subprocess.Popen[str]":
    proc = _python(_HOLDER, str(index), str(seconds))
    assert proc.stdout is not None
    assert proc.stdout.readline() == "locked\n", proc.stderr.read() if proc.stderr else ""
    return proc


@pytest.fixture
def small_index(tmp_path: Path) -> Tuple[Path, Path]:
    corpus = tmp_path / "corpus"
    make_corpus(corpus, jsonl_files=2, per_file=5, text_files=5)
    index = tmp_path / "idx"
    Archive.open(index, create=True).close()
    return corpus, index


def test_searches_during_an_index_run_see_only_whole_commits(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    expected = make_corpus(corpus, jsonl_files=8, per_file=40, text_files=80)
    total = sum(len(ids) for ids in expected.values())
    assert total == 400
    # Files are read in sorted order and commits fall between files, so a committed
    # state holds the first k files: one of these counts.
    possible = {0, *accumulate(len(expected[p]) for p in sorted(expected))}
    index = tmp_path / "idx"
    Archive.open(index, create=True).close()

    env = dict(ENV, SEARCHER_BATCH_ARTICLES="50")
    writer = subprocess.Popen(
        [sys.executable, "-m", "searcher", "index", str(corpus), "--index", str(index), "--quiet"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    readers = [_python(_READER, str(index), str(total), "120", COMMON)]
    cli_totals: List[int] = []
    while writer.poll() is None:
        done = _searcher("search", COMMON, "--index", str(index), "--format", "json", "--limit", "1")
        assert done.returncode == 0, done.stderr
        assert done.stderr == ""
        cli_totals.append(json.loads(done.stdout)["total"])
    _, err = writer.communicate()
    assert writer.returncode == 0, err
    seen: Set[int] = set(cli_totals)
    for reader in readers:
        out, err = reader.communicate(timeout=120)
        assert reader.returncode == 0, err
        assert err == ""
        rows = [json.loads(line) for line in out.splitlines()]
        counts = [c for c, _ in rows]
        totals = [t for _, t in rows]
        assert counts == sorted(counts), counts
        assert totals == sorted(totals), totals
        assert rows[-1] == [total, total]
        assert set(counts) <= possible, sorted(set(counts) - possible)
        assert set(totals) <= possible, sorted(set(totals) - possible)
        seen |= set(counts)
    assert cli_totals == sorted(cli_totals), cli_totals
    assert set(cli_totals) <= possible
    # The readers really ran beside the writer: they saw commits in between.
    assert len(seen - {0, total}) >= 2, sorted(seen)


def test_second_writer_waits_then_fails_naming_the_other_process(small_index: Tuple[Path, Path]) -> None:
    corpus, index = small_index
    holder_proc = _start_holder(index, 60)
    try:
        started = time.monotonic()
        done = _searcher("index", str(corpus), "--index", str(index), "--wait", "1.5")
        waited = time.monotonic() - started
    finally:
        holder_proc.kill()
        holder_proc.communicate()
    assert done.returncode == 1
    assert waited >= 1.5
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith(f"Error: index '{index}' is being written by process {holder_proc.pid} (")
    assert lines[0].endswith("; wait for it to finish or pass --wait SECONDS")
    with Archive.open(index) as archive:
        assert len(archive) == 0  # the waiting run wrote nothing


def test_second_writer_proceeds_when_the_first_finishes_within_wait(small_index: Tuple[Path, Path]) -> None:
    corpus, index = small_index
    holder_proc = _start_holder(index, 1.0)
    try:
        done = _searcher("index", str(corpus), "--index", str(index), "--wait", "30", "--quiet")
    finally:
        out, _ = holder_proc.communicate(timeout=30)
    assert out == "released\n"
    assert done.returncode == 0, done.stderr
    with Archive.open(index) as archive:
        assert len(archive) == 15


def test_lock_of_a_killed_writer_is_cleared(small_index: Tuple[Path, Path]) -> None:
    corpus, index = small_index
    holder_proc = _start_holder(index, 60)
    note = json.loads((index / "writer.json").read_text())
    assert note["pid"] == holder_proc.pid
    holder_proc.send_signal(signal.SIGKILL)
    holder_proc.communicate()
    # The dead writer's note is still there, and is recognised as stale.
    assert (index / "writer.json").exists()
    assert holder(index) is None
    done = _searcher("index", str(corpus), "--index", str(index), "--quiet")
    assert done.returncode == 0, done.stderr
    assert not (index / "writer.json").exists()
    with Archive.open(index) as archive:
        assert len(archive) == 15


def test_stale_note_never_names_a_dead_process(small_index: Tuple[Path, Path]) -> None:
    """A live writer that has not written its note yet, beside a dead writer's note: the
    message must not blame the dead pid."""
    corpus, index = small_index
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    dead_pid = int(dead.stdout)
    import socket

    (index / "writer.json").write_text(
        json.dumps({"pid": dead_pid, "host": socket.gethostname(), "command": "searcher index old", "started": 0})
    )
    code = (
        "import sys, time\nfrom whoosh import index\n"
        "lock = index.open_dir(sys.argv[1]).lock('WRITELOCK')\nassert lock.acquire(False)\n"
        "print('locked', flush=True)\ntime.sleep(60)\n"
    )
    bare = _python(code, str(index))
    try:
        assert bare.stdout is not None and bare.stdout.readline() == "locked\n"
        done = _searcher("index", str(corpus), "--index", str(index))
    finally:
        bare.kill()
        bare.communicate()
    assert done.returncode == 1
    assert done.stderr == (
        f"Error: index '{index}' is being written by another process; "
        "wait for it to finish or pass --wait SECONDS\n"
    )
    assert str(dead_pid) not in done.stderr


def test_rebuild_waits_for_the_writer_too(small_index: Tuple[Path, Path]) -> None:
    corpus, index = small_index
    assert _searcher("index", str(corpus), "--index", str(index), "--quiet").returncode == 0
    holder_proc = _start_holder(index, 60)
    try:
        done = _searcher("index", str(corpus), "--index", str(index), "--rebuild", "--wait", "0.5")
    finally:
        holder_proc.kill()
        holder_proc.communicate()
    assert done.returncode == 1
    assert f"process {holder_proc.pid}" in done.stderr
    with Archive.open(index) as archive:
        assert len(archive) == 15  # nothing was emptied from under the writer


def test_open_tries_again_when_a_commit_removes_the_file_being_read(small_index: Tuple[Path, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    """A writer's commit deletes the table of contents it replaces; an open that listed the
    old one a moment before reads the new one instead of failing."""
    from searcher.engines.whoosh import engine as archive_module

    real = archive_module.whoosh_index.open_dir
    failures = iter([FileNotFoundError("_MAIN_0.toc"), FileNotFoundError("_MAIN_1.toc")])

    def flaky(folder: str, *args: object, **kwargs: object) -> object:
        for exc in failures:
            raise exc
        return real(folder, *args, **kwargs)

    monkeypatch.setattr(archive_module.whoosh_index, "open_dir", flaky)
    _, index = small_index
    with Archive.open(index) as archive:
        assert len(archive) == 0
