"""Tester round 111b, 1 and 5: `lmsync person erase` and the read-only commands under a clock behind the store.

1. `lmsync person erase` under a clock set back (2026-10-20, behind a run of 2026-10-28) erased, exit 0, and dated
   the erasure that earlier day: a meeting it had erased, dated 2026-10-26, was then imported again ("1 added"). It
   now refuses as the other commands that record do (exit 2, nothing erased, nothing asked), and `lmsync doctor`'s
   list of what refuses names it; with the clock right the erasure goes on and the old meeting is withheld.
5. Under such a clock `lmsync report` wrote a report "as of" that earlier day and `lmsync grades plan` showed a plan
   that `grades push` refuses, neither with a word; `health --as-of` of a day already judged said only "a day to
   come". The reads now warn on stderr, and the refusal says the clock went back.

The days are ahead of the wall clock, as in round 109b's tests, and the store's instants are dated by the same clock
(``now_iso``), as the tester's faketime dates them.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from lmsync.config import load_config
from lmsync.errors import EXIT_ADMIN, EXIT_INPUT, EXIT_OK
from lmsync.moodle.emulator.state import Site
from lmsync.service import privacy, programme_settings
from lmsync.service.clock_check import ClockWentBack
from lmsync.store import db, journal, pairings, queue, surveys
from lmsync.store import meetings as stored_meetings
from lmsync.store.db import Store
from lmsync.store.schema import erasures, health_snapshots, meetings
from tests.flows.conftest import mentee_of, run_in

BASE = datetime.now(UTC).date() + timedelta(days=30)  # ahead of the wall clock: no instant the store wrote is later
MENTOR = "m0001"
JUDGED = BASE + timedelta(days=14)
BACK = BASE + timedelta(days=6)
MET = BASE + timedelta(days=3)


def _on(monkeypatch: pytest.MonkeyPatch, day: date) -> None:
    """09:00 UTC on ``day`` for the programme's clock and the store's instants (the tester's faketime)."""
    at = datetime.combine(day, datetime.min.time(), tzinfo=UTC) + timedelta(hours=9)
    monkeypatch.setattr(programme_settings, "clock", lambda: at)
    for module in (db, pairings, journal, queue, surveys, stored_meetings):
        monkeypatch.setattr(module, "now_iso", lambda timespec="seconds": at.isoformat(timespec=timespec))


def _said(result: Any) -> str:
    return " ".join(result.output.split())


def _stored(home: Path) -> tuple[Any, ...]:
    """The store's meetings, erasures and health snapshots, and Moodle's grades: what an erasure or a read changes."""
    config = load_config(home / "lmsync.toml", environ={})
    store = Store(config.store_path())
    try:
        found = tuple([tuple(r) for r in store.rows(table.select())] for table in (meetings, erasures, health_snapshots))
    finally:
        store.close()
    site = Site.load(config.emulator_state_path())
    return (*found, {item_id: repr(item.grades) for item_id, item in site.grade_items.items()})


def _judged_then_back(home: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A run on BASE, a meeting of MENTOR's first mentee dated MET, a run judging JUDGED, then the clock at BACK:
    the mentee's username."""
    _on(monkeypatch, BASE)
    run_in(home, "run")
    mentee = mentee_of(home, MENTOR)
    _on(monkeypatch, MET + timedelta(days=1))
    added = run_in(home, "meetings", "add", "--mentor", MENTOR, "--mentee", mentee, "--date", MET.isoformat(),
                   "--minutes", "50")
    assert added.exit_code == EXIT_OK, added.output
    _on(monkeypatch, JUDGED)
    assert run_in(home, "run", "--allow-mass-nudge").exit_code in (EXIT_OK, EXIT_ADMIN)
    assert JUDGED.isoformat() in {str(value) for row in _stored(home)[2] for value in row}, "health judged JUDGED"
    _on(monkeypatch, BACK)
    return mentee


@pytest.mark.sqlite_only("the built-in emulator's store is a SQLite file")
def test_round_111b_1_person_erase_refuses_a_clock_behind_the_store_and_erases_nothing(
    demo_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    mentee = _judged_then_back(demo_home, monkeypatch)
    before = _stored(demo_home)
    assert before[0], "the meeting is stored"
    words = (f"the clock says {BACK.isoformat()}, but this store's last run judged the programme on "
             f"{JUDGED.isoformat()}: the system clock went back")
    for args in (("--yes",), ()):  # with --yes, and without: refused before anything is asked
        refused = run_in(demo_home, "person", "erase", mentee, "--while-enrolled", *args)
        assert refused.exit_code == EXIT_ADMIN, refused.output
        said = _said(refused)
        assert words in said and "nothing was erased" in said, said
        assert "Erase everything" not in said, said
        assert _stored(demo_home) == before, args  # the meeting kept, no erasure recorded

    config = load_config(demo_home / "lmsync.toml", environ={})
    with pytest.raises(ClockWentBack):  # the erasure checks again in its own session
        privacy.erase(config, mentee, while_enrolled=True)
    assert _stored(demo_home) == before

    doctor = run_in(demo_home, "doctor")  # its list of what refuses names the erasure
    assert doctor.exit_code == EXIT_ADMIN, doctor.output
    assert "`import surveys`, `person erase`) refuse to write, send or erase (exit 2)" in _said(doctor), doctor.output

    _on(monkeypatch, JUDGED + timedelta(days=1))  # the clock right: the erasure goes on, the old meeting stays out
    erased = run_in(demo_home, "person", "erase", mentee, "--while-enrolled", "--yes")
    assert erased.exit_code == EXIT_OK, erased.output
    register = demo_home / "reg.csv"
    register.write_text("date,mentor,mentee,minutes,attended,notes,rated_by\n"
                        f"{MET.isoformat()},{MENTOR},{mentee},50,yes,old register note,mentor\n")
    _on(monkeypatch, JUDGED + timedelta(days=2))
    imported = run_in(demo_home, "import", "meetings", str(register))
    assert imported.exit_code == EXIT_OK, imported.output
    assert "1 withheld" in _said(imported) and "1 added" not in _said(imported), imported.output


@pytest.mark.sqlite_only("the built-in emulator's store is a SQLite file")
def test_round_111b_5_report_grades_plan_and_health_as_of_say_the_clock_went_back(
    demo_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _judged_then_back(demo_home, monkeypatch)
    before = _stored(demo_home)
    words = (f"the clock says {BACK.isoformat()}, but this store's last run judged the programme on "
             f"{JUDGED.isoformat()}: the system clock went back")

    report = run_in(demo_home, "report", "--out", str(demo_home / "r.html"))
    assert report.exit_code == EXIT_OK, report.output
    said = _said(report)
    assert f"warning: {words}" in said and f"this report shows {BACK.isoformat()} by that clock" in said, said
    assert "`person erase`) refuse to write, send or erase (exit 2)" in said and "fix: set the system clock" in said

    plan = run_in(demo_home, "grades", "plan")
    assert plan.exit_code == EXIT_OK, plan.output
    assert f"warning: `lmsync grades push` refuses to write now (exit 2): {words}" in _said(plan), plan.output

    recorded = run_in(demo_home, "health", "--as-of", JUDGED.isoformat())
    assert recorded.exit_code == EXIT_INPUT, recorded.output
    said = _said(recorded)
    assert f"that day is not to come for this store: {words}" in said, said
    assert f"once its day reaches {JUDGED.isoformat()}, --as-of {JUDGED.isoformat()} shows it" in said, said
    ahead = run_in(demo_home, "health", "--as-of", (JUDGED + timedelta(days=1)).isoformat())  # a day to come indeed
    assert ahead.exit_code == EXIT_INPUT and "not to come" not in _said(ahead), ahead.output
    assert _stored(demo_home) == before  # the reads wrote nothing

    _on(monkeypatch, JUDGED)  # the clock right again: no warning
    assert "warning" not in _said(run_in(demo_home, "grades", "plan"))
