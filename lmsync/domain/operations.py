"""The sync plan's operations and the saved ``lmsync-plan/1`` format.

Operations refer to groups by idnumber, never by future ids, so a saved plan stays meaningful
until it is applied; ``APPLY_ORDER`` is the order they are applied in. Planned by
:func:`lmsync.domain.plan.plan_sync`.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, TypeAlias

from pydantic import BaseModel, ConfigDict, Field


class _Op(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    @property
    def key(self) -> str:
        raise NotImplementedError

    @property
    def destructive(self) -> bool:
        return False


class _Destructive(_Op):
    """An operation that takes something away from Moodle (held back without ``allow_delete``)."""

    @property
    def destructive(self) -> bool:
        return True


class CreateGrouping(_Op):
    kind: Literal["create_grouping"] = "create_grouping"
    idnumber: str
    name: str
    description: str = ""

    @property
    def key(self) -> str:
        return f"create_grouping:{self.idnumber}"


class UpdateGrouping(_Op):
    """Rename lmsync's own grouping (found by idnumber) to ``[programme] grouping_name``.

    ``description`` is what Moodle holds now: ``core_group_update_groupings`` requires one, and
    the rename must not overwrite what an admin wrote there.
    """

    kind: Literal["update_grouping"] = "update_grouping"
    idnumber: str
    name: str
    description: str = ""

    @property
    def key(self) -> str:
        return f"update_grouping:{self.idnumber}"


class CreateGroup(_Op):
    kind: Literal["create_group"] = "create_group"
    idnumber: str
    name: str
    description: str = ""

    @property
    def key(self) -> str:
        return f"create_group:{self.idnumber}"


class UpdateGroup(_Op):
    kind: Literal["update_group"] = "update_group"
    idnumber: str
    name: str
    description: str = ""

    @property
    def key(self) -> str:
        return f"update_group:{self.idnumber}"


class AssignGrouping(_Op):
    kind: Literal["assign_grouping"] = "assign_grouping"
    group: str  # group idnumber
    grouping: str  # grouping idnumber

    @property
    def key(self) -> str:
        return f"assign_grouping:{self.group}"


class AddMember(_Op):
    kind: Literal["add_member"] = "add_member"
    group: str
    user_id: int

    @property
    def key(self) -> str:
        return f"add_member:{self.group}:{self.user_id}"


class RemoveMember(_Destructive):
    kind: Literal["remove_member"] = "remove_member"
    group: str
    user_id: int
    reason: str = ""

    @property
    def key(self) -> str:
        return f"remove_member:{self.group}:{self.user_id}"


class PostWelcome(_Op):
    kind: Literal["post_welcome"] = "post_welcome"
    group: str
    subject: str
    message: str

    @property
    def key(self) -> str:
        return f"post_welcome:{self.group}"


class DeleteGroup(_Destructive):
    kind: Literal["delete_group"] = "delete_group"
    group: str
    reason: str = ""

    @property
    def key(self) -> str:
        return f"delete_group:{self.group}"


DUPLICATE_REPAIR_REASON = (
    "lmsync's own duplicate (a write that committed twice); deleted without --allow-delete because "
    "the oldest copy keeps the idnumber and every matched member, and nothing another person made "
    "is touched"
)


class UnassignGrouping(_Destructive):
    """Take a doubly linked group out of lmsync's grouping; an ``assign_grouping`` puts it back once."""

    kind: Literal["unassign_grouping"] = "unassign_grouping"
    group: str
    grouping: str
    reason: str = "linked twice into the grouping"

    @property
    def key(self) -> str:
        return f"unassign_grouping:{self.group}"


class DeleteDuplicateGroup(_Destructive):
    """Delete one copy of a circle whose idnumber two groups carry; the oldest (lowest id) stays."""

    kind: Literal["delete_duplicate_group"] = "delete_duplicate_group"
    group: str  # the idnumber both copies carry
    group_id: int  # the copy to delete (never the oldest)
    reason: str = DUPLICATE_REPAIR_REASON

    @property
    def key(self) -> str:
        return f"delete_duplicate_group:{self.group}:{self.group_id}"


class DeleteDuplicateGrouping(_Destructive):
    """Delete a second grouping carrying lmsync's grouping idnumber; the oldest stays."""

    kind: Literal["delete_duplicate_grouping"] = "delete_duplicate_grouping"
    grouping: str
    grouping_id: int
    reason: str = DUPLICATE_REPAIR_REASON

    @property
    def key(self) -> str:
        return f"delete_duplicate_grouping:{self.grouping}:{self.grouping_id}"


#: Every sync operation (``lmsync.domain.envelope`` adds the grades and message ones to it).
SyncOperation: TypeAlias = (
    CreateGrouping
    | UpdateGrouping
    | CreateGroup
    | UpdateGroup
    | UnassignGrouping
    | AssignGrouping
    | AddMember
    | RemoveMember
    | PostWelcome
    | DeleteGroup
    | DeleteDuplicateGroup
    | DeleteDuplicateGrouping
)
Operation = Annotated[SyncOperation, Field(discriminator="kind")]

# Apply order: containers before contents, removals before additions (a mentee moving
# between circles is never in two at once for long), deletions last; a duplicate goes only
# after its members were added to the copy that stays.
APPLY_ORDER = [
    "create_grouping",
    "update_grouping",
    "create_group",
    "update_group",
    "unassign_grouping",
    "assign_grouping",
    "remove_member",
    "add_member",
    "post_welcome",
    "delete_group",
    "delete_duplicate_group",
    "delete_duplicate_grouping",
]
# Writes Moodle checks before inserting with no unique index behind: a copy sent again while an
# earlier one may still commit makes a duplicate (issue 10 point 10). The others are idempotent.
HELD_WHILE_PENDING = frozenset({"create_grouping", "create_group", "assign_grouping", "add_member", "post_welcome"})


class Plan(BaseModel):
    """A printable, serialisable list of operations and the observation they were planned on."""

    model_config = ConfigDict(extra="forbid")

    format: Literal["lmsync-plan/1"] = "lmsync-plan/1"
    programme: str
    course_id: int
    fingerprint: str
    operations: list[Operation] = []
    warnings: list[str] = []
    # Warnings about people as items a script can act on (code, person, moodle_id, username,
    # field, value, suggestion, message): see lmsync.domain.people.PersonWarning.
    warning_items: list[dict[str, Any]] = []
    skipped_deletes: list[str] = []
    pending: list[str] = []  # operation keys held back: an earlier copy may still commit

    @property
    def empty(self) -> bool:
        """No operation to send (there may still be ``pending`` ones waiting for Moodle)."""
        return not self.operations

    @property
    def settled(self) -> bool:
        """Moodle matches the programme: nothing to send and nothing pending."""
        return not self.operations and not self.pending

    def counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for op in self.operations:
            counts[op.kind] = counts.get(op.kind, 0) + 1
        return counts

    def by_kind(self, kind: str) -> list[Operation]:
        return [op for op in self.operations if op.kind == kind]
