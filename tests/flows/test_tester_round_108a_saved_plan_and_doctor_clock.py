"""Tester round 108a, 7, 10 and 8: a saved plan's refusal and its empty file in words; doctor and a clock gone back.

7. ``emulator edit move s0044 --out``; ``plan --out p3.json``; ``emulator edit move s0053 --out``; ``apply p3.json``
   refused naming the operation the file lacks by its journal key, ``(add_member:lmsync:mentoring-2026:mentor:71:55)``:
   it is now named as the plan prints it, ``add member NAME (s0053) to NAME (mNNNN)'s circle``.
10. A plan saved with no operations, applied later, printed "Applied in 0 batches, 0.0s: nothing": it now says the
   file holds nothing to apply, exit 0; when lmsync plans writes now (Moodle changed since), the refusal says the file
   holds none, what lmsync plans now, and to run ``lmsync plan`` again.
8. ``lmsync doctor`` said "no problems" under a clock behind the last day the store recorded, while every write was
   refused: it now fails a ``clock`` check in ``clock_check``'s words, exit 2.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from lmsync.config import load_config
from lmsync.domain.plan import mentor_of_idnumber
from lmsync.errors import EXIT_ADMIN, EXIT_OK
from lmsync.moodle.emulator.state import Site
from lmsync.service import programme_settings
from tests.flows.conftest import run_in

MENTOR = "m0002"


def _said(result: Any) -> str:
    return " ".join(result.output.split())


def _site(home: Any) -> Site:
    return Site.load(load_config(home / "lmsync.toml", environ={}).emulator_state_path())


def _label(site: Site, username: str) -> str:
    """A person as the plan names them: ``Full Name (username)``."""
    user = next(u for u in site.users.values() if u.username == username)
    return f"{user.firstname} {user.lastname} ({user.username})"


def _two_mentees(home: Any) -> tuple[str, str]:
    """The usernames of two mentees in ``MENTOR``'s circle, as synced."""
    site = _site(home)
    mentor_id = next(u.id for u in site.users.values() if u.username == MENTOR)
    group = next(g for g in site.groups.values() if mentor_of_idnumber("mentor-2026", g.idnumber) == mentor_id)
    first, second = sorted(group.members - {mentor_id})[:2]
    return site.users[first].username, site.users[second].username


def _ok(home: Any, *args: str) -> str:
    result = run_in(home, *args)
    assert result.exit_code == EXIT_OK, result.output
    return str(result.output)


def test_round_108a_7_apply_names_an_operation_the_file_lacks_as_the_plan_prints_it(demo_home: Any) -> None:
    _ok(demo_home, "sync")
    first, second = _two_mentees(demo_home)
    _ok(demo_home, "emulator", "edit", "move", first, "--out")
    assert "add member: 1" in _ok(demo_home, "plan", "--out", "p3.json")
    _ok(demo_home, "emulator", "edit", "move", second, "--out")
    refused = run_in(demo_home, "apply", "p3.json")
    assert refused.exit_code == EXIT_ADMIN, refused.output
    said = _said(refused)
    site = _site(demo_home)
    assert (f"it lacks 1 of the 2 operations lmsync plans now (add member {_label(site, second)} to "
            f"{_label(site, MENTOR)}'s circle (put back: taken out in Moodle") in said, said
    assert "add_member:" not in said, "no journal key for an admin to decode"


def test_round_108a_10_a_plan_saved_with_no_operations_says_it_holds_nothing_to_apply(demo_home: Any) -> None:
    _ok(demo_home, "sync")
    _ok(demo_home, "plan", "--out", "p.json")
    applied = run_in(demo_home, "apply", "p.json")
    assert applied.exit_code == EXIT_OK, applied.output
    said = _said(applied)
    assert ("nothing to apply: p.json holds no operations, and lmsync plans none now (Moodle already matches); "
            "nothing was written") in said, said
    assert "Applied in" not in said


def test_round_108a_10_an_empty_plan_when_lmsync_now_plans_writes_says_so_and_to_plan_again(demo_home: Any) -> None:
    _ok(demo_home, "sync")
    _ok(demo_home, "plan", "--out", "p.json")
    mentee = _two_mentees(demo_home)[0]
    _ok(demo_home, "emulator", "edit", "move", mentee, "--out")  # Moodle changed: lmsync puts them back
    before = sorted((g.idnumber, sorted(g.members)) for g in _site(demo_home).groups.values())
    refused = run_in(demo_home, "apply", "p.json")
    assert refused.exit_code == EXIT_ADMIN, refused.output
    said = _said(refused)
    site = _site(demo_home)
    assert ("Refusing the saved plan: the file holds no operations (lmsync planned none when it was saved), and "
            f"lmsync now plans 1 (add member {_label(site, mentee)} to {_label(site, MENTOR)}'s circle") in said, said
    assert "run `lmsync plan` again" in said
    assert sorted((g.idnumber, sorted(g.members)) for g in site.groups.values()) == before, "nothing written"


BASE = datetime.now(UTC).date() + timedelta(days=30)  # ahead of the wall clock: no instant the store wrote is later


def _on(monkeypatch: pytest.MonkeyPatch, day: date) -> None:
    monkeypatch.setattr(programme_settings, "clock", lambda: datetime.combine(day, datetime.min.time(), tzinfo=UTC)
                        + timedelta(hours=10))


@pytest.mark.sqlite_only("the built-in emulator's store is a SQLite file")
def test_round_108a_8_doctor_fails_a_clock_behind_the_last_day_the_store_recorded(
    demo_home: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    last = BASE + timedelta(days=16)
    _on(monkeypatch, last)
    ran = run_in(demo_home, "run")  # syncs and judges the programme on ``last``
    assert ran.exit_code in (EXIT_OK, EXIT_ADMIN), ran.output
    assert "clock" not in _ok(demo_home, "doctor"), "nothing said of a clock that is right"

    _on(monkeypatch, BASE)
    behind = run_in(demo_home, "doctor")
    assert behind.exit_code == EXIT_ADMIN, behind.output
    said = _said(behind)
    assert (f"[FAIL] clock: the clock says {BASE.isoformat()}, but this store's last run judged the programme on "
            f"{last.isoformat()}: the system clock went back") in said, said
    assert "`lmsync sync`, `apply`, `run`, `health`, `nudge`, `grades push` and the commands that record a day" in said
    assert "fix: set the system clock right (timedatectl; chronyc tracking)" in said
    assert "no problems" not in said
    assert run_in(demo_home, "sync").exit_code == EXIT_ADMIN, "as the sync it warns of refuses"
