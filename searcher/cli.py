"""The `searcher` command: parse options, make one library call, render.

Every ``SearcherError`` becomes one line on stderr and exit code 1; bad option values are
usage errors (exit 2). Results go to stdout; progress and reports go to stderr. Messages
quote what the user typed and what files hold, so they pass through ``render.printable``
(no control sequence reaches the terminal).
"""

from __future__ import annotations

import os
import shlex
import sys
from pathlib import Path
from typing import Any, Callable, Dict, Optional, Tuple, TypeVar

import click

from searcher.errors import SearcherError

F = TypeVar("F", bound=Callable[..., Any])

_DEFAULT_INDEX = os.path.join("indexes", "default")


def _index_option(f: F) -> F:
    return click.option(
        "--index",
        "index_dir",
        type=str,
        default=lambda: os.environ.get("SEARCHER_INDEX", _DEFAULT_INDEX),
        show_default="indexes/default, or $SEARCHER_INDEX",
        help="Index folder, or a postgresql://USER@HOST:PORT/DB URL.",
    )(f)


def _open(index_dir: str, *, create: bool = False) -> Any:
    from searcher.archive import Archive

    return Archive.open(index_dir, create=create)


def _use_color(choice: str) -> bool:
    if choice == "always":
        return True
    if choice == "never" or os.environ.get("NO_COLOR"):
        return False
    return sys.stdout.isatty()


def _parse_map(values: Tuple[str, ...]) -> Dict[str, str]:
    fields = ("title", "body", "date", "url", "source", "author")
    mapping: Dict[str, str] = {}
    for value in values:
        key, sep, column = value.partition("=")
        key = key.strip().lower()
        if not sep or not column.strip():
            raise click.BadParameter(f"'{value}' is not FIELD=COLUMN, e.g. --map body=text", param_hint="--map")
        if key not in fields:
            raise click.BadParameter(f"unknown field '{key}'; use one of {', '.join(fields)}", param_hint="--map")
        mapping[key] = column.strip()
    return mapping


def _printable(text: str) -> str:
    from searcher.render import printable

    return printable(text)


def _clean(exc: click.ClickException) -> click.ClickException:
    """The error with control characters in its message made visible (click quotes the
    user's words in its own messages: "No such option '-\\x1b...'")."""
    exc.message = _printable(exc.message)
    return exc


class _Group(click.Group):
    """Turns library errors into one line and exit 1, and Ctrl-C into exit 130."""

    def make_context(self, *args: Any, **kwargs: Any) -> click.Context:
        try:
            return super().make_context(*args, **kwargs)
        except click.ClickException as exc:
            raise _clean(exc)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except SearcherError as exc:
            raise click.ClickException(_printable(str(exc))) from None
        except click.ClickException as exc:
            raise _clean(exc)
        except KeyboardInterrupt:
            click.echo("interrupted; what was committed before is kept", err=True)
            ctx.exit(130)
        except BrokenPipeError:
            # `searcher export | head`: the reader went away; that is not an error.
            sys.stderr.close()
            ctx.exit(0)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="searcher")
def main() -> None:
    """Full-text search for news archives.

    Index a folder of articles, then search it:

        searcher index corpus/

        searcher search '"north korea" AND (missile OR rocket) -drill' --from 2023-08
    """


def _no_empty_path(ctx: click.Context, param: click.Parameter, values: Tuple[str, ...]) -> Tuple[Path, ...]:
    """The paths, refusing an empty one: ``Path("")`` is the current folder, and
    ``searcher index "$UNSET"`` must not index wherever the user stands."""
    if any(not value for value in values):
        raise click.BadParameter("an empty path; name a file or folder ('.' for the current folder)")
    return tuple(Path(value) for value in values)


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(), callback=_no_empty_path)
@_index_option
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["auto", "text", "html", "csv", "jsonl", "feed"]),
    default="auto",
    show_default=True,
    help="Read every file as this format instead of detecting it.",
)
@click.option("--map", "maps", multiple=True, metavar="FIELD=COLUMN", help="CSV/JSONL column for a field, e.g. body=text.")
@click.option("--prune", is_flag=True, help="Remove articles whose files no longer exist.")
@click.option("--rebuild", is_flag=True, help="Empty the index first and index everything afresh.")
@click.option("--wait", type=click.FloatRange(min=0), default=0, show_default=True, help="Seconds to wait for another writer.")
@click.option("--errors", "errors_file", type=click.Path(dir_okay=False, path_type=Path), help="Write every failure and warning to this file.")
@click.option("--strict", is_flag=True, help="Exit with code 1 when any file failed.")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar and no report.")
def index(
    paths: Tuple[Path, ...],
    index_dir: str,
    fmt: str,
    maps: Tuple[str, ...],
    prune: bool,
    rebuild: bool,
    wait: float,
    errors_file: Optional[Path],
    strict: bool,
    quiet: bool,
) -> None:
    """Index news files and folders (text, HTML, CSV, JSONL, RSS/Atom, .gz)."""
    from searcher.archive import Archive
    from searcher.render import problems_text, report_text

    mapping = _parse_map(maps)
    archive = Archive.rebuild(index_dir, wait=wait) if rebuild else Archive.open(index_dir, create=True)
    with archive, _Progress(enabled=not quiet and sys.stderr.isatty()) as progress:
        report = archive.index_paths(paths, format=fmt, mapping=mapping, prune=prune, wait=wait, on_progress=progress.update)
    if errors_file is not None:
        errors_file.write_text(problems_text(report), encoding="utf-8")
    if not quiet:
        click.echo(report_text(report), err=True)
    if strict and report.files_failed:
        raise click.ClickException(f"{report.files_failed} files could not be indexed (--strict)")


