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

from lmsync.domain.operations import Plan
from lmsync.domain.ownership import mentor_group_idnumber, mentor_of_idnumber
from lmsync.domain.seen_names import quoted_seen
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
    no id of theirs is recorded. ``groupings``: Moodle ids of the groupings lmsync created (the answers of its
    ``create_grouping`` writes in the journal) and of those a sync adopted (``created_objects``), its grouping's
    proof (``renumbered_grouping``; tester round 105a, 4; ``grouping_proof``: tester round 117b, 1).
    ``groupings_unsettled``: a ``create_grouping`` whose answer was lost (or, while no grouping id is known, one
    re-observed): a grouping carrying lmsync's ID number may be that create's (``grouping_proof``).
    """

    recorded: Mapping[str, frozenset[int]] = field(default_factory=dict)
    unsettled: frozenset[str] = frozenset()
    vouched: frozenset[str] = frozenset()
    groupings: frozenset[int] = frozenset()
    groupings_unsettled: bool = False

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
    out: list[str] = []
    for group in sorted(observation.disowned, key=lambda g: g.id):
        was = made.get(group.id, "")
        said = None if proof is None or new or was == group.idnumber else (
            _made_as_another(group, was, observation, proof) if was else _its_own_group(group, observation, proof))
        said = _disowned(group, was, programme, ghost=new, enrolled=observation.active_user_ids) if said is None else said
        out.extend([said] if said else [])  # "": said with the other group of a swap
    return out


def said_disowned(plan: Plan, observation: Observation, proof: CircleProof | None, programme: str) -> None:
    """Adds to ``plan`` the warnings of the groups left alone (:func:`disowned_warnings`) and, when every one of
    them is a circle this store made carrying another circle's ID number (:func:`renumbered_refusal`), the
    refusal's words in ``plan.signals`` (``own_renumbered``, ``own_renumbered_fix``) for `lmsync sync` and
    `lmsync run` to say instead of "this store does not record them" (tester round 107a, 7)."""
    plan.warnings.extend(disowned_warnings(observation, proof, programme))
    plan.signals.own_renumbered, plan.signals.own_renumbered_fix = renumbered_refusal(observation, proof)


DISOWNED_FIX = ("`lmsync plan` names the groups and who waits on them; change or clear their ID number in Moodle "
                "(Participants > Groups > Edit group settings), or point [store] path at the store that made them")


def disowned_said(count: int) -> str:
    """What `lmsync sync`'s error and `lmsync doctor`'s ``circles`` line say of ``count`` groups left alone
    (``Observation.disowned``) that are not all circles this store made under another's number (those say
    :func:`renumbered_refusal`); the fix is ``DISOWNED_FIX``. Source: tester rounds 75, 6 and 104a, 3b (the
    sync's words); 118a, 3 (doctor said nothing of them). Raises nothing."""
    return f"{count} group(s) carry a circle's ID number this store does not record for them"


def renumbered_refusal(observation: Observation, proof: CircleProof | None) -> tuple[str, str]:
    """(what, fix): the refusal's words when every group left alone (``Observation.disowned``) is one ``proof``
    records as a circle this store made, now carrying another circle's ID number (swapped or moved round in
    Moodle); ``("", "")`` when none is left alone or any is not such a group. ``what`` names each group by name
    and Moodle id, the ID number it carries and the one it was made as; ``fix`` how to set them back, with
    clearing one of each swap when they only carry one another's (the next sync puts the rest back,
    ``renumbered_circles``). Source: tester round 107a, 7 (`lmsync sync` said they carried an ID number "this
    store does not record for them" and to "point [store] path at the store that made them", while the plan
    said both were circles this store made, swapped)."""
    made = {gid: idnumber for idnumber, ids in (proof.recorded if proof else {}).items() for gid in ids}
    groups = sorted(observation.disowned, key=lambda g: g.id)
    if not groups or proof is None or not proof.holds_circles or any(
            made.get(g.id, g.idnumber) == g.idnumber for g in groups):
        return "", ""
    swapped = sorted(made[g.id] for g in groups) == sorted(g.idnumber for g in groups)  # one another's numbers
    each = "; ".join(f"group {quoted_seen(g.name)} (Moodle id {g.id}) carries {g.idnumber}, made as {made[g.id]}"
                     for g in groups)
    what = (f"{len(groups)} circles this store made carry one another's ID numbers, swapped in Moodle: {each}"
            if swapped else f"{len(groups)} circle(s) this store made carry another circle's ID number, changed in "
            f"Moodle: {each}")
    back = ", ".join(f"{g.id}'s to {made[g.id]}" for g in groups)
    each_swap = " (one of each swap)" if len(groups) > 2 else ""
    clear = (f"; or clear the ID number of one of them{each_swap}: the next sync puts them back, keeping their "
             "members and welcomes" if swapped else "")
    fix = (f"set their ID numbers back in Moodle (Participants > Groups > Edit group settings): {back}, clearing one "
           f"first (Moodle refuses an ID number another group holds){clear}; lmsync leaves them as they are meanwhile")
    return what, fix


def made_as_another(observation: Observation, proof: CircleProof | None, programme: str) -> frozenset[int]:
    """The mentors (Moodle ids) whose circle ID number a group left alone (``Observation.disowned``) carries that
    ``proof`` records as another circle this store made: swapped or moved round in Moodle, the case
    :func:`renumbered_refusal` and the plan's warning about that group (:func:`disowned_warnings`) explain. Their
    mentees wait all the same (``disowned_mentors``), but ``circle_waits.blocked_warnings`` says nothing more of
    them: its words are a group lmsync cannot take, a teacher's (tester round 108a, 2: a swapped circle got both).
    Empty without a proof or for a store with no record of the programme's circles."""
    if proof is None or not proof.holds_circles:
        return frozenset()
    made = {gid: idnumber for idnumber, ids in proof.recorded.items() for gid in ids}
    return frozenset(mentor for g in observation.disowned if made.get(g.id, g.idnumber) != g.idnumber
                     and (mentor := folded_mentor(programme, g.idnumber)) is not None)


def _as_read(observation: Observation) -> dict[int, ObservedGroup]:
    """The course's groups by Moodle id, each with the ID number Moodle shows (not as put back or disowned)."""
    read = {g.id: replace(g, idnumber=observation.renumbered.get(g.id, g.idnumber)) for g in observation.groups}
    return read | {g.id: g for g in observation.disowned}


def _state(group: ObservedGroup) -> str:
    return f"its ID number {quoted(group.idnumber)}" if group.idnumber else "its ID number cleared"


def _made_as_another(group: ObservedGroup, was: str, observation: Observation, proof: CircleProof) -> str:
    """The warning of a group this store made as the circle ``was`` that carries another circle's ID number now:
    which group the store made for that one, and the fix that makes no second circle (tester round 104a, 2: the
    advice "change its ID number" made a second circle with the same mentees, and a swap was not named).
    "" for the second group of a swap (said with the first)."""
    read = _as_read(observation)
    now = group.idnumber
    other = next((read[gid] for gid in sorted(proof.recorded.get(now, ())) if gid in read and gid != group.id), None)
    left = ("lmsync leaves it as it is (no member changes, no rename, no welcome post, never deleted) and makes no "
            "circle for either mentor while it holds that ID number")
    this = f"group {quoted_seen(group.name)} (Moodle id {group.id})"
    if other is not None and other.idnumber == was:
        if other.id < group.id:
            return ""
        return (f"{this} and group {quoted_seen(other.name)} (Moodle id {other.id}) are both circles this store made, as "
                f"[{was}] and [{now}], but their ID numbers were swapped in Moodle: {group.id} carries {now} and "
                f"{other.id} carries {was}; lmsync leaves both as they are (no member changes, no rename, no welcome "
                f"post, never deleted) and makes no circle for either mentor meanwhile. To fix it, clear the ID "
                f"number of one of them in Moodle (Groups > Edit group settings): the next sync puts both back "
                f"({group.id}'s to {was}, {other.id}'s to {now}), keeping their members and welcomes; or set "
                f"{group.id}'s ID number to {was} and {other.id}'s to {now} yourself, clearing one first (Moodle "
                "refuses an ID number another group holds)")
    then = (f"lmsync then puts [{now}] back on group {quoted_seen(other.name)} (Moodle id {other.id}), the one this store "
            f"made for that circle ({_state(other)} now)" if other is not None else
            f"the circle [{now}] is then made again if it is still needed (the group this store made for it is no "
            "longer in the course)")
    return (f"{this} carries the ID number {now}, another circle's, but this store made it as the circle [{was}] "
            f"and its ID number was changed in Moodle: {left}; to fix it, set its ID number back to {was} in Moodle "
            f"(Groups > Edit group settings): it keeps its members and welcome, and {then}")


def _its_own_group(group: ObservedGroup, observation: Observation, proof: CircleProof) -> str | None:
    """The warning of a group this store never made that carries a circle's ID number (in any letter case) while
    the group the store made for that circle is still in the course with another ID number (tester round 104a,
    3a: the plan said that group was no longer in the course and the circle would be made again); None when
    that group is gone."""
    circle = next((i for i in proof.recorded if i.lower() == group.idnumber.lower()), "")
    read = _as_read(observation)
    own = next((read[gid] for gid in sorted(proof.recorded.get(circle, ())) if gid in read and gid != group.id), None)
    if own is None:
        return None
    grouping = observation.grouping_id is not None and not own.in_grouping
    then = ("the circle is then made again, that group left as it is (put it back in lmsync's grouping first to "
            "keep it as the circle)" if grouping else
            f"the next sync puts [{circle}] back on group {own.id}, which keeps its members and welcome (nothing is "
            "made again)")
    return (f"group {quoted_seen(group.name)} (Moodle id {group.id}) carries the ID number {group.idnumber}, of this "
            f"programme's circle [{circle}], but this store never made it; the group this store made for that "
            f"circle, {quoted_seen(own.name)} (Moodle id {own.id}), is still in the course with {_state(own)}: lmsync "
            "leaves the first as it is (no member changes, no rename, no welcome post, never deleted) and gives "
            f"that mentor no new mentees while it holds that ID number; change its ID number in Moodle (Groups > "
            f"Edit group settings), and {then}")


def _disowned(group: ObservedGroup, was: str = "", programme: str = "", *, ghost: bool = False,
              enrolled: Collection[int] = ()) -> str:
    left = ("lmsync leaves it as it is (no member changes, no rename, no welcome post, never deleted), counts it as "
            "no circle, and makes no circle for that mentor while the group holds that ID number")
    mentor = folded_mentor(programme, group.idnumber) if programme else None
    if ghost and mentor is not None and mentor in enrolled and mentor_of_idnumber(programme, group.idnumber) == mentor:
        # a teacher's group numbered for a student, adopted and then offered for deletion (tester round 132a, 5)
        return (f"group {quoted_seen(group.name)} (Moodle id {group.id}) carries the ID number {group.idnumber} of this "
                f"programme's circles, but user {mentor} is enrolled in no [programme] mentor_roles role and is not in "
                "the peer-mentor cohort: this store, which has no record of the programme's circles yet and takes over "
                f"only those of mentors, does not take it over: {left}; if it was made by hand, "
                "change its ID number in Moodle (Groups > Edit group settings)")
    if ghost and mentor is not None and mentor_of_idnumber(programme, group.idnumber) == mentor:
        return (f"group {quoted_seen(group.name)} (Moodle id {group.id}) carries the ID number {group.idnumber} of this "
                f"programme's circles, but Moodle has no account with id {mentor}: lmsync makes circles only for people, "
                f"so this store, which has no record of the programme's circles yet and takes over those it finds, does "
                f"not take it over: {left}; if it was made by hand, change its ID number in Moodle (Groups > Edit group "
                "settings)")
    if mentor is not None and mentor_of_idnumber(programme, group.idnumber) is None:
        return (f"group {quoted_seen(group.name)} (Moodle id {group.id}) carries the ID number {group.idnumber}, this "
                f"programme's circle ID number {mentor_group_idnumber(programme, mentor)} in other letter cases, which "
                f"Moodle on MySQL takes for the same (it would refuse lmsync's circle, and the rest of its batch): "
                f"{left}; change its ID number in Moodle (Groups > Edit group settings)")
    if was and was != group.idnumber:
        return (f"group {quoted_seen(group.name)} (Moodle id {group.id}) carries the ID number {group.idnumber} of this "
                f"programme's circles, but this store made it as the circle [{was}] and its ID number was changed "
                f"in Moodle to this circle's: {left}; to give that mentor a circle, change its ID number in Moodle "
                "(Groups > Edit group settings)")
    return (
        f"group {quoted_seen(group.name)} (Moodle id {group.id}) carries the ID number {group.idnumber} of this "
        f"programme's circles, but this store never made it (it records the programme's circles by their Moodle "
        f"ids, and not this one): {left}; if it was made by hand, change its ID number in Moodle (Groups > Edit "
        "group settings); if another lmsync store made it, run with that store ([store] path)"
    )


def last_recorded(proof: CircleProof, idnumbers: Collection[str]) -> Mapping[str, int]:
    """Idnumber -> the latest Moodle id recorded for it (0: none), for circles gone from Moodle."""
    return {idnumber: max(proof.recorded.get(idnumber, frozenset({0}))) for idnumber in idnumbers}
