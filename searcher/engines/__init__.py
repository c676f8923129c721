"""The engines an archive can live in, chosen by where it is.

``open_engine("indexes/news")`` opens a Whoosh index folder (the embedded default, nothing to
install); ``open_engine("postgresql://user@host:5432/db")`` an archive in a PostgreSQL
database. Each engine is a package here implementing ``base.Engine``; it is imported only
when an archive of its kind is opened, so a Whoosh search never imports psycopg and the
reverse.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Type, Union

if TYPE_CHECKING:  # pragma: no cover
    from searcher.engines.base import Engine

#: URL schemes that select the PostgreSQL engine.
POSTGRES_SCHEMES = ("postgresql://", "postgres://")


def is_postgres(location: Union[str, "os.PathLike[str]"]) -> bool:
    """Whether ``location`` names a PostgreSQL archive rather than a folder."""
    return isinstance(location, str) and location.lower().startswith(POSTGRES_SCHEMES)


def printable_location(location: Union[str, "os.PathLike[str]"]) -> str:
    """``location`` safe to show: a connection URL without its password."""
    text = os.fspath(location)
    if is_postgres(text):
        from searcher.engines.postgres.url import redact

        return redact(text)
    return text


def engine_class(location: Union[str, "os.PathLike[str]"]) -> Type["Engine"]:
    """The engine class for ``location``."""
    if is_postgres(location):
        from searcher.engines.postgres.engine import PostgresEngine

        return PostgresEngine
    from searcher.engines.whoosh.engine import WhooshEngine

    return WhooshEngine


def open_engine(location: Union[str, "os.PathLike[str]"], *, create: bool = False) -> "Engine":
    """Open the archive at ``location`` (a folder or a ``postgresql://`` URL)."""
    return engine_class(location).open(os.fspath(location), create=create)


def rebuild_engine(location: Union[str, "os.PathLike[str]"], *, wait: float = 0.0) -> "Engine":
    """Empty the archive at ``location`` (or make it) and return it open."""
    return engine_class(location).rebuild(os.fspath(location), wait=wait)
