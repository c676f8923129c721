"""Speed and output of keyword extraction on real news, for choosing and tuning the method.

Compares ``searcher.keywords.extract_keywords`` with YAKE (``pip install yake``; measured
only when installed, it is not a dependency) on the shared corpora beside the checkout:
``../shared/corpora/news-csv/NewsArticles.csv`` and ``../shared/corpora/bbc/*/*.txt`` (read
as UTF-8, falling back to latin-1).

Prints, per method, the median and 95th percentile cost per article (CPU time of this
thread, which other processes on a busy machine do not inflate, and wall time) and
articles per second, then the keywords of 10 fixed articles (5 CSV, 5 BBC) for a human
to judge. Usage::

    python benchmarks/keywords_bench.py [--limit N] [--yake-limit N] [--shared DIR]
"""

from __future__ import annotations

import argparse
import csv
import statistics
import sys
import time
from pathlib import Path
from typing import Callable, List, Sequence, Tuple

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from searcher.keywords import extract_keywords  # noqa: E402

Doc = Tuple[str, str]
Extractor = Callable[[str, str], Sequence[str]]

#: Fixed articles shown for judgement: CSV row indexes and BBC files.
_CSV_SAMPLE = (0, 1, 100, 1000, 2500)
_BBC_SAMPLE = ("business/001.txt", "entertainment/010.txt", "politics/005.txt",
               "sports/020.txt", "tech/001.txt")


def _load(shared: Path) -> Tuple[List[Doc], List[Doc], List[Doc]]:
    """All CSV articles, all BBC articles, and the 10 fixed sample articles."""
    csv.field_size_limit(1 << 30)
    path = shared / "corpora" / "news-csv" / "NewsArticles.csv"
    with path.open(encoding="utf-8", errors="replace", newline="") as handle:
        rows = [(r["title"], r["text"]) for r in csv.DictReader(handle)]
    bbc: List[Doc] = []
    sample_bbc: List[Doc] = []
    bbc_dir = shared / "corpora" / "bbc"
    for file in sorted(bbc_dir.glob("*/*.txt")):
        raw = file.read_bytes()
        try:
            text = raw.decode("utf-8")  # most files are UTF-8, whatever the readme says
        except UnicodeDecodeError:
            text = raw.decode("latin-1")
        title, _, body = text.partition("\n")
        bbc.append((title.strip(), body.strip()))
        if file.relative_to(bbc_dir).as_posix() in _BBC_SAMPLE:
            sample_bbc.append(bbc[-1])
    sample = [rows[i] for i in _CSV_SAMPLE if i < len(rows)] + sample_bbc
    return rows, bbc, sample


def _time(extract: Extractor, docs: Sequence[Doc]) -> Tuple[List[float], List[float]]:
    """Per-article CPU and wall milliseconds (after one warm-up pass over 50 articles)."""
    for title, body in docs[:50]:
        extract(title, body)
    cpu: List[float] = []
    wall: List[float] = []
    for title, body in docs:
        c0, w0 = time.thread_time_ns(), time.perf_counter_ns()
        extract(title, body)
        cpu.append((time.thread_time_ns() - c0) / 1e6)
        wall.append((time.perf_counter_ns() - w0) / 1e6)
    return cpu, wall


def _reference_ms() -> float:
    """CPU milliseconds for a fixed pure-Python loop (best of 3): how fast this machine
    runs Python right now, so that figures from a busy or slow machine can be compared."""
    best = float("inf")
    for _ in range(3):
        start = time.thread_time_ns()
        total = 0
        for i in range(1_000_000):
            total += i
        best = min(best, (time.thread_time_ns() - start) / 1e6)
    return best


def _p95(values: List[float]) -> float:
    return sorted(values)[int(len(values) * 0.95)]


def _report(name: str, docs: Sequence[Doc], extract: Extractor) -> None:
    cpu, wall = _time(extract, docs)
    words = statistics.median(len(b.split()) for _, b in docs)
    print(
        f"{name:<10} {len(docs):>5} articles (median {words:.0f} words): "
        f"cpu median {statistics.median(cpu):.3f} ms, p95 {_p95(cpu):.3f} ms, "
        f"{1000 * len(cpu) / sum(cpu):,.0f} articles/s | "
        f"wall median {statistics.median(wall):.3f} ms, p95 {_p95(wall):.3f} ms"
    )


def _yake_extractor(count: int) -> Extractor:
    import yake  # type: ignore[import-not-found]

    kw = yake.KeywordExtractor(lan="en", n=3, top=count, dedupLim=0.7)

    def extract(title: str, body: str) -> Sequence[str]:
        return [k.lower() for k, _ in kw.extract_keywords(f"{title}\n\n{body}")]

    return extract


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path,
                        default=Path(__file__).resolve().parents[2] / "shared")
    parser.add_argument("--limit", type=int, default=0, help="articles per corpus (0: all)")
    parser.add_argument("--yake-limit", type=int, default=300,
                        help="articles per corpus for YAKE, which is slow (0: skip)")
    parser.add_argument("--count", type=int, default=8)
    args = parser.parse_args()

    rows, bbc, sample = _load(args.shared)
    if args.limit:
        rows, bbc = rows[: args.limit], bbc[: args.limit]

    def ours(title: str, body: str) -> Sequence[str]:
        return extract_keywords(title, body, count=args.count)

    methods: List[Tuple[str, Extractor, int]] = [("searcher", ours, 0)]
    if args.yake_limit:
        try:
            methods.append(("yake", _yake_extractor(args.count), args.yake_limit))
        except ImportError:
            print("yake is not installed: skipping it", file=sys.stderr)

    print(f"machine reference: 1M-iteration Python loop = {_reference_ms():.0f} ms CPU")
    for name, extract, limit in methods:
        for corpus, docs in (("csv", rows), ("bbc", bbc)):
            _report(f"{name}/{corpus}", docs[:limit] if limit else docs, extract)
    print(f"machine reference: 1M-iteration Python loop = {_reference_ms():.0f} ms CPU")
    print()
    for title, body in sample:
        print(f"# {title[:90]}")
        for name, extract, _ in methods:
            print(f"  {name:<9} {', '.join(extract(title, body))}")


if __name__ == "__main__":
    main()
