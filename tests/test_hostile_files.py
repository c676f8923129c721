"""Hostile files: each one is reported with its reason while every good file beside it is
indexed, and the run exits 0 (1 with ``--strict``).

Tests run as root here, where ``chmod 000`` does not stop reading: the unreadable file is
then simulated by making ``searcher.sources._open_regular`` raise ``PermissionError`` for it (a real
``chmod 000`` is used when not root).

The 20,000-file run takes about 40-90 s, so it runs only with ``SEARCHER_SLOW_TESTS=1``; the
default suite runs the same check on 1,000 files. Times are not asserted here (a shared
machine makes them flaky): ``benchmarks/hostile_costs.py`` prints them.
"""

from __future__ import annotations

import codecs
import gzip
import os
import subprocess
import sys
from pathlib import Path
from typing import IO, Dict, List, Tuple

import pytest
from click.testing import CliRunner

from searcher.archive import Archive
from searcher.cli import main
from tests.test_crash import REPO

GOOD = {
    "good.txt": b"title: Good one\ndate: 2023-05-01\n\nThe harbour council approved the budget on Monday.\n",
    "utf16.txt": codecs.BOM_UTF16_LE
    + "title: Wide news\ndate: 2023-06-02\n\nThe river flooded the lower town \u00fcberall.\n".encode("utf-16-le"),
    "badutf8.txt": b"title: Caf\xe9 news\n\nThe caf\xe9 on the corner re\xffopened today after repairs.\n",
    "deep.html": b"<html><body>" + b"<div>" * 10_000 + b"Deep text about the valley election." + b"</div>" * 10_000
    + b"</body></html>",
    "broken.jsonl": b'{"title": "First line", "text": "The first line is fine."}\n'
    b'{"title": "broken\n'
    b"{not json at all}\n"
    b"[1, 2, 3]\n"
    b'{"title": "Bad bytes", "text": "Stray \xff byte in a line."}\n'
    b'{"title": "Last line", "text": "The last line is fine too."}\n',
    "rows.csv": b"title,text,date\n"
    b'Multi,"Line one\nline two of the body",2023-01-02\n'
    b'Open,"A row that opens a quote and never closes,2023-01-04\n'
    b"After,The row after the broken one,2023-01-05\n",
    "impossible.txt": b"title: Leap\ndate: 2023-02-30\n\nA story dated on a day that never was.\n",
    "d1800.txt": b"title: Very old\ndate: 1800-01-01\n\nA story from 1800 about the harbour.\n",
    "d2200.txt": b"title: Far future\ndate: 2200-01-01\n\nA story from 2200 about bridges.\n",
    "caf\u00e9 \u65e5\u672c \U0001f600 [1] *?.txt": b"title: Unicode name\n\nA story in a file with an odd name.\n",
    "new\nline.txt": b"title: Newline name\n\nA story whose file name holds a newline.\n",
    "unreadable.txt": b"title: Locked\n\nA story nobody may read.\n",
    "vanishing.txt": b"title: Gone\n\nA story that disappears before it is read.\n",
}
BAD = {
    "binary.txt": os.urandom(3000).replace(b"\x00", b"\x01") + b"\x00\x00",
    "binary.html": b"\x89PNG\r\n\x1a\n" + os.urandom(2000),
    "empty.txt": b"",
    "blank.txt": b"  \n\n \t\n",
    "scripts.html": b"<html><head><script>var a = 1;</script></head>"
    b"<body><script>alert(1)</script><noscript></noscript><script>x()</script></body></html>",
    "broken.txt.gz": b"\x1f\x8b\x08\x00" + b"not really gzip",
}

#: Title of every article that must be indexed, by file name.
INDEXED = {
    "good.txt": ["Good one"],
    "utf16.txt": ["Wide news"],
    "badutf8.txt": ["Caf\u00e9 news"],
    "deep.html": [""],
    "broken.jsonl": ["First line", "Bad bytes", "Last line"],
    "rows.csv": ["Multi", "After"],
    "impossible.txt": ["Leap"],
    "d1800.txt": ["Very old"],
    "d2200.txt": ["Far future"],
    "caf\u00e9 \u65e5\u672c \U0001f600 [1] *?.txt": ["Unicode name"],
    "new\nline.txt": ["Newline name"],
}


