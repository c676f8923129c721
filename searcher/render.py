"""Turning results into text: terminal, JSON, JSON lines, CSV and HTML.

Every function returns or writes strings; none of them looks anything up. Article text
reaches HTML only through ``html.escape`` (``highlight.to_html`` does it for snippets).
"""

from __future__ import annotations

import csv
import html
import io
import json
from typing import IO, Any, Dict, Iterable, List

from searcher.article import Article
from searcher.highlight import Snippet, to_ansi, to_html, to_marked
from searcher.results import Hit, IndexReport, Results, Stats, iso

_DIM = "\x1b[2m"
_BOLD = "\x1b[1m"
_CYAN = "\x1b[36m"
_RESET = "\x1b[0m"


def _style(text: str, code: str, color: bool) -> str:
    return f"{code}{text}{_RESET}" if color and text else text


def _day(hit_date: Any) -> str:
    return hit_date.strftime("%Y-%m-%d") if hit_date else "no date"


def results_text(results: Results, *, color: bool) -> str:
    """Numbered hits with date, title, source, keywords and snippets, then a summary line."""
    lines: List[str] = []
    first = (results.page - 1) * results.limit
    for n, hit in enumerate(results.hits, start=first + 1):
        title = to_ansi(hit.title_snippet, color=color) if hit.title else "(no title)"
        lines.append(f"{_style(f'{n:>3}.', _BOLD, color)} {title}")
        meta = [_day(hit.date)]
        if hit.source:
            meta.append(hit.source)
        meta.append(f"id {hit.id}")
        lines.append("     " + _style(" · ".join(meta), _DIM, color))
        if hit.keywords:
            lines.append("     " + _style("keywords: " + ", ".join(hit.keywords), _CYAN, color))
        for snip in hit.snippets:
            lines.append("     " + to_ansi(snip, color=color))
        lines.append("")
    if results.suggestion:
        lines.append(f"Did you mean: {results.suggestion}")
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
    return f"{results.total} {noun} matched{where} in {results.seconds * 1000:.0f} ms"


def results_json(results: Results) -> str:
    return json.dumps(results.to_dict(), ensure_ascii=False, indent=2)


def results_jsonl(results: Results) -> str:
    return "\n".join(json.dumps(hit.to_dict(), ensure_ascii=False) for hit in results.hits)


_CSV_COLUMNS = ["rank", "id", "date", "title", "source", "url", "keywords", "score", "snippets"]


def results_csv(results: Results) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(_CSV_COLUMNS)
    first = (results.page - 1) * results.limit
    for n, hit in enumerate(results.hits, start=first + 1):
        writer.writerow(
            [
                n,
                hit.id,
                iso(hit.date) or "",
                hit.title,
                hit.source,
                hit.url,
                "; ".join(hit.keywords),
                f"{hit.score:.4f}",
                " … ".join(to_marked(s) for s in hit.snippets),
            ]
        )
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


def _hit_html(hit: Hit) -> str:
    title = to_html(hit.title_snippet) if hit.title else "(no title)"
    href = _safe_href(hit.url)
    if href:
        title = f'<a href="{html.escape(href, quote=True)}">{title}</a>'
    meta = " · ".join(html.escape(x) for x in [_day(hit.date), hit.source, f"id {hit.id}"] if x)
    parts = [f"<li><h3>{title}</h3>", f'<div class="meta">{meta}</div>']
    if hit.keywords:
        parts.append(f'<div class="kw">{html.escape(", ".join(hit.keywords))}</div>')
    parts.extend(f"<p>{to_html(s)}</p>" for s in hit.snippets)
    parts.append("</li>")
    return "\n".join(parts)


def results_html(results: Results) -> str:
    """A standalone HTML page; all article text is escaped, matches are in ``<mark>``."""
    query = html.escape(results.query)
    body = [
        _HTML_HEAD.format(title=f"searcher: {query}"),
        f"<h1>Results for <code>{query}</code></h1>",
    ]
    if results.suggestion:
        body.append(f"<p>Did you mean <code>{html.escape(results.suggestion)}</code>?</p>")
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
        lines.append(f"failed: {problem}")
    if len(report.failures) > show_failures:
        lines.append(f"... and {len(report.failures) - show_failures} more failures (write them all with --errors FILE)")
    if report.warnings:
        lines.append(f"{len(report.warnings)} warnings (bad records, impossible dates); --errors FILE lists them")
    return "\n".join(lines)


def problems_text(report: IndexReport) -> str:
    """Every failure and warning, one per line, for --errors FILE."""
    lines = [f"failed\t{p}" for p in report.failures]
    lines += [f"warning\t{p}" for p in report.warnings]
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
        f"index      {stats.path}",
        f"articles   {stats.articles} ({stats.undated} without a date) from {stats.files} files",
        f"dates      {span}",
        f"size       {_size(stats.size_bytes)}",
    ]
    if stats.per_year:
        lines.append("per year   " + ", ".join(f"{y}: {n}" for y, n in stats.per_year))
    if stats.top_sources:
        lines.append("top sources")
        lines.extend(f"  {n:>7}  {s}" for s, n in stats.top_sources)
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


def write_export(articles: Iterable[Article], out: IO[str], *, format: str) -> int:
    """Stream articles as JSON lines or CSV; returns how many were written."""
    count = 0
    if format == "csv":
        writer = csv.DictWriter(out, fieldnames=EXPORT_COLUMNS)
        writer.writeheader()
        for article in articles:
            row = article_dict(article)
            row["keywords"] = "; ".join(row["keywords"])
            row["date"] = row["date"] or ""
            writer.writerow(row)
            count += 1
        return count
    for article in articles:
        out.write(json.dumps(article_dict(article), ensure_ascii=False) + "\n")
        count += 1
    return count


def article_text(article: Article, title: Snippet, body: Snippet, *, color: bool) -> str:
    """`searcher show`: the whole article with matches highlighted."""
    lines = [to_ansi(title, color=color) or "(no title)"]
    meta = [x for x in [_day(article.date), article.source, article.author, article.url] if x]
    lines.append(_style(" · ".join(meta), _DIM, color))
    if article.keywords:
        lines.append(_style("keywords: " + ", ".join(article.keywords), _CYAN, color))
    lines.append(_style(f"id {article.id} · {article.path}", _DIM, color))
    lines.append("")
    lines.append(to_ansi(body, color=color))
    return "\n".join(lines)


def article_html(article: Article, title: Snippet, body: Snippet) -> str:
    meta = " · ".join(html.escape(x) for x in [_day(article.date), article.source, article.author] if x)
    paragraphs = to_html(body).split("\n\n")
    return "\n".join(
        [_HTML_HEAD.format(title=html.escape(article.title)), f"<h1>{to_html(title)}</h1>", f'<p class="meta">{meta}</p>']
        + [f"<p>{p}</p>" for p in paragraphs]
        + ["</body></html>"]
    )


def article_json(article: Article, title: Snippet, body: Snippet) -> str:
    data = article_dict(article)
    data["title_highlights"] = [list(s) for s in title.highlights]
    data["body_highlights"] = [list(s) for s in body.highlights]
    return json.dumps(data, ensure_ascii=False, indent=2)
