"""The other programmes this store wrote for: a renamed ``[programme] name`` (tester round 118a, 1).

``[sync] other_programmes`` names programmes whose circles may share people with this one's (last year's, still in
the course: tester round 24, 2). With ``name = "mp"`` synced, then ``name = "mp2"`` and the same ``[store] path``,
the plan was refused, and adding ``other_programmes = ["mp"]`` (the refusal's first fix) let ``lmsync sync`` make a
second grouping, 20 more circles and 20 more welcomes: everyone in two circles, while ``lmsync doctor`` passed. The
store's journal holds programme mp's writes, so mp is this programme under its old name ("One programme, one store"),
never a second programme: its circles are refused even when ``other_programmes`` names it; only ``[sync]
allow_other_programmes`` lets a rename through (``domain.other_programmes.guard_other_programmes``).
"""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from lmsync.config import Config
from lmsync.domain.sync_state import PlanSettings
from lmsync.errors import LmsyncError
from lmsync.store import schema
from lmsync.store.db import Store
from lmsync.store.journal import Journal


def written_programmes(store: Store, programme: str) -> frozenset[str]:
    """The ``[programme] name`` values other than ``programme`` that the store's journal holds writes of (one read);
    raises what reading the store raises."""
    j = schema.journal
    rows = store.rows(select(j.c.programme).where(j.c.programme != programme).group_by(j.c.programme))
    return frozenset(str(row.programme) for row in rows)


def with_written(settings: PlanSettings, journal: Journal | None) -> PlanSettings:
    """``settings`` with ``written_programmes`` read from ``journal``'s store (unchanged without a journal, or when
    ``[sync] allow_other_programmes`` lets every programme through and the read is not needed)."""
    if journal is None or settings.allow_other_programmes:
        return settings
    return replace(settings, written_programmes=written_programmes(journal.store, settings.programme))


def config_written_programmes(config: Config) -> frozenset[str]:
    """``written_programmes`` of the configured store, opened read-only (``lmsync doctor``'s check); empty when the
    store does not exist yet or cannot be read (the command that opens it says why). Never raises those."""
    from lmsync.service.stores import open_store

    try:
        store = open_store(config, read_only=True)
    except (LmsyncError, OSError, SQLAlchemyError):
        return frozenset()
    try:
        return written_programmes(store, config.programme.name)
    except (LmsyncError, OSError, SQLAlchemyError):
        return frozenset()
    finally:
        store.close()
