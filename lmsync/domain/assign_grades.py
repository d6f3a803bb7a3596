"""Planning the assignment's grades with a comment (``mod_assign_save_grades``): Feedback
comments reach people through the configured assignment, because ``core_grades_update_grades``
drops feedback text (traps 19-25). Same rules as the gradebook items: only what changed, nobody
not actively enrolled, nothing above the maximum, chunked by form-variable count.

Ownership you can prove (tester finding 1): the assignment is graded by hand too, and a second
lmsync store (another machine, an empty meeting history) would otherwise overwrite the first
store's grades with zero attendance every cycle. A person's grade is written only when Moodle
holds none, or still holds the grade this store last wrote (``written``), or this store's journal
shows it wrote one before it kept that record (``legacy``: adopted as Moodle holds it). Any other
grade is ``refused``: left as it is, named with why and the fix. One saved by lmsync's web-service user for
someone this store erased (``erased``) is ``erased_kept`` instead: the erasure took the store's record of the
grade it wrote them, so the grade is left as it is and named as such, not as another store's (tester round 79, 2).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
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
    """``rejected``: values never sent (not enrolled, out of range); ``refused``: grades Moodle holds
    that this store cannot prove it wrote, left as they are (tester finding 1)."""

    requests: list[AssignRequest]
    rejected: list[Rejection]
    unchanged: int
    refused: list[Rejection] = field(default_factory=list)
    # people whose grade a teacher (not lmsync's web-service user) saved last: their decision, kept as it
    # is and not a refusal an admin must clear (tester round 17, 6: every run exited 2 for good)
    teacher_kept: list[int] = field(default_factory=list)
    # grades of people this store erased while enrolled, saved by lmsync's web-service user: written by this store
    # before the erasure took its record of them; kept as they are, named, not a refusal (tester round 79, 2)
    erased_kept: list[Rejection] = field(default_factory=list)
    # people whose grade this store wrote and no attendance figure backs any more, planned as 0 with a comment saying
    # so (``lmsync.domain.assign_unbacked``; tester round 116, 11): the plan names how many
    unbacked: list[int] = field(default_factory=list)

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
    written: Mapping[int, float] | None = None,
    legacy: Collection[int] = (),
    graded_by_others: Collection[int] = (),
    erased: Mapping[int, date] | None = None,
) -> AssignPlan:
    """Grades + comments for the configured assignment, only where something changed and only
    over a grade this store can prove it wrote.

    ``observed``: user id -> the grade Moodle holds (``None``: no grade). mod_assign_get_grades
    returns grades but not comments, so the comment last sent (``sent_comments``, kept by the
    caller) is what a new comment is compared with. Grades above ``grademax`` would be stored as
    "no grade" by Moodle: rejected here. ``written``: user id -> the grade this store last wrote
    (its ``sent_assign_grades``); ``legacy``: users its journal shows it wrote a grade to before it
    kept that record. A write over a grade that is neither is ``refused`` (tester finding 1), and so is
    one over a grade someone else saved last (``graded_by_others``: Moodle's ``grader`` is not the
    web-service user; a teacher who changed only the feedback comment, fourth tester, finding 3) is
    ``teacher_kept``: the teacher's decision, left as it is without asking an admin to act (tester
    round 17, 6: a refusal made every run exit 2, and its fix was to clear the teacher's grade). That holds
    for a row with no grade too: a teacher who saved only a feedback comment on someone ungraded leaves Moodle's
    "no grade" with themself as grader, and writing over it replaced their comment (tester round 122a, 1).
    Without them (the defaults) this store proves nothing: only people without a grade are written.
    ``erased``: Moodle id -> the day this store erased them (``store.erasures``). An erasure deletes the
    store's record of the grade it wrote (``sent_assign_grades``) and its journal's proof: such a person's grade,
    saved by the web-service user and with no record written since, is ``erased_kept`` with the reason
    ``written_before_erasure`` gives, not refused as another store's (tester round 79, 2: its reason was false, and
    every run exited 2 for good). Raises ``ValueError`` when ``budget`` cannot hold one grade.
    """
    written = written or {}
    erased = erased or {}
    bound = MetricSpec("assignment", 0, grademax)
    rejected: list[Rejection] = []
    refused: list[Rejection] = []
    teacher_kept: list[int] = []
    erased_kept: list[Rejection] = []
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
        if g.user_id in graded_by_others:  # a teacher saved last, a grade or only a comment: theirs (122a, 1)
            teacher_kept.append(g.user_id)
            continue
        problem = not_provably_mine(before, written.get(g.user_id), g.user_id in legacy)
        if problem and before is not None and g.user_id not in written and g.user_id in erased:
            erased_kept.append(Rejection("assignment", g.user_id, g.grade, written_before_erasure(before, erased[g.user_id])))
            continue
        if problem:
            refused.append(Rejection("assignment", g.user_id, g.grade, problem))
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
    return AssignPlan(requests, rejected, unchanged, refused, teacher_kept, erased_kept)


def not_provably_mine(held: float | None, wrote: float | None, legacy: bool) -> str | None:
    """Why the grade Moodle holds (``held``) must not be overwritten, or ``None`` when it may: Moodle
    holds none, or still holds the grade this store last wrote (``wrote``), or this store's journal
    shows it wrote one before it recorded them (``legacy``, with no record: adopted as it is), and
    in both cases the token's user saved it last (a teacher's grade is ``teacher_kept`` before this is asked)."""
    if held is None:
        return None
    shown = moodle_number(held)
    if wrote is None and not legacy:
        return (
            f"Moodle holds {shown}, saved by lmsync's web-service user but not written by this store (another "
            "lmsync store's); left as it is (a grade cleared in Moodle stays its clearer's: Moodle keeps who saved a row "
            "last, so no store writes it again; give it by hand in Moodle's grading page)"
        )
    if wrote is not None and abs(held - wrote) > TOLERANCE:
        return (
            f"Moodle holds {shown}, changed since this store wrote {moodle_number(wrote)} by lmsync's web-service "
            "user (another lmsync store); left as it is (a grade cleared in Moodle stays its clearer's: Moodle keeps "
            "who saved a row last, so no store writes it again; give it by hand in Moodle's grading page)"
        )
    return None


def written_before_erasure(held: float, erased_on: date) -> str:
    """Why the grade Moodle holds (``held``) of someone this store erased ``erased_on`` is left as it is: saved by
    lmsync's web-service user, written by this store before the erasure, which removed lmsync's record of it
    (``sent_assign_grades``): the admin clears or keeps it in Moodle's gradebook (tester round 79, 2)."""
    return (
        f"Moodle holds {moodle_number(held)}, saved by lmsync's web-service user: written by this store before their "
        f"erasure on {erased_on.isoformat()} (`lmsync person erase`), which removed lmsync's record of it; left as "
        "it is: keep it, or give their grade by hand in Moodle's grading page (a grade cleared there stays the "
        "clearer's: Moodle keeps who saved a row last, so lmsync never writes it again)"
    )
