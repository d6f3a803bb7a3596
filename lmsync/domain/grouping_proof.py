"""Whether a grouping carrying lmsync's grouping ID number is lmsync's own (tester round 117b, 1).

An ID number is typed in Moodle's grouping form by anyone who manages groups. Until tester round 117b, 1 a
teacher's grouping ("Tutorial sets (Dr Ward)") given ``lmsync:<programme>`` after lmsync's own was deleted was
taken for lmsync's: the next sync renamed it and put every circle in it, beside the teacher's own group, and
doctor said ok. The store proves more than the ID number does (``CircleProof``): the Moodle ids its
``create_grouping`` writes were answered with, and the ids of groupings it adopted (``created_objects`` rows of
kind ``grouping``, written by the sync: ``circle_records.record_circles``). A grouping carrying the ID number is
lmsync's when

- its id is one of those; or
- a ``create_grouping`` of this store's lost its answer (it may have committed: lmsync's, as a lost circle create
  is; a settled one, ``reobserved``, only while the store knows no grouping id, as stores of earlier releases
  recorded none); or
- it holds at least one group and only this programme's circles the store proves it made (``CircleProof.proves``):
  a store that took over a programme (``--store-takes-over``), or one of a release that kept no grouping ids.

Any other is left as it is (``Observation.grouping_held``): no rename, no circle put in it, none made beside it
(Moodle refuses a second grouping of one ID number), and the plan says to change its ID number in Moodle.

Pure: the store's record comes in as a ``CircleProof``; ``None`` (a read with no store) proves any.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from lmsync.domain.circle_proof import CircleProof
from lmsync.domain.operations import AssignGrouping, UnassignGrouping, _Op
from lmsync.domain.ownership import mentor_of_idnumber
from lmsync.domain.sync_state import Observation
from lmsync.visible import quoted


def proves_grouping(proof: CircleProof | None, programme: str, grouping_id: int,
                    groups: Iterable[tuple[int, str]]) -> bool:
    """Whether the grouping ``grouping_id`` (Moodle id) that carries ``programme``'s grouping ID number is lmsync's
    (the rules in the module docstring). ``groups``: ``(Moodle id, ID number as read, "" none)`` of the groups it
    holds in the course. ``proof`` None: proved (a read with no store, as before). Raises nothing."""
    if proof is None or grouping_id in proof.groupings or proof.groupings_unsettled:
        return True
    held = list(groups)
    return bool(held) and all(mentor_of_idnumber(programme, idnumber) is not None and proof.proves(idnumber, [gid])
                              for gid, idnumber in held)


HELD_GROUPING_FIX = ("change that grouping's ID number in Moodle (Participants > Groups > Groupings, edit the grouping), "
                     "or point [store] path at the store that made it; the next sync then makes lmsync's grouping and "
                     "puts the circles in it")


def held_grouping_refusal(held: Sequence[tuple[int, str]], grouping: str,
                          own: tuple[int, str, str] | None = None) -> tuple[str, str]:
    """(what, fix): what `lmsync sync`'s error, `lmsync run`'s sync line and `lmsync doctor`'s ``grouping`` line say
    of the groupings ``held`` (``(Moodle id, name as read)``, ``Observation.grouping_held``) carrying lmsync's
    grouping ID number ``grouping`` that the store cannot prove are its own, each named, and how to fix it;
    ``("", "")`` when none. ``own``: lmsync's own grouping the store proves it made, its ID number changed in Moodle
    (``Observation.own_grouping_held``: Moodle id, name, ID number now): named, with its ID number put back by the
    next sync once the other's is changed, instead of "the circles are in no grouping". Source: tester round 118a,
    3 (the sync said "in sync", exit 0, and doctor "no problems", while the circles were in no grouping) and 2.
    Raises nothing."""
    if not held:
        return "", ""
    named = ", ".join(f"{quoted(name)} (Moodle id {gid})" for gid, name in held)
    what = f"grouping {named} carries lmsync's grouping ID number {grouping} and this store cannot prove lmsync made it"
    if own is None:
        return f"{what}: lmsync leaves it as it is, and the programme's circles are in no grouping", HELD_GROUPING_FIX
    return (f"{what}, while lmsync's own grouping {_own(own)}: lmsync leaves both as they are meanwhile (no circle put "
            "in or taken out of either)",
            f"change the other grouping's ID number in Moodle (Participants > Groups > Groupings, edit the grouping); "
            f"the next sync then puts {grouping} back on lmsync's grouping (Moodle id {own[0]}), which keeps its circles")


def _own(own: tuple[int, str, str]) -> str:
    """lmsync's own grouping (Moodle id, name, ID number now) and what happened to its ID number."""
    gid, name, now = own
    changed = f"changed in Moodle to {quoted(now)}" if now else "cleared in Moodle"
    return f"{quoted(name)} (Moodle id {gid}), which this store proves it made, is still in the course with its ID number {changed}"


def held_grouping_warning(observation: Observation, grouping: str) -> list[str]:
    """The plan's warning for the groupings carrying lmsync's grouping ID number ``grouping`` (``lmsync:<programme>``)
    that the store cannot prove are its own
    (``Observation.grouping_held``, ``(Moodle id, name as read)``: grouping names come back raw, trap 39), [] when
    none; with lmsync's own grouping whose ID number was changed (``Observation.own_grouping_held``) named, and
    what the next sync does once the other's is changed (tester round 118a, 2: it said "lmsync did not make" it
    and named a "(2)" grouping that was never made). Raises nothing."""
    if observation.grouping_id is not None or not observation.grouping_held:
        return []
    named = ", ".join(f"{quoted(name)} (Moodle id {gid})" for gid, name in observation.grouping_held)
    said = (f"grouping {named} carries lmsync's grouping ID number {grouping}, but this store "
            "cannot prove lmsync made it: it is left as it is (not renamed, no circle put in it)")
    if (own := observation.own_grouping_held) is not None:
        return [f"{said}; lmsync's own grouping {_own(own)}: it keeps the circles it holds, but cannot get its ID "
                "number back while the other grouping carries it, and no circle is put in or taken out of it "
                f"meanwhile; change the other grouping's ID number in Moodle, and the next sync puts {grouping} back "
                f"on grouping {own[0]} (no grouping is made)"]
    return [f"{said}, and lmsync's circles are in no grouping meanwhile; change that grouping's ID number in Moodle (or "
            "run with the store that made it), and the next sync makes lmsync's grouping again"]


def without_held_grouping(observation: Observation, ops: list[_Op]) -> list[_Op]:
    """``ops`` without the links to lmsync's grouping while a grouping it cannot prove is its own holds its ID
    number (``Observation.grouping_held``: there is no grouping of lmsync's to link to). Raises nothing."""
    if observation.grouping_id is not None or not observation.grouping_held:
        return ops
    return [op for op in ops if not isinstance(op, (AssignGrouping, UnassignGrouping))]
