"""A circle's place held while its mentee is away (tester round 103b, 1).

A mentee whose enrolment (or account) was suspended for a single day lost their mentor for good: the next sync,
unattended under cron, removed them from their circle ("not active in the course") and gave their place to
another mentee at once; restored, they were unmatched, every mentor full. In Moodle a suspended enrolment or
account keeps its group memberships, and Moodle's active enrolments do not tell a suspension from an unenrolment
(an unenrolment takes the user out of every group, so a member still in the group who is not active is almost
always suspended). The mentor's rule (``service.away_mentors``, tester round 53, 1) is reused as it is: a member
of a circle whose mentor is here, found not active in the course or with their account suspended, keeps their
place (not removed, their place not given to anyone) for ``[sync] away_mentor_hold_days`` from the first sync
that found them away; then they are removed as before. Back in time, their pair continues unchanged.

Pure: the days come in from the store (``store.absences.MemberAbsences``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta

from lmsync.domain.ownership import mentor_of_idnumber
from lmsync.domain.sync_state import Observation

Place = tuple[str, int]  # (circle idnumber, member's Moodle id)


def away_members(observation: Observation, programme: str) -> dict[Place, int]:
    """The places of members away: (circle idnumber, member) -> the circle's mentor (Moodle ids), for each member
    of this programme's circles who is not its mentor nor any circle's mentor, and is not active in the course or
    has their account suspended (trap 41), while the circle's mentor is active with their account not suspended
    (a circle whose mentor is away is held whole: ``away_mentors``)."""
    def away(user: int) -> bool:
        return user not in observation.active_user_ids or user in observation.suspended_user_ids

    circles = {g.idnumber: m for g in observation.groups if (m := mentor_of_idnumber(programme, g.idnumber)) is not None}
    mentors = set(circles.values())
    return {(g.idnumber, user): circles[g.idnumber] for g in observation.groups if g.idnumber in circles
            and not away(circles[g.idnumber]) for user in sorted(g.members - mentors) if away(user)}


@dataclass(frozen=True)
class MemberHolds:
    """The places held for members away, and those whose hold is over, on ``today``.

    ``kept``: place -> (the day a sync first found them away, the last day their place is held);
    ``ended``: place -> the last day it was held (over: removed as before), or why no place is held for them in
    words (``without``). ``mentors``: place -> the circle's mentor (Moodle ids). ``away``: every member away
    (``kept`` and ``ended``), what ``MemberAbsences.follow`` records."""

    kept: Mapping[Place, tuple[date, date]] = field(default_factory=dict)
    ended: Mapping[Place, date | str] = field(default_factory=dict)
    mentors: Mapping[Place, int] = field(default_factory=dict)

    @property
    def away(self) -> frozenset[int]:
        return frozenset(user for _circle, user in (*self.kept, *self.ended))

    def places(self) -> dict[int, int]:
        """Mentor's Moodle id -> how many places of their circle are held (the match gives them to no one)."""
        counts: dict[int, int] = {}
        for place in self.kept:
            counts[self.mentors[place]] = counts.get(self.mentors[place], 0) + 1
        return counts

    def without(self, given: Mapping[Place, str]) -> MemberHolds:
        """These holds with the places of ``given`` (place -> why, in words: ``held_give_way``) held no longer:
        moved from ``kept`` to ``ended`` with their words, which the plan's removal says (tester round 104a, 4
        and 6). Places of ``given`` not kept are left as they are. Raises nothing."""
        gone = {place: why for place, why in given.items() if place in self.kept}
        if not gone:
            return self
        return MemberHolds({p: days for p, days in self.kept.items() if p not in gone}, {**self.ended, **gone},
                           self.mentors)

    def lines(self, label: Callable[[int], str]) -> list[str]:
        """One line per place held, the member named by ``label`` (Moodle id -> how views name them: ``Name
        (username)``, never a bare id; tester round 104a, 12)."""
        return [f"kept: {label(user)} suspended since {since.isoformat()} (enrolment or account), their place in "
                f"{label(self.mentors[(circle, user)])}'s circle held until {until.isoformat()} ([sync] "
                "away_mentor_hold_days), then removed unless they are back"
                for (circle, user), (since, until) in sorted(self.kept.items())]

    def account_words(self, user: int) -> str | None:
        """How the notice of a suspended account held in its circle ends (``roster``'s "removed from their
        circle" is not what happens), or None when ``user`` holds no place."""
        days = sorted(until for (_c, u), (_s, until) in self.kept.items() if u == user)
        return (f"; stays in their circle, their place held until {days[-1].isoformat()} ([sync] "
                "away_mentor_hold_days); removed from it when the hold ends") if days else None


