"""The Flask application: the search page, the article view and the JSON API.

Read-only by construction: every route is a GET, and the only library calls are
``search``, ``show``, ``get`` and ``stats`` (plus ``timeline`` and ``terms`` when the
library has them, see ``features``). Article text and metadata reach the page only through
Jinja's autoescaping; no template marks anything safe. Every response carries a
Content-Security-Policy that allows no script at all (the page has none) and nothing from
other hosts. A request the app cannot serve gets a 4xx (5xx when the index itself fails)
with a one-line message, as HTML on pages and as ``{"error": ...}`` under ``/api/``; never a
traceback.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import threading
import time
from pathlib import Path
from typing import Any, Callable, Dict, Iterable, List, Optional, Tuple
from urllib.parse import urlencode

from flask import Flask, Response, abort, redirect, render_template, request
from werkzeug.exceptions import HTTPException, MethodNotAllowed, NotFound, SecurityError

from searcher.errors import (
    IndexCorrupt,
    IndexNotFound,
    IndexVersionMismatch,
    QueryTimeout,
    SearcherError,
)
from searcher.web import chart, view
from searcher.web.features import Features
from searcher.web.params import BadParameter, SearchState
from searcher.web.pool import ArchivePool

log = logging.getLogger("searcher.web")

CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
    "base-uri 'none'; frame-ancestors 'none'"
)
TOKEN_COOKIE = "searcher_token"
#: Host names a server bound to loopback answers to; any other Host header is refused, so a
#: web page elsewhere cannot reach the archive by pointing its own name at 127.0.0.1.
LOOPBACK_HOSTS = ["localhost", "127.0.0.1", "::1", "[::1]"]
SOURCES_SHOWN = 40
SOURCES_TTL = 60.0  # seconds the source list is kept before it is counted again


def _status_of(exc: SearcherError) -> int:
    """The HTTP status for a library error: the request's fault (4xx) or the index's (503)."""
    if isinstance(exc, (IndexNotFound, IndexCorrupt, IndexVersionMismatch, QueryTimeout)):
        return 503
    return 400


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


class _Sources:
    """The archive's most common sources for the filter menu, counted at most once a minute
    (counting reads a column of every article)."""

    def __init__(self) -> None:
        self._names: List[str] = []
        self._at = -SOURCES_TTL
        self._lock = threading.Lock()

    def get(self, archive: Any) -> List[str]:
        with self._lock:
            if time.monotonic() - self._at < SOURCES_TTL:
                return self._names
        stats = archive.stats(top=SOURCES_SHOWN + 1)
        names = sorted((s for s, _ in stats.top_sources if s != "(unknown)"), key=str.lower)[:SOURCES_SHOWN]
        with self._lock:
            self._names, self._at = names, time.monotonic()
        return names


def create_app(
    index: Path,
    *,
    token: Optional[str] = None,
    trusted_hosts: Optional[Iterable[str]] = None,
    opener: Optional[Callable[[Path], Any]] = None,
    timeout: float = 10.0,
) -> Flask:
    """The web app over the archive in ``index``.

    ``token``: when given, every request must carry it (``?token=`` once, which sets a
    cookie, or ``Authorization: Bearer``). ``trusted_hosts``: the Host names to answer
    (None: any). ``opener(path)`` opens an archive (``Archive.open`` unless a caller wants
    another ``Archive`` class). ``timeout``: seconds one search may take. Opens the archive
    once here, so a missing or unreadable index fails at start, not on the first request.
    """
    if opener is None:
        from searcher.archive import Archive

        opener = Archive.open
    here = Path(__file__).resolve().parent
    app = Flask("searcher.web", template_folder=str(here / "templates"), static_folder=str(here / "static"))
    app.config.update(TRUSTED_HOSTS=list(trusted_hosts) if trusted_hosts is not None else None)
    pool = ArchivePool(Path(index), opener)
    with pool.archive() as first:
        features = Features.of(first)
    sources = _Sources()
    app.extensions["searcher"] = pool
    app.jinja_env.trim_blocks = app.jinja_env.lstrip_blocks = True
    app.jinja_env.globals.update(pieces=view.pieces, paragraphs=view.paragraphs, safe_link=view.safe_link, day=view.day)
    app.jinja_env.filters["thousands"] = lambda n: f"{n:,}"
    cookie_value = hmac.new(token.encode(), b"searcher cookie", hashlib.sha256).hexdigest() if token else ""

    # -- access and headers ----------------------------------------------------------------

    @app.before_request
    def check_token() -> Optional[Response]:
        if not token:
            return None
        given = request.args.get("token")
        if given is not None:
            if not hmac.compare_digest(given.encode(), token.encode()):
                return _error(401, "wrong token; use the one given to `searcher serve --token`")
            rest = [(k, v) for k, v in request.args.items(multi=True) if k != "token"]
            response = redirect(request.path + ("?" + urlencode(rest) if rest else ""), code=303)
            response.set_cookie(TOKEN_COOKIE, cookie_value, httponly=True, samesite="Lax")
            return response
        bearer = request.headers.get("Authorization", "")
        if bearer.startswith("Bearer ") and hmac.compare_digest(bearer[7:].strip().encode(), token.encode()):
            return None
        if hmac.compare_digest(request.cookies.get(TOKEN_COOKIE, "").encode(), cookie_value.encode()):
            return None
        return _error(401, "this archive needs a token: open the address with ?token=TOKEN once, or send 'Authorization: Bearer TOKEN'")

    @app.after_request
    def secure_headers(response: Response) -> Response:
        response.headers["Content-Security-Policy"] = CSP
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["X-Frame-Options"] = "DENY"
        return response

    # -- errors ----------------------------------------------------------------------------

    def _error(status: int, message: str) -> Response:
        message = _one_line(message)
        if request.path.startswith("/api/"):
            body = json.dumps({"error": message, "status": status}, ensure_ascii=False)
            return Response(body, status=status, mimetype="application/json")
        if request.url_rule is None and status == 400:  # no URL adapter (an untrusted Host)
            return Response(message + "\n", status=status, mimetype="text/plain")
        page = render_template("error.html", status=status, message=message, state=SearchState(), sources=[])
        return Response(page, status=status, mimetype="text/html")

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException) -> Response:
        if isinstance(exc, SecurityError):
            return _error(400, "this server answers only to localhost and 127.0.0.1; use one of those in the address")
        if isinstance(exc, NotFound) and exc.description == NotFound.description:
            return _error(404, f"no page at {request.path[:200]}; the search page is /")
        if isinstance(exc, MethodNotAllowed):
            return _error(405, f"{request.method} is not allowed: this server is read-only (GET only)")
        return _error(exc.code or 500, exc.description or exc.name)

    @app.errorhandler(SearcherError)
    def library_error(exc: SearcherError) -> Response:
        return _error(_status_of(exc), str(exc))

    @app.errorhandler(Exception)
    def unexpected(exc: Exception) -> Response:
        log.exception("unexpected error serving %s", request.path)
        return _error(500, "internal error; the server's log has the details")

    # -- the page ----------------------------------------------------------------------------

    @app.get("/")
    def search_page() -> Tuple[str, int]:
        error: Optional[str] = None
        status = 200
        results = timeline = terms = None
        try:
            state = SearchState.from_args(request.args)
        except BadParameter as exc:
            state, error, status = SearchState(), str(exc), 400
        with pool.archive() as archive:
            source_names = sources.get(archive)
            if not state.empty and error is None:
                try:
                    results = _search(archive, state, collapse=features.copies)
                    timeline = _timeline(archive, state) if features.timeline else None
                    terms = _terms(archive, state) if features.terms else None
                except SearcherError as exc:
                    error, status = _one_line(str(exc)), _status_of(exc)
        page = render_template(
            "search.html",
            state=state,
            results=results,
            error=error,
            sources=source_names,
            features=features,
            timeline=timeline,
            terms=terms,
            window=view.page_window(results.page, results.pages) if results is not None else [],
        )
        return page, status

    @app.get("/article/<article_id>")
    def article_page(article_id: str) -> str:
        state = SearchState.from_args(request.args)
        with pool.archive() as archive:
            shown = archive.show(article_id, query=state.query or None)
        if shown is None:
            abort(404, description=f"no article with id '{article_id[:80]}'; ids are shown in search results")
        article, title, body = shown
        return render_template("article.html", state=state, article=article, title=title, body=body, sources=[])

    # -- the JSON API ------------------------------------------------------------------------

    @app.get("/api/search")
    def api_search() -> Response:
        state = SearchState.from_args(request.args)
        if state.empty:
            raise BadParameter("give a query 'q', a 'source', or a date range 'from'/'to'")
        collapse = _flag(request.args.get("collapse"))
        if collapse and not features.copies:
            abort(404, description="this searcher cannot group wire copies yet (no collapse in Archive.search)")
        with pool.archive() as archive:
            results = _search(archive, state, collapse=collapse)
        return _json(results.to_dict())

    @app.get("/api/article/<article_id>")
    def api_article(article_id: str) -> Response:
        state = SearchState.from_args(request.args)
        with pool.archive() as archive:
            shown = archive.show(article_id, query=state.query or None)
        if shown is None:
            abort(404, description=f"no article with id '{article_id[:80]}'")
        from searcher.render import article_dict

        article, title, body = shown
        data = article_dict(article)
        data["title_highlights"] = [list(s) for s in title.highlights]
        data["body_highlights"] = [list(s) for s in body.highlights]
        return _json(data)

    @app.get("/api/stats")
    def api_stats() -> Response:
        with pool.archive() as archive:
            return _json(archive.stats(top=SOURCES_SHOWN).to_dict())

    @app.get("/api/timeline")
    def api_timeline() -> Response:
        if not features.timeline:
            abort(404, description="this searcher has no timeline yet (no Archive.timeline)")
        state = SearchState.from_args(request.args)
        with pool.archive() as archive:
            return _json(_timeline_data(archive, state))

    @app.get("/api/terms")
    def api_terms() -> Response:
        if not features.terms:
            abort(404, description="this searcher has no significant terms yet (no Archive.terms)")
        state = SearchState.from_args(request.args)
        with pool.archive() as archive:
            return _json(_terms(archive, state))

    # -- calls into the library --------------------------------------------------------------

    def _search(archive: Any, state: SearchState, *, collapse: bool) -> Any:
        extra: Dict[str, Any] = {"collapse": True} if collapse else {}
        return archive.search(state.query, timeout=timeout, **state.search_kwargs(), **extra)

    def _timeline_data(archive: Any, state: SearchState) -> Dict[str, Any]:
        found = archive.timeline(state.query, by=state.by, since=state.since or None, until=state.until or None)
        return found.to_dict() if hasattr(found, "to_dict") else found

    def _timeline(archive: Any, state: SearchState) -> Optional[Dict[str, Any]]:
        data = _timeline_data(archive, state)
        periods = data.get("periods") or []
        if not periods:
            return None
        return {"chart": chart.chart(periods), "by": state.by, "finer": chart.FINER[state.by], "total": data.get("total")}

    def _terms(archive: Any, state: SearchState) -> Dict[str, Any]:
        if not state.query and not state.since and not state.until:
            return {"terms": []}
        found = archive.terms(state.query, since=state.since or None, until=state.until or None)
        return {"terms": [t.to_dict() for t in found]}

    return app


def _flag(value: Optional[str]) -> bool:
    if value is None or value.strip().lower() in ("", "0", "false", "no"):
        return False
    if value.strip().lower() in ("1", "true", "yes"):
        return True
    raise BadParameter(f"'collapse' must be 1 or 0, not '{value[:40]}'")


def _json(data: Any) -> Response:
    return Response(json.dumps(data, ensure_ascii=False, indent=2), mimetype="application/json")
