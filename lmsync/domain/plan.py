"""Reconcile planning: what Moodle looks like + what the programme wants -> typed operations.

Pure: it sees Moodle only through the small observation types below, so the rules that
keep other people's data safe (never touch a group lmsync does not own, never delete
without ``allow_delete``, refuse mass removals when Moodle suddenly returns few people)
can be tested without a network. Operations refer to groups by idnumber, never by future
ids, so a saved plan stays meaningful until it is applied.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

# ---------------------------------------------------------------------------- ownership


def grouping_idnumber(programme: str) -> str:
    return f"lmsync:{programme}"


def mentor_group_idnumber(programme: str, mentor_moodle_id: int) -> str:
    return f"lmsync:{programme}:mentor:{mentor_moodle_id}"


def mentor_of_idnumber(programme: str, idnumber: str | None) -> int | None:
    """The mentor's Moodle id when ``idnumber`` is one of this programme's circles, else None."""
    prefix = f"lmsync:{programme}:mentor:"
    if not idnumber or not idnumber.startswith(prefix):
        return None
    tail = idnumber[len(prefix) :]
    return int(tail) if tail.isdigit() else None


def welcome_marker(group_idnumber: str) -> str:
    """An invisible marker in the welcome post, so it is found again if the journal is lost."""
    return f"<!-- {group_idnumber}:welcome -->"


# ---------------------------------------------------------------------------- observation


@dataclass(frozen=True)
class ObservedGroup:
    id: int
    name: str
    idnumber: str
    members: frozenset[int]
    in_grouping: bool = False


@dataclass(frozen=True)
class ObservedDiscussion:
    id: int
    groupid: int
    subject: str
    message: str


@dataclass(frozen=True)
class Observation:
    """What lmsync read from Moodle for one programme, in Moodle ids."""

    course_id: int
    grouping_id: int | None
    groups: tuple[ObservedGroup, ...]
    active_user_ids: frozenset[int]
    forum_id: int | None = None
    discussions: tuple[ObservedDiscussion, ...] = ()

    def fingerprint(self) -> str:
        """A digest of everything the plan depends on; a saved plan is refused when it changes."""
        data = {
            "course": self.course_id,
            "grouping": self.grouping_id,
            "groups": sorted(
                (g.id, g.name, g.idnumber, sorted(g.members), g.in_grouping) for g in self.groups
            ),
            "active": sorted(self.active_user_ids),
            "forum": self.forum_id,
            "discussions": sorted((d.id, d.groupid) for d in self.discussions),
        }
        return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()[:16]


@dataclass(frozen=True)
class Circle:
    """One mentor's desired group: the mentor and the mentees matched to them."""

    mentor_id: int
    mentor_name: str
    mentee_ids: frozenset[int]


@dataclass(frozen=True)
class PlanSettings:
    programme: str
    grouping_name: str
    group_name_template: str = "Circle: {mentor_fullname}"
    group_description: str = "Mentoring circle of {mentor_fullname} (managed by lmsync)"
    welcome_subject: str = "Welcome to your mentoring circle: {group_name}"
    welcome_message: str = "<p>Welcome!</p>"
    allow_delete: bool = False
    post_welcome: bool = True
    min_source_fraction: float = 0.5
    extra: Mapping[str, str] = field(default_factory=dict)


# ---------------------------------------------------------------------------- operations


