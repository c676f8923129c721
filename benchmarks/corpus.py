"""A synthetic but realistic news corpus for the benchmark, built from real sentences.

Real articles (``../shared/corpora``: NewsArticles.csv and the BBC text files, or the repo's
``corpus/`` when ``../shared`` is absent: its CSV, JSONL and ``text/world-*`` files) are cut into sentences. Each generated article takes
its title from one real article and 8-30 sentences drawn from the whole pool, in paragraphs,
with a date spread uniformly over 30 years. Everything comes from one ``random.Random(seed)``
and sorted inputs, so the same seed gives the same files byte for byte.

With ``copies`` (a share, e.g. 0.1), that share of the articles are wire copies instead:
an edited copy of an earlier generated article (or of a copy of it), published 0-3 days
later under another headline, with a fifth of its sentences moved, one word in 20
replaced and, half the time, a sentence added. Those are what ``search --collapse``
groups; without them every article is its own story. (The copies come from a second
``random.Random``, so the originals are the same with or without them.)

The articles are written in formats searcher reads: JSONL files of 1,000 articles (most of
them), CSV files of 1,000 rows, and single-article text files with ``title:``/``date:``
header lines. ``generate`` also returns the parsed articles, which the baselines index from
memory.
"""

from __future__ import annotations

import csv
import io
import json
import random
import re
import sys
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Dict, Iterator, List, Optional, Sequence, Tuple

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared" / "corpora"

# Sentence boundary: end punctuation (and closing quotes) then space then a capital or quote.
_SENTENCE = re.compile(r"(?<=[.!?])[\"'\u201d\u2019]?\s+(?=[\"'\u201c\u2018]?[A-Z])")
_SPACE = re.compile(r"\s+")
FIRST_DAY = date(1995, 1, 1)
DAYS = 30 * 365 + 7  # 30 years, leap days included
ARTICLES_PER_FILE = 1000
# Of every 20 articles: 17 JSONL, 2 CSV, 1 text file.
_MIX = ("jsonl",) * 17 + ("csv",) * 2 + ("text",)


@dataclass(frozen=True)
class GenArticle:
    """One generated article as the baselines see it (already parsed)."""

    num: int
    title: str
    body: str
    day: date
    url: str


