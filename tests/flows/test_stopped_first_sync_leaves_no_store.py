"""Tester round 100a, 14: a first `lmsync sync` stopped on request (Ctrl-C, SIGTERM) left a store holding nothing.

Stopped before its first batch, a sync returns "stopped" (exit 1, "stopped on request before Moodle was in sync")
rather than raising, so the rule "a failed sync that stored nothing leaves no store" (tester round 97b, 1) did not
see it fail: the store it made stayed, holding only its schema and its binding, and `health` and `queue list` no
longer refused with "no store" (exit 3); `health` judged every pair as new. A sync, `run` or `daemon --once`
stopped on request before storing anything now removes the store it made, at whichever step the stop lands; a store
that holds anything, or was there before, stays.

The stop is injected at a chosen step (no timed signals): the command's ``StopFlag`` is set as it is installed,
while the store opens, or once the plan is made (the first stop: the sync stops before its first batch); or the
step raises the second stop's ``StoppedAtOnce`` or a ``KeyboardInterrupt``.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from lmsync.config import load_config
from lmsync.errors import StoppedAtOnce
from lmsync.service import jobs, runtime
from lmsync.service import sync as sync_service
from lmsync.service.runtime import store_session
from lmsync.store.db import Store
from tests.flows.conftest import run_in


def _store_of(home: Path) -> Path:
    return load_config(home / "lmsync.toml", environ={}).store_path()


def _no_store(path: Path) -> bool:
    """No store file at ``path``, and none of SQLite's companions beside it."""
    return not path.exists() and not list(path.parent.glob(path.name + "-*"))


def _still_refused(home: Path) -> None:
    """`health` and `queue list` still say there is no store (exit 3)."""
    health = run_in(home, "health")
    assert health.exit_code == 3 and "there is no store at" in health.output, health.output
    queue = run_in(home, "queue", "list")
    assert queue.exit_code == 3 and "there is no store at" in queue.output, queue.output


def _stop_at(step: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The command's stop request lands at ``step``: ``install`` (a Ctrl-C as the command starts), ``open`` (while
    the store opens), ``plan`` (once the plan is made), or ``at_once``/``interrupt`` (the plan step raises the
    second stop's exception, or ``KeyboardInterrupt``)."""
    event = threading.Event()
    install = jobs.StopFlag.install

    def installed(cls: type[jobs.StopFlag]) -> jobs.StopFlag:
        install()  # the handlers as ever; the flag the test sets
        if step == "install":
            event.set()
        return cls(event)

    monkeypatch.setattr(jobs.StopFlag, "install", classmethod(installed))

    def setting(original: Callable[..., Any]) -> Callable[..., Any]:
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            result = original(*args, **kwargs)
            if step == "at_once":
                raise StoppedAtOnce("stopped at once on a second stop request")
            if step == "interrupt":
                raise KeyboardInterrupt
            event.set()
            return result

        return wrapped

    if step == "open":
        monkeypatch.setattr(runtime, "open_store", setting(runtime.open_store))
    elif step != "install":
        monkeypatch.setattr(sync_service, "make_plan", setting(sync_service.make_plan))


@pytest.mark.parametrize("step", ["install", "open", "plan", "at_once", "interrupt"])
def test_a_first_sync_stopped_on_request_leaves_no_store(demo_home: Path, monkeypatch: pytest.MonkeyPatch,
                                                         step: str) -> None:
    _stop_at(step, monkeypatch)
    stopped = run_in(demo_home, "sync")
    assert stopped.exit_code == 1, stopped.output
    store = _store_of(demo_home)
    assert _no_store(store) and store.with_suffix(".lock").exists(), list(store.parent.iterdir())
    monkeypatch.undo()
    _still_refused(demo_home)
    assert _no_store(store)


@pytest.mark.parametrize("command", [("run",), ("daemon", "--once")])
@pytest.mark.parametrize("step", ["open", "plan"])
def test_a_first_run_or_daemon_once_stopped_on_request_leaves_no_store(
    demo_home: Path, monkeypatch: pytest.MonkeyPatch, command: tuple[str, ...], step: str
) -> None:
    _stop_at(step, monkeypatch)
    stopped = run_in(demo_home, *command)
    assert stopped.exit_code == 1, stopped.output
    assert _no_store(_store_of(demo_home))
    monkeypatch.undo()
    _still_refused(demo_home)


def test_a_stopped_sync_keeps_a_store_that_holds_data(demo_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert (first := run_in(demo_home, "sync")).exit_code == 0, first.output
    _stop_at("plan", monkeypatch)
    stopped = run_in(demo_home, "sync")
    assert stopped.exit_code in (0, 1), stopped.output  # nothing left to do, or stopped: the store stays either way
    store = Store(_store_of(demo_home), read_only=True)
    try:
        assert store.holds_data()
    finally:
        store.close()


def test_a_session_stopped_on_request_removes_only_a_store_it_made(demo_home: Path) -> None:
    """A stop (``should_stop()`` true as the session closes) counts as a failure for the commands that ask
    (``failed``): the empty store the session made goes; one that was there before, empty or not, stays."""
    config = load_config(demo_home / "lmsync.toml", environ={})
    made = config.store_path()
    with store_session(config, failed=lambda: False, should_stop=lambda: True):
        pass
    assert _no_store(made)
    with store_session(config, failed=lambda: False):  # made, not stopped: kept, empty as it is
        pass
    assert made.exists()
    with store_session(config, failed=lambda: False, should_stop=lambda: True):  # there before: never removed
        pass
    assert made.exists()


@pytest.mark.parametrize("variable", ["LMSYNC_STORE_PATH", "LMSYNC_STORE_URL"])
def test_a_stopped_sync_leaves_no_folder_it_made_for_its_store(demo_home: Path, monkeypatch: pytest.MonkeyPatch,
                                                               variable: str) -> None:
    """Tester round 100a, 7: the store's folder did not exist; the lock made it, and the run made no store there:
    neither the folder nor its lock file is left (``lock._unmade_folders``)."""
    monkeypatch.chdir(demo_home)
    monkeypatch.setenv(variable, "sqlite:///nodir/s.db" if variable.endswith("URL") else str(demo_home / "nodir/s.db"))
    _stop_at("plan", monkeypatch)
    stopped = run_in(demo_home, "sync")
    assert stopped.exit_code == 1, stopped.output
    assert not (demo_home / "nodir").exists(), list((demo_home / "nodir").iterdir())
