"""Plain-text articles: one article per file, with optional header lines on top.

Header lines are ``key value`` or ``key: value`` for date, title, source, url and author
(case-insensitive; a few synonyms such as ``published`` and ``byline`` too), or a Markdown
front-matter block between ``---`` lines. Then comes the body.

Headers are recognised carefully, because an ordinary first sentence may start with such a
word ("Source code for ... leaked", "Date rape drug found"):

* a ``date`` line counts only when a date follows (a date that cannot exist still counts,
  and is reported in ``date_problem``); words after the date on the same line are the start
  of the body, as in the project's first file: " date 2023-08-31 North Korea has...";
* a ``url`` line counts with a colon or when a web address follows;
* ``title``/``source``/``author`` with a colon count when the value is short and not a
  sentence; without a colon they count only beside a line that surely is a header.

Without a title header the title is the first line when that line is short, is not a
sentence and is followed by a blank line (as in the BBC files); otherwise it is the body's
first sentence, shortened at a word boundary.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Dict, Iterator, List, Mapping, Optional, Tuple, Union

from searcher.article import Article, Problem
from searcher.dates import parse_date, split_date_prefix
from searcher.errors import DateError
from searcher.sources._encoding import decode

__all__ = ["read", "parse_text", "title_from_body", "TITLE_LIMIT"]

#: Longest title derived from a body, in characters, before it is cut with an ellipsis.
TITLE_LIMIT = 120

_KEYS = {
    "date": "date", "published": "date", "pubdate": "date",
    "title": "title", "headline": "title",
    "source": "source", "publisher": "source",
    "url": "url", "link": "url",
    "author": "author", "byline": "author", "by": "author",
}  # fmt: skip
_HEADER = re.compile(
    r"(?P<key>[a-z]+)(?:[ \t]*(?P<colon>:)[ \t]*|[ \t]+)(?P<value>.*)", re.IGNORECASE
)
_URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
_SHORT_VALUE = 100
_TITLE_LINE = 150
_ABBREVIATIONS = frozenset(
    "mr mrs ms dr st jr sr no gen sen rep gov lt col capt prof inc corp co ltd vs etc "
    "jan feb mar apr jun jul aug sep sept oct nov dec u.s u.k u.n e.g i.e".split()
)
_SENTENCE_END = re.compile(r"[.!?]+[\"'\u201d\u2019)\]]*(?=\s+[\"'\u201c\u2018(\[]?[A-Z0-9])")

_Headers = Dict[str, str]


def read(
    data: bytes, *, path: str, mapping: Mapping[str, str]
) -> Iterator[Union[Article, Problem]]:
    """The one article in a text file (``mapping`` is for tabular files and is ignored)."""
    yield parse_text(decode(data))


def parse_text(text: str) -> Article:
    """The article that ``text`` holds: headers taken off, title found, date parsed."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff")
    headers, body = _front_matter(text) or _header_block(text)
    title = headers.get("title", "")
    if not title:
        title, body = _title_line(body)
    body = body.strip()
    if not title:
        title = title_from_body(body)
    date, problem = _header_date(headers.get("date"))
    return Article(
        title=title,
        body=body,
        date=date,
        source=headers.get("source", ""),
        url=headers.get("url", ""),
        author=headers.get("author", ""),
        date_problem=problem,
    )


def title_from_body(body: str, *, limit: int = TITLE_LIMIT) -> str:
    """A title made from the first sentence of ``body``, cut at a word boundary with an
    ellipsis when longer than ``limit`` characters. Used by every source that has no title."""
    paragraph = body.strip().split("\n\n", 1)[0]
    paragraph = " ".join(paragraph.split())
    sentence = paragraph
    for match in _SENTENCE_END.finditer(paragraph):
        words = paragraph[: match.start()].rsplit(None, 1)
        last = words[-1].lower().lstrip("\"'(\u201c") if words else ""
        if last in _ABBREVIATIONS or (len(last) == 1 and last.isalpha()):
            continue  # "Mr. Smith", "U.S. officials", "John F. Kennedy"
        sentence = paragraph[: match.start() + 1]
        break
    if sentence.endswith(".") and not sentence.endswith(".."):
        sentence = sentence[:-1]
    if len(sentence) <= limit:
        return sentence
    cut = sentence[: limit - 1]
    if " " in cut:
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:-\u2013\u2014") + "\u2026"


