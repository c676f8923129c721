"""`searcher check`: read a whole index and say what is wrong with it and how to recover.

``check_index`` opens the index, reads every segment's stored fields, term postings and
columns, and checks the bookkeeping the incremental indexer relies on: every article from a
file has that file's marker, every marker counts its file's articles, no id is stored twice.
It never changes the index.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any, Dict, List, Union

from searcher.engines.base import CheckReport
from searcher.errors import SearcherError

__all__ = ["check_index"]

_STORED = ("id", "title", "body", "source", "url", "author", "keywords", "path", "hash", "filesig")
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
    """Read everything in one segment; raises whatever a damaged file makes Whoosh raise."""
    ids: List[str] = []
    paths: List[str] = []
    markers: List[tuple] = []
    live = 0
    for _, fields in leaf.iter_docs():
        live += 1
        for name in _STORED:
            value = fields.get(name)
            if value is not None and not isinstance(value, str):
                raise ValueError(f"stored field {name!r} holds {type(value).__name__}")
        if "id" in fields:
            ids.append(fields["id"])
            paths.append(fields.get("path", ""))
        elif fields.get("filesig"):
            markers.append((fields["path"], int(fields.get("position") or 0)))
        else:
            raise ValueError("a document that is neither an article nor a file marker")
    if live != leaf.doc_count():
        raise ValueError(f"{live} documents read, the segment says {leaf.doc_count()}")
    schema = leaf.schema
    for fieldname in schema.names():
        if not schema[fieldname].indexed:
            continue
        for n, term in enumerate(leaf.lexicon(fieldname)):
            postings = leaf.postings(fieldname, term)
            found = sum(1 for _ in postings.all_ids())
            if found != leaf.doc_frequency(fieldname, term) and not leaf.has_deletions():
                raise ValueError(f"term {fieldname}:{term!r} lists {found} documents, its count says otherwise")
            if n >= 2:  # the first terms of each field prove its postings are readable
                break
    for column in _COLUMNS:
        if leaf.has_column(column):
            values = leaf.column_reader(column, translate=False)
            for docnum in range(leaf.doc_count_all()):
                values[docnum]
    return ids, paths, markers
