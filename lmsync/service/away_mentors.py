"""Circles held while their mentor is away (tester round 53, 1).

A mentor's enrolment suspended for a week's leave made the next sync, unattended under cron, take
every mentee out of their circle and match them with other mentors; back from leave, the mentor's
circle stayed empty. Moodle's active enrolments do not tell a suspension from an unenrolment, so a
circle whose mentor is no longer active (not actively enrolled, or the account suspended) is held as
it is, members and all, for ``[sync] away_mentor_hold_days`` from the first sync that found the mentor
away (``store.absences``); then its mentees are re-matched as before. A mentor back in time finds
their circle as they left it.

The same rule holds the place of a circle's mentee away while its mentor is here (``Holds.members``,
``domain.held_mentees``; tester round 103b, 1): suspended for a day, they lost their mentor for good. An enrolment
read that finds most of the circles' people away at once is a broken read, not a leave: said, and the sync fails on
the day it is first found, whether they are the mentors (``mass_away``; tester round 92b, 4) or the people placed in
circles, mentors and members together (``held_mentees.mass_away_people``; tester round 106b, 5).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta

from lmsync.config import Config
from lmsync.domain.held_mentees import AwayAtOnce, MemberHolds, away_members, mass_away_people, member_holds
from lmsync.domain.operations import PlanSignals
from lmsync.domain.plan import mentor_group_idnumber, mentor_of_idnumber
from lmsync.domain.sync_state import Observation
from lmsync.service.held_places import erased_holds
from lmsync.service.programme_settings import programme_today
from lmsync.store.absences import MemberAbsences, MentorAbsences
from lmsync.store.db import Store
from lmsync.store.erasures import erased_on
from lmsync.store.pairings import PairingHistory
from lmsync.store.snapshots import HealthSnapshots

HELD = " held as it is: its mentor is not active"  # how the plan's warning of a held circle reads


def held_line(signals: PlanSignals, counts: dict[str, int]) -> str:
    """What ``lmsync run``'s sync line says of the circles held (``counts``: ``circles_held_mentor_away``) and of
    the places held for mentees away (``places_held_mentee_away``), "" when neither: it said "in sync" and an
    admin reading cron never learnt a hold ran (tester rounds 55, 5 and 103b, 1)."""
    line = ""
    if held := signals.circles_held:
        counts["circles_held_mentor_away"] = held
        line += f"; {held} circle(s) held while their mentor is away (`lmsync plan` says until when)"
    if places := signals.places_held:
        counts["places_held_mentee_away"] = places
        line += f"; {places} place(s) held while their mentee is away (`lmsync plan` says until when)"
    return line


#: how the plan's warning of the circles' mentors found away in one read begins (tester round 92b, 4)
AT_ONCE = "the enrolment read returned "


def at_once_line(signals: PlanSignals, counts: dict[str, int]) -> str:
    """What ``lmsync run``'s sync line (and ``lmsync sync``'s error) says when every circle's mentor, or more
    than ``[sync] min_source_fraction`` lets go, was found away in one read (``Holds.at_once``), or more than it
    lets go of the people placed in circles, mentors and members together (``Holds.people_at_once``): its first
    sentence, or "" (``counts``: ``circle_mentors_away_at_once`` or ``circle_people_away_at_once``). Tester round
    92b, 4: an enrolment read that returned nobody said "sync ok ... 20 circle(s) held while their mentor is away",
    exit 0, for 14 days; tester round 106b, 5: one that returned a quarter of the students, "37 place(s) held"."""
    if signals.mentors_away_at_once:
        counts["circle_mentors_away_at_once"] = 1
        return signals.mentors_away_at_once
    if signals.members_away_at_once:
        counts["circle_people_away_at_once"] = 1
    return signals.members_away_at_once


def at_once_fails(signals: PlanSignals) -> bool:
    """Whether the mentors (or the people of the circles) found away at once fail the sync (exit 2): only on the
    day they were first found away; later runs of their holds say it, said before, and exit 0 (tester rounds
    93b, 4 and 106b, 5)."""
    return ((bool(signals.mentors_away_at_once) and signals.mentors_away_fails)
            or (bool(signals.members_away_at_once) and signals.members_away_fails))


def circle_mentors(programme: str, observation: Observation, deleted: Mapping[int, int] | None = None) -> frozenset[int]:
    """Moodle ids of the mentors of this programme's circles (any member besides them). ``deleted``: mentee ->
    mentor of the pairs of circles deleted in Moodle (``circle_records.deleted_circles``): their mentors count
    as a circle's too, so a circle deleted while its mentor is away is held as one still there (tester round 74, 1)."""
    return frozenset({mentor for group in observation.groups if (mentor := mentor_of_idnumber(programme, group.idnumber))
                      is not None and group.members - {mentor}} | set((deleted or {}).values()))


