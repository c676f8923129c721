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


# -- PostgreSQL -------------------------------------------------------------------------------


def pg_missing(reason: str) -> None:
    """Skip (on a user's machine) or fail (in CI, where the tests must run) without a server."""
    import os

    from tests.pg_server import INSTALL_HINT

    message = f"PostgreSQL tests need a server: {reason}; {INSTALL_HINT}"
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="session")
def pg_server():
    """One PostgreSQL server for the whole test session, in a temporary folder, stopped at
    the end."""
    try:
        import psycopg  # noqa: F401
    except ImportError:
        pg_missing("psycopg is not installed (pip install -e .)")
    from tests.pg_server import PgServer, bin_dir

    if bin_dir() is None:
        pg_missing("initdb was not found")
    server = PgServer()
    try:
        server.init().start()
    except Exception as exc:
        server.cleanup()
        pg_missing(f"the server did not start ({exc})")
    yield server
    server.cleanup()


_DATABASES = {"n": 0}


@pytest.fixture
def pg_url(pg_server) -> str:
    """The URL of a new, empty database on the session's server."""
    _DATABASES["n"] += 1
    return pg_server.create_database(f"t{_DATABASES['n']}")
