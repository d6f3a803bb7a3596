"""The gradebook as a grades plan sees it: lmsync's items in its itemnumber range on the
programme's activity (with their grades), other items' idnumbers, active enrolments and the
configured assignment's grades.

``gradereport_user_get_grade_items`` without a user lists only the course's gradebook roles
(students). Mentors are usually teachers, and a per-mentor aggregate is written on their row,
so the people to be graded who are missing from that answer are read one by one (one request
per such person, the price of seeing the truth).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from typing import Any

from lmsync.config import Config
from lmsync.domain.grade_items import ITEMNAME_PREFIX, ObservedGradeItem
from lmsync.errors import ConfigError
from lmsync.moodle.api import MoodleApi
from lmsync.moodle.errors import MissingCapability
from lmsync.moodle.models import Assignment, GradeReport
from lmsync.moodle.text import format_string, same_name
from lmsync.service.programme_settings import Settings, settings


@dataclass(frozen=True)
class AssignmentTarget:
    id: int
    cmid: int
    name: str
    grademax: float
    comments_enabled: bool


@dataclass
class GradeState:
    """The gradebook as read: the items in lmsync's range on the activity (by Moodle item id:
    two at one itemnumber stay apart), other items' idnumbers, enrolments, and the
    assignment's grades. ``read_users`` were read one by one (not in the course report)."""

    course_id: int
    cmid: int
    items: dict[int, ObservedGradeItem]
    foreign_idnumbers: frozenset[str]
    enrolled: frozenset[int]
    read_users: tuple[int, ...]
    assignment: AssignmentTarget | None = None
    assign_grades: dict[int, float | None] = field(default_factory=dict)
    # people whose assignment row someone other than the token's user saved last (Moodle's grader), with a grade or
    # without one (only a feedback comment: tester round 122a, 1)
    assign_graded_by_others: frozenset[int] = frozenset()
    # name -> Moodle ids of the other items named like lmsync's (``lmsync_``...): a teacher's item of the name
    # lmsync's would take (tester round 108b, 1)
    foreign_names: dict[str, frozenset[int]] = field(default_factory=dict)

    def fingerprint(self) -> str:
        """A digest of everything a grades plan depends on; a saved plan is refused when it changes."""
        data = {
            "course": self.course_id,
            "cmid": self.cmid,
            "items": [
                [
                    i.id,
                    i.itemnumber,
                    i.itemname,
                    i.idnumber,
                    round(i.grademin, 5),
                    round(i.grademax, 5),
                    i.hidden,
                    sorted((u, None if g is None else round(g, 5)) for u, g in i.grades.items()),
                ]
                for i in sorted(self.items.values(), key=lambda i: (i.itemnumber, i.id or 0))
            ],
            "foreign": sorted(self.foreign_idnumbers),
            "enrolled": sorted(self.enrolled),
            "assignment": None if self.assignment is None else [self.assignment.id, self.assignment.grademax],
            "assign_grades": sorted(
                (u, None if g is None else round(g, 5)) for u, g in self.assign_grades.items()
            ),
            "assign_graded_by_others": sorted(self.assign_graded_by_others),
        }
        if locked := sorted(i.id or 0 for i in self.items.values() if i.locked):  # so when none (122a, 6)
            data["locked"] = locked
        if self.foreign_names:  # left out when none, so a plan saved before keeps its fingerprint
            data["foreign_names"] = sorted((name, sorted(ids)) for name, ids in self.foreign_names.items())
        return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()[:16]

    def at(self, itemnumber: int) -> list[ObservedGradeItem]:
        """Every item at ``itemnumber`` (more than one is drift)."""
        return [i for i in self.items.values() if i.itemnumber == itemnumber]


def owned_range(s: Settings) -> range:
    return range(s.grades.itemnumber_base, s.grades.itemnumber_base + s.grades.itemnumber_count)


