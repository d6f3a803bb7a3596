"""The holds a coordinator's digest tells of, read from the store alone: circles held while their mentor is away,
begun or ended since the coordinator's last digest sent (tester rounds 61, 5 and 107a, 5), the mentors and mentees
back from away (tester round 108a, 5) and the mentees whose held place was given up (108a, 6).

A hold is dated by the absences the sync records (``store.absences``: the one recorded now, and those it forgot,
kept with the day it forgot them, revision 0016 for a mentor's and 0015 for a mentee's) and the pairing history.
The digest read only the absences recorded now, and the sync forgets a mentor's once their circle is emptied: a hold
that ended on a day whose digest was held (quiet hours, the first-assessment guard) was in no digest ever (tester
round 108a, 2).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta, tzinfo
from typing import Any

from lmsync.config import Config
from lmsync.service.away_mentors import last_held_day
from lmsync.service.health_gone import Circles
from lmsync.service.hold_mentees import HoldMentees, hold_mentees
from lmsync.service.programme_settings import programme_zone
from lmsync.store.absences import MemberAbsences, MentorAbsences
from lmsync.store.db import Store
from lmsync.store.erasures import erased_on
from lmsync.store.pairings import Pairing, PairingHistory, local_day
from lmsync.store.queue import GONE, QueueItem


@dataclass(frozen=True)
class Hold:
    """A circle held as it is while its mentor is away (``away_mentors``): ``since`` the day a sync first found
    them away, ``until`` its last day; ``ended`` once that day has passed with them still away (its mentees are
    re-matched); ``mentees`` of an ended one: matched with another mentor, or left with none (tester round 107a, 5);
    ``back_on``: the day a sync found the mentor back with their circle (tester round 108a, 5), else None."""

    mentor_id: int
    since: date
    until: date
    ended: bool
    mentees: HoldMentees = field(default_factory=HoldMentees)
    back_on: date | None = None


def holds_since(holds: Sequence[Hold], after: date, day: date) -> list[Hold]:
    """The holds a coordinator last told on ``after`` (the day of their last digest SENT, not the last one held) has
    not heard of, ``day`` today: begun in (after, day] and not over, ended (its day after ``until``) in (after,
    day], or whose mentor is back in (after, day] after a hold begun on or before ``after`` (one they were told of).
    Tester round 61, 5: a mentor away for weeks and their circle's mentees moved reached no digest."""
    out = []
    for h in holds:
        if h.back_on is not None:
            told = h.since <= after < h.back_on <= day
        elif h.ended:
            told = after < h.until + timedelta(days=1) <= day
        else:
            told = after < h.since <= day
        if told:
            out.append(h)
    return out


def circle_holds(config: Config, store: Store, day: date, roster: Mapping[int, Any], circles: Circles) -> list[Hold]:
    """Every circle hold the store knows of (``[sync] away_mentor_hold_days``; none when 0), by mentor and first day:
    the absence recorded now (ended once its last day is before ``day``), and each absence the sync forgot: back
    when the mentor's pairs were made again on the day it was forgotten (they came back to their circle), else ended
    when forgotten after its last day (the circle emptied once the hold ended: tester round 108a, 2), else neither (a
    hold begun only). An ended one carries where its mentees are (``hold_mentees``; ``roster`` and ``circles``: the
    health step's observation). Reads the absences and the pairing history; raises what the store raises."""
    days = config.sync.away_mentor_hold_days
    if not days:
        return []
    spans = MentorAbsences(store, config.programme.name).days_away()
    if not spans:
        return []
    history, zone = PairingHistory(store, config.programme.name).history(), programme_zone(config)
    out = []
    for mentor, windows in sorted(spans.items()):
        for since, end in windows:
            until = last_held_day(since, days)
            back = end is not None and _made_again(history, mentor, end, zone)
            ended = not back and (until < day if end is None else until < end)
            mentees = hold_mentees(history, mentor, since, zone, roster, circles) if ended else HoldMentees()
            out.append(Hold(mentor, since, until, ended, mentees, end if back else None))
    return out


def _made_again(history: Sequence[Pairing], mentor: int, day: date, zone: tzinfo) -> bool:
    """Whether a pair of ``mentor`` began on ``day``: the sync that forgot their absence found them back in their
    circle (``pairs_followed``), not their circle emptied."""
    return any(p.mentor_id == mentor and local_day(p.joined_at, zone) == day for p in history)


@dataclass(frozen=True)
class PlaceHold:
    """A mentee's place held in their mentor's circle while they were away (``held_mentees``) that is over: the
    mentee and that mentor (Moodle ids), ``since`` the day a sync first found them away, ``until`` the last day held,
    ``on`` the day it was over, and ``given_up``: True when the sync took them out of the circle (the hold ended with
    them still away; tester round 108a, 6), False when they came back to their place (108a, 5); ``in_queue``: the
    pair has an open item of the coordinator told (set per coordinator: ``places_since``)."""

    mentee_id: int
    mentor_id: int
    since: date
    until: date
    on: date
    given_up: bool
    in_queue: bool = False


