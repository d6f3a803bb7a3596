"""Planning the assignment's grades with a comment (``mod_assign_save_grades``): Feedback
comments reach people through the configured assignment, because ``core_grades_update_grades``
drops feedback text (traps 19-25). Same rules as the gradebook items: only what changed, nobody
not actively enrolled, nothing above the maximum, chunked by form-variable count."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from lmsync.domain.grade_items import TOLERANCE, moodle_number
from lmsync.domain.grades import Rejection, validate_value
from lmsync.domain.metrics import MetricSpec

SAVE_GRADES_SCALARS = 2  # assignmentid, applytoall
SAVE_GRADE_VARS = 5  # userid, grade, attemptnumber, addattempt, workflowstate
COMMENT_VARS = 2  # plugindata[assignfeedbackcomments_editor][text|format]


@dataclass(frozen=True)
class AssignGrade:
    user_id: int
    grade: float
    comment: str | None = None


@dataclass(frozen=True)
class AssignRequest:
    """One ``mod_assign_save_grades`` call (``attemptnumber`` -1, no new attempt, no workflow)."""

    grades: tuple[AssignGrade, ...]

    def var_count(self) -> int:
        per = sum(SAVE_GRADE_VARS + (COMMENT_VARS if g.comment is not None else 0) for g in self.grades)
        return SAVE_GRADES_SCALARS + per

    def params(self, *, assignment_id: int) -> dict[str, Any]:
        grades = []
        for g in self.grades:
            entry: dict[str, Any] = {
                "userid": g.user_id,
                "grade": moodle_number(g.grade),
                "attemptnumber": -1,
                "addattempt": 0,
                "workflowstate": "",
            }
            if g.comment is not None:
                entry["plugindata"] = {"assignfeedbackcomments_editor": {"text": g.comment, "format": 1}}
            grades.append(entry)
        return {"assignmentid": assignment_id, "applytoall": 0, "grades": grades}


@dataclass
class AssignPlan:
    requests: list[AssignRequest]
    rejected: list[Rejection]
    unchanged: int

    @property
    def grade_count(self) -> int:
        return sum(len(r.grades) for r in self.requests)


def plan_assignment_grades(
    desired: Iterable[AssignGrade],
    observed: Mapping[int, float | None],
    sent_comments: Mapping[int, str],
    enrolled: Collection[int],
    *,
    grademax: float,
    budget: int = 2000,
) -> AssignPlan:
    """Grades + comments for the configured assignment, only where something changed.

    mod_assign_get_grades returns grades but not comments, so the comment last sent
    (``sent_comments``, kept by the caller) is what a new comment is compared with.
    Grades above ``grademax`` would be stored as "no grade" by Moodle: rejected here.
    """
    bound = MetricSpec("assignment", 0, grademax)
    rejected: list[Rejection] = []
    writes: list[AssignGrade] = []
    unchanged = 0
    for g in sorted(desired, key=lambda g: g.user_id):
        problem = validate_value(g.grade, bound, g.user_id, enrolled)
        if problem:
            rejected.append(Rejection("assignment", g.user_id, g.grade, problem))
            continue
        before = observed.get(g.user_id)
        same_grade = before is not None and abs(before - g.grade) <= TOLERANCE
        same_comment = g.comment is None or sent_comments.get(g.user_id) == g.comment
        if same_grade and same_comment:
            unchanged += 1
            continue
        writes.append(g)
    requests: list[AssignRequest] = []
    current: list[AssignGrade] = []
    used = SAVE_GRADES_SCALARS
    for g in writes:
        cost = SAVE_GRADE_VARS + (COMMENT_VARS if g.comment is not None else 0)
        if SAVE_GRADES_SCALARS + cost > budget:
            raise ValueError(f"a variable budget of {budget} cannot hold one grade")
        if current and used + cost > budget:
            requests.append(AssignRequest(tuple(current)))
            current, used = [], SAVE_GRADES_SCALARS
        current.append(g)
        used += cost
    if current:
        requests.append(AssignRequest(tuple(current)))
    return AssignPlan(requests, rejected, unchanged)
