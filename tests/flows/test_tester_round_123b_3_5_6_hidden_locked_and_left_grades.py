"""Tester round 123b, 3, 5 and 6: a locked rating of mentors a teacher showed, a response edited down to too few
answers, and the grades lmsync's items hold with no meeting behind them.

3: a mentor's mean rating by their mentees (``lmsync_checkin-received-T1``, hidden: README [grades]) that a teacher
showed and locked stayed visible to the mentor, and the plan and the run (ok, exit 0) called it an ordinary locked
column. Now it is a privacy problem: the plan names it with the fix, the run's grades step says admin (exit 2) and
``grades push`` exits 2 (doctor, which plans no grades, does not check it). Hidden again (still locked): a plain held
item, nothing said of it.

5: a response edited down to too few answers (below ``min_answered``) was named "no stored answer behind it any more
(its Feedback response was deleted in Moodle, say) ... or have the response submitted again"; now the words say how
many items are answered and needed, and JSON ``unanswered`` says the cause.

6: after the only meeting was taken back and the zeros pushed, the plan said "no changes (60 grades already in
Moodle)" while lmsync's items held 146 grades besides the assignment's 60: the zeros with no meeting behind them now
count as already in Moodle.

The built-in emulator's demo course (its "Relationship check-in" Feedback: items satisfaction, selfefficacy_goals,
selfefficacy_help), as the tester's repro scripts f3, f4 and f5.
"""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import time_machine

from lmsync.config import load_config
from tests.flows.conftest import mentee_of, run_in

HEAD = """[programme]
name = "mentor-2026"
peer_mentor_cohort = "peer-mentors-2026"
[nudges]
first_run_max_share = 1.0
[waves]
programme_start = 2026-09-01
"""
CHECKIN = """[instruments.checkin]
items = ["sat", "goals", "help"]
scale_min = 1
scale_max = 5
grade_name = "checkin"
feedback = "Relationship check-in"
feedback_items = { sat = "satisfaction", goals = "selfefficacy_goals", help = "selfefficacy_help" }
"""
RECEIVED = "lmsync_checkin-received-T1"
PRIVACY = ("a rating of a mentor lmsync keeps hidden, visible to the mentors it is about, and locked, so lmsync "
           "cannot hide it: hide it in Gradebook setup (unlock it first)")


def _state(home: Path) -> Path:
    return load_config(home / "lmsync.toml", environ={}).emulator_state_path()


def _edit(home: Path, change: Any) -> None:
    path = _state(home)
    data = json.loads(path.read_text())
    change(data)
    path.write_text(json.dumps(data))


def _form(data: dict[str, Any]) -> dict[str, Any]:
    return next(f for f in data["feedbacks"].values() if f["name"] == "Relationship check-in")


def _item(home: Path, name: str) -> dict[str, Any]:
    data = json.loads(_state(home).read_text())
    return next(i for i in data["grade_items"].values() if i.get("itemname") == name)


def _users(home: Path) -> dict[str, int]:
    data = json.loads(_state(home).read_text())
    return {v["username"]: int(k) for k, v in data["users"].items()}


def _step(output: str, name: str) -> str:
    return next(" ".join(line.split()) for line in output.splitlines() if line.startswith(f"{name} "))


def _flat(output: str) -> str:
    return " ".join(output.split())


def _received_published(home: Path) -> int:
    """The check-in (rates_mentor) answered in a closed wave T1 (November) by three of m0001's mentees, paired
    since September; pushed: m0001's received mean on its hidden item. Its itemnumber."""
    (home / "lmsync.toml").write_text(HEAD + "[waves.windows]\nT1 = { start = 2026-11-01, end = 2026-11-30 }\n"
                                      + CHECKIN + "rates_mentor = true\n")
    _edit(home, lambda d: _form(d).update(completeds=[]))
    with time_machine.travel(datetime(2026, 9, 2, 9, tzinfo=UTC), tick=True):
        assert run_in(home, "sync").exit_code == 0
    mentor = _users(home)["m0001"]

    def answer(data: dict[str, Any]) -> None:
        group = next(g for g in data["groups"].values() if g["idnumber"].endswith(f":mentor:{mentor}"))
        mentees = [u for u in group["members"] if u != mentor][:3]
        day = int(datetime(2026, 11, 10, 9, tzinfo=UTC).timestamp())
        _form(data)["completeds"] = [dict(id=n + 1, userid=uid, timemodified=day,
                                          values={"1": str(2 + n), "2": "3", "3": "4"}) for n, uid in enumerate(mentees)]
    _edit(home, answer)
    pushed = run_in(home, "grades", "push")
    assert pushed.exit_code == 0, pushed.output
    item = _item(home, RECEIVED)
    assert item["hidden"] is True and item["grades"][str(mentor)]["finalgrade"] == 3.33, item
    return int(item["itemnumber"])


