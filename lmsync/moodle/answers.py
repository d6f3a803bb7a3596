"""Reading what came back: PHP output before the JSON, error pages, redirect targets.

A site with ``display_errors`` on prints PHP's warnings before the web service's JSON; an
answer is parsed after that output when a complete JSON value follows it, so a write that
happened counts. Used by :class:`lmsync.moodle.transport.Transport`.
"""

from __future__ import annotations

import json
import re
from typing import Any

XML_ERRORCODE = re.compile(r"<ERRORCODE>(.*?)</ERRORCODE>", re.S)
# Where JSON may start after PHP's display_errors output: after a line break or a tag's '>'.
_AFTER_NOISE = re.compile(r"(?:\n|>)[ \t\r\n]*")
_JSON_FIRST = frozenset('{["-0123456789ntf')
_MAX_JSON_STARTS = 32
_HTML_TAG = re.compile(r"<[^>]*>")
_HTML_BREAK = re.compile(r"<br\s*/?>|</p>|</div>|</h[1-6]>|</title>", re.I)
PHP_MESSAGE = re.compile(
    r"^\s*(?:<br\s*/?>\s*)?(?:<b>)?\s*(?:PHP )?(?:Fatal error|Parse error|Warning|Notice|Deprecated|"
    r"Strict Standards|Catchable fatal error|Recoverable fatal error)\b",
    re.I,
)


def first_line(text: str, limit: int = 200) -> str:
    """The first non-empty line of ``text`` with HTML tags removed, whitespace collapsed, cut at ``limit``."""
    for line in _HTML_TAG.sub("", _HTML_BREAK.sub("\n", text)).splitlines():
        line = " ".join(line.split())
        if line:
            return line if len(line) <= limit else line[: limit - 3] + "..."
    return ""


def split_php_output(text: str) -> tuple[str, Any] | None:
    """``(php_output, value)`` when ``text`` is output PHP printed, then ONE complete JSON value.

    PHP with ``display_errors`` on prints ``<br />\n<b>Warning</b>: ... on line <b>3</b><br />\n``
    (or a plain-text line) before the script's own output. The JSON is looked for after a line
    break or a tag's ``>`` and must run to the end of the body; ``None`` if there is none.
    At most a few dozen starts are tried, so an unparseable large body costs little.
    """
    decoder = json.JSONDecoder()
    tried = 0
    for match in _AFTER_NOISE.finditer(text):
        start = match.end()
        if start >= len(text) or text[start] not in _JSON_FIRST:
            continue
        tried += 1
        if tried > _MAX_JSON_STARTS:
            return None
        try:
            value, end = decoder.raw_decode(text, start)
        except ValueError:
            continue
        if not text[end:].strip() and text[:start].strip():
            return text[:start], value
    return None