def placed_people(programme: str, observation: Observation, deleted: Mapping[int, int] | None = None) -> int:
    """How many people are placed in this programme's circles: their members, mentors included, and the mentors
    of circles deleted in Moodle (``circle_mentors``); whom ``Holds.people_at_once`` counts against."""
    members = {user for group in observation.groups if mentor_of_idnumber(programme, group.idnumber) is not None
               for user in group.members}
    return len(members | circle_mentors(programme, observation, deleted))


def away_mentors(programme: str, observation: Observation, deleted: Mapping[int, int] | None = None) -> frozenset[int]:
    """Moodle ids of the mentors of this programme's circles (``circle_mentors``) who are not active in the
    course or whose account is suspended (trap 41)."""
    return frozenset(m for m in circle_mentors(programme, observation, deleted)
                     if m not in observation.active_user_ids or m in observation.suspended_user_ids)


@dataclass(frozen=True)
class Holds:
    """The away mentors of one observation and the circles held for them."""

    away: frozenset[int]
    until: Mapping[int, date]  # held mentor -> the last day their circle is held
    since: Mapping[int, date]  # held mentor -> the day a sync first found them away
    today: date
    ended: Mapping[int, date] = field(default_factory=dict)  # away mentor whose hold is over -> its last day
    #: held mentor whose circle's group was deleted in Moodle -> (its members, the Moodle id it had; 0: unknown)
    gone: Mapping[int, tuple[int, int]] = field(default_factory=dict)
    #: away mentors erased and not paired since (``erased_away``): never held, nor their absence recorded
    erased: frozenset[int] = frozenset()
    #: held mentors first found away on one day, when they are every circle's mentor or more than ``[sync]
    #: min_source_fraction`` lets go (``mass_away``): a broken enrolment read, not a leave (tester round 92b, 4)
    at_once: frozenset[int] = frozenset()
    mentors: int = 0  # the circles' mentors (``circle_mentors``), for ``at_once``'s words
    min_source_fraction: float = 0.0
    #: the places held for members away while their circle's mentor is here (tester round 103b, 1)
    members: MemberHolds = field(default_factory=MemberHolds)
    #: the people of the circles first found away on one day, mentors and members, when more than ``[sync]
    #: min_source_fraction`` lets go of those placed, and ``at_once`` is not said (tester round 106b, 5)
    people_at_once: AwayAtOnce | None = None
    #: mentors recorded away (``store.absences``) who lead no circle now and are still not active in the course: their
    #: absence stays recorded until they are back (``still_away``; tester round 109a, 2)
    still_away: frozenset[int] = frozenset()

    def ended_idnumbers(self, programme: str) -> dict[str, date]:
        """Circle idnumber -> the last day it was held, for the circles whose hold is over (``Memory.hold_ended``)."""
        return {mentor_group_idnumber(programme, m): day for m, day in self.ended.items()}

    def idnumbers(self, programme: str) -> frozenset[str]:
        return frozenset(mentor_group_idnumber(programme, m) for m in self.until)

    def signal(self, signals: PlanSignals, members: MemberHolds) -> None:
        """Set the plan's ``signals`` of the holds (``circles_held``, ``places_held``, ``mentors_away_*``) that its
        warnings say. ``members``: the places still held once a pin or a pair kept apart took theirs
        (``held_places.held_people``, ``Desired.members``), not ``self.members``: the run's sync line counted a place
        a ``[matching] forbids`` pair or a pin had just ended."""
        signals.circles_held, signals.places_held = len(self.until), len(members.kept)
        if self.at_once:
            signals.mentors_away_at_once, signals.mentors_away_fails = self._at_once_first(), self._at_once_day() >= self.today
        elif self.people_at_once:
            signals.members_away_at_once = self._people_first(self.people_at_once)
            signals.members_away_fails = self.people_at_once.day >= self.today

    def warnings(self, programme: str, observation: Observation) -> list[str]:
        """One line per held circle, for the plan; first, when they went away at once, what that says."""
        names = {g.idnumber: g.name for g in observation.groups}
        out = [self._at_once()] if self.at_once else [self._people(self.people_at_once)] if self.people_at_once else []
        for mentor in sorted(self.until):
            idnumber = mentor_group_idnumber(programme, mentor)
            if mentor in self.gone:
                out.append(self._deleted(idnumber, mentor))
                continue
            members = sum(len(g.members - {mentor}) for g in observation.groups if g.idnumber == idnumber)
            out.append(
                f"circle {names.get(idnumber, idnumber)!r}{HELD} "
                f"in the course (enrolment suspended or ended, or account suspended) since {self.since[mentor].isoformat()}; "
                f"its {members} member(s) stay until {self.until[mentor].isoformat()} ([sync] away_mentor_hold_days), "
                "then are re-matched unless the mentor is back"
            )
        for mentor in sorted(self.erased):  # why a circle held before is re-matched now (tester round 77b, 3)
            idnumber = mentor_group_idnumber(programme, mentor)
            out.append(f"circle {names.get(idnumber, idnumber)!r} is no longer held: its mentor, away, was erased "
                       "(`lmsync person erase`), and lmsync keeps nothing of them to date a hold by; its members are "
                       "re-matched")
        return out

    def _at_once_day(self) -> date:
        return min(self.since[m] for m in self.at_once)  # one day: ``mass_away`` takes those of one ``since``

    def _at_once_first(self) -> str:
        """The first sentence of ``_at_once``: the run's sync line (``at_once_line``)."""
        found, day = len(self.at_once), self._at_once_day()
        what = (f"none of the {self.mentors} circles' mentors as active in the course" if found == self.mentors else
                f"{found} of the {self.mentors} circles' mentors as no longer active in the course, all at once")
        when = f" since {day.isoformat()} (said before)" if day < self.today else ""
        return (f"{AT_ONCE}{what}{when}: a broken read? Check the lmsync user's capabilities (moodle/course:enrolreview; "
                "`lmsync doctor` checks them) and the course's enrolment plugins")

    def _at_once(self) -> str:
        """The plan's warning of ``at_once``: on the day they were first found away it fails the run; on later days
        of the holds it is said before (tester round 93b, 4: a real leave of 2 of 3 mentors failed every run for 14
        days)."""
        day = self._at_once_day()
        if day < self.today:
            runs = (f"`lmsync sync` and `lmsync run` exited 2 for it on {day.isoformat()} and now say it without "
                    "failing, until a read finds the mentors again or the holds end")
        else:
            runs = ("`lmsync sync` and `lmsync run` exit 2 today, the day they were first found away; later runs say "
                    "it without failing, until a read finds the mentors again or the holds end")
        return (
            f"{self._at_once_first()}. Their circles are held as they are, "
            f"nothing removed; {runs}; if they really are away, nothing needs doing (the holds end on their day), "
            f"or lower [sync] min_source_fraction (now {self.min_source_fraction:g}) to hold them without this"
        )

    def _people_first(self, found: AwayAtOnce) -> str:
        """The first sentence of ``_people``: the run's sync line (``at_once_line``; tester round 106b, 5)."""
        who = [f"{len(found.members)} member(s) whose place is held"]
        if found.mentors:
            who.append(f"{len(found.mentors)} mentor(s) whose circle is held")
        when = f" since {found.day.isoformat()} (said before)" if found.day < self.today else ""
        return (f"{AT_ONCE}{found.found} of the {found.placed} people placed in circles as no longer active in the "
                f"course ({' and '.join(who)}), all at once{when}: a broken read? Check the lmsync user's capabilities "
                "(moodle/course:enrolreview; `lmsync doctor` checks them) and the course's enrolment plugins")

    def _people(self, found: AwayAtOnce) -> str:
        """The plan's warning of ``people_at_once``: it fails the runs of the day they were first found away, and
        later runs of the holds say it (as ``_at_once``; tester round 106b, 5)."""
        if found.day < self.today:
            runs = (f"`lmsync sync` and `lmsync run` exited 2 for it on {found.day.isoformat()} and now say it "
                    "without failing, until a read finds them again or the holds end")
        else:
            runs = ("`lmsync sync` and `lmsync run` exit 2 today, the day they were first found away; later runs say "
                    "it without failing, until a read finds them again or the holds end")
        return (
            f"{self._people_first(found)}. Their places{' and circles' if found.mentors else ''} are held as they are, "
            f"nothing removed; {runs}; "
            "if they really are away, nothing needs doing (the holds end on their day), or lower [sync] "
            f"min_source_fraction (now {self.min_source_fraction:g}) to hold them without this"
        )

    def _deleted(self, idnumber: str, mentor: int) -> str:
        """The line of a held circle whose group was deleted in Moodle (tester round 74, 1)."""
        members, was = self.gone[mentor]
        return (
            f"circle [{idnumber}]: its group{f' (Moodle id {was})' if was else ''} was deleted in Moodle while its "
            f"mentor is away, and the circle is{HELD} in the course (enrolment suspended or ended, or account "
            f"suspended) since {self.since[mentor].isoformat()}; it cannot be made again while its mentor is away: its "
            f"{members} member(s) are not matched with other mentors until {self.until[mentor].isoformat()} ([sync] "
            "away_mentor_hold_days); if the mentor is back by then it is made again with them, else they are re-matched"
        )


