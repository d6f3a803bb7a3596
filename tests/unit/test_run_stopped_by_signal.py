"""Round 80, 4 and 5: ``lmsync run``'s steps and its last object disagreed about a stop.

4. A SIGTERM during the report step (the last): the step finished and the last object said
   ``"stopped": false``, exit 0, although lmsync had logged ``lmsync.stopping``.
5. A second SIGTERM during start-up left only ``{"run_id": null, ..., "stopped": false}`` and no step;
   a second SIGTERM during the report step failed it while the last object said ``"stopped": false``.

A run that received a stop request says ``stopped`` wherever the request landed, and exits 1 as the
README says of every stopped run. The steps are the real CLI's, each one's work replaced by a stub.
"""

from __future__ import annotations

import json
import os
import signal
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from lmsync.cli import main
from lmsync.errors import EXIT_OK, EXIT_PARTIAL
from lmsync.service import cycle
from lmsync.service.cycle_result import StepResult

BEFORE = "stopped on request before the run began"


def _sigterm(times: int = 1) -> None:
    for _ in range(times):
        os.kill(os.getpid(), signal.SIGTERM)


def _report_after(times: int) -> Callable[[Any], StepResult]:
    def report(_run: Any) -> StepResult:  # the stop request(s) land while the report is drawn
        _sigterm(times)
        return StepResult("report", "ok", EXIT_OK, "report written")

    return report


def _run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, *, report: Callable[[Any], StepResult] | None = None,
         as_json: bool = True) -> Result:
    """``lmsync run`` on the built-in emulator with a report path, every step's work a stub that succeeds."""
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.setenv("LMSYNC_REPORT_PATH", str(tmp_path / "report.html"))
    monkeypatch.chdir(tmp_path)
    for name in cycle.STEPS:
        monkeypatch.setitem(cycle._RUNNERS, name, lambda _run, n=name: StepResult(n, "ok", EXIT_OK, "done"))
    if report is not None:
        monkeypatch.setitem(cycle._RUNNERS, "report", report)
    before = (signal.getsignal(signal.SIGTERM), signal.getsignal(signal.SIGINT))
    try:
        return CliRunner().invoke(main, [*(["--log-format", "json"] if as_json else []), "run"])
    finally:
        signal.signal(signal.SIGTERM, before[0])
        signal.signal(signal.SIGINT, before[1])


def _objects(result: Result) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    *steps, last = [json.loads(line) for line in result.stdout.strip().splitlines()]
    return steps, last


def test_round_80_4_a_stop_during_the_last_step_lets_it_finish_and_says_stopped(tmp_path, monkeypatch):
    result = _run(tmp_path, monkeypatch, report=_report_after(1))
    steps, last = _objects(result)
    assert [(s["step"], s["state"]) for s in steps] == [(name, "ok") for name in cycle.STEPS]  # the report finished
    assert last == {"run_id": steps[0]["run_id"], "exit_code": EXIT_PARTIAL, "stopped": True}
    assert result.exit_code == EXIT_PARTIAL  # a stopped run exits 1 wherever the stop landed (README)


def test_round_80_4_the_text_closing_lines_say_the_stop_without_a_skipped_step(tmp_path, monkeypatch):
    result = _run(tmp_path, monkeypatch, report=_report_after(1), as_json=False)
    *_, said, closing = result.stdout.strip().splitlines()
    assert said == "stopped on request during the last step (report): no step was left to skip"
    assert closing.endswith(": exit 1") and result.exit_code == EXIT_PARTIAL


def test_round_80_5_a_second_stop_that_fails_the_last_step_says_stopped(tmp_path, monkeypatch):
    result = _run(tmp_path, monkeypatch, report=_report_after(2))
    steps, last = _objects(result)
    assert (steps[-1]["step"], steps[-1]["state"], steps[-1]["error"]) == ("report", "failed", "StoppedAtOnce")  # a PartialFailure of its own (round 82a, 2)
    assert "stopped at once" in steps[-1]["summary"]
    assert last == {"run_id": steps[0]["run_id"], "exit_code": EXIT_PARTIAL, "stopped": True}
    assert result.exit_code == EXIT_PARTIAL


def _assert_stopped_before_any_step(result: Result) -> None:
    steps, last = _objects(result)
    assert [(s["step"], s["state"], s["summary"]) for s in steps] == [(n, "skipped", BEFORE) for n in cycle.STEPS]
    assert last["run_id"] and {s["run_id"] for s in steps} == {last["run_id"]}  # one run, named
    assert (last["stopped"], last["exit_code"], result.exit_code) == (True, EXIT_PARTIAL, EXIT_PARTIAL)


def test_round_80_5_a_second_stop_while_the_session_opens_lists_every_step_not_run(tmp_path, monkeypatch):
    from lmsync.service import clock_check

    monkeypatch.setattr(clock_check, "check_run_clock", lambda *_a, **_k: _sigterm(2))  # inside the session, before a step
    _assert_stopped_before_any_step(_run(tmp_path, monkeypatch))


def test_round_80_5_a_second_stop_before_the_cycle_is_called_lists_every_step_not_run(tmp_path, monkeypatch):
    from lmsync.render import report

    def renderer() -> None:  # the CLI draws its report renderer before the cycle: the stop lands there
        _sigterm(2)

    monkeypatch.setattr(report, "renderer", renderer)
    _assert_stopped_before_any_step(_run(tmp_path, monkeypatch))


def test_round_80_5_an_error_while_stopping_that_is_not_the_stop_is_said_as_it_is(tmp_path, monkeypatch):
    """Only the stop's own error reads as the stop: a configuration error an admin must fix keeps its code."""
    from lmsync.errors import ConfigError
    from lmsync.service import clock_check

    def check(*_a: Any, **_k: Any) -> None:
        _sigterm(1)
        raise ConfigError("the store belongs to another site")

    monkeypatch.setattr(clock_check, "check_run_clock", check)
    result = _run(tmp_path, monkeypatch)
    assert result.exit_code == 2
    assert json.loads(result.stdout.strip().splitlines()[-1]) == {"run_id": None, "exit_code": 2, "stopped": False}


def test_round_80_5_a_second_stop_while_the_session_closes_keeps_the_steps_and_says_stopped(tmp_path, monkeypatch):
    """After the last step, while the store is closed: the steps stand (none repeated), and the run says stopped."""
    from lmsync.store.db import Store

    close = Store.close

    def interrupted_close(self: Store) -> None:
        if self.read_only:  # a look before the steps (the emulator's site file, tester round 117b, 7): not the session
            close(self)
            return
        try:
            _sigterm(2)  # the second raises here
        finally:
            close(self)

    monkeypatch.setattr(Store, "close", interrupted_close)
    result = _run(tmp_path, monkeypatch)
    steps, last = _objects(result)
    assert [(s["step"], s["state"]) for s in steps] == [(name, "ok") for name in cycle.STEPS]
    assert last == {"run_id": steps[0]["run_id"], "exit_code": EXIT_PARTIAL, "stopped": True}
    assert result.exit_code == EXIT_PARTIAL
