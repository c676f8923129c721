"""PostgreSQL connection URLs: shown without their password, everywhere."""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit


def redact(url: str) -> str:
    """``url`` with any password replaced by ``***`` (``postgresql://ann:***@host/db``);
    what every message, log line and ``stats`` shows of a connection URL."""
    try:
        parts = urlsplit(url)
        if parts.password is None:
            return url
        user = parts.username or ""
        host = parts.hostname or ""
        if ":" in host:  # an IPv6 address
            host = f"[{host}]"
        port = f":{parts.port}" if parts.port else ""
        return urlunsplit((parts.scheme, f"{user}:***@{host}{port}", parts.path, parts.query, parts.fragment))
    except ValueError:  # a URL too broken to parse: show only its scheme
        return url.split("://", 1)[0] + "://***"
