"""The guards against a plan that would undo much of the programme at once: a source that comes
back empty or tiny (a misspelt role, a lost capability) looks like everyone leaving.

Pure, like :mod:`lmsync.domain.plan`, which calls :func:`guard_mass_removal` on every plan it makes.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from lmsync.domain.operations import AddMember, CreateGroup, DeleteGroup, RemoveMember, _Op
from lmsync.domain.ownership import circle_programme, mentor_of_idnumber
from lmsync.domain.seen_names import quoted_seen
from lmsync.domain.sync_state import Observation, ObservedGroup, PlanSettings, UnsafePlan

__all__ = [
    "PeerCohortLoss", "guard_mass_removal", "guard_peer_cohort_loss", "guard_unheld_roles", "guard_unread_fields",
    "peer_cohort_loss",
]


def guard_mass_removal(
    observation: Observation,
    owned: Mapping[str, ObservedGroup],
    ops: list[_Op],
    settings: PlanSettings,
    warnings: list[str],
) -> None:
    """Refuse a plan that would unplace many of the people placed in lmsync's circles.

    ``placed``: members of lmsync's circles now. ``unplaced``: those who, once every planned
    operation ran, are in no lmsync circle at all, whatever the reason (they left the course, their
    account was suspended, their role no longer matches so nobody matches them, their circle is
    deleted). More than ``1 - min_source_fraction`` of the placed unplaced is refused, and so is a
    plan deleting more than that share of lmsync's circles (at the default 0.5: more than half).
    People moved between circles stay placed, so a large re-match passes.

    Borrowed from Moodle's own enrol_database: a source that comes back empty or tiny is far more
    often a broken query, a misspelt role or a permission change than a real mass departure.
    Raises :class:`UnsafePlan` naming the counts, the likely causes and the override.
    """
    if not owned:
        return
    placed: set[int] = set().union(*(g.members for g in owned.values()))
    after = {idnumber: set(g.members) for idnumber, g in owned.items()}
    deleted: set[str] = set()
    for op in ops:
        if isinstance(op, CreateGroup):
            after.setdefault(op.idnumber, set())
        elif isinstance(op, AddMember):
            after.setdefault(op.group, set()).add(op.user_id)
        elif isinstance(op, RemoveMember):
            after.get(op.group, set()).discard(op.user_id)
        elif isinstance(op, DeleteGroup):
            deleted.add(op.group)
    still: set[int] = set().union(*(m for k, m in after.items() if k not in deleted))
    unplaced = placed - still
    tolerated = 1 - settings.min_source_fraction
    problems: list[str] = []
    away_mentors: set[int] = set()
    unmatched: set[int] = set()
    if unplaced and len(unplaced) > tolerated * len(placed):
        removed = {op.user_id for op in ops if isinstance(op, RemoveMember)}
        left = unplaced - observation.active_user_ids
        suspended = (unplaced & observation.suspended_user_ids) - left
        orphans, away_mentors = _mentor_away(observation, owned, (unplaced & removed) - left - suspended)
        unmatched = (unplaced & removed) - left - suspended - orphans
        in_deleted = unplaced - left - suspended - unmatched - orphans
        away = (f"{len(orphans)} still enrolled whose circle's mentor is away ({len(away_mentors)} mentor(s) with "
                "their enrolment suspended or ended, or their account suspended); " if orphans else "")
        problems.append(
            f"it would leave {len(unplaced)} of the {len(placed)} people placed in lmsync's circles in no circle "
            f"at all ({away}{len(unmatched)} still enrolled but no longer matched; {len(left)} unenrolled, with their "
            f"enrolment suspended or ended, or not visible; {len(suspended)} with their account suspended; "
            f"{len(in_deleted)} only with their circle deleted); refusing to remove them"
        )
    if deleted and len(deleted) > tolerated * len(owned):
        problems.append(f"it would delete {len(deleted)} of lmsync's {len(owned)} circles")
    if not problems:
        return
    raise UnsafePlan(
        "Refusing this plan: " + "; and ".join(problems) + ". Likely causes: "
        + _likely_causes(len(away_mentors), only_away=bool(away_mentors) and not unmatched)
        + " If this is really wanted, lower [sync] "
        f"min_source_fraction (now {settings.min_source_fraction:g}; LMSYNC_SYNC_MIN_SOURCE_FRACTION=0 for one run)."
    )


def _mentor_away(observation: Observation, owned: Mapping[str, ObservedGroup],
                 people: set[int]) -> tuple[set[int], set[int]]:
    """(those of ``people`` in a circle of ``owned`` whose mentor is away, those mentors): away is not active in
    the course (enrolment suspended or ended) or with their account suspended, as ``away_mentors`` has it. Such
    mentees lose their circle because their mentor is away, not because they are no longer matched (tester round
    105a, 3: 57 mentees of 11 mentors suspended were counted "still enrolled but no longer matched")."""
    orphans: set[int] = set()
    mentors: set[int] = set()
    for idnumber, group in owned.items():
        mentor = mentor_of_idnumber(circle_programme(idnumber) or "", idnumber)
        if mentor is None or (mentor in observation.active_user_ids and mentor not in observation.suspended_user_ids):
            continue
        if mine := group.members & people - {mentor}:
            orphans |= mine
            mentors.add(mentor)
    return orphans, mentors


def _likely_causes(away: int, *, only_away: bool) -> str:
    """The refusal's likely causes: ``away`` circles' mentors away (enrolment suspended or ended, or account
    suspended) first, then the roles, enrolments and capability; with ``only_away`` (nobody else is no longer
    matched) the roles are not named, as nothing points at them (tester round 105a, 3)."""
    said = (f"{away} mentor(s) of lmsync's circles away in Moodle (their enrolment suspended or ended, or their "
            "account suspended: a leave, the course's enrolments changed, or an enrolment read that lost them); "
            "a circle whose mentor is away is held as it is only for [sync] away_mentor_hold_days (0: not held), "
            "then its mentees are re-matched (`lmsync match` says why these find no mentor); " if away else "")
    if only_away:
        return (said + "check the course's enrolments (enrolment) and that lmsync's account still has "
                "moodle/course:enrolreview (capability); `lmsync doctor` checks both.")
    return (said + "a misspelt or changed role in [programme] mentee_roles / mentor_roles / peer_mentor_cohort "
            "(roles), the course's enrolments changed (enrolment), or lmsync's account lost a capability such as "
            "moodle/course:enrolreview (capability); `lmsync doctor` checks all three.")  # the role's (85a, 8)


def guard_unheld_roles(
    owned: Mapping[str, ObservedGroup],
    desired: Collection[str],
    unheld: Mapping[str, Sequence[str]],
    *,
    programme: str,
    min_source_fraction: float,
    people: Labels | None = None,
) -> None:
    """Refuse to dissolve lmsync's circles because no one in the course holds a mentor or mentee role.

    ``owned``: lmsync's circles by idnumber; ``desired``: the idnumbers of the circles wanted now;
    ``unheld``: kind ("mentor", "mentee") -> the configured roles of that kind no one holds. A circle
    holding people besides its mentor that is no longer wanted would be dissolved; with a role of
    nobody that is a misspelt ``[programme] mentor_roles`` / ``mentee_roles``, not a programme's end,
    however few it unplaces (the mass-removal guard counts people; tester round 5, 6). Raises
    :class:`UnsafePlan` naming the roles and the circles; ``min_source_fraction`` 0 is the override.
    ``people``: how the circles' mentors are named ("Name (username)", as every view names a person), and
    whether names are shown (:func:`circle_labels`: the circles were named by their ID numbers, which no
    coordinator knows; tester round 108a, 1); without it, by their group names.
    """
    if not unheld or min_source_fraction <= 0:
        return
    with_people = [
        idnumber for idnumber, group in owned.items() if group.members - {mentor_of_idnumber(programme, idnumber)}
    ]
    dissolved = [idnumber for idnumber in with_people if idnumber not in desired]
    if not dissolved:
        return
    roles = "; ".join(
        f"the {kind} role(s) {', '.join(names) or '(none set)'} ([programme] {kind}_roles)"
        for kind, names in sorted(unheld.items())
    )
    mentors = {m for i in dissolved if (m := mentor_of_idnumber(programme, i)) is not None}
    named = sorted(circle_labels({i: owned[i] for i in dissolved}, programme,
                                 {m: people.label(m) for m in mentors} if people is not None else {},
                                 group_names=people is None or people.show_names).values())
    raise UnsafePlan(
        f"Refusing this plan: no one in the course has {roles}, and it would dissolve {len(dissolved)} of "
        f"lmsync's {len(with_people)} circles with members (first: {'; '.join(named[:3])})",
        hint="fix [programme] mentor_roles / mentee_roles to the role shortnames the course uses, or run "
        f"`lmsync doctor`{_roles_back(unheld)}; if the circles really should go, LMSYNC_SYNC_MIN_SOURCE_FRACTION=0 "
        "for one run",
    )


def _roles_back(unheld: Mapping[str, Sequence[str]]) -> str:
    """The unheld-role refusal's other fix when the roles are right but their holders were given another role in
    Moodle (a teacher made the mentors students: tester round 108a, 1), "" when no mentor role is unheld."""
    return ("; if the course's mentors were given another role in Moodle, give them a mentor role again (the "
            "course's Participants page, Roles column)" if "mentor" in unheld else "")


def guard_unread_fields(
    owned: Mapping[str, ObservedGroup],
    ops: Sequence[_Op],
    needed: Mapping[str, str],
    shown: Collection[str],
    *,
    programme: str,
    min_source_fraction: float,
) -> None:
    """Refuse a plan that takes people out of lmsync's circles while no one in the course shows a
    profile field that keeps circles as they are.

    ``needed``: the shortnames of ``[matching.attributes]`` capacity and year (unknown, a mentor is
    held at their load and a peer pair is dropped), each -> its key there (``capacity``, ``year``: named
    alone when it alone is unread, tester round 62, 9); ``shown``: the shortnames any person of the
    roster carries. Such a field shown by no one is a role that lost ``moodle/user:viewalldetails``
    (private fields vanish for everyone at once) or a field that does not exist, not a school
    that emptied it: established pairs dissolve in numbers too small for the mass-removal guard
    (tester round 27, 1: 12 of 72 mentees moved, exit 0). Raises :class:`UnsafePlan`;
    ``min_source_fraction`` 0 is the override.
    """
    unread = sorted(set(needed) - set(shown))
    if not unread or min_source_fraction <= 0:
        return
    placed = {
        member for idnumber, group in owned.items() for member in group.members
        if member != mentor_of_idnumber(programme, idnumber)
    }
    moved = {op.user_id for op in ops if isinstance(op, RemoveMember) and op.user_id in placed}
    if not moved:
        return
    raise UnsafePlan(
        f"Refusing this plan: no one in the course shows the profile field(s) {', '.join(unread)} "
        f"([matching.attributes] {', '.join(needed.get(name, name) for name in unread)}), and the plan would take "
        f"{len(moved)} {'person' if len(moved) == 1 else 'people'} out of their circles, as if those values were "
        "unknown for everyone.",
        hint=(
            "check that the lmsync role still has moodle/user:viewalldetails (`lmsync doctor` checks it) and that "
            "[matching.attributes] names the fields' shortnames (\"\" when the site has no such field); "
            "[sync] min_source_fraction = 0 turns this guard off"
        ),
    )


@dataclass(frozen=True)
class PeerCohortLoss:
    """The peer-mentor cohort lost as a whole (tester round 87b, 1): ``cause`` in words, ``circles`` the circles
    lmsync made whose peer mentors it no longer reads as peer mentors, by idnumber -> their mentees.

    ``unknown``: with ``[programme] peer_mentor_cohort`` unset, the former mentors of ``circles`` -> the course
    roles they hold now. The store does not record whether a circle was a faculty or a peer mentor's, so such a
    circle is a mentor's who lost the mentor role as much as a peer mentor's whose setting was dropped, and the
    words name both (tester round 103b, 3: one teacher made a student was refused as a lost peer cohort in a
    programme that never had one). With the setting set, ``unknown`` holds the mentors who lost the mentor role
    and are not in the cohort when the cohort itself is not lost: the same refusal (tester round 105a, 8).
    ``names``: Moodle id -> "Name (username)", how the words name them (``user <id>`` when missing);
    ``cohort``: ``[programme] peer_mentor_cohort``, "" when unset; ``labels``: circle idnumber -> the circle as
    the plan names it, "Name (username)'s circle" or its group name quoted (the refusal named circles by ID number,
    its people by name: tester round 107a, 9)."""

    cause: str
    circles: Mapping[str, frozenset[int]]
    unknown: Mapping[int, tuple[str, ...]] | None = None
    names: Mapping[int, str] = field(default_factory=dict)
    cohort: str = ""
    labels: Mapping[str, str] = field(default_factory=dict)

    def said(self) -> str:
        mentees = sum(len(m) for m in self.circles.values())
        if self.unknown is not None:
            return f"{'that circle holds' if len(self.circles) == 1 else 'those circles hold'} {mentees} mentee(s)"
        return f"{len(self.circles)} circles of peer mentors lmsync made hold {mentees} mentee(s)"

    def hint(self) -> str:
        """The refusal's fix: for ``unknown``, give the people named a mentor role back (or set the cohort back)."""
        if self.unknown is None:
            return ("put the cohort's members back in Moodle (Site administration > Users > Cohorts) or [programme] "
                    "peer_mentor_cohort back in lmsync.toml; if the programme really ends peer mentoring, "
                    "LMSYNC_SYNC_MIN_SOURCE_FRACTION=0 for one run re-matches those mentees")
        who = ", ".join(self.names.get(uid, f"user {uid}") for uid in sorted(self.unknown)[:LISTED])
        peer = (f"put them back in the peer-mentor cohort {self.cohort!r} (Site administration > Users > Cohorts)"
                if self.cohort else "put [programme] peer_mentor_cohort back in lmsync.toml")
        return (f"if this is a mistake, give {who} a mentor role in the course again (the course's Participants "
                f"page, Roles column; for a peer mentor: {peer}); if they really no longer mentor, "
                "LMSYNC_SYNC_MIN_SOURCE_FRACTION=0 for one run re-matches those mentees")


