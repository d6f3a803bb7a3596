"""The holds a coordinator's digest tells of, read from the store alone: circles held while their mentor is away,
begun or ended since the coordinator's last digest sent (tester rounds 61, 5 and 107a, 5), the mentors and mentees
back from away (tester round 108a, 5), the mentees whose held place was given up (108a, 6) or is held while they are
away (tester round 111a, 4); and the items paused while lmsync leaves their circle alone, apart from those on hold
while someone is away (108a, 4).

A hold is dated by the absences the sync records (``store.absences``: the one recorded now, and those it forgot,
kept with the day it forgot them, revision 0016 for a mentor's and 0015 for a mentee's) and the pairing history.
The digest read only the absences recorded now: a hold that ended on a day whose digest was held (quiet hours, the
first-assessment guard) was in no digest ever (tester round 108a, 2). The sync keeps a mentor's absence recorded
until a sync finds them active again, their circle emptied or not (tester round 109a, 2), so the day it was forgotten
is the day they were back: with their circle, or after their hold ran out and their circle was re-matched (109a, 4).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta, tzinfo
from typing import Any

from lmsync.config import Config
from lmsync.service.away_mentors import last_held_day
from lmsync.service.circles_left_alone import LEFT_ALONE
from lmsync.service.digest_since import Since
from lmsync.service.health_gone import Circles
from lmsync.service.hold_mentees import HoldMentees, hold_mentees
from lmsync.service.programme_settings import programme_zone
from lmsync.store.absences import MemberAbsences, MentorAbsences
from lmsync.store.db import Store
from lmsync.store.erasures import erased_on
from lmsync.store.pairings import Pairing, PairingHistory, local_day
from lmsync.store.queue import GONE, QueueItem
from lmsync.store.snapshots import HealthSnapshots


@dataclass(frozen=True)
class Hold:
    """A circle held as it is while its mentor is away (``away_mentors``): ``since`` the day a sync first found
    them away, ``until`` its last day; ``ended`` once that day has passed with them still away (its mentees are
    re-matched); ``mentees`` of an ended one: matched with another mentor, or left with none (tester round 107a, 5);
    ``back_on``: the day a sync found the mentor back, with their circle (tester round 108a, 5) or, ``ended`` too,
    after their hold ran out (``returned``; tester round 109a, 4), else None; ``in_queue``: of an ended one, how many
    paused items of the coordinator told are on its circle (set per coordinator: ``digest_paused.with_paused_items``;
    tester round 112a, 7)."""

    mentor_id: int
    since: date
    until: date
    ended: bool
    mentees: HoldMentees = field(default_factory=HoldMentees)
    back_on: date | None = None
    in_queue: int = 0
    since_mark: int | None = None  # the journal's latest id when a sync found them away, and back (122c, 1)
    back_mark: int | None = None

    @property
    def returned(self) -> bool:
        """Back after the hold ran out: their circle was re-matched while they were away (tester round 109a, 4)."""
        return self.ended and self.back_on is not None

    @property
    def ended_away(self) -> bool:
        """Ended with the mentor still away, as far as the digest knows (not ``returned``)."""
        return self.ended and self.back_on is None


def holds_since(holds: Sequence[Hold], after: Since, day: date) -> list[Hold]:
    """The holds a coordinator last told at ``after`` (the moment of their last digest SENT, not the last one held)
    has not heard of, ``day`` today: begun after it and not over, ended (its day after ``until``) in (after, day], or
    whose mentor is back after it: with their circle after a hold begun before it (one they were told of), or after
    their hold ran out (``Hold.returned``: news however it was told; tester round 109a, 4). Tester round 61, 5: a
    mentor away for weeks and their circle's mentees moved reached no digest; 122c, 1: one found away by a run after
    the day's digest was in none (compared by day, not by ``Hold.since_mark``)."""
    out = []
    for h in holds:
        back = h.back_on is not None and after.after(h.back_on, h.back_mark) and (h.back_on or day) <= day
        if h.returned:
            told = back
        elif h.back_on is not None:
            told = back and not after.after(h.since, h.since_mark)
        elif h.ended:
            told = after.day < h.until + timedelta(days=1) <= day
        else:
            told = after.after(h.since, h.since_mark) and h.since <= day
        if told:
            out.append(h)
    return out


def held_at(holds: Sequence[Hold], after: Since) -> set[int]:
    """The mentors whose circle was held at ``after`` (a coordinator's last digest sent): the hold begun by then (its
    ``since_mark`` before that digest's, or an earlier day), its last day not before that digest's day, and the mentor
    not back by then (``back_mark`` that digest's or later, or a later day). Their mentees were in a held circle at
    that digest, not without a mentor (tester round 123a, 2: a mentor away and back the day of the digest that told
    the hold had their four mentees said "Now with a mentor ... they had none at your last digest"). Raises nothing."""
    return {h.mentor_id for h in holds if not after.after(h.since, h.since_mark) and after.day <= h.until
            and (h.back_on is None or after.after(h.back_on, h.back_mark))}


