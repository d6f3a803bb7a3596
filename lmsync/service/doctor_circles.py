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
from lmsync.domain.circle_proof import CircleProof
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
    says why). Says nothing when the groups cannot be read (the capability checks say why), when the course holds
    no circle, or when the store holds a record."""
    try:
        groups = api.get_course_groups(course_id)
    except MoodleError:
        return
    circles = sum(1 for g in groups if mentor_of_idnumber(config.programme.name, g.idnumber or "") is not None)
    if not circles:
        return
    held = _holds_circles(config)
    if held is None:
        report.add("circles", "skip", f"not checked: the course holds {circles} circle(s) an earlier lmsync made, and "
                   "the store could not be read to see whether it records them (the store check says why)")
        return
    if held:
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
    capability probes name it); ``ok`` naming the programme's grouping, or saying the first sync makes it; ``warn``
    for a grouping carrying its ID number that the store cannot prove is lmsync's, which the sync leaves as it is
    (``grouping_proof``; tester round 117b, 1: doctor said ok for a teacher's grouping the sync then took over)."""
    from lmsync.domain.ownership import grouping_idnumber
    from lmsync.service.doctor_reads import checked_read

    groupings = checked_read(lambda: api.get_course_groupings(course_id), report, "grouping", "the course's groupings")
    if groupings is None:
        return
    idnumber = grouping_idnumber(config.programme.name)
    owned = sorted((g for g in groupings if g.idnumber == idnumber), key=lambda g: g.id)
    held = _not_proven(api, config, course_id, [g.id for g in owned], report)
    owned = [g for g in owned if g.id not in held]
    if owned:
        report.add("grouping", "ok", f"{quoted(owned[0].name)} (grouping {owned[0].id}) holds the programme's circles")
    elif held:
        named = ", ".join(f"{quoted(g.name)} (grouping {g.id})" for g in groupings if g.id in held)
        report.add("grouping", "warn", f"{named} carries the programme's grouping ID number {idnumber}, but the store "
                   "cannot prove lmsync made it: `lmsync sync` leaves it as it is and puts the circles in no grouping",
                   "change that grouping's ID number in Moodle (or point [store] path at the store that made it); the "
                   "next sync then makes the programme's grouping")
    else:
        report.add("grouping", "ok", f"{len(groupings)} grouping(s) in the course, none the programme's yet (the first "
                   "sync makes it)")


def _not_proven(api: MoodleApi, config: Config, course_id: int, ids: list[int], report: Any) -> set[int]:
    """Of the groupings ``ids`` carrying the programme's grouping ID number, those the store cannot prove are
    lmsync's (``grouping_proof.proves_grouping``), while none is proven; none when the store cannot be read or the
    groupings' groups cannot (then nothing is known: the store check, or the read's line, says why)."""
    from lmsync.domain.grouping_proof import proves_grouping
    from lmsync.service.doctor_reads import checked_read

    proof = _store_proof(config) if ids else None
    if proof is None:
        return set()
    read = checked_read(lambda: api.get_groupings(ids, returngroups=True), report, "grouping", "the programme's grouping")
    if read is None:
        return set()
    held = {g.id for g in read if not proves_grouping(
        proof, config.programme.name, g.id, [(c.id, c.idnumber or "") for c in g.groups or [] if c.courseid == course_id])}
    return held if held == set(ids) else set()


def _holds_circles(config: Config) -> bool | None:
    """Whether the store the commands open records any circle of the programme: a store not made yet records
    none; ``None`` when it cannot be read (opened, or its record read), so nothing is known of it."""
    proof = _store_proof(config)
    return None if proof is None else proof.holds_circles


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

