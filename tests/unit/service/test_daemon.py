"""Issue 11, "loops never spin": daemon intervals take units, refuse under a minute, back off."""

from __future__ import annotations

import threading

import pytest
from click.testing import CliRunner

from lmsync.cli import main
from lmsync.config import load_config
from lmsync.errors import EXIT_INPUT, EXIT_OK, EXIT_PARTIAL, ConfigError
from lmsync.service import jobs
from lmsync.service.jobs import StopFlag, backoff_delay, daemon_loop, parse_interval


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("90s", 90), ("15m", 900), ("1h", 3600), ("1d", 86400), (" 1.5H ", 5400), ("60s", 60)],
)
def test_issue_11_interval_takes_units(text, seconds):
    assert parse_interval(text) == seconds


@pytest.mark.parametrize("text", ["1s", "59s", "0.5m"])
def test_issue_11_interval_under_one_minute_is_refused(text):
    with pytest.raises(ValueError, match="under one minute"):
        parse_interval(text)


@pytest.mark.parametrize("text", ["0s", "-5m", "-1h"])
def test_tester_round_8_10_a_zero_or_negative_interval_is_not_an_interval(text):
    """``-5m`` was refused as "under one minute"."""
    with pytest.raises(ValueError, match="is not an interval: it must be more than zero"):
        parse_interval(text)


@pytest.mark.parametrize("text", ["15", "", "m", "abc", "5 minutes", "nanm", "infh"])
def test_issue_11_interval_without_a_unit_or_number_is_refused(text):
    with pytest.raises(ValueError, match="use a number and a unit"):
        parse_interval(text)


def test_issue_11_daemon_interval_0s_is_refused_before_any_run(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))

    def never(*_args, **_kwargs):
        raise AssertionError("the daemon must not start")

    monkeypatch.setattr(jobs, "daemon_loop", never)
    result = CliRunner().invoke(main, ["daemon", "--interval", "0s"])
    assert result.exit_code in (2, EXIT_INPUT)  # click's usage error, or lmsync's bad-input code
    assert "more than zero" in result.output and "--interval" in result.output


