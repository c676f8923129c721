"""Reading news files: finding them, recognising their format, and turning them into articles.

``iter_files`` walks what the user named; ``read_file`` reads one file (gzip-compressed or
not), picks the reader for its format (``detect_format``), and hands back finished
``Article`` objects and ``Problem`` reports. Each reader module (``text``, ``html``,
``tabular``, ``feed``) has the same signature::

    read(data: bytes, *, path: str, mapping: Mapping[str, str]) -> Iterator[Article | Problem]

A file that cannot be read at all raises ``SourceError`` with a one-line reason; one bad
record inside a readable file is a ``Problem`` and the rest of the file goes on.

What one file may cost is bounded: only regular files are opened (a device such as
``/dev/zero`` never ends, opening a FIFO waits for a writer), and at most
``max_file_bytes()`` are read from a file or inflated from a .gz file (an 11 MB gzip can
inflate to gigabytes). Readers hold a file in memory: at the peak 3 to 4 times its size.
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
from typing import IO, Callable, Iterable, Iterator, List, Mapping, Optional, Tuple, Union

from searcher.article import Article, Problem
from searcher.errors import SourceError
from searcher.sources._encoding import decode, looks_binary

__all__ = ["FORMATS", "MAX_BODY_CHARS", "MAX_FILE_MB", "max_file_bytes", "iter_files", "detect_format", "read_file"]

#: Formats a user may name; "auto" detects from the extension and the content.
FORMATS = ("auto", "text", "html", "csv", "jsonl", "feed")
#: Longest body kept; longer ones are cut at a word boundary (and reported).
MAX_BODY_CHARS = 2_000_000
#: Most megabytes read from one file, or inflated from one .gz file (``SEARCHER_MAX_FILE_MB``
#: sets another limit). A 200 MB export is read within it, at a peak of 620 to 820 MB (3 to 4
#: times the file; measured for CSV, JSON Lines and text).
MAX_FILE_MB = 256
#: Bytes read at a time from a .gz stream, or from a file that grew after it was measured.
_CHUNK = 1024 * 1024
_NOT_REGULAR = "not a regular file (a device, FIFO or socket); skipped"

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
_PAPERWORK = frozenset(
    "license licence licenses licences copying readme changelog changes notice authors contributing".split())
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
        elif stat.S_ISREG(info.st_mode):
            yield path
        else:
            yield Problem(str(path), _NOT_REGULAR)


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
    if not data or data.isspace():
        raise SourceError("empty file")
    chosen = detect_format(path, data[:_SNIFF_BYTES]) if format == "auto" else format
    # A NUL byte in one row of a CSV or JSON Lines file spoils that row, not the file: the
    # reader reports the row. Other text with NULs is binary.
    if looks_binary(data, nul_ok=chosen in ("csv", "jsonl")):
        raise SourceError("binary file, not text (an image, PDF or archive?)")
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


def max_file_bytes() -> int:
    """The most bytes read from one file or inflated from one .gz file: ``MAX_FILE_MB``
    megabytes, or ``$SEARCHER_MAX_FILE_MB`` when that is a positive number."""
    env = os.environ.get("SEARCHER_MAX_FILE_MB", "").strip()
    try:
        megabytes = float(env) if env else MAX_FILE_MB
    except ValueError:
        megabytes = MAX_FILE_MB
    return int(megabytes * 1024**2) if megabytes > 0 else MAX_FILE_MB * 1024**2


def _too_large(what: str, limit: int) -> SourceError:
    """The one-line reason for a file over the limit, saying how to raise it."""
    size = f"{limit // 1024**2:,} MB" if limit % 1024**2 == 0 else f"{limit:,} bytes"
    return SourceError(
        f"{what} {size}, the most searcher reads from one file; skipped "
        "(set SEARCHER_MAX_FILE_MB to raise the limit)"
    )


def _open_regular(path: Path) -> IO[bytes]:
    """``path`` opened for reading when it is a regular file; SourceError for a device,
    FIFO or socket. Checked before opening (opening a tape drive may rewind it) and again on
    what was opened, in case it was swapped: O_NONBLOCK keeps the open of a FIFO from waiting
    for a writer."""
    _require_regular(os.stat(path).st_mode)
    stream = open(os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)), "rb")
    try:
        _require_regular(os.fstat(stream.fileno()).st_mode)
    except SourceError:
        stream.close()
        raise
    return stream


def _require_regular(mode: int) -> None:
    """SourceError unless ``mode`` is a regular file's."""
    if stat.S_ISDIR(mode):
        raise SourceError("is a folder, not a file")
    if not stat.S_ISREG(mode):
        raise SourceError(_NOT_REGULAR)


def _read_bytes(path: Path) -> bytes:
    """The file's bytes, decompressed when gzip, at most ``max_file_bytes()`` of them; OS
    errors, non-regular files and larger files become one-line SourceErrors."""
    limit = max_file_bytes()
    try:
        with _open_regular(path) as stream:
            size = os.fstat(stream.fileno()).st_size
            if size > limit:
                raise _too_large("file larger than", limit)
            data = _read_capped(stream, limit, size, "file larger than")
    except OSError as error:
        raise SourceError(_os_reason(error)) from None
    if path.name.lower().endswith(".gz") or data.startswith(b"\x1f\x8b"):
        data = _gunzip(data, limit)
    return data


def _read_capped(stream: IO[bytes], limit: int, expected: int, what: str) -> bytes:
    """All of ``stream``, read in one piece of the ``expected`` size and then in chunks,
    raising SourceError as soon as it holds more than ``limit`` bytes."""
    first = stream.read(min(expected, limit)) if expected else b""
    chunks = [first]
    total = len(first)
    while True:
        chunk = stream.read(min(_CHUNK, limit + 1 - total))
        if not chunk:
            break
        chunks.append(chunk)
        total += len(chunk)
        if total > limit:
            raise _too_large(what, limit)
    return first if len(chunks) == 1 else b"".join(chunks)


def _gunzip(data: bytes, limit: int) -> bytes:
    """Decompressed gzip data, at most ``limit`` bytes (against decompression bombs);
    corrupt data raises SourceError."""
    if not data.startswith(b"\x1f\x8b"):
        raise SourceError("corrupt gzip file: not gzip data (wrong header)")
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(data)) as stream:
            return _read_capped(stream, limit, 0, "gzip file inflates to more than")
    except (OSError, EOFError, zlib.error) as error:
        raise SourceError(f"corrupt gzip file: {error}") from None


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
