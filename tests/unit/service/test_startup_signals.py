"""Tester round 17, 7: a SIGTERM while ``lmsync run`` or ``daemon`` was still importing killed it
(exit 143) where the README promises exit 1 for a stopped run and 0 for a stopped daemon."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess

import pytest

from lmsync import startup_signals
from lmsync.service.jobs import StopFlag


@pytest.mark.parametrize(
    ("argv", "holds"),
    [
        (["/venv/bin/lmsync", "--config", "x.toml", "daemon", "--interval", "15m"], True),
        (["/venv/bin/lmsync", "run"], True),
        (["/venv/bin/lmsync", "plan"], False),  # a read: Python's own handlers, a kill is a kill
        (["/venv/bin/pytest", "-k", "run"], False),  # not the console script: never touched
    ],
)
def test_round_17_7_only_the_console_scripts_stopping_commands_hold_an_early_signal(argv, holds, monkeypatch):
    monkeypatch.setattr(startup_signals.signal, "signal", lambda *_a: None)  # the test process keeps its handlers
    assert startup_signals.hold_while_starting(argv) is holds


def test_round_17_7_a_signal_held_while_starting_stops_the_command_at_once(monkeypatch):
    before = (signal.getsignal(signal.SIGTERM), signal.getsignal(signal.SIGINT))
    monkeypatch.setattr(startup_signals, "pending", [signal.SIGTERM])
    try:
        assert StopFlag.install()()
    finally:
        signal.signal(signal.SIGTERM, before[0])
        signal.signal(signal.SIGINT, before[1])


HOOK = """
import os, signal, sys


class _SignalDuringImports:  # SIGTERM to this process when lmsync.cli starts importing click
    fired = False

    def find_spec(self, name, path=None, target=None):
        if name == "click" and not _SignalDuringImports.fired:
            _SignalDuringImports.fired = True
            os.kill(os.getpid(), signal.SIGTERM)
        return None


sys.meta_path.insert(0, _SignalDuringImports())
"""


@pytest.mark.sqlite_only("the daemon runs on the built-in emulator's SQLite store")
@pytest.mark.skipif(shutil.which("lmsync") is None, reason="needs the lmsync console script")
@pytest.mark.parametrize(("command", "code"), [(["daemon", "--interval", "15m"], 0), (["run"], 1)])
def test_round_17_7_sigterm_while_lmsync_still_imports_is_a_clean_stop(tmp_path, command, code):
    """The signal arrives (from a sitecustomize hook) while ``lmsync.cli`` imports click, long before the
    command installs its handler: before the fix the process died with -SIGTERM (143 in a shell)."""
    hook = tmp_path / "hook"
    hook.mkdir()
    (hook / "sitecustomize.py").write_text(HOOK)
    env = {**os.environ, "HOME": str(tmp_path), "XDG_STATE_HOME": str(tmp_path / "state"),
           "XDG_CONFIG_HOME": str(tmp_path / "config"), "PYTHONPATH": str(hook)}
    env.pop("LMSYNC_CONFIG", None)
    done = subprocess.run([shutil.which("lmsync") or "lmsync", *command], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == code, (done.stdout, done.stderr)


def test_round_33_2_a_second_stop_request_stops_at_once_and_the_signals_are_held_at_exit(monkeypatch):
    """A hung Moodle held a stop for the whole read timeout and a second Ctrl-C did nothing; a SIGTERM
    landing while Python shut down turned a finished run's exit 0 into 143 (tester round 33, 1 and 2)."""
    import atexit

    registered = []
    monkeypatch.setattr(atexit, "register", lambda fn, *args: registered.append((fn, args)))
    before = (signal.getsignal(signal.SIGTERM), signal.getsignal(signal.SIGINT))
    mask = signal.pthread_sigmask(signal.SIG_BLOCK, [])
    try:
        flag = StopFlag.install()
        os.kill(os.getpid(), signal.SIGTERM)
        assert flag()  # the first asks for a stop between batches
        from lmsync.errors import PartialFailure

        with pytest.raises(PartialFailure, match="stopped at once") as stopped:
            os.kill(os.getpid(), signal.SIGINT)  # the second stops now, where the run is (exit 1)
        assert stopped.value.exit_code == 1
        ((fn, args),) = registered
        fn(*args)  # at exit both are ignored by the whole process (rounds 81, 3 and 82a, 5: blocking in one thread was not enough)
        assert signal.getsignal(signal.SIGTERM) == signal.SIG_IGN and signal.getsignal(signal.SIGINT) == signal.SIG_IGN
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, mask)
        signal.signal(signal.SIGTERM, before[0])
        signal.signal(signal.SIGINT, before[1])


def test_round_33_2_a_run_stopped_while_moodle_fails_says_stopped_not_failed(tmp_path, monkeypatch):
    import threading

    from lmsync.config import load_config
    from lmsync.service.cycle import cycle_job

    token = tmp_path / "token"
    token.write_text("0f1e2d3c4b5a69788796a5b4c3d2e1f0\n")
    token.chmod(0o600)
    path = tmp_path / "lmsync.toml"
    path.write_text(f'[moodle]\nurl = "http://127.0.0.1:9"\ntoken_file = "{token}"\n'
                    f'[store]\npath = "{tmp_path / "s.db"}"\n')
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    class StopInTheFirstRetryWait(StopFlag):  # SIGTERM while the sync's first read is retried: not a timer,
        def wait(self, seconds: float) -> bool:  # which on a slower store opening fired before the sync began
            self.event.set()
            return True

    flag = StopInTheFirstRetryWait(threading.Event())
    result = cycle_job(load_config(path, environ={}), should_stop=flag)
    sync = result.step("sync")
    assert sync.state == "partial" and "stopped on request" in sync.summary and result.stopped
    assert all(result.step(s).state == "skipped" for s in ("health", "nudges", "digest"))


def test_round_34_2_a_run_stopped_twice_still_ends_with_its_closing_line(tmp_path, monkeypatch):
    """Two stop requests while Moodle hung: the run ended with no `run ID: exit N` line and no JSON
    closing object. The second now fails the step it lands in; the run skips the rest and says its code."""
    import json

    from click.testing import CliRunner

    from lmsync.cli import main
    from lmsync.service import cycle

    def hung_sync(_run):  # two SIGTERMs while a request to Moodle hangs
        os.kill(os.getpid(), signal.SIGTERM)
        os.kill(os.getpid(), signal.SIGTERM)
        raise AssertionError("the second stop request did not stop the step")

    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.chdir(tmp_path)
    monkeypatch.setitem(cycle._RUNNERS, "sync", hung_sync)
    before = (signal.getsignal(signal.SIGTERM), signal.getsignal(signal.SIGINT))
    try:
        result = CliRunner().invoke(main, ["--log-format", "json", "run"])
    finally:
        signal.signal(signal.SIGTERM, before[0])
        signal.signal(signal.SIGINT, before[1])
    assert result.exit_code == 1, result.output
    last = json.loads(result.stdout.strip().splitlines()[-1])
    assert last["exit_code"] == 1 and last["stopped"] is True
    steps = [json.loads(line) for line in result.stdout.strip().splitlines()[:-1]]
    assert steps[0]["step"] == "sync" and "stopped at once" in steps[0]["summary"]
