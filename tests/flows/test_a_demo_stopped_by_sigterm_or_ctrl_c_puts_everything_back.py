"""Tester round 99b, 4 and 5: a demo stopped part-way.

4: Ctrl-C during the demo printed that the previous demo's store and played term's store were back, then about a
hundred lines of traceback ending in ``sqlite3.ProgrammingError: Cannot operate on a closed database``: the
KeyboardInterrupt had landed inside SQLAlchemy's calls, whose clean-up then failed. The message never named the
site (``<programme>.emulator.json``), though it was put back too.
5: SIGTERM killed the demo (exit 143), putting nothing back: a meeting added to the previous demo's store sat in
``<programme>.db.previous`` and the active store was half-made.

The demo now takes SIGTERM and Ctrl-C as every run that stops does (``jobs.StopFlag``): it stops between steps,
puts the previous store, site and played term's store back, names all three, and exits 1 with no traceback.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.flows import test_demo_leaves_a_urlless_rehearsal_alone as rehearsal

_run, _digest, home = rehearsal._run, rehearsal._digest, rehearsal.home  # home: a fixture

#: A demo that asks itself to stop (``signals``, in turn) as its played term imports its surveys, runs ``after``
#: (where the stop landed), then goes on.
STOPPED_DEMO = textwrap.dedent("""
    import os, signal, sys
    from lmsync.service import demo_term
    real = demo_term.import_surveys
    def stop_here(*args, **kwargs):
        try:
            for signum in {signals}:
                os.kill(os.getpid(), signum)
        except KeyboardInterrupt:  # Python's own Ctrl-C, where nothing takes it: as it lands inside SQLAlchemy
            {after}
            raise
        {after}
        return real(*args, **kwargs)
    demo_term.import_surveys = stop_here
    from lmsync.cli import main
    sys.argv = ["lmsync", "--log-level", "warning", "demo"]
    main()
""")


def _previous_demo(home: Path) -> dict[str, str]:
    """A finished demo whose store holds a meeting added after it (the tester's), its files' digests."""
    assert (first := _run("demo")).exit_code == 0, first.output
    added = _run("meetings", "add", "--date", "2026-11-20", "--mentor", "m0001", "--mentee", "s0008", "--minutes",
                 "30", "--rating", "4", "--rated-by", "mentor")
    assert added.exit_code == 0, added.output
    return _state(home)


def _state(home: Path) -> dict[str, str]:
    names = ("mentoring-2026.db", "mentoring-2026.emulator.json", "mentoring-2026.demo.db")
    return {name: _digest(home / name) for name in names}


def _stopped_demo(home: Path, signals: list[int], after: str = "") -> subprocess.CompletedProcess[str]:
    code = STOPPED_DEMO.format(signals=signals, after=after or "pass")
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                          env=dict(os.environ), cwd=home.parents[2])


def _assert_put_back(home: Path, stopped: subprocess.CompletedProcess[str], before: dict[str, str]) -> None:
    said = stopped.stdout + stopped.stderr
    assert stopped.returncode == 1, said  # as every stopped run (README: `lmsync run`, `nudge`)
    assert "Traceback" not in said and "closed database" not in said, said
    assert "stopped on request" in stopped.stderr, stopped.stderr
    assert ("The demo stopped before it finished; back where they were, no longer kept as .previous: "
            f"the previous demo's store at {home / 'mentoring-2026.db'}, "
            f"its site at {home / 'mentoring-2026.emulator.json'} "
            f"and the played term's store at {home / 'mentoring-2026.demo.db'}.") in stopped.stdout, said
    assert _state(home) == before  # the meeting added is in the store again, not in a .previous
    assert not list(home.glob("*.previous*")), sorted(p.name for p in home.iterdir())


@pytest.mark.sqlite_only("the built-in emulator's store is a SQLite file")
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["sigterm", "ctrl-c"])
def test_a_demo_stopped_part_way_puts_back_the_store_site_and_term_and_names_all_three(home, signum):
    before = _previous_demo(home)

    stopped = _stopped_demo(home, [int(signum)])

    _assert_put_back(home, stopped, before)
    listed = _run("meetings", "list")  # the meeting added after the previous demo is still there
    assert listed.exit_code == 0 and "Umar Yilmaz (s0008)" in listed.output, listed.output
    assert (again := _run("demo")).exit_code == 0, again.output  # the next demo runs as after that demo


@pytest.mark.sqlite_only("the built-in emulator's store is a SQLite file")
def test_a_second_ctrl_c_landing_inside_sqlite_ends_the_demo_as_a_stop_without_a_traceback(home):
    """A second Ctrl-C stops at once, where it lands: inside SQLAlchemy's calls its clean-up raised "Cannot operate
    on a closed database" in its place, which is the stop all the same."""
    before = _previous_demo(home)
    closed = ("import sqlite3, sqlalchemy.exc; raise sqlalchemy.exc.ProgrammingError("
              "'PRAGMA', None, sqlite3.ProgrammingError('Cannot operate on a closed database.'))")

    stopped = _stopped_demo(home, [int(signal.SIGINT)], after=closed)

    _assert_put_back(home, stopped, before)

