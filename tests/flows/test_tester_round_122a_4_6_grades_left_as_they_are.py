"""Tester round 122a, 4 and 6: grades lmsync leaves as they are in the gradebook, named.

4: a teacher deletes a survey response in Moodle. The next Feedback read takes its answers and score out of the store,
but the survey grade lmsync published from it stayed in the gradebook unsaid, and the plan counted "no changes (3
grades already in Moodle)" of an item holding 4. Now the plan names it ("published, no answer behind it any more:
left as it is"), counts it in its first line, and never writes it as 0 (out of the scale); the run says how many.

6: a teacher locks one of lmsync's own grade items (the column). Every plan planned writes to it, Moodle refused each
(status 4), and every push and run ended partial (exit 1), for good. ``gradereport_user_get_grade_items`` returns the
item's ``locked`` flag (grade/report/user/lib.php: ``grade_item::is_locked()`` for a reader with viewall), so the
item is held: the plan shows it, plans no write to it, the run says ok; unlocked, the next plan writes to it again.

The built-in emulator's demo course, synced, with a 10-item self-efficacy Feedback form the admin made (as the
tester's prelude: its even items list their options best first).
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from lmsync.config import load_config
from tests.flows.conftest import mentee_of, run_in

CONFIG = """[programme]
name = "mentor-2026"
peer_mentor_cohort = "peer-mentors-2026"
[meetings]
feedback = "Meeting log"
[meetings.items]
minutes = "meeting_minutes"
date = "meeting_date"
[waves]
programme_start = 2026-09-01
[waves.windows]
T3 = { start = 2026-11-15, end = 2026-12-31 }
[instruments.general_self_efficacy]
feedback = "Self-efficacy survey"
feedback_items = { gse1 = "gse_1", gse2 = "gse_2", gse3 = "gse_3", gse4 = "gse_4", gse5 = "gse_5", gse6 = "gse_6", \
gse7 = "gse_7", gse8 = "gse_8", gse9 = "gse_9", gse10 = "gse_10" }
"""
LOW = "r>>>>>1####Not at all true|2####Hardly true|3####Moderately true|4####Exactly true"
HIGH = "r>>>>>4####Exactly true|3####Moderately true|2####Hardly true|1####Not at all true"
ITEM = "lmsync_selfefficacy-T3"


def _state(home: Path) -> Path:
    return load_config(home / "lmsync.toml", environ={}).emulator_state_path()


def _edit(home: Path, change: Any) -> dict[str, Any]:
    path = _state(home)
    data = json.loads(path.read_text())
    change(data)
    path.write_text(json.dumps(data))
    return data


def _survey(home: Path, respondents: list[str]) -> dict[str, int]:
    """The self-efficacy form, answered by ``respondents`` (the first all best: 40, the others all worst: 10);
    their Moodle ids by username."""
    found: dict[str, int] = {}

    def change(data: dict[str, Any]) -> None:
        users = {v["username"]: int(k) for k, v in data["users"].items()}
        found.update({u: users[u] for u in respondents})
        now = int(time.time()) - 3600
        items = [dict(id=100 + n, name=f"GSE question {n}", label=f"gse_{n}", typ="multichoicerated",
                      presentation=HIGH if n % 2 == 0 else LOW, required=True, position=n) for n in range(1, 11)]

        def answers(v: int) -> dict[str, str]:
            return {str(100 + n): str(v) if n % 2 else str(5 - v) for n in range(1, 11)}
        new_id = max(int(k) for k in data["feedbacks"]) + 1
        data["feedbacks"][str(new_id)] = dict(
            id=new_id, cmid=90, courseid=2, name="Self-efficacy survey", intro="", anonymous=2, items=items,
            completeds=[dict(id=500 + n, userid=users[u], timemodified=now, values=answers(4 if n == 0 else 1))
                        for n, u in enumerate(respondents)])
    _edit(home, change)
    return found


def _items(home: Path) -> dict[str, dict[str, Any]]:
    data = json.loads(_state(home).read_text())
    return {i["itemname"]: i for i in data["grade_items"].values() if i.get("itemname")}


def _steps(output: str) -> dict[str, str]:
    return {line.split()[0]: " ".join(line.split()) for line in output.splitlines()
            if len(line.split()) > 1 and line.split()[1] in ("ok", "partial", "admin", "failed", "skipped", "held")}


def _setup(home: Path) -> None:
    (home / "lmsync.toml").write_text(CONFIG)
    assert run_in(home, "sync").exit_code == 0


def test_round_122a_4_a_survey_grade_whose_response_was_deleted_is_named_and_left_as_it_is(demo_home: Any) -> None:
    _setup(demo_home)
    who = _survey(demo_home, ["s0001", "s0008", "s0020", "s0027"])
    assert run_in(demo_home, "grades", "push").exit_code == 0
    assert len(_items(demo_home)[ITEM]["grades"]) == 4

    def delete(data: dict[str, Any]) -> None:  # Show responses > Delete entry: s0001's, submitted by mistake
        form = next(f for f in data["feedbacks"].values() if f["name"] == "Self-efficacy survey")
        form["completeds"] = [c for c in form["completeds"] if c["userid"] != who["s0001"]]
    _edit(demo_home, delete)

    pushed = run_in(demo_home, "grades", "push")
    assert pushed.exit_code == 0, pushed.output
    flat = " ".join(pushed.output.split())
    assert "no changes (3 grades already in Moodle; 1 left as it is)" in flat, pushed.output
    assert "published, no answer behind it any more: 1 survey grade(s) left as they are" in flat, pushed.output
    assert "= selfefficacy-T3 for " in flat and "(s0001): published, no stored answer behind it any more" in flat
    assert "clear it in the gradebook if it must go" in flat, pushed.output
    grades = _items(demo_home)[ITEM]["grades"]
    assert grades[str(who["s0001"])]["finalgrade"] == 40.0  # never written as 0: out of the 10..40 scale

    planned = run_in(demo_home, "grades", "plan", "--format", "json")
    data = json.loads(planned.output[planned.output.index("{"):])
    assert [(r["key"], r["user_id"], r["state"]) for r in data["unanswered"]] == [
        ("selfefficacy-T3", who["s0001"], "published")]

    ran = run_in(demo_home, "run")
    assert ran.exit_code == 0, ran.output
    assert ("1 survey grade(s) published with no answer behind them any more, left as they are (`lmsync grades "
            "plan` names them)") in _steps(ran.output)["grades"], ran.output

    def cleared(data: dict[str, Any]) -> None:  # a teacher empties it in the gradebook (an override): said no more
        item = next(i for i in data["grade_items"].values() if i.get("itemname") == ITEM)
        item["grades"][str(who["s0001"])].update(finalgrade=None, overridden=True)
    _edit(demo_home, cleared)
    again = run_in(demo_home, "grades", "plan")
    assert "no answer behind it" not in again.output and "left as" not in again.output, again.output


def test_round_122a_6_an_item_a_teacher_locked_is_held_and_the_run_says_ok(demo_home: Any) -> None:
    _setup(demo_home)
    added = run_in(demo_home, "meetings", "add", "--date", "2026-09-20", "--mentor", "m0001", "--mentee",
                   mentee_of(demo_home, "m0001"), "--minutes", "45")
    assert added.exit_code == 0, added.output  # a meeting: the run's grades step is not "held" waiting for one
    who = _survey(demo_home, ["s0001", "s0008"])
    assert run_in(demo_home, "grades", "push").exit_code == 0
    assert _items(demo_home)[ITEM]["grades"][str(who["s0008"])]["finalgrade"] == 10.0
    number = _items(demo_home)[ITEM]["itemnumber"]

    def lock(data: dict[str, Any]) -> None:  # end of term: Edit > Lock on lmsync's column
        next(i for i in data["grade_items"].values() if i.get("itemname") == ITEM)["locked"] = True

    def answer_again(data: dict[str, Any]) -> None:  # s0008 answers again, all best: lmsync's figure moves to 40
        form = next(f for f in data["feedbacks"].values() if f["name"] == "Self-efficacy survey")
        for c in form["completeds"]:
            if c["userid"] == who["s0008"]:
                c["values"] = {str(100 + n): "4" if n % 2 else "1" for n in range(1, 11)}
                c["timemodified"] += 60
    _edit(demo_home, lock)
    _edit(demo_home, answer_again)

    pushed = run_in(demo_home, "grades", "push")
    assert pushed.exit_code == 0, pushed.output
    flat = " ".join(pushed.output.split())
    assert (f"= {ITEM} [{number}]: locked by a teacher in the gradebook: left as it is; unlock it there for lmsync "
            "to update it (1 grade(s) differ from lmsync's figures)") in flat, pushed.output
    assert "refused" not in flat and f"~ {ITEM}" not in flat, pushed.output
    assert _items(demo_home)[ITEM]["grades"][str(who["s0008"])]["finalgrade"] == 10.0

    for _ in range(2):  # every run: ok, with a word, never partial (the daemon backs off after an exit 1)
        ran = run_in(demo_home, "run")
        assert ran.exit_code == 0, ran.output
        line = _steps(ran.output)["grades"]
        assert line.startswith("grades ok") and "refused" not in line, line
        assert (f"1 grade item(s) locked by a teacher in the gradebook, left as they are ({ITEM} [{number}]): unlock "
                "them there for lmsync to update them") in line, line

    def unlock(data: dict[str, Any]) -> None:
        next(i for i in data["grade_items"].values() if i.get("itemname") == ITEM)["locked"] = False
    _edit(demo_home, unlock)
    plan = run_in(demo_home, "grades", "plan")
    assert f"~ {ITEM} [{number}] 10..40: 1 grades" in plan.output and "locked" not in plan.output, plan.output
    assert run_in(demo_home, "grades", "push").exit_code == 0
    assert _items(demo_home)[ITEM]["grades"][str(who["s0008"])]["finalgrade"] == 40.0


def test_round_122a_6_the_emulator_says_an_item_is_locked_as_moodle_does(demo_home: Any) -> None:
    """``gradereport_user_get_grade_items`` returns ``locked``: the item's lock (``grade_item::is_locked()``), on
    every row of it, whatever its grades' own locks; lmsync reads it into its observed item."""
    from lmsync.moodle.emulator.state import Site
    from lmsync.moodle.models import GradeReport
    from lmsync.service.grade_state import observed_items
    from lmsync.service.moodle import open_moodle

    _setup(demo_home)
    _survey(demo_home, ["s0001", "s0008"])
    assert run_in(demo_home, "grades", "push").exit_code == 0
    _edit(demo_home, lambda d: next(i for i in d["grade_items"].values() if i.get("itemname") == ITEM).update(
        locked=True))
    config = load_config(demo_home / "lmsync.toml", environ={})
    site = Site.load(_state(demo_home))
    with open_moodle(config, site=site) as conn:
        raw = conn.transport.call("gradereport_user_get_grade_items", {"courseid": 2})
    rows = [r for u in raw["usergrades"] for r in u["gradeitems"] if r["itemname"] == ITEM]
    assert rows and all(r["locked"] is True and r["gradeislocked"] is False for r in rows)
    items, _foreign, _users = observed_items([GradeReport.model_validate(raw)], cmid=rows[0]["cmid"],
                                             owned=range(1000, 1100))
    assert [i.locked for i in items.values() if i.itemname == ITEM] == [True]
