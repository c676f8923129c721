"""Photograph the search page with headless Chromium, so a person can look at it:

    python -m searcher.web.screenshot --index indexes/default --query missile --out results.png

Serves the archive on a free port of 127.0.0.1 for the length of the shot (or photographs a
running server's ``--url``), opens the search page (or ``--article ID``) in Debian's
``chromium`` and writes a PNG. Nothing is fetched from other hosts.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import List, Optional
from urllib.parse import quote, urlencode

from searcher.errors import SearcherError

BROWSERS = ("chromium", "chromium-browser", "google-chrome")
#: Flags for a headless Chromium that never reaches out: no sync, updates or field trials.
CHROMIUM_FLAGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--hide-scrollbars",
)


def find_chromium() -> str:
    """The Chromium binary: ``$CHROMIUM``, else the first of ``BROWSERS`` on the PATH."""
    found = os.environ.get("CHROMIUM") or next(filter(None, map(shutil.which, BROWSERS)), None)
    if not found:
        raise SearcherError("no chromium found; install it with `apt-get install chromium chromium-driver` or set $CHROMIUM")
    return found


def shoot(url: str, out: Path, *, width: int = 1280, height: int = 1600) -> Path:
    """Write a PNG of ``url`` as a ``width`` x ``height`` window shows it."""
    with tempfile.TemporaryDirectory(prefix="searcher-shot-") as profile:
        command = [find_chromium(), *CHROMIUM_FLAGS, f"--user-data-dir={profile}", f"--window-size={width},{height}", f"--screenshot={out.resolve()}", url]
        done = subprocess.run(command, capture_output=True, text=True, timeout=60)
    if done.returncode != 0 or not out.exists():
        raise SearcherError(f"chromium could not take the screenshot (exit {done.returncode}): {done.stderr.strip()[-200:]}")
    return out


def page_path(query: str, *, since: str = "", until: str = "", sort: str = "", page: int = 1, article: str = "") -> str:
    """The path and query string of the page to photograph."""
    args = {k: v for k, v in (("q", query), ("from", since), ("to", until), ("sort", sort), ("page", str(page) if page > 1 else "")) if v}
    base = f"article/{quote(article, safe='')}" if article else ""
    return base + ("?" + urlencode(args) if args else "")


def main(argv: Optional[List[str]] = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m searcher.web.screenshot", description=__doc__.splitlines()[0])
    ap.add_argument("--index", type=Path, default=Path(os.environ.get("SEARCHER_INDEX", "indexes/default")))
    ap.add_argument("--url", help="photograph this running server instead of starting one")
    ap.add_argument("--query", "-q", default="")
    ap.add_argument("--from", dest="since", default="")
    ap.add_argument("--to", dest="until", default="")
    ap.add_argument("--sort", default="")
    ap.add_argument("--page", type=int, default=1)
    ap.add_argument("--article", default="", help="photograph this article's page")
    ap.add_argument("--out", type=Path, default=Path("results.png"))
    ap.add_argument("--width", type=int, default=1280)
    ap.add_argument("--height", type=int, default=1600)
    args = ap.parse_args(argv)
    path = page_path(args.query, since=args.since, until=args.until, sort=args.sort, page=args.page, article=args.article)
    try:
        if args.url:
            shoot(args.url.rstrip("/") + "/" + path, args.out, width=args.width, height=args.height)
        else:
            from searcher.web.server import running

            with running(args.index, threads=2) as address:
                shoot(address + path, args.out, width=args.width, height=args.height)
    except SearcherError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"wrote {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
