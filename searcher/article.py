"""The ``Article``: the one record every source produces and the index stores.

Sources fill in what they find; ``finish()`` derives the stable id and content hash so that
every source gets identity the same way.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field, replace
from datetime import date as _date
from datetime import date, datetime, timedelta
from typing import Optional, Tuple



@dataclass(frozen=True)
class Article:
    """One news article.

    ``date`` is timezone-aware UTC or ``None``: the exact instant, for sorting. ``utc_offset``
    is the offset from UTC, in minutes east, that the source stated with the date ("07:47 PM
    EST" gives -300), or ``None`` when it stated none; ``day`` is then the publication's own
    calendar day, the one date filters and display should use. ``path`` is the file it came from and
    ``position`` its place in that file (0 for one-article files). ``date_problem`` holds a
    human-readable reason when the source had a date that could not be used (an impossible
    date is reported, never guessed).
    """

    title: str
    body: str
    date: Optional[datetime] = None
    source: str = ""
    url: str = ""
    author: str = ""
    keywords: Tuple[str, ...] = ()
    path: str = ""
    position: int = 0
    id: str = ""
    content_hash: str = ""
    date_problem: str = ""
    utc_offset: Optional[int] = None
    #: The near-duplicate signature of the body (``searcher.analytics.neardup``), filled in
    #: at index time; None when not computed.
    signature: Optional[bytes] = field(default=None, repr=False, compare=False)

    @property
    def day(self) -> "Optional[_date]":
        """The calendar day of publication where it was published: ``date`` moved by
        ``utc_offset`` (so "Nov 19, 2019, 07:47 PM EST", 00:47 UTC on the 20th, is the 19th),
        or the UTC day when the source gave no offset. ``None`` without a date."""
        if self.date is None:
            return None
        return (self.date + timedelta(minutes=self.utc_offset or 0)).date()

    def finish(self) -> "Article":
        """Return a copy with ``id`` and ``content_hash`` filled in (kept if already set)
        and the title cleaned of stray characters (``clean_title``)."""
        return replace(
            self,
            title=clean_title(self.title),
            id=self.id or make_id(url=self.url, path=self.path, position=self.position),
            content_hash=self.content_hash or content_hash(self.body),
        )


@dataclass(frozen=True)
class Problem:
    """Something a source could not use inside an otherwise readable file (a broken line)."""

    path: str
    reason: str
    position: Optional[int] = None

    def __str__(self) -> str:
        where = self.path if self.position is None else f"{self.path}:{self.position}"
        return f"{where}: {self.reason}"


def normalise_text(text: str) -> str:
    """Unicode NFC, whitespace folded to single spaces, stripped: the form that is hashed."""
    return " ".join(unicodedata.normalize("NFC", text).split())


# Curly punctuation that an earlier export turned into '"?': with a space before it, a dash
# ("rocket engine test "?media" was "... test — media"); between words, an apostrophe
# ("players"?availability" was "players’ availability"); before a comma, the closing quote
# of a title that swallowed the next field ('"Black swans"?,The Bank of Russia ...').
_LOST_FIELD = re.compile(r'"\?,\s*\S.*$')
_LOST_DASH = re.compile(r'\s+"\?\s*(?=\w)')
_LOST_APOSTROPHE = re.compile(r'(?<=\w)"\?\s*(?=\w)')
_LOST_CLOSING = re.compile(r'(?<=[,.;:!?])"\?\s*(?=\w)')
_LOST_QUOTE = re.compile(r'"\?(?=\s|$)')
# Replacement characters next to a space or an end: a lost quote, not part of a word.
_REPLACEMENT = re.compile(r"(?:(?<=[\s\"'])|^)\ufffd+|\ufffd+(?=[\s\"']|$)")
# Separators and bullets left at either end when a site name was cut off.
_EDGE = r"[|｜\-–—:·•»«›‹/\\~_*]+"
_TITLE_EDGES = re.compile(rf"^(?:{_EDGE}\s+)+|(?:\s+{_EDGE})+$|^{_EDGE}$")


def clean_title(title: str) -> str:
    """A title as a reader should see it: whitespace folded, the '"?' left where an earlier
    export lost a dash, apostrophe or quote repaired, stray replacement characters
    (``\ufffd``) at word edges and separators at either end dropped. Words are never
    changed: "D\ufffdil" stays, since the lost letter cannot be known."""
    text = normalise_text(title)
    if '"?' in text:
        text = _LOST_FIELD.sub("”", text)
        text = _LOST_DASH.sub(" — ", text)
        text = _LOST_APOSTROPHE.sub("’ ", text)
        text = _LOST_CLOSING.sub("” ", text)
        text = _LOST_QUOTE.sub("”", text)
    if "\ufffd" in text:
        text = normalise_text(_REPLACEMENT.sub("", text))
    return _TITLE_EDGES.sub("", text) or text


def content_hash(body: str) -> str:
    """A short stable hash of the normalised body, used to find exact duplicates."""
    import hashlib  # here, not at the top: searching never hashes, and hashlib costs 7 ms to import

    digest = hashlib.blake2b(normalise_text(body).casefold().encode("utf-8"), digest_size=12)
    return digest.hexdigest()


def normalise_url(url: str) -> str:
    """The url without scheme, ``www.``, fragment or trailing slash, so that trivially
    different spellings of one address give one id."""
    url = url.strip()
    url = re.sub(r"^[a-zA-Z][a-zA-Z0-9+.-]*://", "", url)
    url = re.sub(r"^www\.", "", url, flags=re.IGNORECASE)
    url = url.split("#", 1)[0].rstrip("/")
    host, sep, rest = url.partition("/")
    return host.lower() + sep + rest


def make_id(*, url: str, path: str, position: int) -> str:
    """A stable article id: from the url when there is one, else from path and position."""
    key = "url:" + normalise_url(url) if url.strip() else f"path:{path}#{position}"
    import hashlib

    return hashlib.blake2b(key.encode("utf-8"), digest_size=8).hexdigest()
