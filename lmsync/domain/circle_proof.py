"""Which groups carrying this programme's circle idnumber lmsync can prove it made (tester round 73, 1).

An idnumber is typed in Moodle's group form by anyone who manages groups: a teacher who made
``lmsync:<programme>:mentor:<id>`` by hand for a mentor lmsync left out (two roles, say) had their
group emptied, renamed, posted into and deleted as lmsync's circle. Where the store can tell, the
proof is stronger than the idnumber: the Moodle ids of the circles lmsync created (the create's
answer), saw again after a lost answer (found by idnumber), or adopted. A store with no such
record (a new or rebuilt store taking over an existing programme) adopts what carries the
idnumber, as before. Pure: the store's record comes in as a :class:`CircleProof`.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field, replace

from lmsync.domain.ownership import mentor_group_idnumber, mentor_of_idnumber
from lmsync.domain.sync_state import Observation, ObservedGroup
from lmsync.visible import quoted


@dataclass(frozen=True)
class CircleProof:
    """What the store holds of the programme's circles.

    ``recorded``: idnumber -> Moodle ids of the groups lmsync created (the create's answer), found
    again by idnumber after a lost answer, or adopted. ``unsettled``: idnumbers of creates whose
    answer was lost and not yet re-observed (the group may have committed: it is lmsync's).
    ``vouched``: idnumbers lmsync once proved another way, for a store from before ids were kept (a
    circle it placed mentees in, a create re-observed after a lost answer); they count only while
    no id of theirs is recorded.
    """

    recorded: Mapping[str, frozenset[int]] = field(default_factory=dict)
    unsettled: frozenset[str] = frozenset()
    vouched: frozenset[str] = frozenset()

    @property
    def holds_circles(self) -> bool:
        """Whether the store has a record of the programme's circles (else it adopts what it finds)."""
        return bool(self.recorded) or bool(self.unsettled)

    def proves(self, idnumber: str, group_ids: Collection[int]) -> bool:
        """Whether the groups ``group_ids`` that carry ``idnumber`` are lmsync's. One of them recorded
        proves them all: Moodle refuses a second group of an idnumber in use, so the others are copies
        of a create that committed twice, repaired as duplicates (issue 10 point 10)."""
        if not self.holds_circles or idnumber in self.unsettled:
            return True
        ids = self.recorded.get(idnumber, frozenset())
        return bool(ids & set(group_ids)) or (not ids and idnumber in self.vouched)


def disown(observation: Observation, programme: str, proof: CircleProof, ghosts: Collection[int] = ()) -> Observation:
    """``observation`` with the groups that carry one of this programme's circle idnumbers but are not
    lmsync's (``proof``) seen as any teacher's group: idnumber and members left out, so no plan, pair,
    grade, health judgement or welcome touches them; their name still counts as taken. The groups as
    read are kept in ``Observation.disowned`` for the plan's warning. ``ghosts``: mentor ids Moodle has no
    account of; a store with no record (which adopts what it finds) does not adopt their circles: lmsync
    only makes a circle for a user, and a teacher's "Skills lab" numbered for user 999 was taken over, emptied
    by cron and offered for deletion (tester round 87b, 2)."""
    ids: dict[str, set[int]] = {}
    for group in observation.groups:
        if mentor_of_idnumber(programme, group.idnumber) is not None:
            ids.setdefault(group.idnumber, set()).add(group.id)
    foreign = {idnumber for idnumber, found in ids.items() if not proof.proves(idnumber, found)}
    if not proof.holds_circles:
        foreign |= {idnumber for idnumber in ids if mentor_of_idnumber(programme, idnumber) in set(ghosts)}
    # a circle ID number in other letter cases: Moodle on MySQL compares ID numbers without case, so it refuses
    # lmsync's own group of that number, failing the batch (tester round 87a, 7g); left alone, and said, while no
    # group carries the number exactly (both there: the database tells them apart)
    folded = {g.id for g in observation.groups if (m := folded_mentor(programme, g.idnumber)) is not None
              and mentor_group_idnumber(programme, m) != g.idnumber and mentor_group_idnumber(programme, m) not in ids}
    if not foreign and not folded:
        return observation
    disowned = tuple(g for g in observation.groups if g.idnumber in foreign or g.id in folded)
    groups = tuple(replace(g, idnumber="", members=frozenset()) if g.idnumber in foreign else g
                   for g in observation.groups)
    return replace(observation, groups=groups, disowned=disowned)


def disowned_mentors(observation: Observation, programme: str) -> frozenset[int]:
    """The mentors whose circle idnumber a group not lmsync's holds, in any letter case (``folded_mentor``): Moodle
    would refuse lmsync's own group of that idnumber (``idnumbertaken``, failing its whole batch), so they get no
    new mentees."""
    return frozenset(m for g in observation.disowned if (m := folded_mentor(programme, g.idnumber)) is not None)


def folded_mentor(programme: str, idnumber: str | None) -> int | None:
    """The mentor whose circle ID number ``idnumber`` is, letter case aside (``mentor_of_idnumber`` of its
    lower-case form, against the programme's lower-cased): Moodle on MySQL, whose default collation compares
    without case, takes ``Lmsync:Mentoring-2026:mentor:70`` for ``lmsync:mentoring-2026:mentor:70`` when it checks
    that a group's ID number is free (``groups_get_group_by_idnumber``; tester round 87a, 7g)."""
    if not idnumber:
        return None
    found = mentor_of_idnumber(programme.lower(), idnumber.lower())
    return found if found is not None else mentor_of_idnumber(programme, idnumber)


def disowned_warnings(observation: Observation, proof: CircleProof | None = None, programme: str = "") -> list[str]:
    """One warning per group left alone (``disown``): its name, id and idnumber, why, and the fix. A group
    whose Moodle id ``proof`` records for another circle had its ID number changed in Moodle to this one's:
    said so, not "this store never made it" (tester round 74, 4)."""
    made = {gid: idnumber for idnumber, ids in (proof.recorded if proof else {}).items() for gid in ids}
    new = proof is None or not proof.holds_circles  # a store with no record disowns only a ghost's circle (87b, 2)
    return [_disowned(group, made.get(group.id, ""), programme, ghost=new)
            for group in sorted(observation.disowned, key=lambda g: g.id)]


def _disowned(group: ObservedGroup, was: str = "", programme: str = "", *, ghost: bool = False) -> str:
    left = ("lmsync leaves it as it is (no member changes, no rename, no welcome post, never deleted), counts it as "
            "no circle, and makes no circle for that mentor while the group holds that ID number")
    mentor = folded_mentor(programme, group.idnumber) if programme else None
    if ghost and mentor is not None and mentor_of_idnumber(programme, group.idnumber) == mentor:
        return (f"group {quoted(group.name)} (Moodle id {group.id}) carries the ID number {group.idnumber} of this "
                f"programme's circles, but Moodle has no account with id {mentor}: lmsync makes circles only for people, "
                f"so this store, which has no record of the programme's circles yet and takes over those it finds, does "
                f"not take it over: {left}; if it was made by hand, change its ID number in Moodle (Groups > Edit group "
                "settings)")
    if mentor is not None and mentor_of_idnumber(programme, group.idnumber) is None:
        return (f"group {quoted(group.name)} (Moodle id {group.id}) carries the ID number {group.idnumber}, this "
                f"programme's circle ID number {mentor_group_idnumber(programme, mentor)} in other letter cases, which "
                f"Moodle on MySQL takes for the same (it would refuse lmsync's circle, and the rest of its batch): "
                f"{left}; change its ID number in Moodle (Groups > Edit group settings)")
    if was and was != group.idnumber:
        return (f"group {quoted(group.name)} (Moodle id {group.id}) carries the ID number {group.idnumber} of this "
                f"programme's circles, but this store made it as the circle [{was}] and its ID number was changed "
                f"in Moodle to this circle's: {left}; to give that mentor a circle, change its ID number in Moodle "
                "(Groups > Edit group settings)")
    return (
        f"group {quoted(group.name)} (Moodle id {group.id}) carries the ID number {group.idnumber} of this "
        f"programme's circles, but this store never made it (it records the programme's circles by their Moodle "
        f"ids, and not this one): {left}; if it was made by hand, change its ID number in Moodle (Groups > Edit "
        "group settings); if another lmsync store made it, run with that store ([store] path)"
    )


def last_recorded(proof: CircleProof, idnumbers: Collection[str]) -> Mapping[str, int]:
    """Idnumber -> the latest Moodle id recorded for it (0: none), for circles gone from Moodle."""
    return {idnumber: max(proof.recorded.get(idnumber, frozenset({0}))) for idnumber in idnumbers}
