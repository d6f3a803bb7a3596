"""Planning grade writes: metric values -> owned grade items -> the fewest safe requests.

Moodle 4.5's ``core_grades_update_grades`` is the only web-service way to create a grade
item, and it is forgiving in the wrong places (shared/moodle README, traps 19-25): it
grades unknown and unenrolled users, clamps grades above the maximum, drops feedback
text, accepts duplicate idnumbers, wants numeric idnumbers and PARAM_ALPHANUMEXT names,
and when a request is cut by ``max_input_vars`` it applies the first part and answers OK.
So this module decides everything *before* sending:

* ownership: lmsync owns the itemnumbers ``[base, base + count)`` on the programme's
  activity. An item keeps its itemnumber for life: observed items are matched by name,
  new metrics take the lowest free number (Moodle, not a local file, remembers the slots);
* names are made safe (``lmsync_selfefficacy-T3``), idnumbers are ``<prefix><itemnumber>``
  (``20261000``) and left out, with a warning, when another item already uses one;
* only grades that differ from the read-back are written; item details only when the item
  is new or its name, range, idnumber or visibility changed; an item is created with its
  first grade, not before;
* grades for people not actively enrolled and values outside the item's range are
  rejected here, listed in the plan, and never sent;
* requests are chunked by form-variable count (5 scalars + item details + 2 per grade),
  the item details always in an item's first request and before its grades.

Feedback comments go through an assignment (``mod_assign_save_grades``), planned by
``plan_assignment_grades`` with the same rules.
"""

from __future__ import annotations

import math
import re
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from lmsync.domain.metrics import MetricSpec, MetricValue

ITEMNAME_PREFIX = "lmsync_"
UPDATE_GRADES_SCALARS = 5  # source, courseid, component, activityid, itemnumber
SAVE_GRADES_SCALARS = 2  # assignmentid, applytoall
SAVE_GRADE_VARS = 5  # userid, grade, attemptnumber, addattempt, workflowstate
COMMENT_VARS = 2  # plugindata[assignfeedbackcomments_editor][text|format]
TOLERANCE = 1e-4  # Moodle stores grades as decimal(10,5)
_UNSAFE = re.compile(r"[^A-Za-z0-9_-]+")


def safe_itemname(key: str) -> str:
    """``lmsync_`` + the key with anything outside PARAM_ALPHANUMEXT turned into ``-``."""
    body = _UNSAFE.sub("-", key).strip("-")
    if not body:
        raise ValueError(f"metric key {key!r} has no letters or digits")
    return (ITEMNAME_PREFIX + body)[:100]


def numeric_idnumber(prefix: int, itemnumber: int, *, width: int) -> str:
    """``numeric_idnumber(2026, 1000, width=4) == "20261000"``: Moodle takes PARAM_INT only."""
    if prefix < 1 or itemnumber < 0:
        raise ValueError("idnumber prefix and itemnumber must be positive")
    value = f"{prefix}{itemnumber:0{width}d}"
    if int(value) >= 2**63:
        raise ValueError(f"idnumber {value} does not fit Moodle's integer")
    return value


@dataclass(frozen=True)
class GradeItemSpec:
    """A grade item as lmsync wants it on the programme's activity."""

    key: str
    itemnumber: int
    itemname: str
    idnumber: str | None
    grademin: float
    grademax: float
    hidden: bool

    def details(self) -> dict[str, Any]:
        """``itemdetails`` in the order they are sent (idnumber left out when unsafe)."""
        out: dict[str, Any] = {"itemname": self.itemname}
        if self.idnumber is not None:
            out["idnumber"] = self.idnumber
        out["grademin"] = _number(self.grademin)
        out["grademax"] = _number(self.grademax)
        out["hidden"] = 1 if self.hidden else 0
        return out


@dataclass(frozen=True)
class ObservedGradeItem:
    """An item in the owned range as read back (gradereport_user_get_grade_items).

    ``hidden`` is ``None`` when the read cannot tell; a hidden spec then resends its
    details, because a rating that should be hidden must not stay visible by doubt.
    """

    itemnumber: int
    itemname: str | None
    idnumber: str | None = None
    grademin: float = 0.0
    grademax: float = 100.0
    hidden: bool | None = None
    grades: Mapping[int, float | None] = field(default_factory=dict)