def place_holds(config: Config, store: Store) -> list[PlaceHold]:
    """The mentees' held places that are over, as the store dates them: given up on the day their pair with the
    circle's mentor ended after the hold's last day (the absence recorded now or forgotten later), or back on the
    day a sync forgot their absence with that pair still open. An erased mentee's are left out. Empty when ``[sync]
    away_mentor_hold_days`` is 0. Reads the absences and the pairing history; raises what the store raises."""
    days = config.sync.away_mentor_hold_days
    if not days:
        return []
    programme = config.programme.name
    spans = MemberAbsences(store, programme).days_away()
    if not spans:
        return []
    erased, zone = erased_on(store), programme_zone(config)
    rows: dict[int, list[Pairing]] = {}
    for p in PairingHistory(store, programme).history():
        rows.setdefault(p.mentee_id, []).append(p)
    out = []
    for mentee, windows in sorted(spans.items()):
        if mentee in erased:
            continue
        for since, end in windows:
            until = last_held_day(since, days)
            held = [p for p in rows.get(mentee, ()) if local_day(p.joined_at, zone) <= since
                    and (p.left_at is None or local_day(p.left_at, zone) >= since)]
            for p in held:
                left = local_day(p.left_at, zone) if p.left_at is not None else None
                if left is not None and until < left and (end is None or left <= end):
                    out.append(PlaceHold(mentee, p.mentor_id, since, until, left, True))
                elif left is None and end is not None:
                    out.append(PlaceHold(mentee, p.mentor_id, since, until, end, False))
    return out


def places_since(places: Sequence[PlaceHold], after: date, day: date, told: set[tuple[int, int]]) -> list[PlaceHold]:
    """The places over in (after, day] that a coordinator last told on ``after`` hears of: every one given up, and a
    mentee back whose pair (mentor, mentee) is in ``told`` (the pairs of their open items: one listed on hold
    before) after a hold begun on or before ``after``; each ``in_queue`` when its pair is in ``told``."""
    return [replace(p, in_queue=(p.mentor_id, p.mentee_id) in told) for p in places if after < p.on <= day
            and (p.given_up or (p.since <= after and (p.mentor_id, p.mentee_id) in told))]


def back_lines(holds: Sequence[Hold], places: Sequence[PlaceHold], items: Sequence[QueueItem],
               label: Callable[[int], str], item_line: Callable[[QueueItem], str]) -> list[str]:
    """The digest's "Back from away" part: each mentor back with their circle (``holds`` with ``back_on``) and each
    mentee back in their place (``places`` not given up), with the items of theirs in the coordinator's queue
    (``items``, open and not paused) active again, each by ``item_line``. Tester round 108a, 5: a mentor back said
    nothing, and their queued pairs were listed as newly at risk."""
    back = [h for h in holds if h.back_on is not None]
    mentees = [p for p in places if not p.given_up]
    if not (back or mentees):
        return []
    lines = ["", f"Back from away ({len(back) + len(mentees)}; their circle, or place, is as they left it, and their "
                 "pairs are judged and nudged again):"]
    for h in back:
        lines.append(f"- {label(h.mentor_id)}, mentor: away since {h.since.isoformat()}, back on "
                     f"{h.back_on.isoformat() if h.back_on else '?'} (their circle was held until {h.until.isoformat()})")
        lines += ["  " + item_line(i) for i in items if i.mentor_id == h.mentor_id and i.status != GONE]
    for p in mentees:
        lines.append(f"- {label(p.mentee_id)}, mentee of {label(p.mentor_id)}: away since {p.since.isoformat()}, back "
                     f"on {p.on.isoformat()} (their place was held until {p.until.isoformat()})")
        lines += ["  " + item_line(i) for i in items
                  if (i.mentor_id, i.mentee_id) == (p.mentor_id, p.mentee_id) and i.status != GONE]
    return lines


def given_up_lines(places: Sequence[PlaceHold], label: Callable[[int], str]) -> list[str]:
    """The digest's part naming each mentee whose held place was given up (``places`` ``given_up``): with their
    mentor, the last day held and the day the sync took them out, and, ``in_queue``, that the pair's item stays
    paused until an outcome is recorded; back later, they are matched anew (README, held places). Tester round
    108a, 6: such a mentee was in no digest."""
    gone = [p for p in places if p.given_up]
    if not gone:
        return []
    lines = ["", f"Held places given up ({len(gone)}; the mentee was still away when the hold ended, so the sync took "
                 "them out of the circle: if they come back, the next sync matches them anew with a mentor who has "
                 "room):"]
    lines += [f"- {label(p.mentee_id)}: away since {p.since.isoformat()}; their place in {label(p.mentor_id)}'s circle "
              f"was held until {p.until.isoformat()} and given up on {p.on.isoformat()}"
              + ("; their item in your queue stays paused (no longer in the programme) until you record an outcome"
                 if p.in_queue else "") for p in gone]
    return lines
