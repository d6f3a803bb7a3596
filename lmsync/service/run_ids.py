"""Run ids: the 12-hex id that ties a job's log lines and journal entries together.

``lmsync run`` is one run: its sync, grades, nudges and digest steps log and journal under the
cycle's id, so an admin follows one id through a night's log (stop 20's note: the nudge and
digest steps logged ids of their own beside the cycle's). A job started on its own
(``lmsync sync``, ``lmsync nudge``) has an id of its own.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

import structlog

_CURRENT: ContextVar[str | None] = ContextVar("lmsync_run_id", default=None)


def new_run_id() -> str:
    """The id of the run this job is part of (inside ``running``), else a fresh one: 12 hex digits."""
    return _CURRENT.get() or uuid.uuid4().hex[:12]


@contextmanager
def running(run_id: str) -> Iterator[str]:
    """Jobs started inside take ``run_id`` as theirs (``new_run_id``), and every log line written
    inside carries it (tester round 5, 11: observe.done, matched, health.done had none); yields it."""
    token = _CURRENT.set(run_id)
    bound = structlog.contextvars.bind_contextvars(run_id=run_id)
    try:
        yield run_id
    finally:
        structlog.contextvars.reset_contextvars(**bound)
        _CURRENT.reset(token)
