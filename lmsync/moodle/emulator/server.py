"""The emulator's front door over HTTP: a small threaded server speaking Moodle's REST protocol.

:func:`make_server` (``lmsync emulator serve`` runs it until interrupted) and
:func:`serve_in_background` put :func:`~.protocol.handle` on a socket. The server keeps a web
server's access log (``server.access_log``, request lines: method, path and query string, never the body) so a test
can show that a token sent in the body never reaches it (trap 37), runs the fault kinds of
:mod:`.faults` (a lost answer is held past the client's timeout), and, given a cost model
(:mod:`.cost`, e.g. ``cost=MOODLE45, workers=4``), charges each request its price and serves at
most ``workers`` requests at once, like a Moodle behind N PHP workers.

The protocol (:mod:`.protocol`) and the in-process adapter (:mod:`.adapter`) are re-exported
here under their old names.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, NamedTuple, TypedDict, Unpack
from urllib.parse import parse_qsl, urlsplit

from lmsync.moodle.emulator.adapter import EMULATOR_URL, EmulatorAdapter
from lmsync.moodle.emulator.cost import CostModel, Workers
from lmsync.moodle.emulator.faults import FaultFunction, SimulatedCrash
from lmsync.moodle.emulator.protocol import (
    HTML_TYPE,
    JSON_TYPE,
    REST_PATH,
    XML_TYPE,
    HeldWrite,
    answer,
    commit_held,
    function_name,
    handle,
    is_write,
    php_json,
)
from lmsync.moodle.emulator.state import Site
from lmsync.moodle.keywords import check_keywords


class Recorded(NamedTuple):
    """One REST request as received: ``path`` with its query string, ``body`` the raw form.

    Only kept when asked for (``record=`` in :func:`serve_in_background`): it holds the token.
    """

    method: str
    path: str
    body: str


#: How long the HTTP server holds an answer it must lose ("timeout", "late"): past lmsync's
#: default client timeout of 30 s. Tests pass a short ``hold_seconds`` and a shorter client timeout.
HOLD_SECONDS = 35.0


class ServerOptions(TypedDict, total=False):
    """How :func:`make_server` and :func:`serve_in_background` set a server up (all optional).

    ``host`` (default ``"127.0.0.1"``) and ``port`` (:func:`make_server`: 8765;
    :func:`serve_in_background`: 0, a free port); ``state_path``: the JSON file the site is saved
    to after each write (None: memory only); ``fault``: a :mod:`.faults` function;
    ``hold_seconds`` (default :data:`HOLD_SECONDS`): how long a lost answer is held; ``cost``
    (e.g. :data:`~.cost.MOODLE45`): each answered request's price, slept in the handler;
    ``workers`` (a count, or a :class:`~.cost.Workers` to watch): at most that many requests
    answered at once (None: as many as arrive; 1 serialises).
    """

    host: str
    port: int
    state_path: str | Path | None
    fault: FaultFunction | None
    hold_seconds: float
    cost: CostModel | None
    workers: int | Workers | None


class EmulatorHTTPServer(ThreadingHTTPServer):
    """The threaded server plus a web server's access log and the lost-answer hold.

    ``access_log``: one request line per request, ``"POST /webservice/rest/server.php?wsfunction=..."``
    (method, path, query string; the body is never logged, trap 37). ``release`` ends every hold
    early (set on shutdown). ``cost``: the price list (None: free); ``workers``: the worker
    pool, which bounds the requests answered at once and records what was charged.
    """

    def __init__(
        self,
        address: tuple[str, int],
        handler: type[BaseHTTPRequestHandler],
        hold_seconds: float,
        cost: CostModel | None = None,
        workers: Workers | None = None,
    ) -> None:
        super().__init__(address, handler)
        self.access_log: list[str] = []
        self.hold_seconds = hold_seconds
        self.release = threading.Event()
        self.cost = cost
        self.workers = workers if workers is not None else Workers()
        self.recorded: list[Recorded] | None = None  # every REST request, body included (benchmarks)

    def shutdown(self) -> None:
        self.release.set()
        super().shutdown()


def _handler_class(site: Site, state_path: Path | None, fault: FaultFunction | None, verbose: bool) -> type[BaseHTTPRequestHandler]:
    save_lock = threading.Lock()

    class RestHandler(BaseHTTPRequestHandler):
        server_version = "lmsync-emulator/1"
        protocol_version = "HTTP/1.1"
        # Headers and body go out in two writes; without TCP_NODELAY every answer on a
        # kept-alive connection waits ~40 ms for the client's delayed ACK.
        disable_nagle_algorithm = True

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - BaseHTTPRequestHandler's name
            if verbose:
                super().log_message(format, *args)

        def do_GET(self) -> None:  # noqa: N802 - http.server naming
            self._serve("GET")

        def do_POST(self) -> None:  # noqa: N802
            self._serve("POST")

        def _serve(self, method: str) -> None:
            parts = urlsplit(self.path)
            server: EmulatorHTTPServer = self.server  # type: ignore[assignment]
            server.access_log.append(f"{method} {self.path}")  # the request line, as a web server logs it
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length).decode("utf-8") if length else ""
            if parts.path != REST_PATH:
                self._send(404, HTML_TYPE, "")
                return
            if server.recorded is not None:
                server.recorded.append(Recorded(method, self.path, body))
            query = dict(parse_qsl(parts.query, keep_blank_values=True))
            form = parse_qsl(body, keep_blank_values=True) if method == "POST" else []
            function = function_name(query, form)
            held = len(site.held_writes)
            kind = fault(function, "before") if fault else None
            if kind == "late":  # checked now, committed later; the answer is held past the client's timeout
                handle(site, method, query, form, late=True)
                self._save(function, held)
                self._lose_answer()
                return
            if self._fault(kind):
                return
            with server.workers.slot():  # one PHP worker from here until the answer is priced
                (status, content_type, payload), seconds = answer(site, method, query, form, cost=server.cost)
                self._save(function, held)
                if server.cost is not None:
                    server.workers.pay(function, seconds)
            if self._fault(fault(function, "after") if fault else None):
                return
            self._send(status, content_type, payload)

        def _save(self, function: str, held_before: int) -> None:
            if state_path is not None and (is_write(function) or len(site.held_writes) != held_before):
                with save_lock:
                    site.save(state_path)

        def _fault(self, kind: str | None) -> bool:
            if kind is None:
                return False
            if kind == "503":
                self._send(503, HTML_TYPE, "")
            elif kind == "crash":  # the server dies mid-call: the client sees the connection drop
                self.close_connection = True
            else:  # timeout (and "late" after the call): hold the answer past the client's timeout
                self._lose_answer()
            return True

        def _lose_answer(self) -> None:
            server: EmulatorHTTPServer = self.server  # type: ignore[assignment]
            server.release.wait(server.hold_seconds)
            self.close_connection = True

        def _send(self, status: int, content_type: str, payload: str) -> None:
            content = payload.encode("utf-8")
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(content)))
            self.end_headers()
            self.wfile.write(content)

    return RestHandler


def make_server(site: Site, *, verbose: bool = False, **options: Unpack[ServerOptions]) -> EmulatorHTTPServer:
    """A server for ``site`` (not started), set up as :class:`ServerOptions` says; ``verbose``:
    log each request to stderr (``lmsync emulator serve``)."""
    check_keywords("make_server", options, ServerOptions.__optional_keys__)
    state_path = options.get("state_path")
    handler = _handler_class(site, Path(state_path) if state_path else None, options.get("fault"), verbose)
    workers = options.get("workers")
    pool = workers if isinstance(workers, Workers) else Workers(workers)
    address = (options.get("host", "127.0.0.1"), options.get("port", 8765))
    hold_seconds = options.get("hold_seconds", HOLD_SECONDS)
    server = EmulatorHTTPServer(address, handler, hold_seconds, cost=options.get("cost"), workers=pool)
    server.daemon_threads = True
    return server


def serve_in_background(
    site: Site,
    *,
    access_log: list[str] | None = None,
    record: list[Recorded] | None = None,
    **options: Unpack[ServerOptions],
) -> tuple[str, Callable[[], None]]:
    """Start a server on a free port in a daemon thread; returns ``(base_url, stop)``.

    The base URL is what a client puts in its Moodle URL setting, e.g. ``http://127.0.0.1:41234``.
    ``access_log``, if given, is the list the server appends its request lines to (trap 37);
    ``hold_seconds`` how long a lost answer ("timeout", "late" faults) is held before the
    connection is closed (``stop`` ends the holds at once); the other options as
    :class:`ServerOptions` says, but ``port`` defaults to 0 (a free one). ``record``, if given,
    receives every REST request as :class:`Recorded` (body and token included: for benchmarks
    that replay a run, never for logs).
    """
    options.setdefault("port", 0)
    server = make_server(site, **options)
    if access_log is not None:
        server.access_log = access_log
    server.recorded = record
    thread = threading.Thread(target=server.serve_forever, name="lmsync-emulator", daemon=True)
    thread.start()
    bound_host, bound_port = str(server.server_address[0]), int(server.server_address[1])

    def stop() -> None:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)

    return f"http://{bound_host}:{bound_port}", stop


__all__ = [
    "EMULATOR_URL",
    "HOLD_SECONDS",
    "HTML_TYPE",
    "JSON_TYPE",
    "REST_PATH",
    "XML_TYPE",
    "EmulatorAdapter",
    "EmulatorHTTPServer",
    "HeldWrite",
    "Recorded",
    "ServerOptions",
    "SimulatedCrash",
    "answer",
    "commit_held",
    "function_name",
    "handle",
    "is_write",
    "make_server",
    "php_json",
    "serve_in_background",
]
