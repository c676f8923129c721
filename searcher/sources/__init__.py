"""Reading news files: finding them, recognising their format, and turning them into articles.

``iter_files`` walks what the user named; ``read_file`` reads one file (gzip-compressed or
not), picks the reader for its format (``detect_format``), and hands back finished
``Article`` objects and ``Problem`` reports. Each reader module (``text``, ``html``,
``tabular``, ``feed``) has the same signature::

    read(data: bytes, *, path: str, mapping: Mapping[str, str]) -> Iterator[Article | Problem]

A file that cannot be read at all raises ``SourceError`` with a one-line reason; one bad
record inside a readable file is a ``Problem`` and the rest of the file goes on.
"""

from __future__ import annotations

import errno
import gzip
import io
import os
import re
import stat
import zlib
from dataclasses import replace
from pathlib import Path
from typing import Callable, Iterable, Iterator, List, Mapping, Optional, Tuple, Union

from searcher.article import Article, Problem
from searcher.errors import SourceError
from searcher.sources._encoding import decode, looks_binary

__all__ = ["FORMATS", "MAX_BODY_CHARS", "iter_files", "detect_format", "read_file"]

#: Formats a user may name; "auto" detects from the extension and the content.
FORMATS = ("auto", "text", "html", "csv", "jsonl", "feed")
#: Longest body kept; longer ones are cut at a word boundary (and reported).
MAX_BODY_CHARS = 2_000_000
#: Largest decompressed size of a .gz file, against decompression bombs.
MAX_GZIP_BYTES = 2 * 1024**3

_EXTENSIONS = {
    ".txt": "text", ".text": "text", ".md": "text", ".markdown": "text",
    ".html": "html", ".htm": "html", ".xhtml": "html", ".shtml": "html",
    ".csv": "csv", ".tsv": "csv",
    ".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "jsonl",
    ".xml": "feed", ".rss": "feed", ".atom": "feed",
}  # fmt: skip
# Extensions that are clearly not articles; skipped when walking folders.
_SKIPPED_EXTENSIONS = frozenset(
    """
    .jpg .jpeg .png .gif .bmp .tif .tiff .webp .ico .svg .heic .psd .raw
    .pdf .doc .docx .xls .xlsx .ppt .pptx .odt .ods .odp .epub .rtf
    .zip .tar .tgz .tbz2 .bz2 .xz .7z .rar .zst .lz .lzma .z .jar .whl .egg
    .mp3 .mp4 .m4a .m4v .wav .flac .ogg .opus .avi .mov .mkv .webm .wmv
    .exe .dll .so .dylib .o .a .pyc .pyo .class .bin .iso .dmg .img
    .db .sqlite .sqlite3 .pkl .pickle .npy .npz .parquet .feather .h5 .hdf5
    .woff .woff2 .ttf .otf .eot .css .js .map .py .sh
    .toc .seg .pst .lock
    """.split()
)
# Names of project paperwork that sit beside corpora but are not articles.
_PAPERWORK = frozenset("license licence copying readme changelog notice authors".split())
_SNIFF_BYTES = 4096


def iter_files(paths: Iterable[Union[str, Path]]) -> Iterator[Union[Path, Problem]]:
    """Every file to read under ``paths``, in a stable order, and a ``Problem`` for each
    path that cannot be walked.

    Files named directly are always yielded. Folders are walked depth-first in sorted order,
    skipping hidden entries (a name starting with "."), files whose extension says they are
    not articles (images, PDF, archives other than .gz, ...) and paperwork such as LICENSE
    or README. Symbolic links are followed; a link back into a folder being walked is
    reported once as a loop instead of being followed forever.
    """
    for given in paths:
        path = Path(given)
        try:
            info = path.stat()
        except FileNotFoundError:
            reason = "broken symbolic link" if path.is_symlink() else "no such file or folder"
            yield Problem(str(path), reason)
            continue
        except OSError as error:
            yield Problem(str(path), _os_reason(error))
            continue
        if stat.S_ISDIR(info.st_mode):
            yield from _walk(path, info)
        else:
            yield path


