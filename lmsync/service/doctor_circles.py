"""``lmsync doctor``'s check of the store's record of the programme's circles (tester round 89b, 1).

A store with no record of the circles (a mistyped ``[store] path``, a new PostgreSQL database) over a course that
holds circles an earlier lmsync made is refused by ``sync``, ``run`` and ``apply`` until ``--store-takes-over``
says it replaces a lost store (``circle_records.refuse_take_over``). ``doctor`` said ``[ok] store: ... (made by the
first run)`` and nothing of the circles; it now warns. Read-only: the store is opened read-only, never made.

It reads the store the commands open (``stores.store_target``: a ``sqlite:///`` ``[store] url``'s file included),
and a store it cannot read is said to be unchecked, never to hold no record: with a ``[store] url`` it read another
file, or none, and advised ``--store-takes-over`` over a store that recorded every circle (tester round 95b, 1).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from lmsync.config import Config
from lmsync.domain.circle_proof import CircleProof, folded_mentor
from lmsync.domain.ownership import mentor_of_idnumber
from lmsync.errors import LmsyncError
from lmsync.moodle.api import MoodleApi
from lmsync.moodle.errors import MoodleError
from lmsync.service.circle_records import take_over_words
from lmsync.service.stores import open_store, shown_store, store_target
from lmsync.store.db import is_postgres
from lmsync.store.journal import Journal
from lmsync.visible import quoted


def circle_record_check(api: MoodleApi, config: Config, course_id: int, report: Any) -> None:
    """Warn (``circles``) when the course holds circles of the programme and the store has no record of any: the
    next ``sync`` or ``run`` stops with exit 2. A store that cannot be read is ``skip``, not checked (the store check
    says why). With a record, ``fail`` for groups carrying a circle's ID number the store does not record for them
    (``_disowned_check``; tester round 118a, 3). Says nothing when the groups cannot be read (the capability checks
    say why), when the course holds no circle, or when the store holds a record of them all."""
    try:
        groups = api.get_course_groups(course_id)
    except MoodleError:
        return
    circles = sum(1 for g in groups if mentor_of_idnumber(config.programme.name, g.idnumber or "") is not None)
    if not any(folded_mentor(config.programme.name, g.idnumber) is not None for g in groups):
        return
    proof = _store_proof(config)
    if proof is None:
        if not circles:
            return
        report.add("circles", "skip", f"not checked: the course holds {circles} circle(s) an earlier lmsync made, and "
                   "the store could not be read to see whether it records them (the store check says why)")
        return
    if proof.holds_circles:
        _disowned_check(groups, config, course_id, proof, report)
        return
    if not circles:
        return
    report.add("circles", "warn",
               f"{take_over_words(circles, shown_store(config))}: `lmsync sync` and `lmsync run` refuse to take them over "
               "(exit 2)",
               "point [store] path (or [store] url) at the programme's store (a mistyped path?); only if this store "
               "replaces a lost one, run `lmsync sync --store-takes-over` once")


def grouping_check(api: MoodleApi, config: Config, course_id: int, report: Any) -> None:
    """The course's groupings can be read, as every sync reads them to find the programme's grouping (tester round
    106b, 2: doctor read none and said "no problems" while ``core_group_get_course_groupings`` answered a maintenance
    page and ``lmsync sync`` failed). ``grouping`` lines: ``fail`` for a read that failed (not for a refusal: the
    capability probes name it); ``ok`` naming the programme's grouping, or saying the first sync makes it; ``fail``
    for a grouping carrying its ID number that the store cannot prove is lmsync's, which the sync leaves as it is
    (``grouping_proof``; tester round 117b, 1: doctor said ok for a teacher's grouping the sync then took over),
    in the words of the sync's error (exit 2; tester round 118a, 3: doctor only warned, "no problems"); ``warn``
    for the programme's grouping whose ID number was changed in Moodle, which the next sync puts back
    (``renumbered_grouping``; tester round 118a, 4: doctor said "none the programme's yet")."""
    from lmsync.domain.grouping_proof import held_grouping_refusal
    from lmsync.domain.ownership import grouping_idnumber
    from lmsync.domain.renumbered_grouping import grouping_back, own_renumbered
    from lmsync.service.doctor_reads import checked_read

    groupings = checked_read(lambda: api.get_course_groupings(course_id), report, "grouping", "the course's groupings")
    if groupings is None:
        return
    idnumber = grouping_idnumber(config.programme.name)
    owned = sorted((g for g in groupings if g.idnumber == idnumber), key=lambda g: g.id)
    proof = _store_proof(config) if groupings else None
    held = _not_proven(api, config, course_id, [g.id for g in owned], proof, report)
    owned = [g for g in owned if g.id not in held]
    made = proof.groupings if proof is not None else frozenset()
    if owned:
        report.add("grouping", "ok", f"{quoted(owned[0].name)} (grouping {owned[0].id}) holds the programme's circles")
    elif held:  # as `lmsync sync` fails (exit 2): tester round 118a, 3
        own = own_renumbered(((g.id, g.name, g.idnumber or "") for g in groupings), made)  # 118a, 2
        what, fix = held_grouping_refusal([(g.id, g.name) for g in groupings if g.id in held], idnumber, own)
        report.add("grouping", "fail", f"{what}; `lmsync sync` and `lmsync run` exit 2", fix)
    elif (back := grouping_back(((g.id, g.idnumber or "") for g in groupings), config.programme.name, made)) is not None:
        (ours,) = [g for g in groupings if g.id == back[0]]  # its ID number changed in Moodle: tester round 118a, 4
        changed = f"changed in Moodle to {quoted(back[1])}" if back[1] else "cleared in Moodle"
        report.add("grouping", "warn", f"{quoted(ours.name)} (grouping {ours.id}) is the programme's grouping (the store "
                   f"proves lmsync made it), but its ID number was {changed}: the next sync puts {idnumber} back on "
                   "it, and it keeps its circles", "nothing to do by hand: `lmsync sync` or the next `lmsync run` puts "
                   "it back")
    else:
        report.add("grouping", "ok", f"{len(groupings)} grouping(s) in the course, none the programme's yet (the first "
                   "sync makes it)")


def _not_proven(api: MoodleApi, config: Config, course_id: int, ids: list[int], proof: CircleProof | None,
                report: Any) -> set[int]:
    """Of the groupings ``ids`` carrying the programme's grouping ID number, those the store cannot prove are
    lmsync's (``grouping_proof.proves_grouping``; ``proof``: the store's, ``_store_proof``), while none is proven;
    none when the store cannot be read (``proof`` None) or the groupings' groups cannot (then nothing is known: the
    store check, or the read's line, says why)."""
    from lmsync.domain.grouping_proof import proves_grouping
    from lmsync.service.doctor_reads import checked_read

    if proof is None or not ids:
        return set()
    read = checked_read(lambda: api.get_groupings(ids, returngroups=True), report, "grouping", "the programme's grouping")
    if read is None:
        return set()
    held = {g.id for g in read if not proves_grouping(
        proof, config.programme.name, g.id, [(c.id, c.idnumber or "") for c in g.groups or [] if c.courseid == course_id])}
    return held if held == set(ids) else set()