def holds(config: Config, store: Store | None, observation: Observation,
          deleted: tuple[Mapping[int, int], Mapping[str, int]] = ({}, {})) -> Holds:
    """The circles held now (read-only: ``record`` writes the days). Without a store (or with
    ``away_mentor_hold_days = 0``) nothing is held. ``deleted``: the pairs of circles deleted in Moodle and
    the Moodle ids their groups had (``circle_records.deleted_circles``): such a circle of a mentor away is
    held too (tester round 74, 1)."""
    programme = config.programme.name
    today = programme_today(config)
    mentors = circle_mentors(programme, observation, deleted[0])
    away = away_mentors(programme, observation, deleted[0])
    days = config.sync.away_mentor_hold_days
    members = MemberHolds() if store is None else erased_holds(store, programme, member_holds(  # their places, as
        away_members(observation, programme), MemberAbsences(store, programme).since(), today, days))  # long: 103b, 1
    fraction = config.sync.min_source_fraction
    placed = placed_people(programme, observation, deleted[0])
    known = {} if store is None else MentorAbsences(store, programme).since()
    kept = still_away(known, away, observation)
    if store is None or not days or not away:
        return Holds(away, {}, {}, today, members=members, min_source_fraction=fraction,
                     people_at_once=mass_away_people({}, members.kept, placed, fraction), still_away=kept)
    erased = erased_away(store, programme, away)
    since = {m: known.get(m, today) for m in away - erased}
    last = {m: last_held_day(day, days) for m, day in since.items()}
    until = {m: day for m, day in last.items() if today <= day}
    shown = {g.idnumber for g in observation.groups}
    gone = {m: (sum(1 for mentor in deleted[0].values() if mentor == m), deleted[1].get(idnumber, 0)) for m in until
            if (idnumber := mentor_group_idnumber(programme, m)) not in shown}
    at_once = mass_away(since, until, len(mentors), fraction)
    people = None if at_once else mass_away_people({m: since[m] for m in until}, members.kept, placed, fraction)
    return Holds(away, until, {m: since[m] for m in until}, today, {m: day for m, day in last.items() if m not in until},
                 gone, erased, at_once, len(mentors), fraction, members, people, kept)


