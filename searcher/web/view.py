"""Small pure helpers the templates use: highlighted pieces, paragraphs, safe links, paging.

Nothing here produces markup. Templates get plain strings and flags and Jinja escapes every
one of them, so article text and metadata can never become HTML on the page.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any, List, Optional, Tuple
from urllib.parse import urlsplit

from searcher.highlight import Snippet
from searcher.highlight import pieces as highlight_pieces

Piece = Tuple[str, bool]  # (text, is a match)

_BLANK_LINE = re.compile(r"\n[ \t\r\f\v]*\n\s*")


def pieces(snippet: Snippet) -> List[Piece]:
    """``snippet`` cut into (text, matched) pieces in order, for ``<mark>`` in a template."""
    return highlight_pieces(snippet)


def paragraphs(snippet: Snippet) -> List[List[Piece]]:
    """A whole highlighted text as paragraphs (split at blank lines), each a list of pieces."""
    paras: List[List[Piece]] = [[]]
    for text, marked in pieces(snippet):
        parts = _BLANK_LINE.split(text)
        for n, part in enumerate(parts):
            if n:
                paras.append([])
            if part:
                paras[-1].append((part, marked))
    return [p for p in paras if p]


def safe_link(url: str) -> Optional[str]:
    """``url`` when it is an http(s) address with a host, else None (shown as text only).

    An article's url comes from the indexed file: ``javascript:``, ``data:`` and the like,
    or anything with spaces or control characters that a browser might read differently,
    never becomes a link."""
    if not url or any(c <= " " or c in "\\\x7f" for c in url):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    return url


def day(item: Any) -> str:
    """The publication's own calendar day of a hit or an article (``2017-03-05``), or "no
    date"; a bare datetime gives its own date."""
    found = getattr(item, "day", None) if not isinstance(item, datetime) else item.date()
    return found.isoformat() if found else "no date"


def page_window(page: int, pages: int, width: int = 2) -> List[Optional[int]]:
    """Page numbers to link: the first, the last, ``width`` either side of ``page``, and None
    where pages are left out (shown as an ellipsis)."""
    wanted = {1, pages, *range(max(1, page - width), min(pages, page + width) + 1)}
    out: List[Optional[int]] = []
    previous = 0
    for n in sorted(wanted):
        if n - previous > 1:
            out.append(None)
        out.append(n)
        previous = n
    return out
