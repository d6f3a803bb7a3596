"""Tester round 99b, 3: two ``lmsync demo`` runs at once both exited 0, and the second set aside the first one's
half-made store, saying it "holds data added after that demo"; the next demo then stopped, asking to move three
``.previous`` files away. Started at the same moment, the second said the first's new store held "a programme the
demo did not make" (exit 3). The demo tried its stores' locks once, let them go, and then looked at and set aside
its stores holding none; between its sync and its played term it held none either. It now holds both locks from
before it looks at anything until its markers are written, so a second demo, at any of those moments, is refused
(exit 4, "another lmsync run holds ...") with nothing moved or written."""

from __future__ import annotations

import fcntl
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from lmsync.service import demo, jobs
from tests.flows import test_demo_leaves_a_urlless_rehearsal_alone as rehearsal

_run, _digest, home = rehearsal._run, rehearsal._digest, rehearsal.home  # home: a fixture

LOCKS = ("mentoring-2026.lock", "mentoring-2026.demo.lock")


def _held_by_another(path: Path) -> bool:
    """Whether a lock on ``path`` is refused to a new open file, as to another run (``flock`` is per open file)."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)
    return False


def _files(folder: Path) -> dict[str, str]:
    """Every file but the lock files (their holders write their pid in them), by name, with its digest."""
    return {p.name: _digest(p) for p in sorted(folder.iterdir()) if p.is_file() and p.suffix != ".lock"}


def _second_demo(folder: Path) -> subprocess.CompletedProcess[str]:
    lmsync = Path(sys.executable).with_name("lmsync")
    return subprocess.run([str(lmsync), "--log-level", "warning", "demo"], capture_output=True, text=True,
                          timeout=120, env=dict(os.environ), cwd=folder.parents[2])


@pytest.mark.sqlite_only("the demo's flock files beside its SQLite stores")
def test_a_second_demo_at_any_moment_of_the_first_is_refused_and_moves_nothing(home, monkeypatch):
    assert (first := _run("demo")).exit_code == 0, first.output  # a previous demo, for the next to set aside
    seen: dict[str, list[bool]] = {}
    second: dict[str, subprocess.CompletedProcess[str]] = {}
    before_second: dict[str, dict[str, str]] = {}
    after_second: dict[str, dict[str, str]] = {}

    def probe(phase: str, *, run_second: bool = False) -> None:
        seen[phase] = [_held_by_another(home / name) for name in LOCKS]
        if run_second:  # a real second process, as the tester's `lmsync demo & sleep 2.2; lmsync demo`
            before_second[phase] = _files(home)
            second[phase] = _second_demo(home)
            after_second[phase] = _files(home)

    def wrapped(name: str, phase: str, *, run_second: bool = False) -> None:
        real = getattr(demo, name)

        def hooked(*args: Any, **kwargs: Any) -> Any:
            if phase not in seen:
                probe(phase, run_second=run_second)
            return real(*args, **kwargs)

        monkeypatch.setattr(demo, name, hooked)

    wrapped("refuse_unless_demos", "before it looks at its stores", run_second=True)
    wrapped("mark_made", "as it makes its new store")
    real_sync = jobs.sync_job

    def sync_then_probe(*args: Any, **kwargs: Any) -> Any:
        result = real_sync(*args, **kwargs)
        probe("between its sync and its played term", run_second=True)
        return result

    monkeypatch.setattr(demo.jobs, "sync_job", sync_then_probe)
    wrapped("mark_finished", "as it writes its markers")

    again = _run("demo")

    assert again.exit_code == 0, again.output
    assert set(seen) == {"before it looks at its stores", "as it makes its new store",
                         "between its sync and its played term", "as it writes its markers"}
    for phase, held in seen.items():
        assert held == [True, True], f"{phase}: the locks of {LOCKS} held: {held}"
    for phase, refused in second.items():
        assert refused.returncode == 4, f"{phase}: {refused.stdout}{refused.stderr}"
        assert "another lmsync run holds" in refused.stderr, refused.stderr
        assert "kept as" not in refused.stdout and "Built-in Moodle emulator" not in refused.stdout, refused.stdout
        assert "did not make" not in refused.stderr and "data added" not in refused.stdout + refused.stderr
        assert after_second[phase] == before_second[phase], f"{phase}: the second demo moved or wrote files"
    # the first demo ran on undisturbed: the next demo finds nothing added and runs
    assert "It holds data added" not in again.output, again.output
    assert (third := _run("demo")).exit_code == 0, third.output
    assert "It holds data added" not in third.output, third.output
