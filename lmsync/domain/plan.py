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
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal

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


def circle_pairs(programme: str, groups: Iterable[ObservedGroup]) -> list[tuple[int, int]]:
    """(mentor, mentee) Moodle ids for every member of every lmsync circle other than its mentor, sorted."""
    pairs: set[tuple[int, int]] = set()
    for group in groups:
        mentor = mentor_of_idnumber(programme, group.idnumber)
        if mentor is None:
            continue
        pairs.update((mentor, member) for member in group.members if member != mentor)
    return sorted(pairs)


def welcome_anchor(group_idnumber: str) -> str:
    """The HTML ``id`` lmsync gives the welcome post of a circle: ``lmsync-welcome-<programme>-mentor-<id>``.

    Moodle returns posts through HTML Purifier, which drops comments and ``data-*`` attributes but
    keeps ``id`` and ``class`` (trap 40), so the marker lives in an ``id``; colons become ``-``
    (HTML4 ids, the purifier's default).
    """
    return "lmsync-welcome-" + group_idnumber.replace(":", "-").removeprefix("lmsync-")


def welcome_marker(group_idnumber: str) -> str:
    """The substring a purified welcome post of this circle still holds (trap 40)."""
    return f'id="{welcome_anchor(group_idnumber)}"'


def legacy_welcome_marker(group_idnumber: str) -> str:
    """The HTML comment older lmsync versions used; Moodle's purifier removes it on the way out."""
    return f"<!-- {group_idnumber}:welcome -->"


def wrap_welcome(message: str, group_idnumber: str) -> str:
    """``message`` inside a ``div`` carrying the circle's marker (invisible, survives the purifier)."""
    return f'<div id="{welcome_anchor(group_idnumber)}" class="lmsync-welcome">{message}</div>'


# ---------------------------------------------------------------------------- observation


@dataclass(frozen=True)
class ObservedGroup:
    """A course group as read back: ``name`` is Moodle's *formatted* name (trap 39).

    ``links`` counts the group's rows in lmsync's grouping: Moodle checks before inserting but has
    no unique index, so a write that committed twice leaves a doubled link (issue 10 point 10).
    """

    id: int
    name: str
    idnumber: str
    members: frozenset[int]
    in_grouping: bool = False
    links: int = 1


@dataclass(frozen=True)
class ObservedDiscussion:
    """A discussion of the programme forum: ``subject`` escaped and ``message`` purified (traps 39, 40);
    ``userid`` is the opening post's author."""

    id: int
    groupid: int
    subject: str
    message: str
    userid: int = 0


@dataclass(frozen=True)
class Observation:
    """What lmsync read from Moodle for one programme, in Moodle ids."""

    course_id: int
    grouping_id: int | None
    groups: tuple[ObservedGroup, ...]
    active_user_ids: frozenset[int]
    forum_id: int | None = None
    discussions: tuple[ObservedDiscussion, ...] = ()
    extra_grouping_ids: tuple[int, ...] = ()  # further groupings with lmsync's idnumber (duplicates)
    self_user_id: int | None = None  # the account lmsync's token belongs to (author of its posts)
    suspended_user_ids: frozenset[int] = frozenset()  # accounts suspended in Moodle (trap 41), enrolment active

    def fingerprint(self) -> str:
        """A digest of everything the plan depends on; a saved plan is refused when it changes."""
        data = {
            "course": self.course_id,
            "grouping": self.grouping_id,
            "groups": sorted(
                (g.id, g.name, g.idnumber, sorted(g.members), g.in_grouping, g.links) for g in self.groups
            ),
            "extra_groupings": sorted(self.extra_grouping_ids),
            "active": sorted(self.active_user_ids),
            "suspended": sorted(self.suspended_user_ids),
            "forum": self.forum_id,
            "discussions": sorted((d.id, d.groupid, d.userid) for d in self.discussions),
        }
        return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()[:16]


