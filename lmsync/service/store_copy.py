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

The target is judged first (``lmsync.service.copy_target``: no URL of another database, no in-memory
database, no folder made), an existing one read-only (a target holding rows is refused before it is
migrated or written), and every error about it names it as the copy's target, exit 3; a failure while
writing the copy (a full disk) says the configured store is unchanged, and a SQLite file this copy made is
deleted (tester round 95b, store copy 1-4).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from lmsync.config import Config
from lmsync.errors import InputError, LmsyncError
from lmsync.log import get_logger
from lmsync.service.copy_target import UNCHANGED, CopyTarget, copy_target, target_refused, write_failed
from lmsync.service.runtime import lock_for
from lmsync.service.stores import open_store, refuse_if_absent
from lmsync.store.copy import CopyFailed, copy_rows, first_table_with_rows
from lmsync.store.db import Store, store_url

log = get_logger(__name__)


@dataclass(frozen=True)
class CopyResult:
    """Rows copied per table (dependency order), and where from and to (an absolute path, or the URL with its
    password redacted)."""

    counts: dict[str, int]
    source: str
    target: str
    target_is_url: bool


def copy_store(config: Config, to: str, *, wait: bool = False) -> CopyResult:
    """Copy the configured store into the new, empty store ``to`` (a SQLite path or a database URL).

    Raises ``StoreAbsent`` (exit 3) when the configured store file does not exist, ``InputError``
    (exit 3) when ``to`` cannot be the copy's target (``lmsync.service.copy_target``), is the configured
    store, or already holds rows, ``LockedError`` (exit 4) when a run holds the programme's lock (``wait``:
    wait for it), ``ConfigError`` (exit 2) for a store of another site or course, or when writing the copy
    fails (a full disk; nothing kept). Ctrl-C, or any failure, deletes a SQLite file this copy made.
    """
    refuse_if_absent(config, "store copy", holds="nothing to copy")  # no new empty source made
    target = copy_target(to)
    _refuse_the_source(config, target)
    with lock_for(config, wait=wait):
        source = open_store(config, read_only=True)
        made = target.path is not None and not target.path.exists() and not target.path.is_symlink()
        try:
            return _copy_into(source, target, removes=made)
        except BaseException:
            if made and target.path is not None:
                _remove(target.path)
            raise
        finally:
            source.close()


def _copy_into(source: Store, target: CopyTarget, *, removes: bool) -> CopyResult:
    if not removes:  # a target that is there already: judged read-only, so one refused is left as it was
        _refuse_rows(_open(target, read_only=True), target)
    copy = _open(target, read_only=False)  # created and migrated to this lmsync's schema
    try:
        _refuse_rows(copy, target, close=False)
        try:
            counts = copy_rows(source, copy)  # one transaction: a failure leaves the target empty
        except (CopyFailed, OSError) as exc:
            raise write_failed(exc, target, source.where, removed=removes) from None
        log.info("store.copied", tables=len(counts), rows=sum(counts.values()), target=copy.where)
        return CopyResult(counts, source.where, copy.where, target.url is not None)
    finally:
        copy.close()


def _open(target: CopyTarget, *, read_only: bool) -> Store:
    try:
        return Store(target.path or target.url or "", read_only=read_only)
    except LmsyncError as exc:
        raise target_refused(exc, target) from None


def _refuse_rows(copy: Store, target: CopyTarget, *, close: bool = True) -> None:
    try:
        table = first_table_with_rows(copy)
    finally:
        if close:
            copy.close()
    if table is not None:
        raise InputError(
            f"store copy: the copy's target {target.shown} is not empty (its table {table} holds rows); {UNCHANGED}",
            hint="copy into a new file or an empty PostgreSQL database (createdb), never over a store with data",
        )


def _remove(path: Path) -> None:
    """The SQLite file this copy made, with SQLite's files beside it."""
    for name in (path, *(path.with_name(path.name + end) for end in ("-wal", "-shm", "-journal"))):
        name.unlink(missing_ok=True)


def _refuse_the_source(config: Config, target: CopyTarget) -> None:
    """Refuse ``target`` when it is the configured store: its file (``[store] path``, or a ``sqlite:///`` url),
    or the same database URL."""
    configured = store_url(config.store.url) if config.store.url is not None else None
    if configured is None:
        source: Path | None = config.store_path()
    else:
        source = Path(configured.database or "") if configured.get_backend_name() == "sqlite" else None
    if source is not None:
        same = target.path is not None and os.path.realpath(target.path) == os.path.realpath(source)
    else:
        same = target.url is not None and store_url(target.url) == configured
    if same:
        raise InputError(f"store copy: --to names the configured store itself; {UNCHANGED}",
                         hint="name a new file or an empty PostgreSQL database")
