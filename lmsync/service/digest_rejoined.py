"""Mentees back after their held place was given up, said under the digest's "Back from away" (tester round 112a, 4).

A mentee still away when the hold on their place ran out is taken out of their circle (the digest says so under
"Held places given up"); back later, the sync matches them anew, and their pair's queue item, open or acknowledged,
is active again when that pair is made again. The digest named them only under "Now with a mentor since your last
digest ... nothing more to do for them", while the owner's item awaited an outcome (112a, 4). They are back from away
now, as a mentor back after their hold ran out is (``digest_holds.Hold.returned``; tester round 109a, 4), their
pair's items under their name.

Back with no mentor who has room, they wait with none (``waiting``): ``lmsync health`` named them, the digest said
nothing (tester round 113), as they had no pair open at the coordinator's last digest
(``mentees_alone.newly_without_mentor``) and begin none (``now_with_mentor``). The store keeps no day they came back
(the sync forgets a mentee's absence the day it gives their place up), so the digest cannot tell "back since your
last digest": it names them under "Back from away without a mentor" in each digest while they wait, as it does a
queue item overdue, with what to do (``mentees_alone.WHAT_TO_DO``).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import replace
from datetime import date, tzinfo
from typing import TYPE_CHECKING

from lmsync.config import Config
from lmsync.service.mentees_alone import TWO_ROLES_WHAT_TO_DO, WHAT_TO_DO
from lmsync.service.programme_settings import programme_zone
from lmsync.store.pairings import Pairing, local_day

if TYPE_CHECKING:
    from lmsync.service.digest_holds import PlaceHold
    from lmsync.store.queue import QueueItem


def rejoined(places: Sequence[PlaceHold], placed: Sequence[tuple[int, int]], history: Sequence[Pairing],
             zone: tzinfo) -> tuple[list[tuple[int, int]], list[PlaceHold]]:
    """Split ``placed`` ((mentee, mentor) Moodle ids of ``mentees_alone.now_with_mentor``: with a mentor again since
    a coordinator's last digest) into those not back from away, and, as ``PlaceHold``, those whose place held while
    they were away (``places``, ``given_up``) was given up on or before the day their open pair with that mentor began
    (``history``, instants read in ``zone``): each the latest such place with ``given_up_in`` its circle's mentor,
    ``mentor_id`` their new mentor, ``on`` the day that pair began, ``given_up`` False. Raises nothing."""
    began: dict[tuple[int, int], date] = {}
    for p in history:
        if p.left_at is None:
            began[(p.mentee_id, p.mentor_id)] = local_day(p.joined_at, zone)
    rest, back = [], []
    for mentee, mentor in placed:
        day = began.get((mentee, mentor))
        gone = [p for p in places if p.given_up and p.mentee_id == mentee and day is not None and p.on <= day]
        if not gone or day is None:
            rest.append((mentee, mentor))
            continue
        last = max(gone, key=lambda p: p.on)
        back.append(replace(last, mentor_id=mentor, on=day, given_up=False, given_up_in=last.mentor_id))
    return rest, back


def waiting(config: Config, username: str, places: Sequence[PlaceHold], alone: Collection[int],
            history: Sequence[Pairing], me: int, theirs: Sequence[QueueItem]) -> list[PlaceHold]:
    """The mentees coordinator ``username`` (Moodle id ``me``; one of ``[health] coordinators``, else none) is told
    are back from away with no mentor (tester round 113): each of ``alone`` (``mentees_alone.mentees_without_mentor``:
    in the course, not suspended, in no circle) whose latest place of ``places`` given up (``given_up``) was given
    up on a day since which they began no pair (``history``, instants read in the programme's zone), as that
    ``PlaceHold`` with ``waiting`` True and ``in_queue`` when its pair has an item of ``theirs`` (the coordinator's
    items, open or awaiting an outcome). Never ``me`` themself; a coordinator who was the mentee's mentor is told too,
    as that pair ended when the place was given up (tester round 116, 3). By mentee; raises nothing."""
    if username not in config.health.coordinators:
        return []
    zone, out = programme_zone(config), []
    mine = {i.pair for i in theirs}
    for mentee in sorted(set(alone)):
        gone = [p for p in places if p.given_up and p.mentee_id == mentee and not p.held]
        if not gone:
            continue
        last = max(gone, key=lambda p: p.on)
        if me == mentee or any(  # their former mentor is told too: that pair ended (tester round 116, 3)
                p.mentee_id == mentee and local_day(p.joined_at, zone) >= last.on for p in history):
            continue  # matched anew since (and alone again: ``newly_without_mentor`` says them), or themself
        out.append(replace(last, waiting=True, in_queue=last.pair in mine))
    return out


def waiting_lines(places: Sequence[PlaceHold], label: Callable[[int], str],
                  two_roles: Collection[int] = ()) -> list[str]:
    """The digest's "Back from away without a mentor" part: each of ``places`` ``waiting`` (``waiting``) by ``label``
    (``People.label``), with the circle whose place was given up and when, what to do, and, ``in_queue``, that the
    pair's item stays paused until an outcome is recorded. Those of ``two_roles`` (``mentees_alone.left_out_two_roles``)
    are named apart, with ``lmsync match``'s reason and fix (tester round 114b, 1: "no mentor has room"). Empty for
    none (tester round 113)."""
    lines = []
    for two, why in ((False, f"and no mentor has room for them now: {WHAT_TO_DO}"), (True, f"with {TWO_ROLES_WHAT_TO_DO}")):
        back = [p for p in places if p.waiting and (p.mentee_id in two_roles) == two]
        if not back:
            continue
        lines += ["", f"Back from away without a mentor ({len(back)}; their held place was given up while they were "
                      f"away, {why}; named in each digest until they have one):"]
        lines += [f"- {label(p.mentee_id)}: away since {p.since.isoformat()}; their place in {label(p.mentor_id)}'s "
                  f"circle was given up on {p.on.isoformat()}; back, with no mentor"
                  + ("; their item in your queue stays paused (no longer in the programme) until you record an outcome"
                     if p.in_queue else "") for p in back]
    return lines
