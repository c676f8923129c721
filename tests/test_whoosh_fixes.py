"""The corrections to Whoosh in searcher._whoosh_fixes behave like the originals."""

from __future__ import annotations

import pickle

import searcher._whoosh_fixes  # noqa: F401  (applies the fixes)
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
