"""``lmsync grades plan|push``: meetings and survey scores into the Moodle gradebook.

Same discipline as the group sync: **observe** (circles, active enrolments, the owned grade
items with their grades, the assignment's grades; the meeting-log and survey Feedback
activities are mirrored into the store on the way) -> **plan** (``GradesPlan``: printable,
saved as JSON, carrying a fingerprint of what was observed) -> **push** (item details
first, chunked by variable count, each request journaled before and after, then read back
and compared). Moodle 4.5's grade functions fail silently in many ways (traps 19-25), so
everything that can be checked is checked before sending, and what was sent is verified
after.

Ownership (issue 10, point 6): lmsync writes only to grade items it can prove it created:
the item carries the idnumber derived from the programme and metric
(``lmsync.domain.grades.derived_idnumber``) and the store's ``grade_items`` table records
the creation at that itemnumber (``lmsync.store.grade_items``). Another programme's items in
the range are left alone and named in the plan. A creation whose answer was lost is recorded
before it is sent and is not sent again for ``[sync] write_settle_seconds`` (a slow Moodle may still commit
it, issue 10 point 10); two items at one itemnumber are drift the plan shows.

Reading the gradebook: ``gradereport_user_get_grade_items`` without a user lists only the
course's gradebook roles (students). Mentors are usually teachers, and a per-mentor
aggregate is written on their row, so the people to be graded who are missing from that
answer are read one by one (one request per such person, the price of seeing the truth).
"""

from __future__ import annotations

import hashlib
import html
import json
import time
import uuid
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from pydantic import BaseModel, Field

from lmsync.config import Config
from lmsync.config_sections import default_idnumber_prefix
from lmsync.domain.envelope import (
    AssignGradeValue,
    Envelope,
    GradeValue,
    SaveAssignGrades,
    UpdateGrades,
)
from lmsync.domain.grades import (
    TOLERANCE,
    AssignGrade,
    AssignPlan,
    GradePlan,
    GradeRequest,
    GradeWrite,
    ItemRecord,
    ObservedGradeItem,
    plan_assignment_grades,
    plan_grades,
)
from lmsync.domain.plan import circle_pairs
from lmsync.errors import ConfigError, PlanError
from lmsync.log import get_logger
from lmsync.moodle.api import MoodleApi
from lmsync.moodle.models import Assignment, GradeReport
from lmsync.moodle.text import same_name
from lmsync.service.executor import EACH, Executor, Kind, OpFamily, Refused, Sent
from lmsync.service.feedback_sources import FeedbackSourceProblem, find_feedback, read_feedback
from lmsync.service.meetings import (
    Metrics,
    Settings,
    attendance_comments,
    compute_metrics,
    make_resolver,
    settings,
    store_feedback_answers,
    store_feedback_meetings,
)
from lmsync.service.observe import RosterUser, find_course_id, observe, read_roster
from lmsync.service.runtime import session
from lmsync.store.db import Store
from lmsync.store.grade_items import GradeItemRecords
from lmsync.store.journal import Journal
from lmsync.store.meetings import SentComments

log = get_logger(__name__)

COMPONENT = "mod_forum"
SOURCE = "lmsync"
PLAN_VERSION = 2  # 2: ownership by derived idnumber + store record (issue 10, point 6)
UPDATE_GRADES = "core_grades_update_grades"
SAVE_ASSIGN_GRADES = "mod_assign_save_grades"
HIDDEN_POLICY_WARNING = (
    "mentee_ratings = 'hidden': mentees' ratings of their mentor go to hidden items on the mentee's row; "
    "a default non-editing teacher (the usual mentor role) holds moodle/grade:viewhidden and can read them. "
    "Use the default 'aggregate_only' unless mentors have no teacher role in this course."
)


