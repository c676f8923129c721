"""Turning results into text: terminal, JSON, JSON lines, CSV and HTML.

Every function returns or writes strings; none of them looks anything up. Article text
reaches HTML only through ``html.escape`` (``highlight.to_html`` does it for snippets).

Article fields and file names come from files anyone may have written, so nothing from them
reaches a terminal as a control sequence: every text and HTML renderer, the index report
and the CLI's messages pass them through ``printable``. JSON keeps the exact data (DEL and
C1 controls are written as ``\\u`` escapes). CSV cells that a spreadsheet would run as a
formula get a leading ``'`` (``spreadsheet_safe``).
"""

from __future__ import annotations

import csv
import html
import io
import json
import re
from typing import Callable, IO, Any, Dict, Iterable, List, Optional

from searcher.article import Article
from searcher.highlight import Snippet, to_ansi, to_html, to_marked
from searcher.results import Hit, IndexReport, Results, Stats, iso

# Control characters, each shown as one visible character so that highlight offsets stay
# valid: C0 as its Unicode control picture (ESC as "␛"), DEL as "␡", C1 (0x80-0x9f, which
# terminals may read as ESC sequences: 0x9b is CSI, 0x9d OSC) as U+FFFD. Carriage return,
# vertical tab and form feed become spaces: a lone CR would let a line overwrite itself.
_CONTROLS = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_MULTILINE = {c: chr(0x2400 + c) for c in range(0x20)}
_MULTILINE.update({0x7F: "\u2421", 0x09: "\t", 0x0A: "\n", 0x0B: " ", 0x0C: " ", 0x0D: " "})
_MULTILINE.update({c: "\ufffd" for c in range(0x80, 0xA0)})
_ONE_LINE = {**_MULTILINE, 0x09: " ", 0x0A: " "}


def printable(text: str, *, multiline: bool = False) -> str:
    """``text`` safe to print on a terminal: no character of it starts a control sequence.

    Every C0 and C1 control and DEL is replaced by one visible character (so a hostile
    ``\\x1b]0;title\\x07`` shows as ``␛]0;title␇`` and changes nothing); tabs and newlines
    are kept when ``multiline``, else they become spaces. The length never changes.
    """
    if not _CONTROLS.search(text):
        return text
    return text.translate(_MULTILINE if multiline else _ONE_LINE)


def _printable_snippet(snippet: Snippet, *, multiline: bool = False) -> Snippet:
    """The snippet with ``printable`` text; its highlights stay where they were."""
    text = printable(snippet.text, multiline=multiline)
    return snippet if text is snippet.text else Snippet(text, snippet.highlights)


_DIM = "\x1b[2m"
_BOLD = "\x1b[1m"
_CYAN = "\x1b[36m"
_RESET = "\x1b[0m"


def _style(text: str, code: str, color: bool) -> str:
    return f"{code}{text}{_RESET}" if color and text else text


def _day(item: Any) -> str:
    """The publication's own calendar day of a hit or an article (``day``), or "no date"."""
    day = getattr(item, "day", None)
    return day.isoformat() if day else "no date"


def results_text(results: Results, *, color: bool) -> str:
    """Numbered hits with date, title, source, keywords and snippets, then a summary line."""
    lines: List[str] = []
    first = (results.page - 1) * results.limit
    for n, hit in enumerate(results.hits, start=first + 1):
        title = to_ansi(_printable_snippet(hit.title_snippet), color=color) if hit.title else "(no title)"
        lines.append(f"{_style(f'{n:>3}.', _BOLD, color)} {title}")
        meta = [_day(hit)]
        if hit.source:
            meta.append(hit.source)
        meta.append(f"id {hit.id}")
        lines.append("     " + _style(printable(" · ".join(meta)), _DIM, color))
        if hit.keywords:
            lines.append("     " + _style(printable("keywords: " + ", ".join(hit.keywords)), _CYAN, color))
        for snip in hit.snippets:
            lines.append("     " + to_ansi(_printable_snippet(snip), color=color))
        if hit.copies:
            copies = f"{len(hit.copies) + 1} copies: " + ", ".join([hit.source or "?"] + [s or "?" for s in hit.copy_sources])
            lines.append("     " + _style(printable(copies), _DIM, color))
            lines.append("     " + _style(printable("other ids: " + " ".join(hit.copies)), _DIM, color))
        lines.append("")
    if results.suggestion:
        lines.append(f"Did you mean: {printable(results.suggestion)}")
    lines.append(summary_line(results))
    return "\n".join(lines)


def summary_line(results: Results) -> str:
    shown = len(results.hits)
    noun = "article" if results.total == 1 else "articles"
    if shown and results.total > shown:
        first = (results.page - 1) * results.limit + 1
        where = f", showing {first}-{first + shown - 1} (page {results.page} of {results.pages})"
    elif not shown and results.total:
        where = f", none on page {results.page} of {results.pages}"
    else:
        where = ""
    stories = ""
    if results.groups is not None:
        stories = f" ({results.groups} {'story' if results.groups == 1 else 'stories'})"
    return f"{results.total} {noun}{stories} matched{where} in {results.seconds * 1000:.0f} ms"