class _Progress:
    """A progress bar on stderr, only when it is a terminal."""

    def __init__(self, *, enabled: bool) -> None:
        self.enabled = enabled
        self._bar: Any = None
        self._done = 0

    def __enter__(self) -> "_Progress":
        return self

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._bar.render_finish()

    def update(self, done: int, total: Optional[int], path: str) -> None:
        if not self.enabled:
            return
        if total is None:
            click.echo(f"\rlisting files... {_printable(path[-60:]):<60}", err=True, nl=False)
            return
        if self._bar is None:
            click.echo("\r" + " " * 80 + "\r", err=True, nl=False)
            self._bar = click.progressbar(length=max(total, 1), label="indexing", file=sys.stderr, show_pos=True, show_eta=True)
            self._bar.render_progress()
        self._bar.update(done - self._done)
        self._done = done


class _SearchCommand(click.Command):
    """`searcher search`, whose query may start with "-" (``-drill``): click reads that as
    an option, so the error says how to pass it."""

    def parse_args(self, ctx: click.Context, args: list) -> list:
        given = list(args)  # click consumes ``args``
        try:
            return super().parse_args(ctx, args)
        except click.NoSuchOption as exc:
            name = exc.option_name
            raw = next((a for a in given if a.startswith(name) and not a.startswith("--")), None)
            if raw is None:
                raise
            exc.message = (
                f"No such option '{name}' (in '{raw}'). A query starting with '-' goes after "
                f"'--', quoted as one argument: searcher search -- {shlex.quote(raw)}"
            )
            exc.possibilities = None
            raise


@main.command(cls=_SearchCommand)
@click.argument("query", required=False, default="")
@_index_option
@click.option("--from", "--since", "since", metavar="DATE", help="Only articles on or after DATE (2023, 2023-08, 2023-08-31, 'last 7 days', ...).")
@click.option("--to", "--until", "until", metavar="DATE", help="Only articles on or before DATE (the whole day, month or year).")
@click.option("--sort", type=click.Choice(["relevance", "newest", "oldest"]), default="relevance", show_default=True)
@click.option("--limit", "-n", type=click.IntRange(min=1, max=1000), default=10, show_default=True, help="Hits per page.")
@click.option("--page", "-p", type=click.IntRange(min=1), default=1, show_default=True)
@click.option("--snippets", type=click.IntRange(min=0, max=20), default=2, show_default=True, help="Passages shown per hit.")
@click.option("--snippet-chars", type=click.IntRange(min=40, max=5000), default=240, show_default=True, help="Longest passage.")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "jsonl", "csv", "html"]), default="text", show_default=True)
@click.option("--color", type=click.Choice(["auto", "always", "never"]), default="auto", show_default=True, help="Colour (auto: only on a terminal, and never with NO_COLOR).")
@click.option("--show-query", is_flag=True, help="Print the parsed query, dates resolved to exact UTC bounds, on stderr.")
@click.option("--timeout", type=click.FloatRange(min=0.1), default=10.0, show_default=True, help="Give up after this many seconds.")
@click.option("--collapse", is_flag=True, help="Show each wire story once (its earliest copy), with its other copies.")
@click.option("--recency", metavar="HALF_LIFE", help="Favour recent articles: relevance decays by half every HALF_LIFE (12h, 30d, 2w, 1y).")
def search(
    query: str,
    index_dir: str,
    since: Optional[str],
    until: Optional[str],
    sort: str,
    limit: int,
    page: int,
    snippets: int,
    snippet_chars: int,
    fmt: str,
    color: str,
    show_query: bool,
    timeout: float,
    collapse: bool,
    recency: Optional[str],
) -> None:
    """Search the index. See the README for the query language."""
    from searcher import render

    with _open(index_dir) as archive:
        results = archive.search(
            query,
            since=since,
            until=until,
            sort=sort,
            limit=limit,
            page=page,
            snippets=snippets,
            snippet_chars=snippet_chars,
            timeout=timeout,
            collapse=collapse,
            recency=recency,
        )
    if show_query:
        click.echo(f"query: {_printable(results.parsed.describe())}", err=True)
    if results.hint:
        click.echo(f"hint: {results.hint}", err=True)
    renderers = {
        "json": render.results_json,
        "jsonl": render.results_jsonl,
        "csv": render.results_csv,
        "html": render.results_html,
    }
    use_color = fmt == "text" and _use_color(color)
    if fmt == "text":
        output = render.results_text(results, color=use_color)
    else:
        output = renderers[fmt](results)
    if output:
        # color=True: click would otherwise strip the escapes whenever stdout is not a tty.
        click.echo(output, color=use_color)


