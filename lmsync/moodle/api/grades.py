"""The gradebook and assignments: ``core_grades_*``, ``gradereport_user_*``, ``mod_assign_*``.

Part of ``lmsync.moodle.api.MoodleApi`` (see its docstring for the rules every call follows).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from lmsync.moodle.api._base import ApiBase, _ids, _items, _local_error, _one_id
from lmsync.moodle.errors import MissingCapability
from lmsync.moodle.models import (
    AssignGradeInput,
    AssignGradesResult,
    AssignmentsResult,
    GradeInput,
    GradeItemDetails,
    GradeItemsResult,
    GradeReport,
    GradeUpdateResult,
)


class GradesApi(ApiBase):
    """The gradebook and assignments."""

    # -- grades ----------------------------------------------------------------------------

    def update_grades(
        self,
        source: str,
        courseid: int,
        component: str,
        activityid: int,
        itemnumber: int,
        grades: Sequence[GradeInput | Mapping[str, Any]],
        itemdetails: GradeItemDetails | Mapping[str, Any] | None = None,
    ) -> GradeUpdateResult:
        """core_grades_update_grades on the activity whose COURSE-MODULE id is ``activityid``.

        Chunked so PHP never cuts the request (trap 25), with ``itemdetails`` sent before the
        grades in every request. Grades outside ``grademin..grademax`` (when given) are
        refused here: Moodle would clamp them silently (trap 20). Moodle also grades unknown
        and unenrolled users and drops ``str_feedback`` (traps 19, 21): check before calling.
        """
        fn = "core_grades_update_grades"
        for what, value in (("courseid", courseid), ("activityid", activityid), ("itemnumber", itemnumber)):
            _one_id(fn, what, value)
        rows = _items(GradeInput, grades)
        details = GradeItemDetails.coerce(itemdetails) if itemdetails is not None else None
        if details is not None:
            for row in rows:
                if row.grade is None:
                    continue
                if details.grademax is not None and row.grade > details.grademax:
                    raise _local_error(
                        fn,
                        f"grade {row.grade:g} for user {row.studentid} is above grademax {details.grademax:g}",
                    )
                if details.grademin is not None and row.grade < details.grademin:
                    raise _local_error(
                        fn,
                        f"grade {row.grade:g} for user {row.studentid} is below grademin {details.grademin:g}",
                    )
        before: dict[str, Any] = {
            "source": source,
            "courseid": courseid,
            "component": component,
            "activityid": activityid,
            "itemnumber": itemnumber,
        }
        if details is not None:
            before["itemdetails"] = details.to_params()
        items = [r.to_params() for r in rows]
        if not items:
            return (
                GradeUpdateResult(statuses=[int(self.transport.call(fn, before))])
                if details
                else GradeUpdateResult()
            )
        answers = self._chunked(fn, "grades", items, before=before)
        return GradeUpdateResult(statuses=[int(a) for a in answers])

    def get_user_grade_items(
        self, courseid: int, *, userid: int | None = None, groupid: int | None = None
    ) -> GradeReport:
        """gradereport_user_get_grade_items (all users: large; prefer one user or one group)."""
        fn = "gradereport_user_get_grade_items"
        params = {"courseid": _one_id(fn, "courseid", courseid), "userid": userid, "groupid": groupid}
        return self._call(GradeReport, fn, params)

    def get_gradeitems(self, courseid: int) -> GradeItemsResult:
        """core_grades_get_gradeitems: id (a string in the answer), itemname, category only (trap 33)."""
        return self._read_id(GradeItemsResult, "core_grades_get_gradeitems", "courseid", courseid)

    # -- assignments -------------------------------------------------------------------------

    def get_assignments(
        self,
        courseids: Sequence[int] | None = None,
        *,
        capabilities: Sequence[str] | None = None,
        includenotenrolledcourses: bool | None = True,
    ) -> AssignmentsResult:
        """mod_assign_get_assignments. ``includenotenrolledcourses`` defaults to True: a
        non-enrolled integration user otherwise gets nothing but a warning (trap 30)."""
        fn = "mod_assign_get_assignments"
        params = {
            "courseids": None if courseids is None else _ids(fn, "courseids", courseids),
            "capabilities": None if capabilities is None else list(capabilities),
            "includenotenrolledcourses": includenotenrolledcourses,
        }
        return self._call(AssignmentsResult, fn, params)

    def save_assign_grades(
        self,
        assignmentid: int,
        grades: Sequence[AssignGradeInput | Mapping[str, Any]],
        *,
        applytoall: bool = False,
        grademax: float | None = None,
    ) -> None:
        """mod_assign_save_grades, chunked. With ``grademax`` (the assignment's ``grade``),
        grades above it are refused here: Moodle would silently drop them (trap 20)."""
        fn = "mod_assign_save_grades"
        assignmentid = _one_id(fn, "assignmentid", assignmentid)
        rows = _items(AssignGradeInput, grades)
        for row in rows:
            if row.grade < 0:
                raise _local_error(fn, f"grade {row.grade:g} for user {row.userid} is negative")
            if grademax is not None and row.grade > grademax:
                raise _local_error(
                    fn, f"grade {row.grade:g} for user {row.userid} is above the maximum {grademax:g}"
                )
        before = {"assignmentid": assignmentid, "applytoall": applytoall}
        self._chunked(fn, "grades", [r.to_params() for r in rows], before=before)

    def get_assign_grades(
        self, assignmentids: Sequence[int], *, since: int | None = None
    ) -> AssignGradesResult:
        """mod_assign_get_grades (grades are strings, no comments; unknown ids -> warning, trap 7).

        Raises ``MissingCapability`` ("Grade assignment") when Moodle answers warning code ``1`` (no
        access rights in module context): Moodle then returns no grades, which must not read as "none
        given" (mod/assign/externallib.php, get_grades; tester round 29, 5)."""
        fn = "mod_assign_get_grades"
        params = {"assignmentids": _ids(fn, "assignmentids", assignmentids), "since": since}
        result = self._call(AssignGradesResult, fn, params)
        denied = sorted(w.itemid for w in result.warnings if w.warningcode == "1" and w.itemid is not None)
        if denied:
            raise MissingCapability.warned(
                fn, f"{fn}: no access rights in module context for assignment(s) {', '.join(map(str, denied))}",
                name="mod/assign:grade", title="Grade assignment",
            )
        return result
