"""How fast the news analyses are on a whole archive, engine included.

Issue 14's targets, at 100,000 articles: ``timeline`` and ``first`` under 0.5 s, ``terms``
under 2 s, ``search --collapse`` at most 30% slower than the same search, and an export
of ~100,000 hits whose memory stays flat. ``benchmarks/analytics_bench.py`` times the
analysis functions alone; this script times the library calls users make
(``Archive.search/timeline/first/terms/export``) on a real index, and whole CLI processes.

    python benchmarks/corpus.py /tmp/bench14/corpus --articles 100000
    searcher index /tmp/bench14/corpus --index /tmp/bench14/index
    python benchmarks/analysis_bench.py --index /tmp/bench14/index --runs 5

Query classes are chosen from the index itself, so any archive works: a rare word (in
about 1 article in 1,000), a common word (in about a third of the archive), a phrase, an
OR of two words, and the common word bounded to five years. Every library figure is the
median of ``--runs`` calls after one warm-up call that is dropped, all in this process;
CLI figures are medians of whole ``python -m searcher`` processes; each export runs in a
child process whose peak RSS (``ru_maxrss`` of that child) is reported.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Tuple

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from searcher import Archive  # noqa: E402

#: Phrases tried in order for the phrase class: the first with at least 50 hits is used.
PHRASES = ("prime minister", "united states", "white house", "last year", "told reporters",
           "north korea", "per cent", "new york")
#: The years the date-bounded class and the period of ``terms`` use.
BOUNDED = ("2010-01-01", "2014-12-31")
TERMS_YEAR = ("2012-01-01", "2012-12-31")
TERMS_MONTH = ("2012-06-01", "2012-06-30")


def timed(fn: Callable[[], Any], runs: int) -> Tuple[float, Any]:
    """(median seconds of ``runs`` calls after one dropped warm-up call, last result)."""
    result = fn()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def _vocabulary(index: Path) -> List[Tuple[str, int]]:
    """(term, document frequency) of the body field: alphabetic terms of 4+ letters that
    are whole words (also a keyword of some article), not stems such as "remov"."""
    engine = Archive.open(index).engine
    reader = engine.search_view().reader()

    def text(term: object) -> str:
        return term.decode("utf-8") if isinstance(term, bytes) else str(term)

    words = {text(term) for term in reader.field_terms("keywords")}
    out = []
    for term, info in reader.iter_field("body"):
        word = text(term)
        if len(word) >= 4 and word.isalpha() and word.isascii() and word in words:
            out.append((word, info.doc_frequency()))
    engine.close()
    return out


def pick_queries(archive: Archive, index: Path) -> List[Dict[str, Any]]:
    """The query classes, chosen from this archive's vocabulary (see the module docstring)."""
    n = len(archive)
    vocab = _vocabulary(index)

    def closest(target: float, skip: Tuple[str, ...] = ()) -> str:
        ranked = sorted(vocab, key=lambda item: abs(item[1] - target))
        for term, df in ranked[:50]:
            if term in skip:
                continue
            if archive.search(term, limit=1, snippets=0).total == df:
                return term
        return ranked[0][0]

    rare = closest(n / 1000)
    common = closest(n / 3)
    left = closest(n / 20, (common,))
    right = closest(n / 20, (common, left))
    phrase = next((f'"{p}"' for p in PHRASES if archive.search(f'"{p}"', limit=1, snippets=0).total >= 50),
                  f'"{PHRASES[0]}"')
    return [
        {"class": "rare word", "query": rare},
        {"class": "common word", "query": common},
        {"class": "phrase", "query": phrase},
        {"class": "or", "query": f"{left} OR {right}"},
        {"class": "date-bounded", "query": common, "since": BOUNDED[0], "until": BOUNDED[1]},
    ]


def timed_pair(first: Callable[[], Any], second: Callable[[], Any], runs: int) -> Tuple[float, float, float, Any, Any]:
    """(median seconds of ``first``, of ``second``, median of their per-run ratios, last
    results): the two calls alternate, after one dropped warm-up call each, so that a
    noisy machine slows both alike."""
    a, b = first(), second()
    times_a, times_b = [], []
    for _ in range(runs):
        started = time.perf_counter()
        a = first()
        times_a.append(time.perf_counter() - started)
        started = time.perf_counter()
        b = second()
        times_b.append(time.perf_counter() - started)
    ratios = [y / x for x, y in zip(times_a, times_b)]
    return statistics.median(times_a), statistics.median(times_b), statistics.median(ratios), a, b


