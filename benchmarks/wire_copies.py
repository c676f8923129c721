"""Planted wire copies: precision and recall of ``searcher.analytics.neardup.group``.

Builds an evaluation corpus from real articles (``NewsArticles.csv`` and the BBC text
files under a corpora folder, or the repo's ``corpus/``), then groups it and scores the
grouping pair by pair against what was planted:

* **Originals**: real articles of at least ``MIN_WORDS`` words.
* **Copies**: 1-6 per original, every copy edited in *all* these ways at once: a new
  headline (another article's), a third of its sentences moved, 10% of its words
  replaced by random words of the corpus, a paragraph of 2-4 sentences from another
  article on the same topic inserted, and half the time a byline ("By NAME, AGENCY")
  and/or a trailing paragraph (credits, a copyright line). Copies are independent
  edits of the original, so two copies differ from each other more than from it.
* **Distractors**: up to 5 real articles per original on the same topic (their body
  holds the original's best keyword, from ``searcher.keywords.extract_keywords``).
  The added paragraphs come from other articles on the topic that are not evaluated.
* The real corpus has its own copies of one story (the BBC set and the CSV hold some,
  written from one statement or one agency story); articles whose exact word
  4-shingle Jaccard with an earlier one is at least ``--drop-real`` (0.3) are dropped
  from the pool before sampling (counted in the output), so that a real copy is not
  scored as a false positive. The measure is exact set Jaccard, not MinHash.

Pairwise scores: a predicted pair is two articles in one group; a true pair is two
articles of one family (an original and its copies). Precision = true predicted pairs
/ predicted pairs; recall = true predicted pairs / true pairs.

    python benchmarks/wire_copies.py --corpora /work/shared/corpora
    python benchmarks/wire_copies.py --corpora /work/shared/corpora --sweep
    python benchmarks/wire_copies.py --corpora /work/shared/corpora --cost --runs 5
"""

from __future__ import annotations

import argparse
import csv
import gzip
import json
import random
import re
import statistics
import sys
import time
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Dict, Iterable, List, Optional, Sequence, Set, Tuple

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from searcher.analytics import neardup  # noqa: E402
from searcher.keywords import extract_keywords  # noqa: E402

MIN_WORDS = 150
_SENTENCE = re.compile(r"(?<=[.!?])[\"'\u201d\u2019]?\s+(?=[\"'\u201c\u2018]?[A-Z])")
_WORD = re.compile(r"\w+")
_OUTLETS = (
    "Reuters", "AP", "AFP", "ABC News", "Al Jazeera", "TASS", "RTE", "HuffPost", "BBC",
    "The Guardian", "Daily Star", "The Hindu", "Irish Times", "Yahoo News", "CNN",
)  # fmt: skip
_NAMES = ("Anna Keller", "John Doyle", "Priya Raman", "Tom Hardy", "Lena Sato", "Omar Haddad")
_TRAILERS = (
    "Reporting by {a}; additional reporting by {b}; editing by {c}.",
    "Copyright {y} {o}. All rights reserved. This material may not be published, broadcast, rewritten or redistributed.",
    "{a} contributed to this report. Follow {o} for the latest updates on this story.",
)


@dataclass(frozen=True)
class EvalArticle:
    """One article of the evaluation corpus; ``family`` is shared by an original and its copies."""

    id: str
    title: str
    body: str
    date: datetime
    source: str
    family: int


def load_real(corpora: Path) -> List[Tuple[str, str]]:
    """(title, body) of the real articles under ``corpora`` (shared layout) or of the repo's
    ``corpus/`` when ``corpora`` is the repo folder, bodies with at least MIN_WORDS words."""
    csv.field_size_limit(sys.maxsize)
    out: List[Tuple[str, str]] = []
    for path in sorted(corpora.glob("jsonl/*.jsonl")) + sorted(corpora.glob("jsonl/*.jsonl.gz")):
        opener = gzip.open if path.suffix == ".gz" else open
        with opener(path, "rt", encoding="utf-8") as fh:  # type: ignore[operator]
            for line in fh:
                if line.strip():
                    obj = json.loads(line)
                    out.append((str(obj.get("title", "")), str(obj.get("text", ""))))
    csv_files = sorted(corpora.glob("news-csv/*.csv")) + sorted(corpora.glob("csv/*.csv"))
    for path in csv_files:
        with open(path, encoding="utf-8", errors="replace", newline="") as fh:
            for row in csv.DictReader(fh):
                out.append((row.get("title") or "", row.get("text") or ""))
    for path in sorted(corpora.glob("bbc/*/*.txt")) + sorted(corpora.glob("text/**/*.txt")):
        data = path.read_bytes()
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text = data.decode("latin-1")
        title, _, body = text.replace("\r\n", "\n").strip().partition("\n")
        if title.lower().startswith("title:"):
            # the repo's text files: header lines, a blank line, the body
            head, _, body = text.partition("\n\n")
            title = head.splitlines()[0][6:]
        out.append((title.strip(), body.strip()))
    seen: Set[str] = set()
    unique = []
    for title, body in out:
        key = " ".join(body.split())
        if len(key.split()) >= MIN_WORDS and key not in seen:
            seen.add(key)
            unique.append((" ".join(title.split()), body))
    return unique