#: how many people a lost-role refusal names (then "and N more")
LISTED = 5


def lost_role_cause(former: Mapping[int, Sequence[str]], circles: int, mentor_roles: Sequence[str],
                    names: Mapping[int, str] | None = None, cohort: str | None = None) -> str:
    """The cause of :class:`PeerCohortLoss` for mentors who lost the mentor role (``unknown``): the mentors
    (``former``: Moodle id -> the course roles they hold now) no longer hold ``mentor_roles``, each named by
    ``names`` ("Name (username)", as every view names a person; ``user <id>`` when missing: tester round 105a, 8)
    with their roles now, and, as the store cannot tell a peer mentor's circle from a faculty mentor's, are not
    in the peer-mentor cohort ``cohort`` (or, unset, for peer circles no longer in it: tester round 103b, 3)."""
    people = sorted(former)
    names = names or {}
    named = ", ".join(f"{names.get(uid, f'user {uid}')} (now {', '.join(sorted(former[uid])) or 'no role'})"
                      for uid in people[:LISTED])
    more = f" and {len(people) - LISTED} more" if len(people) > LISTED else ""
    roles = f"([programme] mentor_roles: {', '.join(mentor_roles) or '(none set)'})"
    if cohort:
        return (f"the mentor of {circles} circle(s) lmsync made no longer has a mentor role {roles} and is not in "
                f"the peer-mentor cohort {cohort!r}: {named}{more}")
    return (f"the mentor of {circles} circle(s) lmsync made no longer has a mentor role {roles}: {named}{more} (or, "
            "for peer circles, is no longer in [programme] peer_mentor_cohort, which is not set)")


