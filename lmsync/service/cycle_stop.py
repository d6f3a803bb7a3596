"""A stop request (SIGTERM, Ctrl-C: ``jobs.StopFlag``) and the run of the cycle it ends (round 80, 4 and 5).

A run that received a stop request is ``stopped`` (``lmsync run``'s last JSON object says
``"stopped": true``) wherever the request landed, and exits 1 as every stopped run does
(``CycleResult.run_exit_code``):

- between steps: the steps after it are ``skipped``, "stopped on request";
- inside a step: the step stops between batches (``partial``), or a second request fails it at once;
  inside the last step, which then finishes, nothing is skipped, and the run is stopped all the same;
- while the run starts (the configuration, the report renderer, the lock, the store, Moodle's first
  answer): a second request raises where it lands, and the run says every step ``skipped``, "stopped on
  request before the run began" (``stopped_before_start``), not an error with no run id and no step;
- before it starts, or while ``lmsync run --wait`` queues behind another run's lock (``lock.StoppedWaiting``),
  or before its first step (``stop_summary``): the same words, and nothing is opened or written before the
  lock is held (tester round 81, 2 and 4).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from lmsync.errors import EXIT_OK, PartialFailure
from lmsync.moodle.errors import ConnectionFailed, Timeout
from lmsync.service.cycle_log import tell_done, tell_step
from lmsync.service.cycle_result import CycleResult, StepResult
from lmsync.service.run_ids import new_run_id, running

BEFORE_START = "stopped on request before the run began"


def stopped_by_request(exc: BaseException, should_stop: Callable[[], bool] | None) -> bool:
    """Whether ``exc`` is a stop request's own doing: raised while a stop was asked for, and the second
    request's ``PartialFailure`` ("stopped at once") or Moodle's retries it cut short (``ConnectionFailed``,
    ``Timeout``). Any other error (the configuration, a lock held, a clock gone back) is said as it is."""
    return bool(should_stop is not None and should_stop()
                and isinstance(exc, PartialFailure | ConnectionFailed | Timeout))


def stop_summary(told: list[StepResult]) -> str:
    """What a step a stop request skipped says: ``BEFORE_START`` while no step had begun (every step ``told`` so
    far was skipped so: round 81, 4, where a stop that came while the run opened read "stopped on request" as if
    steps had run), "stopped on request" once one had."""
    return BEFORE_START if all(step.summary == BEFORE_START for step in told) else "stopped on request"


def stopped_before_start(
    steps: tuple[str, ...],
    *,
    as_of: date | None = None,
    run_id: str | None = None,
    on_step: Callable[[StepResult], Any] | None = None,
) -> CycleResult:
    """The run a stop request ended before its first step: each of ``steps`` ``skipped`` (``BEFORE_START``),
    told as a run tells its steps (``cycle_log``), and the run ``stopped`` (exit 1). ``run_id``: the run's, as
    its log lines have it (a new one when the stop came before the run had one); ``as_of``: the programme's day,
    when known (else the machine's)."""
    with running(run_id or new_run_id()) as rid:
        result = CycleResult(rid, as_of or date.today(), stopped=True)
        for name in steps:
            tell_step(result, StepResult(name, "skipped", EXIT_OK, BEFORE_START), on_step)
        tell_done(result)
    return result
