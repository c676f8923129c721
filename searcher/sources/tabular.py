"""CSV and JSON Lines files: one article per row or object.

Columns are recognised by name, case-insensitively (spaces and dashes count as "_"):

========  ==============================================================================
field     column names tried
========  ==============================================================================
title     title, headline, heading
body      text, body, content, article, description, ... (the longest non-empty one wins)
date      date, publish_date, published, pubdate, datetime, timestamp, published_at, ...
url       url, link, article_source_link, source_url, article_url, web_url
source    source, publisher, site, source_name, ...  (else the url's domain)
author    author, authors, byline, writer, creator
========  ==============================================================================

A ``mapping`` such as ``{"body": "text", "date": "publish_date"}`` names the column for a
field instead, and an ``id`` column is ignored. Positions are the 0-based index of the data
row (CSV) or of the non-blank line or list item (JSON).

CSV: the delimiter is sniffed among , ; tab | from the header row, which is required.
Quoted fields may hold newlines. A row whose quotes do not balance would swallow the rows
after it; such a row is reported as a Problem and reading resumes on the next line, so
damage stays local and is never silent. So is a row (or JSON line) holding a NUL byte.
"""

from __future__ import annotations

import csv
import json
import re
import sys
from datetime import datetime
from typing import Any, Dict, Iterator, List, Mapping, Optional, Sequence, Tuple, Union
from urllib.parse import urlsplit

from searcher.article import Article, Problem
from searcher.dates import first_usable_date
from searcher.errors import SourceError
from searcher.sources._encoding import decode
from searcher.sources.feed import strip_tags
from searcher.sources.text import title_from_body

__all__ = ["read_csv", "read_jsonl", "FIELDS", "DEFAULT_COLUMNS"]

#: Article fields a column can fill (the keys a ``mapping`` may use).
FIELDS = ("title", "body", "date", "url", "source", "author")
#: Column names tried for each field, in order of preference.
DEFAULT_COLUMNS: Dict[str, Tuple[str, ...]] = {
    "title": ("title", "headline", "heading"),
    "body": (
        "text", "body", "content", "article", "description", "full_text", "fulltext",
        "article_text", "articlebody", "article_body", "maintext", "story", "summary",
    ),
    "date": (
        "date", "publish_date", "published", "pubdate", "pub_date", "datetime", "timestamp",
        "published_at", "publication_date", "date_published", "publishdate", "created_at",
    ),
    "url": ("url", "link", "article_source_link", "source_url", "article_url", "web_url"),
    "source": (
        "source", "publisher", "site", "source_name", "site_name", "outlet", "publication",
        "news_source", "domain",
    ),
    "author": ("author", "authors", "byline", "writer", "creator", "author_name"),
}  # fmt: skip
_DELIMITERS = (",", "\t", ";", "|")
_HTML_TAG = re.compile(r"<(?:p|div|br|span|a|b|i|em|strong|li|ul|h\d)\b[^>]*>", re.IGNORECASE)
_MAX_NAME_SHOWN = 30
_NUL_ROW = "NUL byte in the row (binary data?); row skipped"
# Lines with their ends (\r\n, \r or \n), as ``io.StringIO(text, newline="").readlines()``
# gives them, without the 4 bytes per character StringIO holds the text in first (800 MB
# more at the peak for a 200 MB CSV).
_LINES = re.compile(r"[^\r\n]*(?:\r\n?|\n)|[^\r\n]+\Z")

# Which source column feeds which field, by position in the row or key in the object.
_Columns = Dict[str, List[Any]]


def read_csv(
    data: bytes, *, path: str, mapping: Mapping[str, str]
) -> Iterator[Union[Article, Problem]]:
    """The articles of a CSV (or TSV) file with a header row."""
    _raise_field_size_limit()
    lines = _LINES.findall(decode(data))
    feeder = _LineFeeder(lines)
    while feeder.pos < len(lines) and not lines[feeder.pos].strip():
        feeder.pos += 1
    delimiter = _delimiter(lines[feeder.pos] if feeder.pos < len(lines) else "", path)
    if feeder.pos < len(lines) and lines[feeder.pos].lower().startswith("sep="):
        feeder.pos += 1  # Excel's "sep=;" line
    try:
        header = next(csv.reader(feeder, delimiter=delimiter), None)
    except csv.Error as error:
        raise SourceError(f"unreadable CSV header: {error}") from None
    if not header:
        raise SourceError("CSV file has no header row")
    header = [name.strip().lstrip("\ufeff") for name in header]
    columns = _resolve(header, [(name, index) for index, name in enumerate(header)], mapping)
    width = len(header)
    position = 0
    while feeder.pos < len(lines):
        start = feeder.pos
        reader = csv.reader(feeder, delimiter=delimiter)
        try:
            row = next(reader, None)
        except csv.Error as error:
            reason = _NUL_ROW if "NUL" in str(error) else f"{error}; row skipped"  # Python < 3.11
            yield Problem(path, f"line {start + 1}: {reason}", position)
            position += 1
            feeder.pos = start + 1
            continue
        if row is None:
            break
        if not row or (len(row) == 1 and not row[0].strip()):
            continue  # blank line
        spanned = feeder.pos - start
        if len(row) != width and spanned > 1:
            yield Problem(
                path,
                f"line {start + 1}: unbalanced quotes (the row ran on for {spanned} lines); "
                "row skipped, reading on from the next line",
                position,
            )
            position += 1
            feeder.pos = start + 1
            continue
        if len(row) > width:
            yield Problem(
                path, f"line {start + 1}: {len(row)} fields but {width} columns; row skipped",
                position,
            )  # fmt: skip
            position += 1
            continue
        if any("\x00" in cell for cell in row):
            yield Problem(path, f"line {start + 1}: {_NUL_ROW}", position)
            position += 1
            continue
        yield _record(lambda key: row[key] if key < len(row) else "", columns, path, position)
        position += 1