class FakeTime:
    """A clock that only moves when the daemon sleeps."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


class Outcome:
    def __init__(self, converged: bool) -> None:
        self.converged, self.stopped = converged, False


def scripted(outcomes, fake, run_seconds=5.0):
    """A sync that takes ``run_seconds`` and then succeeds (True), fails (False) or raises."""
    script = list(outcomes)

    def run(_config, **_kwargs):
        fake.now += run_seconds
        outcome = script.pop(0)
        if isinstance(outcome, Exception):
            raise outcome
        return Outcome(outcome)

    return run


def loop(outcomes, *, interval=60.0, max_backoff=3600.0):
    fake = FakeTime()
    stop = StopFlag(threading.Event())
    code = daemon_loop(
        load_config(None, environ={}),
        interval,
        stop,
        run=scripted(outcomes, fake),
        max_runs=len(outcomes),
        sleep=fake.sleep,
        clock=fake.clock,
        max_backoff=max_backoff,
    )
    return code, fake.sleeps


def test_issue_11_failures_back_off_exponentially_and_a_success_resets(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    boom = RuntimeError("network down")
    code, sleeps = loop([boom, boom, False, True, boom, True])
    # start-to-start: interval * 2**failures minus the 5 s the run took; a success resets to the interval
    assert sleeps == [115, 235, 475, 55, 115]
    assert code == EXIT_OK


def test_issue_11_back_off_is_capped(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, sleeps = loop([False] * 7, interval=900, max_backoff=4 * 3600)
    assert [s + 5 for s in sleeps] == [1800, 3600, 7200, 14400, 14400, 14400]
    assert code == EXIT_PARTIAL


def test_backoff_never_waits_less_than_the_interval():
    assert backoff_delay(86400, 3, cap=3600) == 86400
    assert backoff_delay(60, 0) == 60 and backoff_delay(60, 200) == jobs.MAX_BACKOFF_SECONDS


def test_issue_11_a_configuration_error_ends_the_daemon(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, sleeps = loop([ConfigError("token refused"), True])
    assert code == ConfigError.exit_code and sleeps == []


def test_issue_11_a_non_positive_interval_never_spins(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ValueError, match="positive"):
        daemon_loop(load_config(None, environ={}), 0, StopFlag(threading.Event()), run=lambda *_a, **_k: None)


def test_a_stop_during_the_wait_ends_the_daemon_at_once(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    stop = StopFlag(threading.Event())
    runs = []

    def run(_config, **_kwargs):
        runs.append(1)
        threading.Timer(0.2, stop.event.set).start()
        return Outcome(True)

    code = daemon_loop(load_config(None, environ={}), 3600, stop, run=run)  # waits on the stop flag
    assert code == EXIT_OK and runs == [1]


@pytest.mark.parametrize("text", ["1M", "15M", " 2M "])
def test_tester_finding_12_a_capital_m_is_refused_as_months_or_minutes(text):
    with pytest.raises(ValueError, match="ambiguous: write m for minutes"):
        parse_interval(text)
    assert parse_interval(text.lower().replace("1m", "15m").replace(" 2m ", "2m")) >= 60


class Worst:
    def __init__(self, exit_code: int) -> None:
        self.exit_code, self.converged, self.stopped = exit_code, exit_code == 0, False


def test_tester_round_6_6_an_admin_must_act_result_keeps_the_interval(tmp_path, monkeypatch):
    """One grade lmsync cannot prove it wrote (exit 2 on every run) backed the daemon off to 6 h,
    holding back sync, nudges and digests for the whole programme; only exit 1 backs off."""
    monkeypatch.chdir(tmp_path)
    fake = FakeTime()
    script = [Worst(2), Worst(2), Worst(1), Worst(1), Worst(2), Worst(3), Worst(4), Worst(0)]

    def run(_config, **_kwargs):
        fake.now += 5.0
        return script.pop(0)

    code = daemon_loop(load_config(None, environ={}), 60.0, StopFlag(threading.Event()), run=run, max_runs=8,
                       sleep=fake.sleep, clock=fake.clock, max_backoff=3600.0)
    assert fake.sleeps == [55, 55, 115, 235, 55, 55, 55]
    assert code == EXIT_OK


def test_tester_round_8_10_the_last_run_announces_no_next_one(tmp_path, monkeypatch):
    """``daemon --once`` ending 2 logged ``daemon.admin_must_act ... next_in_seconds=900``."""
    from structlog.testing import capture_logs

    monkeypatch.chdir(tmp_path)
    fake = FakeTime()
    script = [Worst(2), Worst(2)]

    def run(_config, **_kwargs):
        return script.pop(0)

    with capture_logs() as logs:
        code = daemon_loop(load_config(None, environ={}), 60.0, StopFlag(threading.Event()), run=run, max_runs=2,
                           sleep=fake.sleep, clock=fake.clock)
    told = [e for e in logs if e["event"] == "daemon.admin_must_act"]
    assert code == 2 and [e.get("next_in_seconds") for e in told] == [60, None]


@pytest.mark.parametrize("last", [1, 2])
def test_round_12_8_a_daemon_stopped_by_sigterm_exits_0_whatever_the_last_run_ended_with(tmp_path, monkeypatch, last):
    """Tester round 12, 8: SIGTERM after a failed run (1) or an "admin must act" run (2) made the
    daemon exit with that code, so `systemctl stop` left the unit failed. The stop is a success."""
    monkeypatch.chdir(tmp_path)
    stop = StopFlag(threading.Event())

    def run(_config, **_kwargs):
        threading.Timer(0.2, stop.event.set).start()
        return type("R", (), {"exit_code": last})()

    assert daemon_loop(load_config(None, environ={}), 3600, stop, run=run) == EXIT_OK


def test_round_12_8_a_daemon_stopped_while_its_run_fails_on_the_way_out_exits_0(tmp_path, monkeypatch):
    """Stopped while waiting for the lock: it said ``daemon.run_failed`` at error level and exited 4."""
    monkeypatch.chdir(tmp_path)
    stop = StopFlag(threading.Event())

    def run(_config, **_kwargs):
        stop.event.set()
        raise type("Locked", (Exception,), {"exit_code": 4})("stopped while queued")

    assert daemon_loop(load_config(None, environ={}), 3600, stop, run=run) == EXIT_OK


def test_round_20_1_a_failed_run_logs_its_reason_and_fix_not_only_the_class(tmp_path, monkeypatch):
    from structlog.testing import capture_logs

    monkeypatch.chdir(tmp_path)

    def run(_config, **_kwargs):
        raise ConfigError("the store /x belongs to site https://a.example", hint="run lmsync doctor")

    announced = []
    with capture_logs() as logs:
        code = daemon_loop(load_config(None, environ={}), 60.0, StopFlag(threading.Event()), run=run, max_runs=1,
                           on_run=lambda result, c: announced.append((result, c)))
    (failed,) = [e for e in logs if e["event"] == "daemon.run_failed"]
    assert code == 2 and failed["error"] == "ConfigError"
    assert failed["message"] == "the store /x belongs to site https://a.example" and failed["hint"] == "run lmsync doctor"
    assert announced == [(None, 2)]  # its closing line all the same (tester round 22, 7)


def test_round_20_7_once_exits_as_lmsync_run_does_and_each_run_is_announced(tmp_path, monkeypatch):
    """SIGTERM mid-run: `daemon --once` exited 0 where `lmsync run` exits 1, and no run's closing line was printed."""
    from types import SimpleNamespace

    monkeypatch.chdir(tmp_path)
    stopped = SimpleNamespace(exit_code=0, run_exit_code=1, stopped=True, converged=True)
    announced = []
    code = daemon_loop(load_config(None, environ={}), 60.0, StopFlag(threading.Event()), run=lambda *_a, **_k: stopped,
                       max_runs=1, on_run=lambda result, c: announced.append((result, c)))
    assert code == 1 and announced == [(stopped, 1)]


