"""What hostile and oversized inputs cost: the times the tests no longer assert.

Tests check that searcher does the right thing with a 2 MB body, a 50 MB article, a
thousand tiny files, a gzip bomb; a shared machine makes their times too noisy to assert.
This prints them (the median of ``--runs`` runs), with the peak memory of each child
process (``ru_maxrss``)::

    python benchmarks/hostile_costs.py [--runs 3] [--big] [--work DIR]

``--big`` also writes 200 MB CSV, JSON Lines and text files (600 MB of disk) and reads each
with ``searcher.sources.read_file``: the peak memory of a file at the largest size the
default ``SEARCHER_MAX_FILE_MB`` (256) lets through comfortably.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable, List, Tuple

REPO = Path(__file__).resolve().parents[1]
WORDS = "harbour council budget river storm vaccine election market school railway bridge the of and a to in".split()


def _child(code: str, *args: str) -> Tuple[float, int, str]:
    """Run Python ``code`` in a child process; its wall seconds, peak RSS (MB) and stdout."""
    env = dict(os.environ, PYTHONPATH=str(REPO), SEARCHER_WORKERS=os.environ.get("SEARCHER_WORKERS", "0"))
    started = time.monotonic()
    proc = subprocess.Popen([sys.executable, "-c", code, *args], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    out = proc.stdout.read().decode("utf-8", "replace") if proc.stdout else ""
    _, status, usage = os.wait4(proc.pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"child failed:\n{out}")
    return time.monotonic() - started, usage.ru_maxrss // 1024, out.strip()


def _median(runs: int, measure: Callable[[], Tuple[float, int, str]]) -> Tuple[float, int, str]:
    results = [measure() for _ in range(runs)]
    return statistics.median(r[0] for r in results), max(r[1] for r in results), results[-1][2]


def _show(name: str, result: Tuple[float, int, str]) -> None:
    seconds, peak, out = result
    print(f"{name:<44} {seconds:8.2f} s   peak {peak:6d} MB   {out[:90]}")


_READ_ALL = """
import sys
from pathlib import Path
from searcher.sources import read_file
from searcher.errors import SourceError
try:
    print(sum(1 for _ in read_file(Path(sys.argv[1]))), "items")
except SourceError as error:
    print("refused:", error)
"""

_INDEX = """
import sys
from searcher import Archive
with Archive.open(sys.argv[2], create=True) as archive:
    report = archive.index_paths([sys.argv[1]])
print(report.files_read, "files read,", report.files_unchanged, "unchanged,", report.added, "added")
"""

_KEYWORDS = """
import sys, time
from searcher.keywords import extract_keywords
body = open(sys.argv[1], encoding="utf-8").read()
started = time.perf_counter()
keywords = extract_keywords("", body)
print(f"{(time.perf_counter() - started) * 1000:.0f} ms in extract_keywords, {len(keywords)} keywords")
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--big", action="store_true", help="also 200 MB CSV, JSONL and text files")
    parser.add_argument("--work", type=Path, help="keep the files here (default: a temp folder, removed)")
    options = parser.parse_args()
    work = options.work or Path(tempfile.mkdtemp(prefix="hostile-costs-"))
    work.mkdir(parents=True, exist_ok=True)
    rng = random.Random(7)
    try:
        sentence = "North Korea fired two ballistic missiles into the sea, officials in Seoul said. "
        (work / "body2mb.txt").write_text(sentence * (2_000_000 // len(sentence)), encoding="utf-8")
        (work / "word2mb.txt").write_text("x" * 2_000_000, encoding="utf-8")
        for name in ("body2mb.txt", "word2mb.txt"):
            _show(f"keywords of a 2 MB {name[:4]}", _median(options.runs, lambda: _child(_KEYWORDS, str(work / name))))

        tiny = work / "tiny"
        if not tiny.exists():
            tiny.mkdir()
            for i in range(1000):
                (tiny / f"f{i:04d}.txt").write_text(f"item {i} tinyword zz{i}\n")

        def tiny_runs() -> Tuple[float, int, str]:
            shutil.rmtree(work / "tiny-ix", ignore_errors=True)
            first = _child(_INDEX, str(tiny), str(work / "tiny-ix"))
            again = _child(_INDEX, str(tiny), str(work / "tiny-ix"))
            return first[0], max(first[1], again[1]), f"again {again[0]:.2f} s; {again[2]}"

        _show("index 1,000 tiny files (first run)", _median(options.runs, tiny_runs))

        huge = work / "huge" / "huge.txt"
        if not huge.exists():
            huge.parent.mkdir()
            line = ("harbour " + " ".join(f"w{i:04d}" for i in range(999)) + "\n").encode()
            with open(huge, "wb") as f:
                f.write(b"title: Huge\ndate: 2023-01-01\n\n")
                while f.tell() < 50 * 1024 * 1024:
                    f.write(line)

        def huge_run() -> Tuple[float, int, str]:
            shutil.rmtree(work / "huge-ix", ignore_errors=True)
            return _child(_INDEX, str(huge.parent), str(work / "huge-ix"))

        _show("index one 50 MB article", _median(options.runs, huge_run))

        bomb = work / "bomb.csv.gz"
        if not bomb.exists():
            row = b"Story,The harbour council approved the budget again and again and again.\n"
            with gzip.open(bomb, "wb", compresslevel=9) as f:
                f.write(b"title,text\n")
                for _ in range(1024**3 // (len(row) * 10_000)):
                    f.write(row * 10_000)
        size = bomb.stat().st_size / 1024**2
        _show(f"read a {size:.1f} MB gzip inflating to 1 GB", _median(options.runs, lambda: _child(_READ_ALL, str(bomb))))

        if options.big:
            bodies = [" ".join(rng.choice(WORDS) for _ in range(500)) for _ in range(200)]
            files: List[Path] = [work / "big.jsonl", work / "big.csv", work / "big.txt"]
            if not all(f.exists() for f in files):
                with open(files[0], "w", encoding="utf-8") as f:
                    n = 0
                    while f.tell() < 200 * 1024**2:
                        f.write(json.dumps({"title": f"Story {n}", "text": bodies[n % 200] + f" n{n}"}) + "\n")
                        n += 1
                with open(files[1], "w", encoding="utf-8", newline="") as f:
                    writer = csv.writer(f)
                    writer.writerow(["title", "text"])
                    n = 0
                    while f.tell() < 200 * 1024**2:
                        writer.writerow([f"Story {n}", bodies[n % 200] + f" n{n}"])
                        n += 1
                with open(files[2], "w", encoding="utf-8") as f:
                    f.write("title: Big\n\n")
                    while f.tell() < 200 * 1024**2:
                        f.write(rng.choice(bodies) + "\n")
            for path in files:
                _show(f"read a 200 MB {path.suffix[1:]} file", _median(options.runs, lambda: _child(_READ_ALL, str(path))))
    finally:
        if options.work is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