@main.command()
@click.argument("article_id")
@_index_option
@click.option("--query", "-q", help="Highlight this query's matches.")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "html"]), default="text", show_default=True)
@click.option("--color", type=click.Choice(["auto", "always", "never"]), default="auto", show_default=True)
def show(article_id: str, index_dir: str, query: Optional[str], fmt: str, color: str) -> None:
    """Print one whole article by id."""
    from searcher import render

    with _open(index_dir) as archive:
        shown = archive.show(article_id, query=query)
    if shown is None:
        raise click.ClickException(f"no article with id '{_printable(article_id)}'; ids are shown in search results")
    if fmt == "json":
        click.echo(render.article_json(*shown))
    elif fmt == "html":
        click.echo(render.article_html(*shown))
    else:
        use_color = _use_color(color)
        click.echo(render.article_text(*shown, color=use_color), color=use_color)


@main.command()
@click.argument("query", required=False)
@_index_option
@click.option("--format", "fmt", type=click.Choice(["jsonl", "csv"]), default="jsonl", show_default=True)
@click.option("--from", "--since", "since", metavar="DATE", help="Only articles on or after DATE.")
@click.option("--to", "--until", "until", metavar="DATE", help="Only articles on or before DATE.")
def export(query: Optional[str], index_dir: str, fmt: str, since: Optional[str], until: Optional[str]) -> None:
    """Stream every article, or every article QUERY matches (uncapped), as JSON lines or CSV.

    With a query or dates the export starts with a header naming the query, the resolved
    dates, the archive's article count and a fingerprint of its state (the first JSON line,
    or a '# searcher-export' line before the CSV header), and each record carries a
    citation; the order is stable (by date, then id), so the export can be cited and rerun.
    """
    from searcher.render import write_export
    from searcher.render_analysis import write_cited_export

    with _open(index_dir) as archive:
        if query is None and since is None and until is None:
            write_export(archive.export(), sys.stdout, format=fmt)
            return
        header = archive.export_header(query, since=since, until=until)
        write_cited_export(header, archive.export(query, since=since, until=until), sys.stdout, format=fmt)


@main.command()
@click.argument("query", required=False)
@_index_option
@click.option("--by", type=click.Choice(["day", "week", "month", "year"]), default="month", show_default=True, help="Period length (weeks are ISO weeks, Monday to Sunday).")
@click.option("--from", "--since", "since", metavar="DATE", help="Start of the span.")
@click.option("--to", "--until", "until", metavar="DATE", help="End of the span.")
@click.option("--by-source", is_flag=True, help="One sparkline per source.")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "csv"]), default="text", show_default=True)
@click.option("--timeout", type=click.FloatRange(min=0.1), default=30.0, show_default=True, help="Give up after this many seconds.")
def timeline(query: Optional[str], index_dir: str, by: str, since: Optional[str], until: Optional[str],
             by_source: bool, fmt: str, timeout: float) -> None:
    """How many articles match QUERY per day, week, month or year; every period of the span
    is listed (empty ones as 0), and the counts add up to the search total."""
    from searcher import render_analysis as out

    with _open(index_dir) as archive:
        result = archive.timeline(query, by=by, since=since, until=until, by_source=by_source, timeout=timeout)
    if fmt == "json":
        click.echo(_json(out.timeline_dict(result)))
    elif fmt == "csv":
        click.echo(out.timeline_csv(result))
    else:
        click.echo(out.timeline_text(result, encoding=sys.stdout.encoding or "utf-8"))