def circle_holds(config: Config, store: Store, day: date, roster: Mapping[int, Any], circles: Circles) -> list[Hold]:
    """Every circle hold the store knows of (``[sync] away_mentor_hold_days``; none when 0), by mentor and first day:
    the absence recorded now (ended once its last day is before ``day``), and each absence the sync forgot (the day a
    sync found the mentor active again: tester round 109a, 2): back with their circle when their pairs were made again
    that day and no run (a health snapshot) came between the hold's last day and that day (none emptied their circle),
    else ended when forgotten after its last day, and back then too (``Hold.returned``: the pairs made that day are of
    their circle re-matched; tester round 109a, 4), else neither (a hold begun only). An absence forgotten after
    ``day`` (a view of an earlier day) is read as recorded still. An ended one carries where its mentees are (``hold_mentees``; ``roster`` and ``circles``: the
    health step's observation). Reads the absences and the pairing history; raises what the store raises."""
    days = config.sync.away_mentor_hold_days
    if not days:
        return []
    spans = MentorAbsences(store, config.programme.name).marked_days_away()
    if not spans:
        return []
    history, zone = PairingHistory(store, config.programme.name).history(), programme_zone(config)
    snapshots = HealthSnapshots(store, config.programme.name)
    out = []
    for mentor, windows in sorted(spans.items()):
        for since, end, since_mark, end_mark in windows:
            until = last_held_day(since, days)
            end, end_mark = (None, None) if end is not None and end > day else (end, end_mark)
            ran = end is not None and until < end and (snapshots.day_before(end) or date.min) > until
            back = end is not None and not ran and _made_again(history, mentor, end, zone)
            ended = not back and (until < day if end is None else until < end)
            mentees = hold_mentees(history, mentor, since, zone, roster, circles) if ended else HoldMentees()
            out.append(Hold(mentor, since, until, ended, mentees, end if back or (ended and end is not None) else None,
                            since_mark=since_mark, back_mark=end_mark))
    return out


def _made_again(history: Sequence[Pairing], mentor: int, day: date, zone: tzinfo) -> bool:
    """Whether a pair of ``mentor`` began on ``day``: the sync that forgot their absence found them back in their
    circle (``pairs_followed``), not their circle emptied."""
    return any(p.mentor_id == mentor and local_day(p.joined_at, zone) == day for p in history)


@dataclass(frozen=True)
class PlaceHold:
    """A mentee's place held in their mentor's circle while they are or were away (``held_mentees``): the mentee and
    that mentor (Moodle ids), ``since`` the day a sync first found them away, ``until`` the last day held, ``on`` the
    day it was over, and ``given_up``: True when the sync took them out of the circle (the hold ended with them still
    away; tester round 108a, 6), False when they came back to their place (108a, 5); ``held``: True for a hold still
    running (``on`` is then ``since``, the day it began, and ``given_up`` False; tester round 111a, 4); ``in_queue``:
    the pair has an open item of the coordinator told (set per coordinator: ``places_since``); ``given_up_in``: for a
    mentee back after that place was given up, the mentor of the circle that held it, ``mentor_id`` then the one they
    were matched anew with and ``on`` the day that pair began (``digest_rejoined``, ``rejoined_line``; tester round 112a, 4), else None;
    ``waiting``: a given-up place whose mentee is back and has no mentor now (``digest_rejoined.waiting``; tester
    round 113), said under "Back from away without a mentor", not under "Held places given up"."""

    mentee_id: int
    mentor_id: int
    since: date
    until: date
    on: date
    given_up: bool
    in_queue: bool = False
    held: bool = False
    given_up_in: int | None = None
    waiting: bool = False
    since_mark: int | None = None  # the journal's latest id when a sync found them away, and back (122c, 1)
    on_mark: int | None = None

    @property
    def pair(self) -> tuple[int, int]:
        """(mentor, mentee) Moodle ids, as a queue item's ``pair``."""
        return self.mentor_id, self.mentee_id

    @property
    def back(self) -> bool:
        """The mentee came back to their place (neither given up nor held still)."""
        return not (self.given_up or self.held)


