"""The mentees of a circle deleted in Moodle whose mentor can no longer have it (tester round 75).

A circle gone from Moodle waits for its mentor only while they could still have it (``circle_waits``): held
while they are away, or blocked by a group lmsync never made while they mentor here. Once its mentor is gone
(not active and the hold over, out of the course, or no mentor role) its mentees are re-matched as for a
mentor who left: ``People.departed`` says whom they were with (75, 1: a blocked mentor's mentees waited for
ever), and the plan gives each the reason a circle still there gives its members (``circle_leaving``), on the
line that adds them to another circle, or in a warning naming one left with no mentor: there is no circle to
remove them from (75, 2).

Pure: the pairs (Moodle ids) come in from the store's pairing history.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import replace
from datetime import date

from lmsync.domain.circle_leaving import LEFT_WITHOUT, leaving_a_circle_gone, mentor_gone
from lmsync.domain.ownership import mentor_group_idnumber
from lmsync.domain.people import MENTORING_ROLES, People
from lmsync.domain.sync_state import Observation


def mentoring(people: People) -> frozenset[int]:
    """The Moodle ids of ``people``'s mentors: active here with a mentor role."""
    return frozenset(p.moodle_id for p in people.persons if p.moodle_id is not None and p.roles & MENTORING_ROLES)


def with_mentors_gone(
    people: People, deleted: Mapping[int, int], waiting: Collection[int]
) -> tuple[People, dict[int, int]]:
    """``people`` with the mentees of the pairs ``deleted`` (mentee -> mentor, Moodle ids, of circles gone from
    Moodle) whose mentor neither is ``waiting`` for nor mentors here, and who are in no circle now, as departed
    from that mentor; and those pairs (mentee -> mentor)."""
    here = mentoring(people)
    by_moodle = {p.moodle_id: p for p in people.persons if p.moodle_id is not None}
    placed = {*people.current, *people.current_peers}
    departed, gone = dict(people.departed), {}
    for mentee_id, mentor_id in sorted(deleted.items()):
        mentee = by_moodle.get(mentee_id)
        if mentor_id in waiting or mentor_id in here or mentee is None or mentee.id in placed:
            continue
        if mentee.has_role("mentee") and not mentee.roles & MENTORING_ROLES:
            mentor = by_moodle.get(mentor_id)
            departed.setdefault(mentee.id, mentor.id if mentor is not None else f"id:{mentor_id}")
            gone[mentee_id] = mentor_id
    return (replace(people, departed=departed), gone) if gone else (people, {})


def mentor_went(observation: Observation, mentor: int, held_until: date | None = None) -> str:
    """How a removal from a circle no longer wanted says its mentor is gone (``plan``'s words)."""
    held = "" if held_until is None else (f"; their circle was held until {held_until.isoformat()} "
                                          "([sync] away_mentor_hold_days)")
    return mentor_gone(observation, mentor) + held


def joining_words(moved: str, went: str) -> str:
    """Why a mentee of a gone mentor's deleted circle joins another circle: ``moved`` (``moved_words``, "" when
    the match says only that their mentor is gone) or that their mentor ``went`` (``mentor_went``)."""
    return moved or f"re-matched: their mentor {went}"


def left_line(label: str, programme: str, mentor: int, moved: str, went: str) -> str:
    """The warning naming a mentee of a gone mentor's deleted circle whom the match leaves with no mentor
    (``moved``: ``left_without_words``), as the removal from a circle still there says it."""
    words = leaving_a_circle_gone(moved, went) if moved.startswith(LEFT_WITHOUT) else moved
    return (f"{label}, of circle [{mentor_group_idnumber(programme, mentor)}] (its group deleted in Moodle): "
            f"{words or LEFT_WITHOUT}")
