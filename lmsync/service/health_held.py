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

The queue items on hold on a past day (``paused_on_day``) are read the same way: the items open that day (or
acknowledged and awaiting their outcome) of the pairs those circles and places held. They were read from the queue's
present state, the items paused by that day and still paused on hold now: as people came back, or a hold ended and
its item was paused again as gone, the same day read 5, then 4, then 1 item on hold beside the same circles and
places on hold (tester round 111a, 2). The other items paused that day, as no longer in the programme, are read from
their notes and outcome's day alike (``health_paused_day``; tester round 112a, 1).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date

from lmsync.config import Config
from lmsync.service.away_mentors import last_held_day
from lmsync.service.health_paused_day import paused_items_on
from lmsync.service.programme_settings import programme_zone
from lmsync.service.queue_holds import PairHold, with_holds
from lmsync.store.absences import MemberAbsences, MentorAbsences
from lmsync.store.db import Store
from lmsync.store.pairings import PairingHistory, local_day
from lmsync.store.queue import CoordinatorQueue, QueueItem
from lmsync.store.queue_item import GONE_NOTE, paused_day

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


def paused_on_day(
    config: Config, store: Store, queue: CoordinatorQueue, day: date,
    circles: Sequence[HeldCircle], places: Sequence[HeldPlace],
) -> list[QueueItem]:
    """The queue items paused on the ``day`` a view judges (``lmsync health --as-of``, a past day chiefly), oldest
    first (opened, then id): those on hold while someone was away, read from the store as that day had them, and the
    others paused at the end of that day, whatever became of them since (``health_paused_day.paused_items_on``: they
    were read from the queue's present state, an item closed or taken up again later lost; tester round 112a, 1),
    their circle left alone said so (``queue_holds.with_holds``).

    On hold: the latest item of each pair of ``circles`` and ``places`` (``held_circles``, ``held_places`` of
    ``day``, a mentee's place first) opened on or before ``day`` and not closed by then (open, or acknowledged and
    awaiting its outcome: ``_open_on``), with ``on_hold`` (``PairHold.said``) and, as ``last_seen_on``, the day it
    went on hold (``_held_from``), whatever became of it since: the same items whenever the day is asked (tester
    round 111a, 2). One read of the queue; raises what the store raises."""
    holds = _holds(circles, places)
    latest: dict[Pair, QueueItem] = {}
    items = queue.items()
    for item in items:  # oldest first: the latest open that day wins
        if item.pair in holds and _open_on(item, day):
            latest[item.pair] = item
    held = [replace(i, on_hold=holds[i.pair].said, last_seen_on=_held_from(i, holds[i.pair], day))
            for i in latest.values()]
    # paused then as that day had them, whatever became of them since (tester round 112a, 1)
    rest = with_holds(config, store, [i for i in paused_items_on(items, day) if i.pair not in holds], day)
    return sorted([*rest, *held], key=lambda i: (i.opened_on, i.id))


def _holds(circles: Sequence[HeldCircle], places: Sequence[HeldPlace]) -> dict[Pair, PairHold]:
    """Pair -> its hold, as ``queue_holds.pair_holds`` words it: a mentee's place first, else their mentor's circle."""
    out = {place.pair: PairHold("mentee", place.mentee_id, place.since, place.until) for place in places}
    for circle in circles:
        for pair in circle.pairs:
            out.setdefault(pair, PairHold("mentor", circle.mentor_id, circle.since, circle.until))
    return out


def _open_on(item: QueueItem, day: date) -> bool:
    """Whether ``item`` was open on ``day``, or acknowledged and awaiting its outcome: opened by then and not closed
    by then (its closing outcome recorded on or before ``day``; a ``met`` one closed the day lmsync acknowledged it,
    its pair ok again: ``CoordinatorQueue.close_recovered``)."""
    if item.opened_on > day:
        return False
    if item.acked_on is None or item.outcome is None:
        return True
    closed = item.acked_on if item.outcome == "met" else (item.outcome_on or item.acked_on)
    return day < closed


def _held_from(item: QueueItem, hold: PairHold, day: date) -> date:
    """The day ``item`` went on hold under ``hold``, as of ``day``: lmsync's earliest pause note on it dated within
    the hold by then (``queue_item.gone_note``), else (acknowledged, never paused; or not yet paused) the day the
    hold began, or the item opened if later."""
    text = item.note or ""
    starts = [at for at in range(len(text)) if text.startswith(GONE_NOTE, at)]
    paused = [paused_day(text[at:at + len(GONE_NOTE) + 10]) for at in starts]  # each pause note's day
    within = [d for d in paused if d is not None and hold.since <= d <= day]
    return min(within) if within else max(hold.since, item.opened_on)