def observed_items(
    reports: Iterable[GradeReport], *, cmid: int, owned: range
) -> tuple[dict[int, ObservedGradeItem], frozenset[str], set[int]]:
    """Items in the range on the activity (by Moodle item id) with every user's grade, other items'
    idnumbers, users seen. Two items at one itemnumber are kept apart (issue 10, point 10)."""
    rows: dict[int, dict[str, Any]] = {}
    foreign: set[str] = set()
    users: set[int] = set()
    for report in reports:
        for user in report.usergrades:
            users.add(user.userid)
            for row in user.gradeitems:
                mine = row.itemmodule == "forum" and row.cmid == cmid and row.itemnumber in owned
                if not mine:
                    if row.idnumber and row.itemtype != "course":
                        foreign.add(row.idnumber)
                    continue
                assert row.itemnumber is not None
                seen = rows.setdefault(
                    row.id,
                    {"row": row, "grades": {}, "hidden": [], "teachers": {}, "locked": False},
                )
                seen["hidden"].append(row.gradeishidden)
                seen["locked"] |= bool(row.locked)  # the item's lock, on each of its rows (tester round 122a, 6)
                if row.graderaw is not None:
                    seen["grades"][user.userid] = float(row.graderaw)
                if row.gradeislocked or row.gradeisoverridden:
                    seen["teachers"][user.userid] = "locked" if row.gradeislocked else "overridden"
    items = {}
    for item_id, seen in rows.items():
        row = seen["row"]
        items[item_id] = ObservedGradeItem(
            itemnumber=row.itemnumber,
            itemname=row.itemname or None,
            idnumber=row.idnumber or None,
            grademin=float(row.grademin if row.grademin is not None else 0.0),
            grademax=float(row.grademax if row.grademax is not None else 100.0),
            # Moodle reports an item's hidden flag through every grade of it (grade_grade::is_hidden).
            hidden=all(seen["hidden"]) if seen["hidden"] else None,
            grades=seen["grades"],
            id=item_id,
            teachers=seen["teachers"],
            locked=seen["locked"],
        )
    return items, frozenset(foreign), users


def _named_like_lmsync(name: str) -> bool:
    return format_string(name).strip().casefold().startswith(ITEMNAME_PREFIX)


def foreign_item_names(reports: Iterable[GradeReport], *, cmid: int, owned: range) -> dict[str, frozenset[int]]:
    """Name -> Moodle ids of the course's grade items off lmsync's range or activity whose name starts with
    ``lmsync_`` (only such a name can be one lmsync gives: ``safe_itemname``; tester round 108b, 1) as the gradebook
    shows it: after ``format_string``, letter case aside (``LMSYNC_Attendance`` too: tester round 111b, 8)."""
    found: dict[str, set[int]] = {}
    for report in reports:
        for user in report.usergrades:
            for row in user.gradeitems:
                if row.itemtype == "course" or not row.itemname or not _named_like_lmsync(row.itemname):
                    continue
                if row.itemmodule == "forum" and row.cmid == cmid and row.itemnumber in owned:
                    continue
                found.setdefault(row.itemname, set()).add(row.id)
    return {name: frozenset(ids) for name, ids in found.items()}