def _decode(data: bytes) -> str:
    """UTF-8, else Windows-1252, else latin-1: the encodings of the sample's text files."""
    for encoding in ("utf-8", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            pass
    return data.decode("latin-1")


def _real_articles(root: Optional[Path] = None) -> List[Tuple[str, str]]:
    """(title, body) of the real articles, in a stable order."""
    out: List[Tuple[str, str]] = []
    shared = root if root is not None else SHARED
    csv.field_size_limit(sys.maxsize)
    if shared.is_dir():
        csv_files = sorted((shared / "news-csv").glob("*.csv"))
        text_files = sorted((shared / "bbc").glob("*/*.txt"))
    else:
        local = REPO / "corpus"
        csv_files = sorted((local / "csv").glob("*.csv"))
        text_files = sorted((local / "text").glob("world-*/*.txt"))
        for path in sorted((local / "jsonl").glob("*.jsonl")):
            for line in path.read_text(encoding="utf-8").splitlines():
                if line.strip():
                    obj = json.loads(line)
                    out.append((str(obj.get("title", "")), str(obj.get("text", ""))))
    for path in csv_files:
        with open(path, encoding="utf-8", errors="replace", newline="") as fh:
            for row in csv.DictReader(fh):
                out.append((row.get("title") or "", row.get("text") or ""))
    for path in text_files:
        text = _decode(path.read_bytes()).replace("\r\n", "\n")
        title, _, body = text.strip().partition("\n")
        out.append((title, body))
    return [(_SPACE.sub(" ", t).strip(), b) for t, b in out if t.strip() and b.strip()]


def sentence_pool(articles: Sequence[Tuple[str, str]]) -> Tuple[List[str], List[str]]:
    """(titles, sentences): distinct, cleaned, in first-seen order."""
    titles: Dict[str, None] = {}
    sentences: Dict[str, None] = {}
    for title, body in articles:
        if 10 <= len(title) <= 150:
            titles[title] = None
        for part in _SENTENCE.split(_SPACE.sub(" ", body).strip()):
            part = part.strip()
            if 30 <= len(part) <= 400 and " " in part:
                sentences[part] = None
    return list(titles), list(sentences)


def _wire_copy(rng: random.Random, of: GenArticle, num: int, titles: List[str], pool: List[str]) -> GenArticle:
    """An edited copy of ``of``: another headline, sentences moved, words replaced, maybe
    a sentence added, 0-3 days later."""
    sentences = [s for p in of.body.split("\n\n") for s in _SENTENCE.split(p) if s.strip()]
    for _ in range(max(1, len(sentences) // 5)):
        i, j = rng.randrange(len(sentences)), rng.randrange(len(sentences))
        sentences[i], sentences[j] = sentences[j], sentences[i]
    words = " ".join(sentences).split(" ")
    for _ in range(len(words) // 20):
        words[rng.randrange(len(words))] = rng.choice(("the", "said", "new", "report", "officials", "week"))
    text = " ".join(words)
    if rng.random() < 0.5:
        text += " " + rng.choice(pool)
    day = of.day + timedelta(days=rng.randint(0, 3))
    return GenArticle(num, rng.choice(titles), text, day, f"https://wire.example.org/{day.year}/c{num:07d}")


def iter_articles(n: int, seed: int, root: Optional[Path] = None, copies: float = 0.0) -> Iterator[GenArticle]:
    titles, pool = sentence_pool(_real_articles(root))
    rng = random.Random(seed)
    wire = random.Random(seed + 1)
    made: List[GenArticle] = []
    for num in range(n):
        if copies > 0 and made and wire.random() < copies:
            copy = _wire_copy(wire, made[-1 - wire.randrange(min(len(made), 500))], num, titles, pool)
            made.append(copy)
            yield copy
            continue
        title = rng.choice(titles)
        count = rng.randint(8, 30)
        chosen = rng.choices(pool, k=count)
        paragraphs = []
        i = 0
        while i < count:
            step = rng.randint(2, 5)
            paragraphs.append(" ".join(chosen[i : i + step]))
            i += step
        day = FIRST_DAY + timedelta(days=rng.randrange(DAYS))
        article = GenArticle(num, title, "\n\n".join(paragraphs), day, f"https://news.example.org/{day.year}/a{num:07d}")
        if copies > 0:
            made.append(article)
        yield article


def _format_of(num: int) -> str:
    # Files hold 1,000 consecutive articles of one format, so decide by block of 1,000...
    # except text, which is one file per article: every 20th block of 50 goes to text.
    return _MIX[(num // 50) % len(_MIX)]


def generate(n: int, folder: Path, *, seed: int = 42, root: Optional[Path] = None,
             copies: float = 0.0) -> List[GenArticle]:
    """Write ``n`` articles under ``folder`` (jsonl/, csv/, text/) and return them; with
    ``copies``, that share of them are wire copies of earlier ones (see the module doc)."""
    folder = Path(folder)
    articles = list(iter_articles(n, seed, root, copies))
    groups: Dict[str, List[GenArticle]] = {"jsonl": [], "csv": [], "text": []}
    for a in articles:
        groups[_format_of(a.num)].append(a)
    for sub in groups:
        (folder / sub).mkdir(parents=True, exist_ok=True)
    jsonl = groups["jsonl"]
    for f, start in enumerate(range(0, len(jsonl), ARTICLES_PER_FILE)):
        lines = [
            json.dumps({"title": a.title, "text": a.body, "publish_date": a.day.isoformat(), "url": a.url})
            for a in jsonl[start : start + ARTICLES_PER_FILE]
        ]
        (folder / "jsonl" / f"part-{f:04d}.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    rows = groups["csv"]
    for f, start in enumerate(range(0, len(rows), ARTICLES_PER_FILE)):
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(["article_id", "publish_date", "article_source_link", "title", "text"])
        for a in rows[start : start + ARTICLES_PER_FILE]:
            w.writerow([a.num, a.day.strftime("%Y/%m/%d"), a.url, a.title, a.body])
        (folder / "csv" / f"part-{f:04d}.csv").write_text(buf.getvalue(), encoding="utf-8")
    for a in groups["text"]:
        sub = folder / "text" / f"{a.num // 10000:02d}"
        sub.mkdir(exist_ok=True)
        text = f"title: {a.title}\ndate: {a.day.isoformat()}\nurl: {a.url}\n\n{a.body}\n"
        (sub / f"a{a.num:07d}.txt").write_text(text, encoding="utf-8")
    return articles


if __name__ == "__main__":
    import argparse

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("folder", type=Path)
    ap.add_argument("--articles", type=int, default=2000)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--copies", type=float, default=0.0,
                    help="share of the articles that are edited wire copies of earlier ones (e.g. 0.1)")
    args = ap.parse_args()
    made = generate(args.articles, args.folder, seed=args.seed, copies=args.copies)
    print(f"{len(made)} articles written under {args.folder}", file=sys.stderr)
