"""Benchmark searcher against plain Whoosh and SQLite FTS5 on a generated news corpus.

    python benchmarks/run.py --articles 100000
    python benchmarks/run.py --quick                  # ~2,000 articles, a smoke run
    python benchmarks/run.py --articles 10000 --skip-plain --out benchmarks/out/r.json

Every indexing and query run happens in a child process (this same script with ``--child``),
so peak memory (VmHWM) belongs to that one job and no engine warms another's caches.
searcher is timed end to end from the files (``Archive.index_paths``: reading, parsing,
keywords, writing); the baselines are timed from articles already parsed in memory.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Dict, List, Optional

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))

import baselines  # noqa: E402
import corpus  # noqa: E402


def _peak_rss_mb() -> float:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# -- child jobs -----------------------------------------------------------------------------


def _cpu_seconds() -> float:
    """CPU time of this process and its finished children (worker processes)."""
    import resource

    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def _child(job: Dict[str, Any]) -> Dict[str, Any]:
    engine, action, work = job["engine"], job["action"], Path(job["work"])
    if action == "index":
        if engine == "searcher_pg":
            from searcher.archive import Archive

            started, cpu = time.perf_counter(), _cpu_seconds()
            with Archive.rebuild(job["pg_url"]) as archive:
                report = archive.index_paths([work / "corpus"])
                seconds = time.perf_counter() - started
                cpu_seconds = _cpu_seconds() - cpu
                size = archive.stats().size_bytes
            return {"seconds": seconds, "cpu_seconds": cpu_seconds, "articles": report.added,
                    "files_failed": report.files_failed, "failures": [str(f) for f in report.failures[:5]],
                    "size_bytes": size, "peak_rss_mb": _peak_rss_mb(),
                    "note": "cpu_seconds: the client processes only (the server's CPU is not counted)"}
        if engine == "plain_sql":
            import pg

            articles = list(corpus.iter_articles(job["articles"], job["seed"], None))
            before, cpu = _peak_rss_mb(), _cpu_seconds()
            result = pg.plain_index(articles, job["pg_url"])
            result["cpu_seconds"] = _cpu_seconds() - cpu
            result["peak_rss_mb"] = _peak_rss_mb()
            result["rss_before_indexing_mb"] = before
            return result
        if engine == "searcher":
            from searcher.archive import Archive

            started, cpu = time.perf_counter(), _cpu_seconds()
            with Archive.open(work / "searcher-index", create=True) as archive:
                report = archive.index_paths([work / "corpus"])
            seconds = time.perf_counter() - started
            return {
                "seconds": seconds,
                "cpu_seconds": _cpu_seconds() - cpu,
                "articles": report.added,
                "files_failed": report.files_failed,
                "failures": [str(f) for f in report.failures[:5]],
                "size_bytes": sum(p.stat().st_size for p in (work / "searcher-index").rglob("*") if p.is_file()),
                "peak_rss_mb": _peak_rss_mb(),
            }
        articles = list(corpus.iter_articles(job["articles"], job["seed"], None))
        before, cpu = _peak_rss_mb(), _cpu_seconds()
        result = baselines.ENGINES[engine][0](articles, work / engine)
        result["cpu_seconds"] = _cpu_seconds() - cpu
        result["peak_rss_mb"] = _peak_rss_mb()
        result["rss_before_indexing_mb"] = before
        return result
    queries = [baselines.LogicalQuery(q["kind"], tuple(q["words"]), _day(q["since"]), _day(q["until"])) for q in job["queries"]]
    runs = []
    ids: List[List[str]] = []
    for _ in range(job["runs"] + 1):  # the first pass warms caches and is dropped
        if engine == "searcher":
            times, ids = _searcher_queries(work / "searcher-index", queries)
        elif engine == "searcher_pg":
            times, ids = _searcher_queries(job["pg_url"], queries)
        elif engine == "plain_sql":
            import pg

            times, ids = pg.plain_queries(job["pg_url"], queries)
        else:
            times, ids = baselines.ENGINES[engine][1](work / engine, queries)
        runs.append(times)
    runs = runs[1:]
    # Per query, the median over the runs; then percentiles over the queries of a class.
    merged = {k: [statistics.median(r[k][i] for r in runs) for i in range(len(runs[0][k]))] for k in runs[0]}
    return {"latency": baselines.latency_stats(merged), "ids": ids}


def _day(value: Optional[str]) -> Any:
    from datetime import date

    return date.fromisoformat(value) if value else None


def _searcher_queries(index: Any, queries: List[baselines.LogicalQuery]) -> Any:
    from searcher.archive import Archive

    times: Dict[str, List[float]] = {k: [] for k in baselines.CLASSES}
    ids: List[List[str]] = []
    with Archive.open(index) as archive:
        for q in queries:
            text, opts = q.to_searcher()
            started = time.perf_counter()
            results = archive.search(text, limit=10, snippets=2, **opts)  # type: ignore[arg-type]
            times[q.kind].append(time.perf_counter() - started)
            ids.append([h.id for h in results.hits])
    return times, ids


def _run_child(job: Dict[str, Any], *, timeout: Optional[float] = None) -> Dict[str, Any]:
    proc = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--child", json.dumps(job)],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=str(REPO),
    )
    if proc.returncode != 0:
        raise RuntimeError(f"{job['engine']} {job['action']} failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


# -- the whole process ------------------------------------------------------------------------


def _cli_wall(work: Path, queries: List[baselines.LogicalQuery], runs: int) -> Dict[str, Any]:
    """Median wall time of whole `python -m searcher search` processes.

    The package is byte-compiled first, as `pip install` does and as any first run does
    unless PYTHONDONTWRITEBYTECODE is set (it is on some build machines, which would
    otherwise time the compiling of every module on every run).
    """
    import compileall

    compileall.compile_dir(str(REPO / "searcher"), quiet=1)
    walls = []
    for i in range(runs):
        text, opts = queries[i % len(queries)].to_searcher()
        cmd = [sys.executable, "-m", "searcher", "search", text, "--index", str(work / "searcher-index"), "--format", "json"]
        for key, value in opts.items():
            cmd += ["--from" if key == "since" else "--to", value]
        started = time.perf_counter()
        proc = subprocess.run(cmd, capture_output=True, text=True, cwd=str(REPO))
        walls.append(time.perf_counter() - started)
        if proc.returncode != 0:
            return {"error": proc.stderr.strip()[-500:]}
    return {"median_s": statistics.median(walls), "min_s": min(walls), "max_s": max(walls), "runs": runs}


def _overlap(a: List[List[str]], b: List[List[str]]) -> float:
    """Mean share of top-10 ids two engines have in common (a sanity check, not a score)."""
    shares = [len(set(x) & set(y)) / max(1, min(len(x), len(y))) for x, y in zip(a, b) if x or y]
    return statistics.mean(shares) if shares else float("nan")


def _fmt(value: Any, unit: str = "") -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        text = f"{value:,.1f}" if value >= 10 else f"{value:.2f}"
    else:
        text = f"{value:,}"
    return text + unit


def _ratio(ours: Optional[float], theirs: Optional[float], higher_better: bool) -> str:
    if not ours or not theirs:
        return "-"
    r = ours / theirs if higher_better else theirs / ours
    return f"{r:.2f}x"


def table(results: Dict[str, Any]) -> str:
    eng = results["engines"]
    names = ["searcher", "plain_whoosh", "sqlite_fts5", "searcher_pg", "plain_sql"]
    rows: List[List[str]] = []

    def get(name: str, *keys: str) -> Optional[float]:
        cur: Any = eng.get(name)
        for k in keys:
            if not isinstance(cur, dict) or k not in cur:
                return None
            cur = cur[k]
        return cur

    def add(label: str, keys: List[str], unit: str, higher_better: bool, scale: float = 1.0) -> None:
        vals = [get(n, *keys) for n in names]
        vals = [v * scale if isinstance(v, (int, float)) else None for v in vals]
        rows.append(
            [label]
            + [_fmt(v, unit) for v in vals]
            + [_ratio(vals[0], vals[1], higher_better), _ratio(vals[0], vals[2], higher_better),
               _ratio(vals[3], vals[0], higher_better), _ratio(vals[3], vals[4], higher_better)]
        )

    add("indexing rate (articles/s)", ["index", "rate"], "", True)
    add("  per CPU second", ["index", "cpu_rate"], "", True)
    add("index size (MB)", ["index", "size_bytes"], "", False, 1 / 1e6)
    add("peak RSS indexing (MB)", ["index", "peak_rss_mb"], "", False)
    for kind in list(baselines.CLASSES) + ["all"]:
        for p in ("p50_ms", "p95_ms"):
            add(f"query {kind} {p[:3]} (ms)", ["query", "latency", kind, p], "", False)
    add("`searcher search` process (s)", ["cli", "median_s"], "", False)
    head = ["metric", "searcher", "plain Whoosh", "SQLite FTS5", "searcher PG", "plain SQL", "vs Whoosh", "vs FTS5",
            "PG vs searcher", "PG vs SQL"]
    widths = [max(len(r[i]) for r in rows + [head]) for i in range(len(head))]
    line = lambda r: "  ".join(c.ljust(widths[0]) if i == 0 else c.rjust(widths[i]) for i, c in enumerate(r))  # noqa: E731
    out = [line(head), "  ".join("-" * w for w in widths)] + [line(r) for r in rows]
    out.append(
        "ratios: >1x means searcher (or, in the PG columns, searcher on PostgreSQL) is better (faster, "
        "smaller). Baselines (plain Whoosh, FTS5, plain SQL) index parsed articles from memory; searcher "
        "indexes end to end from the files on both engines."
    )
    return "\n".join(out)


def main(argv: Optional[List[str]] = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--articles", type=int, default=10000, help="Articles to generate (default 10,000).")
    ap.add_argument("--quick", action="store_true", help="Smoke run: 2,000 articles, 1 query run, 3 CLI runs.")
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--runs", type=int, default=3, help="Timed passes over the query set (after one warm-up).")
    ap.add_argument("--cli-runs", type=int, default=10, help="Whole `searcher search` processes to time.")
    ap.add_argument("--per-class", type=int, default=20, help="Queries per class.")
    ap.add_argument("--skip-plain", action="store_true", help="Leave out plain Whoosh (slow at 100k).")
    ap.add_argument("--skip-fts", action="store_true", help="Leave out SQLite FTS5.")
    ap.add_argument("--skip-searcher", action="store_true")
    ap.add_argument("--skip-pg", action="store_true", help="Leave out searcher on PostgreSQL and plain SQL.")
    ap.add_argument("--only", help="Comma-separated engines to run: searcher, plain_whoosh, sqlite_fts5, searcher_pg, plain_sql.")
    ap.add_argument("--pg-url", help="Admin URL of a PostgreSQL server to use (default: start one in the work folder).")
    ap.add_argument("--out", type=Path, help="JSON results file (default benchmarks/out/results-N.json).")
    ap.add_argument("--work", type=Path, help="Working folder (default: a temp folder, removed after).")
    ap.add_argument("--reuse-corpus", action="store_true",
                    help="Keep the corpus a previous run wrote in --work (same --articles and --seed).")
    ap.add_argument("--query-only", metavar="DATABASE",
                    help="With --only searcher_pg and --pg-url: time the queries on the archive already in DATABASE "
                         "of that server (made by an earlier run), without indexing: compares code changes on one "
                         "archive.")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        print(json.dumps(_child(json.loads(args.child))))
        return 0
    if args.quick:
        args.articles, args.runs, args.cli_runs, args.per_class = 2000, 1, 3, 10
    n = args.articles
    work = args.work or Path(tempfile.mkdtemp(prefix="searcher-bench-"))
    out = args.out or HERE / "out" / f"results-{n}.json"
    log = lambda msg: print(msg, file=sys.stderr, flush=True)  # noqa: E731
    pg_server = None
    try:
        started = time.perf_counter()
        marker = work / "corpus" / f".complete-{n}-{args.seed}"
        if args.reuse_corpus and marker.exists():
            articles = list(corpus.iter_articles(n, args.seed, None))  # the same articles, not rewritten
        else:
            if (work / "corpus").exists():
                shutil.rmtree(work / "corpus")
            articles = corpus.generate(n, work / "corpus", seed=args.seed)
            marker.touch()
        queries = baselines.build_queries(articles, per_class=args.per_class, seed=args.seed)
        corpus_bytes = sum(p.stat().st_size for p in (work / "corpus").rglob("*") if p.is_file() and p != marker)
        del articles
        log(f"corpus: {n:,} articles, {corpus_bytes / 1e6:,.1f} MB in {work / 'corpus'} ({time.perf_counter() - started:.1f} s)")
        qjson = [
            {"kind": q.kind, "words": list(q.words), "since": q.since and q.since.isoformat(), "until": q.until and q.until.isoformat()}
            for q in queries
        ]
        engines = [e for e, skip in (("searcher", args.skip_searcher), ("plain_whoosh", args.skip_plain),
                                      ("sqlite_fts5", args.skip_fts), ("searcher_pg", args.skip_pg),
                                      ("plain_sql", args.skip_pg)) if not skip]
        if args.only:
            engines = [e for e in args.only.split(",") if e]
        if {"searcher_pg", "plain_sql"} & set(engines):
            import pg

            admin_url, pg_server = pg.server(work, args.pg_url)
            if args.query_only:
                if engines != ["searcher_pg"] or not args.pg_url:
                    ap.error("--query-only needs --only searcher_pg and --pg-url")
                results_pg = {"searcher_pg": admin_url.rsplit("/", 1)[0] + "/" + args.query_only}
            else:
                results_pg = {"searcher_pg": pg.database(admin_url, "bench_searcher"),
                              "plain_sql": pg.database(admin_url, "bench_plain")}
        results: Dict[str, Any] = {
            "articles": n,
            "seed": args.seed,
            "corpus_mb": corpus_bytes / 1e6,
            "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
            "notes": "searcher: end to end from files (Archive.index_paths); baselines: from parsed articles in memory",
            "queries": [q.label() for q in queries],
            "engines": {},
        }
        ids: Dict[str, List[List[str]]] = {}
        for engine in engines:
            job = {"engine": engine, "work": str(work), "articles": n, "seed": args.seed}
            if engine in ("searcher_pg", "plain_sql"):
                job["pg_url"] = results_pg[engine]
            log(f"{engine}: indexing ...")
            if args.query_only:
                idx = {"seconds": None, "cpu_seconds": None, "articles": n, "peak_rss_mb": None, "size_bytes": None,
                       "note": f"not indexed: the archive in {args.query_only}"}
            else:
                idx = _run_child({**job, "action": "index"})
            idx["rate"] = idx["articles"] / idx["seconds"] if idx["seconds"] else None
            idx["cpu_rate"] = idx["articles"] / idx["cpu_seconds"] if idx.get("cpu_seconds") else None
            if idx["seconds"]:
                log(f"{engine}: {idx['articles']:,} articles in {idx['seconds']:.1f} s = {idx['rate']:,.0f}/s, "
                    f"peak {idx['peak_rss_mb']:.0f} MB")
            if engine in ("searcher", "searcher_pg") and idx["articles"] != n:
                log(f"searcher: WARNING indexed {idx['articles']} of {n} articles; failures: {idx.get('failures')}")
            log(f"{engine}: querying ...")
            qres = _run_child({**job, "action": "query", "queries": qjson, "runs": args.runs})
            ids[engine] = qres.pop("ids")
            results["engines"][engine] = {"index": idx, "query": qres}
            if engine == "searcher":
                log("searcher: timing whole CLI processes ...")
                results["engines"][engine]["cli"] = _cli_wall(work, queries, args.cli_runs)
        for other in ("plain_whoosh", "sqlite_fts5", "searcher_pg", "plain_sql"):
            if "searcher" in ids and other in ids:
                results.setdefault("top10_overlap_with_searcher", {})[other] = _overlap(ids["searcher"], ids[other])
        results["seconds"] = time.perf_counter() - started
        text = table(results)
        print(f"{n:,} articles ({corpus_bytes / 1e6:,.0f} MB of files), {os.cpu_count()} CPUs, Python {platform.python_version()}")
        print(text)
        if "top10_overlap_with_searcher" in results:
            print("top-10 overlap with searcher: " + ", ".join(f"{k} {v:.0%}" for k, v in results["top10_overlap_with_searcher"].items()))
        out.parent.mkdir(parents=True, exist_ok=True)
        results["table"] = text
        out.write_text(json.dumps(results, indent=2), encoding="utf-8")
        log(f"results written to {out}")
    finally:
        if pg_server is not None:
            pg_server.stop()
        if args.work is None:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