def _walk(root: Path, root_info: os.stat_result) -> Iterator[Union[Path, Problem]]:
    """Depth-first sorted walk of ``root`` without recursion (deep trees are fine)."""
    ancestors: List[Tuple[int, int]] = [(root_info.st_dev, root_info.st_ino)]
    stack: List[Iterator["os.DirEntry[str]"]] = []
    entries = _list_folder(root)
    if isinstance(entries, Problem):
        yield entries
        return
    stack.append(iter(entries))
    while stack:
        entry = next(stack[-1], None)
        if entry is None:
            stack.pop()
            ancestors.pop()
            continue
        if entry.name.startswith("."):
            continue
        path = Path(entry.path)
        try:
            is_dir = entry.is_dir()  # follows symbolic links
            info = entry.stat() if is_dir else None
        except OSError as error:
            yield Problem(str(path), _os_reason(error))
            continue
        if info is not None:
            key = (info.st_dev, info.st_ino)
            if key in ancestors:
                yield Problem(str(path), "symbolic link loop (points back to a parent folder)")
                continue
            entries = _list_folder(path)
            if isinstance(entries, Problem):
                yield entries
                continue
            ancestors.append(key)
            stack.append(iter(entries))
            continue
        if not entry.is_file():
            if entry.is_symlink():
                yield Problem(str(path), _link_reason(path))
            continue  # sockets, fifos, devices
        if _skipped_name(entry.name):
            continue
        yield path


def _link_reason(path: Path) -> str:
    """Why a symbolic link leads nowhere: a loop of links, or a missing target."""
    try:
        os.stat(path)
    except OSError as error:
        if not isinstance(error, FileNotFoundError):
            return _os_reason(error)
    return "broken symbolic link"


def _list_folder(path: Path) -> Union[List["os.DirEntry[str]"], Problem]:
    """The entries of a folder sorted by name, or the Problem that prevents listing it."""
    try:
        with os.scandir(path) as scan:
            return sorted(scan, key=lambda entry: entry.name)
    except OSError as error:
        return Problem(str(path), _os_reason(error))


def _skipped_name(name: str) -> bool:
    """Whether a file found in a folder is clearly not an article."""
    lower = name.lower()
    if lower.endswith(".gz"):
        lower = lower[:-3]
    stem, ext = os.path.splitext(lower)
    return ext in _SKIPPED_EXTENSIONS or (stem or ext) in _PAPERWORK


def detect_format(path: Path, head: bytes) -> Optional[str]:
    """The format of a file from its name (``.gz`` stripped first) and its first bytes.

    The content wins when the extension is missing, unknown or wrong: an HTML page saved
    as ``.txt`` is html, a feed saved as ``.html`` is a feed, an ``.xml`` file that is
    neither feed nor web page is unknown (``None``). Unknown extensions with text content
    are read as text; CSV without a .csv name is recognised by a header naming a text column.
    """
    name = path.name.lower()
    if name.endswith(".gz"):
        name = name[:-3]
    by_name = _EXTENSIONS.get(os.path.splitext(name)[1])
    sniffed = _sniff(head)
    if by_name in ("csv", "jsonl"):
        return sniffed if sniffed in ("html", "feed") else by_name
    if by_name == "text":
        return sniffed if sniffed in ("html", "feed") else "text"
    if by_name == "html":
        return "feed" if sniffed == "feed" else "html"
    if by_name == "feed":
        if sniffed in ("feed", "html"):
            return sniffed
        return "feed" if name.endswith((".rss", ".atom")) else None
    if sniffed == "xml":
        return None
    return sniffed or "text"


_XML_ROOT = re.compile(r"<(?![?!])([\w:.-]+)")
_HTML_START = re.compile(r"<!doctype\s+html|<(?:html|head|body|meta|title|div|p|article)[\s>/]")
_CSV_BODY = re.compile(r"(?:^|[,;\t|\"'])\s*(?:text|body|content|article)\s*(?:[,;\t|\"']|$)")


def _sniff(head: bytes) -> Optional[str]:
    """Format from content alone: 'feed', 'html', 'xml' (other XML), 'jsonl', 'csv' or None."""
    sample = _head_text(head).lstrip("\ufeff \t\r\n").lower()
    if sample.startswith("<"):
        without_comments = re.sub(r"<!--.*?-->", "", sample, flags=re.DOTALL)
        root = _XML_ROOT.search(without_comments)
        if root is not None:
            tag = root.group(1)
            if tag in ("rss", "feed", "rdf:rdf") or tag.endswith(":rss"):
                return "feed"
        if _HTML_START.search(sample):
            return "html"
        return "xml" if sample.startswith("<?xml") or root is not None else None
    if sample.startswith("{") or re.match(r"\[\s*(?:\{|\]|$)", sample):
        return "jsonl"
    first_line = sample.split("\n", 1)[0]
    if _CSV_BODY.search(first_line) and any(sep in first_line for sep in ",;\t|"):
        return "csv"
    return None


