"""A new admin's third round (tester round 3): what `lmsync run` and `lmsync sync` say when stopped.

A run stopped by SIGTERM or Ctrl-C leaves work for the next run: cron and systemd must see a
partial run (exit 1), not a success (finding 4).
"""

from __future__ import annotations

import json
import threading
from typing import Any

import pytest
from click.testing import CliRunner

from lmsync.cli import cycle as cycle_cli
from lmsync.cli import main
from lmsync.errors import EXIT_PARTIAL
from lmsync.service import jobs


class StopAfter(jobs.StopFlag):
    """A stop flag that reads set from its ``calls``-th check on, as if SIGTERM came then."""

    def __init__(self, calls: int) -> None:
        super().__init__(threading.Event())
        self.left = calls

    def __call__(self) -> bool:
        self.left -= 1
        return self.left < 0


@pytest.fixture
def env(cli_home: Any) -> Any:
    return cli_home


def test_round_3_finding_4_a_run_stopped_before_its_steps_exits_partial(env: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cycle_cli.StopFlag, "install", classmethod(lambda cls: StopAfter(0)))
    result = CliRunner().invoke(main, ["--log-level", "warning", "run"])
    assert result.exit_code == EXIT_PARTIAL, result.output
    assert "stopped on request: the skipped steps run on the next run" in result.output
    assert result.stdout.strip().splitlines()[-1].endswith(f"exit {EXIT_PARTIAL}")


def test_round_3_finding_4_a_sync_stopped_midway_exits_partial_and_the_next_converges(
    env: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(jobs.StopFlag, "install", classmethod(lambda cls: StopAfter(1)))
    stopped = CliRunner().invoke(main, ["--log-level", "warning", "sync"])
    assert stopped.exit_code == EXIT_PARTIAL, stopped.output
    assert "stopped on request before Moodle was in sync" in stopped.output
    assert "the next run continues where this one left off" in stopped.output
    monkeypatch.undo()
    monkeypatch.setenv("XDG_STATE_HOME", str(env / "state"))
    monkeypatch.delenv("LMSYNC_TOKEN", raising=False)
    monkeypatch.chdir(env)
    again = CliRunner().invoke(main, ["--log-level", "warning", "sync"])
    assert again.exit_code == 0, again.output
    assert "in sync after" in again.output


def test_round_3_finding_17_json_step_lines_and_the_last_line_carry_the_run_id(env: Any) -> None:
    result = CliRunner().invoke(main, ["--log-format", "json", "--log-level", "info", "run"])
    lines = [json.loads(line) for line in result.stdout.splitlines() if line.strip()]
    *steps, last = lines
    assert [s["step"] for s in steps][:2] == ["sync", "feedback"]
    assert last == {"run_id": steps[0]["run_id"], "exit_code": result.exit_code, "stopped": False}
    assert {s["run_id"] for s in steps} == {last["run_id"]} and len(last["run_id"]) >= 8
    logged = [json.loads(line) for line in result.stderr.splitlines() if '"cycle.step"' in line]
    assert len(logged) == len(steps) and {e["run_id"] for e in logged} == {last["run_id"]}  # the same run


def test_tester_round_6_9_a_stopped_cycle_logs_that_it_stopped(env: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """``cycle.done`` said exit_code 0 for a run that exited 1 after a stop: its ``stopped`` says why."""
    monkeypatch.setattr(cycle_cli.StopFlag, "install", classmethod(lambda cls: StopAfter(1)))
    result = CliRunner().invoke(main, ["--log-format", "json", "run"])
    assert result.exit_code == EXIT_PARTIAL, result.output
    lines = [json.loads(line) for line in result.output.splitlines() if line.startswith("{")]
    done = [e for e in lines if e.get("event") == "cycle.done"]
    assert len(done) == 1 and done[0]["stopped"] is True, lines
    assert done[0]["exit_code"] == EXIT_PARTIAL  # the code the run exits with (tester round 7, 3)
