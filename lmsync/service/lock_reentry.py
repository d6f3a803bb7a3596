"""Locks a run holds through all its steps: a step's own ``programme_lock`` on one of them is already held.

``lmsync demo`` runs several jobs (its sync, a second plan, the played term's sessions), and each took the lock
of its store for itself and let it go after; between them the demo held none, and a second demo started then set
aside the first one's half-made store, saying it held "data added after that demo" (tester round 99b, 3). The
demo now takes the locks of its store and of its played term's store once, before it looks at anything, and holds
them until it has written its marker; within ``held_through`` a job's ``programme_lock`` on one of those files, in
the same thread's context (a ``ContextVar``), is not taken again: a second ``flock`` from this process, on a new
open file, would be refused as if another run held it. Another process, and another thread, is refused as ever.

Shapes: lock files are compared by their real path (``os.path.realpath``: a folder named through a link is the
same folder). Nothing here takes or releases a lock: the caller holds them.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path

_HELD: ContextVar[frozenset[str]] = ContextVar("lmsync_locks_held_through", default=frozenset())


def already_held(path: Path) -> bool:
    """Whether ``path`` is a lock file the caller holds through its run (``held_through``, this context)."""
    held = _HELD.get()
    return bool(held) and os.path.realpath(path) in held


@contextmanager
def held_through(*paths: Path) -> Iterator[None]:
    """For the body, in this context: ``programme_lock`` on any of ``paths`` (lock files the caller holds, taken
    before) yields at once, without taking it again (module doc)."""
    token = _HELD.set(_HELD.get() | {os.path.realpath(path) for path in paths})
    try:
        yield
    finally:
        _HELD.reset(token)
