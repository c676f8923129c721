"""Load test of `searcher serve`: concurrent clients searching while an index run adds articles.

    python benchmarks/web_load.py --articles 10000                  # builds the archive once
    python benchmarks/web_load.py --articles 100000 --clients 20 --seconds 30
    python benchmarks/web_load.py --index /tmp/idx --server werkzeug  # compare servers

Builds (or reuses, under ``--work``) an archive of N generated articles (``corpus.py``),
starts `searcher serve` in its own process on 127.0.0.1, and runs ``--clients`` client
threads for ``--seconds`` (and at most ``--max-requests`` requests in all), each asking for
the search page, ``/api/search`` or ``/api/article/ID`` in turn, with a mix of query classes,
sorts and pages. For the whole time, `searcher index` runs add new articles, 500 a run (at
most ``--add``), one run after another. Prints requests, failures (any status but 200, any error, any
body without its expected marker), throughput and latency percentiles, per endpoint, and
how many articles the server saw before and after; writes the figures as JSON.

Only 127.0.0.1 is ever contacted; every loop ends by count and by time.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any, Dict, List, Tuple

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(REPO))

import corpus  # noqa: E402

QUERIES = [
    "government", "police", "minister", "election", "economy", "football", "court",
    "government minister", "police investigation", "health service",
    '"prime minister"', '"united states"', '"european union"',
    "election OR vote", "economy OR growth OR inflation", "govern*", "minist*",
    "police -football", "title:election", "minister date:[2000-01-01 TO 2009-12-31]",
]
SORTS = ["relevance", "relevance", "newest", "oldest"]
WERKZEUG = """
import sys
from pathlib import Path
from werkzeug.serving import make_server
from searcher.web.app import create_app
server = make_server("127.0.0.1", 0, create_app(Path(sys.argv[1])), threaded=True)
print(f"searcher: serving at http://127.0.0.1:{server.server_port}/", file=sys.stderr, flush=True)
server.serve_forever()
"""


def build(articles: int, work: Path) -> Path:
    """The archive of ``articles`` generated articles under ``work``, built once."""
    index = work / f"index-{articles}"
    if (index / "searcher.json").exists():
        return index
    files = work / f"corpus-{articles}"
    print(f"generating {articles} articles in {files} ...", file=sys.stderr)
    corpus.generate(articles, files)
    print(f"indexing into {index} ...", file=sys.stderr)
    started = time.monotonic()
    subprocess.run([sys.executable, "-m", "searcher", "index", str(files), "--index", str(index), "-q"], check=True, env=_env())
    print(f"indexed in {time.monotonic() - started:.0f} s", file=sys.stderr)
    return index


def extra_articles(count: int, folder: Path, chunk: int = 500) -> List[Path]:
    """``count`` new articles (a seed and URLs of their own, so each run adds them) as JSONL,
    in folders of ``chunk`` articles, one index run each."""
    run = time.strftime("%Y%m%d%H%M%S")
    folders: List[Path] = []
    out = None
    for n, a in enumerate(corpus.iter_articles(count, seed=int(run[-8:]))):
        if n % chunk == 0:
            if out is not None:
                out.close()
            folders.append(folder / f"load-{run}-{n // chunk:03d}")
            folders[-1].mkdir(parents=True, exist_ok=True)
            out = (folders[-1] / "articles.jsonl").open("w", encoding="utf-8")
        out.write(json.dumps({"title": a.title, "text": a.body, "publish_date": a.day.isoformat(), "url": f"https://load.example/{run}/{a.num}"}) + "\n")
    if out is not None:
        out.close()
    return folders


class Writer(threading.Thread):
    """`searcher index` runs, one folder after another, from the start of the load until its
    deadline (or the folders run out): an archive being written to for the whole test."""

    def __init__(self, index: Path, folders: List[Path], deadline: float) -> None:
        super().__init__(daemon=True)
        self.index, self.folders, self.deadline = index, folders, deadline
        self.runs = 0
        self.busy = 0.0
        self.failed = 0

    def run(self) -> None:
        for folder in self.folders:
            if time.monotonic() >= self.deadline:
                break
            started = time.monotonic()
            code = subprocess.call([sys.executable, "-m", "searcher", "index", str(folder), "--index", str(self.index), "-q", "--wait", "60"], env=_env())
            self.busy += time.monotonic() - started
            self.runs += 1
            self.failed += code != 0


def _env() -> Dict[str, str]:
    return dict(os.environ, PYTHONPATH=str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", ""))


def start_server(index: Path, kind: str, threads: int) -> Tuple[subprocess.Popen, int]:
    if kind == "waitress":
        command = [sys.executable, "-m", "searcher", "serve", "--index", str(index), "--port", "0", "--threads", str(threads)]
    else:
        command = [sys.executable, "-c", WERKZEUG, str(index)]
    process = subprocess.Popen(command, stderr=subprocess.PIPE, text=True, env=_env())
    line = process.stderr.readline()
    match = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
    if not match:
        process.kill()
        raise SystemExit(f"the server did not start: {line}{process.stderr.read()}")
    threading.Thread(target=lambda: process.stderr.read(), daemon=True).start()  # drain its log
    return process, int(match.group(1))


class Client(threading.Thread):
    """One user: a kept-alive connection, requests in turn until the deadline or the budget."""

    def __init__(self, port: int, seed: int, deadline: float, budget: List[int], lock: threading.Lock, ids: List[str]) -> None:
        super().__init__(daemon=True)
        self.port, self.rng, self.deadline, self.budget, self.lock, self.ids = port, random.Random(seed), deadline, budget, lock, ids
        self.samples: List[Tuple[str, float, bool]] = []
        self.errors: List[str] = []

    def _take(self) -> bool:
        with self.lock:
            if self.budget[0] <= 0:
                return False
            self.budget[0] -= 1
            return True

    def _request(self) -> Tuple[str, str, bytes]:
        from urllib.parse import quote, urlencode

        kind = self.rng.choice(["page", "page", "api", "api", "article"]) if self.ids else self.rng.choice(["page", "api"])
        if kind == "article":
            return kind, "/api/article/" + quote(self.rng.choice(self.ids)), b'"body"'
        args = {"q": self.rng.choice(QUERIES), "sort": self.rng.choice(SORTS), "page": str(self.rng.choice([1, 1, 1, 2, 3, 5]))}
        if kind == "page":
            return kind, "/?" + urlencode(args), b'class="count"'
        return kind, "/api/search?" + urlencode(args), b'"total"'

    def run(self) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        while time.monotonic() < self.deadline and self._take():
            kind, path, marker = self._request()
            started = time.perf_counter()
            ok = False
            try:
                connection.request("GET", path)
                response = connection.getresponse()
                body = response.read()
                ok = response.status == 200 and marker in body
                if not ok:
                    self.errors.append(f"{response.status} {path}: {body[:160]!r}")
            except (OSError, http.client.HTTPException) as exc:
                self.errors.append(f"{type(exc).__name__} {path}: {exc}")
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
            self.samples.append((kind, time.perf_counter() - started, ok))
        connection.close()


def _get_json(port: int, path: str) -> Any:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    connection.request("GET", path)
    data = json.loads(connection.getresponse().read())
    connection.close()
    return data


def percentiles(values: List[float]) -> Dict[str, float]:
    if not values:
        return {}
    ordered = sorted(values)
    pick = lambda q: ordered[min(len(ordered) - 1, int(q * len(ordered)))]  # noqa: E731
    return {"p50_ms": round(statistics.median(ordered) * 1000, 1), "p95_ms": round(pick(0.95) * 1000, 1), "p99_ms": round(pick(0.99) * 1000, 1), "max_ms": round(ordered[-1] * 1000, 1)}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--articles", type=int, default=10000, help="archive size to build (ignored with --index)")
    ap.add_argument("--index", type=Path, help="use this archive instead of building one")
    ap.add_argument("--work", type=Path, default=HERE / "out" / "web", help="where built archives and extra articles live")
    ap.add_argument("--clients", type=int, default=20)
    ap.add_argument("--seconds", type=float, default=30.0)
    ap.add_argument("--max-requests", type=int, default=200_000, help="stop after this many requests in all")
    ap.add_argument("--add", type=int, default=10000, help="most articles the index runs add, 500 a run, while the load lasts (0: no writer)")
    ap.add_argument("--server", choices=["waitress", "werkzeug"], default="waitress")
    ap.add_argument("--threads", type=int, default=8, help="waitress worker threads")
    ap.add_argument("--out", type=Path)
    args = ap.parse_args()
    args.clients = max(1, min(args.clients, 200))
    args.seconds = max(1.0, min(args.seconds, 600.0))

    index = args.index or build(args.articles, args.work)
    extra = extra_articles(args.add, args.work / "extra") if args.add else []
    server, port = start_server(index, args.server, args.threads)
    try:
        before = _get_json(port, "/api/stats")["articles"]
        ids = [h["id"] for h in _get_json(port, "/api/search?q=government&limit=100")["hits"]]
        for q in QUERIES[:4]:  # one warm-up round, as a running server would have had
            _get_json(port, "/api/search?q=" + q.replace(" ", "+"))
        deadline = time.monotonic() + args.seconds
        writer = Writer(index, extra, deadline)
        writer.start()
        budget, lock = [args.max_requests], threading.Lock()
        clients = [Client(port, seed, deadline, budget, lock, ids) for seed in range(args.clients)]
        started = time.monotonic()
        for c in clients:
            c.start()
        for c in clients:
            c.join(timeout=args.seconds + 120)
        elapsed = time.monotonic() - started
        writer.join(timeout=1800)
        if writer.failed:
            print(f"warning: {writer.failed} index runs failed", file=sys.stderr)
        after = _get_json(port, "/api/stats")["articles"]
    finally:
        server.terminate()
        server.wait(timeout=30)
        for folder in extra:  # indexed (or never reached): the archive keeps what was added
            shutil.rmtree(folder, ignore_errors=True)

    samples = [s for c in clients for s in c.samples]
    errors = [e for c in clients for e in c.errors]
    report: Dict[str, Any] = {
        "server": args.server,
        "threads": args.threads if args.server == "waitress" else None,
        "index": str(index),
        "articles_before": before,
        "articles_after": after,
        "added_by_index_run": after - before,
        "index_runs": writer.runs,
        "index_runs_failed": writer.failed,
        "index_busy_seconds": round(writer.busy, 1),
        "clients": args.clients,
        "seconds": round(elapsed, 1),
        "requests": len(samples),
        "failed": sum(1 for s in samples if not s[2]),
        "requests_per_second": round(len(samples) / elapsed, 1),
        "all": percentiles([s[1] for s in samples]),
        "by_endpoint": {kind: dict(count=sum(1 for s in samples if s[0] == kind), **percentiles([s[1] for s in samples if s[0] == kind])) for kind in ("page", "api", "article")},
        "errors": errors[:10],
        "cpus": os.cpu_count(),
    }
    print(json.dumps(report, indent=2))
    out = args.out or args.work / f"load-{before}-{args.server}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {out}", file=sys.stderr)
    return 1 if report["failed"] else 0


if __name__ == "__main__":
    sys.exit(main())
