"""The circles and places on hold on the day ``lmsync health`` judges: someone away, their pairs left out (tester
round 104b, 10; a mentee's place: tester round 109a, 1).

A circle whose mentor is away (enrolment or account suspended) is held as it is for ``[sync] away_mentor_hold_days``
(``away_mentors``), and its pairs end in the pairing history while the mentor is away (``pairs_followed``), so
health judges none of them. ``lmsync health --as-of`` a day of the hold left them out without a word, and today's
view only counted them among the members "left out". Both views now name each such circle by its mentor, with the
day its hold began and its last day, and the pairs left out. Read from the store alone (``MentorAbsences.days_away``:
the absence recorded now, and those kept once the mentor was back, revision 0016; the pairing history for the
circle's pairs when the hold began), so a past day reads the same whatever day it is asked.

A circle member (a mentee) found away while their mentor is here has their place held as long (``MemberAbsences``,
revision 0014), and health leaves their pair out while they are away. ``lmsync health --as-of`` a day of that hold
left the pair out only while they were still away today ("lmsync's health record of that day left them out too"),
and judged it once they were back: 59 pairs asked during the absence, 60 asked after (tester round 109a, 1).
``held_places`` names each such pair by its mentee, read from the store alone (``MemberAbsences.days_away``: the
absence recorded now, and those kept once the mentee was back, revision 0015; the pairing history for their pair
that day), so both views of that day say it in the same words, whenever asked.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from lmsync.config import Config
from lmsync.service.away_mentors import last_held_day
from lmsync.service.programme_settings import programme_zone
from lmsync.store.absences import MemberAbsences, MentorAbsences
from lmsync.store.db import Store
from lmsync.store.pairings import PairingHistory, local_day

Pair = tuple[int, int]


@dataclass(frozen=True)
class HeldCircle:
    """A circle on hold on the day judged: its mentor's Moodle id, the day a sync first found them away (``since``),
    the last day it is held (``until``, inclusive: ``[sync] away_mentor_hold_days`` from ``since``; the mentor may
    be back before), and its pairs left out of the judgement ((mentor, mentee) Moodle ids, sorted)."""

    mentor_id: int
    since: date
    until: date
    pairs: tuple[Pair, ...]


def held_circles(config: Config, store: Store, day: date, judged: Collection[Pair] = ()) -> tuple[HeldCircle, ...]:
    """The circles on hold on ``day`` (a programme day), by mentor id: a mentor recorded away on ``day`` (the
    absence still recorded, or one kept with its end, ``day`` before that end) within its hold, each with the pairs
    of the circle when the hold began (a pairing that began on or before that day and had not ended before it),
    less those ``judged`` anyway. A circle with no such pair is not listed. Empty when ``away_mentor_hold_days`` is 0
    (nothing is held). Two reads of the absences and one of the pairing history, whatever the pairs; raises what
    the store raises."""
    days = config.sync.away_mentor_hold_days
    if not days:
        return ()
    programme = config.programme.name
    windows = _held_on(MentorAbsences(store, programme).days_away(), day, days)
    if not windows:
        return ()
    zone, skip = programme_zone(config), set(judged)
    pairs: dict[int, set[Pair]] = {}
    for row in PairingHistory(store, programme).history():
        since = windows.get(row.mentor_id)
        pair = (row.mentor_id, row.mentee_id)
        if (since is not None and pair not in skip and local_day(row.joined_at, zone) <= since
                and (row.left_at is None or local_day(row.left_at, zone) >= since)):
            pairs.setdefault(row.mentor_id, set()).add(pair)
    return tuple(HeldCircle(mentor, windows[mentor], last_held_day(windows[mentor], days), tuple(sorted(pairs[mentor])))
                 for mentor in sorted(pairs))


@dataclass(frozen=True)
class HeldPlace:
    """A mentee's place held on the day judged: their pair ((mentor, mentee) Moodle ids), the day a sync first found
    the mentee away (``since``), and the last day their place is held (``until``, inclusive: ``[sync]
    away_mentor_hold_days`` from ``since``; the mentee may be back before)."""

    pair: Pair
    since: date
    until: date

    @property
    def mentee_id(self) -> int:
        """The mentee away (Moodle id)."""
        return self.pair[1]


def held_places(config: Config, store: Store, day: date, judged: Collection[Pair] = ()) -> tuple[HeldPlace, ...]:
    """The mentees' places on hold on ``day`` (a programme day), by pair: a circle member recorded away on ``day``
    (``MemberAbsences.days_away``: the absence still recorded, or one kept with its end, ``day`` before that end)
    within its hold, each with their pair of that day in the pairing history (joined on or before ``day``, not
    ended by it: ended on a later day or open), less those ``judged`` anyway. Empty when ``away_mentor_hold_days``
    is 0 (nothing is held). Two reads of the absences and one of the pairing history; raises what the store raises.
    Tester round 109a, 1."""
    days = config.sync.away_mentor_hold_days
    if not days:
        return ()
    programme = config.programme.name
    windows = _held_on(MemberAbsences(store, programme).days_away(), day, days)
    if not windows:
        return ()
    zone, skip = programme_zone(config), set(judged)
    out: set[HeldPlace] = set()
    for row in PairingHistory(store, programme).history():
        since = windows.get(row.mentee_id)
        pair = (row.mentor_id, row.mentee_id)
        if (since is not None and pair not in skip and local_day(row.joined_at, zone) <= day
                and (row.left_at is None or day < local_day(row.left_at, zone))):
            out.add(HeldPlace(pair, since, last_held_day(since, days)))
    return tuple(sorted(out, key=lambda p: p.pair))


def _held_on(absences: Mapping[int, Sequence[tuple[date, date | None]]], day: date, days: int) -> dict[int, date]:
    """Moodle id -> the first day away of the absence (of ``absences``: ``days_away()``, each (first day, end or
    None)) within whose hold of ``days`` days ``day`` falls, before its end; one rule for a mentor's circle and a
    mentee's place."""
    return {person: since for person, spans in absences.items()
            for since, end in spans if since <= day <= last_held_day(since, days) and (end is None or day < end)}