@dataclass(frozen=True)
class Circle:
    """One mentor's desired group: the mentor and the mentees matched to them."""

    mentor_id: int
    mentor_name: str
    mentee_ids: frozenset[int]


def _same(text: str) -> str:
    return text


def _accepted(_text: str) -> str | None:
    return None


@dataclass(frozen=True)
class Memory:
    """What lmsync's own journal knows and Moodle cannot say.

    ``posted``: group idnumber -> id of the discussion lmsync created there (trap 32).
    ``pending``: keys of operations sent earlier whose outcome is unknown and which may still
    commit in Moodle (a slow write outliving the timeout, issue 10 point 10): never re-sent while
    pending.
    """

    posted: Mapping[str, int] = field(default_factory=dict)
    pending: frozenset[str] = frozenset()


@dataclass(frozen=True)
class PlanSettings:
    """How the programme wants its circles, and Moodle's text rules injected by the service.

    ``displayed(name)`` is the name as ``core_group_get_course_groups`` returns it (Moodle's
    ``format_string``, trap 39); ``refused(name)`` says why Moodle would refuse a name as
    ``PARAM_TEXT`` (trap 38), or None. Both default to "no change", for plain-name tests.
    """

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
    displayed: Callable[[str], str] = _same
    refused: Callable[[str], str | None] = _accepted


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


DUPLICATE_REPAIR_REASON = (
    "lmsync's own duplicate (a write that committed twice); deleted without --allow-delete because "
    "the oldest copy keeps the idnumber and every matched member, and nothing another person made "
    "is touched"
)


class UnassignGrouping(_Op):
    """Take a doubly linked group out of lmsync's grouping; an ``assign_grouping`` puts it back once."""

    kind: Literal["unassign_grouping"] = "unassign_grouping"
    group: str
    grouping: str
    reason: str = "linked twice into the grouping"

    @property
    def key(self) -> str:
        return f"unassign_grouping:{self.group}"

    @property
    def destructive(self) -> bool:
        return True


class DeleteDuplicateGroup(_Op):
    """Delete one copy of a circle whose idnumber two groups carry; the oldest (lowest id) stays."""

    kind: Literal["delete_duplicate_group"] = "delete_duplicate_group"
    group: str  # the idnumber both copies carry
    group_id: int  # the copy to delete (never the oldest)
    reason: str = DUPLICATE_REPAIR_REASON

    @property
    def key(self) -> str:
        return f"delete_duplicate_group:{self.group}:{self.group_id}"

    @property
    def destructive(self) -> bool:
        return True


class DeleteDuplicateGrouping(_Op):
    """Delete a second grouping carrying lmsync's grouping idnumber; the oldest stays."""

    kind: Literal["delete_duplicate_grouping"] = "delete_duplicate_grouping"
    grouping: str
    grouping_id: int
    reason: str = DUPLICATE_REPAIR_REASON

    @property
    def key(self) -> str:
        return f"delete_duplicate_grouping:{self.grouping}:{self.grouping_id}"

    @property
    def destructive(self) -> bool:
        return True


Operation = Annotated[
    CreateGrouping
    | CreateGroup
    | UpdateGroup
    | UnassignGrouping
    | AssignGrouping
    | AddMember
    | RemoveMember
    | PostWelcome
    | DeleteGroup
    | DeleteDuplicateGroup
    | DeleteDuplicateGrouping,
    Field(discriminator="kind"),
]

