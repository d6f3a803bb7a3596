"""Mentees who wait for a circle gone from Moodle that lmsync cannot make again yet (tester round 74).

A circle lmsync made that was deleted in Moodle keeps its pairs as the existing pairs and is made
again (``deleted_in_moodle.with_deleted_circles``). Two such circles cannot be made now:

1. its mentor is away (``service.away_mentors``): a circle still there is held as it is, its members
   not matched meanwhile; one deleted while held moved every mentee to other mentors at once, with no
   reason. It is held the same way: its mentees wait for the hold's end.
2. a group lmsync never made holds its idnumber (``circle_proof.disowned_mentors``): Moodle would
   refuse the circle, and its mentor got no room, so his mentees were matched elsewhere in the same
   run and he never got them back. They wait until that group's ID number is changed.

Pure: the pairs (Moodle ids) come in from the store's pairing history.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import replace

from lmsync.domain.ownership import mentor_group_idnumber
from lmsync.domain.people import MENTORING_ROLES, People


def waiting_for_circles(
    people: People, deleted: Mapping[int, int], waiting: Collection[int]
) -> tuple[People, dict[int, int]]:
    """``people`` less the mentees of the pairs ``deleted`` (mentee -> mentor, Moodle ids, of circles gone
    from Moodle) whose mentor is ``waiting`` (held while away, or blocked) and who are in no circle now: not
    matched meanwhile. Returns those people and each such mentor -> how many mentees wait for them."""
    pending = {mentee: mentor for mentee, mentor in deleted.items() if mentor in waiting}
    if not pending:
        return people, {}
    placed = {*people.current, *people.current_peers}
    out = {p.id: pending[p.moodle_id] for p in people.persons
           if p.moodle_id in pending and p.id not in placed and p.has_role("mentee") and not p.roles & MENTORING_ROLES}
    if not out:
        return people, {}
    counts: dict[int, int] = {}
    for mentor in out.values():
        counts[mentor] = counts.get(mentor, 0) + 1
    persons = tuple(p for p in people.persons if p.id not in out)
    returning = {mentee: mentor for mentee, mentor in people.returning.items() if mentee not in out}
    return replace(people, persons=persons, returning=returning), counts


def blocked_warnings(programme: str, waiting: Mapping[int, int], blocked: Collection[int]) -> list[str]:
    """One line per ``blocked`` mentor (``circle_proof.disowned_mentors``) whose mentees wait for their circle
    (``waiting``: mentor -> how many; ``waiting_for_circles``). It says only what is true whichever group holds
    the ID number and wherever the group lmsync made for the circle is: the warning about the group holding it
    names both and the fix (``circle_proof.disowned_warnings``; tester round 104a, 3a and 3b: it said that group
    was no longer in the course, and "never made" of a group lmsync made)."""
    return [
        f"circle [{mentor_group_idnumber(programme, mentor)}]: a group lmsync cannot take as this circle holds its ID "
        f"number (the warning about that group names it and the fix), so the circle cannot be made or kept: its "
        f"{count} mentee(s) are not matched with other mentors while that group holds it; once its ID number is "
        "changed as that warning says, they go back to their mentor's circle"
        for mentor, count in sorted(waiting.items()) if mentor in blocked
    ]
