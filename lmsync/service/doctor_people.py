"""The programme's circles as ``lmsync doctor``'s people check reads them: as the plan reads them (tester round 117b, 3).

Doctor built the people from the roster alone, so a person with a mentor role and a mentee role whom a teacher had
put in a circle was "left out of matching: in no circle, with no mentor", while ``lmsync plan`` said they were "kept
in their circle while their mentor has room for them" and health judged their pair. The people check now gets the
circles the plan's observation holds (the store's proof of its circles applied: ``circle_records.circle_proof``) and
the circles held for mentors away (``away_mentors.holds``), so its two-role (and suspended-account) words are the
plan's. Read-only: the store is opened read-only, never made.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from sqlalchemy.exc import SQLAlchemyError

from lmsync.config import Config
from lmsync.domain.sync_state import ObservedGroup
from lmsync.errors import LmsyncError
from lmsync.log import warnings_only
from lmsync.moodle.api import MoodleApi
from lmsync.service.away_mentors import holds
from lmsync.service.circle_records import circle_proof, deleted_circles
from lmsync.service.observe import observe
from lmsync.service.stores import open_store, store_target
from lmsync.store.db import Store, is_postgres


@dataclass(frozen=True)
class PlannedCircles:
    """``groups``: the course's groups as the plan observes them (a group the store cannot prove it made carries no
    circle ID number, no members); ``held``: mentor Moodle id -> the last day their circle is held while they are
    away (``Holds.until``). Empty when they could not be read."""

    groups: tuple[ObservedGroup, ...] = ()
    held: Mapping[int, date] = field(default_factory=dict)


def planned_circles(api: MoodleApi, config: Config) -> PlannedCircles:
    """The circles ``lmsync plan`` would see now (one observation without the forum, the store read-only; a store
    not made yet, or one that cannot be opened, proves nothing and holds nothing, as for a first plan). A read that
    fails gives the empty ``PlannedCircles``: the people are then judged from the roster alone, as before, and the
    other checks say what failed. Raises nothing of Moodle's or the store's."""
    programme = config.programme.name
    store = _store(config)
    try:
        with warnings_only():  # the observation's info line is no check of doctor's (tester round 95b, 7)
            snapshot = observe(api, config, forum=False, proof=circle_proof(store, programme) if store is not None else None)
        deleted = deleted_circles(store, programme, snapshot) if store is not None else ({}, {})
        away = holds(config, store, snapshot.observation, deleted)
        return PlannedCircles(snapshot.observation.groups, dict(away.until))
    except (LmsyncError, SQLAlchemyError, OSError):
        return PlannedCircles()
    finally:
        if store is not None:
            store.close()


def _store(config: Config) -> Store | None:
    """The store the commands open, read-only; None when it is not made yet (nothing is made here) or cannot be opened
    (the store check says why), as ``doctor_circles`` reads it."""
    try:
        target = store_target(config)
        if not is_postgres(target) and not Path(target).exists():
            return None
        return open_store(config, read_only=True)
    except Exception:  # noqa: BLE001 - any failure to open it: the store check names it; the people are still checked
        return None
