"""The sync plan's operations and the saved ``lmsync-plan/1`` format.

Operations refer to groups by idnumber, never by future ids, so a saved plan stays meaningful
until it is applied; ``APPLY_ORDER`` is the order they are applied in. Planned by
:func:`lmsync.domain.plan.plan_sync`.
"""

from __future__ import annotations

from typing import Annotated, Any, ClassVar, Literal, TypeAlias, TypeVar

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SerializerFunctionWrapHandler,
    field_validator,
    model_serializer,
)

_T = TypeVar("_T")


class _KeyPart:
    """The mark of a field that names its operation in the journal (see :data:`Key`)."""


#: A field that names its operation: an operation's ``key`` is its ``kind`` and the values of
#: its ``Key`` fields in declaration order, joined by ``:`` (``add_member:<group>:<user_id>``).
#: The journal records writes under these keys, so they must not change.
Key: TypeAlias = Annotated[_T, _KeyPart()]


class _Op(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: str
    #: Takes something away from Moodle (held back without ``allow_delete``).
    destructive: ClassVar[bool] = False
    _key_fields: ClassVar[tuple[str, ...]] = ()

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        fields = cls.model_fields.items()
        cls._key_fields = tuple(name for name, info in fields if any(isinstance(m, _KeyPart) for m in info.metadata))

    @property
    def key(self) -> str:
        """``<kind>:<key field>:...``: the journal key of this write (see :data:`Key`)."""
        return ":".join([self.kind] + [str(getattr(self, name)) for name in self._key_fields])


class _Destructive(_Op):
    """An operation that takes something away from Moodle (held back without ``allow_delete``)."""

    destructive: ClassVar[bool] = True


class _GroupOrGrouping(_Op):
    """Create or update a group or lmsync's grouping, found by idnumber."""

    idnumber: Key[str]
    name: str
    description: str = ""


class _Renamed(_GroupOrGrouping):
    """Rename a group or lmsync's grouping back, or put its ID number back.

    ``idnumber_was``: None, or the ID number it carries in Moodle now ("": cleared), which the update replaces
    with ``idnumber`` (``renumbered_circles``, tester round 103b, 2; ``renumbered_grouping``, tester round 105a,
    4). ``name_was``: None, or the name Moodle shows for it now when the update renames it (tester rounds 104a,
    10 and 105a, 9a: the plan named only the new name). Each is left out of the saved plan when None, so a plan
    saved before it keeps its digest (``saved_plan.operations_digest``).
    """

    idnumber_was: str | None = None
    name_was: str | None = None

    @model_serializer(mode="wrap")
    def _without_idnumber_was(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        data: dict[str, Any] = handler(self)
        for key in ("idnumber_was", "name_was"):
            if getattr(self, key) is None:
                data.pop(key, None)
        return data


class CreateGrouping(_GroupOrGrouping):
    kind: Literal["create_grouping"] = "create_grouping"


class UpdateGrouping(_Renamed):
    """Rename lmsync's own grouping (found by idnumber) to ``[programme] grouping_name``, or put its ID number
    back (``idnumber_was`` set: ``renumbered_grouping``).

    ``description`` is what Moodle holds now: ``core_group_update_groupings`` requires one, and
    the rename must not overwrite what an admin wrote there.
    """

    kind: Literal["update_grouping"] = "update_grouping"


class CreateGroup(_GroupOrGrouping):
    kind: Literal["create_group"] = "create_group"


class UpdateGroup(_Renamed):
    """Rename a circle back to its name, or put its ID number back (``_Renamed``). No ``description`` (empty):
    Moodle keeps what the group holds, so a teacher's description survives the rename (tester round 53, 5: it
    was replaced without a word)."""

    kind: Literal["update_group"] = "update_group"


class AssignGrouping(_Op):
    kind: Literal["assign_grouping"] = "assign_grouping"
    group: Key[str]  # group idnumber
    grouping: str  # grouping idnumber


class AddMember(_Op):
    kind: Literal["add_member"] = "add_member"
    group: Key[str]
    user_id: Key[int]
    reason: str = ""  # shown in the plan: why someone goes back into a circle (tester round 10, 11)


class RemoveMember(_Destructive):
    kind: Literal["remove_member"] = "remove_member"
    group: Key[str]
    user_id: Key[int]
    reason: str = ""


class PostWelcome(_Op):
    kind: Literal["post_welcome"] = "post_welcome"
    group: Key[str]
    subject: str
    message: str


class DeleteGroup(_Destructive):
    """Delete a circle no longer wanted (only with ``allow_delete``).

    ``hand_added``: Moodle user ids, ascending, of members the group still holds that lmsync did not put there and
    never removes (no programme role: a teacher or observer added by hand, ``circle_leaving.not_ours``); their
    membership goes with the group, so the plan names them (tester round 103b, 6: it said nothing). Left out of
    the saved plan when empty, so a plan saved before it keeps its digest (``saved_plan.operations_digest``).
    """

    kind: Literal["delete_group"] = "delete_group"
    group: Key[str]
    reason: str = ""
    name: str = ""  # the group's name as Moodle shows it: what a coordinator knows it by (tester round 17, 4)
    discussions: int = 0  # forum discussions in the group, which lose it with the group
    hand_added: tuple[int, ...] = ()

    @model_serializer(mode="wrap")
    def _without_hand_added(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        data: dict[str, Any] = handler(self)
        if not self.hand_added:
            data.pop("hand_added", None)
        return data


DUPLICATE_REPAIR_REASON = (
    "lmsync's own duplicate (a write that committed twice); deleted without --allow-delete because "
    "the oldest copy keeps the idnumber and every matched member, and nothing another person made "
    "is touched"
)


class UnassignGrouping(_Destructive):
    """Take a doubly linked group out of lmsync's grouping; an ``assign_grouping`` puts it back once."""

    kind: Literal["unassign_grouping"] = "unassign_grouping"
    group: Key[str]
    grouping: str
    reason: str = "linked twice into the grouping"


class DeleteDuplicateGroup(_Destructive):
    """Delete one copy of a circle whose idnumber two groups carry; the oldest (lowest id) stays."""

    kind: Literal["delete_duplicate_group"] = "delete_duplicate_group"
    group: Key[str]  # the idnumber both copies carry
    group_id: Key[int]  # the copy to delete (never the oldest)
    reason: str = DUPLICATE_REPAIR_REASON


class DeleteDuplicateGrouping(_Destructive):
    """Delete a second grouping carrying lmsync's grouping idnumber; the oldest stays."""

    kind: Literal["delete_duplicate_grouping"] = "delete_duplicate_grouping"
    grouping: Key[str]
    grouping_id: Key[int]
    reason: str = DUPLICATE_REPAIR_REASON


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


class PlannedWrites(BaseModel):
    """Writes planned for one programme's course on one observation of it (``fingerprint``).

    The common part of the saved sync plan (:class:`Plan`) and of the executor's
    :class:`lmsync.domain.envelope.Envelope`; each names its ``format`` and ``operations``.
    """

    model_config = ConfigDict(extra="forbid")

    format: str
    programme: str
    course_id: int
    fingerprint: str


class PlanSignals(BaseModel):
    """What a run's one-line summary and exit code act on, set where the plan's warnings about it are made, so
    no caller reads them back out of the warnings' words.

    ``circles_held``: circles held as they are while their mentor is away (tester round 55, 5);
    ``mentors_away_at_once``: the first sentence of the warning that the circles' mentors were all found away in
    one read, "" when they were not, and ``mentors_away_fails`` whether it fails the run (exit 2: only on the day
    they were first found; tester rounds 92b, 4 and 93b, 4); ``forum``: ``missing`` when the configured forum is
    not in the course (tester round 31, 2), ``announcements`` when it is the course's announcements forum
    (tester round 92b, 2), "" otherwise; ``two_roles``: people with a mentor role and a mentee role whom matching
    holds until an admin decides (``[matching] dual_role``; tester round 94b, 6: `lmsync run` never said so);
    ``places_held``: places in circles held while their mentee is away, their mentor here (``held_mentees``;
    tester round 103b, 1: `lmsync run` said "in sync" and nothing of them); ``members_away_at_once``: the first
    sentence of the warning that more than ``1 - [sync] min_source_fraction`` of the people placed in circles
    (mentors and members together) were found away in one read, "" when not (or when the mentors' own is said), and
    ``members_away_fails`` whether it fails the run (exit 2, only on the day they were first found; tester round
    106b, 5: a read listing a quarter of the students held 37 places, "ok", exit 0); ``own_renumbered`` and
    ``own_renumbered_fix``: when every group left alone for a circle's ID number is a circle this store made under
    another's, what and the fix (``circle_proof.renumbered_refusal``; tester round 107a, 7), "" otherwise;
    ``grouping_held``: the groupings carrying lmsync's grouping ID number that the store cannot prove are its own,
    named, and ``grouping_held_fix`` the fix (``grouping_proof.held_grouping_refusal``), "" when none, and
    ``groupings_held`` how many: `lmsync sync` and `lmsync run` exit 2 (tester round 118a, 3: "in sync", exit 0,
    while the circles were in no grouping).
    """

    model_config = ConfigDict(extra="forbid")

    circles_held: int = 0
    places_held: int = 0
    mentors_away_at_once: str = ""
    mentors_away_fails: bool = False
    members_away_at_once: str = ""
    members_away_fails: bool = False
    forum: Literal["", "missing", "announcements"] = ""
    two_roles: int = 0
    own_renumbered: str = ""
    own_renumbered_fix: str = ""
    grouping_held: str = ""
    grouping_held_fix: str = ""
    groupings_held: int = 0


class Plan(PlannedWrites):
    """A printable, serialisable list of operations and the observation they were planned on."""

    format: Literal["lmsync-plan/1"] = "lmsync-plan/1"
    operations: list[Operation] = []
    warnings: list[str] = []
    # Warnings about people as items a script can act on (code, person, moodle_id, username,
    # field, value, suggestion, message): see lmsync.domain.people.PersonWarning.
    warning_items: list[dict[str, Any]] = []
    skipped_deletes: list[str] = []
    pending: list[str] = []  # operation keys held back: an earlier copy may still commit
    # Mentees the match leaves without a mentor, counted by why (``matching.Unmatched.reason``; a triad's
    # near-peer place is counted under "no near-peer: ..."). Tester round 46b, 2: plan, sync and run
    # said nothing of them, and one whose pair ended left their circle "(re-matched)".
    unmatched: dict[str, int] = {}
    signals: PlanSignals = Field(default_factory=PlanSignals)
    # A digest of the operations as ``lmsync plan --out`` wrote them (``saved_plan.sealed``), so a refused apply
    # tells an edited file from inputs changed since (tester: an unedited file was called edited after a mentor's
    # capacity changed in Moodle, which the fingerprint does not cover); "" in a file written before it.
    operations_digest: str = ""

    @field_validator("operations_digest", mode="before")
    @classmethod
    def _no_digest(cls, value: Any) -> Any:
        """``"operations_digest": null`` is a file without a digest, as the key left out is: it cannot tell an
        edit from a change (it was "not an lmsync plan", exit 3; tester round 99b, 8b)."""
        return "" if value is None else value

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
