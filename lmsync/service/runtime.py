"""The session every use case runs in: the programme lock, the store and the Moodle client.

This is the one place that builds them (``lmsync.service.lock``, ``lmsync.service.stores``,
``lmsync.service.moodle``) and releases them in reverse order. It imports no use case, so any
use case (sync, grades, health, nudges, pull, report, privacy) may open a session without an
import cycle (issue 12: ``jobs`` used to hold both this plumbing and the sync jobs).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from pathlib import Path
from typing import Any

from lmsync.config import Config
from lmsync.service.closed_windows import record_closed
from lmsync.service.lock import programme_lock
from lmsync.service.moodle import MoodleConnection, open_moodle, refuse_token_without_site
from lmsync.service.stores import absent_store, open_store, store_target, unmade
from lmsync.store.db import Store


def lock_path(config: Config) -> Path:
    """The programme's lock file beside its store file (``<store>.lock``), the store's symbolic links
    followed: a store named through a link had a lock of its own beside the link, and two runs of one
    programme ran at once (tester round 82, 1); unused on PostgreSQL.

    A ``sqlite:///`` ``[store] url`` has its lock beside the file the url names (``store_target``), not beside
    the default ``[store] path``: two runs on one such file under other state folders (cron's HOME and an
    admin's) took two locks and ran at once. A store whose name ends in ``.lock`` gets ``<store>.lock`` (``x.lock.lock``),
    never itself (tester round 101a, 4)."""
    target = store_target(config)
    store = target if isinstance(target, Path) else config.store_path()
    real = Path(os.path.realpath(store))  # a link to nothing in a folder that is not there stays refused (pass 71, 2)
    beside = real if real.parent.is_dir() else store
    # a store named x.lock was its own lock file, emptied as the lock was taken (tester round 101a, 4)
    return beside.with_name(beside.name + ".lock") if beside.suffix == ".lock" else beside.with_suffix(".lock")


def lock_for(
    config: Config, *, wait: bool = False, should_stop: Callable[[], bool] | None = None
) -> AbstractContextManager[Any]:
    """The per-programme lock: a file lock beside a SQLite store, an advisory lock on PostgreSQL.

    Entering it raises LockedError when another run holds it (without ``wait``, or when
    ``should_stop()`` turns true while waiting), and ConfigError for a SQLite store file that is not
    an lmsync store (zero bytes, another application's database, a device or a named pipe) before any lock file
    is made beside it (tester rounds 78, 7, 79, 5 and 99b, 1): the file of a ``sqlite:///`` ``[store] url`` too,
    whose lock was made before it was judged.
    """
    target = store_target(config)
    return programme_lock(lock_path(config), wait=wait, url=config.store.url, programme=config.programme.name,
                          should_stop=should_stop, store=target if isinstance(target, Path) else None)


@contextmanager
def session(
    config: Config, *, wait: bool = False, site: Any = None, fault: Any = None, read_only: bool = False,
    should_stop: Callable[[], bool] | None = None, failed: Callable[[], bool] | None = None,
) -> Iterator[tuple[MoodleConnection, Store]]:
    """The programme lock, a Moodle connection and the store, released in reverse order.

    ``read_only`` is for commands that only read (plan, match, ``health --as-of``, ``nudge
    --dry-run``, exports): the store is opened read-only (nothing is created, migrated or
    bound), and no lock is taken, so a read neither waits for nor blocks a running sync.
    ``site`` and ``fault`` reach the emulator (tests, the demo). Raises ConfigError when the
    store belongs to another site or course, LockedError when another run holds the lock
    (without ``wait``). ``failed``: as ``store_session`` takes it.
    """
    refuse_token_without_site(config, site)  # before the store is made and bound (tester pass 71, 4)
    with store_session(config, wait=wait, read_only=read_only, should_stop=should_stop, failed=failed) as store, \
            open_moodle(config, site=site, fault=fault, stop=should_stop) as conn:
        yield conn, store


@contextmanager
def store_session(
    config: Config, *, wait: bool = False, read_only: bool = False, should_stop: Callable[[], bool] | None = None,
    failed: Callable[[], bool] | None = None,
) -> Iterator[Store]:
    """The programme lock and the store, without Moodle: every command that writes the store
    opens it here (or through ``session``), so none writes while another run holds the lock.

    Tester finding 9: ``import meetings|surveys``, ``meetings add`` and ``queue ack|done``
    opened the store themselves and wrote it while ``lmsync run`` held the lock. Read-only:
    no lock, as in ``session``. Raises LockedError (exit 4) when another run holds the lock
    and ``wait`` is off, ConfigError when the store belongs to another site or course.

    ``failed``: given by the commands that make the store as a matter of course (``sync``, ``run``), whether the
    command failed though nothing was raised (``run``: its exit code), asked as the session closes. A store file
    this session made where there was none (``stores.absent_store``) is then removed, when the body raised or
    ``failed()`` is true and the store holds nothing (``stores.unmade``), after the store is closed and before
    the lock is released: a refused sync on a mistyped ``[store] path`` left an empty store that switched off the
    "no store" refusals of ``health``, ``queue`` and the imports (tester round 97b, 1). A stop on request
    (``should_stop()`` true as the session closes: SIGTERM, Ctrl-C) counts as a failure here: a first ``sync``
    stopped before it stored anything returns "stopped" rather than raising, and left a store holding only its
    binding, after which ``health`` and ``queue list`` judged every pair as new (tester round 100a, 14). A store
    that holds anything is kept (``stores.unmade``), and one that was there before is never judged.
    A write session that ends without failing records each survey wave's window as it closed
    (``closed_windows.record_closed``; tester round 123a, 1).
    """
    lock = nullcontext() if read_only else lock_for(config, wait=wait, should_stop=should_stop)
    with lock:
        made = absent_store(config) if failed is not None and not read_only else None
        try:
            store = open_store(config, read_only=read_only)
            try:
                yield store
                stopped = (failed is not None and failed()) or (should_stop is not None and should_stop())
                if not read_only and not stopped:  # each closed wave's window as it closed (tester round 123a, 1)
                    record_closed(config, store)
            finally:
                store.close()
        except BaseException:
            unmade(made)
            raise
        if failed is not None and (failed() or (should_stop is not None and should_stop())):
            unmade(made)