def _shingle_set(body: str) -> Set[Tuple[str, ...]]:
    words = _WORD.findall(body.casefold())
    return {tuple(words[i : i + 4]) for i in range(max(1, len(words) - 3))}


def drop_real_duplicates(articles: List[Tuple[str, str]], limit: float = 0.5) -> Tuple[List[Tuple[str, str]], int]:
    """The articles without those whose exact 4-shingle Jaccard with an earlier one is at
    least ``limit`` (found through shared shingles, computed exactly: independent of MinHash)."""
    sets = [_shingle_set(body) for _, body in articles]
    owners: Dict[Tuple[str, ...], List[int]] = {}
    dropped: Set[int] = set()
    for i, shingles in enumerate(sets):
        shared: Dict[int, int] = {}
        for s in shingles:
            for j in owners.get(s, ()):
                shared[j] = shared.get(j, 0) + 1
        if any(n / (len(shingles) + len(sets[j]) - n) >= limit for j, n in shared.items()):
            dropped.add(i)
            continue
        for s in shingles:
            owners.setdefault(s, []).append(i)
    return [a for i, a in enumerate(articles) if i not in dropped], len(dropped)


def _sentences(body: str) -> List[str]:
    return [s.strip() for s in _SENTENCE.split(" ".join(body.split())) if s.strip()]