def test_round_36_3_once_stopped_before_its_run_began_exits_1_and_says_so(tmp_path, monkeypatch):
    """`daemon --once` sent SIGTERM in its first second ran nothing and exited 0, with no closing line: a job
    recorded success for a run that never happened, where `lmsync run` exits 1."""
    monkeypatch.chdir(tmp_path)
    event = threading.Event()
    event.set()  # the stop came before the loop's first run
    ran, announced = [], []
    code = daemon_loop(load_config(None, environ={}), 60.0, StopFlag(event), run=lambda *_a, **_k: ran.append(1),
                       max_runs=1, on_run=lambda *args: announced.append(args))
    assert code == EXIT_PARTIAL and ran == [] and announced == [(None, EXIT_PARTIAL, True)]
    # a daemon without --once stopped at once is still a clean stop (tester round 12, 8)
    assert daemon_loop(load_config(None, environ={}), 60.0, StopFlag(event), run=lambda *_a, **_k: ran.append(1)) == EXIT_OK


def test_round_36_3_the_closing_line_of_a_run_stopped_before_it_began():
    from lmsync.cli.cycle import run_printer

    for as_json, expected in ((False, "stopped on request before the run began: exit 1"),
                              (True, '{"run_id": null, "exit_code": 1, "stopped": true}')):
        runner = CliRunner()
        with runner.isolation() as (out, _err, *_rest):
            run_printer(as_json)(None, 1, True)
        assert out.getvalue().decode().strip() == expected


def test_round_69_5_backing_off_says_the_wait_left_after_a_slow_failed_run(tmp_path, monkeypatch):
    """A failed run that spent 63 s retrying logged ``next_in_seconds=120``; the next run began 57 s later (runs
    start the interval apart). The line gives the wait left, and the interval it is counted from."""
    from structlog.testing import capture_logs

    monkeypatch.chdir(tmp_path)
    fake = FakeTime()
    script = [Worst(1), Worst(1), Worst(0)]

    def run(_config, **_kwargs):
        fake.now += 63.0
        return script.pop(0)

    with capture_logs() as logs:
        daemon_loop(load_config(None, environ={}), 60.0, StopFlag(threading.Event()), run=run, max_runs=3,
                    sleep=fake.sleep, clock=fake.clock, max_backoff=3600.0)
    told = [(e["next_in_seconds"], e["interval_seconds"]) for e in logs if e["event"] == "daemon.backing_off"]
    assert told == [(57, 120), (177, 240)] and fake.sleeps == [57, 177]


def test_round_75_6_admin_must_act_names_the_steps_and_their_lines(tmp_path, monkeypatch):
    """``daemon.admin_must_act`` gave the exit code alone: the admin had to find which step, and why."""
    from datetime import date

    from structlog.testing import capture_logs

    from lmsync.service.cycle_result import CycleResult, StepResult

    monkeypatch.chdir(tmp_path)
    result = CycleResult("r1", date(2027, 1, 4), [
        StepResult("sync", "partial", 2, "in sync; 1 group carries a circle's ID number"),
        StepResult("feedback", "ok", 0, "2 read"),
        StepResult("grades", "partial", 1, "1 refused"),
    ])
    with capture_logs() as logs:
        code = daemon_loop(load_config(None, environ={}), 60.0, StopFlag(threading.Event()), run=lambda _c, **_k: result,
                           max_runs=1, sleep=FakeTime().sleep, clock=FakeTime().clock)
    (told,) = [e for e in logs if e["event"] == "daemon.admin_must_act"]
    assert code == 2 and told["steps"] == {"sync": "in sync; 1 group carries a circle's ID number"}
