"""Moodle's REST server protocol: one request in, ``(status, content_type, body)`` out.

:func:`handle` turns one request (method, query, form pairs) into ``(status, content_type, body)``
exactly the way ``/webservice/rest/server.php`` does it on Moodle 4.5: 403 with an empty body
when web services are off, PHP's ``max_input_vars`` cut, token / service / capability checks,
parameter validation, one transaction per call, and JSON (or XML without
``moodlewsrestformat``) bodies with Moodle's ``\\/`` escaping. :func:`answer` is the same plus
the price a :class:`~.cost.CostModel` charges for the request (the caller pays it).

``wstoken`` is read from the query string or the POST body alike (PHP merges ``$_GET`` and
``$_POST``, trap 37). Slow-Moodle faults (kind ``"late"``, see :mod:`.faults`) are run here:
:func:`handle` with ``late=True`` holds a write, and every later call counts down and commits
the held writes (:func:`commit_held`; a held write commits itself, :meth:`HeldWrite.commit`).
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from lmsync.moodle.emulator.cost import CostModel
from lmsync.moodle.emulator.exceptions import (
    ACCESS_EXCEPTION,
    MOODLE_EXCEPTION,
    MoodleError,
    invalid_parameter,
    invalid_record,
)
from lmsync.moodle.emulator.functions import REGISTRY, Call, known_function
from lmsync.moodle.emulator.functions.registry import php_json
from lmsync.moodle.emulator.params import validate_top
from lmsync.moodle.emulator.state import Site
from lmsync.moodle.emulator.xmlformat import render_exception, render_response
from lmsync.moodle.encoding import decode

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

    def commit(self, site: Site) -> None:
        """Commit now, checked against the arrival state (call with the site's lock held).

        A write that fails its checks commits nothing; its client never heard of it either way.
        """
        if self in site.held_writes:
            site.held_writes.remove(self)
        with contextlib.suppress(MoodleError):
            _dispatch(site, self.token, self.function, self.params, seen=self.seen)


def _twin_key(function: Any, params: dict[str, Any]) -> str:
    return json.dumps([function, params], sort_keys=True, default=str)


def _touches(function: Any) -> tuple[str, ...]:
    spec = REGISTRY.get(function) if isinstance(function, str) else None
    return spec.touches if spec else ()


def commit_held(site: Site, writes: list[HeldWrite]) -> int:
    """Commit held writes in arrival order, each checked against its arrival state (call with the lock)."""
    for write in writes:
        write.commit(site)
    return len(writes)


def handle(site: Site, method: str, query: dict[str, str], form: list[tuple[str, str]], *, late: bool = False) -> Answer:
    """Answer one request to ``/webservice/rest/server.php`` (method is GET or POST).

    ``late=True`` (fault kind "late", phase "before"): a write is checked against the state now,
    held uncommitted, and the answer is the empty 504 nobody sees (the caller makes its client
    time out). Every call counts down the held writes (``site.late_after`` further requests) and
    a call with the same function and parameters as a held write (its twin) commits it: both
    copies pass their checks, both commit (issue 10 point 10).
    """
    return answer(site, method, query, form, late=late)[0]


def answer(
    site: Site,
    method: str,
    query: dict[str, str],
    form: list[tuple[str, str]],
    *,
    late: bool = False,
    cost: CostModel | None = None,
) -> tuple[Answer, float]:
    """:func:`handle`, plus the seconds ``cost`` charges for the request (0.0 without a model).

    The price is computed under the site's lock and never paid here: the caller sleeps it off
    outside the lock, so N workers pay side by side (:class:`~.cost.Workers`).
    """

    def price(function: Any, params: dict[str, Any], result: Any, ok: bool) -> float:
        if cost is None:
            return 0.0
        name = function if isinstance(function, str) else ""
        return cost.milliseconds(site, name, params, result, ok) / 1000.0

    if not site.web_services_enabled:
        return (403, HTML_TYPE, ""), price(None, {}, None, False)
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
            return (504, HTML_TYPE, ""), price(function, params, None, False)
        try:
            result = _dispatch(site, token, function, params, seen=seen)
        except MoodleError as exc:
            return _render_error(exc, as_json, site.debug), price(function, params, None, False)
        seconds = price(function, params, result, True)
        if as_json:
            return (200, JSON_TYPE, php_json(result)), seconds
        return (200, XML_TYPE, render_response(result)), seconds
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


__all__ = [
    "HTML_TYPE",
    "JSON_TYPE",
    "REST_PATH",
    "XML_TYPE",
    "Answer",
    "HeldWrite",
    "answer",
    "commit_held",
    "function_name",
    "handle",
    "is_write",
    "php_json",
]
