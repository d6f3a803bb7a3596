"""In-process: the emulator as a ``requests`` transport adapter (no socket, no thread).

``session.mount(EMULATOR_URL, EmulatorAdapter(site))`` and lmsync's real client talks to
``site`` through :func:`~.protocol.handle`. Faults (:mod:`.faults`) and the cost model
(:mod:`.cost`, off by default so tests stay fast) work as they do over HTTP.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import requests
from requests.adapters import BaseAdapter
from requests.structures import CaseInsensitiveDict

from lmsync.moodle.emulator.cost import CostModel, Workers
from lmsync.moodle.emulator.faults import FaultFunction, SimulatedCrash
from lmsync.moodle.emulator.protocol import HTML_TYPE, REST_PATH, answer, function_name, handle
from lmsync.moodle.emulator.state import Site

EMULATOR_URL = "http://emulator.lmsync.invalid"


class EmulatorAdapter(BaseAdapter):
    """``session.mount(EMULATOR_URL, EmulatorAdapter(site))`` and the real client talks to ``site``.

    ``fault(function, phase)`` may answer 503, raise ``ReadTimeout`` (after the call was applied
    when phase is "after"; "late" holds a write uncommitted, see :mod:`.faults`) or raise
    :class:`SimulatedCrash`. ``access_log`` holds request lines as a web server logs them.
    ``cost`` (a :class:`~.cost.CostModel`, default None: free) makes each answered request
    sleep its price; ``workers`` (a count or a :class:`~.cost.Workers`) bounds how many
    threads sharing this adapter are answered at once (default: no bound).
    """

    def __init__(
        self,
        site: Site,
        fault: FaultFunction | None = None,
        cost: CostModel | None = None,
        workers: int | Workers | None = None,
    ) -> None:
        super().__init__()
        self.site = site
        self.fault = fault
        self.cost = cost
        self.workers = workers if isinstance(workers, Workers) else Workers(workers)
        self.calls: list[str] = []  # wsfunction names in the order received (for tests and benchmarks)
        self.access_log: list[str] = []  # "POST /webservice/rest/server.php?wsfunction=..." (trap 37)

    def send(
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
        struck = self._strike(request, function, "before", kind)
        if struck is not None:
            return struck
        with self.workers.slot():
            (status, content_type, payload), seconds = answer(self.site, method, query, form, cost=self.cost)
            if self.cost is not None:
                self.workers.pay(function, seconds)
        struck = self._strike(request, function, "after", self.fault(function, "after") if self.fault else None)
        if struck is not None:
            return struck
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


__all__ = ["EMULATOR_URL", "EmulatorAdapter"]
