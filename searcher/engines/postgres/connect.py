"""Connecting to PostgreSQL, and server errors as one-line ``SearcherError`` messages.

The only place that turns psycopg's exceptions into messages a user reads; every message
names the fix and shows the URL through ``url.redact`` (never a password).
"""

from __future__ import annotations

import contextlib
from typing import Iterator, NoReturn

import psycopg
from psycopg import errors as pgerrors

from searcher.engines.postgres.url import redact
from searcher.errors import EngineUnavailable, IndexLocked, IndexNotFound, SearcherError

#: Seconds to wait for a server before giving up.
CONNECT_TIMEOUT = 10


def connect(url: str, *, autocommit: bool = True) -> psycopg.Connection:
    """A connection to the archive's database; ``EngineUnavailable`` (one line, no
    password) when the server is down, refuses the login or has no such database."""
    try:
        return psycopg.connect(url, autocommit=autocommit, connect_timeout=CONNECT_TIMEOUT,
                               application_name="searcher")
    except psycopg.OperationalError as exc:
        raise connection_error(url, exc) from None
    except psycopg.ProgrammingError as exc:  # a malformed URL or option
        raise SearcherError(f"'{redact(url)}' is not a usable PostgreSQL URL; "
                            "write it as postgresql://USER@HOST:PORT/DATABASE") from None


def connection_error(url: str, exc: BaseException) -> SearcherError:
    """What a failed connection means for the user."""
    shown = redact(url)
    text = str(exc)
    lowered = text.lower()
    if "password authentication failed" in lowered or "no password supplied" in lowered:
        return EngineUnavailable(f"PostgreSQL at {shown} refused the login; check the user and password "
                                 "(in the URL, $PGPASSWORD or ~/.pgpass)")
    if "does not exist" in lowered and "database" in lowered:
        return IndexNotFound(f"PostgreSQL at {shown} has no such database; create it (createdb) "
                             "or name another one in the URL")
    if "role" in lowered and "does not exist" in lowered:
        return EngineUnavailable(f"PostgreSQL at {shown} has no such user; create the role or name another "
                                 "user in the URL")
    if "no pg_hba.conf entry" in lowered or "permission denied" in lowered:
        return EngineUnavailable(f"PostgreSQL at {shown} does not let this user connect; "
                                 "ask its administrator for access (pg_hba.conf, CONNECT)")
    return EngineUnavailable(f"cannot reach PostgreSQL at {shown}: the server is not running or not "
                             "accepting connections there; start it or check host and port")


def server_error(url: str, exc: BaseException, doing: str) -> NoReturn:
    """Raise the one-line error for ``exc``, met while ``doing`` (e.g. "index")."""
    shown = redact(url)
    if isinstance(exc, pgerrors.InsufficientPrivilege):
        raise SearcherError(f"the PostgreSQL user may not {doing} the archive at {shown} (it may only read); "
                            "use a user with INSERT, UPDATE and DELETE on schema searcher") from None
    if isinstance(exc, pgerrors.ReadOnlySqlTransaction):
        raise SearcherError(f"{shown} is read-only (a replica?); {doing} its primary server instead") from None
    if isinstance(exc, pgerrors.LockNotAvailable):
        raise IndexLocked(f"another searcher is rebuilding or writing the archive at {shown}; "
                          "wait for it to finish, or pass --wait SECONDS") from None
    if isinstance(exc, (psycopg.OperationalError, psycopg.InterfaceError)):
        raise EngineUnavailable(f"lost the connection to PostgreSQL at {shown} while trying to {doing}; "
                                "check the server and run the command again") from None
    if isinstance(exc, pgerrors.UndefinedTable):
        raise IndexNotFound(f"the archive at {shown} is incomplete (a table is missing); "
                            f"run `searcher index --rebuild --index {shown} PATH`") from None
    raise SearcherError(f"PostgreSQL at {shown} could not {doing}: "
                        f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}") from None


@contextlib.contextmanager
def errors_as(url: str, doing: str) -> Iterator[None]:
    """Inside this block, psycopg errors become ``SearcherError`` lines."""
    try:
        yield
    except psycopg.Error as exc:
        server_error(url, exc, doing)
