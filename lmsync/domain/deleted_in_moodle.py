"""What lmsync made that someone deleted in Moodle: a circle's group (tester round 73, 2) and a
welcome discussion (tester round 9). Both are made again, and the plan says why.

A circle deleted by hand does not end its pairs: lmsync's pairing history still holds them open
(``lmsync.service.established.deleted_circle_pairs``), and :func:`with_deleted_circles` gives
them to matching as the existing pairs, kept as those of a circle still there, so the mentor's
mentees all go back with them rather than to whichever mentor a draw favours.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import replace

from lmsync.domain.operations import CreateGroup
from lmsync.domain.ownership import circle_programme
from lmsync.domain.people import MENTORING_ROLES, People
from lmsync.domain.renumbered_circles import kept_apart, put_back_warnings
from lmsync.domain.seen_names import quoted_seen
from lmsync.domain.sync_state import Memory, Observation
from lmsync.visible import quoted

TAKEN_OUT = "put back: taken out in Moodle, and the match still pairs them"
CIRCLE_DELETED = "put back: their circle's group was deleted in Moodle, and the match still pairs them"


def with_deleted_circles(
    people: People, deleted: Mapping[int, int], blocked: Collection[int] = frozenset(), *, triads: bool = False
) -> People:
    """``people`` with the pairs of circles deleted in Moodle (``deleted``: mentee -> mentor, Moodle ids)
    as existing pairs where the mentee is in no circle of that kind now, both still take part and the
    mentor still mentors; and the mentors ``blocked`` (their circle's idnumber held by a group not
    lmsync's, ``circle_proof.disowned_mentors``) given no room: Moodle would refuse their circle.

    Such a pair is not apart: the roster's forbid that keeps a mentee in no circle from the mentor of a pair a
    coordinator ended whose pairing is still open (``established.Returning.ended``: taken out by hand, or this
    deletion) is dropped for it, so the circle comes back whole as before; one taken out by hand stays apart
    (tester round 95a, 7: a closed pair taken out by hand was put back)."""
    if not deleted and not blocked:
        return people
    by_moodle = {p.moodle_id: p for p in people.persons if p.moodle_id is not None}
    current, peers = dict(people.current), dict(people.current_peers)
    kept: set[tuple[str, str]] = set()
    for mentee_id, mentor_id in sorted(deleted.items()):
        mentee, mentor = by_moodle.get(mentee_id), by_moodle.get(mentor_id)
        if mentee is None or mentor is None:
            continue
        if mentor.roles & MENTORING_ROLES and mentee.has_role("mentee") and mentee is not mentor:
            pairs = peers if triads and mentor.role == "peer_mentor" else current
            if mentee.id not in pairs:  # kept, or (blocked) waiting for the circle: ``circle_waits``
                kept.add((mentee.id, mentor.id))
                if mentor_id not in blocked:
                    pairs[mentee.id] = mentor.id
    persons = tuple(replace(p, capacity=0) if p.moodle_id in blocked and p.roles & MENTORING_ROLES else p
                    for p in people.persons)
    forbids = tuple(pair for pair in people.forbids if pair not in kept)
    return replace(people, persons=persons, current=current, current_peers=peers, forbids=forbids)


def put_back(memory: Memory, idnumber: str, user: int, observation: Observation | None = None) -> str:
    """Why a member lmsync placed goes back into a circle Moodle no longer shows them in; of another member, why
    they join it when their circle was deleted in Moodle and its mentor is gone (``Memory.joining``; "" else).
    A circle whose group (its recorded Moodle id) is still in ``observation`` under another ID number was not
    deleted: said as it is (tester round 104a, 11: "their circle's group was deleted in Moodle")."""
    if (idnumber, user) not in memory.placed:
        return memory.joining.get(user, "")
    if idnumber not in memory.deleted:
        return TAKEN_OUT
    was = memory.deleted[idnumber]
    read = {} if observation is None else {g.id: g for g in (*observation.groups, *observation.disowned)}
    if was not in read:
        return CIRCLE_DELETED
    group = read[was]  # a disowned group is listed twice: as read last
    changed = f"changed in Moodle to {quoted(group.idnumber)}" if group.idnumber else "cleared in Moodle"
    why = kept_apart(group, observation, circle_programme(idnumber) or "", idnumber) if observation else ""
    return (f"put back: the group lmsync made for their circle ({quoted_seen(group.name)}, Moodle id {was}) is still in the "
            f"course, but its ID number was {changed}" + (f" and {why}" if why else "") +
            ", so the circle is made again; the match still pairs them")


def remade(ops: Iterable[object], memory: Memory, observation: Observation | None = None) -> list[str]:
    """One warning for the circles lmsync made that were deleted in Moodle and are made again, and one for
    those whose group, its recorded Moodle id, is still in ``observation`` under another ID number: changed
    in Moodle, not deleted (tester round 74, 4), made again only when that group was taken over (the reason
    said: ``renumbered_circles.kept_apart``); and first, one for those whose ID number the plan puts back on
    their group instead (``renumbered_circles``; tester round 103b, 2: a second circle and welcome were made)."""
    ops = list(ops)
    back = put_back_warnings(ops, observation)
    again = [op for op in ops if isinstance(op, CreateGroup) and op.idnumber in memory.deleted]
    if not again:
        return back
    now: dict[int, str] = {}  # every group in the course -> its ID number (a disowned group's as read)
    if observation is not None:
        now = {g.id: g.idnumber for g in observation.groups} | {g.id: g.idnumber for g in observation.disowned}
    changed = [op for op in again if memory.deleted[op.idnumber] in now]
    gone = [op for op in again if op not in changed]
    return back + _deleted(gone, memory) + _renumbered(changed, memory, now, _why_apart(changed, memory, observation))


def _why_apart(again: list[CreateGroup], memory: Memory, observation: Observation | None) -> dict[str, str]:
    """Circle ID number -> why its group, still in the course under another ID number, was not given it back."""
    if observation is None:
        return {}
    read = {g.id: g for g in observation.groups} | {g.id: g for g in observation.disowned}  # a disowned one as read
    return {op.idnumber: kept_apart(read[memory.deleted[op.idnumber]], observation, circle_programme(op.idnumber) or "")
            for op in again if memory.deleted[op.idnumber] in read}


def _deleted(again: list[CreateGroup], memory: Memory) -> list[str]:
    if not again:
        return []
    first, more = again[0], len(again) - 1
    was = memory.deleted[first.idnumber]
    group = f"the group lmsync made for it (Moodle id {was})" if was else "the group lmsync made for it"
    if not more:
        return [f"circle {quoted(first.name)} [{first.idnumber}]: {group} is no longer in the course (deleted in "
                "Moodle); it is made again and its mentees put back, their pairs kept"]
    return [f"{len(again)} circles lmsync made are no longer in the course (deleted in Moodle; the first: "
            f"{quoted(first.name)} [{first.idnumber}]); they are made again and their mentees put back, their pairs kept"]


def _renumbered(again: list[CreateGroup], memory: Memory, now: Mapping[int, str], why: Mapping[str, str]) -> list[str]:
    if not again:
        return []
    first, more = again[0], len(again) - 1
    was = memory.deleted[first.idnumber]
    changed = f"changed in Moodle to {quoted(now[was])}" if now[was] else "cleared in Moodle"
    changed += f", and {why[first.idnumber]}" if why.get(first.idnumber) else ""
    grouping = " and put it back in lmsync's grouping" if "grouping" in why.get(first.idnumber, "") else ""
    if not more:
        return [f"circle {quoted(first.name)} [{first.idnumber}]: the group lmsync made for it (Moodle id {was}) is "
                f"still in the course, but its ID number was {changed}; lmsync knows a circle by its ID number, so it "
                "is made again and its mentees put back, their pairs kept, and that group is left as it is (to keep "
                f"it as the circle instead, set its ID number back in Moodle{grouping} before the next sync)"]
    return [f"{len(again)} circles lmsync made are still in the course with their ID number changed in Moodle (the "
            f"first: {quoted(first.name)} [{first.idnumber}], Moodle id {was}, ID number {changed}); they are made "
            "again and their mentees put back, their pairs kept, and those groups are left as they are"]


def reposted(gone: list[tuple[str, int]]) -> list[str]:
    """One warning for the welcomes lmsync posted that someone deleted in Moodle and that are posted
    again (re-posting is the fix the forum-mode guard asks for; never silently: tester round 9)."""
    if not gone:
        return []
    (first, discussion), more = gone[0], len(gone) - 1
    if not more:
        return [f"circle {first}: the welcome lmsync posted (discussion {discussion}) is no longer in the forum "
                "(deleted in Moodle); it is posted again"]
    return [f"{len(gone)} welcomes lmsync posted are no longer in the forum (deleted in Moodle; the first: circle "
            f"{first}, discussion {discussion}); they are posted again"]
