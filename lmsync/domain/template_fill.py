"""Filling a nudge template's placeholders without doubling a full stop (tester round 114b, 7).

A name told apart is shortened to its initial ("Samuel A.": ``health.told_apart``), and the default ``no_meeting``
template puts a full stop after ``{other_firstname}``: a real nudge read "... your last mentoring meeting with Samuel
A.. Could you suggest a time this week?". A value that ends in "." followed in the template by a single "." keeps
its own; an ellipsis ("...") in the template is left as written.
"""

from __future__ import annotations

import string
from typing import Any

_FORMATTER = string.Formatter()


def fill(template: str, **values: Any) -> str:
    """``template.format(**values)`` (``str.format`` syntax: conversions and format specs too), but where a value's
    text ends in "." and the template's text right after it begins with exactly one ".", that "." is dropped.
    Raises what ``str.format`` raises (``KeyError`` for a placeholder not in ``values``, ``ValueError`` for a bad
    spec)."""
    out: list[str] = []
    after_dot = False
    for literal, name, spec, conversion in _FORMATTER.parse(template):
        if after_dot and literal.startswith(".") and not literal.startswith(".."):
            literal = literal[1:]
        out.append(literal)
        after_dot = False
        if name is None:
            continue
        value = _FORMATTER.convert_field(_FORMATTER.get_field(name, (), values)[0], conversion)
        text = _FORMATTER.format_field(value, _FORMATTER.vformat(spec or "", (), values))
        out.append(text)
        after_dot = text.endswith(".")
    return "".join(out)