def peer_cohort_loss(
    owned: Mapping[str, ObservedGroup],
    former: Mapping[int, Sequence[str]],
    peers: Collection[int],
    *,
    programme: str,
    cohort: str | None,
    mentor_roles: Sequence[str] = (),
    names: Mapping[int, str] | None = None,
    group_names: bool = True,
) -> PeerCohortLoss | None:
    """The loss of the whole peer-mentor cohort, or of the mentor role by some mentors, or None (tester round
    87b, 1; 105a, 8).

    ``former``: the mentors of lmsync's circles still active in the course who hold no mentor role and are
    not in the peer-mentor cohort now, each -> the course roles they hold now (a circle is made only for a mentor
    role or the cohort); ``peers``: the cohort's members in the course now; ``cohort``: ``[programme]
    peer_mentor_cohort``; ``mentor_roles``: ``[programme] mentor_roles``, and ``names`` (Moodle id -> "Name
    (username)"), and ``group_names`` (``[privacy] show_names``: a circle's name holds its mentor's), for the
    words. Their circles holding mentees are lost with the cohort when the cohort has no
    members in the course (emptied for a rebuild), or none of the peer mentors of lmsync's circles is in it any
    more (two circles or more). Otherwise the store cannot tell a peer mentor's circle from a mentor's who lost
    the mentor role: the loss is ``unknown`` and its cause names the mentors (:func:`lost_role_cause`, tester
    round 103b, 3), whether the setting is set or not: with it set, a teacher made a student was re-matched,
    their mentees all at once, and they themselves made a mentee in another circle while their own stood
    (tester round 105a, 8). None when no such circle holds mentees.
    """
    lost: dict[str, frozenset[int]] = {}
    kept = False
    mentors: set[int] = set()
    for idnumber, group in owned.items():
        mentor = mentor_of_idnumber(programme, idnumber)
        kept = kept or mentor in peers
        if mentor is not None and mentor in former and group.members - {mentor}:
            lost[idnumber] = frozenset(group.members - {mentor})
            mentors.add(mentor)
    if not lost:
        return None
    labels = circle_labels({i: owned[i] for i in lost}, programme, names or {}, group_names=group_names)
    if cohort and not peers:
        return PeerCohortLoss(f"the peer-mentor cohort {cohort!r} has no members in this course", lost, labels=labels)
    if cohort and len(lost) >= 2 and not kept:
        return PeerCohortLoss(
            f"none of the peer mentors of lmsync's circles is in the peer-mentor cohort {cohort!r} any more", lost,
            labels=labels)
    unknown = {uid: tuple(former[uid]) for uid in mentors}
    names = {uid: names[uid] for uid in mentors if uid in names} if names else {}
    return PeerCohortLoss(lost_role_cause(unknown, len(lost), mentor_roles, names, cohort), lost, unknown, names,
                          cohort or "", labels)


