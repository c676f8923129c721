"""Score searcher's HTML reader on the dev set: dates, titles, text, and time per page.

    python benchmarks/extraction.py                  # searcher only
    python benchmarks/extraction.py --compare        # also htmldate and trafilatura, if installed
    python benchmarks/extraction.py --split heldout  # one part only (tune | heldout | fresh | all)
    python benchmarks/extraction.py --list-misses    # the pages whose date is missing or wrong

The dev set is ``tests/data/devset`` (pages from htmldate's and trafilatura's test data, see its
README) plus, when ``../shared`` is present, the newspaper4k pages of
``../shared/corpora/html`` (the set searcher was first tuned on: always counted as "tune").

Figures:

* dates, on article pages with a known publication day: found (any date) and right (the
  publication's own calendar day equals the expected one), overall and by where searcher
  found the date; pages that are not articles are counted apart (a date there is not wrong);
* titles: exact match after folding case, quotes and spacing;
* text: trafilatura's own measure on its pages (snippets the text must hold / must not
  hold: precision, recall, F1) and, for the newspaper4k pages with a full reference text,
  the shingle F1 (4-word shingles) used by the article-extraction benchmarks;
* speed: median milliseconds per page end to end (bytes in, ``Article`` out), over
  ``--runs`` passes.
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import statistics
import sys
import time
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Callable, Dict, Iterable, List, Optional, Tuple

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from searcher.sources import html as html_source  # noqa: E402

DEVSET = ROOT / "tests" / "data" / "devset"
SHARED_HTML = ROOT.parent / "shared" / "corpora" / "html"
SHARED_HTML_ALT = Path("/work/shared/corpora/html")


@dataclass
class Page:
    """One dev-set page and what is expected of it."""

    name: str
    data: bytes
    split: str
    kind: str  # article | other
    day: Optional[date]
    title: Optional[str]
    with_: List[str] = field(default_factory=list)
    without: List[str] = field(default_factory=list)
    reference: Optional[str] = None  # full reference text
    url: str = ""


def load_pages(split: str) -> List[Page]:
    pages = []
    for line in (DEVSET / "expected.jsonl").read_text(encoding="utf-8").splitlines():
        rec = json.loads(line)
        pages.append(Page(
            name=rec["file"], data=gzip.decompress((DEVSET / "pages" / rec["file"]).read_bytes()),
            split=rec["split"], kind=rec["kind"],
            day=date.fromisoformat(rec["date"]) if rec["date"] else None,
            title=rec["title"], with_=rec["with"], without=rec["without"], url=rec["url"],
            reference=rec.get("reference"),
        ))  # fmt: skip
    shared = SHARED_HTML if SHARED_HTML.is_dir() else SHARED_HTML_ALT
    if shared.is_dir():
        pages.extend(_newspaper_pages(shared))
    return [p for p in pages if split == "all" or p.split == split]


def _newspaper_pages(folder: Path) -> Iterable[Page]:
    """newspaper4k's annotated pages: metadata JSON (title, publish_date) and reference text."""
    for meta_path in sorted((folder / "metadata").glob("*.json")):
        stem = meta_path.stem
        page_path, text_path = folder / "html" / f"{stem}.html", folder / "txt" / f"{stem}.txt"
        if not page_path.exists():
            continue
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        published = str(meta.get("publish_date") or "")[:10]
        yield Page(
            name=f"newspaper4k/{stem}.html", data=page_path.read_bytes(), split="tune",
            kind="article", day=date.fromisoformat(published) if published else None,
            title=meta.get("title") or None,
            reference=text_path.read_text(encoding="utf-8") if text_path.exists() else None,
            url=meta.get("url", ""),
        )  # fmt: skip


# --- measures -----------------------------------------------------------------------------

_QUOTES = str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"', "„": '"', "–": "-", "—": "-", "′": "'"})


def fold(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).translate(_QUOTES).casefold().split())


def shingles(text: str, size: int = 4) -> Counter:
    words = re.findall(r"\w+", text.casefold())
    return Counter(tuple(words[i : i + size]) for i in range(max(len(words) - size + 1, 1)))


def shingle_f1(found: str, reference: str) -> float:
    a, b = shingles(found), shingles(reference)
    overlap = sum((a & b).values())
    if not overlap:
        return 0.0
    precision, recall = overlap / sum(a.values()), overlap / sum(b.values())
    return 2 * precision * recall / (precision + recall)


@dataclass
class Extracted:
    day: Optional[date]
    title: Optional[str]
    text: Optional[str]
    where: str = ""


def searcher_extract(page: Page) -> Extracted:
    articles = [a for a in html_source.read(page.data, path=page.name, mapping={}) if hasattr(a, "body")]
    article = articles[0]
    return Extracted(article.day, article.title, article.body)


def searcher_date_source(page: Page) -> str:
    found = html_source.publication_date(html_source.decode_page(page.data))
    return found.where.split(" ")[0] if found else "none"


def htmldate_extract(page: Page) -> Extracted:
    from htmldate import find_date

    text = html_source.decode_page(page.data)
    found = find_date(text, original_date=True)
    return Extracted(date.fromisoformat(found) if found else None, None, None)


