"""The emulator's front door: Moodle's REST server protocol, in-process or over HTTP.

:func:`handle` turns one request (method, query, form pairs) into ``(status, content_type, body)``
exactly the way ``/webservice/rest/server.php`` does it on Moodle 4.5: 403 with an empty body
when web services are off, PHP's ``max_input_vars`` cut, token / service / capability checks,
parameter validation, one transaction per call, and JSON (or XML without
``moodlewsrestformat``) bodies with Moodle's ``\\/`` escaping. :class:`EmulatorAdapter` mounts it
into a ``requests.Session``; :func:`serve` and :func:`serve_in_background` put it on a socket.

``wstoken`` is read from the query string or the POST body alike (PHP merges ``$_GET`` and
``$_POST``, trap 37). The HTTP server keeps a web server's access log (``server.access_log``,
request lines: method, path and query string, never the body) so a test can show that a token
sent in the body never reaches it. Slow-Moodle faults (kind ``"late"``, see :mod:`.faults`) are
run here: :func:`handle` with ``late=True`` holds a write, and every later call counts down and
commits the held writes (:func:`commit_held`).
"""

from __future__ import annotations

import contextlib
import json
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import requests
from requests.adapters import BaseAdapter
from requests.structures import CaseInsensitiveDict

from lmsync.moodle.emulator.exceptions import (
    ACCESS_EXCEPTION,
    MOODLE_EXCEPTION,
    MoodleError,
    invalid_parameter,
    invalid_record,
)
from lmsync.moodle.emulator.faults import FaultFunction, SimulatedCrash
from lmsync.moodle.emulator.functions import REGISTRY, Call, known_function
from lmsync.moodle.emulator.params import validate_top
from lmsync.moodle.emulator.state import Site
from lmsync.moodle.emulator.xmlformat import render_exception, render_response
from lmsync.moodle.encoding import decode

EMULATOR_URL = "http://emulator.lmsync.invalid"
REST_PATH = "/webservice/rest/server.php"
JSON_TYPE = "application/json"
XML_TYPE = "application/xml; charset=utf-8"
HTML_TYPE = "text/html; charset=utf-8"

Answer = tuple[int, str, str]


def _cut(pairs: Iterable[tuple[str, str]], limit: int) -> list[tuple[str, str]]:
    """PHP keeps the first ``max_input_vars + 1`` variables and silently drops the rest (trap 23)."""
    out: list[tuple[str, str]] = []
    for pair in pairs:
        if len(out) > limit:
            break
        out.append(pair)
    return out


def php_json(value: Any) -> str:
    """``json_encode`` as Moodle calls it: ASCII-escaped unicode, ``\\/`` for slashes."""
    return json.dumps(value, ensure_ascii=True, separators=(",", ":")).replace("/", "\\/")


def function_name(query: dict[str, str], form: Iterable[tuple[str, str]]) -> str:
    """The wsfunction a request names (POST wins over GET, as in PHP's merge)."""
    name = query.get("wsfunction", "")
    for key, value in form:
        if key == "wsfunction":
            name = value
    return name


def _render_error(exc: MoodleError, as_json: bool, debug: bool) -> Answer:
    if as_json:
        return 200, JSON_TYPE, php_json(exc.body(debug))
    return 200, XML_TYPE, render_exception(exc.exception, exc.errorcode, exc.message, exc.debuginfo if debug else None)


@dataclass
class HeldWrite:
    """A write a slow database holds (fault kind "late"): checked against ``seen``, not committed."""

    function: str
    token: Any
    params: dict[str, Any]
    seen: Site  # the state at arrival: what Moodle's PHP uniqueness checks looked at
    remaining: int  # further requests until it commits on its own

    @property
    def key(self) -> str:
        return _twin_key(self.function, self.params)


def _twin_key(function: Any, params: dict[str, Any]) -> str:
    return json.dumps([function, params], sort_keys=True, default=str)


def _touches(function: Any) -> tuple[str, ...]:
    spec = REGISTRY.get(function) if isinstance(function, str) else None
    return spec.touches if spec else ()


def commit_held(site: Site, writes: list[HeldWrite]) -> int:
    """Commit held writes in arrival order, each checked against its arrival state (call with the lock)."""
    for write in writes:
        if write in site.held_writes:
            site.held_writes.remove(write)
        # a write that fails its checks commits nothing; its client never heard of it either way
        with contextlib.suppress(MoodleError):
            _dispatch(site, write.token, write.function, write.params, seen=write.seen)
    return len(writes)


