"""Moodle's REST XML format, used when a request leaves out ``moodlewsrestformat`` (trap 6)."""

from __future__ import annotations

from typing import Any
from xml.sax.saxutils import escape, quoteattr

_HEAD = '<?xml version="1.0" encoding="UTF-8" ?>\n'


def _value(value: Any) -> str:
    if value is None:
        return '<VALUE null="null"/>\n'
    if isinstance(value, dict):
        return _single(value)
    if isinstance(value, list):
        return "<MULTIPLE>\n" + "".join(_value(v) for v in value) + "</MULTIPLE>\n"
    if isinstance(value, bool):
        return f"<VALUE>{int(value)}</VALUE>\n"
    return f"<VALUE>{escape(str(value))}</VALUE>\n"


def _single(record: dict[str, Any]) -> str:
    keys = "".join(f"<KEY name={quoteattr(k)}>{_value(v)}</KEY>\n" for k, v in record.items())
    return f"<SINGLE>\n{keys}</SINGLE>\n"


def render_response(value: Any) -> str:
    return f"{_HEAD}<RESPONSE>\n{_value(value) if value is not None else ''}</RESPONSE>\n"


def render_exception(exception: str, errorcode: str, message: str, debuginfo: str | None = None) -> str:
    debug = f"<DEBUGINFO>{escape(debuginfo)}</DEBUGINFO>\n" if debuginfo else ""
    return (
        f"{_HEAD}<EXCEPTION class={quoteattr(exception)}>\n<ERRORCODE>{escape(errorcode)}</ERRORCODE>\n"
        f"<MESSAGE>{escape(message)}</MESSAGE>\n{debug}</EXCEPTION>\n"
    )