def read_grade_state(
    api: MoodleApi,
    *,
    course_id: int,
    cmid: int,
    owned: range,
    enrolled: frozenset[int],
    graded_users: Collection[int] = (),
    read_users: Iterable[int] | None = None,
    assignment: AssignmentTarget | None = None,
) -> GradeState:
    """Read the gradebook: the course report, plus one read per graded user it leaves out.

    ``read_users`` replays an earlier observation's per-user reads exactly (a saved plan's
    fingerprint is only comparable over the same reads).
    """
    course_report = api.get_user_grade_items(course_id)
    covered = {u.userid for u in course_report.usergrades}
    if read_users is None:
        extra = tuple(sorted(u for u in graded_users if u not in covered and u in enrolled))
    else:
        extra = tuple(sorted(set(read_users)))
    reports = [course_report] + [api.get_user_grade_items(course_id, userid=uid) for uid in extra]
    items, foreign, _users = observed_items(reports, cmid=cmid, owned=owned)
    assign_grades: dict[int, float | None] = {}
    others: set[int] = set()
    if assignment is not None:
        result = api.get_assign_grades([assignment.id])
        latest: dict[int, tuple[int, float | None, int]] = {}
        for entry in result.assignments:
            if entry.assignmentid != assignment.id:
                continue
            for g in entry.grades:
                value = g.grade if g.has_grade else None
                if g.userid not in latest or g.attemptnumber >= latest[g.userid][0]:
                    latest[g.userid] = (g.attemptnumber, value, g.grader)
        assign_grades = {uid: value for uid, (_n, value, _g) in latest.items()}
        # a row anyone saved, graded or not: a teacher who saved only a feedback comment leaves "no grade" (-1, or
        # NULL: '') with themself as grader, and that row is theirs too (tester round 122a, 1)
        saved = {uid: grader for uid, (_n, _value, grader) in latest.items() if grader > 0}
        if saved:  # who lmsync is on this site: the token's user (fourth tester, finding 3)
            me = api.get_site_info().userid
            others = {uid for uid, grader in saved.items() if grader != me}
    return GradeState(
        course_id, cmid, items, foreign, enrolled, extra, assignment, assign_grades, frozenset(others),
        foreign_item_names(reports, cmid=cmid, owned=owned),
    )


def resolve_activity(api: MoodleApi, config: Config, course_id: int, known_cmid: int | None) -> int:
    """The course-module id of the forum that carries lmsync's grade items."""
    wanted = settings(config).grades.activity
    if wanted is None or wanted == config.programme.forum:
        if known_cmid is not None:
            return known_cmid
        wanted = config.programme.forum
    forums = api.get_forums_by_courses([course_id])
    text = str(wanted).strip()
    if text.isdigit():
        found = [f for f in forums if f.cmid == int(text)]
    else:
        found = [f for f in forums if same_name(f.name, text)]
    if len(found) != 1:
        raise ConfigError(
            f"grades.activity: {'no' if not found else 'more than one'} forum {text!r} in the programme course",
            hint="name the forum that carries lmsync's grade items, or give its course-module id",
        )
    return found[0].cmid


def find_assignment(api: MoodleApi, course_id: int, name: str) -> AssignmentTarget:
    result = api.get_assignments([course_id])
    found = [a for a in result.all_assignments() if same_name(a.name, name) or str(a.cmid) == name.strip()]
    hidden = result.hidden_modules()
    if not found and hidden:  # not "no assignment": Moodle hid it (tester round 29, 5)
        raise MissingCapability.warned(
            "mod_assign_get_assignments",
            f"mod_assign_get_assignments hid {len(hidden)} assignment(s) of the programme course "
            f"(course modules {', '.join(map(str, hidden))}): no access rights in module context",
            name="mod/assign:view", title="View assignment",
        )
    if len(found) != 1:
        raise ConfigError(
            f"grades.assignment: {'no' if not found else 'more than one'} assignment {name!r} in the programme course",
            hint="create the assignment (point grade, feedback comments on) or fix the name",
        )
    return _target(found[0])


def _target(a: Assignment) -> AssignmentTarget:
    """The assignment lmsync grades; ``ConfigError`` with its fix unless it has a point grade (Moodle's ``grade``:
    negative, a scale; 0, grade type None: said as such, not as a scale, and with the fix; tester round 118b, 5)."""
    if a.grade <= 0:
        how = "graded with a scale" if a.grade < 0 else "not graded (grade type None)"
        raise ConfigError(f"grades.assignment: {a.name!r} is {how}; lmsync needs a point grade",
                          hint="in the assignment's settings, Grade > Type: Point; or name another assignment in "
                          "[grades] assignment")
    return AssignmentTarget(a.id, a.cmid, a.name, float(a.grade), a.feedback_comments_enabled)


def comments_off_note(target: AssignmentTarget) -> str | None:
    """The warning for an assignment with feedback comments off (grades go without their comment), or None;
    ``grades plan`` and ``lmsync doctor`` say it (tester round 118b, 5)."""
    if target.comments_enabled:
        return None
    return f"assignment {target.name!r} has feedback comments off: grades are sent without comments"