def still_away(known: Mapping[int, date], away: frozenset[int], observation: Observation) -> frozenset[int]:
    """The mentors of ``known`` (recorded away: Moodle id -> first day) not in ``away`` (they lead no circle now) and
    still not active in ``observation`` (not actively enrolled, or the account suspended, as ``away_mentors``).

    Tester round 109a, 2: the sync forgot a mentor's absence once the sync after their hold had emptied their
    circle, though they were still away: a second run that day recorded it as ended then, and ``lmsync pair show``
    read the hold as never run out (and, once they came back weeks later, as "back on" the day it was forgotten).
    Their absence is kept until a sync finds them active again. Raises nothing."""
    return frozenset(m for m in known if m not in away
                     and (m not in observation.active_user_ids or m in observation.suspended_user_ids))


def mass_away(since: Mapping[int, date], until: Mapping[int, date], mentors: int, min_source_fraction: float) -> frozenset[int]:
    """The held mentors (``until``) first found away on one day (``since``), when they are more than
    ``1 - min_source_fraction`` of the circles' ``mentors`` (the mass-removal guard's share; 0 turns it off):
    an enrolment read that returned nobody held every circle (tester round 92b, 4). Empty otherwise."""
    days: dict[date, set[int]] = {}
    for mentor in until:
        days.setdefault(since[mentor], set()).add(mentor)
    largest = max(days.values(), key=len, default=set())
    return frozenset(largest) if min_source_fraction and len(largest) > (1 - min_source_fraction) * mentors else frozenset()


