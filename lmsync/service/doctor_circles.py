"""``lmsync doctor``'s check of the store's record of the programme's circles (tester round 89b, 1).

A store with no record of the circles (a mistyped ``[store] path``, a new PostgreSQL database) over a course that
holds circles an earlier lmsync made is refused by ``sync``, ``run`` and ``apply`` until ``--store-takes-over``
says it replaces a lost store (``circle_records.refuse_take_over``). ``doctor`` said ``[ok] store: ... (made by the
first run)`` and nothing of the circles; it now warns. Read-only: the store is opened read-only, never made.
"""

from __future__ import annotations

from typing import Any

from lmsync.config import Config
from lmsync.domain.ownership import mentor_of_idnumber
from lmsync.errors import LmsyncError
from lmsync.moodle.api import MoodleApi
from lmsync.moodle.errors import MoodleError
from lmsync.service.circle_records import take_over_words
from lmsync.service.stores import open_store
from lmsync.store.db import is_postgres
from lmsync.store.journal import Journal


def circle_record_check(api: MoodleApi, config: Config, course_id: int, report: Any) -> None:
    """Warn (``circles``) when the course holds circles of the programme and the store has no record of any: the
    next ``sync`` or ``run`` stops with exit 2. Says nothing when the groups cannot be read (the capability checks
    say why), when the course holds no circle, or when the store holds a record; a store that cannot be opened is
    the store check's to say."""
    try:
        groups = api.get_course_groups(course_id)
    except MoodleError:
        return
    circles = sum(1 for g in groups if mentor_of_idnumber(config.programme.name, g.idnumber or "") is not None)
    if not circles or _holds_circles(config):
        return
    report.add("circles", "warn",
               f"{take_over_words(circles, '')}: `lmsync sync` and `lmsync run` refuse to take them over (exit 2)",
               "point [store] path (or [store] url) at the programme's store (a mistyped path?); only if this store "
               "replaces a lost one, run `lmsync sync --store-takes-over` once")


def _holds_circles(config: Config) -> bool:
    """Whether the configured store records any circle of the programme; a store not made yet records none, and
    one that cannot be read is counted as holding them (nothing said here: the store check says what is wrong)."""
    target = config.store.url or config.store_path()
    if not is_postgres(target) and not config.store_path().exists():
        return False
    try:
        store = open_store(config, read_only=True)
    except (LmsyncError, OSError):
        return not is_postgres(target)  # an empty PostgreSQL database is a store not made yet
    try:
        return Journal(store, config.programme.name).circle_proof().holds_circles
    except Exception:  # noqa: BLE001 - tables not made yet (an empty database): no record
        return False
    finally:
        store.close()
