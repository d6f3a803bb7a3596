"""Tester round 108a, 1 and 2: the words lmsync gives about its own circles after a teacher changed them.

1. A mentor who lost the mentor role (a teacher made them a student): when no one in the course holds a mentor
   role any more, the refusal listed the circles by their ID numbers ("first: lmsync:mentor-2026:mentor:66, ...").
   Now both refusals (no one holds the role; some mentors lost it) name each circle as the plan does, its mentor's
   "Name (username)'s circle" with the group's name as Moodle shows it, and the first one says how to give the
   role back.
2. Two circles whose ID numbers a teacher swapped: beside the swap's warning, each got a ``circle_waits`` warning
   saying "a group lmsync cannot take" holds its ID number, as if it were a teacher's group. Now the swap's words
   alone explain them, in `lmsync plan` and `lmsync match`.
"""

from __future__ import annotations

from typing import Any

from lmsync.config import load_config
from lmsync.domain.plan import mentor_of_idnumber
from lmsync.errors import EXIT_ADMIN
from lmsync.moodle.emulator.records import Group
from lmsync.moodle.emulator.state import Site
from tests.flows.conftest import run_in

PROGRAMME = "mentor-2026"
MENTOR_ROLES = ("teacher", "editingteacher")


def _path(home: Any) -> Any:
    return load_config(home / "lmsync.toml", environ={}).emulator_state_path()


def _said(result: Any) -> str:
    return " ".join(result.output.split())


def _circles(site: Site) -> list[Group]:
    return sorted((g for g in site.groups.values() if mentor_of_idnumber(PROGRAMME, g.idnumber)), key=lambda g: g.id)


def _label(site: Site, user_id: int) -> str:
    user = site.users[user_id]
    return f"{user.firstname} {user.lastname} ({user.username})"


def test_round_108a_1_the_unheld_role_refusal_names_circles_as_moodle_shows_them(demo_home: Any) -> None:
    toml = demo_home / "lmsync.toml"
    toml.write_text(toml.read_text() + "[sync]\nmin_source_fraction = 0.3\n")  # so that the role guard speaks
    assert run_in(demo_home, "sync").exit_code == 0
    site = Site.load(_path(demo_home))
    course = next(c for c in site.courses.values() if c.shortname == "MENTOR-2026")
    teachers = {uid for uid, e in course.enrolments.items() if e.role in MENTOR_ROLES}
    for uid in teachers:  # a teacher made every mentor a student
        course.enrolments[uid].role, course.enrolments[uid].other_roles = "student", []
    circles = {mentor_of_idnumber(PROGRAMME, g.idnumber): g for g in _circles(site)}
    first = sorted(f"{_label(site, uid)}'s circle '{circles[uid].name}'" for uid in teachers if uid in circles)[:3]
    site.save(_path(demo_home))
    for command in ("sync", "run"):
        refused = run_in(demo_home, command)
        said = _said(refused)
        assert refused.exit_code == EXIT_ADMIN, (command, refused.output)
        assert "no one in the course has the mentor role(s)" in said, (command, said)
        assert f"(first: {'; '.join(first)})" in said, (command, said)
        assert f"lmsync:{PROGRAMME}:mentor:" not in said, (command, said)
        assert "give them a mentor role again (the course's Participants page, Roles column)" in said, (command, said)


def test_round_108a_1_with_names_off_the_unheld_role_refusal_names_circles_by_username(demo_home: Any) -> None:
    """A circle's name holds its mentor's full name (the default template): with names off it is not said."""
    toml = demo_home / "lmsync.toml"
    toml.write_text(toml.read_text() + "[sync]\nmin_source_fraction = 0.3\n[privacy]\nshow_names = false\n")
    assert run_in(demo_home, "sync").exit_code == 0
    site = Site.load(_path(demo_home))
    course = next(c for c in site.courses.values() if c.shortname == "MENTOR-2026")
    teachers = {uid for uid, e in course.enrolments.items() if e.role in MENTOR_ROLES}
    for uid in teachers:
        course.enrolments[uid].role, course.enrolments[uid].other_roles = "student", []
    site.save(_path(demo_home))
    said = _said(run_in(demo_home, "sync"))
    first = sorted(f"{site.users[uid].username}'s circle" for uid in teachers)[:3]
    assert f"(first: {'; '.join(first)})" in said, said
    assert not any(site.users[uid].lastname in said for uid in teachers), said


def test_round_108a_1_the_lost_role_refusal_says_the_name_a_teacher_gave_the_circle(demo_home: Any) -> None:
    assert run_in(demo_home, "sync").exit_code == 0
    site = Site.load(_path(demo_home))
    course = next(c for c in site.courses.values() if c.shortname == "MENTOR-2026")
    circle = next(g for g in _circles(site) if g.members - {mentor_of_idnumber(PROGRAMME, g.idnumber)}
                  and course.enrolments[mentor_of_idnumber(PROGRAMME, g.idnumber) or 0].role in MENTOR_ROLES)
    mentor = mentor_of_idnumber(PROGRAMME, circle.idnumber) or 0
    site.groups[circle.id].name = "Tuesday group"  # as Moodle shows it now
    course.enrolments[mentor].role, course.enrolments[mentor].other_roles = "student", []
    site.save(_path(demo_home))
    refused = run_in(demo_home, "sync")
    said = _said(refused)
    assert refused.exit_code == EXIT_ADMIN, refused.output
    assert f"(first: {_label(site, mentor)}'s circle 'Tuesday group')" in said, said
    assert circle.idnumber not in said, said


def test_round_108a_2_swapped_circles_get_the_swap_words_only(demo_home: Any) -> None:
    assert run_in(demo_home, "sync").exit_code == 0
    site = Site.load(_path(demo_home))
    first, other = _circles(site)[:2]
    site.groups[first.id].idnumber, site.groups[other.id].idnumber = other.idnumber, first.idnumber
    site.save(_path(demo_home))
    for command in ("plan", "match"):
        shown = run_in(demo_home, command)
        said = _said(shown)
        assert shown.exit_code == 0, (command, shown.output)
        assert (f"group '{first.name}' (Moodle id {first.id}) and group '{other.name}' (Moodle id {other.id}) are "
                "both circles this store made") in said, (command, said)
        assert "a group lmsync cannot take" not in said, (command, said)
        assert "not matched with other mentors" not in said, (command, said)


def test_round_108a_2_a_teachers_group_on_a_circle_id_number_still_says_the_mentees_wait(demo_home: Any) -> None:
    """The other case keeps its words: a group lmsync never made holding a circle's ID number, the circle deleted."""
    assert run_in(demo_home, "sync").exit_code == 0
    site = Site.load(_path(demo_home))
    circle = next(g for g in _circles(site) if g.members - {mentor_of_idnumber(PROGRAMME, g.idnumber)})
    del site.groups[circle.id]  # deleted in Moodle, and a teacher's group took its ID number
    teacher = Group(id=site.next_id("groups"), courseid=circle.courseid, name="Teacher's group",
                    idnumber=circle.idnumber)
    site.groups[teacher.id] = teacher
    site.save(_path(demo_home))
    said = _said(run_in(demo_home, "plan"))
    assert f"circle [{circle.idnumber}]: a group lmsync cannot take as this circle holds its ID number" in said, said
