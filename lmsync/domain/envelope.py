"""One plan envelope for every write lmsync makes to Moodle (issue 12).

An :class:`Envelope` holds typed operations of one family, in the order the family applies
them, and is what :mod:`lmsync.service.executor` runs:

* ``sync``: groups, lmsync's grouping, members and welcome discussions (the operations of
  :mod:`lmsync.domain.plan`, which a saved ``lmsync-plan/1`` file carries);
* ``grades``: grade items with their grades (``core_grades_update_grades``) and assignment
  grades (``mod_assign_save_grades``);
* ``messages``: one Moodle message to one person (``core_message_send_instant_messages``).

The review formats people save and read (``Plan``, ``GradesPlan``) turn into an envelope
(:meth:`Envelope.of_sync_plan`, ``GradesPlan.envelope``); operations keep the journal keys
the earlier engines wrote (``grade:<itemnumber>:<user>``, ``assign_grade:<id>:<user>``), so a
journal written before the envelope still reads the same. Pure: no HTTP, no storage.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from lmsync.domain.operations import APPLY_ORDER, Plan, PlannedWrites, SyncOperation, _Op

ENVELOPE_FORMAT = "lmsync-envelope/1"


class GradeValue(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    user_id: int
    grade: float


class UpdateGrades(_Op):
    """One ``core_grades_update_grades`` request: an item's details (when new or changed) and grades.

    The planner already cut it below the variable budget, details first (traps 19-25); later
    requests of one item carry no details, so they wait for the first.
    """

    kind: Literal["update_grades"] = "update_grades"
    itemnumber: int
    itemdetails: dict[str, Any] | None = None
    grades: tuple[GradeValue, ...] = ()
    metric: str | None = None
    idnumber: str | None = None  # the derived idnumber the item carries (issue 10 point 6)
    creates: bool = False  # recorded in the store before sending: a lost create may still commit
    adopts: bool = False

    @property
    def key(self) -> str:
        first = self.grades[0].user_id if self.grades else "details"
        return f"update_grades:{self.itemnumber}:{first}"

    @property
    def journal_keys(self) -> list[str]:
        keys = [f"grade:{self.itemnumber}:{g.user_id}" for g in self.grades]
        return keys or [f"grade_item:{self.itemnumber}"]


class AssignGradeValue(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    user_id: int
    grade: float
    comment: str | None = None


class SaveAssignGrades(_Op):
    """One ``mod_assign_save_grades`` request for one assignment (one chunk of people)."""

    kind: Literal["assign_grades"] = "assign_grades"
    assignment_id: int
    grademax: float | None = None
    grades: tuple[AssignGradeValue, ...] = ()

    @property
    def key(self) -> str:
        first = self.grades[0].user_id if self.grades else 0
        return f"assign_grades:{self.assignment_id}:{first}"

    @property
    def journal_keys(self) -> list[str]:
        return [f"assign_grade:{self.assignment_id}:{g.user_id}" for g in self.grades]


class SendMessage(_Op):
    """One Moodle message to one person. Never idempotent (trap 29): recorded before it is sent."""

    kind: Literal["send_message"] = "send_message"
    recipient_id: int
    text: str
    mentor_id: int
    mentee_id: int
    reason: str  # the nudge kind (at_risk, fading, ...)

    @property
    def key(self) -> str:
        return f"send_message:{self.mentor_id}-{self.mentee_id}:{self.recipient_id}"


EnvelopeOperation = Annotated[
    SyncOperation | UpdateGrades | SaveAssignGrades | SendMessage,
    Field(discriminator="kind"),
]

Family = Literal["sync", "grades", "messages"]

#: Each family's operation kinds in the order they are applied (a kind is finished before the
#: next starts: containers before contents, removals before additions, deletions last).
ORDER: dict[str, tuple[str, ...]] = {
    "sync": tuple(APPLY_ORDER),
    "grades": ("update_grades", "assign_grades"),
    "messages": ("send_message",),
}


class Envelope(PlannedWrites):
    """Typed operations of one family and the observation they were planned on (none: ``""``)."""

    format: Literal["lmsync-envelope/1"] = "lmsync-envelope/1"
    family: Family
    fingerprint: str = ""
    operations: list[EnvelopeOperation] = []

    def steps(self) -> list[tuple[str, list[Any]]]:
        """``(kind, operations)`` in the family's apply order, planner order kept within a kind.

        Raises ``ValueError`` for an operation of another family.
        """
        order = ORDER[self.family]
        stray = sorted({op.kind for op in self.operations} - set(order))
        if stray:
            raise ValueError(f"operations {stray} are not of the {self.family} family")
        return [(kind, ops) for kind in order if (ops := [op for op in self.operations if op.kind == kind])]

    @classmethod
    def of_sync_plan(cls, plan: Plan) -> Envelope:
        """The envelope of a sync plan (a saved ``lmsync-plan/1`` file reads the same way)."""
        return cls(
            family="sync",
            programme=plan.programme,
            course_id=plan.course_id,
            fingerprint=plan.fingerprint,
            operations=list(plan.operations),
        )
