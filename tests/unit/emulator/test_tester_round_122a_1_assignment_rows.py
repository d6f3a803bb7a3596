"""The attendance assignment's rows as Moodle 4.5 keeps and returns them (tester round 122a, 1).

``mod_assign_get_grades`` returns ``(string)$rd->grade`` and the row's ``grader`` as stored (mod/assign/externallib.php
``get_grades``). A teacher who saves only a feedback comment on the grading page leaves "no grade" with themself as
grader: -1, or NULL (the grade field left blank: ``grade_floatval(unformat_float(''))``), which comes back as "". A grade
``update_grade`` refuses (above the maximum: trap 20) leaves the row as it was: a new one as ``get_user_grade`` made it
(-1, grader -1, as recorded in grade-above-max.json), an existing one with its grade and grader.
"""

from __future__ import annotations

from lmsync.moodle.emulator import Site
from lmsync.moodle.emulator.state import AssignGrade
from lmsync.moodle.models import AssignGradesResult
from tests.unit.emulator.helpers import ws

BASE = {"attemptnumber": -1, "addattempt": 0, "workflowstate": ""}
TEACHER = 66


def rows(site: Site) -> dict[int, dict[str, object]]:
    got = ws(site, "mod_assign_get_grades", {"assignmentids": [1]})
    return {g["userid"]: g for g in got["assignments"][0]["grades"]}


def test_trap_assign_comment_only_rows_come_back_with_no_grade_and_the_teacher_as_grader(demo: Site) -> None:
    demo.assignments[1].grades[11] = AssignGrade(90, 11, -1.0, TEACHER, 1796000000, 1796000000, "<p>see me</p>")
    demo.assignments[1].grades[12] = AssignGrade(91, 12, None, TEACHER, 1796000000, 1796000000, "<p>see me</p>")
    got = rows(demo)
    assert (got[11]["grade"], got[11]["grader"]) == ("-1.00000", TEACHER)
    assert (got[12]["grade"], got[12]["grader"]) == ("", TEACHER)  # NULL: (string)null
    read = AssignGradesResult.model_validate(ws(demo, "mod_assign_get_grades", {"assignmentids": [1]}))
    by_user = {g.userid: g for g in read.assignments[0].grades}
    assert not by_user[11].has_grade and not by_user[12].has_grade and by_user[12].grade is None
    assert by_user[12].grader == TEACHER


def test_trap_20_a_refused_grade_leaves_an_existing_row_with_its_grade_and_grader(demo: Site) -> None:
    demo.assignments[1].grades[11] = AssignGrade(90, 11, 60.0, TEACHER, 1796000000, 1796000000, "<p>mine</p>")
    comment = {"assignfeedbackcomments_editor": {"text": "<p>too much</p>", "format": 1}}
    grades = [BASE | {"userid": 11, "grade": 120, "plugindata": comment}, BASE | {"userid": 13, "grade": 120}]
    assert ws(demo, "mod_assign_save_grades", {"assignmentid": 1, "applytoall": 0, "grades": grades}) is None
    got = rows(demo)
    assert (got[11]["grade"], got[11]["grader"], got[11]["timemodified"]) == ("60.00000", TEACHER, 1796000000)
    assert (got[13]["grade"], got[13]["grader"]) == ("-1.00000", -1)  # a new row: as grade-above-max.json
    assert demo.assignments[1].grades[11].comment == "<p>too much</p>"  # the comment plugin saves first