def edit_copy(body: str, *, rng: random.Random, vocabulary: Sequence[str], insert: Sequence[str], year: int) -> str:
    """A wire copy of ``body``: a third of the sentences moved, 10% of words replaced, a
    paragraph of ``insert`` sentences added, and maybe a byline and a trailing paragraph."""
    sentences = _sentences(body)
    moved = rng.sample(range(len(sentences)), k=max(2, len(sentences) // 3)) if len(sentences) > 2 else []
    shuffled = moved[:]
    rng.shuffle(shuffled)
    reordered = sentences[:]
    for src, dst in zip(moved, shuffled):
        reordered[dst] = sentences[src]
    words = " ".join(reordered).split(" ")
    for i in rng.sample(range(len(words)), k=len(words) // 10):
        words[i] = rng.choice(vocabulary)
    sentences = _sentences(" ".join(words))
    paragraphs = [" ".join(sentences[i : i + 3]) for i in range(0, len(sentences), 3)]
    paragraphs.insert(rng.randrange(len(paragraphs) + 1), " ".join(insert))
    names = rng.sample(_NAMES, 3)
    outlet = rng.choice(_OUTLETS)
    if rng.random() < 0.5:
        paragraphs.insert(0, f"By {names[0]}, {outlet}")
    if rng.random() < 0.5:
        trailer = rng.choice(_TRAILERS)
        paragraphs.append(trailer.format(a=names[0], b=names[1], c=names[2], o=outlet, y=year))
    return "\n\n".join(paragraphs)


def build(real: List[Tuple[str, str]], *, originals: int, seed: int) -> List[EvalArticle]:
    """The evaluation corpus (see the module docstring), in a shuffled, seeded order."""
    rng = random.Random(seed)
    lowered = [body.lower() for _, body in real]
    vocabulary = sorted({w for _, body in real[:500] for w in _WORD.findall(body) if len(w) > 2})
    chosen = rng.sample(range(len(real)), k=min(originals, len(real) // 3))
    taken = set(chosen)
    out: List[EvalArticle] = []
    start = datetime(2017, 1, 1, tzinfo=timezone.utc)
    family = 0
    for num, index in enumerate(chosen):
        title, body = real[index]
        keywords = extract_keywords(title, body, count=3)
        topic = [j for j in range(len(real)) if j not in taken and keywords and keywords[0] in lowered[j]]
        distractors = rng.sample(topic, k=min(5, len(topic)))
        taken.update(distractors)
        # The added paragraph comes from another article on the topic that is *not* in
        # the evaluated set (else a copy would share it with a distractor, planted overlap).
        spare = [j for j in topic if j not in taken] or [j for j in rng.sample(range(len(real)), k=20) if j not in taken]
        donors = rng.sample(spare, k=min(3, len(spare)))
        taken.update(donors)
        day = start + timedelta(days=rng.randrange(365), hours=rng.randrange(24))
        out.append(EvalArticle(f"o{num}", title, body, day, rng.choice(_OUTLETS), family))
        for c in range(rng.randint(1, 6)):
            donor = _sentences(real[rng.choice(donors)][1])
            at = rng.randrange(max(1, len(donor) - 3))
            insert = donor[at : at + rng.randint(2, 4)]
            copy = edit_copy(body, rng=rng, vocabulary=vocabulary, insert=insert, year=day.year)
            headline = real[rng.randrange(len(real))][0]
            when = day + timedelta(hours=rng.randint(1, 72))
            out.append(EvalArticle(f"o{num}c{c}", headline, copy, when, rng.choice(_OUTLETS), family))
        family += 1
        for d in distractors:
            when = start + timedelta(days=rng.randrange(365))
            out.append(EvalArticle(f"d{d}", real[d][0], real[d][1], when, rng.choice(_OUTLETS), family))
            family += 1
    rng.shuffle(out)
    return out


def _pairs(groups: Iterable[Iterable[str]]) -> Set[Tuple[str, str]]:
    out: Set[Tuple[str, str]] = set()
    for members in groups:
        ids = sorted(members)
        out.update((a, b) for i, a in enumerate(ids) for b in ids[i + 1 :])
    return out


def score(articles: Sequence[EvalArticle], groups: Sequence[neardup.Group]) -> Tuple[float, float, int, int]:
    """(precision, recall, predicted pairs, true pairs) of a grouping, pair by pair."""
    families: Dict[int, List[str]] = {}
    for a in articles:
        families.setdefault(a.family, []).append(a.id)
    truth = _pairs(families.values())
    predicted = _pairs([m.id for m in g.members] for g in groups)
    hits = len(truth & predicted)
    precision = hits / len(predicted) if predicted else 1.0
    recall = hits / len(truth) if truth else 1.0
    return precision, recall, len(predicted), len(truth)


def evaluate(articles: Sequence[EvalArticle], thresholds: Sequence[float]) -> List[Tuple[float, float, float, int, int]]:
    """(threshold, precision, recall, predicted pairs, true pairs) for each threshold."""
    rows = [(a.id, a.date, a.source, neardup.signature(a.body)) for a in articles]
    return [(t, *score(articles, neardup.group(rows, threshold=t))) for t in thresholds]


def archive_scores(articles: Sequence[EvalArticle], queries: int) -> List[Tuple[str, float, float, int, int]]:
    """The same scores for the stories an archive assigns at index time (``searcher.stories``):
    the articles indexed into a temporary Whoosh archive in batches of 200, the stories read
    back with a collapsed search matching every article; then, for the top keyword of
    ``queries`` originals, the collapsed groups of that query's matches against the true
    pairs among those matches (a story's matches are grouped even when the copy that links
    them does not match)."""
    import os
    import tempfile

    from searcher import Archive
    from searcher.article import Article

    families = {a.id: a.family for a in articles}
    os.environ["SEARCHER_BATCH_ARTICLES"] = "200"
    out = []
    with tempfile.TemporaryDirectory() as folder, Archive.open(Path(folder) / "ix", create=True) as archive:
        archive.add(Article(id=a.id, title=a.title, body=a.body, date=a.date, source=a.source) for a in articles)

        def scored(name: str, query: str) -> Tuple[str, float, float, int, int]:
            found = archive.search(query, collapse=True, limit=100_000, snippets=0, timeout=None)
            ids = [i for h in found.hits for i in (h.id, *h.copies)]
            truth_groups: Dict[int, List[str]] = {}
            for i in ids:
                truth_groups.setdefault(families[i], []).append(i)
            truth = _pairs(truth_groups.values())
            predicted = _pairs([(h.id, *h.copies) for h in found.hits])
            hits = len(truth & predicted)
            return (name, hits / len(predicted) if predicted else 1.0, hits / len(truth) if truth else 1.0,
                    len(predicted), len(truth))

        out.append(scored("whole archive", "-zznowordqq"))
        rng = random.Random(5)
        originals = [a for a in articles if a.id.startswith("o") and "c" not in a.id]
        for a in rng.sample(originals, min(queries, len(originals))):
            keywords = extract_keywords(a.title, a.body, count=1)
            if keywords:
                out.append(scored(keywords[0], f'keyword:"{keywords[0]}" OR "{keywords[0]}"'))
    return out


def signature_cost(bodies: Sequence[str], runs: int) -> Tuple[float, List[float]]:
    """Median over ``runs`` passes of the mean signature time per body, in microseconds."""
    neardup.signature(bodies[0])
    per_run = []
    for _ in range(runs):
        t0 = time.perf_counter()
        for body in bodies:
            neardup.signature(body)
        per_run.append((time.perf_counter() - t0) / len(bodies) * 1e6)
    return statistics.median(per_run), per_run


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpora", type=Path, default=REPO.parent / "shared" / "corpora")
    parser.add_argument("--originals", type=int, default=300)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--threshold", type=float, default=neardup.THRESHOLD)
    parser.add_argument("--sweep", action="store_true", help="score thresholds 0.10 to 0.60 too")
    parser.add_argument("--drop-real", type=float, default=0.3, help="exact Jaccard of real copies dropped from the pool")
    parser.add_argument("--cost", action="store_true", help="time signature() over the real bodies")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--archive", type=int, metavar="QUERIES", default=0,
                        help="also score the stories of an archive: all of them, and the collapsed groups of "
                             "QUERIES queries")
    args = parser.parse_args(argv)
    corpora = args.corpora if args.corpora.is_dir() else REPO / "corpus"
    real = load_real(corpora)
    if args.cost:
        bodies = [body for _, body in real]
        words = statistics.median(len(b.split()) for b in bodies)
        median, per_run = signature_cost(bodies, args.runs)
        print(f"signature: {median:.0f} us/article (median of {args.runs} runs: "
              f"{', '.join(f'{x:.0f}' for x in per_run)}), {len(bodies)} real bodies, median {words:.0f} words, "
              f"{neardup.SIGNATURE_BYTES} bytes stored")
        return 0
    pool, dropped = drop_real_duplicates(real, args.drop_real)
    articles = build(pool, originals=args.originals, seed=args.seed)
    copies = sum(1 for a in articles if "c" in a.id[1:])
    print(f"corpus: {corpora}; {len(real)} real articles, {dropped} real copies dropped (exact 4-shingle Jaccard >= {args.drop_real}); "
          f"{len(articles)} evaluated ({args.originals} originals, {copies} edited copies, "
          f"{len(articles) - args.originals - copies} same-topic distractors), seed {args.seed}")
    thresholds = sorted({args.threshold, *([x / 20 for x in range(2, 13)] if args.sweep else [])})
    t0 = time.perf_counter()
    results = evaluate(articles, thresholds)
    print(f"(signatures and {len(thresholds)} groupings in {time.perf_counter() - t0:.1f} s)")
    print("threshold  precision  recall  predicted-pairs  true-pairs")
    for t, p, r, npred, ntrue in results:
        mark = "  <- default" if abs(t - neardup.THRESHOLD) < 1e-9 else ""
        print(f"{t:9.2f}  {p:9.3f}  {r:6.3f}  {npred:15d}  {ntrue:10d}{mark}")
    if args.archive:
        rows = archive_scores(articles, args.archive)
        print("\nstories of an archive (index time)   precision  recall  predicted-pairs  true-pairs")
        for name, p, r, npred, ntrue in rows[:1]:
            print(f"{name:<36}  {p:9.3f}  {r:6.3f}  {npred:15d}  {ntrue:10d}")
        within = rows[1:]
        if within:
            hits_p = sum(p * n for _, p, _, n, _ in within) / max(1, sum(n for _, _, _, n, _ in within))
            hits_r = sum(r * t for _, _, r, _, t in within) / max(1, sum(t for _, _, _, _, t in within))
            print(f"{'collapsed groups, ' + str(len(within)) + ' queries (pooled)':<36}  {hits_p:9.3f}  {hits_r:6.3f}  "
                  f"{sum(n for *_, n, _ in within):15d}  {sum(t for *_, t in within):10d}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
