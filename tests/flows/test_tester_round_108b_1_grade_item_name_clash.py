"""Tester round 108b, 1: a teacher's grade item with exactly the name lmsync gives its own item
(``lmsync_attendance``): lmsync created a second item of that name beside it and `grades plan`,
`grades push` and the run's grades line said nothing, so the gradebook showed two columns with one name.

Moodle checks no grade item name for uniqueness (it accepts even a duplicate idnumber: shared/moodle
README trap 21, ``core_grades_update_grades/duplicate-idnumber``), and lmsync proves an item is its own
by its store record (itemnumber, idnumber, item id), never by name. So a new item takes a suffix, as a
circle does on a clash with a foreign group, and an item lmsync already made keeps its name; either way
the plan, the push and the run's grades line name the clash, and the teacher's item is never touched.
"""

from __future__ import annotations

from lmsync.moodle.emulator.records import Grade, GradeItem
from lmsync.render.grades import plan_text
from lmsync.service import grades
from lmsync.service.cycle import run_cycle
from lmsync.service.moodle import open_moodle
from lmsync.store.db import Store
from tests.flows.test_grades_flow import (
    AS_OF,
    active_students,
    make_config,
    owned_items,
    site_with_circles,
    term,
)

NAME = "lmsync_attendance"


def _teachers_item(site, name=NAME):
    """A manual grade item a teacher adds in Gradebook setup, with a grade for one student."""
    student = active_students(site)[0]
    item = GradeItem(id=max(site.grade_items) + 1, courseid=2, itemtype="manual", itemmodule=None, iteminstance=0,
                     itemnumber=0, cmid=None, itemname=name, idnumber="", grademax=10.0)
    item.grades[student] = Grade(rawgrade=7.0, finalgrade=7.0, timemodified=1)
    site.grade_items[item.id] = item
    return item


def _as_is(item):
    return (item.itemname, item.idnumber, item.grademax, {u: g.finalgrade for u, g in item.grades.items()})


def test_a_new_item_takes_a_suffix_beside_a_teachers_item_of_its_name_and_every_output_says_so(tmp_path, monkeypatch):
    config = make_config(tmp_path, monkeypatch)
    site = site_with_circles()
    store = Store.memory()
    term(config, site, tmp_path, store)
    teachers = _teachers_item(site)
    before = _as_is(teachers)
    with open_moodle(config, site=site) as conn:
        planned = grades.make_grades_plan(conn.api, config, store, as_of=AS_OF)
        shown = plan_text(planned.plan)
        assert f"{NAME}: a grade item lmsync did not make (id {teachers.id}" in shown
        assert "lmsync never touches it" in shown and f"is created as {NAME}-2" in shown
        created = next(r for r in planned.plan.requests if r.key == "attendance" and r.itemdetails)
        assert created.itemdetails["itemname"] == f"{NAME}-2"
        report = grades.push_grades(conn.api, config, store, planned.plan, observed=planned.state)
        assert report.complete
        mine = [i for i in owned_items(site).values() if i.itemname and i.itemname.startswith(NAME)]
        assert [i.itemname for i in mine] == [f"{NAME}-2"]
        assert _as_is(teachers) == before  # the teacher's item and grade untouched
        named = [i.itemname for i in site.grade_items.values() if i.courseid == 2]
        assert named.count(NAME) == 1  # no two columns with one name
        again = grades.make_grades_plan(conn.api, config, store, as_of=AS_OF)
        assert not [r for r in again.plan.requests if r.itemdetails]  # its name is kept, not set back
        assert f"{NAME}: a grade item lmsync did not make" in plan_text(again.plan)
        result = run_cycle(conn.api, config, store, site=site, steps=("grades",), as_of=AS_OF)
    line = {s.step: s for s in result.steps}["grades"]
    assert f"{NAME}: a grade item lmsync did not make (id {teachers.id}" in line.summary, line.summary
    assert _as_is(teachers) == before
    # the teacher renames theirs: lmsync's item takes the plain name back (as a circle does)
    teachers.itemname = "Attendance_teacher"
    with open_moodle(config, site=site) as conn:
        freed = grades.make_grades_plan(conn.api, config, store, as_of=AS_OF)
        renamed = [r for r in freed.plan.requests if r.itemdetails]
        assert [r.itemdetails["itemname"] for r in renamed] == [NAME]
        assert "lmsync did not make" not in plan_text(freed.plan)


def test_an_item_lmsync_made_keeps_its_name_when_a_teacher_adds_one_of_that_name_and_the_plan_says_so(
    tmp_path, monkeypatch
):
    config = make_config(tmp_path, monkeypatch)
    site = site_with_circles()
    store = Store.memory()
    term(config, site, tmp_path, store)
    with open_moodle(config, site=site) as conn:
        first = grades.make_grades_plan(conn.api, config, store, as_of=AS_OF)
        assert grades.push_grades(conn.api, config, store, first.plan, observed=first.state).complete
        teachers = _teachers_item(site)
        before = _as_is(teachers)
        planned = grades.make_grades_plan(conn.api, config, store, as_of=AS_OF)
        assert not [r for r in planned.plan.requests if r.itemdetails]  # lmsync's item is not renamed
        shown = plan_text(planned.plan)
        assert f"{NAME}: lmsync's grade item (itemnumber" in shown
        assert f"a grade item lmsync did not make (id {teachers.id}" in shown
        assert "rename the other item in Gradebook setup" in shown
        grades.push_grades(conn.api, config, store, planned.plan, observed=planned.state)
    assert _as_is(teachers) == before
    assert [i.itemname for i in owned_items(site).values()].count(NAME) == 1
