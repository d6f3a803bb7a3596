"""Text from people's records made safe to print on a terminal (any layer may use it: a pure function).

Names, departments and answers come from Moodle profiles, which students may edit, and from
CSV files. Printed raw, a control character is an instruction to the terminal: ``ESC ] 0;``
retitles the window, ``ESC ] 52;`` writes the clipboard, ``ESC [`` moves the cursor over earlier
lines; and a bidirectional override (U+202E) shows a name reversed and can make one id read as
another (CVE-2021-42574, "Trojan Source", applies to any text shown to a person). ``visible``
prints such characters as their Python escapes (``\\x1b``, ``\\u202e``) so a coordinator sees
that they are there. People's labels (``lmsync.service.labels``), the text and CSV renderers and
the commands' messages use it; JSON escapes control characters itself (``\\u001b``).
"""

from __future__ import annotations

import unicodedata

#: Unicode's explicit bidirectional embeddings, overrides and isolates (UAX #9, 2.1-2.6): what reorders
#: text that follows it. The marks (LRM, RLM, ALM) are left: a Hebrew or Arabic name may hold one
#: rightly, and it reorders nothing past its neighbours (tester round 45, 9: RLM printed as an escape).
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def visible(text: str, keep: str = "") -> str:
    """``text`` with every control character (Unicode category Cc: C0, DEL, C1) and every
    bidirectional formatting character written as its escape (``"\\x1b"``, ``"\\u202e"``),
    except the characters in ``keep`` (``"\\n"`` for a message of several lines). Other text,
    including emoji joiners and right-to-left letters themselves, is unchanged."""
    if text.isprintable():  # the common case, answered in C (str.isprintable is False for Cc and Cf)
        return text
    return "".join(
        ch.encode("unicode_escape").decode("ascii")
        if ch not in keep and (ch in BIDI_CONTROLS or unicodedata.category(ch) == "Cc")
        else ch
        for ch in text
    )


def quoted(text: str) -> str:
    """``text`` as a person typed it, in plain single quotes, made ``visible``: not Python's
    ``repr``, which switches to double quotes or escapes an apostrophe (``'Zoë O\\'Brien'``,
    tester round 67, 8). A name in a plan, an error or a hint is shown this way."""
    return f"'{visible(text)}'"