# --- what was observed --------------------------------------------------------------------------


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
        }
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
                    {"row": row, "grades": {}, "hidden": []},
                )
                seen["hidden"].append(row.gradeishidden)
                if row.graderaw is not None:
                    seen["grades"][user.userid] = float(row.graderaw)
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
        )
    return items, frozenset(foreign), users


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
    if assignment is not None:
        result = api.get_assign_grades([assignment.id])
        latest: dict[int, tuple[int, float | None]] = {}
        for entry in result.assignments:
            if entry.assignmentid != assignment.id:
                continue
            for g in entry.grades:
                value = g.grade if g.has_grade else None
                if g.userid not in latest or g.attemptnumber >= latest[g.userid][0]:
                    latest[g.userid] = (g.attemptnumber, value)
        assign_grades = {uid: value for uid, (_n, value) in latest.items()}
    return GradeState(course_id, cmid, items, foreign, enrolled, extra, assignment, assign_grades)


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
    if len(found) != 1:
        raise ConfigError(
            f"grades.assignment: {'no' if not found else 'more than one'} assignment {name!r} in the programme course",
            hint="create the assignment (point grade, feedback comments on) or fix the name",
        )
    return _target(found[0])


def _target(a: Assignment) -> AssignmentTarget:
    if a.grade <= 0:
        raise ConfigError(f"grades.assignment: {a.name!r} is graded with a scale; lmsync needs a point grade")
    return AssignmentTarget(a.id, a.cmid, a.name, float(a.grade), a.feedback_comments_enabled)


# --- the plan -------------------------------------------------------------------------------------


class PlannedItem(BaseModel):
    key: str
    itemnumber: int
    itemname: str
    idnumber: str | None
    grademin: float
    grademax: float
    hidden: bool
    description: str = ""


class PlannedGrade(BaseModel):
    user_id: int
    grade: float


class PlannedRequest(BaseModel):
    """One core_grades_update_grades call: details (when new or changed) then grades."""

    itemnumber: int
    itemdetails: dict[str, Any] | None = None
    grades: list[PlannedGrade] = Field(default_factory=list)
    key: str | None = None  # the metric
    creates: bool = False  # the item does not exist yet: recorded in the store before sending
    adopts: bool = False  # an earlier lmsync's item gets its derived idnumber

    def to_domain(self) -> GradeRequest:
        return GradeRequest(
            self.itemnumber,
            self.itemdetails,
            tuple(GradeWrite(g.user_id, g.grade) for g in self.grades),
            key=self.key,
            creates=self.creates,
            adopts=self.adopts,
        )


class PlannedTaken(BaseModel):
    """An item in lmsync's itemnumber range that lmsync cannot prove it created (never written)."""

    itemnumber: int
    item_id: int | None
    itemname: str | None
    idnumber: str | None


class PlannedDuplicate(BaseModel):
    """Several grade items at one itemnumber: drift an admin resolves (Moodle updates neither)."""

    itemnumber: int
    item_ids: list[int | None]
    mine: bool


class PlannedAssignGrade(BaseModel):
    user_id: int
    grade: float
    comment: str | None = None


class PlannedRejection(BaseModel):
    key: str
    user_id: int
    value: float
    reason: str


