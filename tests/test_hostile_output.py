"""What articles and file names hold never drives the terminal or a spreadsheet.

An article (or a file name) may hold terminal control sequences: ``ESC ] 0 ; title BEL``
sets the window title, ``ESC [ 41 m`` the colours, and C1 characters (U+0080-U+009F, 0x9B
is CSI) do the same on some terminals. Every text-mode output (search, show, stats, the
index report, ``--errors`` files, error messages) must show them as visible characters,
on a terminal (``--color always``) and piped (a real process). JSON keeps the exact data.
CSV cells that start like a formula get a leading ``'`` (OWASP "CSV Injection").
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Dict, List

import pytest
from click.testing import CliRunner

from searcher.archive import Archive
from searcher.article import Article
from searcher.cli import main
from searcher.render import printable, spreadsheet_safe

OSC_TITLE = "\x1b]0;PWNED\x07"
SGR_RED = "\x1b[41m"
C1_CSI = "\x9b31m"
HOSTILE = f"{OSC_TITLE}{SGR_RED}{C1_CSI}\x7f\r\x08"
#: What searcher itself writes in colour; nothing else may start with ESC.
OWN_SGR = ("\x1b[0m", "\x1b[1m", "\x1b[2m", "\x1b[36m", "\x1b[1;33m")
CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
#: The hostile bytes as UTF-8 on the wire (C1 characters are two bytes: C2 80-9F).
WIRE = re.compile(rb"[\x00-\x08\x0b-\x1f\x7f]|\xc2[\x80-\x9f]")


def _assert_printable(text: str) -> None:
    """No control character in ``text`` but newlines (and tabs), once our own colour
    codes are removed; and the hostile sequences are there, made visible."""
    for code in OWN_SGR:
        text = text.replace(code, "")
    found = CONTROLS.search(text)
    assert found is None, f"control {found.group()!r} at {found.start()}: {text[max(0, found.start() - 40):found.start() + 40]!r}"


def _assert_clean_bytes(data: bytes) -> None:
    found = WIRE.search(data)
    assert found is None, f"control bytes {found.group()!r} in {data[max(0, found.start() - 40):found.start() + 40]!r}"


@pytest.fixture
def hostile_index(tmp_path: Path) -> Path:
    """An index whose one article holds control sequences in every field, read from a file
    whose name holds them too; beside it a file that fails, with such a name."""
    news = tmp_path / "news"
    news.mkdir()
    row = {
        "title": f"Harbour {HOSTILE} title",
        "text": f"The harbour body {HOSTILE} more text.\nSecond line of the harbour story.",
        "source": f"src{OSC_TITLE}{SGR_RED}",
        "author": f"Author {HOSTILE}",
        "url": f"https://e.example/{OSC_TITLE}",
        "date": "2023-08-31",
    }
    (news / f"feed{OSC_TITLE}.jsonl").write_text(json.dumps(row) + "\n", encoding="utf-8")
    (news / f"bad{OSC_TITLE}{SGR_RED}.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)))
    index = tmp_path / "ix"
    with Archive.open(index, create=True) as archive:
        archive.index_paths([news])
        archive.add([Article(title="Keyword harbour", body="The harbour keyword story.", keywords=(f"kw{SGR_RED}", "harbour"))])
    return index


def test_index_report_and_errors_file_carry_no_control(hostile_index: Path, tmp_path: Path) -> None:
    errors = tmp_path / "errors.txt"
    result = CliRunner().invoke(main, ["index", str(tmp_path / "news"), "--index", str(hostile_index), "--errors", str(errors)])
    assert result.exit_code == 0, result.output
    _assert_printable(result.stderr)
    assert "bad␛]0;PWNED␇␛[41m.txt: binary file" in result.stderr
    _assert_printable(errors.read_text(encoding="utf-8"))
    assert "bad␛]0;PWNED␇␛[41m.txt: binary file" in errors.read_text(encoding="utf-8")


def test_printable_keeps_length_and_shows_every_control() -> None:
    text = f"a{HOSTILE}\tb\nc\x00\x85"
    one_line = printable(text)
    assert len(one_line) == len(text)
    assert one_line == "a␛]0;PWNED␇␛[41m\ufffd31m␡ ␈ b c␀\ufffd"
    assert printable(text, multiline=True) == "a␛]0;PWNED␇␛[41m\ufffd31m␡ ␈\tb\nc␀\ufffd"
    assert printable("plain text, ünïcödé") == "plain text, ünïcödé"


@pytest.mark.parametrize("color", ["never", "always"])
def test_search_show_and_stats_text_carry_no_control(hostile_index: Path, color: str) -> None:
    runner = CliRunner()
    search = runner.invoke(main, ["search", "harbour", "--index", str(hostile_index), "--color", color, "--show-query"])
    assert search.exit_code == 0, search.output
    _assert_printable(search.stdout)
    assert "src␛]0;PWNED␇␛[41m" in search.stdout  # the source, visible
    assert "Harbour ␛]0;PWNED␇␛[41m\ufffd31m␡ ␈ title" in search.stdout.replace("\x1b[1;33m", "").replace("\x1b[0m", "")
    assert "kw␛[41m" in search.stdout

    with Archive.open(hostile_index) as archive:
        hit_id = archive.search("title").hits[0].id
    show = runner.invoke(main, ["show", hit_id, "--index", str(hostile_index), "--color", color, "-q", "harbour"])
    assert show.exit_code == 0, show.output
    _assert_printable(show.stdout)
    assert "Author ␛]0;PWNED␇" in show.stdout and "https://e.example/␛]0;PWNED␇" in show.stdout
    assert "feed␛]0;PWNED␇.jsonl" in show.stdout  # the path
    assert "more text.\nSecond line" in show.stdout  # the body keeps its lines

    stats = runner.invoke(main, ["stats", "--index", str(hostile_index)])
    assert stats.exit_code == 0
    _assert_printable(stats.stdout)
    assert "src␛]0;PWNED␇␛[41m" in stats.stdout


def test_error_messages_carry_no_control(hostile_index: Path) -> None:
    runner = CliRunner()
    unknown = runner.invoke(main, ["show", f"nope{OSC_TITLE}", "--index", str(hostile_index)])
    assert unknown.exit_code == 1
    assert unknown.stderr == "Error: no article with id 'nope␛]0;PWNED␇'; ids are shown in search results\n"
    option = runner.invoke(main, ["search", f"-{SGR_RED}", "--index", str(hostile_index)])
    assert option.exit_code == 2
    _assert_printable(option.stderr)
    assert "-␛[41m" in option.stderr
    group = runner.invoke(main, [f"--{OSC_TITLE}"])
    assert group.exit_code == 2
    _assert_printable(group.stderr)


def test_html_shows_controls_escaped(hostile_index: Path) -> None:
    page = CliRunner().invoke(main, ["search", "harbour", "--index", str(hostile_index), "--format", "html"]).stdout
    _assert_printable(page)
    assert "src␛]0;PWNED␇␛[41m" in page


def test_json_keeps_the_exact_data_with_every_control_escaped(hostile_index: Path) -> None:
    runner = CliRunner()
    for args in (["search", "title", "--format", "json"], ["search", "title", "--format", "jsonl"], ["export"]):
        result = runner.invoke(main, [*args, "--index", str(hostile_index)])
        assert result.exit_code == 0, result.output
        assert CONTROLS.search(result.stdout) is None, args
        first = json.loads(result.stdout) if args[-1] == "json" else json.loads(result.stdout.splitlines()[0])
        hit = first["hits"][0] if "hits" in first else first
        assert hit["source"] == f"src{OSC_TITLE}{SGR_RED}"  # exact
        assert f"{OSC_TITLE}{SGR_RED}{C1_CSI}\x7f" in hit["title"]
        assert "\\u001b]0;PWNED\\u0007" in result.stdout and "\\u009b31m\\u007f" in result.stdout


def test_piped_output_carries_no_control_bytes(hostile_index: Path, tmp_path: Path) -> None:
    """A real process writing to a pipe: click strips only CSI colour codes there, so an
    OSC title sequence or a C1 character would pass if searcher did not stop it."""
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    with Archive.open(hostile_index) as archive:
        hit_id = archive.search("title").hits[0].id
    runs = [
        ["search", "harbour"],
        ["show", hit_id, "-q", "harbour"],
        ["stats"],
        ["index", str(tmp_path / "news")],
    ]
    for args in runs:
        out = subprocess.run([sys.executable, "-m", "searcher", *args, "--index", str(hostile_index)],
                             capture_output=True, env=env, timeout=120)
        assert out.returncode == 0, out.stderr
        _assert_clean_bytes(out.stdout)
        _assert_clean_bytes(out.stderr)
        assert b"PWNED" in out.stdout + out.stderr  # the field is shown, not dropped


# -- CSV that a spreadsheet will not run ------------------------------------------------------

FORMULAS = {
    "title": '=HYPERLINK("https://evil.example","click")',
    "source": "+cmd|' /C calc'!A0",
    "author": "-2+3+cmd|' /C calc'!A0",
    "url": "@SUM(1+1)*cmd|' /C calc'!A0",
}


@pytest.fixture
def formula_index(tmp_path: Path) -> Path:
    index = tmp_path / "ix"
    with Archive.open(index, create=True) as archive:
        archive.add([
            Article(title=FORMULAS["title"], body="=1+1 harbour story with a formula body.", source=FORMULAS["source"],
                    author=FORMULAS["author"], url=FORMULAS["url"], keywords=("@keyword", "harbour")),
            Article(title="Plain harbour title", body="A plain harbour story.", source="bbc"),
        ])  # fmt: skip
    return index


def _csv_rows(text: str) -> List[Dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_spreadsheet_safe_prefixes_what_starts_a_formula() -> None:
    for cell in ("=1+1", "+1", "-1", "@SUM(A1)", "\t=1", "\r=1", "\x00=1"):
        assert spreadsheet_safe(cell) == "'" + cell
    for cell in ("", "plain", "a=1", " =1", "'=1", "1-2"):
        assert spreadsheet_safe(cell) == cell


def test_export_csv_cells_never_start_a_formula(formula_index: Path) -> None:
    runner = CliRunner()
    rows = _csv_rows(runner.invoke(main, ["export", "--format", "csv", "--index", str(formula_index)]).stdout)
    exact = [json.loads(line) for line in runner.invoke(main, ["export", "--index", str(formula_index)]).stdout.splitlines()]
    assert len(rows) == len(exact) == 2
    for row, data in zip(rows, exact):
        for key, cell in row.items():
            value = data[key] if key != "keywords" else "; ".join(data[key])
            value = value or ""
            assert cell == ("'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value), key
    evil = next(row for row in rows if "HYPERLINK" in row["title"])
    assert evil["title"] == "'" + FORMULAS["title"]
    assert [evil[k] for k in ("source", "author", "url")] == ["'" + FORMULAS[k] for k in ("source", "author", "url")]
    assert evil["keywords"].startswith("'@keyword")
    assert evil["body"].startswith("'=1+1")


def test_search_csv_cells_never_start_a_formula(formula_index: Path) -> None:
    result = CliRunner().invoke(main, ["search", "harbour", "--format", "csv", "--index", str(formula_index)])
    rows = _csv_rows(result.stdout)
    assert len(rows) == 2
    for row in rows:
        for key, cell in row.items():
            assert cell[:1] not in ("=", "+", "-", "@", "\t", "\r"), (key, cell)
    evil = next(row for row in rows if "HYPERLINK" in row["title"])
    assert evil["title"] == "'" + FORMULAS["title"]
    assert evil["source"] == "'" + FORMULAS["source"]
    assert evil["url"] == "'" + FORMULAS["url"]
    assert evil["snippets"].startswith("'=1+1")
