"""``searcher serve``: a local web page and a JSON API over an archive.

    from searcher.web import create_app, serve

    serve("indexes/default")                       # http://127.0.0.1:8080/ until Ctrl-C
    app = create_app(Path("indexes/default"))      # the Flask (WSGI) app, for another server

``app`` holds the routes, ``server`` the waitress server and the rules for binding,
``params`` the URL state, ``pool`` the per-thread archives, ``features`` the analysis parts
the page shows when the library has them, ``chart`` the timeline's SVG geometry, ``view``
the helpers templates use, and ``screenshot`` a command that photographs the page.
"""

from __future__ import annotations

from typing import Any

__all__ = ["create_app", "serve"]


def __getattr__(name: str) -> Any:  # Flask and waitress load only when the web part is used
    if name == "create_app":
        from searcher.web.app import create_app

        return create_app
    if name == "serve":
        from searcher.web.server import serve

        return serve
    raise AttributeError(f"module 'searcher.web' has no attribute {name!r}")