def circle_labels(circles: Mapping[str, ObservedGroup], programme: str, names: Mapping[int, str], *,
                  group_names: bool = True) -> dict[str, str]:
    """Circle idnumber -> the circle as the plan names it (``render.sync._circle``), with its group's name as
    Moodle shows it: "Name (username)'s circle 'Circle: Name'", its mentor from ``names`` (Moodle id -> "Name
    (username)"), else "group 'Circle: Name'" (tester round 107a, 9: the lost-role refusal named
    "lmsync:mentoring-2026:mentor:68"; 108a, 1: the name a teacher gave it, which Moodle shows, was not said).
    Without ``group_names`` (``[privacy] show_names`` off: the name holds the mentor's full name by default),
    "username's circle" alone."""
    out: dict[str, str] = {}
    for idnumber, group in circles.items():
        mentor = mentor_of_idnumber(programme, idnumber)
        shown = f" {quoted_seen(group.name)}" if group_names else ""
        out[idnumber] = (f"{names[mentor]}'s circle{shown}" if mentor is not None and mentor in names
                         else f"group {quoted_seen(group.name)}")
    return out


class Labels(Protocol):
    """How a view names people (``service.labels.People``): ``label(Moodle id)`` -> "Name (username)", or the
    username alone when ``show_names`` is off."""

    @property
    def show_names(self) -> bool: ...

    def label(self, user_id: int) -> str: ...


