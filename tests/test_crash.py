"""Crash safety: `searcher index` killed with SIGKILL at many points never damages the index.

A corpus of a few thousand small articles (JSONL files and text files) is indexed with tiny
batches (``SEARCHER_BATCH_ARTICLES``) so that a run makes many commits. The run is killed
again and again, at random delays from a fixed seed and right after the index folder
changes (a commit or merge in progress), and after every kill the index must:

* open, count and search without an error;
* hold only whole committed batches: every article belongs to a file with a marker, every
  marked file has exactly its articles, no article id twice;

and the next run resumes, so that the chain ends with exactly the expected articles.

``benchmarks/crash_soak.py`` runs the same chain longer, with more kill points.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional, Set, Tuple

import pytest

from searcher.archive import Archive
from searcher.article import make_id
from searcher.engines.whoosh.schema import KIND_FILE

REPO = Path(__file__).resolve().parents[1]
WORDS = "harbour council budget river storm vaccine election market school railway bridge".split()
#: Every article body holds this word, so one search must find every article.
COMMON = "crashword"


def make_corpus(
    root: Path, *, jsonl_files: int, per_file: int, text_files: int, seed: int = 5
) -> Dict[str, Set[str]]:
    """Write the corpus under ``root``; return {absolute file path: ids of its articles}."""
    rng = random.Random(seed)
    expected: Dict[str, Set[str]] = {}
    (root / "jsonl").mkdir(parents=True)
    (root / "text").mkdir()
    n = 0
    for f in range(jsonl_files):
        path = (root / "jsonl" / f"feed{f:03d}.jsonl").resolve()
        ids = set()
        with path.open("w", encoding="utf-8") as out:
            for _ in range(per_file):
                url = f"https://news.example/{n}"
                body = f"{COMMON} article {n} " + " ".join(rng.choice(WORDS) for _ in range(12))
                row = {"title": f"Story {n}", "text": body, "date": f"2023-{1 + n % 12:02d}-{1 + n % 28:02d}", "url": url}
                out.write(json.dumps(row) + "\n")
                ids.add(make_id(url=url, path=str(path), position=0))
                n += 1
        expected[str(path)] = ids
    for f in range(text_files):
        path = (root / "text" / f"n{f:04d}.txt").resolve()
        body = f"{COMMON} note {n} " + " ".join(rng.choice(WORDS) for _ in range(12))
        path.write_text(f"title: Note {n}\ndate: 2022-05-{1 + f % 28:02d}\n\n{body}\n", encoding="utf-8")
        expected[str(path)] = {make_id(url="", path=str(path), position=0)}
        n += 1
    return expected


def check_state(index: Path, expected: Dict[str, Set[str]]) -> int:
    """Assert the index is whole and consistent; return how many articles it holds."""
    with Archive.open(index) as archive:
        reader = archive.engine.search_view().reader()
        markers: Dict[str, int] = {}
        by_path: Dict[str, List[str]] = {}
        members: Set[str] = set()
        for _, fields in reader.iter_docs():
            if "id" in fields:
                by_path.setdefault(fields["path"], []).append(fields["id"])
            elif "member" in fields:  # a story document (schema 6): one per member of a story
                assert fields["member"] not in members, f"two story documents for {fields['member']}"
                members.add(fields["member"])
            else:
                assert fields.get("filesig"), fields
                assert fields["path"] not in markers, f"two markers for {fields['path']}"
                markers[fields["path"]] = int(fields["position"])
        ids = [i for group in by_path.values() for i in group]
        assert len(ids) == len(set(ids)), Counter(ids).most_common(3)
        assert members <= set(ids), sorted(members - set(ids))[:3]  # no story document outlives its article
        # Only whole committed files: no article without its file's marker...
        assert set(by_path) <= set(markers), sorted(set(by_path) - set(markers))[:3]
        # ... and every marked file holds exactly its articles.
        for path, kept in markers.items():
            assert set(by_path.get(path, ())) == expected[path], path
            assert kept == len(expected[path]), path
        count = len(archive)
        assert count == len(ids)
        assert archive.stats().files == len(markers)
        found = archive.search(COMMON, limit=1, snippets=0, timeout=30)
        assert found.total == count
        if count:
            assert archive.get(found.hits[0].id) is not None
    return count


@dataclass
class ChainReport:
    kills_tried: int = 0
    killed_running: int = 0  # the process was still running when SIGKILL arrived
    survived: int = 0  # the index checked out after the kill
    counts: List[int] = field(default_factory=list)
    triggers: Counter = field(default_factory=Counter)
    runs_to_finish: int = 0
    seconds: float = 0.0


def _index_command(corpus: Path, index: Path) -> List[str]:
    return [sys.executable, "-m", "searcher", "index", str(corpus), "--index", str(index), "--quiet"]


def _env(batch: int) -> Dict[str, str]:
    env = dict(os.environ)
    env["SEARCHER_BATCH_ARTICLES"] = str(batch)
    env["PYTHONPATH"] = str(REPO) + os.pathsep + env.get("PYTHONPATH", "")
    return env


def _wait_for(index: Path, proc: "subprocess.Popen[bytes]", suffix: str, count: int, limit: float) -> bool:
    """Poll the index folder until ``count`` new files ending in ``suffix`` have appeared:
    ``.seg`` when a commit has written its segment (the TOC comes next), ``.toc`` when a
    commit is done."""
    def names() -> Set[str]:
        try:
            return {n for n in os.listdir(index) if n.endswith(suffix)}
        except OSError:
            return set()

    seen = names()
    new: Set[str] = set()
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline and proc.poll() is None:
        current = names()
        new |= current - seen
        seen |= current
        if len(new) >= count:
            return True
        time.sleep(0.002)
    return False


#: Ways of choosing the moment to kill, used in turn.
TRIGGERS = ("random delay", "segment written", "commit done")


def kill_chain(
    corpus: Path,
    index: Path,
    expected: Dict[str, Set[str]],
    *,
    kills: int,
    seed: int,
    batch: int = 100,
    max_delay: float = 3.0,
) -> ChainReport:
    """Kill `searcher index` ``kills`` times, checking the index after each kill, then let
    one run finish and check that it holds exactly the expected articles."""
    rng = random.Random(seed)
    report = ChainReport()
    started = time.monotonic()
    env = _env(batch)
    total = sum(len(ids) for ids in expected.values())
    for attempt in range(kills):
        proc = subprocess.Popen(_index_command(corpus, index), env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        try:
            trigger = TRIGGERS[attempt % len(TRIGGERS)]
            if trigger == "random delay":
                time.sleep(rng.uniform(0.3, max_delay))
            elif trigger == "segment written":
                # Between the segment and the TOC that publishes it, or in the clean-up after.
                if not _wait_for(index, proc, ".seg", rng.randint(1, 2), limit=max_delay * 5):
                    trigger += " (timed out)"
                time.sleep(rng.uniform(0, 0.03))
            else:
                if not _wait_for(index, proc, ".toc", rng.randint(1, 2), limit=max_delay * 5):
                    trigger += " (timed out)"
            report.triggers[trigger] += 1
            running = proc.poll() is None
            proc.send_signal(signal.SIGKILL)
            proc.wait()
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        report.kills_tried += 1
        if running:
            assert proc.returncode == -signal.SIGKILL
            report.killed_running += 1
        else:
            assert proc.returncode == 0, proc.stderr.read().decode() if proc.stderr else ""
        proc.stderr.close()  # type: ignore[union-attr]
        if index.exists() and (index / "searcher.json").exists():
            count = check_state(index, expected)
        else:
            count = 0  # killed before the index was created: a later run creates it
        report.survived += 1
        report.counts.append(count)
        if count == total:
            break
    report.runs_to_finish = 1
    done = subprocess.run(_index_command(corpus, index), env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    assert check_state(index, expected) == total
    with Archive.open(index) as archive:
        ids = [a.id for a in archive.export()]
    assert len(ids) == total
    assert set(ids) == set().union(*expected.values())
    report.seconds = time.monotonic() - started
    return report


@pytest.fixture
def corpus(tmp_path: Path) -> Tuple[Path, Dict[str, Set[str]]]:
    root = tmp_path / "corpus"
    return root, make_corpus(root, jsonl_files=24, per_file=50, text_files=300, seed=5)


def test_corpus_is_what_the_checks_expect(corpus: Tuple[Path, Dict[str, Set[str]]]) -> None:
    root, expected = corpus
    assert len(expected) == 324
    assert sum(len(ids) for ids in expected.values()) == 1500
    assert len(set().union(*expected.values())) == 1500


def test_check_state_catches_a_file_without_all_its_articles(
    tmp_path: Path, corpus: Tuple[Path, Dict[str, Set[str]]]
) -> None:
    """The check is not vacuous: a marked file that lost an article fails it."""
    root, expected = corpus
    one = {p: ids for p, ids in expected.items() if p.endswith("feed000.jsonl")}
    index = tmp_path / "idx"
    with Archive.open(index, create=True) as archive:
        archive.index_paths([root / "jsonl" / "feed000.jsonl"])
    assert check_state(index, one) == 50
    victim = sorted(one[next(iter(one))])[0]
    with Archive.open(index) as archive:
        assert archive.delete([victim]).removed == 1
    with pytest.raises(AssertionError):
        check_state(index, one)


def test_sigkill_at_many_points_never_damages_the_index(tmp_path: Path) -> None:
    # Twice the other tests' corpus: on a fast machine, nine interrupted runs of 1,500
    # articles could finish the job before the ninth kill, and the chain would prove less.
    root = tmp_path / "corpus"
    expected = make_corpus(root, jsonl_files=48, per_file=50, text_files=600, seed=5)
    report = kill_chain(root, tmp_path / "idx", expected, kills=9, seed=11, batch=120, max_delay=0.8)
    assert report.survived == report.kills_tried
    # The chain must really have interrupted runs, and they must have made progress.
    assert report.killed_running >= 6, report
    assert report.triggers["random delay"] >= 2, report
    assert report.triggers["segment written"] >= 2, report
    assert report.triggers["commit done"] >= 2, report
    assert report.counts == sorted(report.counts), report.counts
    assert len(set(report.counts)) >= 3, report.counts


def test_kill_between_creating_the_index_and_its_note_leaves_an_index_that_opens(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A run killed while creating a new index must not leave a folder that later runs
    refuse as "not made by this searcher"."""
    import whoosh.index

    real_create = whoosh.index.create_in

    def create_then_die(*args: object, **kwargs: object) -> object:
        real_create(*args, **kwargs)
        raise KeyboardInterrupt  # stands for SIGKILL right after the TOC is written

    monkeypatch.setattr(whoosh.index, "create_in", create_then_die)
    with pytest.raises(KeyboardInterrupt):
        Archive.open(tmp_path / "idx", create=True)
    monkeypatch.setattr(whoosh.index, "create_in", real_create)
    with Archive.open(tmp_path / "idx", create=True) as archive:
        assert len(archive) == 0