class GradesPlan(BaseModel):
    """What ``grades push`` will send, and the observation it was made from."""

    version: int = PLAN_VERSION
    programme: str
    course_id: int
    component: str = COMPONENT
    activity_cmid: int
    itemnumbers: tuple[int, int]
    as_of: date
    created_at: str
    fingerprint: str
    read_users: list[int] = Field(default_factory=list)
    items: list[PlannedItem] = Field(default_factory=list)
    requests: list[PlannedRequest] = Field(default_factory=list)
    assignment_id: int | None = None
    assignment_name: str | None = None
    assignment_grademax: float | None = None
    assign_requests: list[list[PlannedAssignGrade]] = Field(default_factory=list)
    rejected: list[PlannedRejection] = Field(default_factory=list)
    unchanged: int = 0
    assign_unchanged: int = 0
    warnings: list[str] = Field(default_factory=list)
    taken: list[PlannedTaken] = Field(default_factory=list)
    duplicates: list[PlannedDuplicate] = Field(default_factory=list)
    held: list[str] = Field(default_factory=list)  # metrics whose creation may still commit

    @property
    def empty(self) -> bool:
        """Nothing to send (which is not "in sync" while there is drift: see ``in_sync``)."""
        return not self.requests and not self.assign_requests

    @property
    def in_sync(self) -> bool:
        """Nothing to send, no duplicated item, no creation in flight (issue 10, point 10)."""
        return self.empty and not self.duplicates and not self.held

    @property
    def grade_count(self) -> int:
        return sum(len(r.grades) for r in self.requests)

    @property
    def assign_count(self) -> int:
        return sum(len(r) for r in self.assign_requests)

    def item(self, itemnumber: int) -> PlannedItem | None:
        return next((i for i in self.items if i.itemnumber == itemnumber), None)

    def envelope(self) -> Envelope:
        """The writes of this plan as typed operations of the grades family (the executor's input)."""
        ops: list[UpdateGrades | SaveAssignGrades] = []
        for r in self.requests:
            item = self.item(r.itemnumber)
            ops.append(
                UpdateGrades(
                    itemnumber=r.itemnumber,
                    itemdetails=r.itemdetails,
                    grades=tuple(GradeValue(user_id=g.user_id, grade=g.grade) for g in r.grades),
                    metric=item.key if item is not None else r.key,
                    idnumber=item.idnumber if item is not None else None,
                    creates=r.creates,
                    adopts=r.adopts,
                )
            )
        for chunk in self.assign_requests:
            assert self.assignment_id is not None
            ops.append(
                SaveAssignGrades(
                    assignment_id=self.assignment_id,
                    grademax=self.assignment_grademax,
                    grades=tuple(AssignGradeValue(user_id=g.user_id, grade=g.grade, comment=g.comment) for g in chunk),
                )
            )
        return Envelope(
            family="grades",
            programme=self.programme,
            course_id=self.course_id,
            fingerprint=self.fingerprint,
            operations=list(ops),
        )

    def summary(self) -> dict[str, int]:
        return {
            "items": len(self.items),
            "requests": len(self.requests) + len(self.assign_requests),
            "grades": self.grade_count,
            "assignment_grades": self.assign_count,
            "unchanged": self.unchanged + self.assign_unchanged,
            "rejected": len(self.rejected),
        }


def sensitive_keys(s: Settings) -> set[str]:
    """Metric keys holding one mentee's rating of their mentor (never visible on a row the mentor reads)."""
    keys = set()
    for inst in s.instruments.values():
        if inst.rates_mentor and inst.grade_name:
            for wave in s.waves:
                keys.add(f"{inst.grade_name}-{wave.name}")
                keys.add(f"{inst.grade_name}-change-{wave.name}")
    return keys


def check_privacy(s: Settings, grade_plan: GradePlan) -> list[str]:
    """Refuse a plan that would show a single mentee's rating of a mentor; warn about the weaker policy."""
    sensitive = sensitive_keys(s)
    exposed = [i.itemname for i in grade_plan.items if i.key in sensitive and not i.hidden]
    if exposed:
        raise PlanError(
            f"refusing to publish mentees' individual ratings of mentors on visible items: {', '.join(exposed)}",
            hint="keep [grades] mentee_ratings = 'aggregate_only' (the default)",
        )
    if any(i.key in sensitive for i in grade_plan.items):
        return [HIDDEN_POLICY_WARNING]
    return []