def _head_text(head: bytes) -> str:
    """The first bytes as text for sniffing (UTF-16 handled; never raises)."""
    return decode(head[:_SNIFF_BYTES])


def read_file(
    path: Path, *, format: str = "auto", mapping: Optional[Mapping[str, str]] = None
) -> Iterator[Union[Article, Problem]]:
    """The articles in one file, finished (id and hash set), and Problems for bad records.

    Raises ``SourceError`` when the file cannot be read at all: unreadable, vanished, empty,
    binary, a corrupt gzip, an unknown format or a whole-file parse failure. Bodies longer
    than ``MAX_BODY_CHARS`` are cut at a word boundary and reported; articles with an empty
    body are dropped and reported.
    """
    if format not in FORMATS:
        raise SourceError(f"unknown format '{format}'; choose one of {', '.join(FORMATS)}")
    path = Path(path)
    data = _read_bytes(path)
    if not data.strip():
        raise SourceError("empty file")
    if looks_binary(data):
        raise SourceError("binary file, not text (an image, PDF or archive?)")
    chosen = detect_format(path, data[:_SNIFF_BYTES]) if format == "auto" else format
    if chosen is None:
        raise SourceError(
            "unrecognised format (XML that is not an RSS/Atom feed?); "
            f"name one with --format ({', '.join(FORMATS[1:])})"
        )
    reader = _reader(chosen)
    where = str(path)
    for item in reader(data, path=where, mapping=mapping or {}):
        if isinstance(item, Problem):
            yield item
            continue
        article = replace(item, path=where)
        if not article.body.strip():
            yield Problem(where, "article has no text; skipped", article.position)
            continue
        if len(article.body) > MAX_BODY_CHARS:
            article = replace(article, body=_cut(article.body, MAX_BODY_CHARS))
            yield Problem(
                where,
                f"article text longer than {MAX_BODY_CHARS:,} characters; cut there",
                article.position,
            )
        yield article.finish()


_Reader = Callable[..., Iterator[Union[Article, Problem]]]


def _reader(format: str) -> _Reader:
    """The read function for a format, importing its module only when needed."""
    if format == "text":
        from searcher.sources import text

        return text.read
    if format == "csv":
        from searcher.sources import tabular

        return tabular.read_csv
    if format == "jsonl":
        from searcher.sources import tabular

        return tabular.read_jsonl
    if format == "feed":
        from searcher.sources import feed

        return feed.read
    try:
        from searcher.sources import html
    except ImportError:  # pragma: no cover - the HTML reader ships separately
        raise SourceError("the HTML reader is not available in this installation") from None
    return html.read


def _read_bytes(path: Path) -> bytes:
    """The file's bytes, decompressed when gzip; OS errors become one-line SourceErrors."""
    try:
        data = path.read_bytes()
    except OSError as error:
        raise SourceError(_os_reason(error)) from None
    if path.name.lower().endswith(".gz") or data.startswith(b"\x1f\x8b"):
        data = _gunzip(data)
    return data


def _gunzip(data: bytes) -> bytes:
    """Decompressed gzip data, with a size cap; corrupt data raises SourceError."""
    if not data.startswith(b"\x1f\x8b"):
        raise SourceError("corrupt gzip file: not gzip data (wrong header)")
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(data)) as stream:
            out = stream.read(MAX_GZIP_BYTES + 1)
    except (OSError, EOFError, zlib.error) as error:
        raise SourceError(f"corrupt gzip file: {error}") from None
    if len(out) > MAX_GZIP_BYTES:
        raise SourceError(f"gzip file decompresses to more than {MAX_GZIP_BYTES:,} bytes")
    return out


def _cut(body: str, limit: int) -> str:
    """``body`` cut to at most ``limit`` characters, at the last space before the limit."""
    cut = body[:limit]
    space = cut.rfind(" ", limit - 1000)
    return cut[:space] if space > 0 else cut


def _os_reason(error: OSError) -> str:
    """A short, user-facing reason for an OS error."""
    if isinstance(error, PermissionError):
        return "permission denied"
    if isinstance(error, FileNotFoundError):
        return "file vanished while reading"
    if isinstance(error, IsADirectoryError):
        return "is a folder, not a file"
    if error.errno == errno.ELOOP:
        return "symbolic link loop"
    return (error.strerror or str(error)).lower()
