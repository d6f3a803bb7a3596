"""The gradebook and assignments: ``core_grades_*``, ``gradereport_user_*``, ``mod_assign_*``.

Part of ``lmsync.moodle.models`` (see its docstring for the rules every model follows).
"""

from __future__ import annotations

import re
from enum import IntEnum
from typing import Any, ClassVar

from pydantic import Field, field_validator

from lmsync.moodle.models._base import _ALNUMEXT, Grade, Int, MoodleInput, MoodleModel, WithWarnings, first

# -- grades ------------------------------------------------------------------------------


class GradeUpdateStatus(IntEnum):
    """core_grades_update_grades' bare integer answer (lib/grade/constants.php; 3 in older gradelib.php)."""

    OK = 0
    FAILED = 1
    MULTIPLE = 2
    ITEM_DELETED = 3
    ITEM_LOCKED = 4


#: What each refusal means and what to do, in words: lmsync reported "status [4]" (tester round 94b, 5).
GRADE_UPDATE_WORDS: dict[int, str] = {
    GradeUpdateStatus.FAILED: "Moodle could not save some of the item's grades (the usual cause: a teacher "
                              "locked a grade in the gradebook; unlock it there, or lmsync leaves it as it is)",
    GradeUpdateStatus.MULTIPLE: "the activity has several grade items at this item number and Moodle updates "
                                "none of them: delete all but one in Gradebook setup (`lmsync grades plan` names them)",
    GradeUpdateStatus.ITEM_DELETED: "the grade item was deleted in Moodle",
    GradeUpdateStatus.ITEM_LOCKED: "a teacher locked the grade item in the gradebook, so Moodle changed nothing "
                                   "in it: unlock it there, or lmsync leaves it as it is",
}


class GradeUpdateResult(MoodleModel):
    """One status per request sent (the call may be chunked)."""

    statuses: list[int] = Field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(s == GradeUpdateStatus.OK for s in self.statuses)

    def refusal(self) -> str:
        """The refused statuses in words, e.g. ``status 4: a teacher locked the grade item ...``."""
        return "; ".join(f"status {s}: {GRADE_UPDATE_WORDS.get(s, 'an answer lmsync does not know')}"
                         for s in dict.fromkeys(self.statuses) if s != GradeUpdateStatus.OK)


class GradeItemSummary(MoodleModel):
    id: int  # a JSON string in the answer (trap 10)
    itemname: str | None = None
    category: str | None = None


class GradeItemsResult(WithWarnings):
    items: list[GradeItemSummary] = Field(default_factory=list, alias="gradeItems")


class UserGradeItem(MoodleModel):
    id: int
    itemname: str | None = None
    itemtype: str = ""
    itemmodule: str | None = None
    iteminstance: int | None = None
    itemnumber: int | None = None
    idnumber: str | None = None  # numeric but a string (trap 10)
    cmid: int | None = None
    graderaw: float | None = None
    grademin: float | None = None
    grademax: float | None = None
    gradeformatted: str | None = None
    feedback: str | None = None
    locked: bool = False
    gradeishidden: bool = False
    gradeisoverridden: bool = False  # a teacher typed the final grade: Moodle keeps it whatever is sent
    gradeislocked: bool = False  # a teacher locked the grade: Moodle ignores what is sent


class UserGrades(MoodleModel):
    courseid: int
    userid: int
    userfullname: str = ""
    useridnumber: str | None = None
    gradeitems: list[UserGradeItem] = Field(default_factory=list)


class GradeReport(WithWarnings):
    usergrades: list[UserGrades] = Field(default_factory=list)


# -- assignments -------------------------------------------------------------------------


class AssignConfig(MoodleModel):
    plugin: str = ""
    subtype: str = ""
    name: str = ""
    value: str = ""


class Assignment(MoodleModel):
    id: int
    cmid: int
    course: int
    name: str = ""
    grade: float = 0  # the maximum grade; negative = a scale
    nosubmissions: int = 0
    duedate: int = 0
    configs: list[AssignConfig] = Field(default_factory=list)

    def config(self, subtype: str, plugin: str, name: str) -> str | None:
        """The value of one of the assignment's plugin settings, ``None`` when it is not listed."""
        found = first(self.configs, lambda c: (c.subtype, c.plugin, c.name) == (subtype, plugin, name))
        return None if found is None else found.value

    @property
    def feedback_comments_enabled(self) -> bool:
        return self.config("assignfeedback", "comments", "enabled") == "1"


