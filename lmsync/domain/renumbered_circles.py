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

It is not put back, and today's rules apply (the circle is made again, that group left as it is, and the plan
says why), when:

- another group carries X, in any letter case (Moodle on MySQL compares without case): a teacher's group
  holding it is refused as before (``circle_proof.disown``), and no second group is made;
- the group now carries a circle ID number, of this programme (tester round 74, 4: moved onto another
  circle's, left alone as ``circle_proof.disown`` says) or of another lmsync programme;
- the group was taken out of lmsync's grouping while its grouping is there: the grouping link and the ID
  number are the two marks lmsync writes on its circles, and a group stripped of both was taken over. A new
  name is no such evidence (lmsync renames its circles back whenever a name changes);
- the store records the group for more than one circle whose ID number no group carries (which to put back
  is a guess).

A circle the programme no longer wants (its mentor left, or has nobody to mentor) whose ID number was changed
in Moodle is left as it is, nothing put back and none of its members removed (``plan.plan_sync``): the
change is then read as a teacher keeping that group, as before this rule, and no duplicate is at stake.

Pure: the observation and the store's record come in; Moodle is written only by the plan's operation.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace

from lmsync.domain.circle_proof import CircleProof, folded_mentor
from lmsync.domain.operations import UpdateGroup
from lmsync.domain.ownership import circle_programme, mentor_of_idnumber
from lmsync.domain.sync_state import Observation, ObservedGroup
from lmsync.visible import quoted


def kept_apart(group: ObservedGroup, observation: Observation, programme: str) -> str:
    """Why the circle group ``group`` (one the store records, carrying another ID number now) is taken over
    and not given its ID number back, as a clause ("it was taken out of lmsync's grouping"); "" when nothing
    says so. ``programme``: this programme's name."""
    if folded_mentor(programme, group.idnumber) is not None:
        return "it now carries a circle's ID number"
    if circle_programme(group.idnumber) is not None or circle_programme(group.idnumber.lower()) is not None:
        return "it now carries another programme's circle ID number"
    if observation.grouping_id is not None and not group.in_grouping:
        return "it was taken out of lmsync's grouping"
    return ""


def with_idnumbers_back(observation: Observation, programme: str, proof: CircleProof) -> Observation:
    """``observation`` with each circle group the store records (``proof.recorded``: circle ID number ->
    Moodle group ids) that carries another ID number now seen carrying its circle's again, and listed in
    ``Observation.renumbered`` (group id -> the ID number Moodle shows now, "" cleared) for the plan to put it
    back; unchanged when there is none or the rules in this module's docstring leave it apart. Call it on
    the groups as read, before ``circle_proof.disown``. Raises nothing."""
    if not proof.recorded:
        return observation
    by_id = {g.id: g for g in observation.groups}
    carried = {g.idnumber for g in observation.groups} | {g.idnumber.lower() for g in observation.groups}
    wanted: dict[int, list[str]] = {}  # group id -> the free circle ID numbers the store records it for
    for idnumber, ids in sorted(proof.recorded.items()):
        if mentor_of_idnumber(programme, idnumber) is None or idnumber in carried or idnumber.lower() in carried:
            continue
        for gid in sorted(ids):
            group = by_id.get(gid)
            if group is not None and not kept_apart(group, observation, programme):
                wanted.setdefault(gid, []).append(idnumber)
                break  # the oldest such copy is the circle, as with duplicates
    back = {gid: found[0] for gid, found in wanted.items() if len(found) == 1}
    if not back:
        return observation
    groups = tuple(replace(g, idnumber=back[g.id]) if g.id in back else g for g in observation.groups)
    return replace(observation, groups=groups, renumbered={gid: by_id[gid].idnumber for gid in sorted(back)})


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
