"""Tests for searcher.sources: file walking, format detection, the dispatcher, gzip and
encodings (searcher.sources._encoding)."""

from __future__ import annotations

import codecs
import gzip
import os
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterator, List, Union

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from searcher.article import Article, Problem, content_hash, make_id
from searcher.errors import SourceError
from searcher.sources import FORMATS, MAX_BODY_CHARS, detect_format, iter_files, read_file
from searcher.sources._encoding import decode, fix_mojibake, looks_binary



def read_all(path: Path, **options: Any) -> List[Union[Article, Problem]]:
    return list(read_file(path, **options))


def only_article(path: Path, **options: Any) -> Article:
    items = read_all(path, **options)
    assert len(items) == 1 and isinstance(items[0], Article), items
    return items[0]


# --- encodings -------------------------------------------------------------------------


def mojibake(text: str) -> str:
    """``text`` as a cp1252 reader shows its UTF-8 bytes (undefined bytes kept as latin-1)."""
    return "".join(
        bytes([b]).decode("cp1252", errors="ignore") or chr(b) for b in text.encode("utf-8")
    )


TEXT = "Caf\u00e9 prices \u2013 \u201cup\u201d 5\u20ac"


@pytest.mark.parametrize(
    "data",
    [
        TEXT.encode("utf-8"),
        codecs.BOM_UTF8 + TEXT.encode("utf-8"),
        codecs.BOM_UTF16_LE + TEXT.encode("utf-16-le"),
        codecs.BOM_UTF16_BE + TEXT.encode("utf-16-be"),
        codecs.BOM_UTF32_LE + TEXT.encode("utf-32-le"),
        TEXT.encode("utf-16-le"),  # no BOM
        TEXT.encode("cp1252"),
        mojibake(TEXT).encode("utf-8"),  # UTF-8 once read as cp1252: repaired
    ],
)
def test_decode_encodings(data: bytes) -> None:
    assert decode(data) == TEXT


def test_decode_latin1_declared_and_invalid_utf8() -> None:
    assert decode("\u00a3600m d\u00e9j\u00e0".encode("latin-1")) == "\u00a3600m d\u00e9j\u00e0"
    assert decode("Gr\u00f6\u00dfe".encode("iso-8859-15"), declared="ISO-8859-15") == "Gr\u00f6\u00dfe"
    assert decode("\u0416\u0443\u043a".encode("koi8-r"), declared="koi8-r") == "\u0416\u0443\u043a"
    # A declared charset that is unknown or does not fit is ignored.
    assert decode("caf\u00e9".encode("utf-8"), declared="no-such-charset") == "caf\u00e9"
    # UTF-8 declared as latin-1 decodes as mojibake first, which is then repaired.
    assert decode("caf\u00e9 \u2019".encode("utf-8"), declared="iso-8859-1") == "caf\u00e9 \u2019"
    # Mostly UTF-8 with one stray byte: only that byte is read as cp1252.
    assert decode("d\u00e9j\u00e0 ".encode("utf-8") + b"\x93ok\x94 \x81") == "d\u00e9j\u00e0 \u201cok\u201d \x81"


def test_fix_mojibake_is_conservative() -> None:
    assert fix_mojibake("don\u00e2\u20ac\u2122t") == "don\u2019t"
    assert fix_mojibake("plain text") == "plain text"
    assert fix_mojibake("\u00c3 la carte") == "\u00c3 la carte"  # not a UTF-8 sequence


def test_looks_binary() -> None:
    assert looks_binary(b"%PDF-1.4\n1 0 obj")
    assert looks_binary(b"\x89PNG\r\n\x1a\n")
    assert looks_binary(b"text\x00with nul")
    assert looks_binary(bytes(range(1, 9)) * 50)
    assert not looks_binary(b"ordinary\ttext\r\n")
    assert not looks_binary(codecs.BOM_UTF16_LE + "hi".encode("utf-16-le"))
    assert not looks_binary("hello there".encode("utf-16-le"))
    assert not looks_binary(b"")


# --- format detection ------------------------------------------------------------------

RSS_HEAD = b'<?xml version="1.0"?>\n<rss version="2.0"><channel>'
ATOM_HEAD = b'<?xml version="1.0"?><!-- c --><feed xmlns="http://www.w3.org/2005/Atom">'
HTML_HEAD = b"<!DOCTYPE html>\n<html><head><title>x</title>"


