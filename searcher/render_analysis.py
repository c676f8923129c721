"""The analyses rendered: timelines, first appearances, significant terms, export records.

Text for a terminal (every field through ``render.printable``), JSON in the shapes the
README documents, CSV with spreadsheet-safe cells.
"""

from __future__ import annotations

import csv
import io
from typing import IO, Any, Dict, Iterable, List, Sequence

from searcher.analytics.charts import bar_chart, can_draw_blocks, sparkline
from searcher.analytics.export import ExportHeader, citation, csv_comment
from searcher.analytics.first import FirstSeen
from searcher.analytics.significance import TermScore
from searcher.article import Article
from searcher.render import article_dict, printable, spreadsheet_safe, to_json, write_export


def timeline_dict(timeline: Any) -> Dict[str, Any]:
    """``{"periods": [{"period", "count"}], "total", "by", "undated"}`` (per source:
    ``{"periods": [names], "sources": [{"source", "counts", ...}], "total", "by"}``)."""
    return timeline.to_dict()


def timeline_text(timeline: Any, *, encoding: str = "utf-8") -> str:
    """A bar per period (sparklines, one per source, with ``by_source``), then the total."""
    blocks = can_draw_blocks(encoding)
    lines: List[str] = []
    if hasattr(timeline, "series"):
        width = max((len(printable(s)) for s, _ in timeline.series), default=0)
        if timeline.periods:
            lines.append(f"{'':<{width}}  {timeline.periods[0]} .. {timeline.periods[-1]}")
        for source, counts in timeline.series:
            name = printable(source) or "(no source)"
            lines.append(f"{name:<{width}}  {sparkline(counts, blocks=blocks)}  {sum(counts):,}")
    else:
        lines.extend(bar_chart(list(timeline.periods), blocks=blocks))
    undated = timeline.undated if isinstance(timeline.undated, int) else sum(n for _, n in timeline.undated)
    tail = f"; {undated:,} undated" if undated else ""
    lines.append(f"{timeline.total:,} articles{tail}")
    return "\n".join(lines)


def timeline_csv(timeline: Any) -> str:
    """``period,count`` rows (per source: ``period,source,count``)."""
    out = io.StringIO()
    writer = csv.writer(out)
    if hasattr(timeline, "series"):
        writer.writerow(["period", "source", "count"])
        for source, counts in timeline.series:
            for period, count in zip(timeline.periods, counts):
                writer.writerow([period, spreadsheet_safe(source), count])
    else:
        writer.writerow(["period", "count"])
        for period, count in timeline.periods:
            writer.writerow([period, count])
    return out.getvalue().rstrip("\n")


def first_text(found: FirstSeen) -> str:
    """The first day, then each source's earliest article, earliest first."""
    if found.first_day is None:
        return f"no dated article matched ({found.total:,} matched, {found.undated:,} undated)"
    lines = [f"first appeared {found.first_day.isoformat()}"]
    for row in found.sources:
        day = row.date.strftime("%Y-%m-%d %H:%M") if hasattr(row, "date") and row.date else ""
        lines.append(f"  {day}  {printable(row.source) or '(no source)'}  id {printable(row.id)}")
    return "\n".join(lines)


def terms_dict(terms: Sequence[TermScore]) -> Dict[str, Any]:
    """``{"terms": [{"term", "in", "out", "score"}, ...]}``, best first."""
    return {"terms": [t.to_dict() for t in terms]}


def terms_text(terms: Sequence[TermScore]) -> str:
    """One term a line with its log-likelihood and its counts inside and outside."""
    if not terms:
        return "no term is significantly more frequent there (at least 3 articles needed)"
    width = max(len(printable(t.term)) for t in terms)
    lines = [f"{'term':<{width}}  {'score':>8}  {'in':>6}  {'out':>7}"]
    for t in terms:
        lines.append(f"{printable(t.term):<{width}}  {t.score:>8.1f}  {t.inside:>6,}  {t.outside:>7,}")
    return "\n".join(lines)


def terms_csv(terms: Sequence[TermScore]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["term", "in", "out", "score"])
    for t in terms:
        writer.writerow([spreadsheet_safe(t.term), t.inside, t.outside, round(t.score, 4)])
    return out.getvalue().rstrip("\n")


def cited(article: Article) -> Dict[str, Any]:
    """An article's export record with a ready-to-use citation."""
    record = article_dict(article)
    record["citation"] = citation(outlet=article.source, author=article.author, title=article.title,
                                  date=article.day, url=article.url)
    return record


def write_cited_export(header: ExportHeader, articles: Iterable[Article], out: IO[str], *, format: str) -> int:
    """Stream a query's export: the header first (a JSON line, or a ``# searcher-export``
    comment line before the CSV header), then one record per article with its citation.
    Returns how many articles were written."""
    first = csv_comment(header) if format == "csv" else to_json(header.to_dict())
    return write_export(articles, out, format=format, record=cited, header=first)