class AssignCourse(MoodleModel):
    id: int
    fullname: str = ""
    shortname: str = ""
    assignments: list[Assignment] = Field(default_factory=list)


class AssignmentsResult(WithWarnings):
    courses: list[AssignCourse] = Field(default_factory=list)

    def all_assignments(self) -> list[Assignment]:
        return [a for c in self.courses for a in c.assignments]

    def hidden_modules(self) -> list[int]:
        """Course-module ids left out for want of mod/assign:view (warning ``module``, code ``1``)."""
        return [w.itemid for w in self.warnings if w.item == "module" and w.warningcode == "1" and w.itemid]


class AssignGrade(MoodleModel):
    id: int
    userid: int
    attemptnumber: int = 0
    timecreated: int = 0
    timemodified: int = 0
    grader: int = 0
    grade: float | None = None  # "75.00000"; -1 = no grade (trap 20); "" = NULL, no grade either

    @field_validator("grade", mode="before")
    @classmethod
    def _null_grade(cls, value: Any) -> Any:
        """Moodle's ``(string)$rd->grade`` of a NULL grade (a teacher saved the grading form with the grade blank and
        only a feedback comment) is "": no grade, not an unreadable answer (tester round 122a, 1)."""
        return None if isinstance(value, str) and not value.strip() else value

    @property
    def has_grade(self) -> bool:
        return self.grade is not None and self.grade >= 0


class AssignmentGrades(MoodleModel):
    assignmentid: int
    grades: list[AssignGrade] = Field(default_factory=list)


class AssignGradesResult(WithWarnings):
    assignments: list[AssignmentGrades] = Field(default_factory=list)


class _GradesUpdatePart(MoodleInput):
    """Base of the two lists core_grades_update_grades takes, ``grades`` and ``itemdetails``."""

    wsfunction: ClassVar[str] = "core_grades_update_grades"


class GradeInput(_GradesUpdatePart):
    """One grade for core_grades_update_grades. ``str_feedback`` is dropped by Moodle 4.5 (trap 21)."""

    studentid: Int
    grade: Grade | None = None
    str_feedback: str | None = None


class GradeItemDetails(_GradesUpdatePart):
    """``itemdetails`` of core_grades_update_grades (trap 21: numeric idnumber, ALPHANUMEXT name)."""

    itemname: str | None = None
    idnumber: Int | None = None
    gradetype: Int | None = None
    grademax: float | None = None
    grademin: float | None = None
    scaleid: Int | None = None
    multfactor: float | None = None
    plusfactor: float | None = None
    deleted: bool | None = None
    hidden: bool | None = None

    @field_validator("itemname")
    @classmethod
    def check_itemname(cls, v: str | None) -> str | None:
        if v is not None and not _ALNUMEXT.match(v):
            raise ValueError(f"itemname may hold only letters, digits, '-' and '_' (got {v!r})")
        return v

    @field_validator("idnumber", mode="before")
    @classmethod
    def check_idnumber(cls, v: Any) -> Any:
        if isinstance(v, str) and re.fullmatch(r"[0-9]+", v):
            return int(v)
        if isinstance(v, str):
            raise ValueError(f"idnumber must be a number (PARAM_INT), got {v!r}")
        return v


class AssignGradeInput(MoodleInput):
    """One grade for mod_assign_save_grades; ``comment`` goes to the feedback-comments plugin."""

    wsfunction: ClassVar[str] = "mod_assign_save_grades"
    userid: Int
    grade: Grade
    attemptnumber: Int = -1
    addattempt: bool = False
    workflowstate: str = ""
    comment: str | None = None
    commentformat: Int = 1

    def to_params(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "userid": self.userid,
            "grade": self.grade,
            "attemptnumber": self.attemptnumber,
            "addattempt": self.addattempt,
            "workflowstate": self.workflowstate,
        }
        if self.comment is not None:
            out["plugindata"] = {
                "assignfeedbackcomments_editor": {"text": self.comment, "format": self.commentformat}
            }
        return out