@main.command()
@click.argument("query", required=False)
@_index_option
@click.option("--from", "--since", "since", metavar="DATE", help="Start of the period.")
@click.option("--to", "--until", "until", metavar="DATE", help="End of the period.")
@click.option("--limit", "-n", type=click.IntRange(min=1, max=500), default=20, show_default=True)
@click.option("--min-count", type=click.IntRange(min=1), default=3, show_default=True, help="Fewest matching articles a term needs.")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "csv"]), default="text", show_default=True)
@click.option("--timeout", type=click.FloatRange(min=0.1), default=30.0, show_default=True, help="Give up after this many seconds.")
def terms(query: Optional[str], index_dir: str, since: Optional[str], until: Optional[str], limit: int,
          min_count: int, fmt: str, timeout: float) -> None:
    """The keywords and keyphrases that mark the articles QUERY matches in a period: those
    significantly more frequent there than in the rest of the archive (log-likelihood G²)."""
    from searcher import render_analysis as out

    with _open(index_dir) as archive:
        found = archive.terms(query, since=since, until=until, limit=limit, min_count=min_count, timeout=timeout)
    if fmt == "json":
        click.echo(_json(out.terms_dict(found)))
    elif fmt == "csv":
        click.echo(out.terms_csv(found))
    else:
        click.echo(out.terms_text(found))


@main.command()
@click.argument("query")
@_index_option
@click.option("--from", "--since", "since", metavar="DATE", help="Only articles on or after DATE.")
@click.option("--to", "--until", "until", metavar="DATE", help="Only articles on or before DATE.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--timeout", type=click.FloatRange(min=0.1), default=30.0, show_default=True, help="Give up after this many seconds.")
def first(query: str, index_dir: str, since: Optional[str], until: Optional[str], fmt: str, timeout: float) -> None:
    """Who ran it first: the earliest article matching QUERY in each source, earliest first,
    and the first day it appeared."""
    from searcher import render_analysis as out

    with _open(index_dir) as archive:
        found = archive.first(query, since=since, until=until, timeout=timeout)
    click.echo(_json(found.to_dict()) if fmt == "json" else out.first_text(found))


def _json(data: Any) -> str:
    from searcher.render import to_json

    return to_json(data, indent=2)


@main.command()
@_index_option
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--top", type=click.IntRange(min=1), default=10, show_default=True, help="How many sources to list.")
def stats(index_dir: str, fmt: str, top: int) -> None:
    """Article count, date span, articles per year, top sources, size on disk."""
    import json

    from searcher.render import stats_text

    with _open(index_dir) as archive:
        result = archive.stats(top=top)
    click.echo(json.dumps(result.to_dict(), indent=2) if fmt == "json" else stats_text(result))


@main.command()
@_index_option
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def check(index_dir: str, fmt: str) -> None:
    """Read the whole index and report damage and how to recover; exit 1 when unhealthy."""
    import json

    from searcher.archive import check_archive

    report = check_archive(index_dir)
    if fmt == "json":
        click.echo(json.dumps(report.to_dict(), indent=2))
    else:
        click.echo(
            _printable(f"index {report.location}: {report.articles} articles from {report.files} files ")
            + f"in {report.parts} {report.part_name}; " + ("healthy" if report.ok else f"{len(report.problems)} problems"),
            err=not report.ok,
        )
    if not report.ok:
        for problem in report.problems:
            click.echo(f"problem: {_printable(str(problem))}", err=True)
        raise SystemExit(1)



@main.command()
@_index_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on; anything but localhost needs --token.")
@click.option("--port", type=click.IntRange(min=0, max=65535), default=8080, show_default=True, help="Port (0: any free one).")
@click.option("--token", envvar="SEARCHER_TOKEN", help="Secret every request must carry (?token= once, or a Bearer header); default $SEARCHER_TOKEN.")
@click.option("--threads", type=click.IntRange(min=1, max=64), default=8, show_default=True, help="Requests served at once.")
@click.option("--timeout", type=click.FloatRange(min=0.1), default=10.0, show_default=True, help="Seconds one search may take.")
def serve(index_dir: Path, host: str, port: int, token: Optional[str], threads: int, timeout: float) -> None:
    """Serve a search page and a JSON API (/api/search, /api/article/ID) over the index."""
    from searcher.web.server import serve as run_server

    run_server(index_dir, host=host, port=port, token=token, threads=threads, timeout=timeout, say=lambda line: click.echo(line, err=True))


if __name__ == "__main__":  # pragma: no cover
    main()
