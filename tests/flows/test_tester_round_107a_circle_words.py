"""Tester round 107a, 7, 8 and 9: words about lmsync's own circles.

7. Two circles' ID numbers swapped in Moodle: `lmsync sync` exited 2 saying the groups carried an ID number "this
   store does not record for them" and to "point [store] path at the store that made them", while the plan said both
   were circles this store made. Now the refusal (and `lmsync run`'s line) says they are this store's circles,
   which group holds which number, and how to set them back, and nothing of another store.
8. A circle renamed by a teacher while a teacher's own group took the circle's name was renamed back as "... (2)"
   without naming the group holding the name, and stayed "(2)" for good once that group was renamed. Now a warning
   names that group, and the next plan after the name is free renames the circle to its plain name, once.
9. The lost-mentor-role refusal named a circle by its ID number ("first: lmsync:...:mentor:68") and people by name:
   now the circle is named as the plan names it ("Name (username)'s circle", with its group's name since
   round 108a, 1).
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


def _path(home: Any) -> Any:
    return load_config(home / "lmsync.toml", environ={}).emulator_state_path()


def _said(result: Any) -> str:
    return " ".join(result.output.split())


def _circles(site: Site) -> list[Group]:
    return sorted((g for g in site.groups.values() if mentor_of_idnumber(PROGRAMME, g.idnumber)), key=lambda g: g.id)


def test_round_107a_7_swapped_circles_are_refused_as_this_stores_own_with_the_fix_that_applies(demo_home: Any) -> None:
    assert run_in(demo_home, "sync").exit_code == 0
    site = Site.load(_path(demo_home))
    first, other = _circles(site)[:2]
    a, b = first.idnumber, other.idnumber
    site.groups[first.id].idnumber, site.groups[other.id].idnumber = b, a
    site.save(_path(demo_home))
    for command in ("sync", "run"):
        refused = run_in(demo_home, command)
        said = _said(refused)
        assert refused.exit_code == EXIT_ADMIN, (command, refused.output)
        assert "does not record" not in said and "point [store] path" not in said, (command, said)
        assert "2 circles this store made carry one another's ID numbers, swapped in Moodle" in said, (command, said)
        assert f"(Moodle id {first.id}) carries {b}, made as {a}" in said, (command, said)
        assert f"(Moodle id {other.id}) carries {a}, made as {b}" in said, (command, said)
    refused = run_in(demo_home, "sync")
    assert f"{first.id}'s to {a}, {other.id}'s to {b}, clearing one first" in _said(refused), refused.output
    assert "clear the ID number of one of them" in _said(refused), refused.output
    site = Site.load(_path(demo_home))
    site.groups[first.id].idnumber = ""  # the fix it gives: the next sync puts both back
    site.save(_path(demo_home))
    assert run_in(demo_home, "sync").exit_code == 0
    site = Site.load(_path(demo_home))
    assert (site.groups[first.id].idnumber, site.groups[other.id].idnumber) == (a, b)


def test_round_107a_7_a_teachers_group_on_a_circle_id_number_keeps_the_other_stores_words(demo_home: Any) -> None:
    assert run_in(demo_home, "sync").exit_code == 0
    site = Site.load(_path(demo_home))
    first = _circles(site)[0]
    mentee = min(first.members - {mentor_of_idnumber(PROGRAMME, first.idnumber)})  # no circle of theirs
    teacher = Group(id=site.next_id("groups"), courseid=first.courseid, name="Teacher's group",
                    idnumber=f"lmsync:{PROGRAMME}:mentor:{mentee}")
    site.groups[teacher.id] = teacher
    site.save(_path(demo_home))
    refused = run_in(demo_home, "sync")
    assert refused.exit_code == EXIT_ADMIN and "does not record for them" in _said(refused), refused.output
    assert "circles this store made carry" not in _said(refused), refused.output


def test_round_107a_8_a_circle_suffixed_for_a_teachers_group_names_that_group(demo_home: Any) -> None:
    assert run_in(demo_home, "sync").exit_code == 0
    site = Site.load(_path(demo_home))
    circle = _circles(site)[0]
    plain = circle.name
    site.groups[circle.id].name = "Tuesday group"
    teacher = Group(id=site.next_id("groups"), courseid=circle.courseid, name=plain, idnumber="")
    site.groups[teacher.id] = teacher
    site.save(_path(demo_home))
    renamed = run_in(demo_home, "sync")
    said = _said(renamed)
    assert renamed.exit_code == 0, renamed.output
    assert f"'{plain} (2)' [{circle.idnumber}] (renamed from 'Tuesday group')" in said, said
    assert (f"circle [{circle.idnumber}] is named '{plain} (2)': the name '{plain}' is held by group '{plain}' "
            f"(Moodle id {teacher.id}), which is not one of lmsync's circles") in said, said
    assert Site.load(_path(demo_home)).groups[circle.id].name == f"{plain} (2)"


def test_round_107a_8_a_suffixed_circle_gets_its_plain_name_back_once_free_and_does_not_flap(demo_home: Any) -> None:
    assert run_in(demo_home, "sync").exit_code == 0
    site = Site.load(_path(demo_home))
    circle = _circles(site)[0]
    plain = circle.name
    site.groups[circle.id].name = "Tuesday group"
    teacher = Group(id=site.next_id("groups"), courseid=circle.courseid, name=plain, idnumber="")
    site.groups[teacher.id] = teacher
    site.save(_path(demo_home))
    assert run_in(demo_home, "sync").exit_code == 0
    assert Site.load(_path(demo_home)).groups[circle.id].name == f"{plain} (2)"
    site = Site.load(_path(demo_home))
    site.groups[teacher.id].name = "Ifeoma's own group"  # the name is free again
    site.save(_path(demo_home))
    back = run_in(demo_home, "sync")
    assert back.exit_code == 0, back.output
    assert f"'{plain}' [{circle.idnumber}] (renamed from '{plain} (2)')" in _said(back), back.output
    assert Site.load(_path(demo_home)).groups[circle.id].name == plain
    site = Site.load(_path(demo_home))
    site.groups[teacher.id].name = plain  # copied again: the circle keeps its name, no flapping
    site.save(_path(demo_home))
    for _ in range(2):
        again = run_in(demo_home, "sync")
        assert again.exit_code == 0 and "rename group" not in again.output, again.output
    assert Site.load(_path(demo_home)).groups[circle.id].name == plain


def test_round_107a_8_two_circles_of_one_name_keep_their_suffix(demo_home: Any) -> None:
    """No flapping between two of lmsync's circles of one base name: the suffixed one stays suffixed."""
    assert run_in(demo_home, "sync").exit_code == 0
    site = Site.load(_path(demo_home))
    first, other = _circles(site)[:2]
    for user in (mentor_of_idnumber(PROGRAMME, first.idnumber), mentor_of_idnumber(PROGRAMME, other.idnumber)):
        site.users[user or 0].firstname, site.users[user or 0].lastname = "Zed", "Twin"
    site.save(_path(demo_home))
    assert run_in(demo_home, "sync").exit_code == 0
    names = sorted(g.name for g in _circles(Site.load(_path(demo_home))) if "Zed Twin" in g.name)
    assert names == ["Circle: Zed Twin", "Circle: Zed Twin (2)"], names
    for _ in range(2):
        again = run_in(demo_home, "sync")
        assert again.exit_code == 0 and "rename group" not in again.output, again.output


def test_round_107a_9_the_lost_role_refusal_names_the_circle_as_the_plan_does(demo_home: Any) -> None:
    assert run_in(demo_home, "sync").exit_code == 0
    site = Site.load(_path(demo_home))
    course = next(c for c in site.courses.values() if c.shortname == "MENTOR-2026")
    circle = next(g for g in _circles(site) if g.members - {mentor_of_idnumber(PROGRAMME, g.idnumber)}
                  and course.enrolments[mentor_of_idnumber(PROGRAMME, g.idnumber) or 0].role in ("teacher", "editingteacher"))
    mentor = site.users[mentor_of_idnumber(PROGRAMME, circle.idnumber) or 0]
    course.enrolments[mentor.id].role, course.enrolments[mentor.id].other_roles = "student", []
    site.save(_path(demo_home))
    refused = run_in(demo_home, "sync")
    said = _said(refused)
    assert refused.exit_code == EXIT_ADMIN, refused.output
    assert f"(first: {mentor.firstname} {mentor.lastname} ({mentor.username})'s circle '{circle.name}')" in said, said
    assert circle.idnumber not in said, said
