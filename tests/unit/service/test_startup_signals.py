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
