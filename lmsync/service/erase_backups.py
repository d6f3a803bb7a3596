"""The store backups a migration left beside a SQLite store, named by ``lmsync person erase`` (tester round 119, 1).

Upgrading lmsync copies a SQLite store that holds data to ``<name>.db.bak-<from revision>`` beside it before it
migrates (``lmsync.store.migrate``). An erasure deletes nothing there, and the README's rollback (copy the ``.bak-``
file over the store) would bring the erased person back: the question before an erasure and its result named no
such file. They are found by name only: no backup is opened or read. A PostgreSQL store is never copied, so has none.
"""

from __future__ import annotations

import glob
from pathlib import Path

from lmsync.config import Config
from lmsync.errors import LmsyncError
from lmsync.service.stores import store_target

#: What is said of each backup, after its path (tester round 119, 1).
HOLDS = ("was copied from this store by a migration before the erasure and still holds what the store held of this "
         "person then: delete it (a rollback to it would bring them back)")


def store_backups(config: Config) -> list[Path]:
    """The files ``<store file>.bak-*`` beside the programme's SQLite store (``stores.store_target``), sorted by
    name; [] for a PostgreSQL store or an in-memory one, or a ``[store] url`` that is no database URL."""
    try:
        target = store_target(config)
    except LmsyncError:
        return []
    if not isinstance(target, Path):
        return []
    found = target.parent.glob(f"{glob.escape(target.name)}.bak-*")
    return sorted(p for p in found if p.is_file())


def backups_said(config: Config) -> str:
    """The question's sentences naming each backup (``store_backups``), or "" when there is none."""
    return "".join(f" {p} {HOLDS}." for p in store_backups(config))


def backup_notes(config: Config) -> list[str]:
    """One line per backup (``store_backups``) for the erasure's result."""
    return [f"note: {p} {HOLDS}" for p in store_backups(config)]
