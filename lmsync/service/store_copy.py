"""``lmsync store copy --to TARGET``: the configured store, whole, into a new, empty store.

Moving a programme from SQLite to PostgreSQL (or to another file) kept none of its history: a sync
with the new URL was refused as a store with no record of the circles, ``--store-takes-over`` left
``meetings list`` empty, and nothing copied the old file over (tester round 94b, 8).

The source is the store every command opens (``[store] path`` or ``[store] url``), checked against
the configured site and course and read read-only (an older SQLite file is read through a migrated
in-memory copy; an older PostgreSQL store is refused with the fix), under the programme's lock, so
no run of this programme writes it meanwhile. The target is created (a SQLite file, or the tables in
a PostgreSQL database) and migrated to this lmsync's schema; one holding any row is refused (exit 3),
as is a source that does not exist or a target that is the source. The copy itself:
``lmsync.store.copy``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from lmsync.config import Config
from lmsync.errors import InputError
from lmsync.log import get_logger
from lmsync.service.runtime import lock_for
from lmsync.service.stores import open_store, refuse_if_absent
from lmsync.store.copy import copy_rows, first_table_with_rows
from lmsync.store.db import Store, store_url

log = get_logger(__name__)


@dataclass(frozen=True)
class CopyResult:
    """Rows copied per table (dependency order), and where from and to (passwords redacted)."""

    counts: dict[str, int]
    source: str
    target: str
    target_is_url: bool


def copy_store(config: Config, to: str) -> CopyResult:
    """Copy the configured store into the new, empty store ``to`` (a SQLite path or a database URL).

    Raises ``StoreAbsent`` (exit 3) when the configured store file does not exist, ``InputError``
    (exit 3) when ``to`` is the configured store or already holds rows, ``LockedError`` (exit 4) when
    a run holds the programme's lock, ``ConfigError`` (exit 2) for a store of another site or course
    or an unreachable database; ``lmsync.store.copy.CountsDiffer`` when the check fails (nothing kept).
    """
    refuse_if_absent(config, "store copy", holds="nothing to copy")  # no new empty source made
    target_is_url = store_url(to) is not None
    target: str | Path = to if target_is_url else Path(to).expanduser()
    _refuse_the_source(config, target)
    with lock_for(config):
        source = open_store(config, read_only=True)
        try:
            copy = Store(target)  # created and migrated to this lmsync's schema
            try:
                if (table := first_table_with_rows(copy)) is not None:
                    raise InputError(
                        f"store copy: the store at {copy.where} is not empty (its table {table} holds rows); "
                        "nothing was copied",
                        hint="copy into a new file or an empty PostgreSQL database (createdb), never over a store "
                             "with data",
                    )
                counts = copy_rows(source, copy)  # one transaction: a failure leaves the target empty
                log.info("store.copied", tables=len(counts), rows=sum(counts.values()), target=copy.where)
                return CopyResult(counts, source.where, copy.where, target_is_url)
            finally:
                copy.close()
        finally:
            source.close()


def _refuse_the_source(config: Config, target: str | Path) -> None:
    same = (str(target) == config.store.url if config.store.url is not None else
            isinstance(target, Path) and os.path.realpath(target) == os.path.realpath(config.store_path()))
    if same:
        raise InputError("store copy: --to names the configured store itself; nothing was copied",
                         hint="name a new file or an empty PostgreSQL database")

