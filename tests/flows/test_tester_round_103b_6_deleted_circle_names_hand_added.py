"""Tester round 103b, 6: `--allow-delete` deleted a circle still holding someone a teacher added by hand (no
mentor or mentee role, never placed by lmsync) without naming them: the plan said the forum discussions that
lose their group, not the membership that goes with it; and once the circle's hold for its away mentor ended,
the plan without --allow-delete no longer said they are left where they are. The deletion now names how many
and who (text and JSON; `plan --out` keeps their ids), and the kept circle's warning counts them again. Whether
the group is deleted does not change."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from lmsync.config import load_config
from lmsync.domain.plan import mentor_group_idnumber
from lmsync.errors import EXIT_OK
from lmsync.moodle.emulator.records import Enrolment, User
from lmsync.moodle.emulator.state import Site
from lmsync.service import programme_settings
from tests.flows.conftest import run_in

DAY = date(2026, 3, 2)


def _on(monkeypatch: pytest.MonkeyPatch, day: date) -> None:
    monkeypatch.setattr(programme_settings, "clock", lambda: datetime.combine(day, datetime.min.time(), tzinfo=UTC)
                        + timedelta(hours=12))


def _said(result: Any) -> str:
    return " ".join(result.output.split())


@pytest.mark.sqlite_only("the built-in emulator's store is a SQLite file")
def test_round_103b_6_deleting_a_circle_names_the_member_added_by_hand(
    demo_home: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    _on(monkeypatch, DAY)
    assert run_in(demo_home, "sync").exit_code == EXIT_OK
    path = load_config(demo_home / "lmsync.toml", environ={}).emulator_state_path()
    site = Site.load(path)
    mentor = next(u for u in site.users.values() if u.username == "m0010")
    group = next(g for g in site.groups.values() if g.idnumber == mentor_group_idnumber("mentor-2026", mentor.id))
    manager = site.next_id("users")  # a manager a teacher put into the circle by hand, as the tester did
    site.users[manager] = User(manager, "mgr0001", "Mona", "Manager", "mgr0001@example.org")
    site.courses[2].enrolments[manager] = Enrolment(role="manager")
    group.members.add(manager)
    site.save(path)
    assert run_in(demo_home, "emulator", "edit", "unenrol", "m0010").exit_code == EXIT_OK
    assert run_in(demo_home, "sync").exit_code == EXIT_OK  # the circle is held while its mentor is away
    _on(monkeypatch, DAY + timedelta(days=15))  # the hold is over

    kept = _said(run_in(demo_home, "plan"))
    assert "1 member(s) of lmsync's circles hold no mentor or mentee role" in kept and "left where they are" in kept

    plan = run_in(demo_home, "plan", "--allow-delete")
    delete = next(line for line in plan.output.splitlines() if f"[{group.idnumber}]" in line and "! " in line)
    words = ("it still holds 1 member(s) not put there by lmsync (no mentor or mentee role: added by hand), "
             "whose membership goes with the group: Mona Manager (mgr0001)")
    assert words in delete, plan.output
    assert "left where they are" not in _said(plan), "a member whose group is deleted is not left where they are"
    data = json.loads(run_in(demo_home, "plan", "--allow-delete", "--format", "json").output)
    (row,) = [op for op in data["operations"] if op["kind"] == "delete_group"]
    assert words in row["what"]
    assert run_in(demo_home, "plan", "--allow-delete", "--out", "plan.json").exit_code == EXIT_OK
    saved = json.loads((demo_home / "plan.json").read_text())
    assert [op["hand_added"] for op in saved["operations"] if op["kind"] == "delete_group"] == [[manager]]

    synced = run_in(demo_home, "sync", "--allow-delete")
    assert synced.exit_code == EXIT_OK and words in _said(synced), synced.output
    assert group.id not in Site.load(path).groups, "the group is deleted as before"