def member_holds(away: Mapping[Place, int], known: Mapping[int, date], today: date, days: int) -> MemberHolds:
    """Which places of ``away`` (``away_members``) are held on ``today``: each member's hold runs ``days`` days
    (``[sync] away_mentor_hold_days``; 0: none, removed at once as before) from ``known`` (Moodle id -> the day a
    sync first found them away; ``MemberAbsences.since``), else from ``today``. Raises nothing."""
    if not days:
        return MemberHolds(mentors=away)
    kept: dict[Place, tuple[date, date]] = {}
    ended: dict[Place, date] = {}
    for place in away:
        since = known.get(place[1], today)
        last = since + timedelta(days=days - 1)  # as ``away_mentors.last_held_day``
        if today <= last:
            kept[place] = (since, last)
        else:
            ended[place] = last
    return MemberHolds(kept, ended, away)



@dataclass(frozen=True)
class AwayAtOnce:
    """The people of the circles first found away on one ``day``, when more than ``1 - [sync] min_source_fraction``
    of the ``placed`` people (mentors and members of the programme's circles) are: a broken enrolment read, not a
    leave (``mass_away_people``; tester round 106b, 5). ``mentors``: held circles' mentors, ``members``: members whose
    place is held (Moodle ids)."""

    day: date
    mentors: frozenset[int]
    members: frozenset[int]
    placed: int

    @property
    def found(self) -> int:
        return len(self.mentors) + len(self.members)


def mass_away_people(mentors: Mapping[int, date], kept: Mapping[Place, tuple[date, date]], placed: int,
                     min_source_fraction: float) -> AwayAtOnce | None:
    """The people first found away on one day, when they are more than ``1 - min_source_fraction`` of ``placed``
    (the people placed in the programme's circles, mentors and members together: whom the mass-removal guard
    counts; ``min_source_fraction`` 0 turns it off), with at least one member among them; None otherwise.

    ``mentors``: held mentor -> the day a sync first found them away (``Holds.since``); ``kept``: the places held
    (``MemberHolds.kept``: place -> (that day, the last day held)). Tester round 106b, 5: an enrolment read listing
    only the teachers and 15 of the students held 4 circles and 37 places, "sync ok", exit 0, for two weeks; the
    mentors' own alarm (``away_mentors.mass_away``) counts the mentors alone. Raises nothing."""
    if not min_source_fraction or not placed:
        return None
    days: dict[date, tuple[set[int], set[int]]] = {}
    for mentor, since in mentors.items():
        days.setdefault(since, (set(), set()))[0].add(mentor)
    for (_circle, user), (since, _last) in kept.items():
        days.setdefault(since, (set(), set()))[1].add(user)
    day, (away_mentors, away_members) = max(days.items(), key=lambda item: (len(item[1][0] | item[1][1]), item[0]),
                                            default=(date.min, (set(), set())))
    away_members -= away_mentors
    if not away_members or len(away_mentors) + len(away_members) <= (1 - min_source_fraction) * placed:
        return None
    return AwayAtOnce(day, frozenset(away_mentors), frozenset(away_members), placed)