def read_jsonl(
    data: bytes, *, path: str, mapping: Mapping[str, str]
) -> Iterator[Union[Article, Problem]]:
    """The articles of a JSON Lines file, or of a .json file holding one object or a list
    of objects (also a wrapper object whose one list holds them, as news APIs return)."""
    text = decode(data).strip()
    records = _whole_json(text)
    if records is not None:
        items: Iterator[Tuple[int, Any, str]] = (
            (index, item, f"item {index}") for index, item in enumerate(records)
        )
    else:
        items = _json_lines(text)
    resolved: Dict[Tuple[str, ...], _Columns] = {}
    first = True
    for position, item, where in items:
        if isinstance(item, Problem):
            yield Problem(path, item.reason, position)
            continue
        if not isinstance(item, dict):
            yield Problem(path, f"{where}: not a JSON object; skipped", position)
            continue
        keys = tuple(item)
        columns = resolved.get(keys)
        if columns is None:
            # Only the first object must have every mapped key and a text key; later ones
            # may lack an optional field (and without text they are reported one by one).
            columns = _resolve(list(keys), [(key, key) for key in keys], mapping, strict=first)
            resolved[keys] = columns
        first = False
        yield _record(lambda key: _lookup(item, key), columns, path, position)


def _whole_json(text: str) -> Optional[List[Any]]:
    """The records of a file that is one JSON document, or None for JSON Lines."""
    if not text.startswith(("[", "{")):
        return None
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        first_line = text.split("\n", 1)[0].strip()
        if text.startswith("[") or (error.msg != "Extra data" and first_line in ("{", "")):
            raise SourceError(f"invalid JSON: {error}") from None
        return None  # "{...}\n{...}": JSON Lines
    if isinstance(document, list):
        return document
    if isinstance(document, dict):
        lowered = {str(key).lower() for key in document}
        if not lowered & set(DEFAULT_COLUMNS["body"]):
            lists = [
                value for value in document.values()
                if isinstance(value, list) and value and all(isinstance(v, dict) for v in value)
            ]  # fmt: skip
            if len(lists) == 1:
                return lists[0]
        return [document]
    raise SourceError("JSON file holds neither an object nor a list of objects")


def _json_lines(text: str) -> Iterator[Tuple[int, Any, str]]:
    """``(position, object or Problem, where)`` for each non-blank line."""
    position = 0
    for number, line in enumerate(text.split("\n"), start=1):
        line = line.strip()
        if not line:
            continue
        where = f"line {number}"
        item: Any
        if "\x00" in line:
            item = Problem("", f"{where}: {_NUL_ROW}")
        else:
            try:
                item = json.loads(line)
            except json.JSONDecodeError as error:
                item = Problem("", f"{where}: invalid JSON ({error.msg} at column {error.colno})")
        yield position, item, where
        position += 1


def _lookup(item: Dict[str, Any], key: Any) -> Any:
    """A value by key, or by a dotted path into nested objects ("source.name")."""
    if key in item:
        return item[key]
    value: Any = item
    for part in str(key).split("."):
        if not isinstance(value, dict) or part not in value:
            return None
        value = value[part]
    return value


