"""`searcher check`: read a whole index and say what is wrong with it and how to recover.

``check_index`` opens the index, reads every segment's stored fields, term postings and
columns, and checks the bookkeeping the incremental indexer relies on: every article from a
file has that file's marker, every marker counts its file's articles, no id is stored twice.
It never changes the index.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from datetime import datetime
from typing import Optional, Any, Dict, List, Union

from searcher.engines.base import CheckReport
from searcher.errors import SearcherError

__all__ = ["check_index"]

_STORED = ("id", "title", "body", "source", "url", "author", "keywords", "path", "hash", "filesig", "member", "story")
_COLUMNS = ("date", "source_key")


def check_index(path: Union[str, Path]) -> CheckReport:
    """Check the index in ``path``; problems are in the report, never raised."""
    from searcher.engines.whoosh.engine import WhooshEngine

    report = CheckReport(location=str(path), fix_hint=_fix(path))
    try:
        archive = WhooshEngine.open(str(path))
    except SearcherError as exc:
        report.problems.append(str(exc))
        return report
    except Exception as exc:  # an unreadable TOC or schema
        report.problems.append(f"index '{path}' cannot be opened ({type(exc).__name__}: {exc}); {report.fix_hint}")
        return report
    with archive:
        try:
            reader = archive.ix.reader()
        except Exception as exc:
            report.problems.extend(_unopenable_segments(archive.ix, report) or [
                f"index '{path}' cannot be read ({type(exc).__name__}: {exc}); {report.fix_hint}"
            ])
            return report
        try:
            _check_segments(reader, report)
        finally:
            reader.close()
    return report


def _fix(path: Union[str, Path]) -> str:
    return f"re-create the index with `searcher index --rebuild --index {path} PATH...`"


def _check_segments(reader: Any, report: CheckReport) -> None:
    ids: Counter = Counter()
    per_path: Counter = Counter()
    markers: Dict[str, int] = {}
    marker_count: Counter = Counter()
    for leaf, _ in reader.leaf_readers():
        report.parts += 1
        name = _segment_name(leaf)
        try:
            seg_ids, seg_paths, seg_markers = _read_segment(leaf)
        except Exception as exc:
            report.problems.append(f"segment {name} is damaged ({type(exc).__name__}: {exc}); {report.fix_hint}")
            continue
        ids.update(seg_ids)
        per_path.update(seg_paths)
        for p, n in seg_markers:
            marker_count[p] += 1
            markers[p] = n
    report.articles = sum(ids.values())
    report.files = len(markers)
    twice = sorted(i for i, n in ids.items() if n > 1)
    if twice:
        report.problems.append(f"{len(twice)} article ids are stored more than once (first: {twice[0]}); {report.fix_hint}")
    doubled = sorted(p for p, n in marker_count.items() if n > 1)
    if doubled:
        report.problems.append(f"{len(doubled)} files have more than one marker (first: {doubled[0]}); {report.fix_hint}")
    unmarked = sorted(p for p in per_path if p and p not in markers)
    if unmarked:
        report.problems.append(
            f"{len(unmarked)} files have articles but no marker, so a run was cut short (first: {unmarked[0]}); "
            "run `searcher index` on the same paths again to finish them"
        )
    wrong = sorted(p for p, n in markers.items() if per_path.get(p, 0) != n)
    if wrong:
        first = wrong[0]
        report.problems.append(
            f"{len(wrong)} files hold a different number of articles than their marker records "
            f"(first: {first}: {per_path.get(first, 0)} stored, marker says {markers[first]}); {report.fix_hint}"
        )


def _unopenable_segments(ix: Any, report: CheckReport) -> List[str]:
    """One problem per segment that cannot even be opened."""
    from whoosh.reading import SegmentReader

    problems = []
    segments = ix._segments()
    report.parts = len(segments)
    for segment in segments:
        try:
            SegmentReader(ix.storage, ix.schema, segment).close()
        except Exception as exc:
            problems.append(
                f"segment {segment.segment_id()} is damaged ({type(exc).__name__}: {exc}); {report.fix_hint}"
            )
    return problems


def _segment_name(leaf: Any) -> str:
    segment = getattr(leaf, "segment", None)
    if callable(segment):
        try:
            return str(segment().segment_id())
        except Exception:
            pass
    return "?"


def _read_segment(leaf: Any) -> tuple:
    """Read everything in one segment: every stored document (deleted ones too), every term
    and every block of its posting list, every column; raises whatever a damaged file makes
    Whoosh raise, or ``ValueError`` for bytes that decode but contradict each other."""
    ids: List[str] = []
    paths: List[str] = []
    markers: List[tuple] = []
    live = 0
    for docnum in range(leaf.doc_count_all()):
        fields = leaf.stored_fields(docnum)
        for name in _STORED:
            value = fields.get(name)
            if value is not None and not isinstance(value, str):
                raise ValueError(f"stored field {name!r} holds {type(value).__name__}")
        if leaf.is_deleted(docnum):
            continue
        live += 1
        if "id" in fields:
            ids.append(fields["id"])
            paths.append(fields.get("path", ""))
            _check_derived(leaf, docnum, fields)
        elif fields.get("filesig"):
            markers.append((fields["path"], int(fields.get("position") or 0)))
        elif fields.get("member") and fields.get("story"):
            _check_story(leaf, docnum, fields)
        else:
            raise ValueError("a document that is neither an article nor a file marker")
    if live != leaf.doc_count():
        raise ValueError(f"{live} documents read, the segment says {leaf.doc_count()}")
    _read_postings(leaf)
    _read_columns(leaf)
    return ids, paths, markers


def _check_story(leaf: Any, docnum: int, fields: Any) -> None:
    """A story document (schema 6): its numeric columns are its member's and label's keys."""
    from searcher.stories import story_key

    for column, name in (("ikey", "member"), ("skey", "story")):
        if leaf.has_column(column) and leaf.column_reader(column)[docnum] != story_key(str(fields[name])):
            raise ValueError(f"the {column} column of story document {docnum} does not match its {name}")


def _check_derived(leaf: Any, docnum: int, fields: Any) -> None:
    """The columns derived from an article (schema 5) agree with its stored fields: the id
    column holds its id, the signature column the signature of its body (raw column bytes
    carry no checksum, so this is how damage inside them shows)."""
    from searcher.analytics.neardup import signature

    if leaf.has_column("uid"):
        uid = leaf.column_reader("uid")[docnum]
        if uid and uid != str(fields["id"]).encode("utf-8"):
            raise ValueError(f"the id column of document {docnum} does not hold its id")
    if leaf.has_column("date") and fields.get("date") is not None:
        from searcher.engines.whoosh.engine import date_from_column

        if date_from_column(leaf.column_reader("date", translate=False)[docnum]) != fields["date"].replace(tzinfo=None):
            raise ValueError(f"the date column of document {docnum} does not hold its date")
    if leaf.has_column("source_key"):
        key = leaf.column_reader("source_key")[docnum]
        source = str(fields.get("source", "")).strip() or "(unknown)"
        if key and key != source:
            raise ValueError(f"the source column of document {docnum} does not hold its source")
    if leaf.has_column("day"):
        from datetime import timedelta

        from searcher.engines.whoosh.engine import NO_DATE

        raw = leaf.column_reader("day", translate=False)[docnum]
        date = fields.get("date")
        expected: Optional[datetime] = None
        if date is not None:
            expected = date.replace(tzinfo=None) + timedelta(minutes=fields.get("offset") or 0)
        found = None if raw == NO_DATE else date_from_column(raw)
        if found != expected and not (date is not None and raw == NO_DATE and not _has_day(leaf)):
            raise ValueError(f"the day column of document {docnum} does not match its date")
    if leaf.has_column("ikey"):
        from searcher.stories import story_key

        key = leaf.column_reader("ikey")[docnum]
        if key and key != story_key(str(fields["id"])):  # (0: written without one, by other tools)
            raise ValueError(f"the id key column of document {docnum} does not match its id")
    if leaf.has_column("sig"):
        stored = leaf.column_reader("sig")[docnum]
        if stored and stored != signature(str(fields.get("body", ""))):
            raise ValueError(f"the near-duplicate signature of document {docnum} does not match its body")


def _has_day(leaf: Any) -> bool:
    """Whether any document of the segment has a day value (documents written without one,
    by other tools, hold the column's default)."""
    from searcher.engines.whoosh.engine import NO_DATE

    values = leaf.column_reader("day", translate=False)
    return any(values[d] != NO_DATE for d in range(leaf.doc_count_all()))


def _read_postings(leaf: Any) -> None:
    """Every term of the segment in order, found again through the term index's hash
    table, and its whole posting list decoded (ids, weights, positions of every block),
    checked against the term's statistics."""
    from whoosh.fields import NUMERIC

    from searcher.engines.whoosh.codec import NewsCodec

    terms = leaf._terms  # W3TermsReader: the segment's term index
    _check_ordered_index(terms._tindex)
    news = isinstance(leaf.codec(), NewsCodec)
    fieldmap = terms._fieldmap
    doccount = leaf.doc_count_all()
    previous: tuple = ()
    for (fieldname, tbytes), info in terms.items():
        if fieldname not in leaf.schema:
            raise ValueError(f"a term of an unknown field ({fieldname!r})")
        key = (fieldmap[fieldname], bytes(tbytes))
        if key <= previous:
            raise ValueError(f"the terms of {fieldname} are out of order")
        previous = key
        # A garbled word does not decode (numbers and dates are stored as binary terms).
        text = bytes(tbytes).hex() if isinstance(leaf.schema[fieldname], NUMERIC) else bytes(tbytes).decode("utf-8")
        where = f"term {fieldname}:{text!r}"
        again = terms.term_info(fieldname, tbytes)
        if _summary(again) != _summary(info):
            raise ValueError(f"{where} is not found again through the term index")
        if info.is_inlined():
            found, weights, _ = info.inlined_postings()
            postings = [(tuple(found), tuple(weights))]
        elif news:
            postings = _news_blocks(terms._postfile, info, where)
        else:  # a segment written by Whoosh's own W3 codec (an index from before searcher's)
            postings = [_matcher_postings(leaf.postings(fieldname, tbytes))]
        _check_postings(postings, info, doccount, where)


def _check_ordered_index(table: Any) -> None:
    """The term file's sorted position array (what prefix and range expansion search)
    points, entry by entry, at the keys in order: damage there changes which words a
    prefix expands to while every key stays readable and findable by hash."""
    keys = [bytes(key) for key, _ in table.items()]
    if table.indexlen != len(keys):
        raise ValueError(f"the term index lists {table.indexlen} terms, the term file holds {len(keys)}")
    for i, key in enumerate(keys):
        pos = table._get_pos(table.indexbase + i * table.indexsize)
        if not table.startofdata <= pos < table.endofdata or bytes(table.key_at(pos)) != key:
            raise ValueError(f"entry {i} of the term index does not point at term {i}")


def _summary(info: Any) -> tuple:
    """What a term info says, to compare two reads of it."""
    where = info.inlined_postings() if info.is_inlined() else info.extent()
    return info.doc_frequency(), info.weight(), info.min_id(), info.max_id(), where


def _news_blocks(postfile: Any, info: Any, where: str) -> List[tuple]:
    """(ids, weights) of each block of a ``NewsCodec`` posting list, every section decoded."""
    import zlib

    from searcher.engines.whoosh.codec import block_ids, block_positions, block_weights, read_blocks, split_block

    out = []
    offset, length = info.extent()
    if isinstance(length, tuple):  # Whoosh's from_bytes leaves the unpacked tuple
        length = length[0]
    for n, maxid, data in read_blocks(postfile, offset, length):
        parts = split_block(data)
        found = block_ids(parts)
        if len(found) != n or not found or found[-1] != maxid:
            raise ValueError(f"a block of {where} does not hold the postings its header says")
        weights = block_weights(parts, n)
        positions = block_positions(parts)
        if positions is not None:
            counts, every = positions
            if len(counts) != parts[7] or sum(counts) != len(every) or (every and min(every) < 0):
                raise ValueError(f"the positions of {where} do not add up")
        elif parts[6]:
            zlib.decompress(parts[8])
        out.append((found, weights))
    return out


def _matcher_postings(matcher: Any) -> tuple:
    found, weights = [], []
    while matcher.is_active():
        found.append(matcher.id())
        weights.append(matcher.weight())
        matcher.value()
        matcher.next()
    return tuple(found), tuple(weights)


def _check_postings(blocks: List[tuple], info: Any, doccount: int, where: str) -> None:
    """The ids strictly increase inside the segment, and their number and summed weight
    are the term's statistics."""
    import math

    last = -1
    count = 0
    total = 0.0
    first = None
    for found, weights in blocks:
        if len(found) != len(weights):
            raise ValueError(f"{where} has {len(found)} postings and {len(weights)} weights")
        for docnum in found:
            if docnum <= last:
                raise ValueError(f"the postings of {where} are out of order")
            last = docnum
        if found and first is None:
            first = found[0]
        count += len(found)
        total += math.fsum(weights)
    if last >= doccount:
        raise ValueError(f"{where} lists document {last} of a segment of {doccount}")
    if count != info.doc_frequency() or (count and (first, last) != (info.min_id(), info.max_id())):
        raise ValueError(f"{where} lists {count} documents, its statistics say {info.doc_frequency()}")
    if not math.isclose(total, info.weight(), rel_tol=1e-4, abs_tol=1e-3):
        raise ValueError(f"the weights of {where} add up to {total:g}, its statistics say {info.weight():g}")


def _read_columns(leaf: Any) -> None:
    """Every value of every column: the sortable fields' and each scored field's lengths."""
    from searcher.engines.whoosh.engine import NO_DATE, date_from_column

    schema = leaf.schema
    doccount = leaf.doc_count_all()
    for name in _COLUMNS:
        if not leaf.has_column(name):
            continue
        values = leaf.column_reader(name, translate=False)
        for docnum in range(doccount):
            value = values[docnum]
            if name == "date" and value != NO_DATE and date_from_column(value) is None:
                raise ValueError(f"document {docnum} has an impossible date")
    for name in schema.scorable_names():
        for docnum in range(doccount):
            leaf.doc_field_length(docnum, name)
