"""Export header, index fingerprint, citations and the stable export order."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta, timezone

from searcher.analytics.export import (
    ExportHeader,
    citation,
    citation_record,
    csv_comment,
    export_order,
    fingerprint,
    read_csv_comment,
)

UTC = timezone.utc


def test_header_json_and_csv_comment() -> None:
    header = ExportHeader("devos", date(2017, 1, 1), datetime(2017, 3, 31, 23, 59, 59, tzinfo=UTC), 5356, "idx1-ab")
    line = header.to_json()
    assert "\n" not in line
    assert list(json.loads(line).items()) == [
        ("query", "devos"),
        ("since", "2017-01-01"),
        ("until", "2017-03-31T23:59:59Z"),
        ("articles", 5356),
        ("fingerprint", "idx1-ab"),
    ]
    comment = csv_comment(header)
    assert comment.startswith("# ") and read_csv_comment(comment) == header.to_dict()
    assert read_csv_comment("id,title") is None and read_csv_comment("# searcher-export {bad") is None
    assert ExportHeader("", None, None, 0, "x").to_dict()["since"] is None


def test_fingerprint_is_stable_order_free_and_changes_with_the_index() -> None:
    state = [("segment:abc", {"docs": 1000, "deleted": 3}), ("generation", 7)]
    value = fingerprint(state)
    assert value == fingerprint(list(reversed(state)))
    assert value.startswith("idx1-") and len(value) == len("idx1-") + 24
    assert fingerprint([("segment:abc", {"docs": 1000, "deleted": 4}), ("generation", 7)]) != value
    assert fingerprint([("segment:abc", {"docs": 1000, "deleted": 3}), ("generation", 8)]) != value
    assert fingerprint(state + [("segment:def", {"docs": 1, "deleted": 0})]) != value
    # a fixed input gives a fixed output on every machine and run (no salted hashing)
    assert fingerprint([("generation", 1)]) == fingerprint(iter([("generation", 1)]))


def test_fingerprint_is_a_known_digest() -> None:
    import hashlib

    expected = hashlib.blake2b(b'[["a",1],["b","x"]]', digest_size=12).hexdigest()
    assert fingerprint([("b", "x"), ("a", 1)]) == "idx1-" + expected


def test_citation_chicago_note_form() -> None:
    when = datetime(2017, 2, 7, 18, 30, tzinfo=UTC)
    text = citation(
        outlet="ABC News",
        author="Jane Doe",
        title="Betsy DeVos Confirmed as Education Secretary",
        date=when,
        url="http://abcnews.go.com/Politics/x",
    )
    assert text == (
        "Jane Doe, \u201cBetsy DeVos Confirmed as Education Secretary,\u201d ABC News, "
        "February 7, 2017, http://abcnews.go.com/Politics/x."
    )
    assert citation(outlet="", author="", title="Why now?", date=None, url="") == "\u201cWhy now?\u201d n.d."
    assert citation(outlet="RTE", author=" ", title="", date=date(2017, 3, 1), url="") == "RTE, March 1, 2017."
    late = datetime(2017, 12, 31, 22, tzinfo=timezone(timedelta(hours=-5)))  # 1 January 2018 UTC
    assert citation(outlet="AP", author="", title="T", date=late, url="") == "\u201cT,\u201d AP, January 1, 2018."


def test_citation_record() -> None:
    record = citation_record(outlet="BBC", author="", title="Ad sales boost Time Warner profit", date=None, url="u")
    assert record == {
        "outlet": "BBC",
        "author": "",
        "title": "Ad sales boost Time Warner profit",
        "date": None,
        "url": "u",
        "text": "\u201cAd sales boost Time Warner profit,\u201d BBC, n.d., u.",
    }


def test_export_order_oldest_first_undated_last_ties_by_id() -> None:
    rows = [("b", date(2017, 1, 2)), ("z", None), ("c", date(2017, 1, 1)), ("a", date(2017, 1, 2)), ("y", None)]
    assert [i for i, d in sorted(rows, key=lambda r: export_order(*r))] == ["c", "a", "b", "y", "z"]