def trafilatura_extract(page: Page) -> Extracted:
    import trafilatura

    text = html_source.decode_page(page.data)
    doc = trafilatura.bare_extraction(text, with_metadata=True)
    if doc is None:
        return Extracted(None, None, None)
    get = (lambda k: getattr(doc, k, None)) if not isinstance(doc, dict) else doc.get
    found = get("date")
    return Extracted(date.fromisoformat(found[:10]) if found else None, get("title"), get("text"))


def timed(fn: Callable[[Page], Extracted], pages: List[Page], runs: int) -> Tuple[List[Extracted], float, float]:
    """Results of one pass, and the medians over ``runs`` passes of wall and CPU ms per page
    (CPU time is the steadier figure on a shared machine)."""
    walls, cpus = [], []
    results: List[Extracted] = []
    for _ in range(runs):
        start, cpu = time.perf_counter(), time.process_time()
        results = [fn(p) for p in pages]
        walls.append((time.perf_counter() - start) * 1000 / max(len(pages), 1))
        cpus.append((time.process_time() - cpu) * 1000 / max(len(pages), 1))
    return results, statistics.median(walls), statistics.median(cpus)


def report(name: str, pages: List[Page], results: List[Extracted], ms: float, cpu_ms: float, *,
           sources: Optional[List[str]] = None, list_misses: bool = False) -> None:
    print(f"\n== {name}: {len(pages)} pages, {ms:.1f} ms/page wall, {cpu_ms:.1f} ms/page CPU")
    dated = [(p, r, sources[i] if sources else "") for i, (p, r) in enumerate(zip(pages, results)) if p.kind == "article" and p.day]
    if dated:
        found = sum(r.day is not None for _, r, _ in dated)
        right = sum(r.day == p.day for p, r, _ in dated)
        print(f"dates on {len(dated)} articles: found {found} ({100 * found / len(dated):.1f}%), "
              f"right {right} ({100 * right / len(dated):.1f}%), wrong {found - right}")
        if sources:
            by: Dict[str, List[int]] = defaultdict(lambda: [0, 0])
            for p, r, where in dated:
                by[where][0] += 1
                by[where][1] += r.day == p.day
            print("  by where the date came from: " + ", ".join(
                f"{w} {n} ({ok} right)" for w, (n, ok) in sorted(by.items(), key=lambda kv: -kv[1][0])))
        if list_misses:
            for p, r, where in dated:
                if r.day != p.day:
                    print(f"  miss {p.name}: expected {p.day}, got {r.day} ({where})")
    others = [(p, r) for p, r in zip(pages, results) if p.kind != "article"]
    if others:
        print(f"non-article pages: {len(others)}, a date given for {sum(r.day is not None for _, r in others)}")
    titled = [(p, r) for p, r in zip(pages, results) if p.title and r.title is not None]
    if titled:
        same = sum(fold(p.title) == fold(r.title or "") for p, r in titled)
        print(f"titles: {same}/{len(titled)} exact ({100 * same / len(titled):.1f}%)")
        if list_misses:
            for p, r in titled:
                if fold(p.title) != fold(r.title or ""):
                    print(f"  title {p.name}: expected {p.title!r}, got {r.title!r}")
    snippets = [(p, r) for p, r in zip(pages, results) if (p.with_ or p.without) and r.text is not None]
    if snippets:
        tp = fn = fp = tn = 0
        for p, r in snippets:
            text = r.text or ""
            tp += sum(s in text for s in p.with_)
            fn += sum(s not in text for s in p.with_)
            fp += sum(s in text for s in p.without)
            tn += sum(s not in text for s in p.without)
        precision, recall = tp / max(tp + fp, 1), tp / max(tp + fn, 1)
        f1 = 2 * precision * recall / max(precision + recall, 1e-9)
        print(f"text snippets on {len(snippets)} pages: precision {precision:.3f}, recall {recall:.3f}, "
              f"F1 {f1:.3f} (with {tp}/{tp + fn} found, without {fp}/{fp + tn} leaked)")
    full = [(p, r) for p, r in zip(pages, results) if p.reference and r.text is not None]
    if full:
        scores = [shingle_f1(r.text or "", p.reference or "") for p, r in full]
        print(f"text shingle F1 on {len(full)} pages with a reference text: mean {statistics.mean(scores):.3f}, "
              f"median {statistics.median(scores):.3f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", choices=("tune", "heldout", "fresh", "all"), default="all")
    parser.add_argument("--runs", type=int, default=3, help="timed passes (median reported)")
    parser.add_argument("--compare", action="store_true", help="also score htmldate and trafilatura")
    parser.add_argument("--list-misses", action="store_true")
    args = parser.parse_args()
    splits = ("tune", "heldout", "fresh") if args.split == "all" else (args.split,)
    for split in splits + (("all",) if args.split == "all" else ()):
        pages = load_pages(split)
        print(f"\n######## split: {split} ({len(pages)} pages)")
        results, ms, cpu_ms = timed(searcher_extract, pages, args.runs)
        sources = [searcher_date_source(p) for p in pages]
        report("searcher", pages, results, ms, cpu_ms, sources=sources, list_misses=args.list_misses and split != "all")
        if args.compare:
            for name, fn in (("htmldate (original_date=True)", htmldate_extract), ("trafilatura", trafilatura_extract)):
                try:
                    results, ms, cpu_ms = timed(fn, pages, args.runs)
                except ImportError:
                    print(f"\n== {name}: not installed")
                    continue
                report(name, pages, results, ms, cpu_ms, list_misses=args.list_misses and split != "all")


if __name__ == "__main__":
    main()
