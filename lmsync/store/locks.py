"""The per-programme lock on PostgreSQL: a session advisory lock (several daemons, one site).

``pg_try_advisory_lock`` on a key derived from the programme name, held on a connection of
its own for the whole run. PostgreSQL releases it when that connection ends, so a daemon
that dies (or a host that vanishes) never leaves a stale lock behind, the same promise the
SQLite store's host-local ``flock`` makes on one host.

The flip side: a connection that ends mid-run (a DBA's ``idle_session_timeout``, a
``pg_terminate_backend``, a network blip) takes the lock with it while the run goes on, and
another daemon may then take it (tester round 120b, 1). The session is kept from timing out
on its own (``pg_session``), and the run asks ``HeldLock.still_held`` before each step and
each write batch (``lmsync.service.lock_watch``): a lock it can no longer show it holds stops
its writing. A connection found closed as the lock is let go raises ``LockLost`` (exit 1),
never the driver's error.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, create_engine, func, select, text
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.pool import NullPool

from lmsync.errors import PartialFailure
from lmsync.secrets import redact
from lmsync.store import suite_engine
from lmsync.store.db import store_url
from lmsync.store.pg_session import connect_args, kept_alive
from lmsync.store.unreachable import unreachable

#: What a run says of a lock it lost (the step lines, the last line, ``LockLost``).
LOST = "lost the programme's lock (its PostgreSQL connection closed)"

#: Whether this session holds the advisory lock of a bigint key: ``pg_locks`` shows it as ``classid`` (the high
#: 32 bits), ``objid`` (the low 32 bits) and ``objsubid`` 1. One round trip; an error means the session is gone.
_HELD = text(
    "SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid() AND granted "
    "AND classid::bigint = :high AND objid::bigint = :low AND objsubid = 1)"
)


class LockLost(PartialFailure):
    """The programme's advisory lock is gone: its session's connection closed (or the lock is no longer that
    session's). Exit 1, "partial, the next run retries" (README, exit codes): what the run wrote before is kept
    and the next run carries on from it (tester round 120b, 1)."""


def lock_lost_error(reason: str) -> LockLost:
    """``LockLost`` in lmsync's words, ``reason`` (the driver's first line, passwords masked) in brackets."""
    return LockLost(f"this run {LOST}: {reason}; nothing more was written",
                    hint="the next run carries on where this one stopped; if it happens again, ask the database's "
                         "admin what closes idle connections (idle_session_timeout, a firewall, a restart)")


def advisory_key(programme: str) -> int:
    """A signed 64-bit key for ``programme`` (the first 8 bytes of SHA-256 of ``lmsync:programme:<name>``; in the
    test suite's PostgreSQL pass, of that and the running test's token, so tests run side by side on one database
    never hold each other's lock: ``suite_engine.lock_salt``)."""
    digest = hashlib.sha256(f"lmsync:programme:{programme}{suite_engine.lock_salt()}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


def _reason(exc: DBAPIError) -> str:
    lines = str(exc.orig).strip().splitlines()
    return redact(lines[0]) if lines else type(exc.orig).__name__


class HeldLock:
    """The advisory lock of ``key`` held by the session of ``conn`` (an AUTOCOMMIT connection), as
    ``advisory_lock`` yields it. Thread-safe: the write pools may ask from their threads."""

    def __init__(self, conn: Connection, key: int) -> None:
        self._conn = conn
        unsigned = key & 0xFFFF_FFFF_FFFF_FFFF
        self._params = {"high": unsigned >> 32, "low": unsigned & 0xFFFF_FFFF}
        self._mutex = threading.Lock()
        #: Why the lock was found gone (the driver's first line, or that the session no longer holds it), or
        #: None while it was held at every check. Once set it stays set: a lost lock is never found again.
        self.lost: str | None = None

    def still_held(self) -> bool:
        """Whether the session still holds the lock, asked of PostgreSQL now (one query on the lock's own
        connection). False once it was found gone (``lost`` says why)."""
        with self._mutex:
            if self.lost is None:
                try:
                    if not self._conn.execute(_HELD, self._params).scalar():
                        self.lost = "the lock is no longer its session's"
                except DBAPIError as exc:
                    self.lost = _reason(exc)
            return self.lost is None

    def release(self, key: int, *, quiet: bool) -> None:
        """``pg_advisory_unlock``. Raises ``LockLost`` when the lock was found gone, or its connection is found
        closed now, unless ``quiet`` (the body raised already: its error is the one told)."""
        with self._mutex:
            if self.lost is None:
                try:
                    if not self._conn.execute(select(func.pg_advisory_unlock(key))).scalar():
                        self.lost = "the lock is no longer its session's"
                except DBAPIError as exc:
                    self.lost = _reason(exc)
            if self.lost is not None and not quiet:
                raise lock_lost_error(self.lost)


@contextmanager
def advisory_lock(
    url: str, programme: str, *, wait: bool, timeout: float | None = None, give_up: Callable[[], bool] | None = None,
    waiting: Callable[[], object] | None = None,
) -> Iterator[HeldLock | None]:
    """Hold the programme's advisory lock; yields None at once when another session holds it
    and ``wait`` is off (or ``timeout`` seconds passed, or ``give_up()`` turned true while
    waiting), the ``HeldLock`` while it is held. ``waiting()`` is called once when the wait begins.

    Raises PartialFailure or ConfigError when the server cannot be reached or refuses (``unreachable``), and
    ``LockLost`` (exit 1) as the lock is let go when it was lost while held (a body that raised keeps its own error)."""
    target = store_url(url)
    assert target is not None and target.get_backend_name() == "postgresql"
    engine = kept_alive(create_engine(target, poolclass=NullPool, hide_parameters=True,
                                      connect_args=connect_args(target)))
    key = advisory_key(programme)
    try:
        try:
            connection = engine.connect()
        except OperationalError as exc:
            raise unreachable(exc, target) from None
        with connection.execution_options(isolation_level="AUTOCOMMIT") as conn:
            deadline = None if timeout is None else time.monotonic() + timeout
            waited = False
            while not conn.execute(select(func.pg_try_advisory_lock(key))).scalar():
                if not wait or (deadline is not None and time.monotonic() > deadline) or (give_up and give_up()):
                    yield None
                    return
                if not waited and waiting is not None:
                    waiting()
                waited = True
                time.sleep(0.2)
            held = HeldLock(conn, key)
            try:
                yield held
            except BaseException:
                held.release(key, quiet=True)
                raise
            held.release(key, quiet=False)
    finally:
        engine.dispose()
