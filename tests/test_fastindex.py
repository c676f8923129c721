"""The fast writer and the reader pipeline change speed, never results.

The same small corpus goes through Whoosh's own ``SegmentWriter`` (the plain path, files read
serially) and through searcher's ``FastWriter`` (files read by worker processes): every
posting, stored field and field length must be identical, and so must the ids, order and
snippets of searches.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable, List

import pytest
from whoosh import index as whoosh_index
from whoosh.writing import SegmentWriter

from searcher import pipeline
from searcher.engines.whoosh import fastindex
from searcher import gctune
from searcher.archive import Archive
from searcher.engines.whoosh.schema import ANALYZER, make_schema

CORPUS = Path(__file__).resolve().parent.parent / "corpus"
QUERIES = [
    "north korea",
    '"north korea" missile',
    "brexit OR trump",
    "election AND NOT trump",
    "bank",
    "market -shares",
    "title:grammy",
    "film award",
]


def _build(tmp: Path, name: str, writer: Callable[[Any], Any], workers: int, monkeypatch: Any) -> Path:
    # The Whoosh engine takes its segment writer from fastindex when it opens a session.
    monkeypatch.setattr(fastindex, "new_writer", writer)
    monkeypatch.setenv("SEARCHER_WORKERS", str(workers))
    # small batches, so that several commits and segment merges happen
    monkeypatch.setenv("SEARCHER_BATCH_ARTICLES", "17")
    folder = tmp / name
    with Archive.open(folder, create=True) as archive:
        report = archive.index_paths([CORPUS])
    assert report.added > 100 and not report.failures
    return folder


def _plain_writer(ix: Any, **_: Any) -> Any:
    return SegmentWriter(ix, _lk=False, limitmb=256)


@pytest.fixture(scope="module")
def built(tmp_path_factory: Any) -> List[Path]:
    mp = pytest.MonkeyPatch()
    tmp = tmp_path_factory.mktemp("fast")
    try:
        plain = _build(tmp, "plain", _plain_writer, 0, mp)
        fast = _build(tmp, "fast", fastindex.new_writer, 2, mp)
    finally:
        mp.undo()
    return [plain, fast]


def test_same_postings_documents_and_lengths(built: List[Path]) -> None:
    plain, fast = (whoosh_index.open_dir(str(p)) for p in built)
    with plain.reader() as a, fast.reader() as b:
        assert a.doc_count() == b.doc_count() > 100
        assert list(a.iter_postings()) == list(b.iter_postings())
        assert [d for _, d in a.iter_docs()] == [d for _, d in b.iter_docs()]
        for field in ("title", "body", "keywords"):
            assert a.field_length(field) == b.field_length(field)
            assert [a.doc_field_length(d, field) for d in a.all_doc_ids()] == [
                b.doc_field_length(d, field) for d in b.all_doc_ids()
            ]


def test_same_term_statistics(built: List[Path]) -> None:
    """Every term's entry (document frequency, total and top weight, shortest and longest
    document, first and last id) is the same, including the inlined short lists."""
    plain, fast = (whoosh_index.open_dir(str(p)) for p in built)
    with plain.reader() as a, fast.reader() as b:
        for (ra, _), (rb, _) in zip(a.leaf_readers(), b.leaf_readers()):
            for field in ("title", "body", "keywords", "source", "url", "id", "date"):
                terms = list(ra.lexicon(field))
                assert terms == list(rb.lexicon(field))
                for term in terms:
                    ta, tb = ra._terms.term_info(field, term), rb._terms.term_info(field, term)
                    assert (ta.doc_frequency(), ta.weight(), ta.max_weight(), ta.min_length(), ta.max_length(),
                            ta.min_id(), ta.max_id()) == (tb.doc_frequency(), tb.weight(), tb.max_weight(),
                            tb.min_length(), tb.max_length(), tb.min_id(), tb.max_id()), (field, term)


def test_same_search_results(built: List[Path]) -> None:
    with Archive.open(built[0]) as plain, Archive.open(built[1]) as fast:
        for q in QUERIES:
            a, b = plain.search(q, limit=20), fast.search(q, limit=20)
            assert a.total == b.total, q
            assert [h.id for h in a.hits] == [h.id for h in b.hits], q
            assert [h.snippets for h in a.hits] == [h.snippets for h in b.hits], q
            assert [round(h.score, 6) for h in a.hits] == [round(h.score, 6) for h in b.hits], q


def test_positions_items_match_whoosh() -> None:
    """The indexer's one-pass analysis (``NewsTokenizer.term_positions``) gives what Whoosh's
    own path through the tokenizer gives, for every text of the shipped corpus and for
    apostrophes, abbreviations, stopwords and non-Latin scripts."""
    schema = make_schema()
    texts = [
        "The Bank of England's governor said: rates rise, rates fall. U.S. banks don't; rates!",
        "İstanbul’s mayor — Ünal O’Neill's “reform” — 3.5% of 1,000; ΑΘΗΝΑ naïve café; 東京 株価",
        "it's the the THE of and 'quoted' it’s rock'n'roll Dr. J.R.R. Tolkien's",
        "",
    ]
    for path in sorted((CORPUS / "text").rglob("*.txt"))[:40]:
        texts.append(path.read_text(encoding="utf-8", errors="replace"))
    for name in ("title", "body", "url"):
        field = schema[name]
        for text in texts:
            items = fastindex.positions_items(field.analyzer, text, field.format.field_boost)
            assert sorted(items) == sorted(field.index(text)), (name, text[:60])
            # ... and the packed form reader processes send unpacks to the same, in order.
            packed = fastindex.pack_positions(field.analyzer, text)
            assert list(zip(*fastindex.unpack_positions(packed, field.format.field_boost))) == items, (name, text[:60])


def test_read_all_keeps_order(tmp_path: Path) -> None:
    files = sorted(p for p in (CORPUS / "text").rglob("*.txt"))[:9]
    todo = [(str(p), "sig") for p in files]
    serial = list(pipeline.read_all(todo, "auto", {}, workers=0))
    parallel = list(pipeline.read_all(todo, "auto", {}, workers=2))
    assert [r.path for r in parallel] == [str(p) for p in files]
    assert serial == parallel


def _docs(n: int = 60) -> List[dict]:
    words = "bank england rates rise fall market shares north korea missile test trade".split()
    out = []
    for i in range(n):
        body = " ".join(words[(i * k) % len(words)] for k in range(1, 25 + i % 7))
        out.append({"id": f"d{i}", "kind": "article", "title": f"Title {words[i % 12]} {i}", "body": body, "path": f"/p/{i % 5}"})
    return out


@pytest.mark.parametrize("optimize", [False, True])
def test_merges_and_deletions_match_plain_writer(tmp_path: Path, optimize: bool) -> None:
    """Several commits, deletions and (with optimize) a merge of every segment."""
    readers = []
    for name, make in (("plain", _plain_writer), ("fast", fastindex.new_writer)):
        (tmp_path / name).mkdir()
        ix = whoosh_index.create_in(str(tmp_path / name), make_schema())
        docs = _docs()
        for start in range(0, 60, 15):
            w = make(ix)
            if start == 30:
                w.delete_by_term("path", "/p/1")
            for doc in docs[start : start + 15]:
                w.add_document(**doc)
            w.commit(optimize=optimize and start == 45)
        readers.append(ix.reader())
    a, b = readers
    assert len(a.leaf_readers()) == len(b.leaf_readers()) == (1 if optimize else 4)
    assert list(a.iter_postings()) == list(b.iter_postings())
    assert [d for _, d in a.iter_docs()] == [d for _, d in b.iter_docs()]
    assert [a.doc_field_length(d, "body") for d in a.all_doc_ids()] == [
        b.doc_field_length(d, "body") for d in b.all_doc_ids()
    ]
    a.close()
    b.close()


def test_long_posting_lists_fill_blocks_like_whoosh(tmp_path: Path) -> None:
    """Terms with several 128-posting blocks in one commit."""
    readers = []
    for name, make in (("plain", _plain_writer), ("fast", fastindex.new_writer)):
        (tmp_path / name).mkdir()
        ix = whoosh_index.create_in(str(tmp_path / name), make_schema())
        w = make(ix)
        for doc in _docs(700):
            w.add_document(**doc)
        w.commit()
        readers.append(ix.reader())
    a, b = readers
    assert list(a.iter_postings()) == list(b.iter_postings())
    ta, tb = a.term_info("body", "bank"), b.term_info("body", "bank")
    assert (ta.doc_frequency(), ta.max_weight(), ta.min_length(), ta.max_length()) == (
        tb.doc_frequency(), tb.max_weight(), tb.min_length(), tb.max_length()
    )
    a.close()
    b.close()


def test_bulk_term_writer_writes_the_per_term_bytes(tmp_path: Path, monkeypatch: Any) -> None:
    """``termwriter.write_field`` (the commit of new documents) writes the very files the
    per-term path through Whoosh's field writer writes: posting lists of one, two, three and
    several blocks, inlined lists, boosted documents, valueless, keyword, date and
    plain-positions fields, and documents whose body is empty."""
    from datetime import datetime

    docs = _docs(400)
    for i, doc in enumerate(docs):
        doc["keywords"] = " ".join(["trade", "missile", f"k{i % 7}", f"rare{i}"][: 1 + i % 4])
        doc["date"] = datetime(2000 + i % 30, 1 + i % 12, 1 + i % 28)
        doc["title"] += f" once{i} twice{i // 2} thrice{i // 3}"
        doc["author"] = ["Ann Lee", "Bo Chen and Ann Lee", "Reuters staff"][i % 3]  # Positions: variable values
        doc["source"] = "Wire" if i % 4 else "Daily Post"
        if i % 9 == 0:
            doc["_boost"] = 2.5
        if i % 50 == 0:
            doc["body"] = ""

    def files(name: str) -> dict:
        (tmp_path / name).mkdir()
        ix = whoosh_index.create_in(str(tmp_path / name), make_schema())
        w = fastindex.new_writer(ix)
        w.compound = False
        for doc in docs:
            w.add_document(**doc)
        w.commit()
        (segment,) = ix._segments()
        prefix = segment.segment_id() + "."
        out = {p.name[len(prefix) :]: p.read_bytes() for p in (tmp_path / name).iterdir() if p.name.startswith(prefix)}
        ix.close()
        return out

    bulk = files("bulk")
    monkeypatch.setattr(
        fastindex.FastWriter, "_write_grouped", lambda self, lengths: self._write_stream(lengths, self._mem_stream())
    )
    per_term = files("per_term")
    assert {"trm", "pst", "_stored.col"} <= set(bulk)
    assert bulk == per_term


def test_indexing_collects_less_often_then_restores_the_thresholds(tmp_path: Path, monkeypatch: Any) -> None:
    import gc

    from searcher.indexing import Indexer

    seen = []
    add_file = Indexer.add_file
    monkeypatch.setattr(Indexer, "add_file", lambda self, result: (seen.append(gc.get_threshold()[0]), add_file(self, result)))
    before = gc.get_threshold()
    with Archive.open(tmp_path / "ix", create=True) as archive:
        archive.index_paths([CORPUS / "text"])
        assert gc.get_threshold() == before
        indexed = archive.stats().articles

        def fail(self: Any, result: Any) -> None:
            raise RuntimeError("stop")

        monkeypatch.setattr(Indexer, "add_file", fail)
        # The error itself comes out (closing twice once hid it behind ReaderClosed),
        # and nothing indexed is lost.
        with pytest.raises(RuntimeError, match="stop"):
            archive.index_paths([CORPUS])
        assert archive.stats().articles == indexed > 0
    assert seen and min(seen) >= gctune.GC_THRESHOLD
    assert gc.get_threshold() == before
