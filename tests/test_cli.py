"""The command line: exit codes, one-line errors, output formats."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from searcher.cli import main
from tests.conftest import write_article


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def indexed(tmp_path: Path, runner: CliRunner) -> Path:
    news = tmp_path / "news"
    write_article(news, "a.txt", title="Missiles over the sea", date="2023-08-31",
                  body="North Korea fired two ballistic missiles. Officials in Seoul condemned the launch.")
    write_article(news, "b.txt", title="Rates held", date="2023-07-15",
                  body="The central bank kept interest rates unchanged. <script>alert(1)</script> was in the page.")
    write_article(news, "c.txt", title="Harvest report", body="Farmers reported a strong wheat harvest.")
    ix = tmp_path / "ix"
    result = runner.invoke(main, ["index", str(news), "--index", str(ix), "--quiet"])
    assert result.exit_code == 0, result.output
    return ix


def test_index_reports_on_stderr(tmp_path: Path, runner: CliRunner) -> None:
    news = tmp_path / "news"
    write_article(news, "a.txt", title="One", date="2023-01-02", body="Some text about rivers and lakes.")
    (news / "bad.txt").write_bytes(bytes(range(256)) * 4)
    result = runner.invoke(main, ["index", str(news), "--index", str(tmp_path / "ix"), "--errors", str(tmp_path / "err.txt")])
    assert result.exit_code == 0
    assert result.stdout == ""
    assert "files read 1, unchanged 0, failed 1" in result.stderr
    assert "articles added 1, updated 0, unchanged 0, duplicates 0, without a date 0, removed 0" in result.stderr
    assert "bad.txt" in (tmp_path / "err.txt").read_text(encoding="utf-8")
    strict = runner.invoke(main, ["index", str(news), "--index", str(tmp_path / "ix"), "--strict", "--quiet"])
    assert strict.exit_code == 1
    assert strict.stderr.strip() == "Error: 1 files could not be indexed (--strict)"


def test_search_text_json_and_exit_codes(indexed: Path, runner: CliRunner) -> None:
    result = runner.invoke(main, ["search", "missile", "--index", str(indexed)])
    assert result.exit_code == 0
    assert "Missiles over the sea" in result.stdout
    assert "\x1b[" not in result.stdout  # not a terminal: no colour
    assert "1 article matched" in result.stdout

    result = runner.invoke(main, ["search", "missile", "--index", str(indexed), "--format", "json"])
    data = json.loads(result.stdout)
    assert data["total"] == 1 and data["page"] == 1 and data["query"] == "missile"
    hit = data["hits"][0]
    assert set(["id", "title", "date", "source", "url", "keywords", "score", "snippets"]) <= set(hit)
    assert hit["date"] == "2023-08-31T00:00:00Z"
    snippet = hit["snippets"][0]
    assert [snippet["text"][s:e] for s, e in snippet["highlights"]] == ["missiles"]


def test_search_color_always_and_no_color(indexed: Path, runner: CliRunner) -> None:
    coloured = runner.invoke(main, ["search", "missile", "--index", str(indexed), "--color", "always"])
    assert "\x1b[" in coloured.stdout
    plain = runner.invoke(main, ["search", "missile", "--index", str(indexed)], env={"NO_COLOR": "1"})
    assert "\x1b[" not in plain.stdout


def test_html_output_escapes_article_text(indexed: Path, runner: CliRunner) -> None:
    result = runner.invoke(main, ["search", "interest rates", "--index", str(indexed), "--format", "html"])
    assert result.exit_code == 0
    assert "<script>alert(1)</script>" not in result.stdout
    assert "&lt;script&gt;" in result.stdout
    assert "<mark>" in result.stdout


def test_user_errors_are_one_line_with_exit_1(tmp_path: Path, indexed: Path, runner: CliRunner) -> None:
    missing = runner.invoke(main, ["search", "x", "--index", str(tmp_path / "none")])
    assert missing.exit_code == 1
    assert missing.stderr.count("\n") == 1 and "searcher index" in missing.stderr
    bad = runner.invoke(main, ["search", "(missile", "--index", str(indexed)])
    assert bad.exit_code == 1 and bad.stderr.startswith("Error: ") and bad.stderr.count("\n") == 1
    unknown = runner.invoke(main, ["show", "nope", "--index", str(indexed)])
    assert unknown.exit_code == 1 and "no article with id 'nope'" in unknown.stderr


def test_bad_options_are_usage_errors(tmp_path: Path, indexed: Path, runner: CliRunner) -> None:
    assert runner.invoke(main, ["search", "x", "--index", str(indexed), "--limit", "0"]).exit_code == 2
    assert runner.invoke(main, ["search", "x", "--index", str(indexed), "--format", "xml"]).exit_code == 2
    result = runner.invoke(main, ["index", str(tmp_path), "--index", str(tmp_path / "ix2"), "--map", "nonsense"])
    assert result.exit_code == 2 and "FIELD=COLUMN" in result.stderr


def test_a_query_starting_with_a_dash_is_told_to_follow_double_dash(indexed: Path, runner: CliRunner) -> None:
    result = runner.invoke(main, ["search", "-drill", "--index", str(indexed)])
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1] == (
        "Error: No such option '-d' (in '-drill'). A query starting with '-' goes after '--', "
        "quoted as one argument: searcher search -- -drill"
    )
    shown = runner.invoke(main, ["search", "-missile OR rates", "--index", str(indexed)])
    assert shown.stderr.splitlines()[-1].endswith("searcher search -- '-missile OR rates'")
    # What it says works.
    ok = runner.invoke(main, ["search", "--index", str(indexed), "--format", "json", "--", "-missile OR rates"])
    assert ok.exit_code == 0, ok.stderr
    assert sorted(h["title"] for h in json.loads(ok.stdout)["hits"]) == ["Harvest report", "Rates held"]  # no missile
    # A mistyped long option still gets click's suggestion.
    typo = runner.invoke(main, ["search", "x", "--frm", "2020", "--index", str(indexed)])
    assert typo.exit_code == 2 and "Did you mean" in typo.stderr and "goes after '--'" not in typo.stderr


def test_index_refuses_an_empty_path(tmp_path: Path, runner: CliRunner, monkeypatch: pytest.MonkeyPatch) -> None:
    write_article(tmp_path, "here.txt", title="Here", body="A story in the current folder.")
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(main, ["index", "", "--index", str(tmp_path / "ix")])
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1] == (
        "Error: Invalid value for 'PATHS...': an empty path; name a file or folder ('.' for the current folder)"
    )
    assert not (tmp_path / "ix").exists()


def test_export_jsonl_and_csv(indexed: Path, runner: CliRunner) -> None:
    result = runner.invoke(main, ["export", "--index", str(indexed)])
    assert result.exit_code == 0
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(rows) == 3
    assert set(rows[0]) == {"id", "title", "date", "source", "url", "author", "keywords", "body", "path"}
    assert sorted(r["date"] or "" for r in rows) == ["", "2023-07-15T00:00:00Z", "2023-08-31T00:00:00Z"]
    csv_out = runner.invoke(main, ["export", "--index", str(indexed), "--format", "csv"])
    assert csv_out.stdout.splitlines()[0] == "id,title,date,source,url,author,keywords,body,path"


def test_stats_and_show(indexed: Path, runner: CliRunner) -> None:
    stats = json.loads(runner.invoke(main, ["stats", "--index", str(indexed), "--format", "json"]).stdout)
    assert stats["articles"] == 3 and stats["undated"] == 1 and stats["per_year"] == {"2023": 2}
    hit = json.loads(runner.invoke(main, ["search", "harvest", "--index", str(indexed), "--format", "json"]).stdout)["hits"][0]
    shown = runner.invoke(main, ["show", hit["id"], "--index", str(indexed), "--query", "wheat", "--color", "never"])
    assert shown.exit_code == 0
    assert shown.stdout.startswith("Harvest report\n")
    assert "Farmers reported a strong wheat harvest." in shown.stdout


def test_python_dash_m_works(indexed: Path) -> None:
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "-m", "searcher", "search", "harvest", "--index", str(indexed)],
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0 and "Harvest report" in out.stdout
