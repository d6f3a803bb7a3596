"""Tester round 122a, 1: a teacher's feedback comment on someone the attendance assignment has not graded is theirs.

A teacher saved only a feedback comment for a mentee in the attendance assignment, before lmsync's first push: Moodle
keeps "no grade" (-1, or NULL when the grading form's grade was left blank, returned as "") with the teacher as the
row's grader. lmsync took "no grade" as free to write: its grade and comment replaced the teacher's comment, and the
plan said nothing. README ([grades]): "A grade a teacher saved last (a grade or only a feedback comment) is the
teacher's: kept as it is, counted in the plan, never overwritten".
"""

from __future__ import annotations

import pytest

from lmsync.moodle.emulator.state import AssignGrade
from lmsync.render.grades import plan_text
from lmsync.service import grades
from lmsync.service.moodle import open_moodle
from lmsync.store.db import Store
from tests.flows.test_grades_flow import AS_OF, make_config, mentors_of, site_with_circles, term

ASSIGNMENT = 1
COMMENT = "<p>Please see me about your placement</p>"


@pytest.fixture
def config(tmp_path, monkeypatch):
    return make_config(tmp_path, monkeypatch)


def rows(site):
    return {u: (g.grade, g.comment, g.grader) for u, g in site.assignments[ASSIGNMENT].grades.items()}


def test_tester_round_122a_1_a_teachers_comment_on_an_ungraded_mentee_is_kept_not_overwritten(config, tmp_path):
    site = site_with_circles()
    store = Store.memory()
    term(config, site, tmp_path, store)
    teacher = mentors_of(site)[0]
    with open_moodle(config, site=site) as conn:
        first = grades.make_grades_plan(conn.api, config, store, as_of=AS_OF).plan
        ungraded = sorted({g.user_id for c in first.assign_requests for g in c} - set(site.assignments[ASSIGNMENT].grades))
        minus_one, blank = ungraded[:2]  # "Not graded" as -1, and as NULL (the grade left blank on the grading page)
        site.assignments[ASSIGNMENT].grades[minus_one] = AssignGrade(901, minus_one, -1.0, teacher, 1796000000,
                                                                     1796000000, COMMENT)
        site.assignments[ASSIGNMENT].grades[blank] = AssignGrade(902, blank, None, teacher, 1796000000, 1796000000,
                                                                 COMMENT)
        before = rows(site)

        planned = grades.make_grades_plan(conn.api, config, store, as_of=AS_OF)
        plan = planned.plan
        assert plan.assign_teacher_kept == [minus_one, blank] and plan.assign_refused == []
        assert {minus_one, blank}.isdisjoint(g.user_id for c in plan.assign_requests for g in c)
        assert plan.assign_count > 0  # everyone else's grade is still written
        assert "2 grade(s) a teacher saved last are kept as the teacher left them" in plan_text(plan)

        report = grades.push_grades(conn.api, config, store, plan, observed=planned.state)
        assert report.complete and not report.left
        assert {u: rows(site)[u] for u in (minus_one, blank)} == {u: before[u] for u in (minus_one, blank)}
        assert grades.make_grades_plan(conn.api, config, store, as_of=AS_OF).plan.in_sync