def search_figures(archive: Archive, q: Dict[str, Any], runs: int) -> Dict[str, Any]:
    """Medians of a plain search and the same search collapsed, alternating."""
    text, since, until = q["query"], q.get("since"), q.get("until")
    out: Dict[str, Any] = {}
    out["search_s"], out["collapse_s"], out["collapse_ratio"], results, collapsed = timed_pair(
        lambda: archive.search(text, since=since, until=until, limit=10, snippets=2, timeout=None),
        lambda: archive.search(text, since=since, until=until, limit=10, snippets=2, timeout=None, collapse=True),
        runs)
    out["total"] = results.total
    out["stories"] = collapsed.groups
    return out


def library_figures(archive: Archive, q: Dict[str, Any], runs: int) -> Dict[str, Any]:
    """Medians of the library calls for one query class."""
    text, since, until = q["query"], q.get("since"), q.get("until")
    out = search_figures(archive, q, runs)
    out["timeline_month_s"], _ = timed(lambda: archive.timeline(text, by="month", since=since, until=until), runs)
    out["timeline_source_s"], _ = timed(lambda: archive.timeline(text, by="month", since=since, until=until,
                                                                 by_source=True), runs)
    out["first_s"], _ = timed(lambda: archive.first(text, since=since, until=until), runs)
    if since is None:
        out["terms_year_s"], _ = timed(lambda: archive.terms(text, since=TERMS_YEAR[0], until=TERMS_YEAR[1]), runs)
        out["terms_month_s"], _ = timed(lambda: archive.terms(text, since=TERMS_MONTH[0], until=TERMS_MONTH[1]), runs)
    out["terms_all_s"], _ = timed(lambda: archive.terms(text, since=since, until=until), runs)
    return out


#: Runs ``python -m searcher ARGS`` and, at exit, writes to the pipe named by
#: ``BENCH_RSS_FD`` the process's own peak RSS (``VmHWM``, reset by exec) and the peak of
#: its anonymous memory (``RssAnon``, sampled every 20 ms by a thread): the rest of RSS is
#: index file pages mapped by Whoosh, page cache that the kernel can drop. (A child's
#: ``ru_maxrss`` is no use here: Linux carries the forking parent's high-water mark over.)
_RUN_CLI = """
import atexit, os, runpy, sys, threading, time
peak = [0]
def status(name):
    for line in open("/proc/self/status"):
        if line.startswith(name):
            return int(line.split()[1])
    return 0
def sample():
    while True:
        peak[0] = max(peak[0], status("RssAnon:"))
        time.sleep(0.02)
threading.Thread(target=sample, daemon=True).start()
def report():
    peak[0] = max(peak[0], status("RssAnon:"))
    os.write(int(os.environ["BENCH_RSS_FD"]), f"{status('VmHWM:')} {peak[0]}".encode())
atexit.register(report)
sys.argv = ["searcher"] + sys.argv[1:]
runpy.run_module("searcher", run_name="__main__", alter_sys=True)
"""


def _cli(args: List[str], index: Path) -> Tuple[float, float, float, int]:
    """(wall seconds, peak RSS in MB, peak anonymous RSS in MB, exit code) of one
    ``python -m searcher`` process, its output thrown away."""
    read_end, write_end = os.pipe()
    env = dict(os.environ, PYTHONPATH=str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", ""),
               BENCH_RSS_FD=str(write_end))
    started = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-c", _RUN_CLI, *args, "--index", str(index)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env,
                            pass_fds=(write_end,))
    os.close(write_end)
    _, err = proc.communicate()
    seconds = time.perf_counter() - started
    with os.fdopen(read_end, "rb") as fh:
        found = fh.read().split() or [b"0", b"0"]
    if proc.returncode:
        sys.stderr.write(err.decode("utf-8", "replace"))
    return seconds, int(found[0]) / 1024, int(found[1]) / 1024, proc.returncode


def cli_median(args: List[str], index: Path, runs: int) -> Dict[str, float]:
    _cli(args, index)  # warm the page cache
    found = [_cli(args, index) for _ in range(runs)]
    return {"seconds": statistics.median(f[0] for f in found), "peak_rss_mb": max(f[1] for f in found)}


def _dates(q: Dict[str, Any]) -> List[str]:
    out = []
    if q.get("since"):
        out += ["--from", q["since"]]
    if q.get("until"):
        out += ["--to", q["until"]]
    return out


def export_figures(index: Path, common: str, runs: int) -> List[Dict[str, Any]]:
    """Whole ``searcher export`` processes to /dev/null: a year, a decade and every dated
    article of the archive (the date bounds alone make it a query export, sorted and cited),
    and the common word; wall time and peak RSS of each."""
    cases = [
        ("one year", ["export", "--from", "2012-01-01", "--to", "2012-12-31"]),
        ("ten years", ["export", "--from", "2005-01-01", "--to", "2014-12-31"]),
        ("all dated", ["export", "--from", "1900-01-01"]),
        (f"common word ({common})", ["export", common]),
    ]
    out = []
    for name, args in cases:
        found = [_cli(args, index) for _ in range(max(1, runs))]
        out.append({"case": name, "args": args, "seconds": statistics.median(f[0] for f in found),
                    "peak_rss_mb": max(f[1] for f in found), "peak_anon_mb": max(f[2] for f in found)})
    return out


