"""Profile field values as typed: Moodle's HTML taken out (tester round 62, 6)."""

from __future__ import annotations

import html
import re

_TAG = re.compile(r"<\s*/?\s*([a-zA-Z][a-zA-Z0-9]*)\b[^<>]*>")  # an HTML tag; "3 < 4" is none
_BLOCK = frozenset({"p", "br", "div", "li", "ul", "ol", "tr", "td", "h1", "h2", "h3", "h4", "h5", "h6"})


def plain_text(text: str, separator: str = ",") -> str:
    """A profile field's value without HTML: tags out (a paragraph, line break or list item ends a value:
    ``separator``), entities decoded (``&amp;`` -> ``&``, ``&nbsp;`` -> a space). Moodle's textarea profile
    fields store the editor's HTML (``<p dir="ltr">Mental health,&nbsp;Research methods</p>``) and a value
    typed with ``&`` may come back as ``&amp;``: read as typed, they shared nothing with anyone (tester round
    62, 6). Text with no ``<`` or ``&`` is returned as it is."""
    if "<" not in text and "&" not in text:
        return text
    return html.unescape(_TAG.sub(lambda m: separator if m.group(1).lower() in _BLOCK else " ", text))