def _front_matter(text: str) -> Optional[Tuple[_Headers, str]]:
    """Headers from a Markdown front-matter block ("---" lines around ``key: value``)."""
    stripped = text.lstrip()
    if not stripped.startswith("---\n"):
        return None
    end = stripped.find("\n---", 3)
    if end < 0:
        return None
    headers: _Headers = {}
    for line in stripped[4:end].split("\n"):
        key, colon, value = line.partition(":")
        field = _KEYS.get(key.strip().lower())
        if colon and field and field not in headers:
            value = value.strip().strip("'\"").strip()
            if value:
                headers[field] = value
    rest = stripped[end + 4 :]
    return headers, rest.split("\n", 1)[1] if "\n" in rest else ""


def _header_block(text: str) -> Tuple[_Headers, str]:
    """Header lines at the top of ``text`` (see the module notes) and the body after them."""
    lines = text.split("\n")
    headers: _Headers = {}
    sure = False
    index = 0
    while index < len(lines) and not lines[index].strip():
        index += 1
    body_start: List[str] = []
    while index < len(lines):
        found = _header_line(lines[index].strip())
        if found is None or found[0] in headers:
            break
        field, value, strong, rest = found
        headers[field] = value
        sure = sure or strong
        index += 1
        if rest:
            body_start = [rest]
            break
    if not sure:
        return {}, text
    return headers, "\n".join(body_start + lines[index:])


def _header_line(line: str) -> Optional[Tuple[str, str, bool, str]]:
    """``(field, value, sure, rest_of_line)`` when ``line`` may be a header, else None."""
    match = _HEADER.fullmatch(line)
    if match is None:
        return None
    field = _KEYS.get(match.group("key").lower())
    value = match.group("value").strip()
    colon = match.group("colon") is not None
    if field is None or not value:
        return None
    if field == "date":
        split = split_date_prefix(value)
        if split is None:
            return ("date", value, True, "") if colon else None
        date_text, rest = split
        try:
            if parse_date(date_text) is None:
                return None
        except DateError:
            pass  # clearly a date, just an impossible one: still the header
        return "date", date_text, True, rest.lstrip(" ,;|-\u2013\u2014")
    if field == "url":
        if _URL.fullmatch(value) or (colon and " " not in value):
            return "url", value, True, ""
        return None
    limit = _TITLE_LINE * 2 if field == "title" else _SHORT_VALUE
    if len(value) > limit or (field != "title" and _is_sentence(value)):
        return None
    return field, value, colon, ""


def _is_sentence(value: str) -> bool:
    """Whether a header value reads like prose rather than a name."""
    return value.endswith(".") and len(value.split()) > 3 or ". " in value and len(value) > 40


def _title_line(body: str) -> Tuple[str, str]:
    """Take a Markdown heading or a short first line followed by a blank line as the title."""
    stripped = body.lstrip("\n")
    first, _, rest = stripped.partition("\n")
    first = first.strip()
    if first.startswith("#"):
        heading = first.lstrip("#").strip()
        if heading:
            return heading, rest
    next_line = rest.split("\n", 1)[0]
    if not first or next_line.strip() or not rest.strip():
        return "", body  # a title line stands alone, with text after it
    if len(first) > _TITLE_LINE or len(first.split()) > 25:
        return "", body
    if first.endswith((".", ",", ";", ":")) and not first.endswith("..."):
        return "", body
    return first, rest


def _header_date(value: Optional[str]) -> Tuple[Optional[datetime], str]:
    """The parsed date header and, when it cannot be used, the reason."""
    if not value:
        return None, ""
    try:
        date = parse_date(value)
    except DateError as error:
        return None, str(error)
    if date is None:
        return None, f"unrecognised date '{value}'"
    return date, ""