@dataclass(frozen=True)
class GradeWrite:
    user_id: int
    grade: float


@dataclass(frozen=True)
class Rejection:
    key: str
    user_id: int
    value: float
    reason: str


@dataclass(frozen=True)
class GradeRequest:
    """One ``core_grades_update_grades`` call; ``params`` keeps details before grades."""

    itemnumber: int
    itemdetails: Mapping[str, Any] | None
    grades: tuple[GradeWrite, ...]

    def var_count(self) -> int:
        return UPDATE_GRADES_SCALARS + len(self.itemdetails or {}) + 2 * len(self.grades)

    def params(
        self, *, course_id: int, component: str, activity_id: int, source: str = "lmsync"
    ) -> dict[str, Any]:
        """The call's parameters in send order; ``activity_id`` is the course-module id."""
        out: dict[str, Any] = {
            "source": source,
            "courseid": course_id,
            "component": component,
            "activityid": activity_id,
            "itemnumber": self.itemnumber,
        }
        if self.itemdetails:
            out["itemdetails"] = dict(self.itemdetails)
        if self.grades:
            out["grades"] = [{"studentid": g.user_id, "grade": _number(g.grade)} for g in self.grades]
        return out


@dataclass
class GradePlan:
    items: list[GradeItemSpec]
    requests: list[GradeRequest]
    rejected: list[Rejection]
    unchanged: int
    warnings: list[str]

    @property
    def grade_count(self) -> int:
        return sum(len(r.grades) for r in self.requests)

    @property
    def is_empty(self) -> bool:
        return not self.requests

    def summary(self) -> dict[str, int]:
        return {
            "items": len(self.items),
            "requests": len(self.requests),
            "grades": self.grade_count,
            "unchanged": self.unchanged,
            "rejected": len(self.rejected),
        }


def _number(value: float) -> float | int:
    return int(value) if float(value).is_integer() else round(float(value), 5)


def allocate_items(
    specs: Mapping[str, MetricSpec],
    observed: Iterable[ObservedGradeItem],
    *,
    base: int,
    count: int,
    idnumber_prefix: int | None,
    foreign_idnumbers: Collection[str] = (),
) -> tuple[list[GradeItemSpec], list[str]]:
    """Give each metric an itemnumber in the owned range; keep the ones Moodle already has.

    ``foreign_idnumbers`` are the idnumbers of every other grade item in the course.
    Raises ``ValueError`` when the range is full.
    """
    owned = [o for o in observed if base <= o.itemnumber < base + count]
    by_name = {o.itemname: o.itemnumber for o in sorted(owned, key=lambda o: o.itemnumber) if o.itemname}
    used = {o.itemnumber for o in owned}
    width = len(str(base + count - 1))
    warnings: list[str] = []
    items: list[GradeItemSpec] = []
    free = (n for n in range(base, base + count) if n not in used)
    for key in sorted(specs):
        spec = specs[key]
        name = safe_itemname(key)
        number = by_name.get(name)
        if number is None:
            number = next(free, None)
            if number is None:
                raise ValueError(
                    f"no free itemnumber left in {base}-{base + count - 1} for {name}: widen [grades] itemnumber_count"
                )
        idnumber = numeric_idnumber(idnumber_prefix, number, width=width) if idnumber_prefix else None
        if idnumber is not None:
            clash = [o.itemnumber for o in owned if o.idnumber == idnumber and o.itemnumber != number]
            if clash or idnumber in foreign_idnumbers:
                where = f"itemnumber {clash[0]}" if clash else "another grade item"
                warnings.append(
                    f"{name}: idnumber {idnumber} is already used by {where}; sent without idnumber"
                )
                idnumber = None
        items.append(GradeItemSpec(key, number, name, idnumber, spec.grademin, spec.grademax, spec.hidden))
    return sorted(items, key=lambda i: i.itemnumber), warnings


