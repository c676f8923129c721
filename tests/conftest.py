"""Shared fixtures: the optional ../shared corpora and tiny archives built in tmp_path."""

from __future__ import annotations

from pathlib import Path
from typing import Callable, Dict

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
CORPORA = SHARED / "corpora"


@pytest.fixture
def corpora() -> Path:
    """../shared/corpora, or a clean skip where it is absent (a user's clone)."""
    if not CORPORA.is_dir():
        pytest.skip("../shared/corpora is not here")
    return CORPORA


def write_article(folder: Path, name: str, *, title: str, body: str, date: str = "", **headers: str) -> Path:
    """A plain-text article with header lines, the way users keep notes and clippings."""
    lines = [f"title: {title}"]
    if date:
        lines.append(f"date: {date}")
    lines += [f"{k}: {v}" for k, v in headers.items()]
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n\n" + body + "\n", encoding="utf-8")
    return path


@pytest.fixture
def make_articles(tmp_path: Path) -> Callable[[Dict[str, tuple]], Path]:
    """Write {name: (title, date, body)} as text files under tmp_path/news and return it."""

    def make(spec: Dict[str, tuple]) -> Path:
        folder = tmp_path / "news"
        for name, (title, date, body) in spec.items():
            write_article(folder, name, title=title, date=date, body=body)
        return folder

    return make
