"""The corrections to Whoosh in searcher._whoosh_fixes behave like the originals."""

from __future__ import annotations

import pickle
from pathlib import Path

import searcher.engines.whoosh.fixes  # noqa: F401  (applies the fixes)
from whoosh.filedb.structfile import BufferFile


def test_buffer_file_reads_without_copying() -> None:
    data = b"first line\nsecond\n" + pickle.dumps({"a": [1, 2, 3]}) + b"tail"
    f = BufferFile(memoryview(data), name="x")
    assert f.readline() == b"first line\n"
    assert f.tell() == 11
    assert f.read(6) == b"second"
    f.seek(1, 1)
    assert f.read_pickle() == {"a": [1, 2, 3]}
    assert f.read() == b"tail"
    assert f.read(5) == b""
    f.seek(-4, 2)
    assert f.read(2) == b"ta"
    assert f.get(0, 5) == b"first"
    f.seek(0)
    assert list(f)[:2] == [b"first line\n", b"second\n"]
    assert not hasattr(f.file, "getvalue")  # not a BytesIO copy


def test_index_opens_and_searches_the_same(tmp_path) -> None:
    from searcher import Archive, Article

    with Archive.open(tmp_path / "ix", create=True) as archive:
        archive.add([Article(title=f"T{i}", body=f"river flood number {i} in the valley", url=f"https://e.org/{i}") for i in range(300)])
    with Archive.open(tmp_path / "ix") as archive:
        results = archive.search('"river flood"', limit=500)
        assert results.total == 300 and len({h.id for h in results}) == 300


def test_search_imports_neither_urllib_request_nor_asyncio(tmp_path: Path) -> None:
    """Whoosh is imported without the two modules it never uses; the real ones still import."""
    import subprocess
    import sys

    script = f"""
import sys
from searcher import Archive, Article
with Archive.open({str(tmp_path / 'ix')!r}, create=True) as archive:
    archive.add([Article(title="Harbour news", body="The harbour reopened.")])
    archive.delete([archive.search("harbour").hits[0].id])  # a deletion: cached_property at work
    assert archive.search("harbour").total == 0
loaded = [m for m in ("asyncio", "http.client", "urllib.request", "cached_property", "whoosh.lang.morph_en") if m in sys.modules]
assert not loaded, loaded
import urllib.request
assert callable(urllib.request.urlopen) and urllib.request.Request
import whoosh.compat
assert whoosh.compat.urlretrieve.__module__ == "searcher.engines.whoosh.fixes"
from whoosh.query import Variations
from whoosh.lang.morph_en import variations
assert "rendered" in variations("render")  # the real tables, imported on first use
assert "whoosh.lang.morph_en" in sys.modules and sys.modules["whoosh.lang.morph_en"].variations is variations
print("ok")
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"


def test_stored_column_offsets_are_whoosh_s(tmp_path: Path) -> None:
    """The accumulate-based offsets equal Whoosh's loop, for short and long columns."""
    from whoosh import columns
    from whoosh.filedb.filestore import RamStorage

    from searcher.engines.whoosh.fixes import _read_offsets_and_lengths

    original = columns.VarBytesColumn.Reader.__dict__.get("_read_offsets_and_lengths")
    assert original is _read_offsets_and_lengths  # installed
    for count, allow in ((1, True), (7, False), (5000, True), (40000, True)):
        values = [bytes(range(i % 20)) for i in range(count)]
        column = columns.VarBytesColumn(allow_offsets=allow)
        storage = RamStorage()
        with storage.create_file("col") as f:
            writer = column.writer(f)
            for i, v in enumerate(values):
                writer.add(i, v)
            writer.finish(count)
            length = f.tell()
        reader = column.reader(storage.open_file("col"), 0, length, count)
        assert reader.had_stored_offsets == (count > 2**15)  # Whoosh writes offsets past that
        expected, base = [], 0
        for n in reader._lengths:
            expected.append(base)
            base += n
        assert list(reader._offsets) == expected
        assert [reader[i] for i in range(count)] == values


def test_terms_within_remembers_the_same_terms_in_the_same_order(tmp_path: Path) -> None:
    from whoosh.reading import SegmentReader

    from searcher import Archive, Article

    original = SegmentReader.terms_within.__wrapped__
    words = ["government", "governments", "goverment", "governor", "govern", "garment", "economy", "economic"]
    with Archive.open(tmp_path / "ix", create=True) as archive:
        archive.add([Article(title=f"T{i}", body=" ".join(words[i % 8 :] + ["x"]), url=f"https://e.org/{i}") for i in range(40)])
    with Archive.open(tmp_path / "ix") as archive:
        results = archive.search("goverment~", limit=50)
        assert results.total > 0
        reader = archive.engine.search_view().reader()
        nonempty = 0
        for leaf, _ in reader.leaf_readers():
            for text, dist in (("goverment", 1), ("govern", 2), ("economi", 1), ("zzz", 1)):
                expected = list(original(leaf, "body", text, dist, 1))
                assert list(leaf.terms_within("body", text, dist, 1)) == expected
                assert list(leaf.terms_within("body", text, dist, 1)) == expected  # remembered
                nonempty += bool(expected)
        assert nonempty >= 2
        assert archive.search("goverment~", limit=50).total == results.total
