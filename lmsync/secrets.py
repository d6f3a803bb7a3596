"""A token type that cannot leak by accident.

``repr``, ``str`` and f-strings all show ``<redacted>``; only ``reveal()`` gives the value,
and the only caller is the transport that puts it first in the POST body (never in a URL,
trap 37). Every token is also registered with the log redactor, so a stray copy in a
message is masked. :func:`clean_token_text` reads a token as a person pasted it.
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote, quote_plus

_KNOWN: set[str] = set()
#: Stripped from both ends of a token as read from a file or the environment: what editors
#: and ``echo`` add (a UTF-8 byte-order mark, spaces, tabs, line breaks).
_EDGE = " \t\r\n"
_BOM = "\ufeff"


class Token:
    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value
        if value:
            _KNOWN.update(token_forms(value))

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "Token(<redacted>)"

    def __str__(self) -> str:
        return "<redacted>"

    def __format__(self, spec: str) -> str:
        return "<redacted>"

    def __bool__(self) -> bool:
        return bool(self._value)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Token) and other._value == self._value

    def __hash__(self) -> int:
        return hash(("Token", self._value))


def token_forms(value: str) -> list[str]:
    """``value`` as written and as a form body or a URL encodes it (``quote``, ``quote_plus``, with ``/`` kept
    or encoded, hex digits in either case), longest first: a server whose error message echoed the request
    body showed ``wstoken=Ab%2BC%2Fd%3De%25f%26gh`` (tester round 89b, 5)."""
    forms = {value, quote(value, safe=""), quote(value), quote_plus(value), quote_plus(value, safe="/")}
    forms |= {_HEX.sub(lambda m: m.group().lower(), form) for form in forms}
    return sorted(forms, key=len, reverse=True)


_HEX = re.compile(r"%[0-9A-F]{2}")


def redact(text: str) -> str:
    """Mask every known token in ``text`` (for log lines and error messages), in each of its
    ``token_forms``, and the password of a URL that carries one (``https://admin:secret@host`` ->
    ``https://admin:<redacted>@host``: a ``[moodle] url`` written that way reached the log and the
    error texts; tester round 3, 6)."""
    for value in sorted(_KNOWN, key=len, reverse=True):
        if value and value in text:
            text = text.replace(value, "<redacted>")
    if "@" in text:
        text = _URL_PASSWORD.sub(r"\1<redacted>@", text)
    if "password=" in text.lower():  # a PostgreSQL URL may carry it in the query (tester round 20, 4)
        text = _QUERY_PASSWORD.sub(r"\1<redacted>", text)
    return text


#: The password of a URL's user part, up to the last ``@`` before the path: a password holding a bare
#: ``@`` left its tail in the text (tester round 20, 4).
_URL_PASSWORD = re.compile(r"(\b[A-Za-z][A-Za-z0-9+.-]*://[^/\s:@]*:)[^/\s]+@")
_QUERY_PASSWORD = re.compile(r"([?&](?:ssl)?password=)[^&\s'\"]+", re.IGNORECASE)


def _describe(char: str) -> str:
    name = unicodedata.name(char, "")
    if not name:
        category = unicodedata.category(char)
        name = "a control character" if category == "Cc" else f"an unnamed character ({category})"
    return f"U+{ord(char):04X} {name}"


_ASSIGNMENT = re.compile(r"([A-Za-z_][A-Za-z0-9_.-]*)\s*[=:]")


#: Shorter text is refused as a token (Moodle's have 32 characters; tests and odd sites use fewer).
MIN_TOKEN_LENGTH = 8


def _check_shape(value: str, source: str) -> None:
    """Refuse a token written in quotes or as ``key=value``, naming the mistake, never the token.

    Moodle would answer either with a bare ``invalidtoken`` (its tokens are letters and digits).
    """
    if len(value) >= 2 and value[0] in "\"'" and value[-1] == value[0]:
        raise ValueError(
            f"{source}: the token is wrapped in quotes ({value[0]}...{value[0]}); write the token alone, "
            "without quotes"
        )
    if value[:1] in "\"'":
        raise ValueError(f"{source}: the token starts with a quote ({value[0]}); write the token alone, without quotes")
    found = _ASSIGNMENT.match(value)
    if found:
        raise ValueError(
            f"{source}: the token is written as an assignment ({found.group(1)}=...); "
            "write the token alone, without a name or '='"
        )


def clean_token_text(text: str, source: str) -> str:
    """The token in ``text`` (a token file's content or ``LMSYNC_TOKEN``), with what editors add removed.

    A leading byte-order mark and spaces, tabs and line breaks at either end are stripped
    (issue 11). Any other character outside printable ASCII (a zero-width space, a no-break
    space, a control character) or a space inside raises ``ValueError`` naming ``source``,
    the character by code point and its position, never the token itself: Moodle would
    answer such a token with a bare ``invalidtoken``. Moodle's tokens are 32 letters and digits.
    """
    value = text.lstrip(_BOM + _EDGE).rstrip(_EDGE)
    if value.startswith(_BOM):
        value = value[1:].strip(_EDGE)
    _check_shape(value, source)
    if value and len(value) < MIN_TOKEN_LENGTH:
        # a short "token" (LMSYNC_TOKEN=Max) is no Moodle token, and redacting it from an error would
        # blank out ordinary words ("<redacted> retries exceeded"), telling what it is (re-test finding 3)
        raise ValueError(
            f"{source}: the token has {len(value)} characters; Moodle's tokens have 32 letters and digits. "
            "Copy the token again from Site administration > Server > Web services > Manage tokens"
        )
    problems = []
    for position, char in enumerate(value, start=1):
        if not ("!" <= char <= "~"):
            problems.append(f"{_describe(char)} at character {position}")
    if problems:
        shown = "; ".join(problems[:3]) + (f"; and {len(problems) - 3} more" if len(problems) > 3 else "")
        raise ValueError(
            f"{source}: the token holds {len(problems)} character(s) no Moodle token has "
            f"(invisible, non-ASCII or a space): {shown}. "
            "Copy the token again from Site administration > Server > Web services > Manage tokens"
        )
    return value