def handle(site: Site, method: str, query: dict[str, str], form: list[tuple[str, str]], *, late: bool = False) -> Answer:
    """Answer one request to ``/webservice/rest/server.php`` (method is GET or POST).

    ``late=True`` (fault kind "late", phase "before"): a write is checked against the state now,
    held uncommitted, and the answer is the empty 504 nobody sees (the caller makes its client
    time out). Every call counts down the held writes (``site.late_after`` further requests) and
    a call with the same function and parameters as a held write (its twin) commits it: both
    copies pass their checks, both commit (issue 10 point 10).
    """
    if not site.web_services_enabled:
        return 403, HTML_TYPE, ""
    with site.lock:
        params: dict[str, Any] = decode(_cut(query.items(), site.max_input_vars))
        if method.upper() == "POST":
            params.update(decode(_cut(form, site.max_input_vars)))
        as_json = params.pop("moodlewsrestformat", "xml") == "json"
        token = params.pop("wstoken", None)
        function = params.pop("wsfunction", None)
        seen = _count_down_held(site, function, params)
        if late and _touches(function):
            if seen is not None:  # the twin of a held write: both commit, each with its own checks
                commit_held(site, [HeldWrite(function, token, params, seen, 0)])
            else:
                site.held_writes.append(HeldWrite(function, token, params, site.snapshot(_touches(function)), site.late_after))
            return 504, HTML_TYPE, ""
        try:
            result = _dispatch(site, token, function, params, seen=seen)
        except MoodleError as exc:
            return _render_error(exc, as_json, site.debug)
        if as_json:
            return 200, JSON_TYPE, php_json(result)
        return 200, XML_TYPE, render_response(result)


def _count_down_held(site: Site, function: Any, params: dict[str, Any]) -> Site | None:
    """Commit held writes that are due or whose twin this request is; returns the state this
    request's checks must see when a twin was committed (its arrival, before the twin)."""
    if not site.held_writes:
        return None
    for write in site.held_writes:
        write.remaining -= 1
    commit_held(site, [w for w in site.held_writes if w.remaining <= 0])
    key = _twin_key(function, params)
    twins = [w for w in site.held_writes if w.key == key]
    if not twins:
        return None
    seen = site.snapshot(_touches(function))
    commit_held(site, twins)
    return seen


def _dispatch(site: Site, token: Any, function: Any, params: dict[str, Any], seen: Site | None = None) -> Any:
    info = site.tokens.get(token) if isinstance(token, str) else None
    if info is None:
        raise MoodleError(MOODLE_EXCEPTION, "invalidtoken", "Invalid token - token not found")
    user = site.users.get(info.userid)
    if info.suspended or (user is not None and user.suspended):
        username = user.username if user else str(info.userid)
        raise MoodleError(MOODLE_EXCEPTION, "wsaccessusersuspended", f"Refused web service access for suspended username: {username}")
    if not isinstance(function, str) or not function:
        raise invalid_parameter("Missing required parameter wsfunction")
    if not known_function(function):
        raise invalid_record("external_functions")
    if function not in info.service_functions:
        raise MoodleError(ACCESS_EXCEPTION, "accessexception", "Access control exception")
    if "webservice/rest:use" not in info.capabilities:
        raise MoodleError(ACCESS_EXCEPTION, "accessexception", "Access control exception",
                          "You are not allowed to use the rest protocol (missing capability: webservice/rest:use)")
    spec = REGISTRY.get(function)
    if spec is None:
        raise MoodleError(MOODLE_EXCEPTION, "notimplemented", f"The emulator does not implement {function}")
    clean = validate_top(spec.params, params)
    call = Call(site=site, token=info, function=function, seen=seen)
    if not spec.writes:
        return spec.handler(call, clean)
    with site.transaction(spec.touches):
        return spec.handler(call, clean)


def is_write(function: str) -> bool:
    spec = REGISTRY.get(function)
    return bool(spec and spec.writes)


# ---------------------------------------------------------------------------------------------
# in-process: a requests transport adapter
# ---------------------------------------------------------------------------------------------