def assemble_plan(
    config: Config,
    s: Settings,
    state: GradeState,
    grade_plan: GradePlan,
    assign_plan: AssignPlan | None,
    *,
    as_of: date,
    warnings: list[str],
) -> GradesPlan:
    specs_desc = {i.key: i for i in grade_plan.items}
    return GradesPlan(
        programme=config.programme.name,
        course_id=state.course_id,
        activity_cmid=state.cmid,
        itemnumbers=(s.grades.itemnumber_base, s.grades.itemnumber_base + s.grades.itemnumber_count - 1),
        as_of=as_of,
        created_at=datetime.now(UTC).isoformat(timespec="seconds"),
        fingerprint=state.fingerprint(),
        read_users=list(state.read_users),
        items=[
            PlannedItem(
                key=i.key,
                itemnumber=i.itemnumber,
                itemname=i.itemname,
                idnumber=i.idnumber,
                grademin=i.grademin,
                grademax=i.grademax,
                hidden=i.hidden,
            )
            for i in specs_desc.values()
        ],
        requests=[
            PlannedRequest(
                itemnumber=r.itemnumber,
                itemdetails=dict(r.itemdetails) if r.itemdetails else None,
                grades=[PlannedGrade(user_id=g.user_id, grade=g.grade) for g in r.grades],
                key=r.key,
                creates=r.creates,
                adopts=r.adopts,
            )
            for r in grade_plan.requests
        ],
        assignment_id=state.assignment.id if state.assignment else None,
        assignment_name=state.assignment.name if state.assignment else None,
        assignment_grademax=state.assignment.grademax if state.assignment else None,
        assign_requests=[
            [PlannedAssignGrade(user_id=g.user_id, grade=g.grade, comment=g.comment) for g in r.grades]
            for r in (assign_plan.requests if assign_plan else [])
        ],
        rejected=[
            PlannedRejection(key=r.key, user_id=r.user_id, value=r.value, reason=r.reason)
            for r in grade_plan.rejected + (assign_plan.rejected if assign_plan else [])
        ],
        unchanged=grade_plan.unchanged,
        assign_unchanged=assign_plan.unchanged if assign_plan else 0,
        warnings=warnings + grade_plan.warnings,
        taken=[
            PlannedTaken(itemnumber=x.itemnumber, item_id=x.item_id, itemname=x.itemname, idnumber=x.idnumber)
            for x in grade_plan.taken
        ],
        duplicates=[
            PlannedDuplicate(itemnumber=d.itemnumber, item_ids=list(d.item_ids), mine=d.mine)
            for d in grade_plan.duplicates
        ],
        held=list(grade_plan.held),
    )


@dataclass
class SourceReport:
    """What one Feedback activity contributed (counts only: answers are personal data)."""

    kind: str  # meetings | instrument name
    name: str
    attempts: int = 0
    stored: int = 0
    removed: int = 0
    problems: int = 0


@dataclass
class GradesPlanResult:
    plan: GradesPlan
    metrics: Metrics
    state: GradeState
    sources: list[SourceReport] = field(default_factory=list)
    pairs: int = 0
    requests: int = 0  # Moodle reads it took


def read_feedback_sources(
    api: MoodleApi,
    store: Store,
    s: Settings,
    *,
    course_id: int,
    roster: Mapping[int, RosterUser],
    pairs: list[tuple[int, int]],
    today: date,
    warnings: list[str],
) -> list[SourceReport]:
    """Mirror the configured meeting-log and survey Feedback activities into the store.

    A source that cannot be read (missing, anonymous) is a warning and keeps what the store
    already holds from it; it is never emptied because of a misnamed activity.
    """
    wanted: list[tuple[str, str]] = []
    if s.meetings.feedback:
        wanted.append(("meetings", s.meetings.feedback))
    for name, section in sorted(s.instrument_sections.items()):
        if section.feedback:
            wanted.append((name, section.feedback))
    if not wanted:
        return []
    feedbacks = api.get_feedbacks_by_courses([course_id]).feedbacks
    reports = []
    for kind, activity in wanted:
        try:
            source = read_feedback(api, find_feedback(feedbacks, activity))
        except FeedbackSourceProblem as exc:
            warnings.append(f"{'meetings' if kind == 'meetings' else 'instruments.' + kind}.feedback: {exc}")
            continue
        report = SourceReport(kind, activity, attempts=len(source.attempts))
        if kind == "meetings":
            resolve = make_resolver(roster.values(), s.meetings.person_key)
            counts, problems = store_feedback_meetings(store, s, source.attempts, pairs, resolve, today=today)
            report.problems = len(problems)
            for p in problems[:10]:
                warnings.append(f"meeting log, attempt {p.attempt_id}: {p.field}: {p.message}")
        else:
            try:
                counts, answer_problems = store_feedback_answers(
                    store, s, kind, source.attempts, items=source.items
                )
            except FeedbackSourceProblem as exc:  # a scale mismatch: nothing stored (issue 10.3)
                warnings.append(f"instruments.{kind}.feedback: {exc}")
                continue
            report.problems = len(answer_problems)
            for a in answer_problems[:10]:
                warnings.append(f"{kind}, attempt {a.attempt_id}: item {a.item} is not usable")
        report.stored, report.removed = counts.added + counts.updated, counts.removed
        reports.append(report)
    return reports


