"""Reading what came back: PHP output before the JSON, error pages, redirect targets.

A site with ``display_errors`` on prints PHP's warnings before the web service's JSON; an
answer is parsed after that output when a complete JSON value follows it, so a write that
happened counts. Used by :class:`lmsync.moodle.transport.Transport`.

An answer that cannot be read becomes :class:`~lmsync.moodle.errors.NotJSON` (:func:`not_json`), whose
message never quotes JSON: Moodle's answers hold people's names and profiles, and the message goes to
logs (tester round 94b, 3a). It may quote PHP's own output, cut short, and the first line of a page
that is not JSON at all (a proxy's or login page).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from lmsync.moodle.errors import NotJSON

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


#: How much of PHP's output (a warning's text, not the answer's data) an error may quote.
PHP_QUOTE_LIMIT = 160
_LOOKS_LIKE_JSON = re.compile(r'\s*[\[{"]')


def php_after_json(text: str) -> tuple[int, str] | None:
    """``(json_chars, php_output)`` when ``text`` is ONE complete JSON value followed by PHP's output
    (display_errors on: ``[...]<br />\n<b>Warning</b>: ...``), else ``None``."""
    stripped = text.lstrip()
    try:
        _value, end = json.JSONDecoder().raw_decode(stripped)
    except ValueError:
        return None
    rest = stripped[end:]
    return (end, rest) if PHP_MESSAGE.match(rest) else None


def not_json(function: str, body: bytes, content_type: str, scrub: Callable[[str], str]) -> NotJSON:
    """The error for an answer that is not one JSON value (``scrub`` removes the token from quoted text)."""
    text = body.decode("utf-8", "replace")
    match = XML_ERRORCODE.search(text)
    errorcode = match.group(1).strip() if match else None
    kind = content_type or "no content type"
    trailing = php_after_json(text)
    php = scrub(first_line(text, PHP_QUOTE_LIMIT)) if PHP_MESSAGE.match(text) else None
    hint = None
    if trailing is not None:
        chars, noise = trailing
        php = scrub(first_line(noise, PHP_QUOTE_LIMIT))
        message = (f"{function}: the answer is JSON ({len(text[:chars].encode())} bytes, not shown: it holds Moodle's "
                   f"data) followed by {len(noise.encode())} bytes of PHP output; PHP said: {php!r}")
    elif php:
        message = f"{function}: the answer is PHP output with no complete JSON after it ({len(body)} bytes; PHP said: {php!r})"
    elif not body.strip():
        message = f"{function}: expected JSON, got an empty body ({kind})"
    elif _LOOKS_LIKE_JSON.match(text):
        message = (f"{function}: expected JSON, got {kind} ({len(body)} bytes) that starts like JSON but cannot be "
                   "parsed (not shown: it holds Moodle's data)")
        hint = ("The answer was cut off or damaged: look in the Moodle server's web server and PHP error logs (a memory "
                "or time limit, a proxy cutting long answers); if the call was a write it may have been applied: "
                "re-read before retrying")
    else:
        detail = f", errorcode {errorcode}" if errorcode else ""
        message = (f"{function}: expected JSON, got {kind} ({len(body)} bytes{detail}) that cannot be parsed, "
                   f"starting {scrub(first_line(text, 120))!r}")
    return NotJSON(message, function=function, errorcode=errorcode, content_type=content_type, php_output=php, hint=hint)