def _failures(root: Path) -> Dict[str, str]:
    return {
        "binary.txt": "binary file, not text (an image, PDF or archive?)",
        "binary.html": "binary file, not text (an image, PDF or archive?)",
        "empty.txt": "empty file",
        "blank.txt": "empty file",
        "scripts.html": "no article text in the page",
        "broken.txt.gz": "corrupt gzip file",  # startswith: zlib's own words follow
        "unreadable.txt": "permission denied",
        "vanishing.txt": "file vanished while reading",
        "loop/up": "symbolic link loop (points back to a parent folder)",
        "selfloop.txt": "symbolic link loop",
        "dangling.txt": "broken symbolic link",
        "latin\ufffdname.txt": "file name is not valid UTF-8; rename the file to index it",
    }


WARNINGS = {
    ("broken.jsonl", 1, "line 2: invalid JSON"),
    ("broken.jsonl", 2, "line 3: invalid JSON"),
    ("broken.jsonl", 3, "line 4: not a JSON object; skipped"),
    ("rows.csv", 1, "line 4: unbalanced quotes"),
    ("impossible.txt", 0, "impossible date '2023-02-30'"),
    ("d2200.txt", 0, "implausible date '2200-01-01'"),
}


@pytest.fixture
def hostile(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "hostile"
    root.mkdir()
    for name, data in {**GOOD, **BAD}.items():
        (root / name).write_bytes(data)
    with open(os.fsencode(root) + b"/latin\xe9name.txt", "wb") as f:
        f.write(b"title: Latin name\n\nA story whose file name is not UTF-8.\n")
    (root / "loop").mkdir()
    os.symlink("..", root / "loop" / "up")
    os.symlink("selfloop.txt", root / "selfloop.txt")
    os.symlink("missing.txt", root / "dangling.txt")

    # Files are read in this process so that the patches apply (worker processes are the
    # speed work's).
    monkeypatch.setenv("SEARCHER_WORKERS", "0")
    import searcher.sources

    unreadable = root / "unreadable.txt"
    if os.geteuid() == 0:  # root reads through chmod 000: simulate the refusal
        real_open = searcher.sources._open_regular

        def open_regular(path: Path) -> IO[bytes]:
            if path.name == "unreadable.txt":
                raise PermissionError(13, "Permission denied", str(path))
            return real_open(path)

        monkeypatch.setattr(searcher.sources, "_open_regular", open_regular)
    else:
        unreadable.chmod(0)

    # A file listed by the walk and removed just before its bytes are read.

    real_read_bytes_of = searcher.sources._read_bytes

    def read_bytes_of(path: Path) -> bytes:
        if path.name == "vanishing.txt":
            os.unlink(path)
        return real_read_bytes_of(path)

    monkeypatch.setattr(searcher.sources, "_read_bytes", read_bytes_of)
    return root


def _index(root: Path, index: Path, *extra: str) -> Tuple[int, str, List[str]]:
    errors = index.parent / "errors.txt"
    result = CliRunner().invoke(main, ["index", str(root), "--index", str(index), "--errors", str(errors), *extra])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    lines = errors.read_text(encoding="utf-8").splitlines()
    return result.exit_code, result.stderr, lines


def test_hostile_files_are_reported_and_good_ones_indexed(hostile: Path, tmp_path: Path) -> None:
    code, stderr, lines = _index(hostile, tmp_path / "idx")
    assert code == 0, stderr
    assert "Traceback" not in stderr

    expected_failures = _failures(hostile)
    failures = {}
    warnings = set()
    for line in lines:
        kind, _, rest = line.partition("\t")
        if kind == "failed":
            where, _, reason = rest.partition(": ")
            failures[str(Path(where).relative_to(hostile))] = reason
        else:
            assert kind == "warning", line
            where, _, reason = rest.partition(": ")
            path, _, position = where.rpartition(":")
            name = str(Path(path).relative_to(hostile))
            match = [w for w in WARNINGS if (w[0], w[1]) == (name, int(position)) and reason.startswith(w[2])]
            assert match, line
            warnings.add(match[0])
    assert set(failures) == set(expected_failures)
    for name, reason in expected_failures.items():
        assert failures[name].startswith(reason), (name, failures[name])
        if reason != "corrupt gzip file":
            assert failures[name] == reason, (name, failures[name])
    assert warnings == WARNINGS
    assert f"files read {len(INDEXED)}, unchanged 0, failed {len(expected_failures)}" in stderr

    with Archive.open(tmp_path / "idx") as archive:
        articles = list(archive.export())
        titles: Dict[str, List[str]] = {}
        for a in articles:
            titles.setdefault(str(Path(a.path).relative_to(hostile)), []).append(a.title)
        assert titles == INDEXED
        by_title = {a.title: a for a in articles}
        assert by_title["Wide news"].body == "The river flooded the lower town \u00fcberall."
        assert by_title["Caf\u00e9 news"].body == "The caf\u00e9 on the corner re\u00ffopened today after repairs."
        assert by_title["Multi"].body == "Line one\nline two of the body"
        assert by_title["Bad bytes"].body == "Stray \u00ff byte in a line."
        assert [a.body for a in articles if a.path.endswith("deep.html")] == ["Deep text about the valley election."]
        # Impossible and implausible dates: indexed without a date; 1800 is a real date.
        assert by_title["Leap"].date is None
        assert by_title["Far future"].date is None
        assert by_title["Very old"].date is not None and by_title["Very old"].date.isoformat() == "1800-01-01T00:00:00+00:00"
        assert archive.search("valley election").total == 1
        assert archive.search("harbour", sort="oldest").hits[0].title == "Very old"


def test_strict_exits_1_when_any_file_failed(hostile: Path, tmp_path: Path) -> None:
    code, stderr, _ = _index(hostile, tmp_path / "idx", "--strict")
    assert code == 1
    assert stderr.splitlines()[-1] == f"Error: {len(_failures(hostile))} files could not be indexed (--strict)"
    with Archive.open(tmp_path / "idx") as archive:
        assert len(archive) == sum(len(t) for t in INDEXED.values())  # good files still indexed


def test_a_file_that_vanished_is_kept_out_and_later_runs_are_clean(hostile: Path, tmp_path: Path) -> None:
    _index(hostile, tmp_path / "idx")
    code, stderr, lines = _index(hostile, tmp_path / "idx")
    assert code == 0
    assert f"files read 0, unchanged {len(INDEXED)}," in stderr
    assert [line for line in lines if "vanishing.txt" in line] == []  # it is gone now: nothing to report


def _run_measured(args: List[str], env: Dict[str, str]) -> Tuple[int, int, str]:
    """Run a command; return exit code, peak memory (KB) and stderr."""
    proc = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    assert proc.stderr is not None
    err = proc.stderr.read().decode("utf-8", "replace")
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    return proc.returncode, usage.ru_maxrss, err


def test_a_50_mb_article_is_cut_and_indexed_in_bounded_memory(tmp_path: Path) -> None:
    """(Its time is measured by ``benchmarks/hostile_costs.py``.)"""
    root = tmp_path / "big"
    root.mkdir()
    line = ("harbour " + " ".join(f"w{i:04d}" for i in range(999)) + "\n").encode()
    with open(root / "huge.txt", "wb") as f:
        f.write(b"title: Huge\ndate: 2023-01-01\n\n")
        while f.tell() < 50 * 1024 * 1024:
            f.write(line)
    (root / "small.txt").write_text("title: Small\n\nA small story about the harbour beside a huge one.\n")
    env = dict(os.environ, PYTHONPATH=str(REPO))
    errors = tmp_path / "errors.txt"
    code, peak_kb, err = _run_measured(
        [sys.executable, "-m", "searcher", "index", str(root), "--index", str(tmp_path / "idx"), "--errors", str(errors)],
        env,
    )
    assert code == 0, err
    assert peak_kb < 700 * 1024, f"peak memory {peak_kb // 1024} MB"
    assert errors.read_text().splitlines() == [
        f"warning\t{root.resolve() / 'huge.txt'}:0: article text longer than 2,000,000 characters; cut there"
    ]
    with Archive.open(tmp_path / "idx") as archive:
        assert len(archive) == 2
        huge = next(a for a in archive.export() if a.title == "Huge")
        assert 1_999_000 <= len(huge.body) <= 2_000_000
        assert archive.search("harbour").total == 2


def _tiny_files(root: Path, n: int) -> None:
    for i in range(n):
        folder = root / f"d{i // 1000:02d}"
        if i % 1000 == 0:
            folder.mkdir(parents=True)
        (folder / f"f{i:05d}.txt").write_text(f"item {i} tinyword zz{i}\n")


def _check_tiny(tmp_path: Path, n: int) -> None:
    """Every tiny file indexed, and none read again by the next run (the times of both runs
    are measured by ``benchmarks/hostile_costs.py``)."""
    root = tmp_path / "tiny"
    _tiny_files(root, n)
    result = CliRunner().invoke(main, ["index", str(root), "--index", str(tmp_path / "idx")])
    assert result.exit_code == 0, result.stderr
    assert result.stderr.splitlines()[:2] == [
        f"files read {n}, unchanged 0, failed 0",
        f"articles added {n}, updated 0, unchanged 0, duplicates 0, without a date {n}, removed 0",
    ]
    again = CliRunner().invoke(main, ["index", str(root), "--index", str(tmp_path / "idx")])
    assert again.stderr.splitlines()[0] == f"files read 0, unchanged {n}, failed 0"
    with Archive.open(tmp_path / "idx") as archive:
        assert len(archive) == n
        assert archive.search("tinyword").total == n
        assert archive.search(f"zz{n - 1}").total == 1


def test_a_thousand_tiny_files(tmp_path: Path) -> None:
    _check_tiny(tmp_path, 1000)


@pytest.mark.skipif(not os.environ.get("SEARCHER_SLOW_TESTS"), reason="slow: set SEARCHER_SLOW_TESTS=1")
def test_twenty_thousand_tiny_files(tmp_path: Path) -> None:
    _check_tiny(tmp_path, 20_000)


# -- what one file may cost --------------------------------------------------------------------


def test_a_gzip_bomb_and_a_large_file_are_skipped_at_the_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``SEARCHER_MAX_FILE_MB`` bounds what is read from a file and inflated from a .gz (an
    11 MB gzip inflating to 1.9 GB took 7.4 GB of memory); each file over it is reported
    with the limit and how to raise it, and the files beside it are indexed."""
    root = tmp_path / "news"
    root.mkdir()
    row = b"Story,The harbour council approved the budget again and again.\n"
    with gzip.open(root / "bomb.csv.gz", "wb") as f:
        f.write(b"title,text\n" + row * (400_000 // len(row)))  # 400 KB inflated, 2 KB on disk
    with gzip.open(root / "fits.csv.gz", "wb") as f:
        f.write(b"title,text\n" + b"".join(b"Story,Harbour story number %d.\n" % i for i in range(10)))
    (root / "large.txt").write_bytes(b"title: Large\n\n" + b"harbour budget words " * 15_000)  # 315 KB
    (root / "small.txt").write_text("title: Small\n\nA small harbour story.\n")
    monkeypatch.setenv("SEARCHER_MAX_FILE_MB", "0.25")
    monkeypatch.setenv("SEARCHER_WORKERS", "0")
    code, stderr, lines = _index(root, tmp_path / "idx")
    assert code == 0, stderr
    limit = "262,144 bytes, the most searcher reads from one file; skipped (set SEARCHER_MAX_FILE_MB to raise the limit)"
    assert sorted(lines) == sorted([
        f"failed\t{(root / 'bomb.csv.gz').resolve()}: gzip file inflates to more than {limit}",
        f"failed\t{(root / 'large.txt').resolve()}: file larger than {limit}",
    ])  # fmt: skip
    with Archive.open(tmp_path / "idx") as archive:
        assert sorted(a.title for a in archive.export()) == ["Small"] + ["Story"] * 10
    # Raised, the same files are read.
    monkeypatch.setenv("SEARCHER_MAX_FILE_MB", "1")
    code, stderr, lines = _index(root, tmp_path / "idx")
    assert code == 0 and lines == [], lines
    assert "files read 2, unchanged 2, failed 0" in stderr


def test_the_limit_defaults_to_256_mb_and_reads_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    from searcher.sources import MAX_FILE_MB, max_file_bytes

    monkeypatch.delenv("SEARCHER_MAX_FILE_MB", raising=False)
    assert MAX_FILE_MB == 256 and max_file_bytes() == 256 * 1024**2
    for value, expected in [("0.5", 512 * 1024), ("1024", 1024**3), ("junk", 256 * 1024**2), ("-3", 256 * 1024**2)]:
        monkeypatch.setenv("SEARCHER_MAX_FILE_MB", value)
        assert max_file_bytes() == expected, value


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="no /proc here")
def test_a_file_whose_size_says_nothing_is_read_in_chunks_up_to_the_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """/proc files report size 0 but hold bytes: they are read in chunks, and refused once
    past the limit rather than read to the end."""
    from searcher.errors import SourceError
    from searcher.sources import read_file

    articles = list(read_file(Path("/proc/self/status"), format="text"))
    assert len(articles) == 1 and "Pid:" in articles[0].body
    monkeypatch.setenv("SEARCHER_MAX_FILE_MB", "0.0001")
    with pytest.raises(SourceError) as caught:
        list(read_file(Path("/proc/self/status"), format="text"))
    assert str(caught.value).startswith("file larger than 104 bytes, the most searcher reads from one file")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this system")
def test_devices_fifos_and_an_empty_path_are_refused_at_once(tmp_path: Path) -> None:
    """A real process, with a time limit: opening a FIFO waits for a writer and /dev/zero
    never ends, so a searcher that tried either would hang here."""
    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)
    folder = tmp_path / "news"
    folder.mkdir()
    os.mkfifo(folder / "inner.txt")  # in a folder: skipped like other non-files
    (folder / "good.txt").write_text("title: Good\n\nA good harbour story.\n")
    env = dict(os.environ, PYTHONPATH=str(REPO), SEARCHER_WORKERS="0")
    named = [str(fifo), str(folder)] + (["/dev/zero"] if Path("/dev/zero").exists() else [])
    out = subprocess.run([sys.executable, "-m", "searcher", "index", *named, "--index", str(tmp_path / "idx")],
                         capture_output=True, text=True, env=env, timeout=120)
    assert out.returncode == 0, out.stderr
    failed = sorted(line for line in out.stderr.splitlines() if line.startswith("failed: "))
    assert failed == sorted(f"failed: {p}: not a regular file (a device, FIFO or socket); skipped" for p in named if p != str(folder))
    assert f"files read 1, unchanged 0, failed {len(named) - 1}" in out.stderr

    empty = CliRunner().invoke(main, ["index", "", "--index", str(tmp_path / "idx2")])
    assert empty.exit_code == 2
    assert "an empty path; name a file or folder ('.' for the current folder)" in empty.stderr
    assert not (tmp_path / "idx2").exists()


def test_read_file_refuses_a_fifo_without_opening_it(tmp_path: Path) -> None:
    from searcher.errors import SourceError
    from searcher.sources import read_file

    if not hasattr(os, "mkfifo"):
        pytest.skip("no FIFOs on this system")
    fifo = tmp_path / "feed.jsonl"
    os.mkfifo(fifo)
    with pytest.raises(SourceError) as caught:
        list(read_file(fifo))
    assert str(caught.value) == "not a regular file (a device, FIFO or socket); skipped"
