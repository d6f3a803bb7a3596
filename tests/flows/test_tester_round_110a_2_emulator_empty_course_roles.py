"""Tester round 110a, 2: on a demo course emptied of its people (every one unenrolled) to rehearse a school's own
small course, `lmsync emulator edit join thall --role teacher` was refused: "the course MENTOR-2026 has no role
'teacher'", fix "its roles: " with nothing after. The emulator took a course's roles from who was enrolled; a Moodle
course offers its standard roles whoever is enrolled. A misspelt role is still refused, with the nearest role."""

from __future__ import annotations

from typing import Any

from lmsync.config import load_config
from lmsync.moodle.emulator.state import Site
from tests.flows.conftest import run_in


def test_round_110a_2_a_course_emptied_of_people_still_takes_its_roles(demo_home: Any) -> None:
    path = load_config(demo_home / "lmsync.toml", environ={}).emulator_state_path()
    site = Site.load(path)
    for course in site.courses.values():
        course.enrolments.clear()
    site.save(path)
    for username, role in (("thall", "teacher"), ("rortiz", "editingteacher"), ("ana", "student")):
        joined = run_in(demo_home, "emulator", "edit", "join", username, "--role", role)
        assert joined.exit_code == 0, joined.output
    now = Site.load(path)
    enrolled = {now.users[uid].username: e.role for c in now.courses.values() for uid, e in c.enrolments.items()}
    assert enrolled == {"thall": "teacher", "rortiz": "editingteacher", "ana": "student"}
    typo = run_in(demo_home, "emulator", "edit", "join", "ben", "--role", "teachr")
    assert typo.exit_code == 3 and "has no role 'teachr' (did you mean teacher?)" in typo.output, typo.output
    assert "its roles: editingteacher, guest, manager, student, teacher" in typo.output, typo.output
