"""The benchmark's corpus generator: deterministic, in formats searcher reads."""

from __future__ import annotations

import hashlib
import importlib.util
import json
import sys
from pathlib import Path

_PATH = Path(__file__).resolve().parent.parent / "benchmarks" / "corpus.py"
_spec = importlib.util.spec_from_file_location("bench_corpus", _PATH)
corpus = importlib.util.module_from_spec(_spec)
sys.modules["bench_corpus"] = corpus
_spec.loader.exec_module(corpus)  # type: ignore[union-attr]


def _digest(folder: Path) -> dict:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_same_seed_same_files(tmp_path: Path) -> None:
    a = corpus.generate(120, tmp_path / "a", seed=7)
    b = corpus.generate(120, tmp_path / "b", seed=7)
    assert a == b
    assert _digest(tmp_path / "a") == _digest(tmp_path / "b")


def test_other_seed_other_files(tmp_path: Path) -> None:
    corpus.generate(60, tmp_path / "a", seed=1)
    corpus.generate(60, tmp_path / "b", seed=2)
    assert _digest(tmp_path / "a") != _digest(tmp_path / "b")


def test_shape(tmp_path: Path) -> None:
    made = corpus.generate(1100, tmp_path, seed=3)
    assert len(made) == 1100
    assert len({a.url for a in made}) == 1100
    years = {a.day.year for a in made}
    assert min(years) == 1995 and max(years) >= 2023
    for a in made:
        sentences = corpus._SENTENCE.split(a.body.replace("\n\n", " "))
        assert 4 <= len(sentences) <= 60 and a.title
    lines = sum(
        len([x for x in p.read_text(encoding="utf-8").splitlines() if x]) for p in tmp_path.glob("jsonl/*.jsonl")
    )
    texts = list(tmp_path.glob("text/*/*.txt"))
    assert lines > 900 and len(texts) == 50
    first = json.loads((tmp_path / "jsonl" / "part-0000.jsonl").read_text(encoding="utf-8").splitlines()[0])
    assert set(first) == {"title", "text", "publish_date", "url"}
    head = texts[0].read_text(encoding="utf-8").split("\n\n", 1)[0]
    assert head.startswith("title: ") and "\ndate: " in head
