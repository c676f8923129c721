"""Timings of the engine-independent analysis functions at archive scale.

These are the costs ``searcher.analytics`` adds on top of what an engine spends
fetching rows; end-to-end figures (engine included) belong to the CLI benchmarks.
Articles come from ``benchmarks/corpus.py`` (real sentences recombined, dates over 30
years), so near-duplicate buckets and date spreads are those of the main benchmark.

    python benchmarks/analytics_bench.py --articles 100000 --runs 5
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from datetime import datetime, time as dtime, timezone
from pathlib import Path
from typing import Callable, List

REPO = Path(__file__).resolve().parent.parent
for folder in (REPO, REPO / "benchmarks"):
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))

import corpus  # noqa: E402
from searcher.analytics import first, neardup, significance, timeline  # noqa: E402


def _median(fn: Callable[[], object], runs: int) -> float:
    fn()
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main(argv: List[str] = None) -> int:  # type: ignore[assignment]
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--corpora", type=Path, default=None, help="corpora folder (default: ../shared/corpora)")
    args = parser.parse_args(argv)
    n = args.articles
    t0 = time.perf_counter()
    articles = list(corpus.iter_articles(n, args.seed, args.corpora))
    print(f"{n} generated articles in {time.perf_counter() - t0:.1f} s")
    rng = random.Random(args.seed)
    sources = [f"outlet{rng.randrange(200):03d}" for _ in range(n)]
    dates = [datetime.combine(a.day, dtime(rng.randrange(24)), tzinfo=timezone.utc) for a in articles]
    t0 = time.perf_counter()
    sigs = [neardup.signature(a.body) for a in articles]
    per = (time.perf_counter() - t0) / n * 1e6
    print(f"signature: {per:.0f} us/article (one pass over {n})")
    rows = [(f"{a.num:07d}", d, s, sig) for a, d, s, sig in zip(articles, dates, sources, sigs)]
    for size in sorted({1000, 10_000, n}):
        if size > n:
            continue
        part = rows[:size]
        seconds = _median(lambda: neardup.group(part), args.runs)
        groups = neardup.group(part)
        print(f"group {size:>7} rows: {seconds * 1000:8.1f} ms (median of {args.runs}), {len(groups)} groups")
    for by in timeline.PERIODS:
        seconds = _median(lambda: timeline.timeline(dates, by), args.runs)
        print(f"timeline by {by:<5} {n} dates: {seconds * 1000:6.1f} ms")
    pairs = list(zip(dates, sources))
    seconds = _median(lambda: timeline.timeline_by_source(pairs, "month"), args.runs)
    print(f"timeline by source, month, {n} rows: {seconds * 1000:6.1f} ms")
    trio = [(r[0], r[1], r[2]) for r in rows]
    seconds = _median(lambda: first.first_appearances(trio), args.runs)
    print(f"first_appearances {n} rows: {seconds * 1000:6.1f} ms")
    t0 = time.perf_counter()
    terms = [significance.article_terms(a.title, a.body) for a in articles[: min(n, 20_000)]]
    print(f"article_terms: {(time.perf_counter() - t0) / len(terms) * 1e6:.0f} us/article (index-time keywords)")
    background, bg_size = significance.document_counts(terms)
    fg_terms = terms[: len(terms) // 10]
    seconds = _median(lambda: significance.document_counts(fg_terms), args.runs)
    foreground, fg_size = significance.document_counts(fg_terms)
    print(f"document_counts over {len(fg_terms)} foreground articles: {seconds * 1000:6.1f} ms")
    seconds = _median(lambda: significance.significant_terms(foreground, background, fg_size, bg_size), args.runs)
    print(f"significant_terms, {len(foreground)} foreground terms, {len(background)} background: {seconds * 1000:6.1f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
