"""Tester round 109b, 1 and 3: `lmsync health`, `nudge` and `grades push` under a clock behind the store's records.

1. After a coordinator's `queue done --outcome closed` on a day, `lmsync run` under a clock a day back refused, but
   `lmsync nudge` messaged that closed pair's people (exit 0); after coordinator commands alone (`queue ack`,
   `meetings add`), `lmsync health` under a clock behind them wrote snapshots and moved queue items, and `lmsync grades
   push` went on: the three checked only the last health judgement. They now refuse as `lmsync run` does (exit 2,
   nothing written or sent); `nudge --dry-run` still shows, with a warning.
3. `lmsync doctor`'s clock FAIL listed the refusing commands without `health`, `nudge` and `grades push`.

The days are ahead of the wall clock, as in round 107a's tests, and the store's instants are dated by the same clock
(``now_iso``), as the tester's faketime dates them.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from lmsync.config import load_config
from lmsync.errors import EXIT_ADMIN, EXIT_OK
from lmsync.moodle.emulator.state import Site
from lmsync.service import programme_settings
from lmsync.store import db, journal, pairings, queue, surveys
from lmsync.store import meetings as stored_meetings
from lmsync.store.db import Store
from lmsync.store.schema import coordinator_queue, health_snapshots
from tests.flows.conftest import mentee_of, run_in

BASE = datetime.now(UTC).date() + timedelta(days=30)  # ahead of the wall clock: no instant the store wrote is later
MENTOR = "m0001"


def _on(monkeypatch: pytest.MonkeyPatch, day: date) -> None:
    """09:00 UTC on ``day`` for the programme's clock and the store's instants (the tester's faketime)."""
    at = datetime.combine(day, datetime.min.time(), tzinfo=UTC) + timedelta(hours=9)
    monkeypatch.setattr(programme_settings, "clock", lambda: at)
    for module in (db, pairings, journal, queue, surveys, stored_meetings):
        monkeypatch.setattr(module, "now_iso", lambda timespec="seconds": at.isoformat(timespec=timespec))


def _said(result: Any) -> str:
    return " ".join(result.output.split())


def _state(home: Path) -> tuple[Any, ...]:
    """What health, a nudge or a grades push would change: the snapshots, the queue, Moodle's messages and grades."""
    config = load_config(home / "lmsync.toml", environ={})
    store = Store(config.store_path())
    try:
        snapshots = [tuple(r) for r in store.rows(health_snapshots.select().order_by(
            health_snapshots.c.day, health_snapshots.c.mentor_id, health_snapshots.c.mentee_id))]
        queue = [tuple(r) for r in store.rows(coordinator_queue.select().order_by(coordinator_queue.c.id))]
    finally:
        store.close()
    site = Site.load(config.emulator_state_path())
    grades = {item_id: repr(item.grades) for item_id, item in site.grade_items.items()}
    return snapshots, queue, len(site.messages), grades


def _refused_as_run(result: Any, back: date, words: str) -> None:
    said = _said(result)
    assert result.exit_code == EXIT_ADMIN, result.output
    assert f"the clock says {back.isoformat()}, but {words}" in said, said
    assert "nothing was written or sent" in said, said


@pytest.mark.sqlite_only("the built-in emulator's store is a SQLite file")
def test_round_109b_1_nudge_health_and_grades_push_refuse_a_clock_behind_a_coordinators_outcome(
    demo_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _on(monkeypatch, BASE)
    run_in(demo_home, "run")
    _on(monkeypatch, BASE + timedelta(days=42))
    assert run_in(demo_home, "run", "--allow-mass-nudge").exit_code in (EXIT_OK, EXIT_ADMIN)
    mentee = mentee_of(demo_home, MENTOR)
    closed = BASE + timedelta(days=58)  # past [nudges] interval_days since the run's nudges
    _on(monkeypatch, closed)
    done = run_in(demo_home, "queue", "done", MENTOR, mentee, "--outcome", "closed")
    assert done.exit_code == EXIT_OK, done.output
    before = _state(demo_home)

    back = closed - timedelta(days=1)
    _on(monkeypatch, back)
    queue_words = "this store last recorded a coordinator's queue record (an acknowledgement, an outcome"
    assert run_in(demo_home, "run").exit_code == EXIT_ADMIN  # as before
    for args in (("nudge",), ("nudge", "--as-of", back.isoformat()), ("health",), ("grades", "push")):
        _refused_as_run(run_in(demo_home, *args), back, queue_words)
        assert _state(demo_home) == before, args  # nothing sent to the closed pair, judged or pushed

    preview = run_in(demo_home, "nudge", "--dry-run")  # a preview still shows, and says a send would be refused
    assert preview.exit_code == EXIT_OK, preview.output
    assert (f"warning: a real `lmsync nudge` refuses to send now (exit 2): the clock says {back.isoformat()}, but "
            f"{queue_words}") in _said(preview), preview.output
    assert run_in(demo_home, "health", "--as-of", back.isoformat()).exit_code == EXIT_OK
    assert _state(demo_home) == before

    doctor = run_in(demo_home, "doctor")  # round 109b, 3: its list names every command that refuses
    assert doctor.exit_code == EXIT_ADMIN, doctor.output
    assert ("`lmsync sync`, `apply`, `run`, `health`, `nudge`, `grades push` and the commands that record a day"
            in _said(doctor)), doctor.output

    _on(monkeypatch, closed)  # the clock right again: they go on, and the closed pair is not nudged
    assert run_in(demo_home, "health").exit_code == EXIT_OK
    assert "warning: a real" not in _said(run_in(demo_home, "nudge", "--dry-run"))


@pytest.mark.sqlite_only("the built-in emulator's store is a SQLite file")
def test_round_109b_1_health_and_grades_push_refuse_a_clock_behind_a_meeting_recorded(
    demo_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _on(monkeypatch, BASE)
    run_in(demo_home, "run")
    mentee = mentee_of(demo_home, MENTOR)
    recorded = BASE + timedelta(days=12)  # no run that day: only a coordinator's record dates it
    _on(monkeypatch, recorded)
    added = run_in(demo_home, "meetings", "add", "--mentor", MENTOR, "--mentee", mentee, "--date",
                   (BASE + timedelta(days=3)).isoformat(), "--minutes", "30")
    assert added.exit_code == EXIT_OK, added.output
    before = _state(demo_home)

    back = BASE + timedelta(days=10)  # ahead of the last judgement (BASE): `check_clock` alone let them go on
    _on(monkeypatch, back)
    words = "this store last recorded a meeting, a survey answer or an import"
    for args in (("health",), ("grades", "push"), ("nudge",)):
        _refused_as_run(run_in(demo_home, *args), back, words)
        assert _state(demo_home) == before, args
