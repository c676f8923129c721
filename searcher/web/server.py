"""Running the web app: waitress on a local address, a token when bound to anything else.

waitress is a pure-Python, multi-threaded WSGI server made for production use: a fixed pool
of worker threads serves requests while one thread handles the sockets, so 20 clients at
once queue fairly instead of each getting a thread (werkzeug's dev server) or blocking one
another. Ctrl-C (or SIGTERM) stops it: no new requests, the running ones finish, the archives
close.
"""

from __future__ import annotations

import ipaddress
import logging
import signal
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable, Iterator, Optional, Tuple

from searcher.errors import SearcherError
from searcher.web.app import LOOPBACK_HOSTS, create_app

MIN_TOKEN = 16


def is_loopback(host: str) -> bool:
    """True for ``localhost`` and loopback addresses (127.0.0.0/8, ::1)."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_binding(host: str, token: Optional[str]) -> None:
    """Refuse to serve an archive beyond this machine without a token, or with a short one."""
    if token is not None and len(token) < MIN_TOKEN:
        raise SearcherError(f"the token is shorter than {MIN_TOKEN} characters; give a longer one with --token")
    if not is_loopback(host) and not token:
        raise SearcherError(
            f"--host {host} lets other machines read the archive; give a --token (or $SEARCHER_TOKEN) "
            "of at least 16 characters that they must present, or keep the default --host 127.0.0.1"
        )


def make_server(
    index: Path,
    *,
    host: str = "127.0.0.1",
    port: int = 8080,
    token: Optional[str] = None,
    threads: int = 8,
    timeout: float = 10.0,
) -> Tuple[Any, Any, str]:
    """(waitress server, the app, its address) bound and ready to ``run()``; raises
    ``SearcherError`` for a missing index, a port in use, or an unsafe binding."""
    check_binding(host, token)
    import waitress

    # "Task queue depth is N" on every burst of requests is noise for a local tool.
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)

    trusted = LOOPBACK_HOSTS if is_loopback(host) else None
    app = create_app(Path(index), token=token, trusted_hosts=trusted, timeout=timeout)
    try:
        server = waitress.create_server(app, host=host, port=port, threads=threads, ident="searcher", clear_untrusted_proxy_headers=True)
    except OSError as exc:
        app.extensions["searcher"].close()
        raise SearcherError(f"cannot listen on {host}:{port} ({exc.strerror or exc}); choose another --port or --host") from None
    listen = getattr(server, "effective_listen", None) or [(server.effective_host, server.effective_port)]
    shown_host, shown_port = listen[0]
    if ":" in str(shown_host):
        shown_host = f"[{shown_host}]"
    return server, app, f"http://{shown_host}:{shown_port}/"


def serve(
    index: Path,
    *,
    host: str = "127.0.0.1",
    port: int = 8080,
    token: Optional[str] = None,
    threads: int = 8,
    timeout: float = 10.0,
    say: Callable[[str], None] = print,
) -> None:
    """Serve the archive in ``index`` until Ctrl-C or SIGTERM, saying its address first
    (never the token)."""
    server, app, address = make_server(index, host=host, port=port, token=token, threads=threads, timeout=timeout)
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _stop)
    note = " (open it once with ?token=YOUR_TOKEN)" if token else ""
    say(f"searcher: serving {index} at {address}{note}; press Ctrl-C to stop")
    try:
        server.run()  # returns on KeyboardInterrupt or SystemExit, workers shut down
    finally:
        _close(server)
        app.extensions["searcher"].close()
    say("searcher: stopped")


def _stop(signum: int, frame: Any) -> None:
    raise SystemExit(0)


def _close(server: Any) -> None:
    server.task_dispatcher.shutdown()
    server.close()


def _stop_loop(server: Any) -> None:
    """Stop a server whose loop runs in another thread: its sockets are closed from inside
    the loop (through waitress's trigger, which runs a function there), so the loop ends
    when it has nothing left to watch, then the workers finish their requests."""
    from waitress import wasyncore

    sockets = getattr(server, "_map", None) or server.map
    server.trigger.pull_trigger(lambda: wasyncore.close_all(sockets))
    server.task_dispatcher.shutdown()


@contextmanager
def running(index: Path, **options: Any) -> Iterator[str]:
    """Serve ``index`` from a background thread (on a free port unless ``port`` is given)
    for the length of a ``with`` block, yielding the address: for the screenshot command,
    tests and benchmarks, which talk to the same waitress server ``serve`` runs."""
    options.setdefault("port", 0)
    server, app, address = make_server(index, **options)
    thread = threading.Thread(target=server.run, name="searcher-web", daemon=True)
    thread.start()
    try:
        yield address
    finally:
        _stop_loop(server)
        thread.join(timeout=10)
        app.extensions["searcher"].close()