def erased_away(store: Store, programme: str, away: frozenset[int]) -> frozenset[int]:
    """The mentors of ``away`` erased (``store.erasures``) and in no pair since: their circle is no longer held.

    Tester round 77b, 3: erasing a mentor away deleted the day the hold began, and the next sync, finding
    them still away, began it again from that day (held until ten days later), writing a row about the erased
    person on every sync. The hold waits for a mentor to come back; an erasure says they have gone, and
    lmsync keeps nothing of them to date a hold by, so it ends: the next sync re-matches the circle's
    mentees. One who came back (a pairing recorded, or a pair of theirs judged, since: the erasure took every
    earlier one) and is away again is held as anyone."""
    erased = erased_on(store).keys() & away
    if not erased:
        return frozenset()
    paired = {row.mentor_id for row in PairingHistory(store, programme).history()}
    judged = {mentor for mentor, _mentee in HealthSnapshots(store, programme).first_seen()}
    return frozenset(erased - paired - judged)


def record(store: Store, programme: str, found: Holds) -> tuple[int, int]:
    """Remember the day each away mentor, and each member away of a circle whose mentor is here
    (``Holds.members``), was first found away (never an erased mentor, ``erased_away``); forget those back (a
    sync's write; a mentor still away once their circle is emptied, ``Holds.still_away``, is not back). Returns
    (recorded, forgotten), both kinds summed."""
    mentors = MentorAbsences(store, programme).follow(found.away - found.erased, found.today, keep=found.still_away)
    members = MemberAbsences(store, programme).follow(found.members.away, found.today)
    return mentors[0] + members[0], mentors[1] + members[1]


def last_held_day(since: date, days: int) -> date:
    """The last day a circle is held when a sync first found its mentor away on ``since``, for
    ``[sync] away_mentor_hold_days`` = ``days`` (at least 1)."""
    return since + timedelta(days=days - 1)


def hold_windows(config: Config, store: Store) -> dict[int, tuple[date, date]]:
    """Each mentor the store records as away -> (the day a sync first found them away, the last day of their
    circle's hold), as ``holds`` dates them, without an observation (read-only; the store forgets a mentor who
    is back); empty when ``away_mentor_hold_days`` is 0 (nothing is held)."""
    days = config.sync.away_mentor_hold_days
    if not days:
        return {}
    absent = MentorAbsences(store, config.programme.name).since()
    return {m: (since, last_held_day(since, days)) for m, since in absent.items()}