@pytest.mark.parametrize(
    "name, head, expected",
    [
        ("a.txt", b"Plain text", "text"),
        ("a.TEXT", b"Plain text", "text"),
        ("a.md", b"# Heading", "text"),
        ("a.txt.gz", b"Plain text", "text"),
        ("a.html", HTML_HEAD, "html"),
        ("a.htm", b"<p>x</p>", "html"),
        ("a.xhtml", b'<?xml version="1.0"?><html xmlns="http://www.w3.org/1999/xhtml">', "html"),
        ("a.csv", b"title,text\n", "csv"),
        ("a.tsv", b"title\ttext\n", "csv"),
        ("a.jsonl", b'{"text": "x"}\n', "jsonl"),
        ("a.ndjson", b'{"text": "x"}\n', "jsonl"),
        ("a.json", b'[{"text": "x"}]', "jsonl"),
        ("a.xml", RSS_HEAD, "feed"),
        ("a.rss", RSS_HEAD, "feed"),
        ("a.atom", ATOM_HEAD, "feed"),
        ("a.xml", b"<?xml version='1.0'?><rdf:RDF xmlns:rdf='x'>", "feed"),
        # The extension lies or says nothing: the content decides.
        ("a.txt", HTML_HEAD, "html"),
        ("a.txt", RSS_HEAD, "feed"),
        ("a.html", RSS_HEAD, "feed"),
        ("a.xml", HTML_HEAD, "html"),
        ("a.xml", b"<?xml version='1.0'?><catalog><book/></catalog>", None),
        ("a.rss", b"<?xml version='1.0'?><catalog/>", "feed"),
        ("a.json", b"<html><body>", "html"),
        ("article", b"Plain words", "text"),
        ("article", HTML_HEAD, "html"),
        ("article", ATOM_HEAD, "feed"),
        ("article", b'{"title": "x"}', "jsonl"),
        ("article", b"id,title,text\n1,a,b\n", "csv"),
        ("article.dat", b"[Reuters] Plain words", "text"),
        ("article", b"<?xml version='1.0'?><catalog/>", None),
        ("a.log", codecs.BOM_UTF16_LE + "<rss>".encode("utf-16-le"), "feed"),
    ],
)
def test_detect_format(name: str, head: bytes, expected: str) -> None:
    assert detect_format(Path("x") / name, head) == expected


# --- read_file -------------------------------------------------------------------------


