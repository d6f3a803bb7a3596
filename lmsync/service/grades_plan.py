"""The saved grades plan (``GradesPlan``): what ``grades push`` will send, printable and saved as
JSON, with the fingerprint of the gradebook it was made from. ``assemble_plan`` turns the
domain's plans (``GradeItemsPlan`` for the gradebook items, ``AssignPlan`` for the assignment)
into it; ``check_privacy`` refuses one that would show a mentee's rating of a mentor.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from pydantic import BaseModel, Field

from lmsync.config import Config
from lmsync.domain.assign_grades import AssignPlan
from lmsync.domain.envelope import AssignGradeValue, Envelope, GradeValue, SaveAssignGrades, UpdateGrades
from lmsync.domain.grades import GradeItemSpec, GradeItemsPlan, GradeRequest, GradeWrite
from lmsync.domain.locked_items import LockedItem
from lmsync.errors import PlanError
from lmsync.service.grade_state import GradeState
from lmsync.service.programme_settings import Settings

COMPONENT = "mod_forum"
PLAN_VERSION = 2  # 2: ownership by derived idnumber + store record (issue 10, point 6)
HIDDEN_POLICY_WARNING = (
    "mentee_ratings = 'hidden': mentees' ratings of their mentor go to hidden items on the mentee's row; "
    "a default non-editing teacher (the usual mentor role) holds moodle/grade:viewhidden and can read them. "
    "Use the default 'aggregate_only' unless mentors have no teacher role in this course."
)


#: A grade item of the saved plan: the domain's spec, saved as its fields (``key`` .. ``hidden``).
PlannedItem = GradeItemSpec


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


class PlannedRefusal(BaseModel):
    """A metric refused: an item this store cannot prove it created carries its idnumber (tester
    finding 1b); ``message`` says which item, why, and how to fix it."""

    key: str
    idnumber: str
    itemnumber: int | None
    item_id: int | None
    message: str


class PlannedAssignGrade(BaseModel):
    user_id: int
    grade: float
    comment: str | None = None


class PlannedRejection(BaseModel):
    key: str
    user_id: int
    value: float
    reason: str

    @property
    def out_of_range(self) -> bool:
        """A value the item cannot hold (``domain.grades.validate_value``): no retry sends it, an admin
        must act; a person no longer active is expected and not such a problem (tester round 10, 6)."""
        return not self.reason.startswith("not an active participant")


def out_of_range_fix(keys: set[str]) -> str:
    """How to fix the figures of ``keys`` outside their item's range, in plain words (tester round 94a, 5: the run
    only said "`lmsync grades plan` says which", and the plan did not say how)."""
    fixes = []
    if "minutes" in keys:
        fixes.append("a meeting longer than [meetings] max_minutes: take it back with `lmsync meetings remove` and "
                     "record it again with its right minutes (one from the Feedback meeting log: correct its response "
                     "in Moodle), or raise [meetings] max_minutes")
    if "meetings" in keys:
        fixes.append("more meetings than [meetings] max_meetings: take back any recorded twice (`lmsync meetings "
                     "list`, `lmsync meetings remove`), or raise [meetings] max_meetings")
    if keys - {"minutes", "meetings"}:
        fixes.append("a survey figure outside its scale: correct the answer behind it")
    return "; ".join(fixes)


class PlannedHeld(BaseModel):
    """A mentor's received mean not written, and why (tester round 78, 5: the plan dropped them unnamed):
    ``withheld``, a first mean over answers an erasure changed; ``held``, a mean the gradebook shows on
    lmsync's own item that an erasure took this store's record of (kept as published). No value: either
    would tell what the others' answers gave (``grades_held``). Also a person's own survey grade an erasure took
    answers from: ``held`` at the value the gradebook shows, else ``withheld`` (tester round 117a, 1); and, in
    ``GradesPlan.unanswered``, a survey grade with no stored answer behind it any more: ``published``, left as it is
    (``grades_left``; tester round 122a, 4)."""

    key: str  # the metric, e.g. satisfaction-mentee-received-T0, satisfaction-mentor-T0
    user_id: int  # the person whose grade it is (a received mean's mentor, never a rater)
    state: str  # "withheld", "held", or "published" (``GradesPlan.unanswered``)
    reason: str
    # of an unanswered grade: "no_answer" (none stored) or "too_few_answers" (too few for a score; round 123b, 5)
    cause: str | None = None


class PlannedLocked(BaseModel):
    """One of lmsync's own grade items a teacher locked: no write planned, ``grades`` of its grades differ from
    lmsync's figures (``lmsync.domain.locked_items``; tester round 122a, 6)."""

    key: str
    itemname: str
    itemnumber: int
    grades: int
    exposed: bool = False  # lmsync keeps it hidden and the gradebook shows it: a privacy problem (round 123b, 3)

    def domain(self) -> LockedItem:
        return LockedItem(self.key, self.itemname, self.itemnumber, self.grades, self.exposed)

    def describe(self) -> str:
        return self.domain().describe()


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
    refused: list[PlannedRefusal] = Field(default_factory=list)  # metrics not provably lmsync's here
    # assignment grades Moodle holds that this store cannot prove it wrote: left as they are (tester finding 1)
    assign_refused: list[PlannedRejection] = Field(default_factory=list)
    # people whose assignment grade a teacher saved last: kept as the teacher left it (tester round 17, 6)
    assign_teacher_kept: list[int] = Field(default_factory=list)
    # Moodle user id -> "Name (username)" of the people the plan's rejections and refusals name: views name
    # people, never a bare id (tester round 12, 5: "minutes for user 31 = 600")
    people: dict[int, str] = Field(default_factory=dict)
    # why no grade is written from this store: it never paired these circles nor wrote grades
    # (``grades_hold.foreign_store_hold``, tester round 14, 1); ``--store-takes-over`` writes anyway
    store_hold: str | None = None
    # received means not written after an erasure, each named: withheld or held (``PlannedHeld``)
    held_grades: list[PlannedHeld] = Field(default_factory=list)
    # the writes of 0 that no meeting backs any more (an erasure or `meetings remove` took them): (itemnumber, user
    # id) on the gradebook items, user ids on the assignment; the run, the push and the digest say them (117c, 4)
    unbacked: list[tuple[int, int]] = Field(default_factory=list)
    assign_unbacked: list[int] = Field(default_factory=list)
    # lmsync's items a teacher locked: left as they are, no write planned (tester round 122a, 6)
    locked_items: list[PlannedLocked] = Field(default_factory=list)
    # survey grades lmsync published that no stored answer backs any more: left as they are, each named
    # (``grades_unanswered``; tester round 122a, 4)
    unanswered: list[PlannedHeld] = Field(default_factory=list)

    @property
    def exposed_items(self) -> list[PlannedLocked]:
        """The locked items lmsync keeps hidden that the gradebook shows: an admin's (exit 2; tester round 123b, 3)."""
        return [x for x in self.locked_items if x.exposed]

    def who(self, user_id: int) -> str:
        """A person the plan names as views show people (``Name (username)``); ``user #N`` when unknown."""
        return self.people.get(user_id, f"user #{user_id}")

    @property
    def empty(self) -> bool:
        """Nothing to send (which is not "in sync" while there is drift: see ``in_sync``)."""
        return not self.requests and not self.assign_requests

    @property
    def in_sync(self) -> bool:
        """Nothing to send, no duplicated item, no creation in flight (issue 10, point 10), no metric
        refused (tester finding 1b), no assignment grade refused (tester finding 1)."""
        return (self.empty and not self.duplicates and not self.held and not self.refused and not self.assign_refused
                # a figure its item cannot hold: the run says it on every day (exit 2), so the plan never says
                # "no changes" beside it (tester round 94a, 5)
                and not self.out_of_range
                # a locked rating of mentors left visible: an admin's (exit 2), never "no changes" (tester round 123b, 3)
                and not self.exposed_items)

    @property
    def out_of_range(self) -> list[PlannedRejection]:
        """The rejected values their item cannot hold (an admin's, exit 2), not the people no longer active."""
        return [r for r in self.rejected if r.out_of_range]

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


def check_privacy(s: Settings, grade_plan: GradeItemsPlan) -> list[str]:
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
    grade_plan: GradeItemsPlan,
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
        items=list(specs_desc.values()),
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
        assign_refused=[
            PlannedRejection(key=r.key, user_id=r.user_id, value=r.value, reason=r.reason)
            for r in (assign_plan.refused if assign_plan else [])
        ],
        assign_teacher_kept=list(assign_plan.teacher_kept) if assign_plan else [],
        unbacked=list(grade_plan.unbacked),
        assign_unbacked=list(assign_plan.unbacked) if assign_plan else [],
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
        locked_items=[PlannedLocked(key=x.key, itemname=x.itemname, itemnumber=x.itemnumber, grades=x.differ,
                                    exposed=x.exposed) for x in grade_plan.locked],
        refused=[
            PlannedRefusal(
                key=u.key, idnumber=u.idnumber, itemnumber=u.itemnumber, item_id=u.item_id, message=u.describe()
            )
            for u in grade_plan.refused
        ],
    )
