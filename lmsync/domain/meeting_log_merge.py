"""One stored row per meeting from the meeting log's responses (tester round 89a, 1, 3, 4).

lmsync stores one row per (date, mentor, mentee). Several responses can speak of the same one: a mentor's two
one-to-one logs of the same day (each names the mentee met and, read as a circle meeting, counted the other one
absent), a mentor's and a mentee's log of the same meeting, a response submitted again. Read in Moodle's order,
the last silently replaced the others: a meeting attended was stored as missed, the mentor's rating and notes
were replaced by the mentee's, and every run rewrote the rows (never "unchanged"). Now, for each meeting:

* a row a response states (its respondent was there, was named in ``attended``, or is the mentee answering)
  beats a row only inferred (a mentee a mentor's circle response does not name, counted absent);
* of the rows of one side, the response submitted last is kept (a respondent's correction);
* of the rows of both sides, the response submitted first (the lower attempt id: an edit keeps its attempt, so
  editing either response never moves the meeting to the other side; tester round 90a, 2) is kept, as the
  imports keep one side's rating and notes per meeting and refuse the other's; the other response is a problem
  of that response, said with the fix (its meeting rows that do not clash are stored as usual).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from lmsync.domain.meetings import Meeting


@dataclass(frozen=True)
class LoggedRow:
    """One meeting row a response gives: ``stated`` when the response says so of this mentee (not inferred from a
    circle response that does not name them), with the response's ``attempt_id`` and ``submitted`` instant."""

    meeting: Meeting
    attempt_id: int
    submitted: datetime
    stated: bool


@dataclass(frozen=True)
class SideClash:
    """A response that logged a meeting the other side's earlier response (``kept``, its attempt id) logged too:
    its row is not stored."""

    attempt_id: int
    day: date
    kept: int


def one_row_per_meeting(rows: Iterable[LoggedRow]) -> tuple[list[tuple[Meeting, int]], list[SideClash]]:
    """Each meeting's row as the module says, with its response's attempt id, in the order the rows came; and
    each response that lost a meeting to the other side's earlier one (one ``SideClash`` per response and day)."""
    rows = list(rows)
    by_key: dict[tuple[date, int, int], list[LoggedRow]] = {}
    for row in rows:
        m = row.meeting
        by_key.setdefault((m.date, m.mentor_id, m.mentee_id), []).append(row)
    kept: list[LoggedRow] = []
    clashes: dict[tuple[int, date], SideClash] = {}
    for candidates in by_key.values():
        pool = [r for r in candidates if r.stated] or candidates
        first = min(pool, key=lambda r: r.attempt_id)  # submitted first: Moodle numbers attempts as they come
        side = [r for r in pool if r.meeting.rated_by == first.meeting.rated_by]
        kept.append(max(side, key=lambda r: (r.submitted, r.attempt_id)))
        for other in pool:
            if other.meeting.rated_by != first.meeting.rated_by:
                clashes.setdefault((other.attempt_id, other.meeting.date),
                                   SideClash(other.attempt_id, other.meeting.date, first.attempt_id))
    order = {id(r): place for place, r in enumerate(rows)}
    kept.sort(key=lambda r: order[id(r)])
    return [(r.meeting, r.attempt_id) for r in kept], list(clashes.values())
