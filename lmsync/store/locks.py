"""The per-programme lock on PostgreSQL: a session advisory lock (several daemons, one site).

``pg_try_advisory_lock`` on a key derived from the programme name, held on a connection of
its own for the whole run. PostgreSQL releases it when that connection ends, so a daemon
that dies (or a host that vanishes) never leaves a stale lock behind, the same promise the
SQLite store's host-local ``flock`` makes on one host.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from sqlalchemy import create_engine, func, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.pool import NullPool

from lmsync.store.db import store_url
from lmsync.store.unreachable import unreachable


def advisory_key(programme: str) -> int:
    """A signed 64-bit key for ``programme`` (the first 8 bytes of SHA-256 of ``lmsync:<name>``)."""
    digest = hashlib.sha256(f"lmsync:programme:{programme}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


@contextmanager
def advisory_lock(
    url: str, programme: str, *, wait: bool, timeout: float | None = None, give_up: Callable[[], bool] | None = None,
    waiting: Callable[[], object] | None = None,
) -> Iterator[bool]:
    """Hold the programme's advisory lock; yields False at once when another session holds it
    and ``wait`` is off (or ``timeout`` seconds passed, or ``give_up()`` turned true while
    waiting), True while it is held. ``waiting()`` is called once when the wait begins."""
    target = store_url(url)
    assert target is not None and target.get_backend_name() == "postgresql"
    engine = create_engine(target, poolclass=NullPool, hide_parameters=True)
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
                    yield False
                    return
                if not waited and waiting is not None:
                    waiting()
                waited = True
                time.sleep(0.2)
            try:
                yield True
            finally:
                conn.execute(select(func.pg_advisory_unlock(key)))
    finally:
        engine.dispose()