def place_holds(config: Config, store: Store, day: date | None = None) -> list[PlaceHold]:
    """The mentees' held places that are over, as the store dates them: given up on the day their pair with the
    circle's mentor ended after the hold's last day (the absence recorded now or forgotten later), or back on the
    day a sync forgot their absence with that pair still open; and, given ``day`` (today), those still held then
    (``held``: the absence recorded now, the pair open, ``day`` no later than the hold's last day; tester round 111a,
    4: a mentee's place held reached a digest only through a queue item). An erased mentee's are left out. Empty when
    ``[sync] away_mentor_hold_days`` is 0. Reads the absences and the pairing history; raises what the store raises."""
    days = config.sync.away_mentor_hold_days
    if not days:
        return []
    programme = config.programme.name
    spans = MemberAbsences(store, programme).marked_days_away()
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
        for since, end, since_mark, end_mark in windows:
            until = last_held_day(since, days)
            held = [p for p in rows.get(mentee, ()) if local_day(p.joined_at, zone) <= since
                    and (p.left_at is None or local_day(p.left_at, zone) >= since)]
            for p in held:
                left = local_day(p.left_at, zone) if p.left_at is not None else None
                if left is not None and until < left and (end is None or left <= end):
                    out.append(PlaceHold(mentee, p.mentor_id, since, until, left, True, since_mark=since_mark))
                elif left is None and end is not None:
                    out.append(PlaceHold(mentee, p.mentor_id, since, until, end, False, since_mark=since_mark,
                                         on_mark=end_mark))
                elif left is None and day is not None and since <= day <= until:
                    out.append(PlaceHold(mentee, p.mentor_id, since, until, since, False, held=True,
                                         since_mark=since_mark))
    return out


def places_since(places: Sequence[PlaceHold], after: Since, day: date, told: set[tuple[int, int]]) -> list[PlaceHold]:
    """The places a coordinator last told at ``after`` (their last digest sent) hears of at ``day``: those held from
    after it (``held``), and those over after it, up to ``day``: every one given up (by day), and a mentee back after a
    hold begun before it (so said held in an earlier digest; tester round 111a, 4: only a mentee whose pair had an
    item of theirs, listed on hold, was said back); each ``in_queue`` when its pair is in ``told`` (the pairs of their
    items). Held or back after that day's digest: by the marks (``PlaceHold.since_mark``; tester round 122c, 1)."""
    return [replace(p, in_queue=(p.mentor_id, p.mentee_id) in told) for p in places if p.on <= day and (
        after.day < p.on if p.given_up else after.after(p.since, p.since_mark) if p.held
        else after.after(p.on, p.on_mark) and not after.after(p.since, p.since_mark))]


def held_place_lines(places: Sequence[PlaceHold], label: Callable[[int], str],
                     said: Collection[tuple[int, int]] = ()) -> list[str]:
    """The digest's part naming each mentee newly away whose place is held (``places`` ``held``), with their mentor's
    circle and the hold's last day, but not those whose pair (mentor, mentee) is in ``said`` (its queue item is listed
    "On hold while someone is away", which says as much). Said as "Circles held while their mentor is away" says a
    mentor's; tester round 111a, 4: a mentee away was in no digest unless their pair had a queue item."""
    held = [p for p in places if p.held and (p.mentor_id, p.mentee_id) not in said]
    if not held:
        return []
    lines = ["", f"Places held while their mentee is away ({len(held)}; they keep their place in their mentor's circle, "
                 "and the pair is neither judged nor nudged until they are back; if they are still away after the day "
                 "it is held until, the sync gives their place up):"]
    lines += [f"- {label(p.mentee_id)}: away since {p.since.isoformat()}; their place in {label(p.mentor_id)}'s circle "
              f"is held until {p.until.isoformat()} at the latest" for p in held]
    return lines


