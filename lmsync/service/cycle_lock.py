"""A run of the cycle (``lmsync run``, the daemon) that lost the programme's lock (tester round 120b, 1).

On PostgreSQL the lock can go with its connection mid-run (``lmsync.service.lock_watch``). The run asks
before each step (``lost_step``): once the lock is gone, every step left is ``skipped``, saying so; a step
that writes in batches stops between them (``lock_watch.watched``, ``stop_words``). A lock found gone as it
is let go, after the last step, is told the same way (``lost_at_release``). Either way the run keeps its
id in its last line, exits 1 ("partial, the next run retries": README, exit codes) and ``lock_lost`` is
true; the daemon backs off as after any partial run.
"""

from __future__ import annotations

from lmsync.errors import EXIT_OK
from lmsync.log import get_logger
from lmsync.service.cycle_result import CycleResult, StepResult
from lmsync.service.lock_watch import lock_lost
from lmsync.store.locks import LOST, LockLost

log = get_logger(__name__)

#: What a step not run for a lost lock says.
NOT_RUN = f"not run: this run {LOST}; nothing more was written, the next run does it"
#: The run's own line when it lost its lock (``lmsync run`` and the daemon print it before ``run ID: exit 1``).
RUN_LOST = f"{LOST}: nothing more was written; the next run carries on"


def lost_step(name: str, result: CycleResult) -> StepResult | None:
    """Step ``name`` skipped (``NOT_RUN``) when the lock is gone (asked of PostgreSQL now), ``result`` marked
    ``lock_lost``; None while it is held (always, on SQLite)."""
    if not (result.lock_lost or lock_lost()):
        return None
    result.lock_lost = True
    return StepResult(name, "skipped", EXIT_OK, NOT_RUN)


def settled(result: CycleResult) -> None:
    """After the last step: ``result`` marked ``lock_lost`` when the lock is gone now, so its ``cycle.done``
    line says the exit code the run ends with."""
    result.lock_lost = result.lock_lost or lock_lost()


def lost_at_release(result: CycleResult | None, exc: LockLost) -> CycleResult:
    """``result``, its lock found gone (``exc``) as it was let go: marked ``lock_lost``, and logged
    (``lock.lost_at_end``, with its run id and exit code) unless the run had found it gone already. Raises
    ``exc`` when no run began (no ``result``)."""
    if result is None:
        raise exc
    if not result.lock_lost:  # found only now, after cycle.done: its exit code is said here
        result.lock_lost = True
        log.warning("lock.lost_at_end", run_id=result.run_id, exit_code=result.run_exit_code, reason=exc.message,
                    hint="the steps' writes are kept; the next run carries on")
    return result
