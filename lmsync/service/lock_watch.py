"""Whether this process still holds the programme's lock, asked before each step and each write batch.

On PostgreSQL the lock lives as long as one connection (``lmsync.store.locks``): a server that closes it
(``pg_terminate_backend``, a restart, a network blip) takes the lock, and another daemon may take it and run
too. A run wrote on without it, every step, and then failed at the unlock with a traceback (tester round
120b, 1). ``programme_lock`` registers the lock it holds here (``watching``); ``lock_lost()`` asks PostgreSQL
whether it is still held (one query on the lock's own connection), and ``watched(should_stop)`` is the stop
check the writers already ask between batches (the sync's and grades' executor, the nudge sender), true
once the lock is gone as when a stop was requested: the run stops writing there, says it lost the lock
(``stop_words``) and exits 1, and the next run carries on.

SQLite's ``flock`` needs none of this: the kernel holds it for this process's open lock file until the
process ends, and nothing outside the host can take it away mid-run; nothing is registered, and
``lock_lost()`` is always false.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from lmsync.log import get_logger
from lmsync.store.locks import LOST, HeldLock

log = get_logger(__name__)

_HELD: list[HeldLock] = []  # the advisory locks this process holds now, innermost last


@contextmanager
def watching(held: HeldLock) -> Iterator[None]:
    """``held`` asked by ``lock_lost`` for the body (``programme_lock`` on PostgreSQL)."""
    _HELD.append(held)
    try:
        yield
    finally:
        _HELD.remove(held)


def lock_lost() -> bool:
    """Whether a programme lock this process holds can no longer be shown held, asked of PostgreSQL now; logs
    ``lock.lost`` (warning, with the driver's first line) the first time. False with no lock held, or a
    SQLite store's."""
    for held in list(_HELD):
        known = held.lost is not None
        if not held.still_held():
            if not known:
                log.warning("lock.lost", lock="postgresql", reason=held.lost,
                            hint="nothing more is written; the next run carries on")
            return True
    return False


def was_lost() -> bool:
    """Whether a lock this process holds was found gone already (no query)."""
    return any(held.lost is not None for held in _HELD)


def watched(should_stop: Callable[[], bool] | None) -> Callable[[], bool]:
    """``should_stop`` (a stop request: SIGTERM, Ctrl-C; None for none) or the programme's lock lost: the
    check the writers ask before each batch, so a run without its lock stops writing there."""

    def stop() -> bool:
        return bool(should_stop is not None and should_stop()) or lock_lost()

    return stop


def stop_words() -> str:
    """How a step stopped between its batches says why: the lock lost, else "stopped on request"."""
    return f"stopped: this run {LOST}, nothing more was written; the next run carries on" if was_lost() \
        else "stopped on request"
