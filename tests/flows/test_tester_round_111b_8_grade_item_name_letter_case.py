"""Tester round 111b, 8: a teacher's grade item named ``LMSYNC_Attendance`` (lmsync's name but for letter
case): `grades push` created ``lmsync_attendance`` beside it with no suffix and no warning, so the gradebook
showed two nearly identical columns. Moodle compares no grade item names; the gradebook shows a name through
``format_string`` (``grade_item::get_name``), and a heading in other letter case is the same to a reader, so
such an item is a name clash like an exact one (tester round 108b, 1): a suffix, a warning naming it, and the
plain name back once it is renamed.
"""

from __future__ import annotations

from lmsync.render.grades import plan_text
from lmsync.service import grades
from lmsync.service.moodle import open_moodle
from lmsync.store.db import Store
from tests.flows.test_grades_flow import AS_OF, make_config, owned_items, site_with_circles, term
from tests.flows.test_tester_round_108b_1_grade_item_name_clash import _as_is, _teachers_item

NAME = "lmsync_attendance"
OTHER = "LMSYNC_Attendance"


def test_an_item_named_like_lmsyncs_but_for_letter_case_is_a_clash_and_the_name_comes_back_once_renamed(
    tmp_path, monkeypatch
):
    config = make_config(tmp_path, monkeypatch)
    site = site_with_circles()
    store = Store.memory()
    term(config, site, tmp_path, store)
    teachers = _teachers_item(site, OTHER)
    before = _as_is(teachers)
    with open_moodle(config, site=site) as conn:
        planned = grades.make_grades_plan(conn.api, config, store, as_of=AS_OF)
        shown = plan_text(planned.plan)
        assert f"{NAME}: a grade item lmsync did not make (id {teachers.id}" in shown, shown
        assert f"has the name '{OTHER}'" in shown and "letter case" in shown and f"is created as {NAME}-2" in shown
        created = next(r for r in planned.plan.requests if r.key == "attendance" and r.itemdetails)
        assert created.itemdetails["itemname"] == f"{NAME}-2"
        assert grades.push_grades(conn.api, config, store, planned.plan, observed=planned.state).complete
        assert [i.itemname for i in owned_items(site).values() if i.itemname.casefold().startswith(NAME)] == [
            f"{NAME}-2"
        ]
        assert _as_is(teachers) == before  # the teacher's item and grade untouched
        headings = [i.itemname.casefold() for i in site.grade_items.values() if i.courseid == 2 and i.itemname]
        assert headings.count(NAME) == 1  # no two columns alike
    teachers.itemname = "Attendance_teacher"
    with open_moodle(config, site=site) as conn:
        freed = grades.make_grades_plan(conn.api, config, store, as_of=AS_OF)
        assert [r.itemdetails["itemname"] for r in freed.plan.requests if r.itemdetails] == [NAME]
        assert "lmsync did not make" not in plan_text(freed.plan)
