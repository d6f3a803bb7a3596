"""What no id in a people CSV (``lmsync match --people``) can hold, cell by cell (tester round 95a).

- ``id_problem(text)``: why an ``id`` cell cannot be an id, or None. A control character (a NUL byte, a tab, DEL,
  C1) or an invisible one (a zero-width space, a soft hyphen) is refused: ``s1\\x00`` was taken and shown as ``s1\\x00``, an id that nobody can type to name them.
- ``mentor_problem(field, text)``: why a ``current_mentor`` / ``current_peer`` cell cannot name one person of the
  file, or None. Several values (``m1;m2``: ``;`` and ``,`` separate values in other cells) were read as one mentor
  ``"m1;m2"`` who left the programme, and the mentee re-matched under a warning; a mentee is in one mentor's circle
  (and in triads one peer mentor's), so the cell is refused naming the ids. A lone id with a separator (``m1;``)
  and a control character are refused too: no id holds one (``people_csv`` refuses such an ``id``).

Both return the message of an ``ImportIssue`` (the caller gives file, line and field); they raise nothing. A row
with such a cell refuses the file as every bad row does: nothing of it is used.
"""

from __future__ import annotations

import re
import unicodedata

#: control characters (Cc) and invisible format characters (Cf: a zero-width space read ``t1`` as another id than the
#: ``t1`` beside it, shown alike; tester round 96a, 9), line and paragraph separators (Zl, Zp)
_UNSEEN = {"Cc": "a control character", "Cf": "an invisible format character", "Zl": "a line separator",
           "Zp": "a paragraph separator"}
_SEPARATORS = re.compile(r"[;,\r\n]")  # between values of a multi-valued cell (a quoted line break too)
_ONE = {"current_mentor": "one mentor per mentee (for triads, the peer mentor goes in current_peer)",
        "current_peer": "one peer mentor per mentee"}


def _control(text: str) -> str | None:
    found = next((c for c in text if unicodedata.category(c) in _UNSEEN), None)
    if found is None:
        return None
    kind = _UNSEEN[unicodedata.category(found)]
    return f"{text!r} holds {kind} (U+{ord(found):04X}): an id cannot hold one"


def id_problem(text: str) -> str | None:
    """Why ``text`` (an ``id`` cell, stripped) cannot be an id: a control character; None when it can."""
    return _control(text)


def mentor_problem(field: str, text: str) -> str | None:
    """Why ``text`` (a ``current_mentor`` or ``current_peer`` cell, stripped and not empty) cannot name one
    mentor: several ids, a separator or a control character; None when it can."""
    if _SEPARATORS.search(text):
        ids = [part.strip() for part in _SEPARATORS.split(text) if part.strip()]
        if len(ids) > 1:
            return f"{text!r} names {len(ids)} ids ({', '.join(map(repr, ids))}): {_ONE.get(field, 'one per mentee')}"
        return f"{text!r} holds a comma, semicolon or line break, which separate values: an id cannot hold one"
    return _control(text)
