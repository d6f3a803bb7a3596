"""Grades lmsync published that no figure backs any more (tester round 114a, 4).

A meeting figure (attendance, meetings, minutes) is computed from the stored meetings. When the meetings behind a
grade lmsync wrote are gone from the store (an erasure took a partner's meetings with the person; a meeting taken back
with ``lmsync meetings remove``), the person may have no figure left at all: the planner wrote nothing, so the
gradebook kept, and lmsync called current, a grade made only from erased meetings (a privacy leak). Moodle's
``core_grades_update_grades`` takes a number for every grade (``grade`` is a required PARAM_FLOAT: no web-service
function empties one), so such a grade is written as the figure's empty value, 0, and the plan says so.

Only grades on lmsync's own items are written (the planner's ``ownership.mine``), never one a teacher overrode or
locked, never for someone not actively enrolled, and never for an erased person themself (Moodle keeps their own
grades, as the erasure says: they are theirs to delete in Moodle).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping

from lmsync.domain.grade_items import TOLERANCE

#: Metric key -> the value a grade lmsync published is written as when no figure backs it any more: the meeting
#: figures (``lmsync.domain.metrics.meeting_metrics``); survey figures are never cleared this way (a received mean
#: stays as published: ``lmsync.domain.received_release``).
EMPTY_VALUES: Mapping[str, float] = {"attendance": 0.0, "meetings": 0.0, "minutes": 0.0}

#: What erasing someone's meetings does to the partners' grades: they change at the next push. ``lmsync person
#: erase`` says it in its question (tester round 115b, 4) and, when it took meetings, after (``ERASED_MEETINGS_NOTE``).
ERASED_MEETINGS_GRADES = (
    "the meeting grades lmsync published for the people they met (attendance, meetings, minutes) are recomputed "
    "without the erased meetings at the next `lmsync grades push` or `lmsync run` (`lmsync grades plan` shows them); "
    "one with no meeting left behind it is written as 0, as Moodle's web services cannot empty a grade"
)
#: What ``lmsync person erase`` says when it took meetings: the partners' grades change at the next push.
ERASED_MEETINGS_NOTE = f"note: {ERASED_MEETINGS_GRADES}"


def unbacked_grades(
    key: str,
    held: Mapping[int, float | None],
    backed: Collection[int],
    *,
    teachers: Collection[int],
    enrolled: Collection[int],
    erased: Collection[int],
    empty: Mapping[str, float] = EMPTY_VALUES,
) -> list[tuple[int, float]]:
    """(user id, value) for each grade ``held`` on lmsync's item for metric ``key`` that no figure backs now.

    ``held``: user id -> the grade lmsync's item holds (None: no grade); ``backed``: the users with a figure for
    ``key`` now (sent, unchanged or rejected alike); ``teachers``: users whose grade a teacher overrode or locked;
    ``enrolled``: users with an active enrolment; ``erased``: erased people (their own grades are left as they are).
    A key not in ``empty`` gives nothing; so does a grade already at the empty value. Sorted by user id. Raises
    nothing. Source: tester round 114a, 4.
    """
    if key not in empty:
        return []
    value = empty[key]
    return [(user_id, value) for user_id, before in _unbacked(held, backed, teachers, enrolled, erased)
            if abs(before - value) > TOLERANCE]


def already_empty(
    key: str,
    held: Mapping[int, float | None],
    backed: Collection[int],
    *,
    teachers: Collection[int],
    enrolled: Collection[int],
    erased: Collection[int],
    empty: Mapping[str, float] = EMPTY_VALUES,
) -> int:
    """How many grades ``held`` on lmsync's item for ``key`` no figure backs now that already hold the empty value
    (arguments as ``unbacked_grades``): lmsync's figure for them, in Moodle, so the plan counts them with its
    unchanged grades. The plan said "no changes (60 grades already in Moodle)" while lmsync's items held 146 such
    zeros besides (tester round 123b, 6). Raises nothing."""
    if key not in empty:
        return 0
    return sum(1 for _, before in _unbacked(held, backed, teachers, enrolled, erased)
               if abs(before - empty[key]) <= TOLERANCE)


def _unbacked(
    held: Mapping[int, float | None], backed: Collection[int], teachers: Collection[int], enrolled: Collection[int],
    erased: Collection[int],
) -> list[tuple[int, float]]:
    """(user id, grade) of the grades ``held`` that no figure backs and lmsync may write, by user id."""
    return [(user_id, before) for user_id, before in sorted(held.items())
            if before is not None and user_id not in backed and user_id not in teachers and user_id in enrolled
            and user_id not in erased]


def unbacked_note(itemname: str, count: int, *, key: str | None = None) -> str:
    """The plan's warning on ``count`` grades of ``itemname`` (metric ``key``) written as 0 (``unbacked_grades``).

    For the mean minutes the 0 is said to be a placeholder, not a figure: a mean length of no meeting does not exist,
    and "0 minutes" read as one (tester round 122a, 7). The rule stays: keeping the published mean would keep a figure
    made from meetings erased or taken back as wrong (tester round 114a, 4), and nothing else empties a grade."""
    note = (f"{itemname}: {count} grade(s) lmsync published have no meeting left behind them (erased, or taken back "
            "with `lmsync meetings remove`): written as 0, as Moodle's web services cannot empty a grade")
    if key == "minutes":
        note += "; the 0 is a placeholder, not a mean of 0 minutes (no meeting is left to take a mean of)"
    return note