def test_read_file_finishes_articles(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_text("title: T\ndate: 2013-11-27\n\nThe body.", encoding="utf-8")
    article = only_article(path)
    assert article.path == str(path)
    assert (article.title, article.body) == ("T", "The body.")
    assert article.date == datetime(2013, 11, 27, tzinfo=timezone.utc)
    assert article.id == make_id(url="", path=str(path), position=0)
    assert article.content_hash == content_hash("The body.")


def test_read_file_encodings_end_to_end(tmp_path: Path) -> None:
    for index, (encoding, bom) in enumerate(
        [("utf-8", b""), ("utf-8", codecs.BOM_UTF8), ("utf-16-le", codecs.BOM_UTF16_LE),
         ("cp1252", b""), ("latin-1", b"")]
    ):  # fmt: skip
        path = tmp_path / f"{index}.txt"
        words = "Caf\u00e9 d\u00e9j\u00e0 vu" if encoding == "latin-1" else TEXT
        path.write_bytes(bom + f"{words}\n\nBody \u00e9.".encode(encoding))
        article = only_article(path)
        assert (article.title, article.body) == (words, "Body \u00e9."), encoding


def test_read_file_gzip(tmp_path: Path) -> None:
    path = tmp_path / "a.csv.gz"
    path.write_bytes(gzip.compress(b"title,text\nA,Body A\nB,Body B\n"))
    assert [a.title for a in read_all(path) if isinstance(a, Article)] == ["A", "B"]
    # gzip data without a .gz name is recognised by its magic bytes too.
    plain_name = tmp_path / "b.txt"
    plain_name.write_bytes(gzip.compress(b"Title\n\nBody."))
    assert only_article(plain_name).title == "Title"
    corrupt = tmp_path / "c.txt.gz"
    corrupt.write_bytes(gzip.compress(b"Title\n\nBody." * 100)[:40])
    with pytest.raises(SourceError) as caught:
        read_all(corrupt)
    assert str(caught.value).startswith("corrupt gzip file")
    not_gzip = tmp_path / "d.txt.gz"
    not_gzip.write_bytes(b"just text")
    with pytest.raises(SourceError) as caught:
        read_all(not_gzip)
    assert str(caught.value) == "corrupt gzip file: not gzip data (wrong header)"


@pytest.mark.parametrize(
    "data, reason",
    [
        (b"", "empty file"),
        (b"  \n\t\n", "empty file"),
        (b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj", "binary file, not text (an image, PDF or archive?)"),
        (b"\x00\x01\x02\x03binary" * 10, "binary file, not text (an image, PDF or archive?)"),
    ],
)
def test_read_file_refuses_empty_and_binary(tmp_path: Path, data: bytes, reason: str) -> None:
    path = tmp_path / "a.txt"
    path.write_bytes(data)
    with pytest.raises(SourceError) as caught:
        read_all(path)
    assert str(caught.value) == reason


def test_read_file_os_errors(tmp_path: Path) -> None:
    with pytest.raises(SourceError) as caught:
        read_all(tmp_path / "gone.txt")
    assert str(caught.value) == "file vanished while reading"
    with pytest.raises(SourceError) as caught:
        read_all(tmp_path)
    assert str(caught.value) == "is a folder, not a file"
    if hasattr(os, "geteuid") and os.geteuid() != 0:
        locked = tmp_path / "locked.txt"
        locked.write_text("x")
        locked.chmod(0)
        with pytest.raises(SourceError) as caught:
            read_all(locked)
        assert str(caught.value) == "permission denied"


def test_read_file_format_choice(tmp_path: Path) -> None:
    path = tmp_path / "notes.csv"
    path.write_text("title,text\nA,B\n", encoding="utf-8")
    assert only_article(path, format="text").body == "title,text\nA,B"
    with pytest.raises(SourceError) as caught:
        read_all(path, format="pdf")
    assert str(caught.value) == f"unknown format 'pdf'; choose one of {', '.join(FORMATS)}"
    other_xml = tmp_path / "data.xml"
    other_xml.write_text("<?xml version='1.0'?><catalog><book/></catalog>", encoding="utf-8")
    with pytest.raises(SourceError) as caught:
        read_all(other_xml)
    assert str(caught.value).startswith("unrecognised format")


def test_read_file_passes_the_mapping(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_text("head,story\nH,S\n", encoding="utf-8")
    article = only_article(path, mapping={"title": "head", "body": "story"})
    assert (article.title, article.body) == ("H", "S")


def test_read_file_dispatches_html_to_the_html_reader(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from searcher.sources import html

    calls: List[str] = []

    def fake_read(data: bytes, *, path: str, mapping: Any) -> Iterator[Article]:
        calls.append(path)
        yield Article(title="From HTML", body="Body")

    monkeypatch.setattr(html, "read", fake_read)
    page = tmp_path / "saved.txt"
    page.write_bytes(HTML_HEAD + b"</head><body><p>Body</p></body></html>")
    article = only_article(page)
    assert calls == [str(page)]
    assert (article.title, article.path) == ("From HTML", str(page))


def test_read_file_drops_empty_bodies_and_cuts_huge_ones(tmp_path: Path) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_text("title: Only a title\ndate: 2013-11-27\n", encoding="utf-8")
    assert read_all(empty) == [Problem(str(empty), "article has no text; skipped", 0)]
    huge = tmp_path / "huge.txt"
    huge.write_text("Huge\n\n" + "abcdefghi " * 210_000, encoding="utf-8")
    problem, article = read_all(huge)
    assert problem == Problem(
        str(huge), f"article text longer than {MAX_BODY_CHARS:,} characters; cut there", 0
    )
    assert isinstance(article, Article)
    assert len(article.body) == MAX_BODY_CHARS - 1
    assert article.body.endswith("abcdefghi")


def test_read_file_real_seed_and_sample_text() -> None:
    """The repo's copy of the seed article (date on the body's first line) and a topic-folder
    file of ``corpus/`` (title on line 1, no header lines), read from disk."""
    sample = Path(__file__).resolve().parents[1] / "corpus" / "text"
    article = only_article(sample / "2023-08-31-north-korea-missiles.txt")
    assert article.date == datetime(2023, 8, 31, tzinfo=timezone.utc)
    assert article.body.startswith("North Korea has confirmed")
    topic = only_article(sample / "world-sports" / "0700.txt")
    assert topic.title == "PyeongChang 2018 Winter Olympics: Countdown begins with one year to go"
    assert topic.date is None and topic.body.startswith("From February 9 to 25, 2018")


# --- iter_files ------------------------------------------------------------------------


def make_tree(root: Path) -> None:
    for name in [
        "b/2.txt", "b/1.html", "a.txt", "c.csv.gz", "photo.jpg", "doc.pdf", "bundle.tar.gz",
        "pic.png.gz", ".hidden.txt", ".git/config", "LICENSE.md", "LICENSES.md", "README", "notes",
        "b/deeper/x.jsonl", "B.txt",
    ]:  # fmt: skip
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("x", encoding="utf-8")


def names(items: List[Union[Path, Problem]], root: Path) -> List[str]:
    return [
        str(item.relative_to(root)) if isinstance(item, Path) else f"! {item.reason}" for item in items
    ]


def test_iter_files_walks_sorted_and_skips_non_articles(tmp_path: Path) -> None:
    make_tree(tmp_path)
    found = list(iter_files([tmp_path]))
    assert all(isinstance(item, Path) for item in found)
    assert names(found, tmp_path) == [
        "B.txt", "a.txt", "b/1.html", "b/2.txt", "b/deeper/x.jsonl", "c.csv.gz", "notes",
    ]  # fmt: skip


def test_iter_files_direct_files_missing_paths_and_strings(tmp_path: Path) -> None:
    make_tree(tmp_path)
    found = list(iter_files([str(tmp_path / "photo.jpg"), tmp_path / "nope", tmp_path / "b"]))
    assert found == [
        tmp_path / "photo.jpg",
        Problem(str(tmp_path / "nope"), "no such file or folder"),
        tmp_path / "b" / "1.html",
        tmp_path / "b" / "2.txt",
        tmp_path / "b" / "deeper" / "x.jsonl",
    ]


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="no symbolic links here")
def test_iter_files_symlinks_and_loops(tmp_path: Path) -> None:
    (tmp_path / "news" / "sub").mkdir(parents=True)
    (tmp_path / "news" / "sub" / "a.txt").write_text("x")
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "b.txt").write_text("x")
    (tmp_path / "news" / "sub" / "up").symlink_to(tmp_path / "news")
    (tmp_path / "news" / "linked").symlink_to(tmp_path / "elsewhere")
    (tmp_path / "news" / "dangling.txt").symlink_to(tmp_path / "missing.txt")
    (tmp_path / "news" / "self").symlink_to(tmp_path / "news" / "self")
    found = list(iter_files([tmp_path / "news", tmp_path / "news" / "dangling.txt"]))
    root = tmp_path / "news"
    assert found == [
        Problem(str(root / "dangling.txt"), "broken symbolic link"),
        root / "linked" / "b.txt",
        Problem(str(root / "self"), "symbolic link loop"),
        root / "sub" / "a.txt",
        Problem(str(root / "sub" / "up"), "symbolic link loop (points back to a parent folder)"),
        Problem(str(root / "dangling.txt"), "broken symbolic link"),
    ]


def test_iter_files_unreadable_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "ok").mkdir()
    (tmp_path / "ok" / "a.txt").write_text("x")
    (tmp_path / "secret").mkdir()
    real_scandir = os.scandir

    def scandir(path: Any) -> Any:
        if Path(path).name == "secret":
            raise PermissionError(13, "Permission denied")
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    assert list(iter_files([tmp_path])) == [
        tmp_path / "ok" / "a.txt",
        Problem(str(tmp_path / "secret"), "permission denied"),
    ]


# --- any bytes: text, or a clean refusal -----------------------------------------------


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=300))
def test_decode_never_raises(data: bytes) -> None:
    assert isinstance(decode(data), str)
    assert isinstance(looks_binary(data), bool)


_MARKUP = st.text(alphabet='<>/"\',;\t\n&#{}[]:= abcrsitemlnkdxyz0123456789', max_size=200)


@settings(max_examples=150, deadline=None)
@given(st.one_of(st.binary(max_size=200), _MARKUP.map(lambda text: text.encode("utf-8"))))
@example(b"title,text\nA headline,A body\n")
@example(b'{"title": "A headline", "text": "A body"}\n')
def test_every_reader_yields_or_raises_source_error(data: bytes) -> None:
    from searcher.sources import feed, tabular, text

    read = 0
    for reader in (text.read, tabular.read_csv, tabular.read_jsonl, feed.read):
        try:
            items = list(reader(data, path="f", mapping={}))
        except SourceError as error:
            assert str(error) and "\n" not in str(error), error  # one line, said
            continue
        assert all(isinstance(item, (Article, Problem)) for item in items)
        read += any(isinstance(item, Article) for item in items)
    if b"A headline" in data:  # the examples: the text reader and one of CSV/JSON read them
        assert read >= 2