def assignment_plan(
    s: Settings,
    metrics: Metrics,
    state: GradeState,
    store: Store,
    participants: Collection[int],
    *,
    budget: int,
) -> AssignPlan | None:
    """Attendance grade + comment on the assignment for its participants (the mentee roles)."""
    target = state.assignment
    if target is None:
        return None
    desired = []
    for uid, (rate, comment) in sorted(attendance_comments(metrics).items()):
        if uid not in participants:
            continue
        text = f"<p>{html.escape(comment)}</p>" if target.comments_enabled else None
        desired.append(AssignGrade(uid, round(rate * target.grademax / 100.0, 2), text))
    sent = SentComments(store, s.programme).get(target.id)
    return plan_assignment_grades(
        desired, state.assign_grades, sent, state.enrolled, grademax=target.grademax, budget=budget
    )


def item_records(
    records: GradeItemRecords, *, now: datetime, settle: timedelta
) -> list[ItemRecord]:
    """The store's records as the planner sees them: a creation sent less than ``settle``
    (``[sync] write_settle_seconds``) ago and not read back since is ``pending`` (it may still
    commit on a slow Moodle)."""
    out = []
    for row in records.all():
        pending = row.state == "sending" and row.item_id is None and now - row.sent_at < settle
        out.append(ItemRecord(row.metric, row.itemnumber, row.idnumber, row.item_id, pending))
    return out


def legacy_itemnumbers(journal: Journal) -> set[int]:
    """Itemnumbers whose item details an earlier lmsync sent and Moodle accepted (its journal):
    the store's proof for items created before derived idnumbers existed."""
    numbers: set[int] = set()
    for entry in journal.entries():
        if entry.function != UPDATE_GRADES or entry.state != "ok":
            continue
        if not (isinstance(entry.result, dict) and entry.result.get("details")):
            continue
        for key in journal.keys_of(entry.id):
            parts = str(key).split(":")
            if parts[0] in ("grade", "grade_item") and len(parts) > 1 and parts[1].isdigit():
                numbers.add(int(parts[1]))
    return numbers


def ownership_plan(
    s: Settings,
    metrics: Metrics,
    state: GradeState,
    enrolled: Collection[int],
    *,
    records: list[ItemRecord],
    legacy_numbers: Collection[int],
    budget: int,
) -> GradePlan:
    """The grade writes for ``metrics`` on the items lmsync can prove are its own."""
    try:
        return plan_grades(
            metrics.values,
            metrics.specs,
            state.items.values(),
            frozenset(enrolled),
            base=s.grades.itemnumber_base,
            count=s.grades.itemnumber_count,
            idnumber_prefix=s.grades.idnumber_prefix or default_idnumber_prefix(s.programme),
            budget=budget,
            foreign_idnumbers=state.foreign_idnumbers,
            programme=s.programme,
            records=records,
            legacy_numbers=legacy_numbers,
        )
    except ValueError as exc:
        raise ConfigError(f"grades: {exc}") from None