# JSON leaves DEL and C1 controls raw (it escapes only C0); as \\u escapes the data is the
# same and no terminal reads them as control sequences. Outside strings JSON is ASCII.
_JSON_CONTROLS = {c: f"\\u{c:04x}" for c in range(0x7F, 0xA0)}
_RAW_IN_JSON = [chr(c) for c in _JSON_CONTROLS]


def to_json(data: Any, *, indent: Optional[int] = None) -> str:
    """``data`` as JSON text, non-ASCII kept readable, every control character escaped."""
    text = json.dumps(data, ensure_ascii=False, indent=indent)
    # Looked for first: translate costs 10 times what dumps does, these searches 10%.
    if "\x7f" in text or (not text.isascii() and any(c in text for c in _RAW_IN_JSON)):
        return text.translate(_JSON_CONTROLS)
    return text


def results_json(results: Results) -> str:
    return to_json(results.to_dict(), indent=2)


def results_jsonl(results: Results) -> str:
    return "\n".join(to_json(hit.to_dict()) for hit in results.hits)


# What makes a spreadsheet read a cell as a formula (OWASP "CSV Injection"; NUL per ASVS).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\x00")


def spreadsheet_safe(cell: str) -> str:
    """``cell`` with a leading ``'`` when it starts like a formula (``=``, ``+``, ``-``,
    ``@``, tab, carriage return), so that Excel, LibreOffice or Google Sheets show the text
    instead of running it (``=HYPERLINK(...)``, ``=cmd|...``), as OWASP advises. A program
    that reads the CSV back drops one leading ``'`` from such cells."""
    return "'" + cell if cell.startswith(_FORMULA_STARTS) else cell


_CSV_COLUMNS = ["rank", "id", "date", "title", "source", "url", "keywords", "score", "snippets"]


def results_csv(results: Results) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(_CSV_COLUMNS)
    first = (results.page - 1) * results.limit
    for n, hit in enumerate(results.hits, start=first + 1):
        text = [
            hit.id,
            iso(hit.date) or "",
            hit.title,
            hit.source,
            hit.url,
            "; ".join(hit.keywords),
        ]
        snippets = " … ".join(to_marked(s) for s in hit.snippets)
        writer.writerow([n, *map(spreadsheet_safe, text), f"{hit.score:.4f}", spreadsheet_safe(snippets)])
    return out.getvalue().rstrip("\r\n")


