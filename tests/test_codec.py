"""``searcher.codec`` stores the same postings as Whoosh's W3 codec, in another block layout.

The same documents are written with W3 and with ``NewsCodec`` (plain ``SegmentWriter`` both
times); every posting (docnum, weight, value), block statistic and Whoosh search result
must be equal, for long lists (many blocks), constant and varied weights, and fields with
and without positions.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, List

from whoosh import index as whoosh_index
from whoosh import query as wq
from whoosh.codec.whoosh3 import W3Codec
from whoosh.writing import SegmentWriter

from searcher.engines.whoosh.codec import INLINE_LIMIT, NewsCodec, NewsLeafMatcher
from searcher.engines.whoosh.schema import make_schema

WORDS = "bank england rates rise fall market shares north korea missile test trade".split()


def _docs(n: int) -> List[dict]:
    out = []
    for i in range(n):
        body = " ".join(WORDS[(i * k) % len(WORDS)] for k in range(1, 5 + i % 40))
        if i == 450:  # positions past 65,535: a block's position differences need 32 bits
            body = " ".join(WORDS[k % 7] for k in range(70_000))
        out.append({
            "id": f"d{i}", "kind": "article", "title": f"Title {WORDS[i % 12]} {i}", "body": body,
            "keywords": ",".join(WORDS[i % 5 : i % 5 + 2]), "source": "bbc" if i % 3 else "cnn",
            "path": f"/p/{i % 5}",
        })
    return out


def _build(folder: Path, codec: Any) -> Any:
    folder.mkdir()
    ix = whoosh_index.create_in(str(folder), make_schema())
    docs = _docs(900)
    for start in range(0, 900, 300):
        w = SegmentWriter(ix, codec=codec)
        if start == 600:
            w.delete_by_term("path", "/p/2")
        for doc in docs[start : start + 300]:
            w.add_document(**doc)
        w.commit()
    return ix


def test_news_codec_stores_what_w3_stores(tmp_path: Path) -> None:
    plain, news = _build(tmp_path / "w3", W3Codec()), _build(tmp_path / "news", NewsCodec(inlinelimit=INLINE_LIMIT))
    with plain.reader() as a, news.reader() as b:
        assert list(a.iter_postings()) == list(b.iter_postings())
        leaf = b.leaf_readers()[0][0]
        inlined = [t for t in leaf.lexicon("title") if leaf._terms.term_info("title", t).is_inlined()]
        assert inlined and all(leaf.doc_frequency("title", t) < INLINE_LIMIT for t in inlined)
        for field in ("title", "body", "keywords", "source", "kind"):
            for term in a.lexicon(field):
                ta, tb = a.term_info(field, term), b.term_info(field, term)
                assert (ta.doc_frequency(), ta.max_weight(), ta.min_length(), ta.max_length(), ta.weight()) == (
                    tb.doc_frequency(), tb.max_weight(), tb.min_length(), tb.max_length(), tb.weight()
                )
        leaf = b.leaf_readers()[0][0]
        m = leaf._terms.matcher("body", b"bank", leaf.schema["body"].format)
        assert isinstance(m, NewsLeafMatcher)  # the new layout was really written and read


def test_whoosh_searches_give_the_same_results(tmp_path: Path) -> None:
    plain, news = _build(tmp_path / "w3", W3Codec()), _build(tmp_path / "news", NewsCodec(inlinelimit=INLINE_LIMIT))
    queries = [
        wq.Term("body", "bank"),
        wq.Term("title", "8"),  # an inlined posting list
        wq.Phrase("body", ["north", "korea"]),
        wq.Phrase("body", ["bank", "rate"], slop=3),
        wq.And([wq.Term("body", "market"), wq.Not(wq.Term("title", "bank"))]),
        wq.Or([wq.Term("keywords", "bank"), wq.Term("source", "cnn")]),
    ]
    with plain.searcher() as a, news.searcher() as b:
        for q in queries:
            ra, rb = a.search(q, limit=None), b.search(q, limit=None)
            assert len(ra) > 0
            assert [(h.docnum, round(h.score, 9)) for h in ra] == [(h.docnum, round(h.score, 9)) for h in rb], q