def make_grades_plan(
    api: MoodleApi, config: Config, store: Store, *, as_of: date | None = None
) -> GradesPlanResult:
    """Observe Moodle, refresh the Feedback sources in the store, and plan the grade writes."""
    started = api.transport.requests_made
    s = settings(config)
    today = as_of or date.today()
    snapshot = observe(api, config)
    obs = snapshot.observation
    pairs = circle_pairs(s.programme, obs.groups)
    warnings: list[str] = []
    if not pairs:
        warnings.append("no mentoring circles in Moodle yet: run `lmsync sync` first")
    sources = read_feedback_sources(
        api,
        store,
        s,
        course_id=obs.course_id,
        roster=snapshot.roster,
        pairs=pairs,
        today=today,
        warnings=warnings,
    )
    metrics = compute_metrics(store, s, pairs, as_of=today)
    cmid = resolve_activity(api, config, obs.course_id, snapshot.forum_cmid)
    target = find_assignment(api, obs.course_id, s.grades.assignment) if s.grades.assignment else None
    if target is not None and not target.comments_enabled:
        warnings.append(
            f"assignment {target.name!r} has feedback comments off: grades are sent without comments"
        )
    enrolled = frozenset(snapshot.roster)
    state = read_grade_state(
        api,
        course_id=obs.course_id,
        cmid=cmid,
        owned=owned_range(s),
        enrolled=enrolled,
        graded_users={v.user_id for v in metrics.values},
        assignment=target,
    )
    records = GradeItemRecords(store, s.programme, obs.course_id, cmid)
    grade_plan = ownership_plan(
        s,
        metrics,
        state,
        enrolled,
        records=item_records(
            records, now=datetime.now(UTC), settle=timedelta(seconds=config.sync.write_settle_seconds)
        ),
        legacy_numbers=legacy_itemnumbers(Journal(store, s.programme)),
        budget=config.moodle.batch_budget,
    )
    warnings.extend(check_privacy(s, grade_plan))
    mentee_roles = set(config.programme.mentee_roles)
    participants = {uid for uid, u in snapshot.roster.items() if u.roles & mentee_roles}
    assign = assignment_plan(s, metrics, state, store, participants, budget=config.moodle.batch_budget)
    plan = assemble_plan(config, s, state, grade_plan, assign, as_of=today, warnings=warnings)
    requests = api.transport.requests_made - started
    log.info(
        "grades.plan",
        pairs=len(pairs),
        metrics=len(metrics.values),
        fingerprint=plan.fingerprint,
        reads=requests,
        **plan.summary(),
    )
    return GradesPlanResult(plan, metrics, state, sources, len(pairs), requests)


# --- push -----------------------------------------------------------------------------------------


@dataclass
class PushReport:
    run_id: str
    requests: int = 0  # write requests sent
    reads: int = 0  # reads (re-observation and verification)
    grades: int = 0
    details: int = 0  # item details sent (created or changed items)
    assign_grades: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)  # (what, errorcode or status)
    uncertain: bool = False  # a write's outcome is unknown: stop, re-plan later
    mismatches: list[str] = field(default_factory=list)
    verified: int = 0
    seconds: float = 0.0

    @property
    def complete(self) -> bool:
        return not self.failed and not self.uncertain and not self.mismatches


def _item_lane(chunk: Sequence[Any]) -> int:
    return int(chunk[0].itemnumber)


class GradesFamily(OpFamily):
    """The grades family on the executor: ``core_grades_update_grades`` requests (as planned:
    details first, each below the budget), then ``mod_assign_save_grades`` chunks.

    Requests of different items go side by side; a later request of an item waits for its first
    (which carries the details) and is skipped when that one was refused: sent alone it would
    create a nameless item. A creation is recorded in the store before it is sent (issue 10
    point 6); a token, access or capability refusal stops the push (exit code 2).
    """

    name = "grades"
    kinds = {
        "update_grades": Kind(UPDATE_GRADES, one_per_call=True, lane=_item_lane, skip_lane_after_refusal=True),
        "assign_grades": Kind(SAVE_ASSIGN_GRADES, one_per_call=True, lane=EACH),
    }

    def __init__(self, api: MoodleApi, store: Store, plan: GradesPlan, report: PushReport) -> None:
        super().__init__(Journal(store, plan.programme))
        self.api = api
        self.store = store
        self.plan = plan
        self.report = report
        self.records = GradeItemRecords(store, plan.programme, plan.course_id, plan.activity_cmid)

    def failures(self, kind: str, chunk: Sequence[Any], reason: str) -> list[tuple[str, str]]:
        if kind == "update_grades":
            return [(f"item {op.itemnumber}", reason) for op in chunk]
        return [(f"assignment {op.assignment_id}", reason) for op in chunk]

    def before(self, kind: str, chunk: Sequence[Any]) -> None:
        (op,) = chunk
        if kind == "update_grades" and op.creates and op.idnumber is not None and op.metric is not None:
            # Recorded before sending: if the answer is lost, the next plan knows this creation may
            # still commit and does not send a second one (issue 10, point 10).
            self.records.sending(op.itemnumber, op.metric, op.idnumber)

    def send(self, kind: str, chunk: Sequence[Any]) -> Sent:
        (op,) = chunk
        plan = self.plan
        if kind == "update_grades":
            result = self.api.update_grades(
                SOURCE,
                plan.course_id,
                plan.component,
                plan.activity_cmid,
                op.itemnumber,
                [{"studentid": g.user_id, "grade": g.grade} for g in op.grades],
                itemdetails=op.itemdetails,
            )
            if not result.ok:
                raise Refused(f"status {result.statuses}", {"statuses": result.statuses})
            return Sent({"grades": len(op.grades), "details": op.itemdetails is not None})
        self.api.save_assign_grades(
            op.assignment_id,
            [{"userid": g.user_id, "grade": g.grade, "comment": g.comment} for g in op.grades],
            grademax=op.grademax,
        )
        return Sent({"grades": len(op.grades)})

    def accepted(self, kind: str, chunk: Sequence[Any], sent: Sent) -> None:
        (op,) = chunk
        if kind == "update_grades":
            if op.adopts and op.idnumber is not None and op.metric is not None:
                self.records.sending(op.itemnumber, op.metric, op.idnumber, state="adopted")
            self.report.grades += len(op.grades)
            self.report.details += 1 if op.itemdetails else 0
            return
        SentComments(self.store, self.plan.programme).record(
            op.assignment_id, [(g.user_id, g.comment) for g in op.grades if g.comment is not None]
        )
        self.report.assign_grades += len(op.grades)