def guard_peer_cohort_loss(loss: PeerCohortLoss | None, ops: Sequence[_Op], *, min_source_fraction: float) -> None:
    """Refuse a plan that takes peer mentors' mentees out of their circles because the peer-mentor cohort was
    lost as a whole (:func:`peer_cohort_loss`): an emptied cohort or a dropped setting made the peer mentors
    mentees and re-matched their mentees, exit 0; the mentees are moved, not unplaced, so the mass-removal
    guard let it through, and the cohort put back undid nothing (tester round 87b, 1). Raises
    :class:`UnsafePlan`; ``min_source_fraction`` 0 is the override, as for the other guards.
    """
    if loss is None or min_source_fraction <= 0:
        return
    moved = {(op.group, op.user_id) for op in ops
             if isinstance(op, RemoveMember) and op.user_id in loss.circles.get(op.group, ())}
    deleted = {op.group for op in ops if isinstance(op, DeleteGroup) and op.group in loss.circles}
    if not moved and not deleted:
        return
    out = moved | {(group, mentee) for group in deleted for mentee in loss.circles[group]}
    touched = sorted({loss.labels.get(group, group) for group, _ in out})  # as the plan names them (107a, 9)
    taken = ", their peer mentors taken for mentees" if loss.unknown is None else ""
    raise UnsafePlan(
        f"Refusing this plan: {loss.cause}, while {loss.said()}; it would take {len(out)} of those mentees out of "
        f"their circles (first: {'; '.join(touched[:3])}) and re-match them{taken}",
        hint=loss.hint(),
    )
