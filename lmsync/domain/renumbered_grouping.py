"""lmsync's grouping whose ID number someone changed or cleared in Moodle gets it back (tester round 105a, 4).

lmsync knows its grouping by its ID number (``lmsync:<programme>``). Until tester round 105a, 4 a teacher who
changed it (to ``mentoring-groups``, say) made the next sync create a second grouping, named "... (2)" because
the first still held the name, with a warning that the first was one "lmsync did not make", and link every
circle into both.

The store proves more than the ID number does: the journal keeps the answer of each ``create_grouping`` lmsync
sent, with the Moodle id Moodle gave it (``CircleProof.groupings``, read by
``service.circle_records.circle_proof``). So while no grouping in the course carries lmsync's ID number (in any
letter case: Moodle on MySQL compares without case), the oldest grouping of those ids still in the course is
lmsync's grouping, read as such (``service.observe``; ``Observation.grouping_idnumber_was``: the ID number it
carries now, "" cleared), unless it now carries another lmsync programme's grouping ID number (that programme's
to keep). The plan puts lmsync's ID number back on it with an ``update_grouping`` carrying ``idnumber_was``
(``core_group_update_groupings`` takes ``idnumber``, recorded for Moodle 4.5 in
``core_group_update_groupings/ok``), shown before it is applied, and said in a warning; its name, description and
circles stay. A grouping the store cannot prove it made (a store that took over the programme, or a create whose
answer was lost) is left as it is, and the warning of the grouping name it holds says how to give it back.

Pure: the observation comes in; Moodle is written only by the plan's operation.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable

from lmsync.domain.grouping_proof import held_grouping_warning
from lmsync.domain.operations import CreateGrouping, UpdateGrouping, _Op
from lmsync.domain.ownership import grouping_idnumber
from lmsync.domain.sync_state import Observation
from lmsync.visible import quoted


def grouping_ops(observation: Observation, grouping: str, name: str, warnings: list[str]) -> list[_Op]:
    """The plan's operation on lmsync's grouping: a ``CreateGrouping`` when there is none, an ``UpdateGrouping``
    when its name is not ``name`` (``name_was``: the name it has now; names come back raw, trap 39, so compared
    as stored) or its ID number is not ``grouping`` (``idnumber_was``), [] when it matches, and [] while a grouping
    the store cannot prove is lmsync's holds its ID number (``grouping_proof``; tester round 117b, 1). ``grouping``:
    lmsync's grouping ID number (``ownership.grouping_idnumber``); ``name``: its name (``circle_names.grouping_name``).
    Appends the warning of a put-back, or of a grouping held, to ``warnings``. Raises nothing."""
    if observation.grouping_id is None and observation.grouping_held:  # not lmsync's: left as it is (117b, 1)
        warnings.extend(held_grouping_warning(observation, grouping))
        return []
    if observation.grouping_id is None:
        return [CreateGrouping(idnumber=grouping, name=name, description="Managed by lmsync")]
    was = observation.grouping_idnumber_was
    now = observation.grouping_name
    renamed = now is not None and now.strip() != name
    if was is None and not renamed:
        return []
    if was is not None:
        changed = f"changed in Moodle to {quoted(was)}" if was else "cleared in Moodle"
        warnings.append(
            f"lmsync's grouping {quoted(now or name)} (Moodle id {observation.grouping_id}) is still in the course, but "
            f"its ID number was {changed}; lmsync's store proves it made that grouping, so its ID number {grouping} is "
            "put back and it keeps its circles (no second grouping is made)")
    return [UpdateGrouping(idnumber=grouping, name=name, description=observation.grouping_description,
                           idnumber_was=was, name_was=now if renamed else None)]


def grouping_back(groupings: Iterable[tuple[int, str]], programme: str, made: Collection[int]) -> tuple[int, str] | None:
    """``(Moodle id, ID number it carries now)`` of the grouping to read as lmsync's and give its ID number back:
    the oldest of ``made`` (``CircleProof.groupings``) among the course's ``groupings`` (Moodle id, ID number as
    read, "" none), while none carries ``grouping_idnumber(programme)`` in any letter case and it carries no other
    lmsync programme's grouping ID number; None otherwise. Raises nothing."""
    groupings = list(groupings)
    ours = grouping_idnumber(programme)
    if not made or any(idnumber.lower() == ours.lower() for _, idnumber in groupings):
        return None
    found = own_renumbered(((gid, "", idnumber) for gid, idnumber in groupings), made)
    return None if found is None else (found[0], found[2])


def own_renumbered(groupings: Iterable[tuple[int, str, str]], made: Collection[int]) -> tuple[int, str, str] | None:
    """``(Moodle id, name, ID number)`` of the oldest of ``made`` (``CircleProof.groupings``) among the course's
    ``groupings`` (Moodle id, name as read, ID number as read, "" none) that carries no lmsync programme's grouping
    ID number: lmsync's grouping whose ID number was changed or cleared in Moodle, whether or not another grouping
    carries lmsync's now (then ``Observation.own_grouping_held``: tester round 118a, 2); None when there is none.
    Raises nothing."""
    return next(((gid, name, idnumber) for gid, name, idnumber in sorted(groupings) if gid in made
                 and not idnumber.lower().startswith("lmsync:")), None)