def push_envelope(
    api: MoodleApi, store: Store, plan: GradesPlan, *, run_id: str, max_parallel: int = 1
) -> PushReport:
    """Send ``plan``'s requests through the executor; a lost answer stops the push (``uncertain``)."""
    report = PushReport(run_id)
    family = GradesFamily(api, store, plan, report)
    done = Executor(family, run_id=run_id, max_parallel=max_parallel).run(plan.envelope())
    report.requests = done.batches
    report.failed.extend(done.failed)
    report.uncertain = done.lost is not None
    return report


def verify(plan: GradesPlan, state: GradeState) -> tuple[int, list[str]]:
    """Compare what the plan sent with what Moodle now holds (silent partial writes, trap 25)."""
    checked = 0
    mismatches: list[str] = []
    for request in plan.requests:
        found = state.at(request.itemnumber)
        if len(found) > 1:
            mismatches.append(f"item {request.itemnumber}: {len(found)} grade items at this itemnumber")
        seen = found[0] if len(found) == 1 else None
        if request.itemdetails and seen is not None:
            want = plan.item(request.itemnumber)
            if want is not None and (
                seen.itemname != want.itemname or abs(seen.grademax - want.grademax) > TOLERANCE
            ):
                mismatches.append(f"item {request.itemnumber}: details did not arrive")
        for g in request.grades:
            checked += 1
            got = seen.grades.get(g.user_id) if seen is not None else None
            if got is None or abs(got - g.grade) > TOLERANCE:
                mismatches.append(
                    f"item {request.itemnumber}, user {g.user_id}: sent {g.grade:g}, read {got}"
                )
    for chunk in plan.assign_requests:
        for a in chunk:
            checked += 1
            got = state.assign_grades.get(a.user_id)
            if got is None or abs(got - a.grade) > TOLERANCE:
                mismatches.append(f"assignment, user {a.user_id}: sent {a.grade:g}, read {got}")
    return checked, mismatches


def confirm_records(store: Store, plan: GradesPlan, state: GradeState) -> int:
    """Record the Moodle id of every item lmsync created or adopted that is now read back alone at
    its itemnumber with the recorded idnumber (after a push: a write, never during a plan)."""
    records = GradeItemRecords(store, plan.programme, plan.course_id, plan.activity_cmid)
    confirmed = 0
    for row in records.all():
        found = state.at(row.itemnumber)
        single = found[0] if len(found) == 1 else None
        if single is not None and single.idnumber == row.idnumber and single.id not in (None, row.item_id):
            assert single.id is not None
            records.confirm(row.itemnumber, single.id)
            confirmed += 1
    return confirmed