_HTML_HEAD = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<style>body{{font:16px/1.5 system-ui,sans-serif;max-width:50em;margin:2em auto;padding:0 1em}}
mark{{background:#ffe066}} .meta{{color:#666;font-size:.9em}} .kw{{color:#06c;font-size:.9em}}
li{{margin-bottom:1.2em}}</style></head><body>
"""


_LINK_SCHEMES = ("http://", "https://")


def _safe_href(url: str) -> str:
    """``url`` when it is a web address safe to link to, else "": an article's url comes
    from the file, and ``javascript:`` or ``data:`` links would run in the reader's browser.
    Browsers drop tabs, newlines and leading controls in a scheme, so those are too."""
    url = url.strip("\x00\t\n\x0b\x0c\r ")
    plain = "".join(c for c in url if c > " ").lower()
    return url if plain.startswith(_LINK_SCHEMES) and plain == url.lower() else ""


def _escape(text: str) -> str:
    """Article text as HTML: markup escaped, controls made visible (``printable``)."""
    return html.escape(printable(text))


def _hit_html(hit: Hit) -> str:
    title = to_html(_printable_snippet(hit.title_snippet)) if hit.title else "(no title)"
    href = _safe_href(hit.url)
    if href:
        title = f'<a href="{html.escape(href, quote=True)}">{title}</a>'
    meta = " · ".join(_escape(x) for x in [_day(hit), hit.source, f"id {hit.id}"] if x)
    parts = [f"<li><h3>{title}</h3>", f'<div class="meta">{meta}</div>']
    if hit.keywords:
        parts.append(f'<div class="kw">{_escape(", ".join(hit.keywords))}</div>')
    parts.extend(f"<p>{to_html(_printable_snippet(s))}</p>" for s in hit.snippets)
    parts.append("</li>")
    return "\n".join(parts)


def results_html(results: Results) -> str:
    """A standalone HTML page; all article text is escaped, matches are in ``<mark>``."""
    query = _escape(results.query)
    body = [
        _HTML_HEAD.format(title=f"searcher: {query}"),
        f"<h1>Results for <code>{query}</code></h1>",
    ]
    if results.suggestion:
        body.append(f"<p>Did you mean <code>{_escape(results.suggestion)}</code>?</p>")
    first = (results.page - 1) * results.limit + 1
    body.append(f'<ol start="{first}">')
    body.extend(_hit_html(hit) for hit in results.hits)
    body.append("</ol>")
    body.append(f'<p class="meta">{html.escape(summary_line(results))}</p>')
    body.append("</body></html>")
    return "\n".join(body)


def report_text(report: IndexReport, *, show_failures: int = 20) -> str:
    """The end-of-run summary printed on stderr by `searcher index`."""
    lines = [
        f"files read {report.files_read}, unchanged {report.files_unchanged}, failed {report.files_failed}",
        f"articles added {report.added}, updated {report.updated}, unchanged {report.unchanged}, "
        f"duplicates {report.duplicates}, without a date {report.undated}, removed {report.removed}",
        f"took {report.seconds:.1f} s",
    ]
    for problem in report.failures[:show_failures]:
        lines.append(f"failed: {printable(str(problem))}")
    if len(report.failures) > show_failures:
        lines.append(f"... and {len(report.failures) - show_failures} more failures (write them all with --errors FILE)")
    if report.warnings:
        lines.append(f"{len(report.warnings)} warnings (bad records, impossible dates); --errors FILE lists them")
    return "\n".join(lines)


def problems_text(report: IndexReport) -> str:
    """Every failure and warning, one per line, for --errors FILE."""
    lines = [f"failed\t{printable(str(p))}" for p in report.failures]
    lines += [f"warning\t{printable(str(p))}" for p in report.warnings]
    return "\n".join(lines) + ("\n" if lines else "")


def _size(n: int) -> str:
    size = float(n)
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{n} B"


def stats_text(stats: Stats) -> str:
    span = (
        f"{stats.first_date:%Y-%m-%d} to {stats.last_date:%Y-%m-%d}"
        if stats.first_date and stats.last_date
        else "no dates"
    )
    lines = [
        f"index      {printable(str(stats.path))}",
        f"articles   {stats.articles} ({stats.undated} without a date) from {stats.files} files",
        f"dates      {span}",
        f"size       {_size(stats.size_bytes)}",
    ]
    if stats.per_year:
        lines.append("per year   " + ", ".join(f"{y}: {n}" for y, n in stats.per_year))
    if stats.top_sources:
        lines.append("top sources")
        lines.extend(f"  {n:>7}  {printable(s)}" for s, n in stats.top_sources)
    return "\n".join(lines)


def article_dict(article: Article) -> Dict[str, Any]:
    """The export form of an article (one JSON line of `searcher export`)."""
    return {
        "id": article.id,
        "title": article.title,
        "date": iso(article.date),
        "source": article.source,
        "url": article.url,
        "author": article.author,
        "keywords": list(article.keywords),
        "body": article.body,
        "path": article.path,
    }


EXPORT_COLUMNS = ["id", "title", "date", "source", "url", "author", "keywords", "body", "path"]


def write_export(articles: Iterable[Article], out: IO[str], *, format: str,
                 record: Callable[[Article], Dict[str, Any]] = article_dict, header: Optional[str] = None) -> int:
    """Stream articles as JSON lines or CSV, each as ``record`` gives it, after the
    ``header`` line when one is given; returns how many were written. CSV cells that would
    start a formula are ``spreadsheet_safe``."""
    count = 0
    if header is not None:
        out.write(header + "\n")
    if format == "csv":
        writer: Optional[csv.DictWriter] = None
        for article in articles:
            row = record(article)
            if writer is None:
                writer = csv.DictWriter(out, fieldnames=list(row))
                writer.writeheader()
            row["keywords"] = "; ".join(row["keywords"])
            row["date"] = row["date"] or ""
            writer.writerow({key: spreadsheet_safe(value) if isinstance(value, str) else value for key, value in row.items()})
            count += 1
        if writer is None:  # no article: the column names alone
            csv.writer(out).writerow(EXPORT_COLUMNS)
        return count
    for article in articles:
        out.write(to_json(record(article)) + "\n")
        count += 1
    return count


def article_text(article: Article, title: Snippet, body: Snippet, *, color: bool) -> str:
    """`searcher show`: the whole article with matches highlighted."""
    lines = [to_ansi(_printable_snippet(title), color=color) or "(no title)"]
    meta = [x for x in [_day(article), article.source, article.author, article.url] if x]
    lines.append(_style(printable(" · ".join(meta)), _DIM, color))
    if article.keywords:
        lines.append(_style(printable("keywords: " + ", ".join(article.keywords)), _CYAN, color))
    lines.append(_style(printable(f"id {article.id} · {article.path}"), _DIM, color))
    lines.append("")
    lines.append(to_ansi(_printable_snippet(body, multiline=True), color=color))
    return "\n".join(lines)


def article_html(article: Article, title: Snippet, body: Snippet) -> str:
    meta = " · ".join(_escape(x) for x in [_day(article), article.source, article.author] if x)
    paragraphs = to_html(_printable_snippet(body, multiline=True)).split("\n\n")
    return "\n".join(
        [
            _HTML_HEAD.format(title=_escape(article.title)),
            f"<h1>{to_html(_printable_snippet(title))}</h1>",
            f'<p class="meta">{meta}</p>',
        ]
        + [f"<p>{p}</p>" for p in paragraphs]
        + ["</body></html>"]
    )


def article_json(article: Article, title: Snippet, body: Snippet) -> str:
    data = article_dict(article)
    data["title_highlights"] = [list(s) for s in title.highlights]
    data["body_highlights"] = [list(s) for s in body.highlights]
    return to_json(data, indent=2)