def test_round_123b_3_a_received_rating_item_a_teacher_showed_and_locked_is_a_privacy_problem(demo_home: Any) -> None:
    number = _received_published(demo_home)
    _edit(demo_home, lambda d: next(i for i in d["grade_items"].values() if i.get("itemname") == RECEIVED).update(
        hidden=False, locked=True))  # a teacher shows the column and locks it, to "freeze" the term's figures

    plan = run_in(demo_home, "grades", "plan")
    assert plan.exit_code == 0, plan.output
    assert f"! {RECEIVED} [{number}]: {PRIVACY}" in _flat(plan.output), plan.output
    assert "no changes" not in plan.output, plan.output
    planned = run_in(demo_home, "grades", "plan", "--format", "json")
    data = json.loads(planned.output[planned.output.index("{"):])
    assert [(x["itemname"], x["exposed"], x["reason"]) for x in data["locked_items"]] == [(RECEIVED, True, PRIVACY)]
    assert data["in_sync"] is False

    ran = run_in(demo_home, "run")
    assert ran.exit_code == 2, ran.output
    line = _step(ran.output, "grades")
    assert line.startswith("grades admin"), line
    assert (f"1 rating item(s) of mentors lmsync keeps hidden are visible and locked in the gradebook ({RECEIVED} "
            f"[{number}]): the mentors they are about can read them and lmsync cannot hide them; hide them in "
            "Gradebook setup (unlock them first)") in line, line
    assert "locked by a teacher in the gradebook, left as they are" not in line, line  # no ordinary locked column

    pushed = run_in(demo_home, "grades", "push")
    assert pushed.exit_code == 2, pushed.output
    assert "rating item(s) of mentors lmsync keeps hidden are visible and locked" in _flat(pushed.output), pushed.output
    assert "unlock the item, then hide it" in _flat(pushed.output), pushed.output

    assert _item(demo_home, RECEIVED)["hidden"] is False  # lmsync wrote nothing to the locked item

    # the teacher hides it again, still locked: a plain held item, no privacy problem
    _edit(demo_home, lambda d: next(i for i in d["grade_items"].values() if i.get("itemname") == RECEIVED).update(
        hidden=True))
    plan = run_in(demo_home, "grades", "plan")
    assert f"= {RECEIVED} [{number}]: locked by a teacher in the gradebook" in _flat(plan.output), plan.output
    assert "visible to the mentors" not in plan.output, plan.output
    ran = run_in(demo_home, "run")
    assert _step(ran.output, "grades").startswith("grades ok"), ran.output


