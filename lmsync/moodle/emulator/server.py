"""The emulator's front door: Moodle's REST server protocol, in-process or over HTTP.

:func:`handle` turns one request (method, query, form pairs) into ``(status, content_type, body)``
exactly the way ``/webservice/rest/server.php`` does it on Moodle 4.5: 403 with an empty body
when web services are off, PHP's ``max_input_vars`` cut, token / service / capability checks,
parameter validation, one transaction per call, and JSON (or XML without
``moodlewsrestformat``) bodies with Moodle's ``\\/`` escaping. :class:`EmulatorAdapter` mounts it
into a ``requests.Session``; :func:`serve` and :func:`serve_in_background` put it on a socket.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterable
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


def handle(site: Site, method: str, query: dict[str, str], form: list[tuple[str, str]]) -> Answer:
    """Answer one request to ``/webservice/rest/server.php`` (method is GET or POST)."""
    if not site.web_services_enabled:
        return 403, HTML_TYPE, ""
    with site.lock:
        params: dict[str, Any] = decode(_cut(query.items(), site.max_input_vars))
        if method.upper() == "POST":
            params.update(decode(_cut(form, site.max_input_vars)))
        as_json = params.pop("moodlewsrestformat", "xml") == "json"
        token = params.pop("wstoken", None)
        function = params.pop("wsfunction", None)
        try:
            result = _dispatch(site, token, function, params)
        except MoodleError as exc:
            return _render_error(exc, as_json, site.debug)
        if as_json:
            return 200, JSON_TYPE, php_json(result)
        return 200, XML_TYPE, render_response(result)


def _dispatch(site: Site, token: Any, function: Any, params: dict[str, Any]) -> Any:
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
    call = Call(site=site, token=info, function=function)
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
    when phase is "after") or raise :class:`SimulatedCrash`.
    """

    def __init__(self, site: Site, fault: FaultFunction | None = None) -> None:
        super().__init__()
        self.site = site
        self.fault = fault
        self.calls: list[str] = []  # wsfunction names in the order received (for tests and benchmarks)

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
        if parts.path != REST_PATH:
            return self._response(request, 404, HTML_TYPE, "")
        function = function_name(query, form)
        self.calls.append(function)
        answer = self._fault(request, function, "before")
        if answer is not None:
            return answer
        status, content_type, payload = handle(self.site, request.method or "POST", query, form)
        answer = self._fault(request, function, "after")
        if answer is not None:
            return answer
        return self._response(request, status, content_type, payload)

    def _fault(self, request: requests.PreparedRequest, function: str, phase: str) -> requests.Response | None:
        kind = self.fault(function, phase) if self.fault else None
        if kind is None:
            return None
        if kind == "503":
            return self._response(request, 503, HTML_TYPE, "")
        if kind == "timeout":
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
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length).decode("utf-8") if length else ""
            if parts.path != REST_PATH:
                self._send(404, HTML_TYPE, "")
                return
            query = dict(parse_qsl(parts.query, keep_blank_values=True))
            form = parse_qsl(body, keep_blank_values=True) if method == "POST" else []
            function = function_name(query, form)
            if self._fault(function, "before"):
                return
            status, content_type, payload = handle(site, method, query, form)
            if state_path is not None and is_write(function):
                with save_lock:
                    site.save(state_path)
            if self._fault(function, "after"):
                return
            self._send(status, content_type, payload)

        def _fault(self, function: str, phase: str) -> bool:
            kind = fault(function, phase) if fault else None
            if kind is None:
                return False
            if kind == "503":
                self._send(503, HTML_TYPE, "")
            else:  # timeout / crash: the answer never arrives; the client sees the connection drop
                self.close_connection = True
            return True

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
) -> ThreadingHTTPServer:
    handler = _handler_class(site, Path(state_path) if state_path else None, fault, verbose)
    server = ThreadingHTTPServer((host, port), handler)
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
) -> tuple[str, Callable[[], None]]:
    """Start a server on a free port in a daemon thread; returns ``(base_url, stop)``.

    The base URL is what a client puts in its Moodle URL setting, e.g. ``http://127.0.0.1:41234``.
    """
    server = make_server(site, host, port, state_path, fault, verbose=False)
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
    "REST_PATH",
    "EmulatorAdapter",
    "SimulatedCrash",
    "handle",
    "make_server",
    "php_json",
    "serve",
    "serve_in_background",
]