def _needs_details(item: GradeItemSpec, seen: ObservedGradeItem | None) -> bool:
    if seen is None:
        return True
    if seen.itemname != item.itemname:
        return True
    if abs(seen.grademax - item.grademax) > TOLERANCE or abs(seen.grademin - item.grademin) > TOLERANCE:
        return True
    if item.idnumber is not None and seen.idnumber != item.idnumber:
        return True
    if seen.hidden is None:
        return item.hidden
    return seen.hidden != item.hidden


def validate_value(
    value: float, spec: GradeItemSpec | MetricSpec, user_id: int, enrolled: Collection[int]
) -> str | None:
    """Why this grade must not be sent, or ``None`` when it may."""
    if user_id not in enrolled:
        return "not an active participant of the course"
    if not math.isfinite(value):
        return "not a number"
    if value > spec.grademax + TOLERANCE:
        return f"above the maximum {_number(spec.grademax)}"
    if value < spec.grademin - TOLERANCE:
        return f"below the minimum {_number(spec.grademin)}"
    return None


def plan_grades(
    values: Iterable[MetricValue],
    specs: Mapping[str, MetricSpec],
    observed: Iterable[ObservedGradeItem],
    enrolled: Collection[int],
    *,
    base: int,
    count: int,
    idnumber_prefix: int | None,
    budget: int = 2000,
    foreign_idnumbers: Collection[str] = (),
) -> GradePlan:
    """The requests that bring the owned grade items to the desired values, nothing more.

    ``enrolled`` is the set of users with an *active* enrolment (onlyactive=1). Grades
    already equal to the read-back are not sent; an item whose details match and whose
    grades all match produces no request at all.
    """
    observed_list = list(observed)
    items, warnings = allocate_items(
        specs,
        observed_list,
        base=base,
        count=count,
        idnumber_prefix=idnumber_prefix,
        foreign_idnumbers=foreign_idnumbers,
    )
    seen_by_number = {o.itemnumber: o for o in observed_list}
    item_by_key = {i.key: i for i in items}
    wanted: dict[str, dict[int, float]] = {}
    rejected: list[Rejection] = []
    for v in values:
        item = item_by_key.get(v.key)
        if item is None:
            raise ValueError(f"metric {v.key!r} has no spec")
        problem = validate_value(v.value, item, v.user_id, enrolled)
        if problem:
            rejected.append(Rejection(v.key, v.user_id, v.value, problem))
            continue
        wanted.setdefault(v.key, {})[v.user_id] = v.value
    requests: list[GradeRequest] = []
    unchanged = 0
    for item in items:
        seen = seen_by_number.get(item.itemnumber)
        old = seen.grades if seen else {}
        writes = []
        for user_id, value in sorted(wanted.get(item.key, {}).items()):
            before = old.get(user_id)
            if before is not None and abs(before - value) <= TOLERANCE:
                unchanged += 1
                continue
            writes.append(GradeWrite(user_id, value))
        if seen is None and not writes:
            continue  # created with its first grade: an empty column only confuses teachers
        details = item.details() if _needs_details(item, seen) else None
        requests.extend(chunk_grade_requests(item.itemnumber, details, writes, budget=budget))
    return GradePlan(items, requests, rejected, unchanged, warnings)


def chunk_grade_requests(
    itemnumber: int, details: Mapping[str, Any] | None, writes: list[GradeWrite], *, budget: int
) -> list[GradeRequest]:
    """Split one item's writes so no request exceeds ``budget`` variables; details go first."""
    first_room = (budget - UPDATE_GRADES_SCALARS - len(details or {})) // 2
    room = (budget - UPDATE_GRADES_SCALARS) // 2
    if first_room < 1:
        raise ValueError(f"a variable budget of {budget} cannot hold one grade")
    requests: list[GradeRequest] = []
    if details is not None or writes:
        requests.append(GradeRequest(itemnumber, details, tuple(writes[:first_room])))
    rest = writes[first_room:]
    for start in range(0, len(rest), room):
        requests.append(GradeRequest(itemnumber, None, tuple(rest[start : start + room])))
    return requests


# --- the assignment: a grade with a comment ---------------------------------------------------


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
                "grade": _number(g.grade),
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
