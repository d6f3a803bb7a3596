"""Tester round 92a, 3: a mentee whose mentor left is given a second role (teacher) in the course.

The rule (``[matching] dual_role = "exclude"``, the default): a person with a mentor role and a mentee role is
left out of new matching until an admin decides; a pair that still exists is kept. Their mentor gone, their pair
ended: the plan takes them out of the circle and matches them with nobody. The plan listed the removal, but the
warning said only "left out of matching", the plan counted no mentee without a mentor, and after the sync
``lmsync match`` said "0 unmatched" of a mentee in no circle. Now the warning says they are taken out of their
circle, why, and what the coordinator can do, and the plan and the match count them among the unmatched.
"""

from __future__ import annotations

import json
import re
from typing import Any

from lmsync.config import Config
from tests.flows.conftest import mentee_of, run_in

NO_HOLD = "\n[sync]\naway_mentor_hold_days = 0\n"  # the mentor's hold over: their circle's members leave now


def _mentor_left_then_teacher(home: Any, hold: str = NO_HOLD) -> str:
    """``home``'s programme synced, m0002 unenrolled, then their first mentee given the teacher role: that mentee."""
    (home / "lmsync.toml").write_text((home / "lmsync.toml").read_text() + hold)
    assert run_in(home, "sync").exit_code == 0
    mentee = mentee_of(home, "m0002")
    assert run_in(home, "emulator", "edit", "unenrol", "m0002").exit_code == 0
    given = run_in(home, "emulator", "edit", "role", mentee, "teacher")
    assert given.exit_code == 0, given.output
    return mentee


def _section(text: str, label: str) -> list[str]:
    """The operation lines under the plan's ``label: N`` line, after checking there are N of them."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(f"  {label}: "))
    count = int(lines[start].rsplit(" ", 1)[1])
    ops = []
    for line in lines[start + 1:]:
        if not line.startswith("    "):
            break
        ops.append(line.strip())
    assert len(ops) == count, (count, ops)
    return ops


def test_the_plan_lists_the_two_role_mentees_removal_and_warns_they_are_taken_out(demo_home: Any) -> None:
    mentee = _mentor_left_then_teacher(demo_home)
    plan = run_in(demo_home, "plan")
    assert plan.exit_code == 0, plan.output
    removals = _section(plan.output, "remove member")
    assert all(line.startswith("! ") and re.search(r"\(.+\)$", line) for line in removals), removals
    (theirs,) = [line for line in removals if f"({mentee})" in line]
    assert "left with no mentor" in theirs and "a mentor role and a mentee role" in theirs, theirs
    (warning,) = [line for line in plan.output.splitlines() if "warning:" in line and f"({mentee})" in line]
    assert "taken out of their circle, with no mentor" in warning, warning
    assert "the mentor of their circle is no longer active" in warning, warning
    assert "take one of their two roles away in Moodle" in warning and 'dual_role = "mentee"' in warning, warning
    # the plan counts them among the mentees it leaves without a mentor, saying why
    assert "1 mentee(s) without a mentor in this match" in plan.output, plan.output
    assert "1: a mentor role and a mentee role: left out of matching until an admin decides" in plan.output

    as_json = json.loads(run_in(demo_home, "plan", "--format", "json").output)
    ops = [op for op in as_json["operations"] if op["kind"] == "remove_member"]
    assert len(ops) == len(removals) and all(f"! {op['what']}" in removals for op in ops)
    assert sum(as_json["unmatched"].values()) == 1, as_json["unmatched"]


def test_after_the_sync_match_counts_the_two_role_mentee_in_no_circle(demo_home: Any) -> None:
    mentee = _mentor_left_then_teacher(demo_home)
    before = json.loads(run_in(demo_home, "match", "--format", "json").output)
    (left,) = [u for u in before["unmatched"] if u["mentee"] == mentee]
    assert left["previous"] == "m0002", left  # their pair that ended, named
    assert run_in(demo_home, "sync").exit_code == 0
    match = run_in(demo_home, "match")
    assert match.exit_code == 0, match.output
    assert " 0 unmatched" not in match.output and ", 1 unmatched" in match.output, match.output
    (row,) = [line for line in match.output.splitlines() if f"({mentee})" in line and "unmatched:" in line]
    assert "a mentor role and a mentee role: left out of matching until an admin decides" in row, row
    (warning,) = [line for line in match.output.splitlines() if line.startswith("warning:") and f"({mentee})" in line]
    assert "in no circle, with no mentor" in warning and "take one of their two roles away" in warning, warning
    after = json.loads(run_in(demo_home, "match", "--format", "json").output)
    assert [u["mentee"] for u in after["unmatched"]] == [mentee], after["unmatched"]
    again = run_in(demo_home, "plan")
    assert "1 mentee(s) without a mentor in this match" in again.output, again.output


def test_while_the_circle_is_held_the_warning_says_they_stay_then_are_taken_out(demo_home: Any) -> None:
    mentee = _mentor_left_then_teacher(demo_home, hold="")
    assert run_in(demo_home, "sync").exit_code == 0  # the mentor's circle is held as it is
    plan = run_in(demo_home, "plan")
    (warning,) = [line for line in plan.output.splitlines() if "warning:" in line and f"({mentee})" in line]
    assert "they stay in their circle while it is held for its mentor until" in warning, warning
    assert "then are taken out of it with no mentor unless the mentor is back" in warning, warning
    assert "mentee(s) without a mentor" not in plan.output, plan.output  # still in their (held) circle


def test_a_two_role_person_in_no_circle_is_among_the_matchs_unmatched() -> None:
    from lmsync.service.match import run_match
    from lmsync.service.roster import people_from_roster
    from tests.unit.matching.test_people_state import two_roles_roster

    read = people_from_roster(two_roles_roster(), Config())
    assert "s0005" not in read.people.by_id()  # left out of matching, as before
    result = run_match(read.people, Config(), read.notices, left_out=read.left_out)
    (left,) = [u for u in result.unmatched if u.mentee == "s0005"]
    assert left.reason.startswith("a mentor role and a mentee role: left out of matching") and left.previous is None