def _resolve(
    names: Sequence[str],
    keyed: Sequence[Tuple[str, Any]],
    mapping: Mapping[str, str],
    *,
    strict: bool = True,
) -> _Columns:
    """For each field, the keys (indexes or object keys) of the columns that may fill it."""
    by_name: Dict[str, Any] = {}
    exact: Dict[str, Any] = {}
    for name, key in keyed:
        exact.setdefault(name, key)
        by_name.setdefault(_normal(name), key)
    columns: _Columns = {}
    for field, column in mapping.items():
        if field not in FIELDS:
            raise SourceError(f"cannot map unknown field '{field}'; fields are {', '.join(FIELDS)}")
        if column in exact:
            columns[field] = [exact[column]]
        elif _normal(column) in by_name:
            columns[field] = [by_name[_normal(column)]]
        elif "." in column and column.split(".", 1)[0] in exact:
            columns[field] = [column]
        elif strict:
            raise SourceError(
                f"no column '{column}' to map {field} to; columns are: {_shown(names)}"
            )
    for field in FIELDS:
        if field not in columns:
            columns[field] = [by_name[n] for n in DEFAULT_COLUMNS[field] if n in by_name]
    if strict and not columns["body"]:
        raise SourceError(
            f"no text column (looked for {', '.join(DEFAULT_COLUMNS['body'][:5])}, ...); "
            f"columns are: {_shown(names)}; map one to the body field"
        )
    return columns


def _normal(name: str) -> str:
    """A column name in the form the defaults are written in."""
    return re.sub(r"[\s\-]+", "_", str(name).strip().lower())


def _shown(names: Sequence[str]) -> str:
    """Column names for an error message, long ones shortened."""
    return ", ".join(
        name if len(name) <= _MAX_NAME_SHOWN else name[: _MAX_NAME_SHOWN - 1] + "\u2026"
        for name in map(str, names)
    )


def _record(get: Any, columns: _Columns, path: str, position: int) -> Union[Article, Problem]:
    """One row or object as an Article, or a Problem when it has no text."""
    bodies = [_as_text(get(key), joiner="\n\n") for key in columns["body"]]
    body = max(bodies, key=len) if bodies else ""
    if _HTML_TAG.search(body):
        body = strip_tags(body)
    if not body:
        return Problem(path, "row has no text; skipped", position)
    url = _first(get, columns["url"])
    title = _first(get, columns["title"]) or title_from_body(body)
    date, problem = _date(get, columns["date"], url)
    return Article(
        title=" ".join(title.split()),
        body=body,
        date=date,
        source=_first(get, columns["source"]) or _domain(url),
        url=url,
        author=_first(get, columns["author"], joiner=", "),
        position=position,
        date_problem=problem,
    )


def _first(get: Any, keys: List[Any], *, joiner: str = " ") -> str:
    """The first non-empty value among ``keys``, as text."""
    for key in keys:
        value = _as_text(get(key), joiner=joiner)
        if value:
            return value
    return ""


def _as_text(value: Any, *, joiner: str) -> str:
    """A cell or JSON value as text: lists joined, objects by their name/text, numbers."""
    if value is None or isinstance(value, bool):
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, list):
        parts = (_as_text(item, joiner=joiner) for item in value)
        return joiner.join(part for part in parts if part)
    if isinstance(value, dict):
        for key in ("name", "text", "title", "value", "url", "href"):
            if key in value:
                return _as_text(value[key], joiner=joiner)
    return ""


def _date(get: Any, keys: List[Any], url: str) -> Tuple[Optional[datetime], str]:
    """The first usable date among the date columns, else the url's date; with the reason
    when a date was there but could not be used."""
    return first_usable_date((get(key) for key in keys), url=url)


def _domain(url: str) -> str:
    """The host of ``url`` without "www.", used as the source when no column names one."""
    if not url:
        return ""
    try:
        host = urlsplit(url if "://" in url else "//" + url).hostname or ""
    except ValueError:
        return ""
    return host[4:] if host.startswith("www.") else host


def _delimiter(header_line: str, path: str) -> str:
    """The delimiter: from an Excel "sep=" line, the .tsv name, or the most common one of
    , tab ; | outside quotes in the header row."""
    if header_line.lower().startswith("sep=") and len(header_line.strip()) == 5:
        return header_line.strip()[4]
    if path.lower().endswith((".tsv", ".tsv.gz")):
        return "\t"
    unquoted = re.sub(r'"[^"]*"', "", header_line)
    counts = [(unquoted.count(d), -i, d) for i, d in enumerate(_DELIMITERS)]
    best = max(counts)
    return best[2] if best[0] else ","


def _raise_field_size_limit() -> None:
    """Allow fields as long as an article body can be (the default is 131,072 chars)."""
    limit = sys.maxsize
    while csv.field_size_limit() < limit:
        try:
            csv.field_size_limit(limit)
        except OverflowError:  # C long is 32 bits on some platforms
            limit //= 2


class _LineFeeder:
    """Feeds lines to ``csv.reader`` one at a time and knows how many it has handed out,
    so a broken row can be re-read from the line after it."""

    def __init__(self, lines: List[str]) -> None:
        self.lines = lines
        self.pos = 0

    def __iter__(self) -> "_LineFeeder":
        return self

    def __next__(self) -> str:
        if self.pos >= len(self.lines):
            raise StopIteration
        line = self.lines[self.pos]
        self.pos += 1
        return line
