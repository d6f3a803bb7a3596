"""A token type that cannot leak by accident.

``repr``, ``str`` and f-strings all show ``<redacted>``; only ``reveal()`` gives the value,
and the only caller is the transport that puts it in the query string. Every revealed
token is also registered with the log redactor, so a stray copy in a message is masked.
"""

from __future__ import annotations

_KNOWN: set[str] = set()


class Token:
    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value
        if value:
            _KNOWN.add(value)

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


def redact(text: str) -> str:
    """Mask every known token in ``text`` (for log lines and error messages)."""
    for value in _KNOWN:
        if value and value in text:
            text = text.replace(value, "<redacted>")
    return text