class EmulatorAdapter(BaseAdapter):
    """``session.mount(EMULATOR_URL, EmulatorAdapter(site))`` and the real client talks to ``site``.

    ``fault(function, phase)`` may answer 503, raise ``ReadTimeout`` (after the call was applied
    when phase is "after"; "late" holds a write uncommitted, see :mod:`.faults`) or raise
    :class:`SimulatedCrash`. ``access_log`` holds request lines as a web server logs them.
    """

    def __init__(self, site: Site, fault: FaultFunction | None = None) -> None:
        super().__init__()
        self.site = site
        self.fault = fault
        self.calls: list[str] = []  # wsfunction names in the order received (for tests and benchmarks)
        self.access_log: list[str] = []  # "POST /webservice/rest/server.php?wsfunction=..." (trap 37)

    def send(  # type: ignore[override]
        self,
        request: requests.PreparedRequest,
        stream: bool = False,
        timeout: Any = None,
        verify: Any = True,
        cert: Any = None,
        proxies: Any = None,
    ) -> requests.Response:
        parts = urlsplit(request.url or "")
        query = dict(parse_qsl(parts.query, keep_blank_values=True))
        body = request.body or b""
        text = body.decode("utf-8") if isinstance(body, bytes) else str(body)
        form = parse_qsl(text, keep_blank_values=True)
        method = request.method or "POST"
        self.access_log.append(f"{method} {parts.path}" + (f"?{parts.query}" if parts.query else ""))
        if parts.path != REST_PATH:
            return self._response(request, 404, HTML_TYPE, "")
        function = function_name(query, form)
        self.calls.append(function)
        kind = self.fault(function, "before") if self.fault else None
        if kind == "late":  # checked now, committed later, the answer never arrives
            handle(self.site, method, query, form, late=True)
            raise requests.exceptions.ReadTimeout(f"emulator: simulated timeout (late {function})", request=request)
        answer = self._strike(request, function, "before", kind)
        if answer is not None:
            return answer
        status, content_type, payload = handle(self.site, method, query, form)
        answer = self._strike(request, function, "after", self.fault(function, "after") if self.fault else None)
        if answer is not None:
            return answer
        return self._response(request, status, content_type, payload)

    def _strike(
        self, request: requests.PreparedRequest, function: str, phase: str, kind: str | None
    ) -> requests.Response | None:
        if kind is None:
            return None
        if kind == "503":
            return self._response(request, 503, HTML_TYPE, "")
        if kind in ("timeout", "late"):
            raise requests.exceptions.ReadTimeout(f"emulator: simulated timeout ({phase} {function})", request=request)
        if kind == "crash":
            raise SimulatedCrash(f"emulator: simulated crash ({phase} {function})")
        raise ValueError(f"unknown fault kind {kind!r}")

    def _response(self, request: requests.PreparedRequest, status: int, content_type: str, body: str) -> requests.Response:
        response = requests.Response()
        response.status_code = status
        response.reason = HTTPStatus(status).phrase
        content = body.encode("utf-8")
        response.headers = CaseInsensitiveDict({"Content-Type": content_type, "Content-Length": str(len(content))})
        response._content = content
        response.encoding = "utf-8"
        response.url = request.url or ""
        response.request = request
        response.connection = self  # type: ignore[assignment]
        return response

    def close(self) -> None:
        return None


# ---------------------------------------------------------------------------------------------
# over HTTP: a small threaded server
# ---------------------------------------------------------------------------------------------

#: How long the HTTP server holds an answer it must lose ("timeout", "late"): past lmsync's
#: default client timeout of 30 s. Tests pass a short ``hold_seconds`` and a shorter client timeout.
HOLD_SECONDS = 35.0


class EmulatorHTTPServer(ThreadingHTTPServer):
    """The threaded server plus a web server's access log and the lost-answer hold.

    ``access_log``: one request line per request, ``"POST /webservice/rest/server.php?wsfunction=..."``
    (method, path, query string; the body is never logged, trap 37). ``release`` ends every hold
    early (set on shutdown).
    """

    def __init__(self, address: tuple[str, int], handler: type[BaseHTTPRequestHandler], hold_seconds: float) -> None:
        super().__init__(address, handler)
        self.access_log: list[str] = []
        self.hold_seconds = hold_seconds
        self.release = threading.Event()

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
            status, content_type, payload = handle(site, method, query, form)
            self._save(function, held)
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


def make_server(
    site: Site,
    host: str = "127.0.0.1",
    port: int = 8765,
    state_path: str | Path | None = None,
    fault: FaultFunction | None = None,
    verbose: bool = False,
    hold_seconds: float = HOLD_SECONDS,
) -> EmulatorHTTPServer:
    """A server for ``site`` (not started); ``hold_seconds``: how long a lost answer is held."""
    handler = _handler_class(site, Path(state_path) if state_path else None, fault, verbose)
    server = EmulatorHTTPServer((host, port), handler, hold_seconds)
    server.daemon_threads = True
    return server


def serve(
    site: Site,
    host: str = "127.0.0.1",
    port: int = 8765,
    state_path: str | Path | None = None,
    fault: FaultFunction | None = None,
    verbose: bool = True,
) -> None:
    """Serve ``site`` until interrupted; with ``state_path`` the state is saved after each write."""
    server = make_server(site, host, port, state_path, fault, verbose)
    try:
        server.serve_forever()
    finally:
        server.server_close()


def serve_in_background(
    site: Site,
    host: str = "127.0.0.1",
    port: int = 0,
    state_path: str | Path | None = None,
    fault: FaultFunction | None = None,
    hold_seconds: float = HOLD_SECONDS,
    access_log: list[str] | None = None,
) -> tuple[str, Callable[[], None]]:
    """Start a server on a free port in a daemon thread; returns ``(base_url, stop)``.

    The base URL is what a client puts in its Moodle URL setting, e.g. ``http://127.0.0.1:41234``.
    ``access_log``, if given, is the list the server appends its request lines to (trap 37);
    ``hold_seconds`` how long a lost answer ("timeout", "late" faults) is held before the
    connection is closed (``stop`` ends the holds at once).
    """
    server = make_server(site, host, port, state_path, fault, verbose=False, hold_seconds=hold_seconds)
    if access_log is not None:
        server.access_log = access_log
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
    "REST_PATH",
    "EmulatorAdapter",
    "EmulatorHTTPServer",
    "HeldWrite",
    "commit_held",
    "SimulatedCrash",
    "handle",
    "make_server",
    "php_json",
    "serve",
    "serve_in_background",
]