def _disowned_check(groups: list[Any], config: Config, course_id: int, proof: CircleProof, report: Any) -> None:
    """``fail`` (``circles``) when groups of the course carry a circle's ID number that the store does not record
    for them: the groups as the sync reads them (``renumbered_circles.with_idnumbers_back`` then
    ``circle_proof.disown``, members aside: neither looks at them), in the words of `lmsync sync`'s error (exit 2).
    Source: tester round 118a, 3 (doctor said nothing of them). Says nothing when there is none."""
    from lmsync.domain.circle_proof import DISOWNED_FIX, disown, disowned_said, renumbered_refusal
    from lmsync.domain.renumbered_circles import with_idnumbers_back
    from lmsync.domain.sync_state import Observation, ObservedGroup

    programme = config.programme.name
    read = Observation(course_id=course_id, grouping_id=None, active_user_ids=frozenset(), groups=tuple(
        ObservedGroup(id=g.id, name=g.name, idnumber=g.idnumber or "", members=frozenset()) for g in groups))
    seen = disown(with_idnumbers_back(read, programme, proof), programme, proof)
    if not seen.disowned:
        return
    what, fix = renumbered_refusal(seen, proof)  # circles this store made under another's number (107a, 7)
    report.add("circles", "fail", f"{what or disowned_said(len(seen.disowned))}; `lmsync sync` and `lmsync run` exit 2",
               f"{fix}; `lmsync plan` says more" if what else DISOWNED_FIX)


def _store_proof(config: Config) -> CircleProof | None:
    """What the store the commands open proves of the programme's circles and grouping (``Journal.circle_proof``):
    an empty proof for a store not made yet; ``None`` when it cannot be read (opened, or its record read)."""
    try:
        target = store_target(config)
    except LmsyncError:  # a [store] url that is no database URL: the store check says so
        return None
    if not is_postgres(target) and not Path(target).exists():
        return CircleProof()
    try:
        store = open_store(config, read_only=True)
    except (LmsyncError, OSError):
        return None
    try:
        return Journal(store, config.programme.name).circle_proof()
    except Exception:  # noqa: BLE001 - a read that failed: not known, not "no record" (tester round 95b, 1)
        return None
    finally:
        store.close()

