"""Tester round 117b, 5 and 10: what a plan and a refusal print of Moodle's groups and of a saved file's operations.

5. Moodle's web services return group names through format_string (``&`` as ``&amp;``, trap 39): the plan's text
   and JSON and the refusals printed them so (``group 'Tutors &amp; Mentors – Élodie' (Moodle id 4) carries the ID
   number ...``, ``(renamed from 'Chloe's group &amp; friends')``). They print as the people in Moodle see them;
   comparisons are unchanged.
10. ``lmsync apply``'s refusal named a file's own operations by journal key with raw Moodle ids (``operation 2:
    remove_member:lmsync:mentoring-2026:mentor:72:33``) while those it lacks were in words: both in words now.
"""

from __future__ import annotations

import json
from typing import Any

from lmsync.config import load_config
from lmsync.domain.plan import mentor_of_idnumber
from lmsync.errors import EXIT_ADMIN
from lmsync.moodle.emulator.records import Group
from lmsync.moodle.emulator.state import Site
from tests.flows.conftest import run_in

PROGRAMME = "mentor-2026"
COURSE = 2
RENAMED = "Chloe's group & friends"
TEACHERS = "Tutors & Mentors – Élodie"
MENTOR_ROLES = ("teacher", "editingteacher")


def _path(home: Any) -> Any:
    return load_config(home / "lmsync.toml", environ={}).emulator_state_path()


def _circles(site: Site) -> list[Group]:
    return sorted((g for g in site.groups.values() if mentor_of_idnumber(PROGRAMME, g.idnumber)), key=lambda g: g.id)


def _label(site: Site, user_id: int) -> str:
    user = site.users[user_id]
    return f"{user.firstname} {user.lastname} ({user.username})"


def test_round_117b_5_plan_text_and_json_name_groups_as_moodle_shows_them(demo_home: Any) -> None:
    assert run_in(demo_home, "sync").exit_code == 0
    site = Site.load(_path(demo_home))
    _circles(site)[0].name = RENAMED  # a teacher renamed a circle
    gid = site.next_id("groups")  # a teacher's group given a circle's ID number lmsync never made
    site.groups[gid] = Group(id=gid, courseid=COURSE, name=TEACHERS, idnumber=f"lmsync:{PROGRAMME}:mentor:9999")
    site.save(_path(demo_home))

    text = run_in(demo_home, "plan")
    assert text.exit_code == 0, text.output
    assert f"(renamed from '{RENAMED}')" in text.output, text.output
    assert f"group '{TEACHERS}' (Moodle id {gid}) carries the ID number" in text.output, text.output
    assert "&amp;" not in text.output, text.output

    planned = run_in(demo_home, "plan", "--format", "json")
    plan = json.loads(planned.output)
    assert any(f"(renamed from '{RENAMED}')" in op["what"] for op in plan["operations"]), plan["operations"]
    assert any(f"group '{TEACHERS}' (Moodle id {gid})" in w for w in plan["warnings"]), plan["warnings"]
    assert "&amp;" not in planned.output

    synced = run_in(demo_home, "sync")  # the comparison is as before: renamed back once, then in sync
    assert synced.exit_code in (0, EXIT_ADMIN), synced.output
    assert "rename group" not in run_in(demo_home, "plan").output


def test_round_117b_5_a_refusal_names_a_circle_as_moodle_shows_it(demo_home: Any) -> None:
    toml = demo_home / "lmsync.toml"
    toml.write_text(toml.read_text() + "[sync]\nmin_source_fraction = 0.3\n")  # so that the role guard speaks
    assert run_in(demo_home, "sync").exit_code == 0
    site = Site.load(_path(demo_home))
    course = next(c for c in site.courses.values() if c.shortname == "MENTOR-2026")
    teachers = {uid for uid, e in course.enrolments.items() if e.role in MENTOR_ROLES}
    for uid in teachers:  # a teacher made every mentor a student
        course.enrolments[uid].role, course.enrolments[uid].other_roles = "student", []
    first = min((g for g in _circles(site) if mentor_of_idnumber(PROGRAMME, g.idnumber) in teachers),
                key=lambda g: _label(site, mentor_of_idnumber(PROGRAMME, g.idnumber) or 0))  # the refusal names it first
    first.name = RENAMED
    site.save(_path(demo_home))
    refused = run_in(demo_home, "sync")
    said = " ".join(refused.output.split())
    assert refused.exit_code == EXIT_ADMIN, refused.output
    mentor = mentor_of_idnumber(PROGRAMME, first.idnumber)
    assert mentor is not None and f"{_label(site, mentor)}'s circle '{RENAMED}'" in said, said
    assert "&amp;" not in said, said


def test_round_117b_10_apply_names_the_files_own_operations_in_words(demo_home: Any) -> None:
    assert run_in(demo_home, "sync").exit_code == 0
    assert run_in(demo_home, "plan", "--out", "p.json").exit_code == 0
    site = Site.load(_path(demo_home))
    circle = _circles(site)[0]
    mentor = mentor_of_idnumber(PROGRAMME, circle.idnumber)
    assert mentor is not None
    mentee = min(uid for uid in circle.members if uid != mentor)
    plan = json.loads((demo_home / "p.json").read_text())
    plan["operations"] = [{"kind": "remove_member", "group": circle.idnumber, "user_id": mentee}]
    (demo_home / "p.json").write_text(json.dumps(plan))

    refused = run_in(demo_home, "apply", "p.json")
    said = " ".join(refused.output.split())
    assert refused.exit_code == EXIT_ADMIN, refused.output
    assert (f"operation 0: remove member {_label(site, mentee)} from {_label(site, mentor)}'s circle"
            in said), said
    assert "remove_member:" not in said, said