# Apply order: containers before contents, removals before additions (a mentee moving
# between circles is never in two at once for long), deletions last; a duplicate goes only
# after its members were added to the copy that stays.
APPLY_ORDER = [
    "create_grouping",
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


# ---------------------------------------------------------------------------- planning


class UnsafePlan(Exception):
    """The plan would do something a careful admin must confirm (e.g. a mass removal)."""


def owned_groups(
    observation: Observation, programme: str
) -> tuple[dict[str, ObservedGroup], list[ObservedGroup]]:
    """This programme's circles by idnumber, and the duplicates among them.

    When two groups carry one idnumber (a create that committed twice, issue 10 point 10) the
    oldest (lowest id) is the circle; the others are duplicates the plan repairs. Observation
    keeps them all, so a duplicate is never mistaken for "in sync".
    """
    owned: dict[str, ObservedGroup] = {}
    duplicates: list[ObservedGroup] = []
    for group in sorted(observation.groups, key=lambda g: g.id):
        if mentor_of_idnumber(programme, group.idnumber) is None:
            continue
        if group.idnumber in owned:
            duplicates.append(group)
        else:
            owned[group.idnumber] = group
    return owned, duplicates


_TAG_OPENER = re.compile(r"<(?=\S)")


def _defuse(text: str) -> str:
    """``<`` that would open a tag becomes ``< `` (Moodle keeps a ``<`` followed by a space, trap 38)."""
    return _TAG_OPENER.sub("< ", text)


def _unique_names(
    circles: Iterable[Circle],
    settings: PlanSettings,
    observation: Observation,
    owned: Mapping[str, ObservedGroup],
    base_names: Mapping[str, str],
) -> dict[str, str]:
    """Group names (as sent) per circle idnumber, avoiding names of foreign groups and of each other.

    Moodle refuses a duplicate group name with a reason-less ``invalidparameter`` (trap 4),
    so a clash is worked around here with a numeric suffix rather than discovered there.
    Names read back are formatted (trap 39) and ``&`` / ``&amp;`` read back alike, so clashes
    are judged on the displayed form: at worst a suffix too many, never a refused batch.
    """
    shown = settings.displayed
    owned_ids = {g.id for g in observation.groups if mentor_of_idnumber(settings.programme, g.idnumber) is not None}
    taken = {g.name.strip() for g in observation.groups if g.id not in owned_ids}
    names: dict[str, str] = {}
    for circle in sorted(circles, key=lambda c: c.mentor_id):
        idnumber = mentor_group_idnumber(settings.programme, circle.mentor_id)
        base = base_names[idnumber]
        current = owned.get(idnumber)
        name = ""
        if current is not None and current.name.strip() not in taken:
            suffix = _suffix_of(current.name)
            kept = base if suffix is None else f"{base} ({suffix})"
            if shown(kept) == current.name:
                name = kept  # keep a name we already chose, suffix included
        if not name:
            name, n = base, 2
            while shown(name).strip() in taken:
                name, n = f"{base} ({n})", n + 1
        taken.add(shown(name).strip())
        names[idnumber] = name
    return names


def _suffix_of(name: str) -> int | None:
    if name.endswith(")") and " (" in name:
        _head, _, tail = name.rpartition(" (")
        if tail[:-1].isdigit():
            return int(tail[:-1])
    return None


def _safe_base_name(circle: Circle, idnumber: str, settings: PlanSettings, warnings: list[str]) -> str:
    """The group name from the template; a mentor's name Moodle would refuse (trap 38) is defused."""
    name = settings.group_name_template.format(mentor_fullname=circle.mentor_name, **settings.extra).strip()
    if settings.refused(name) is None:
        return name
    safer = settings.group_name_template.format(
        mentor_fullname=_defuse(circle.mentor_name), **settings.extra
    ).strip()
    if settings.refused(safer) is not None:
        safer = f"Circle {circle.mentor_id}"
    warnings.append(
        f"mentor {circle.mentor_id}: Moodle would refuse the group name made from their name "
        f"(a '<' that opens a tag, trap 38); the circle {idnumber} is named with '< ' instead"
    )
    return safer


def plan_sync(
    observation: Observation,
    circles: Iterable[Circle],
    settings: PlanSettings,
    memory: Memory | None = None,
) -> Plan:
    """The operations that make Moodle match ``circles``, touching only lmsync-owned objects.

    Names are compared as Moodle would display them (``settings.displayed``, trap 39); welcome
    posts are recognised by the journal or a marker that survives the purifier (traps 32, 40);
    duplicates of lmsync's own groups, groupings and grouping links are repaired (issue 10 point
    10); operations in ``memory.pending`` (and those that need them) are held back, never re-sent.
    Raises :class:`UnsafePlan` on a mass removal.
    """
    memory = memory or Memory()
    circles = list(circles)
    programme = settings.programme
    owned, duplicates = owned_groups(observation, programme)
    grouping = grouping_idnumber(programme)
    ops: list[_Op] = []
    warnings: list[str] = []
    skipped: list[str] = []

    if observation.grouping_id is None:
        ops.append(
            CreateGrouping(idnumber=grouping, name=settings.grouping_name, description="Managed by lmsync")
        )

    base_names = {
        mentor_group_idnumber(programme, c.mentor_id): _safe_base_name(
            c, mentor_group_idnumber(programme, c.mentor_id), settings, warnings
        )
        for c in circles
    }
    names = _unique_names(circles, settings, observation, owned, base_names)
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
        elif group.name != settings.displayed(name):
            ops.append(UpdateGroup(idnumber=idnumber, name=name, description=description))
        if group is not None and group.in_grouping and group.links > 1:
            ops.append(UnassignGrouping(group=idnumber, grouping=grouping))
        if group is None or not group.in_grouping or group.links > 1:
            ops.append(AssignGrouping(group=idnumber, grouping=grouping))
        have = group.members if group is not None else frozenset()
        for user in sorted(members - have):
            ops.append(AddMember(group=idnumber, user_id=user))
        for user in sorted(have - members):
            reason = _removal_reason(observation, user)
            ops.append(RemoveMember(group=idnumber, user_id=user, reason=reason))
        wants_welcome = (
            settings.post_welcome and observation.forum_id is not None and members - {circle.mentor_id}
        )
        if wants_welcome and not has_welcome(observation, group, memory, settings, name, circle):
            subject, message = _welcome(settings, name, circle)
            ops.append(PostWelcome(group=idnumber, subject=subject, message=wrap_welcome(message, idnumber)))

    # Owned circles no longer desired: their mentor left or has nobody to mentor. Mentees
    # leave (they are re-matched elsewhere); the group itself goes only with allow_delete.
    for idnumber, group in sorted(owned.items()):
        if idnumber in desired_members:
            continue
        mentor = mentor_of_idnumber(programme, idnumber)
        for user in sorted(group.members - {mentor} if mentor is not None else group.members):
            reason = _removal_reason(observation, user)
            ops.append(RemoveMember(group=idnumber, user_id=user, reason=reason))
        if settings.allow_delete:
            ops.append(DeleteGroup(group=idnumber, reason="no longer a mentor circle"))
        else:
            skipped.append(idnumber)

    _repair_duplicates(observation, grouping, duplicates, ops, warnings)
    _guard_mass_removal(observation, owned, ops, settings, warnings)
    ops, held = _hold_back(ops, memory.pending)
    if held:
        warnings.append(
            f"{len(held)} write(s) sent earlier may still commit in Moodle (their answer was lost); "
            "they are not sent again until Moodle shows them or [sync] write_settle_seconds have passed"
        )
    ops.sort(key=lambda op: APPLY_ORDER.index(op.kind))  # type: ignore[attr-defined]
    return Plan(
        programme=programme,
        course_id=observation.course_id,
        fingerprint=observation.fingerprint(),
        operations=ops,  # type: ignore[arg-type]
        warnings=warnings,
        skipped_deletes=skipped,
        pending=held,
    )


def _removal_reason(observation: Observation, user: int) -> str:
    if user not in observation.active_user_ids:
        return "left the course"
    return "account suspended" if user in observation.suspended_user_ids else "re-matched"  # trap 41


def _welcome(settings: PlanSettings, name: str, circle: Circle) -> tuple[str, str]:
    subject = settings.welcome_subject.format(group_name=name, mentor_fullname=circle.mentor_name)
    if settings.refused(subject) is not None:  # the subject is PARAM_TEXT too (trap 38)
        subject = _defuse(subject)
    message = settings.welcome_message.format(group_name=name, mentor_fullname=circle.mentor_name)
    return subject, message


def _repair_duplicates(
    observation: Observation, grouping: str, duplicates: list[ObservedGroup], ops: list[_Op], warnings: list[str]
) -> None:
    """Delete the later copies of lmsync's groups and grouping (issue 10 point 10).

    Their members were already planned into the copy that stays (desire reads every copy), and
    doubled links are unassigned then assigned once above. No ``--allow-delete`` is needed: only
    lmsync's own duplicates go. A copy holding discussions that lmsync did not post is kept and
    named instead, so nobody's conversation disappears from the circle's view.
    """
    for dup in duplicates:
        foreign_posts = [
            d for d in observation.discussions if d.groupid == dup.id and d.userid != observation.self_user_id
        ]
        if foreign_posts:
            warnings.append(
                f"group {dup.id} duplicates circle {dup.idnumber} but holds {len(foreign_posts)} discussion(s) "
                "lmsync did not post; left in place for an admin to merge by hand"
            )
            continue
        ops.append(DeleteDuplicateGroup(group=dup.idnumber, group_id=dup.id))
    for extra in sorted(observation.extra_grouping_ids):
        ops.append(DeleteDuplicateGrouping(grouping=grouping, grouping_id=extra))
    if duplicates or observation.extra_grouping_ids:
        warnings.append(
            f"repairing duplicates of lmsync's own objects: {len(duplicates)} group(s), "
            f"{len(observation.extra_grouping_ids)} grouping(s); the oldest copy of each stays"
        )


def _hold_back(ops: list[_Op], pending: frozenset[str]) -> tuple[list[_Op], list[str]]:
    """Drop operations whose earlier copy may still commit, and those that need their result."""
    if not pending:
        return ops, []
    held = sorted(op.key for op in ops if op.kind in HELD_WHILE_PENDING and op.key in pending)  # type: ignore[attr-defined]
    held_set = set(held)
    groups_waiting = {op.idnumber for op in ops if isinstance(op, CreateGroup) and op.key in held_set}
    grouping_waiting = any(isinstance(op, CreateGrouping) and op.key in held_set for op in ops)
    kept: list[_Op] = []
    for op in ops:
        if op.key in held_set:
            continue
        group = getattr(op, "group", None)
        if group in groups_waiting and not isinstance(op, RemoveMember):
            continue  # the group is not visible yet: its contents wait with it
        if grouping_waiting and isinstance(op, (AssignGrouping, UnassignGrouping)):
            continue
        kept.append(op)
    return kept, held


def has_welcome(
    observation: Observation,
    group: ObservedGroup | None,
    memory: Memory,
    settings: PlanSettings,
    name: str,
    circle: Circle,
) -> bool:
    """Whether the circle's group already shows a welcome lmsync can prove it posted.

    Proof is either the journal (the discussion id lmsync was given at creation, trap 32) or,
    with the journal lost, a discussion in that group opened by lmsync's own account that carries
    the circle's marker ``id`` (which survives the purifier, trap 40) or, for welcomes posted by
    older versions (whose comment marker the purifier removed), lmsync's exact welcome subject.
    A discussion by anyone else never counts, whatever it contains.
    """
    if group is None:
        return False
    idnumber = group.idnumber
    in_group = [d for d in observation.discussions if d.groupid == group.id]
    journaled = memory.posted.get(idnumber)
    if journaled is not None and any(d.id == journaled for d in in_group):
        return True
    if observation.self_user_id is None:
        return False
    subject, _ = _welcome(settings, name, circle)
    for d in in_group:
        if d.userid != observation.self_user_id:
            continue
        if welcome_marker(idnumber) in d.message or legacy_welcome_marker(idnumber) in d.message:
            return True
        if d.subject == settings.displayed(subject):
            return True
    return False


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
