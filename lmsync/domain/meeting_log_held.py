"""Meeting-log rows against the meetings a file or ``lmsync meetings add`` already holds (tester round 109b, 2).

The store keys a meeting by (date, mentor, mentee, source), so a Feedback response about a meeting a CSV file
(or ``meetings add``) had stored gave a second row of the same meeting, with its own minutes, attendance and
the other side's rating: ``meetings list`` showed both and the grades took one or the other. The imports refuse a
row for a meeting the Feedback log holds (``meeting_clash.against_held``); the same rule the other way round:
the record stored first is kept, so a response's row for a meeting another source holds is not stored.

* a row the response only infers (a mentee a mentor's circle response does not name, counted absent) gives way
  without a word, as it does to a response that names the mentee (``meeting_log_merge``);
* a row that only repeats the held record (``meeting_clash.agrees_with``: same minutes and attendance, no other
  rating or notes) is not stored either, and nothing is said, as an import counts such a row unchanged;
* any other row is a problem of its response (one per response), read well enough (``both_sides``: not
  unreadable), naming the response's day and where the meeting is held (a file's ``FILE:LINE``), never a value.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date

from lmsync.domain.meeting_clash import SOURCE_NAMES, agrees_with
from lmsync.domain.meeting_log import FeedbackProblem
from lmsync.domain.meetings import Meeting

#: How a response is said whose meeting a file or ``meetings add`` holds: read, not unreadable.
HELD_ELSEWHERE = "recorded elsewhere"

Key = tuple[date, int, int]


def stated(meeting: Meeting) -> bool:
    """Whether a meeting-log row is one its response states (``meetings_by_attempt``: a mentee's response, or a
    mentor's row of a mentee who came), not a mentee a circle response counted absent by not naming them."""
    return meeting.rated_by == "mentee" or meeting.attended


def without_held(
    read: Iterable[tuple[Meeting, int]],
    held: Mapping[Key, Sequence[tuple[Meeting, str | None]]],
    who: Mapping[int, int] | None = None,
) -> tuple[list[tuple[Meeting, int]], list[FeedbackProblem]]:
    """The meeting-log rows ``read`` (meeting, attempt id) less those whose (date, mentor, mentee) another
    source holds (``held``: each key's stored records as (meeting, origin: ``FILE:LINE``, ``None`` for ``meetings
    add``); rows of source ``feedback`` are ignored), and a ``FeedbackProblem`` (``both_sides=True``) per response
    one of whose stated rows contradicts such a record. ``who``: attempt id -> respondent's Moodle id."""
    kept: list[tuple[Meeting, int]] = []
    clashes: dict[int, tuple[Meeting, Meeting, str | None, int]] = {}  # attempt -> row, record, origin, how many
    for meeting, attempt in read:
        records = [(m, o) for m, o in held.get((meeting.date, meeting.mentor_id, meeting.mentee_id), ())
                   if m.source != "feedback"]
        if not records:
            kept.append((meeting, attempt))
            continue
        record = next(((m, o) for m, o in records if not agrees_with(meeting, m)), None)
        if record is None or not stated(meeting):
            continue
        first = clashes.get(attempt)
        clashes[attempt] = (meeting, *record, 1) if first is None else (*first[:3], first[3] + 1)
    problems = [FeedbackProblem(attempt, "meeting", _message(meeting, record, origin, count),
                                (who or {}).get(attempt), both_sides=True)
                for attempt, (meeting, record, origin, count) in clashes.items()]
    return kept, problems


def _message(meeting: Meeting, record: Meeting, origin: str | None, count: int) -> str:
    """Why a response's row is not stored: names its day, the source holding the meeting and where (``FILE:LINE``),
    never a person nor a value (the run's line goes to the log; no double quotes: those are masked there)."""
    where = f" ({origin})" if record.source == "csv" and origin else ""
    holder = ("`lmsync meetings add` already records" if record.source == "cli"
              else f"{SOURCE_NAMES[record.source]}{where} already has")
    more = f" (and {count - 1} more of its meetings that day)" if count > 1 else ""
    also = " (and from its file)" if record.source == "csv" else ""
    return (f"{HELD_ELSEWHERE}: {holder} a meeting of {meeting.date.isoformat()} this response logs{more}, with other "
            "minutes, attendance, rating or notes, and lmsync keeps one row per meeting, the one stored first: this "
            "response's row for it is not stored; to store it instead, remove that meeting with `lmsync meetings "
            f"remove`{also} and the next read stores this response's")
