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
    capability probes name it); ``ok`` naming the programme's grouping, or saying the first sync makes it."""
    from lmsync.domain.ownership import grouping_idnumber
    from lmsync.service.doctor_reads import checked_read

    groupings = checked_read(lambda: api.get_course_groupings(course_id), report, "grouping", "the course's groupings")
    if groupings is None:
        return
    owned = sorted((g for g in groupings if g.idnumber == grouping_idnumber(config.programme.name)), key=lambda g: g.id)
    if owned:
        report.add("grouping", "ok", f"{quoted(owned[0].name)} (grouping {owned[0].id}) holds the programme's circles")
    else:
        report.add("grouping", "ok", f"{len(groupings)} grouping(s) in the course, none the programme's yet (the first "
                   "sync makes it)")


def _holds_circles(config: Config) -> bool | None:
    """Whether the store the commands open records any circle of the programme: a store not made yet records
    none; ``None`` when it cannot be read (opened, or its record read), so nothing is known of it."""
    try:
        target = store_target(config)
    except LmsyncError:  # a [store] url that is no database URL: the store check says so
        return None
    if not is_postgres(target) and not Path(target).exists():
        return False
    try:
        store = open_store(config, read_only=True)
    except (LmsyncError, OSError):
        return None
    try:
        return Journal(store, config.programme.name).circle_proof().holds_circles
    except Exception:  # noqa: BLE001 - a read that failed: not known, not "no record" (tester round 95b, 1)
        return None
    finally:
        store.close()

