"""Call a web-service function on an emulated site the way the client would (form in PHP syntax)."""

from __future__ import annotations

import json
from typing import Any

from lmsync.moodle.emulator import DEMO_TOKEN, Site, handle
from lmsync.moodle.encoding import encode


def ws(site: Site, function: str, params: dict[str, Any] | None = None, token: str = DEMO_TOKEN) -> Any:
    """POST ``function`` with ``params`` and return the decoded JSON body (asserting HTTP 200 JSON)."""
    query = {"wstoken": token, "wsfunction": function, "moodlewsrestformat": "json"}
    status, content_type, body = handle(site, "POST", query, encode(params or {}))
    assert status == 200 and content_type == "application/json", (status, content_type, body)
    return json.loads(body)


def errorcode(answer: Any) -> str | None:
    """The Moodle errorcode of an exception body, else None."""
    return answer.get("errorcode") if isinstance(answer, dict) and "exception" in answer else None
