"""Desire: from what Moodle holds to the circles the programme wants.

People come from the active roster (roles and custom profile fields mapped by config),
existing pairs from lmsync's own groups (so a fresh machine sees the same truth), then the
matching engine decides; each mentor with mentees becomes one circle.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from lmsync.config import Config
from lmsync.domain.matching import MatchResult
from lmsync.domain.people import People, Person, Role, split_values
from lmsync.domain.plan import Circle, mentor_of_idnumber
from lmsync.service.observe import RosterUser, Snapshot


@dataclass
class Desired:
    circles: list[Circle]
    people: People
    match: MatchResult
    warnings: list[str] = field(default_factory=list)

    def summary_lines(self) -> list[str]:
        assignments, unmatched = self.match.assignments, self.match.unmatched
        lines = [
            f"Matching: {len(assignments)} mentees placed in {len(self.circles)} circles, "
            f"{len(unmatched)} unmatched, total score {self.match.total_score:.1f}"
        ]
        for assignment in assignments[:5]:
            reasons = "; ".join(assignment.reasons[:3]) or "no shared attributes"
            lines.append(f"  {assignment.mentee} -> {assignment.mentor} (score {assignment.score:.1f}): {reasons}")
        if len(assignments) > 5:
            lines.append(f"  ... and {len(assignments) - 5} more (`lmsync match` lists them all)")
        for item in unmatched[:10]:
            lines.append(f"  unmatched {item.mentee}: {item.reason}")
        return lines


def _int(value: str | None) -> int | None:
    if value is None:
        return None
    value = value.strip()
    return int(value) if value.lstrip("-").isdigit() else None


def person_from_roster(user: RosterUser, role: Role, config: Config, *, also: Iterable[Role] = ()) -> Person:
    attrs = config.matching.attributes
    profile = user.profile

    def field_value(shortname: str | None) -> str | None:
        return profile.get(shortname) if shortname else None

    default = config.matching.peer_default_capacity if role == "peer_mentor" else config.matching.default_capacity
    capacity = _int(field_value(attrs.capacity))
    return Person(
        id=user.username or str(user.id),
        role=role,
        capacity=default if capacity is None or role == "mentee" else max(capacity, 0),
        department=field_value(attrs.department),
        interests=split_values(field_value(attrs.interests), ","),
        year=_int(field_value(attrs.year)),
        languages=split_values(field_value(attrs.languages), ","),
        moodle_id=user.id,
        fullname=user.fullname,
        also=frozenset(also),
        aliases=frozenset(a for a in (user.idnumber,) if a),
    )


def people_from_snapshot(snapshot: Snapshot, config: Config) -> tuple[People, list[str]]:
    programme = config.programme
    mentor_roles, mentee_roles = set(programme.mentor_roles), set(programme.mentee_roles)
    triads = config.matching.structure == "triads"
    persons: list[Person] = []
    warnings: list[str] = []
    for user in sorted(snapshot.roster.values(), key=lambda u: u.id):
        if user.roles & mentor_roles:
            persons.append(person_from_roster(user, "mentor", config))
        elif user.id in snapshot.peer_mentor_ids:
            persons.append(person_from_roster(user, "peer_mentor", config, also=("mentee",) if triads else ()))
        elif user.roles & mentee_roles:
            persons.append(person_from_roster(user, "mentee", config))
    by_moodle = {p.moodle_id: p for p in persons}

    current: dict[str, str] = {}
    current_peers: dict[str, str] = {}
    for group in sorted(snapshot.observation.groups, key=lambda g: g.id):
        mentor_id = mentor_of_idnumber(programme.name, group.idnumber)
        mentor = by_moodle.get(mentor_id) if mentor_id is not None else None
        if mentor is None:
            continue  # the mentor left: their mentees are open for re-matching
        target = current_peers if (triads and mentor.role == "peer_mentor") else current
        for member in sorted(group.members):
            mentee = by_moodle.get(member)
            if mentee is None or mentee is mentor or not mentee.has_role("mentee"):
                continue
            if mentee.id in target and target[mentee.id] != mentor.id:
                warnings.append(f"user {member} is in two circles; kept the first, the other is released")
                continue
            target[mentee.id] = mentor.id
    people = People(persons=tuple(persons), current=current, current_peers=current_peers)
    matching = config.matching
    return people.with_overrides(pins=matching.pins, forbids=matching.forbids, rematch=matching.rematch), warnings


def desired_state(snapshot: Snapshot, config: Config) -> Desired:
    from lmsync.service.match import run_match

    people, warnings = people_from_snapshot(snapshot, config)
    result = run_match(people, config)
    by_id = people.by_id()
    mentees_of: dict[str, set[int]] = {}
    for assignment in result.assignments:  # faculty and near-peer alike: each mentor gets one circle
        mentee = by_id[assignment.mentee]
        if mentee.moodle_id is not None:
            mentees_of.setdefault(assignment.mentor, set()).add(mentee.moodle_id)
    circles = [
        Circle(
            mentor_id=by_id[mentor].moodle_id or 0,
            mentor_name=by_id[mentor].fullname or mentor,
            mentee_ids=frozenset(ids),
        )
        for mentor, ids in sorted(mentees_of.items())
        if by_id[mentor].moodle_id is not None
    ]
    return Desired(circles=circles, people=people, match=result, warnings=warnings)

