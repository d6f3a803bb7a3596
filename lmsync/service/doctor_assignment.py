"""``lmsync doctor``'s check of ``[grades] assignment`` (tester round 118b, 5).

Doctor said "no problems" with ``[grades] assignment = "Mentoring attendence"`` (a typo of the demo's
"Mentoring attendance"), while ``lmsync grades plan`` then failed with ``grades.assignment: no assignment
'Mentoring attendence' in the programme course``. The assignment is found as ``grades plan`` and ``grades push``
find it (:func:`lmsync.service.grade_state.find_assignment`), so doctor says the same words and fix:

- ``[ok  ] grades assignment``: its name, id and maximum grade;
- ``[FAIL] grades assignment``: none (or more than one) of that name or course-module id in the programme course,
  with the closest name the course has (``doctor_checks.names_in_course``); or one whose grade is not a point grade
  (a scale, or grade type None), which ``grades plan`` refuses too;
- ``[warn] grades assignment``: feedback comments off (``grade_state.comments_off_note``, as ``grades plan`` warns);
- nothing when ``[grades] assignment`` is not set, or when Moodle refused the read (the ``mod/assign:view``
  capability probe says that one); any other failed read is a failed check (``doctor_reads.report_unread``).

Reads only (``mod_assign_get_assignments``).
"""

from __future__ import annotations

from typing import Any

from lmsync.config import Config
from lmsync.errors import ConfigError
from lmsync.moodle.errors import MoodleError
from lmsync.moodle.text import same_name
from lmsync.service.doctor_checks import names_in_course
from lmsync.service.doctor_reads import report_unread
from lmsync.service.grade_state import comments_off_note, find_assignment
from lmsync.service.programme_settings import settings

NAME = "grades assignment"
COMMENTS_FIX = "in the assignment's settings, Feedback types: tick Feedback comments"


def assignment_check(api: Any, config: Config, course_id: int, report: Any) -> None:
    """One line (``report.add``) for ``[grades] assignment`` in course ``course_id``, as the module doc says;
    nothing when it is not set."""
    wanted = settings(config).grades.assignment
    if not wanted:
        return
    try:
        target = find_assignment(api, course_id, wanted)
    except ConfigError as exc:
        report.add(NAME, "fail", exc.message.removeprefix("grades.assignment: ") + _closest(api, course_id, wanted), exc.hint)
        return
    except MoodleError as exc:  # a refusal: the mod/assign:view probe names it (tester round 29, 5)
        report_unread(report, NAME, "the course's assignments", exc)
        return
    off = comments_off_note(target)
    if off is not None:
        report.add(NAME, "warn", off, COMMENTS_FIX)
        return
    report.add(NAME, "ok", f"{target.name!r} found (assignment {target.id}, course module {target.cmid}), "
               f"a point grade out of {target.grademax:g}")


def _closest(api: Any, course_id: int, wanted: str) -> str:
    """`` (did you mean 'X'?; the course has: ...)`` when no assignment has the name ``wanted``; ``""`` when one
    has (a scale, two of that name) or the course's assignments cannot be read again."""
    try:
        names = [a.name for a in api.get_assignments([course_id]).all_assignments()]
    except MoodleError:
        return ""
    if any(same_name(name, wanted) for name in names) or wanted.strip().isdigit():
        return ""
    return names_in_course(wanted, names)