def back_lines(holds: Sequence[Hold], places: Sequence[PlaceHold], items: Sequence[QueueItem],
               label: Callable[[int], str], item_line: Callable[[QueueItem], str]) -> list[str]:
    """The digest's "Back from away" part: each mentor back with their circle (``holds`` with ``back_on``) and each
    mentee back in their place (``places`` ``back``), with the items of theirs in the coordinator's queue
    (``items``: open and not paused, or acknowledged and awaiting an outcome) active again, each by ``item_line``,
    a mentee's as a mentor's (tester round 109a, 6). A mentor back after their hold ran out (``Hold.returned``) is
    said so: their circle was re-matched while they were away (tester round 109a, 4), and so is a mentee matched anew
    after their place was given up (``PlaceHold.given_up_in``; 112a, 4). Tester round 108a, 5: a mentor back said
    nothing, and their queued pairs were listed as newly at risk."""
    back = [h for h in holds if h.back_on is not None]
    mentees = [p for p in places if p.back]
    if not (back or mentees):
        return []
    # back to a circle or place held as they left it (not one matched anew: tester round 112a, 4)
    kept = sum(p.given_up_in is None for p in mentees) + sum(not h.returned for h in back)
    as_left = ("" if not kept else "their circle, or place, is as they left it, and " if kept == len(back) + len(mentees)
               else "a circle or place still held on their return is as they left it, and ")
    lines = ["", f"Back from away ({len(back) + len(mentees)}; {as_left}their pairs are judged and nudged again):"]
    for h in back:
        lines.append(f"- {label(h.mentor_id)}, mentor: away since {h.since.isoformat()}, back on "
                     f"{h.back_on.isoformat() if h.back_on else '?'} " + (
                         f"after their hold ran out (held until {h.until.isoformat()}): their circle was re-matched "
                         "while they were away; they mentor again" if h.returned
                         else f"(their circle was held until {h.until.isoformat()})"))
        lines += ["  " + item_line(i) for i in items if i.mentor_id == h.mentor_id and i.status != GONE]
    for p in mentees:
        lines.append(rejoined_line(p, label) if p.given_up_in is not None else
                     f"- {label(p.mentee_id)}, mentee of {label(p.mentor_id)}: away since {p.since.isoformat()}, back "
                     f"on {p.on.isoformat()} (their place was held until {p.until.isoformat()})")
        lines += ["  " + item_line(i) for i in items
                  if (i.mentor_id, i.mentee_id) == (p.mentor_id, p.mentee_id) and i.status != GONE]
    return lines


def given_up_lines(places: Sequence[PlaceHold], label: Callable[[int], str]) -> list[str]:
    """The digest's part naming each mentee whose held place was given up (``places`` ``given_up``): with their
    mentor, the last day held and the day the sync took them out, and, ``in_queue``, that the pair's item stays
    paused until an outcome is recorded; back later, they are matched anew (README, held places). Tester round
    108a, 6: such a mentee was in no digest."""
    gone = [p for p in places if p.given_up and not p.waiting]  # one back waiting: ``digest_rejoined`` (round 113)
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


def left_alone_lines(items: Sequence[QueueItem], label: Callable[[int], str]) -> list[str]:
    """The digest's part for the items paused while lmsync leaves their pair's circle alone (``items``: their pause
    note's why begins ``circles_left_alone.LEFT_ALONE``), apart from "On hold while someone is away": nobody is away,
    the circle carries another circle's ID number until an admin sets it back, and the coordinator has only to tell
    the admin (tester round 108a, 4: they were listed as on hold "until they are back"). Each with the circle's
    Moodle group as the note says it and the day it was paused."""
    if not items:
        return []
    lines = ["", f"On hold while lmsync leaves their circle alone ({len(items)}; the circle's ID number was changed in "
                 "Moodle, and lmsync leaves the circle as it is until an admin sets its ID number back: nothing for you "
                 "to do but tell the admin (`lmsync sync` tells them how); nothing is due, and `lmsync queue done` "
                 "takes no outcome on them, until then, and the pairs are judged again after):"]
    lines += [f"- {label(i.mentor_id)} / {label(i.mentee_id)}: {_circle_said(i.gone_why or '')}; since "
              f"{i.last_seen_on.isoformat()}" for i in items]
    return lines


def _circle_said(why: str) -> str:
    """The circle of a left-alone item's why (``LeftAloneCircle.said``): ``their circle (Moodle group 6) carries another
    circle's ID number``, without the prefix and what the part's head says already."""
    said = why.removeprefix(LEFT_ALONE).removeprefix(": ").split(", changed in Moodle", 1)[0]
    group, carries, rest = said.partition(" carries ")
    return f"their circle ({group}) carries {rest}" if carries and group.startswith("Moodle group ") else said


def rejoined_line(place: PlaceHold, label: Callable[[int], str]) -> str:
    """The "Back from away" line of a mentee matched anew (``rejoined``): ``- Kavya Santos (s0015), mentee: away since
    2026-12-21; their place in Chloe Xu (m0004)'s circle was given up (held until 2026-12-30); back, matched anew
    with Chloe Xu (m0004) on 2027-01-02``, the last day that of their new pair (``place.on``). No day they came back:
    the store keeps none (the sync forgets their absence the day it gives their place up), and the day they were
    matched anew is not it when they came back to no mentor with room (tester round 115a, 4: "back on" the day a
    mentor's capacity was raised, five weeks after they came back). Raises nothing."""
    return (f"- {label(place.mentee_id)}, mentee: away since {place.since.isoformat()}; their place in "
            f"{label(place.given_up_in or 0)}'s circle was given up (held until {place.until.isoformat()}); back, "
            f"matched anew with {label(place.mentor_id)} on {place.on.isoformat()}")
