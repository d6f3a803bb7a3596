"""How a run of the cycle (``lmsync run``) tells its steps and its end, as each is known.

Each step's result is logged as one ``cycle.step`` line (counts only; a failed step, and one with a
non-zero code, at warning with its reason), stamped with the run's id, kept in the run's
``CycleResult`` and handed to the caller's ``on_step`` (the CLI prints it); the run ends with one
``cycle.done`` line. ``lmsync.service.cycle`` runs the steps; ``cycle_stop`` tells a run a stop
request ended before its first step the same way.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from lmsync.log import get_logger
from lmsync.secrets import redact
from lmsync.service.cycle_result import CycleResult, StepResult

log = get_logger(__name__)


def tell_step(result: CycleResult, step: StepResult, on_step: Callable[[StepResult], Any] | None) -> None:
    """``step`` logged (``cycle.step``), stamped with the run's id, kept in ``result`` and shown by ``on_step``."""
    # a failed step, or one an admin must act on, is a warning with its reason: filtered at warning, a
    # journal showed nothing of a failed run (tester round 20, 8), nor why a run ended 2 (round 75, 6)
    (log.warning if step.state == "failed" or step.exit_code else log.info)(
        "cycle.step",
        run_id=result.run_id,
        step=step.step,
        state=step.state,
        exit_code=step.exit_code,
        **({"reason": redact(step.logged or step.summary)} if step.state == "failed" or step.exit_code else {}),
        **step.counts,
    )
    step.run_id = result.run_id
    result.steps.append(step)
    if on_step is not None:
        on_step(step)


def tell_done(result: CycleResult) -> None:
    """The run's last log line: its code as ``lmsync run`` exits with it, and whether a stop request reached it."""
    # a journal reader must not take exit_code 0 for a stopped cycle (tester round 6, 9; round 7, 3)
    log.info("cycle.done", run_id=result.run_id, as_of=result.as_of.isoformat(), exit_code=result.run_exit_code,
             stopped=result.stopped, **({"lock_lost": True} if result.lock_lost else {}))