def _fmt(seconds: Optional[float]) -> str:
    return "-" if seconds is None else f"{seconds:.3f}"


def print_table(rows: List[Dict[str, Any]]) -> None:
    cols = [("total", "hits"), ("search_s", "search"), ("collapse_s", "collapse"), ("collapse_ratio", "ratio"),
            ("timeline_month_s", "timeline"), ("timeline_source_s", "by source"), ("first_s", "first"),
            ("terms_year_s", "terms 1y"), ("terms_month_s", "terms 1m"), ("terms_all_s", "terms all"),
            ("cli_timeline_s", "CLI timeline"), ("cli_first_s", "CLI first")]
    head = f"{'class':<14} {'query':<28}" + "".join(f" {label:>12}" for _, label in cols)
    print(head)
    print("-" * len(head))
    for row in rows:
        cells = []
        for key, _ in cols:
            value = row.get(key)
            if key == "total":
                cells.append(f"{value:>12,}")
            elif key == "collapse_ratio":
                cells.append(f"{value:>11.2f}x")
            else:
                cells.append(f"{_fmt(value):>12}")
        label = row["query"] + (" (5 y)" if row.get("since") else "")
        print(f"{row['class']:<14} {label[:28]:<28}" + "".join(f" {c}" for c in cells))


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--index", type=Path, required=True, help="a Whoosh index folder (schema 6: with stories; 5 works, collapsing slowly)")
    parser.add_argument("--runs", type=int, default=5, help="timed calls per figure, after one warm-up (default 5)")
    parser.add_argument("--cli-runs", type=int, default=3, help="whole processes per CLI figure (default 3)")
    parser.add_argument("--out", type=Path, default=None, help="JSON file (default benchmarks/out/analysis-N.json)")
    parser.add_argument("--skip-export", action="store_true")
    parser.add_argument("--search-only", action="store_true",
                        help="only the plain and collapsed searches (no timeline, first, terms, CLI or export)")
    parser.add_argument("--archive", default=None,
                        help="time this archive (e.g. a postgresql:// URL holding the same articles); "
                             "the query classes are still picked from --index")
    args = parser.parse_args(argv)
    with Archive.open(args.index) as picker:
        queries = pick_queries(picker, args.index)
    with Archive.open(args.archive or args.index) as archive:
        n = len(archive)
        shown = args.archive or args.index
        print(f"{n:,} articles in {shown}; median of {args.runs} warm runs, seconds", file=sys.stderr)
        rows = []
        for q in queries:
            row = dict(q)
            row.update(search_figures(archive, q, args.runs) if args.search_only else
                       library_figures(archive, q, args.runs))
            rows.append(row)
            print(f"  {q['class']}: {json.dumps({k: v for k, v in row.items() if k.endswith('_s')})} "
                  f"ratio {row['collapse_ratio']:.2f} stories {row['stories']}", file=sys.stderr)
    if args.search_only:
        for row in rows:
            print(f"{row['class']:<14} {row['query']:<22} {row['total']:>7,} {row['stories']:>7,} "
                  f"{row['search_s']:>8.4f} {row['collapse_s']:>8.4f} {row['collapse_ratio']:>6.2f}x")
        return 0
    for row in rows:
        for command in ("timeline", "first"):
            found = cli_median([command, row["query"], "--format", "json", *_dates(row)], args.index, args.cli_runs)
            row[f"cli_{command}_s"] = found["seconds"]
            row[f"cli_{command}_rss_mb"] = found["peak_rss_mb"]
    print_table(rows)
    exports: List[Dict[str, Any]] = []
    if not args.skip_export:
        exports = export_figures(args.index, queries[1]["query"], args.cli_runs)
        print()
        print(f"{'export to /dev/null':<34} {'seconds':>9} {'peak RSS MB':>12} {'of it anon MB':>14}")
        for e in exports:
            print(f"{e['case']:<34} {e['seconds']:>9.2f} {e['peak_rss_mb']:>12.1f} {e['peak_anon_mb']:>14.1f}")
    out = args.out or HERE / "out" / f"analysis-{n}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    commit = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"], capture_output=True,
                            text=True).stdout.strip()
    out.write_text(json.dumps({
        "articles": n, "runs": args.runs, "cli_runs": args.cli_runs, "commit": commit,
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "load": os.getloadavg()},
        "queries": rows, "exports": exports,
    }, indent=2) + "\n", encoding="utf-8")
    print(f"\nJSON: {out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
