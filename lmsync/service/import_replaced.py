"""Which rows of an imported meetings file replaced values another file (or ``meetings add``) had stored.

A running register imported again after another file corrected one of its rows puts that row back as the
register has it; the import said only how many rows did so, not which, so a coordinator could not tell which
correction was lost (tester round 105b, 2). ``replaced_rows`` names each: the file's line, the meeting's date and
people (Moodle ids: the CLI names them as views do), the values it replaced, and which file stored them.

What it replaced is said only as a coordinator's views may show it (``Meeting.coordinators_rating``): minutes and
attendance always; the rating, and that the notes or side changed, only where the stored record was the mentor's.
Of a mentee's record, or one of no known side, nothing of its rating and notes is said, not even that they
changed (a different answer for the same value would tell a withheld rating: README, imports).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from lmsync.domain.meetings import Meeting
from lmsync.log import get_logger
from lmsync.store.meetings import StoredMeeting

log = get_logger(__name__)

Key = tuple[str, int, int, str]  # ``Meeting.natural_key``: ISO date, mentor id, mentee id, source


@dataclass(frozen=True)
class ReplacedRow:
    """One replaced row. ``line``: its line in the imported file (``None``: not known); ``changed``: the fields it
    changed that may be said (``minutes``, ``attended``; of a mentor's record also ``rating``, ``notes``,
    ``rated_by``), with ``was``/``now`` their stored and new values (notes as ``None``: never their text);
    ``by``: the file that had stored the values (``FILE`` of ``FILE:LINE``), ``"meetings add"``, ``"feedback"``
    (the Feedback meeting log) or ``None`` when the store does not know; ``by_line``: that file's line."""

    line: int | None
    date: date
    mentor_id: int
    mentee_id: int
    changed: tuple[str, ...]
    was: tuple[Any, ...]
    now: tuple[Any, ...]
    by: str | None
    by_line: int | None


def _place(origin: str | None) -> tuple[str | None, int | None]:
    """``FILE:LINE`` as (file, line); ``cli`` (or ``None``, stored so before origins were kept) as ``meetings add``;
    ``feedback:ATTEMPT`` as ``feedback``."""
    if origin is None or origin == "cli":
        return ("meetings add" if origin == "cli" else None), None
    head, _, tail = origin.rpartition(":")
    if head == "feedback" or not head:
        return ("feedback" if head == "feedback" else origin), None
    return head, int(tail) if tail.isdigit() else None


def _changes(was: Meeting, now: Meeting) -> tuple[tuple[str, ...], tuple[Any, ...], tuple[Any, ...]]:
    """The fields that changed and may be said (see the module), with their stored and new values."""
    fields = ["minutes", "attended"]
    if was.rated_by == "mentor":  # a coordinator sees the mentor's rating; notes only as "changed"
        fields += ["rating", "notes", "rated_by"]
    changed = tuple(f for f in fields if getattr(was, f) != getattr(now, f))

    def value(m: Meeting, f: str) -> Any:
        return None if f == "notes" else getattr(m, f)

    return changed, tuple(value(was, f) for f in changed), tuple(value(now, f) for f in changed)


def replaced_rows(
    before: Mapping[tuple[date, int, int], Sequence[StoredMeeting]],
    saved: Iterable[tuple[Meeting, str]],
    keys: Iterable[Key],
) -> tuple[ReplacedRow, ...]:
    """The replaced rows, in the file's order: ``before`` is ``MeetingRepository.held`` read before the save,
    ``saved`` the file's ``(meeting, "FILE:LINE")`` rows as saved, ``keys`` the natural keys the save counted as
    replaced (``SaveCounts.replaced_keys``). Logs the count and the rows by ids (``import.replaced``)."""
    wanted = set(keys)
    stored = {s.meeting.natural_key: s for rows in before.values() for s in rows}
    out: list[ReplacedRow] = []
    for meeting, origin in saved:
        old = stored.get(meeting.natural_key)
        if meeting.natural_key not in wanted or old is None:
            continue
        changed, was, now = _changes(old.meeting, meeting)
        by, by_line = _place(old.origin)
        line = _place(origin)[1]
        out.append(ReplacedRow(line, meeting.date, meeting.mentor_id, meeting.mentee_id, changed, was, now, by, by_line))
    if out:  # counts and ids only, never names (nor a file's name: it may carry one)
        log.info("import.replaced", count=len(out), rows=[{"line": r.line, "date": r.date.isoformat(),
                 "mentor_id": r.mentor_id, "mentee_id": r.mentee_id, "fields": list(r.changed)} for r in out])
    return tuple(out)