def _observe_for(api: MoodleApi, config: Config, plan: GradesPlan) -> GradeState:
    """Re-read exactly what ``plan`` was made from (same per-user reads)."""
    enrolled = frozenset(read_roster(api, plan.course_id, config.moodle.page_size))
    target = None
    if plan.assignment_id is not None:
        assert plan.assignment_name is not None
        target = find_assignment(api, plan.course_id, plan.assignment_name)
    return read_grade_state(
        api,
        course_id=plan.course_id,
        cmid=plan.activity_cmid,
        owned=range(plan.itemnumbers[0], plan.itemnumbers[1] + 1),
        enrolled=enrolled,
        read_users=plan.read_users,
        assignment=target,
    )


def push_grades(
    api: MoodleApi,
    config: Config,
    store: Store,
    plan: GradesPlan,
    *,
    observed: GradeState | None = None,
    verify_after: bool = True,
) -> PushReport:
    """Push exactly ``plan``. Without ``observed`` (a saved plan), Moodle is read again first and
    the plan is refused when its fingerprint no longer matches."""
    started = time.monotonic()
    reads_before = api.transport.requests_made
    if plan.version != PLAN_VERSION:
        raise PlanError(f"the plan has format version {plan.version}, this lmsync writes {PLAN_VERSION}")
    if plan.programme != config.programme.name:
        raise PlanError(
            f"the plan is for programme {plan.programme!r}, the configuration for {config.programme.name!r}"
        )
    if observed is None:
        course_id = find_course_id(api, config.programme.course)
        if course_id != plan.course_id:
            raise PlanError(
                f"the plan is for course {plan.course_id}, the configuration names course {course_id}"
            )
        observed = _observe_for(api, config, plan)
    now = observed.fingerprint()
    if now != plan.fingerprint:
        raise PlanError(
            f"the gradebook changed since the plan was made (fingerprint {plan.fingerprint} -> {now})",
            hint="run `lmsync grades plan` again and review the new plan",
        )
    run_id = uuid.uuid4().hex[:12]
    reads = api.transport.requests_made - reads_before
    drift = [
        (f"item {d.itemnumber}", f"{len(d.item_ids)} grade items at one itemnumber (ids "
         f"{', '.join(str(i) for i in d.item_ids)}): delete all but one in Gradebook setup")
        for d in plan.duplicates
    ]
    if plan.empty:
        return PushReport(run_id, reads=reads, seconds=time.monotonic() - started, failed=drift)
    report = push_envelope(api, store, plan, run_id=run_id, max_parallel=config.moodle.max_parallel)
    report.failed.extend(drift)
    if verify_after and not report.uncertain:
        before = api.transport.requests_made
        after = _observe_for(api, config, plan)
        reads += api.transport.requests_made - before
        report.verified, report.mismatches = verify(plan, after)
        confirm_records(store, plan, after)
    report.reads = reads
    report.seconds = time.monotonic() - started
    log.info(
        "grades.push",
        run_id=run_id,
        requests=report.requests,
        reads=report.reads,
        grades=report.grades,
        details=report.details,
        assignment_grades=report.assign_grades,
        failed=len(report.failed),
        mismatches=len(report.mismatches),
        seconds=round(report.seconds, 3),
    )
    return report


# --- jobs (lock + connection + store), as the CLI and the demo run them -----------------------------


def plan_job(
    config: Config, *, wait: bool = False, site: Any = None, as_of: date | None = None
) -> GradesPlanResult:
    with session(config, wait=wait, site=site) as (conn, store):
        return make_grades_plan(conn.api, config, store, as_of=as_of)


@dataclass
class PushResult:
    plan: GradesPlan
    report: PushReport
    planned: GradesPlanResult | None = None  # when push planned first


def push_job(
    config: Config,
    plan: GradesPlan | None = None,
    *,
    wait: bool = False,
    site: Any = None,
    as_of: date | None = None,
    on_plan: Callable[[GradesPlanResult], Any] | None = None,
) -> PushResult:
    """Push a saved plan (re-checked against Moodle), or plan and push in one go."""
    with session(config, wait=wait, site=site) as (conn, store):
        if plan is not None:
            return PushResult(plan, push_grades(conn.api, config, store, plan))
        planned = make_grades_plan(conn.api, config, store, as_of=as_of)
        if on_plan is not None:
            on_plan(planned)
        report = push_grades(conn.api, config, store, planned.plan, observed=planned.state)
        return PushResult(planned.plan, report, planned)
