"""``lmsync run``: the programme's whole cycle once (sync, Feedback, grades, health, nudges, digest, report).

One line per step as it finishes; under ``--log-format json`` one JSON object per step on
stdout instead. The exit code is the worst step's (0 ok, 1 partial, 2 an admin must act,
3 bad input; 4 when another run holds the lock), and at least 1 when a stop request
(SIGTERM, Ctrl-C) reached the run, wherever it landed (``lmsync.service.cycle_stop``).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable

import click

from lmsync.cli import STORE_TAKES_OVER, allow_mass_nudge, examples, exit_code_for
from lmsync.cli.output import say
from lmsync.service import cycle
from lmsync.service.cycle_lock import RUN_LOST
from lmsync.service.cycle_stop import stopped_before_start, stopped_by_request
from lmsync.service.jobs import StopFlag
from lmsync.service.lock import StoppedWaiting
from lmsync.service.programme_settings import programme_today
from lmsync.service.run_ids import new_run_id, running


def step_line(step: cycle.StepResult) -> str:
    """``health    ok       40 pair(s): ...``: the step, its state and its summary."""
    return f"{step.step:<9} {step.state:<8} {step.summary}"


def step_printer(as_json: bool) -> Callable[[cycle.StepResult], None]:
    """Each finished step on stdout: ``step_line`` for people, one JSON object under ``--log-format json``
    (``lmsync run`` and ``lmsync daemon`` alike: the daemon's log said only "state=failed", never why;
    tester round 12, 4)."""

    def show(step: cycle.StepResult) -> None:
        say(json.dumps(step.as_json()) if as_json else step_line(step))

    return show


@click.command("run", epilog=examples("lmsync run", "lmsync run --wait --log-format json"))
@click.option("--wait", is_flag=True, help="Wait for another run of this programme instead of exiting.")
@allow_mass_nudge(' The digest it held is sent too.')
@STORE_TAKES_OVER
@click.pass_context
def run_command(ctx: click.Context, wait: bool, allow_mass_nudge: bool, store_takes_over: bool) -> None:
    """Run the whole cycle once: sync, Feedback, grades, health, nudges, digest (and the report).

    A failing step does not stop the steps that do not need it: grades and health need the
    Feedback read; nudges and the digest need health. `lmsync daemon` repeats this.
    """
    stop = StopFlag.install()  # first: a Ctrl-C while the configuration loads is a stop too, not "Aborted!"
    as_json = ctx.obj.log_format == "json"
    try:
        try:  # a second stop request raises where it lands: while these load, no step has run (round 80, 5)
            from lmsync.render.report import renderer

            config, report_renderer = ctx.obj.config(), renderer()
        except Exception as exc:
            if not stopped_by_request(exc, stop):
                raise
            result = stopped_before_start(cycle.STEPS, on_step=step_printer(as_json))  # each step says it
        else:  # from here on the cycle says a stop itself (``cycle_job``), but for one while it queued (--wait)
            with running(new_run_id()) as run_id:  # the id the lock's wait logged under is the steps' too
                try:
                    result = cycle.cycle_job(
                        config,
                        wait=wait,
                        should_stop=stop,
                        on_step=step_printer(as_json),
                        report_renderer=report_renderer,
                        allow_mass_nudge=allow_mass_nudge,
                        store_takes_over=store_takes_over,
                    )
                except StoppedWaiting:  # behind another run's lock: a stop before the run began, exit 1, not 4
                    # with "stopped": false and no run id (tester round 81, 2); the daemon's loop still reads it as 4
                    result = stopped_before_start(cycle.STEPS, as_of=programme_today(config), run_id=run_id,
                                                  on_step=step_printer(as_json))
    except Exception as exc:  # the last line as the daemon prints it: a shipper keyed on it sees this run too
        # (tester round 69, 6: a lock held, a store of another site); the code as the error handler will exit
        run_printer(as_json)(None, exit_code_for(exc))
        raise
    code = result.run_exit_code  # a stopped run is partial (tester round 3, 4)
    run_printer(as_json)(result, code)
    sys.exit(code)


def run_printer(as_json: bool) -> Callable[..., None]:
    """A run's last line: ``run ID: exit N`` for people (after "stopped on request" when it was), one
    ``{"run_id", "exit_code", "stopped"}`` object under ``--log-format json``, so a log shipper ties the
    steps to their outcome (tester round 3, 17); ``lmsync daemon`` prints it after each run (round 20, 7). A run
    that lost the programme's lock says so before it (``"lock_lost": true``; tester round 120b, 1)."""

    def show(result: cycle.CycleResult | None, code: int, stopped: bool = False) -> None:
        if result is None:  # the daemon's run failed before it started (its reason is in the log: round 22, 7),
            # or a stop came first (`daemon --once`: tester round 36, 3)
            said = "stopped on request before the run began" if stopped else "run failed before it started"
            say(json.dumps({"run_id": None, "exit_code": code, "stopped": stopped}) if as_json
                       else f"{said}: exit {code}")
            return
        if as_json:  # "lock_lost" only when it was: the line other runs print is unchanged (tester round 120b, 1)
            lost = {"lock_lost": True} if result.lock_lost else {}
            say(json.dumps({"run_id": result.run_id, "exit_code": code, "stopped": result.stopped, **lost}))
            return
        if result.lock_lost:  # its PostgreSQL connection closed: in lmsync's words, the run's id kept (round 120b, 1)
            say(RUN_LOST)
        elif result.stopped and any(s.state == "skipped" for s in result.steps):
            say("stopped on request: the skipped steps run on the next run")
        elif result.stopped and result.steps:  # it came during the last step, which ended (round 80, 4)
            say(f"stopped on request during the last step ({result.steps[-1].step}): no step was left to skip")
        say(f"run {result.run_id}: exit {code}")

    return show


command = [run_command]
