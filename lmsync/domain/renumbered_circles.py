"""A circle lmsync made whose ID number someone changed or cleared in Moodle gets it back (tester round 103b, 2).

lmsync knows a circle by its ID number (``lmsync:<programme>:mentor:<id>``), and a teacher may clear or
change it in Moodle's group form. Until tester round 103b, 2 such a circle counted as deleted: the next sync
made a second group for it, added the same members again and posted a second welcome (every mentee in two
groups, two notifications), said only in a warning, exit 0. "Made again" was not a tester's wish: tester
round 74, 4 asked that such a circle not be *said* deleted (nor its group "never made"), and the warning it
got kept saying the circle was made again, which was what the code then did.

The store proves more than the ID number does: it records the Moodle ids of the groups lmsync created
(``circle_proof.CircleProof.recorded``: the create's answer, or the group found again after a lost one). So a
group whose id the store records for circle X, now carrying another ID number, is lmsync's circle X: the
convergent fix writes nothing new, it puts X back on that group (``core_group_update_groups`` takes
``idnumber``, recorded for Moodle 4.5 in ``core_group_update_groups/duplicate-idnumber``; Moodle trims it and
refuses one in use, ``idnumbertaken``), and the group keeps its members and welcome. The plan shows it as an
``update_group`` with ``idnumber_was`` set, and says so in a warning (``deleted_in_moodle.remade``).

It is put back in the same way when it only changed letter case (Moodle on MySQL takes the two for one; tester
round 104a, 3c), and when the group now carries another of this programme's circle ID numbers whose own group
(the store's record) takes that one back in the same plan: a chain of put-backs, written in order (each ID
number free when it is written: Moodle refuses one another group holds, ``idnumbertaken``), which ends on a
group whose ID number is no circle's, or on a circle's that no group of the store's in the course is for: that
circle is made at the next sync, once Moodle has freed its ID number (tester round 104a, 1: it was made a second
time instead, its mentees in both groups). Every state between two of its writes is one this rule resolves again,
so a run stopped half-way needs no journal. Two circles' groups holding each other's ID numbers (a swap)
cannot be put back without a third, cleared step: they are left as they are and said
(``circle_proof.disowned_warnings``: clear one of them, and the next sync puts both back; tester round 104a, 2).

It is not put back, and today's rules apply (the circle is made again, that group left as it is, and the plan
says why), when:

- another group carries X, in any letter case (Moodle on MySQL compares without case): a teacher's group
  holding it is refused as before (``circle_proof.disown``), and no second group is made;
- the group now carries another lmsync programme's circle ID number, or one of this programme's that no chain
  above gives back to its own group (tester round 74, 4: moved onto another circle's, left alone as
  ``circle_proof.disown`` says);
- the group was taken out of lmsync's grouping while its grouping is there: the grouping link and the ID
  number are the two marks lmsync writes on its circles, and a group stripped of both was taken over. A new
  name is no such evidence (lmsync renames its circles back whenever a name changes);
- the store records the group for more than one circle whose ID number no group carries (which to put back
  is a guess).

A circle the programme no longer wants (its mentor left or is away, or has nobody to mentor) whose ID number was
changed in Moodle is put back all the same, and is then an owned circle like any other (``put_backs``): held
while its mentor is away, its members removed and re-matched when the hold ends. It was left as it was, which
kept lmsync's members in a group lmsync no longer handled: when a hold ended they were matched into other
circles and kept in that one too, and a later sync said it had removed them (tester round 104a, 1).

Pure: the observation and the store's record come in; Moodle is written only by the plan's operation.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import replace

from lmsync.domain.circle_proof import CircleProof, folded_mentor
from lmsync.domain.operations import CreateGroup, UpdateGroup, _Op
from lmsync.domain.ownership import circle_programme, mentor_of_idnumber
from lmsync.domain.sync_state import Observation, ObservedGroup
from lmsync.visible import quoted

_ON_A_CIRCLE = "it now carries a circle's ID number"


def kept_apart(group: ObservedGroup, observation: Observation, programme: str, circle: str = "") -> str:
    """Why the circle group ``group`` (one the store records, carrying another ID number now) is taken over
    and not given its ID number back, as a clause ("it was taken out of lmsync's grouping"); "" when nothing
    says so. ``programme``: this programme's name; ``circle``: the circle ID number the store records it for,
    which it may carry in other letter cases (tester round 104a, 3c) or swapped with another circle's
    (``with_idnumbers_back`` says when a chain gives that one back)."""
    if observation.grouping_id is not None and not group.in_grouping:
        return "it was taken out of lmsync's grouping"
    if circle and group.idnumber.lower() == circle.lower():
        return ""
    if folded_mentor(programme, group.idnumber) is not None:
        return _ON_A_CIRCLE
    if circle_programme(group.idnumber) is not None or circle_programme(group.idnumber.lower()) is not None:
        return "it now carries another programme's circle ID number"
    return ""


def with_idnumbers_back(observation: Observation, programme: str, proof: CircleProof) -> Observation:
    """``observation`` with each circle group the store records (``proof.recorded``: circle ID number ->
    Moodle group ids) that carries another ID number now seen carrying its circle's again, and listed in
    ``Observation.renumbered`` (group id -> the ID number Moodle shows now, "" cleared), in the order the
    plan must write them (a chain: each ID number free when written); unchanged when there is none or the
    rules in this module's docstring leave it apart. Call it on the groups as read, before
    ``circle_proof.disown``. Raises nothing."""
    if not proof.recorded:
        return observation
    by_id = {g.id: g for g in observation.groups}
    holders: dict[str, set[int]] = {}  # an ID number, lower-cased -> the groups carrying it (Moodle on MySQL)
    for g in observation.groups:
        if g.idnumber:
            holders.setdefault(g.idnumber.lower(), set()).add(g.id)
    chains = [found for idnumber in sorted(proof.recorded)
              if (found := _chain(idnumber, observation, programme, proof, by_id, holders))]
    used: dict[int, int] = {}
    for found in chains:
        for gid, _ in found:
            used[gid] = used.get(gid, 0) + 1
    back: dict[int, str] = {}  # in writing order
    for found in chains:
        if all(used[gid] == 1 for gid, _ in found):  # a group two circles could take back: a guess, left
            back.update(found)
    if not back:
        return observation
    groups = tuple(replace(g, idnumber=back[g.id]) if g.id in back else g for g in observation.groups)
    return replace(observation, groups=groups, renumbered={gid: by_id[gid].idnumber for gid in back})


def _chain(start: str, observation: Observation, programme: str, proof: CircleProof, by_id: Mapping[int, ObservedGroup],
           holders: Mapping[str, set[int]]) -> list[tuple[int, str]]:
    """The put-backs (group id, circle ID number), in writing order, that give the circle ID number ``start``,
    free, back to its group: that group, then, when it carries another circle's ID number, that circle's own
    group, and so on to a group whose ID number is no circle's (or its own in other letter cases), or to a
    circle's that no group of the store's in the course is for (made at the next sync); [] when ``start`` is
    not free or no chain ends so."""
    out: list[tuple[int, str]] = []
    idnumber, freed_by = start, 0  # the group of the chain that carries ``idnumber`` now (0: none)
    while mentor_of_idnumber(programme, idnumber) is not None and all(i != idnumber for _, i in out):
        if out and not any(gid in by_id for gid in proof.recorded.get(idnumber, ())):
            return out  # freed for a circle whose group is gone: made at the next sync (``put_backs``)
        group = next((by_id[gid] for gid in sorted(proof.recorded.get(idnumber, ())) if gid in by_id
                      and kept_apart(by_id[gid], observation, programme, idnumber) in ("", _ON_A_CIRCLE)), None)
        if group is None or group.idnumber == idnumber or holders.get(idnumber.lower(), set()) - {group.id, freed_by}:
            return []  # none to take it, it has it, or another group holds it (in any letter case)
        out.append((group.id, idnumber))
        now = group.idnumber
        if now.lower() == idnumber.lower() or mentor_of_idnumber(programme, now) is None:
            return out
        if holders.get(now.lower(), set()) != {group.id}:
            return []
        idnumber, freed_by = now, group.id
    return []


def put_backs(ops: list[_Op], owned: Mapping[str, ObservedGroup], wanted: Collection[str], observation: Observation,
              displayed: Callable[[str], str] = str) -> list[str]:
    """Complete ``ops`` (the plan's, in place) for the circles ``observation.renumbered`` puts back: an
    ``UpdateGroup`` (its name as Moodle shows it) for each of them no longer ``wanted`` (tester round 104a, 1:
    held, or whose members go, as any owned circle), ``name_was`` on each that a teacher also renamed (tester
    round 104a, 10), and every put-back in the order ``with_idnumbers_back`` found (each ID number free when
    written). ``owned``: the programme's circles by ID number (``plan.owned_groups``); ``displayed``: a name as
    Moodle shows it (``PlanSettings.displayed``, trap 39), to tell a rename from the same name read back.
    A circle whose ID number a put-back frees (its group is gone, and a group of the store's was moved onto it)
    is not made in the same plan (Moodle makes groups before it updates them, and would refuse it): its
    operations wait for the next sync, and the warning returned says so; [] when there is none."""
    if not observation.renumbered:
        return []
    carried = {g.idnumber for g in observation.groups}
    freed = {was for was in observation.renumbered.values() if was and was not in carried
             and mentor_of_idnumber(circle_programme(was) or "", was) is not None}
    waiting = [op for op in ops if getattr(op, "group", None) in freed or (isinstance(op, CreateGroup) and op.idnumber in freed)]
    ops[:] = [op for op in ops if op not in waiting]
    read = {g.id: g for g in observation.groups}
    for idnumber, group in sorted(owned.items()):
        if idnumber not in wanted and group.id in observation.renumbered:
            ops.append(UpdateGroup(idnumber=idnumber, name=group.name, idnumber_was=observation.renumbered[group.id]))
    order = {read[gid].idnumber: n for n, gid in enumerate(observation.renumbered) if gid in read}
    slots = [n for n, op in enumerate(ops) if isinstance(op, UpdateGroup) and op.idnumber_was is not None]
    back = sorted((op for n in slots if isinstance(op := ops[n], UpdateGroup)), key=lambda op: order.get(op.idnumber, len(order)))
    for n, op in zip(slots, back, strict=True):
        shown = owned[op.idnumber].name if op.idnumber in owned else op.name
        ops[n] = op.model_copy(update={"name_was": shown}) if shown not in (op.name, displayed(op.name)) and op.name_was is None else op
    return [f"circle [{idnumber}]: its ID number is free once the group of the store's carrying it gets its own back "
            "in this sync; the circle is made at the next sync (Moodle would refuse it before)"
            for idnumber in sorted(freed) if any(isinstance(op, CreateGroup) and op.idnumber == idnumber for op in waiting)]


def put_back_warnings(ops: Iterable[object], observation: Observation | None) -> list[str]:
    """One warning for the circles whose ID number the plan puts back on the group lmsync made for them
    (``UpdateGroup.idnumber_was`` set; ``observation``: where their Moodle ids are)."""
    back = [op for op in ops if isinstance(op, UpdateGroup) and op.idnumber_was is not None]
    if not back:
        return []
    ids: Mapping[str, int] = {}
    if observation is not None:
        ids = {g.idnumber: g.id for g in observation.groups if g.id in observation.renumbered}
    first, more = back[0], len(back) - 1
    was = first.idnumber_was or ""
    changed = f"changed in Moodle to {quoted(was)}" if was else "cleared in Moodle"
    where = f" (Moodle id {ids[first.idnumber]})" if first.idnumber in ids else ""
    take = ("to take a group out of the programme, take it out of lmsync's grouping in Moodle (Groups > Groupings) "
            "and change its ID number: the circle is then made again and that group left as it is")
    if not more:
        return [f"circle {quoted(first.name)} [{first.idnumber}]: the group lmsync made for it{where} is still in the "
                f"course, but its ID number was {changed}; lmsync's store proves it made that group, so its ID number "
                f"is put back and it keeps its members and welcome (nothing is made again); {take}"]
    return [f"{len(back)} circles lmsync made are still in the course with their ID number changed in Moodle (the "
            f"first: {quoted(first.name)} [{first.idnumber}]{where}, ID number {changed}); lmsync's store proves it "
            "made those groups, so their ID numbers are put back and they keep their members and welcomes (nothing "
            f"is made again); {take}"]