class _Op(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    @property
    def key(self) -> str:
        raise NotImplementedError

    @property
    def destructive(self) -> bool:
        return False


class CreateGrouping(_Op):
    kind: Literal["create_grouping"] = "create_grouping"
    idnumber: str
    name: str
    description: str = ""

    @property
    def key(self) -> str:
        return f"create_grouping:{self.idnumber}"


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


class RemoveMember(_Op):
    kind: Literal["remove_member"] = "remove_member"
    group: str
    user_id: int
    reason: str = ""

    @property
    def key(self) -> str:
        return f"remove_member:{self.group}:{self.user_id}"

    @property
    def destructive(self) -> bool:
        return True


class PostWelcome(_Op):
    kind: Literal["post_welcome"] = "post_welcome"
    group: str
    subject: str
    message: str

    @property
    def key(self) -> str:
        return f"post_welcome:{self.group}"


class DeleteGroup(_Op):
    kind: Literal["delete_group"] = "delete_group"
    group: str
    reason: str = ""

    @property
    def key(self) -> str:
        return f"delete_group:{self.group}"

    @property
    def destructive(self) -> bool:
        return True


Operation = Annotated[
    CreateGrouping
    | CreateGroup
    | UpdateGroup
    | AssignGrouping
    | AddMember
    | RemoveMember
    | PostWelcome
    | DeleteGroup,
    Field(discriminator="kind"),
]

# Apply order: containers before contents, removals before additions (a mentee moving
# between circles is never in two at once for long), deletions last.
APPLY_ORDER = [
    "create_grouping",
    "create_group",
    "update_group",
    "assign_grouping",
    "remove_member",
    "add_member",
    "post_welcome",
    "delete_group",
]


class Plan(BaseModel):
    """A printable, serialisable list of operations and the observation they were planned on."""

    model_config = ConfigDict(extra="forbid")

    format: Literal["lmsync-plan/1"] = "lmsync-plan/1"
    programme: str
    course_id: int
    fingerprint: str
    operations: list[Operation] = []
    warnings: list[str] = []
    skipped_deletes: list[str] = []

    @property
    def empty(self) -> bool:
        return not self.operations

    def counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for op in self.operations:
            counts[op.kind] = counts.get(op.kind, 0) + 1
        return counts

    def by_kind(self, kind: str) -> list[Operation]:
        return [op for op in self.operations if op.kind == kind]


# ---------------------------------------------------------------------------- planning


class UnsafePlan(Exception):
    """The plan would do something a careful admin must confirm (e.g. a mass removal)."""


def _unique_names(
    circles: Iterable[Circle],
    settings: PlanSettings,
    observation: Observation,
    owned: Mapping[str, ObservedGroup],
) -> dict[str, str]:
    """Group names per circle idnumber, avoiding names of foreign groups and of each other.

    Moodle refuses a duplicate group name with a reason-less ``invalidparameter`` (trap 4),
    so a clash is worked around here with a numeric suffix rather than discovered there.
    """
    taken = {g.name.strip() for g in observation.groups if g.idnumber not in owned}
    names: dict[str, str] = {}
    for circle in sorted(circles, key=lambda c: c.mentor_id):
        idnumber = mentor_group_idnumber(settings.programme, circle.mentor_id)
        base = settings.group_name_template.format(
            mentor_fullname=circle.mentor_name, **settings.extra
        ).strip()
        current = owned.get(idnumber)
        if current is not None and current.name.strip() not in taken and _base_of(current.name) == base:
            name = current.name  # keep a name we already chose, suffix included
        else:
            name, n = base, 2
            while name in taken:
                name, n = f"{base} ({n})", n + 1
        taken.add(name)
        names[idnumber] = name
    return names


def _base_of(name: str) -> str:
    if name.endswith(")") and " (" in name:
        head, _, tail = name.rpartition(" (")
        if tail[:-1].isdigit():
            return head
    return name


def plan_sync(observation: Observation, circles: Iterable[Circle], settings: PlanSettings) -> Plan:
    """The operations that make Moodle match ``circles``, touching only lmsync-owned objects."""
    circles = list(circles)
    programme = settings.programme
    owned = {
        g.idnumber: g for g in observation.groups if mentor_of_idnumber(programme, g.idnumber) is not None
    }
    grouping = grouping_idnumber(programme)
    ops: list[_Op] = []
    warnings: list[str] = []
    skipped: list[str] = []

    if observation.grouping_id is None:
        ops.append(
            CreateGrouping(idnumber=grouping, name=settings.grouping_name, description="Managed by lmsync")
        )

    names = _unique_names(circles, settings, observation, owned)
    desired_members: dict[str, set[int]] = {}
    for circle in sorted(circles, key=lambda c: c.mentor_id):
        idnumber = mentor_group_idnumber(programme, circle.mentor_id)
        name = names[idnumber]
        description = settings.group_description.format(mentor_fullname=circle.mentor_name, **settings.extra)
        members = {circle.mentor_id, *circle.mentee_ids} & observation.active_user_ids
        desired_members[idnumber] = members
        group = owned.get(idnumber)
        if group is None:
            ops.append(CreateGroup(idnumber=idnumber, name=name, description=description))
        elif group.name != name:
            ops.append(UpdateGroup(idnumber=idnumber, name=name, description=description))
        if group is None or not group.in_grouping:
            ops.append(AssignGrouping(group=idnumber, grouping=grouping))
        have = group.members if group is not None else frozenset()
        for user in sorted(members - have):
            ops.append(AddMember(group=idnumber, user_id=user))
        for user in sorted(have - members):
            reason = "left the course" if user not in observation.active_user_ids else "re-matched"
            ops.append(RemoveMember(group=idnumber, user_id=user, reason=reason))
        wants_welcome = (
            settings.post_welcome and observation.forum_id is not None and members - {circle.mentor_id}
        )
        if wants_welcome and not _has_welcome(observation, idnumber):
            subject = settings.welcome_subject.format(group_name=name, mentor_fullname=circle.mentor_name)
            message = settings.welcome_message.format(group_name=name, mentor_fullname=circle.mentor_name)
            ops.append(
                PostWelcome(group=idnumber, subject=subject, message=message + welcome_marker(idnumber))
            )

    # Owned circles no longer desired: their mentor left or has nobody to mentor. Mentees
    # leave (they are re-matched elsewhere); the group itself goes only with allow_delete.
    for idnumber, group in sorted(owned.items()):
        if idnumber in desired_members:
            continue
        mentor = mentor_of_idnumber(programme, idnumber)
        for user in sorted(group.members - {mentor} if mentor is not None else group.members):
            reason = "left the course" if user not in observation.active_user_ids else "re-matched"
            ops.append(RemoveMember(group=idnumber, user_id=user, reason=reason))
        if settings.allow_delete:
            ops.append(DeleteGroup(group=idnumber, reason="no longer a mentor circle"))
        else:
            skipped.append(idnumber)

    _guard_mass_removal(observation, owned, ops, settings, warnings)
    ops.sort(key=lambda op: APPLY_ORDER.index(op.kind))  # type: ignore[attr-defined]
    return Plan(
        programme=programme,
        course_id=observation.course_id,
        fingerprint=observation.fingerprint(),
        operations=ops,  # type: ignore[arg-type]
        warnings=warnings,
        skipped_deletes=skipped,
    )


def _has_welcome(observation: Observation, idnumber: str) -> bool:
    marker = welcome_marker(idnumber)
    return any(marker in d.message for d in observation.discussions)


def _guard_mass_removal(
    observation: Observation,
    owned: Mapping[str, ObservedGroup],
    ops: list[_Op],
    settings: PlanSettings,
    warnings: list[str],
) -> None:
    """Refuse to empty circles when Moodle suddenly returns far fewer people than are placed.

    Borrowed from Moodle's own enrol_database: a source that comes back empty or tiny is
    far more often a broken query or a permission change than a real mass departure.
    """
    placed = set().union(*(g.members for g in owned.values())) if owned else set()
    if not placed:
        return
    still_active = placed & observation.active_user_ids
    if len(still_active) < settings.min_source_fraction * len(placed):
        departures = sum(1 for op in ops if isinstance(op, RemoveMember) and op.reason == "left the course")
        raise UnsafePlan(
            f"Moodle returned only {len(still_active)} of the {len(placed)} people placed in circles; "
            f"refusing to remove {departures} members. Check the course's enrolments and lmsync's "
            f"capabilities, or lower [sync] min_source_fraction if this is real."
        )