def test_round_123b_5_a_response_edited_down_to_too_few_answers_says_so(demo_home: Any) -> None:
    (demo_home / "lmsync.toml").write_text(HEAD + "[waves.windows]\nT1 = { start = 2026-11-01, end = 2027-01-31 }\n"
                                           + CHECKIN + "min_answered = 0.6\n")
    users = _users(demo_home)
    students = [users[u] for u in ("s0001", "s0002", "s0003", "s0004")]
    _edit(demo_home, lambda d: _form(d).update(completeds=[
        dict(id=n + 1, userid=uid, timemodified=int(time.time()) - 3600, values={"1": "4", "2": "3", "3": "4"})
        for n, uid in enumerate(students)]))
    assert run_in(demo_home, "sync").exit_code == 0
    assert run_in(demo_home, "grades", "push").exit_code == 0
    assert _item(demo_home, "lmsync_checkin-T1")["grades"][str(students[0])]["finalgrade"] == 3.67

    _edit(demo_home, lambda d: _form(d)["completeds"][0].update(values={"1": "4"}))  # s0001 clears two answers
    pushed = run_in(demo_home, "grades", "push")
    assert pushed.exit_code == 0, pushed.output
    flat = _flat(pushed.output)
    assert "published, too few stored answers to make a score any more: 1 survey grade(s) left as they are" in flat
    assert ("(s0001): published, its stored answers no longer make a score (1 of 3 items answered, 2 needed: the "
            "response was edited, say)") in flat, pushed.output
    assert "or have the missing items answered in the response" in flat, pushed.output
    assert "deleted in Moodle" not in flat and "submitted again" not in flat, pushed.output
    assert _item(demo_home, "lmsync_checkin-T1")["grades"][str(students[0])]["finalgrade"] == 3.67  # left as it is

    planned = run_in(demo_home, "grades", "plan", "--format", "json")
    data = json.loads(planned.output[planned.output.index("{"):])
    assert [(r["key"], r["user_id"], r["state"], r["cause"]) for r in data["unanswered"]] == [
        ("checkin-T1", students[0], "published", "too_few_answers")]

    ran = run_in(demo_home, "run")
    assert ("1 survey grade(s) published with too few stored answers to make a score any more, left as they are "
            "(`lmsync grades plan` names them)") in _step(ran.output, "grades"), ran.output

    # s0002's response deleted besides: each counted by its cause
    _edit(demo_home, lambda d: _form(d).update(completeds=[c for c in _form(d)["completeds"]
                                                           if c["userid"] != students[1]]))
    assert run_in(demo_home, "grades", "push").exit_code == 0
    plan = _flat(run_in(demo_home, "grades", "plan").output)
    assert ("published, no score behind it any more (1 with no answer stored, 1 with too few answers): 2 survey "
            "grade(s) left as they are") in plan, plan
    assert "(s0002): published, no stored answer behind it any more (its Feedback response was deleted" in plan, plan


def test_round_123b_6_grades_at_0_with_no_meeting_behind_them_count_as_already_in_moodle(demo_home: Any) -> None:
    (demo_home / "lmsync.toml").write_text(HEAD + '[grades]\nassignment = "Mentoring attendance"\n')
    with time_machine.travel(datetime(2026, 9, 2, 9, tzinfo=UTC), tick=True):  # paired in September
        assert run_in(demo_home, "sync").exit_code == 0
    mentee = mentee_of(demo_home, "m0001")
    meeting = ("--date", "2026-09-20", "--mentor", "m0001", "--mentee", mentee)
    assert run_in(demo_home, "meetings", "add", *meeting, "--minutes", "45").exit_code == 0
    assert run_in(demo_home, "grades", "push").exit_code == 0
    assert run_in(demo_home, "meetings", "remove", *meeting, "--yes").exit_code == 0

    plan = _flat(run_in(demo_home, "grades", "plan").output)
    data = json.loads(_state(demo_home).read_text())
    ours = [i for i in data["grade_items"].values() if (i.get("itemname") or "").startswith("lmsync_")]
    zeros = sum(1 for i in ours for g in i["grades"].values() if g["finalgrade"] == 0)
    assert zeros > 100, zeros  # the pairs that never met: 0 attendance and meetings, written with the meeting
    assert f"; {zeros} unchanged" in plan, plan  # they stay as they are: "0 unchanged" before

    assert run_in(demo_home, "grades", "push").exit_code == 0
    data = json.loads(_state(demo_home).read_text())
    held = sum(1 for i in data["grade_items"].values() if (i.get("itemname") or "").startswith("lmsync_")
               for g in i["grades"].values() if g["finalgrade"] is not None)
    assigned = sum(len(a["grades"]) for a in data["assignments"].values())
    plan = _flat(run_in(demo_home, "grades", "plan").output)
    assert f"no changes ({held + assigned} grades already in Moodle)" in plan, (held, assigned, plan)
