"""One person's meeting rows as their export shows them: nothing the other side gave, nor a trace of it.

A meeting row holds who rated it (``rated_by``), the rating and notes, lmsync's content hash of them, and
how, where and when the row was written (``source``, ``origin``, ``created_at``, ``updated_at``). A person sees all of it
on the rows they rated themselves (``rated_by`` is their side). On every other row (the other side's, or
one whose side is not known: lmsync cannot prove who gave it; tester rounds 4 and 5, finding 5) each of
those fields is empty, whether or not anything was given, so no field tells the rows apart:

- a rating and notes withheld only where given left ``rated_by`` "mentee" on exactly the meetings the
  mentee logged *without* a rating (tester round 51b, 3; round 32, 11 had emptied it only beside a rating);
- the content hash, an unsalted sha256 of the rating and notes, gives a withheld rating back by trying
  the five values (finding 2b), and emptied only where withheld it marked the rated rows (round 50, 10);
- ``origin`` and ``words_origin`` (a file and line; revision 0013), and ``updated_at`` later than ``created_at``,
  told that the other side changed their rating, when, and from which file (round 51b, 4);
- ``source`` "feedback" told a mentee that the mentor had logged (and so rated) the row in the meeting
  log, which only mentors fill in (round 51c, 3).
"""

from __future__ import annotations

from typing import Any

#: What a row not rated by the person loses (``as_seen_by``); ``NEVER_EXPORTED`` in privacy says it in words.
NOT_THEIRS = ("rating", "notes", "rated_by", "source", "origin", "words_origin", "created_at", "updated_at")


def as_seen_by(row: dict[str, Any], own_side: str) -> None:
    """``row`` (a meeting of :func:`lmsync.store.surveys.export_person`), changed in place, as the person
    on ``own_side`` (``mentor`` or ``mentee``) may see it (see the module docstring); nothing is counted."""
    row.pop("content_hash", None)  # lmsync's own change check: nobody's data, and a trace where emptied
    if row.get("rated_by") != own_side:
        for key in NOT_THEIRS:
            if key in row:
                row[key] = None
