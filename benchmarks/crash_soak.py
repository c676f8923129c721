"""Crash soak: the crash test of ``tests/test_crash.py`` run longer, with more kill points.

Each chain builds a fresh corpus and index, kills `searcher index` with SIGKILL ``--kills``
times (in turn: after a random delay, just after a segment is written but before or while
its TOC is, and just after a commit), checks after every kill that the index opens,
searches, and holds only whole files with no duplicate ids, then lets one run finish and
checks that it holds exactly the expected articles. Any failed check stops the soak with
the assertion.

    python benchmarks/crash_soak.py --chains 5 --kills 40
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tests.test_crash import kill_chain, make_corpus  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--chains", type=int, default=3, help="fresh corpus + index per chain")
    parser.add_argument("--kills", type=int, default=30, help="kill points per chain (fewer if the run finishes)")
    parser.add_argument("--jsonl-files", type=int, default=40)
    parser.add_argument("--per-file", type=int, default=50)
    parser.add_argument("--text-files", type=int, default=1000)
    parser.add_argument("--batch", type=int, default=100, help="SEARCHER_BATCH_ARTICLES for the killed runs")
    parser.add_argument("--max-delay", type=float, default=3.0, help="longest random delay before a kill")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()

    totals: Counter = Counter()
    triggers: Counter = Counter()
    started = time.monotonic()
    for chain in range(args.chains):
        with tempfile.TemporaryDirectory(prefix="crash-soak-") as tmp:
            root = Path(tmp)
            expected = make_corpus(
                root / "corpus",
                jsonl_files=args.jsonl_files,
                per_file=args.per_file,
                text_files=args.text_files,
                seed=args.seed + chain,
            )
            articles = sum(len(ids) for ids in expected.values())
            report = kill_chain(
                root / "corpus",
                root / "idx",
                expected,
                kills=args.kills,
                seed=args.seed * 1000 + chain,
                batch=args.batch,
                max_delay=args.max_delay,
            )
        totals["chains"] += 1
        totals["kills_tried"] += report.kills_tried
        totals["killed_running"] += report.killed_running
        totals["survived"] += report.survived
        triggers.update(report.triggers)
        print(
            f"chain {chain + 1}: {articles} articles, {report.kills_tried} kills "
            f"({report.killed_running} while running), {report.survived} survived, "
            f"counts after kills {report.counts}, {report.seconds:.1f} s",
            file=sys.stderr,
        )
    figures = {
        **totals,
        "triggers": dict(triggers),
        "seconds": round(time.monotonic() - started, 1),
    }
    if args.json:
        print(json.dumps(figures, indent=2))
    else:
        print(
            f"{figures['kills_tried']} kill points tried in {figures['chains']} chains, "
            f"{figures['killed_running']} while the run was going, {figures['survived']} survived "
            f"(index whole, next run exact); triggers {figures['triggers']}; {figures['seconds']} s"
        )
    return 0 if totals["survived"] == totals["kills_tried"] else 1


if __name__ == "__main__":
    sys.exit(main())
