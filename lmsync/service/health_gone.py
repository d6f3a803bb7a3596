"""Queue items whose pair is no longer in the programme, paused by the health step (tester R44b-3).

A pair health no longer judges (its mentee's or mentor's enrolment suspended or ended, an account
suspended and taken out of the circle by the sync, the mentee re-matched or moved by hand, the
circle gone) kept its open item due for ever: overdue, escalated, in the digest every day. A recording
health run, having read every circle of the programme, pauses such an item (status ``GONE``, a note
saying why: ``CoordinatorQueue.pause_gone``): never due nor escalated, open for a coordinator's outcome,
and as it was when the pair comes back. Every reason ``circle_pairs``
leaves a circle member unjudged counts: no active enrolment (``skipped_inactive``), no mentor or mentee
role in the course (an outsider), not in the mentor's circle at all. Not the read-only ``--as-of``
view, and not a run that saw no lmsync circle at all (nothing to tell an ended pair from a programme
not built yet, or its grouping deleted by hand).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from lmsync.config import Config
from lmsync.domain.circle_proof import CircleProof
from lmsync.domain.plan import mentor_of_idnumber
from lmsync.log import get_logger
from lmsync.service.circles_left_alone import (
    LEFT_ALONE,
    LeftAloneCircle,
    left_alone_circles,
    left_alone_pairs,
)
from lmsync.service.observe import Snapshot
from lmsync.service.queue_holds import pair_holds, with_holds
from lmsync.store.queue import CoordinatorQueue, QueueItem
from lmsync.store.queue_item import HOLD_PREFIX, gone_note, paused_day

log = get_logger(__name__)


@dataclass(frozen=True)
class Circles:
    """What one observation holds of the programme's circles: each mentor's circle members (Moodle
    ids, the mentor left out), and the course's people with no mentor or mentee role."""

    members: Mapping[int, frozenset[int]] = field(default_factory=dict)
    outsiders: frozenset[int] = frozenset()
    # mentor -> their circle left alone while it carries another circle's ID number (tester round 108a, 4)
    left_alone: Mapping[int, LeftAloneCircle] = field(default_factory=dict)

    @classmethod
    def of(cls, programme: str, observation: Any, proof: CircleProof | None = None) -> Circles:
        """The circles of an ``Observation`` (``lmsync.domain.plan``); with the store's ``proof``, those left alone
        while they carry another circle's ID number (``circles_left_alone.left_alone_circles``)."""
        members: dict[int, frozenset[int]] = {}
        for group in observation.groups:
            mentor = mentor_of_idnumber(programme, group.idnumber)
            if mentor is not None:
                members[mentor] = members.get(mentor, frozenset()) | (frozenset(group.members) - {mentor})
        return cls(members, frozenset(observation.outsiders), left_alone_circles(observation, proof, programme))


def circle_pairs(programme: str, snapshot: Snapshot) -> tuple[list[tuple[int, int]], int]:
    """(mentor, mentee) of every lmsync circle, both actively enrolled and neither account suspended; and how many
    were left out. A pair whose mentor's account was suspended (trap 41) was judged, nudged and escalated for the
    whole of the circle's hold, though neither could act (tester round 85b, 1): left out, its item is paused."""
    judged = _circle_members(programme, snapshot)
    return sorted({pair for pair, ok in judged if ok}), sum(1 for _pair, ok in judged if not ok)


def left_out_pairs(programme: str, snapshot: Snapshot) -> set[tuple[int, int]]:
    """The (mentor, member) pairs of lmsync circles that ``circle_pairs`` leaves out today (counted there): someone
    in them without an active enrolment or with a suspended account. A view of a past day keeps those its pairing
    history dates (``health_past_day``; tester round 102a, 2)."""
    return {pair for pair, ok in _circle_members(programme, snapshot) if not ok}


def _circle_members(programme: str, snapshot: Snapshot) -> list[tuple[tuple[int, int], bool]]:
    """Each (mentor, member) of every lmsync circle (outsiders and the mentor left out), and whether both are
    actively enrolled with neither account suspended."""
    out = []
    suspended = snapshot.observation.suspended_user_ids
    for group in snapshot.observation.groups:
        mentor = mentor_of_idnumber(programme, group.idnumber)
        if mentor is None:
            continue
        for member in group.members:
            if member == mentor or member in snapshot.observation.outsiders:  # a teacher added by hand (round 18, 2)
                continue
            active = mentor in snapshot.roster and member in snapshot.roster and not {mentor, member} & suspended
            out.append(((mentor, member), active))
    return out


def away_circle_mentees(programme: str, snapshot: Snapshot) -> frozenset[int]:
    """The active mentees (neither enrolment nor account suspended) of lmsync circles whose mentor is away: not
    actively enrolled or their account suspended (``away_mentors``: such a circle is held as it is). The report
    counted them as unmatched, "92% matched" beside a plan that left no one unmatched (tester round 87a, 7a)."""
    suspended = snapshot.observation.suspended_user_ids
    out: set[int] = set()
    for group in snapshot.observation.groups:
        mentor = mentor_of_idnumber(programme, group.idnumber)
        if mentor is None or (mentor in snapshot.roster and mentor not in suspended):
            continue
        out.update(m for m in group.members
                   if m != mentor and m not in snapshot.observation.outsiders and m in snapshot.roster and m not in suspended)
    return frozenset(out)


def why_gone(pair: tuple[int, int], roster: Mapping[int, Any], circles: Circles) -> str:
    """Why ``pair`` is not among the pairs judged, in words, as far as Moodle says (never a name). A mentee now in
    another mentor's circle is said first: the pair ended by that re-match (or move), whatever else is true of either
    side; "the mentor is no longer active in the course" was kept for such a pair after the mentor came back (tester
    round 113, 1)."""
    mentor, mentee = pair
    moved = mentee not in circles.outsiders and any(
        mentee in members for other, members in circles.members.items() if other != mentor)
    said = ["the mentee is now in another mentor's circle"] if moved else []
    for side, uid in (("mentee", mentee), ("mentor", mentor)):
        user = roster.get(uid)
        if user is None:  # the roster holds active enrolments only (onlyactive: suspended and ended left out)
            said.append(f"the {side} is no longer active in the course (enrolment suspended, ended, or unenrolled)")
        elif getattr(user, "suspended", False):
            said.append(f"the {side}'s Moodle account is suspended")
    if said:
        return "; ".join(said)
    if mentee in circles.outsiders:
        return "the mentee no longer has a mentor or mentee role in the course"
    if mentor not in circles.members:
        return "the mentor no longer has a circle"
    return "the mentee is no longer in the mentor's circle"


def pause_gone(
    queue: CoordinatorQueue, day: date, current: set[tuple[int, int]], roster: Mapping[int, Any], circles: Circles,
    *, config: Config | None = None,
) -> list[QueueItem]:
    """Pause the open items of pairs not in ``current``, the
    pairs judged at ``day`` from every circle, each with why (``why_gone``); none when the observation
    held no lmsync circle at all, or no pair in any (circle members unreadable, as a lost capability
    leaves them, would otherwise pause every item). Returns the items paused, as they are now.

    With ``config``, a pair on hold (``queue_holds.pair_holds``: a mentee's place, or a mentor's circle, held while
    they are away) is paused saying so, not as gone; and an item paused on hold whose hold is over with the pair
    still out is noted once more, as gone, with why (tester round 105a, 1); so is an item paused as gone whose why
    has changed since (``why_gone``: its mentee re-matched, its mentor back; tester round 113, 1). A pair of a circle left alone while it
    carries another circle's ID number (``Circles.left_alone``) is paused on hold saying so (``LeftAloneCircle.said``),
    an item paused earlier for another reason noted once more so: it read "the mentor no longer has a circle"
    (tester round 108a, 4). An item acknowledged and awaiting an outcome is paused and noted alike, its ack kept: it
    stayed ``fading`` as a live pair, its pair re-matched (tester round 111a, 1)."""
    if not circles.members or not current:  # no circle, or no pair seen in one (members unreadable): unknowable
        log.info("health.gone_unchecked", reason="no lmsync circle in the course" if not circles.members
                 else "no pair judged in any circle")
        return []
    pending = [*queue.open_items(), *queue.awaiting_outcome()]  # acknowledged ones too (tester round 111a, 1)
    out = {i.pair for i in pending} - current
    holds = pair_holds(config, queue.store, out, day) if config is not None else {}
    # a circle left alone while it carries another circle's ID number: on hold, not gone (tester round 108a, 4)
    alone = {pair: why for pair, why in left_alone_pairs(circles.left_alone).items() if pair not in holds}
    paused = queue.pause_gone(day, current, lambda pair: holds[pair].said if pair in holds else alone[pair]
                              if pair in alone else why_gone(pair, roster, circles))
    for item in [*queue.open_items(), *queue.awaiting_outcome()]:  # on hold no longer, and still out: gone from today
        if not item.paused or item.pair not in out:
            continue
        why = item.gone_why or ""
        if item.pair in alone and why != alone[item.pair]:  # paused before as gone, or on hold for another reason
            queue.add_note(item, gone_note(day, alone[item.pair]))
        elif item.pair not in holds.keys() | alone.keys() and (now := why_gone(item.pair, roster, circles)) != why:
            # why it is out today, once each time that changes: a hold over, or a mentee re-matched (or a mentor back)
            # since; "the mentor is no longer active" stayed after the mentor came back (tester round 113, 1)
            queue.add_note(item, gone_note(day, now))
    return paused


def paused_now(
    queue: CoordinatorQueue, on: date | None = None, *, config: Config | None = None, today: date | None = None
) -> list[QueueItem]:
    """The open items paused now (``QueueItem.paused``), oldest first, as ``lmsync queue list`` shows them: those
    the health step paused on any run whose pair is still out of the programme (tester round 50, 10), acknowledged
    ones awaiting an outcome among them (tester round 111a, 1). With
    ``config``, each whose pair is on hold at ``today`` (else ``on``; ``queue_holds.with_holds``) has ``on_hold`` set,
    as the list shows it, so the health step counts it apart (``PausedApart``; after tester round 105a, 1), and each
    acknowledged item of a pair on hold too (tester round 109a, 5: left out of the count, shown on hold by the list).

    ``on``: the day a view is of (``health --as-of``): only the items whose pause began on or before it
    (``paused_on``). A view of an earlier day listed items paused after it, even on a day before the programme
    began (tester round 102a, 1). The queue keeps an item's present state only, so an item paused on that day and
    since taken up again or closed is not listed: the view says what was paused then and still is. A day to come
    (a projection) lists every item paused now. ``health --as-of`` reads a past day's paused items from what the
    store keeps of each instead (``health_paused_day.paused_items_on``; tester round 112a, 1)."""
    awaiting = queue.awaiting_outcome()  # paused too once acknowledged (tester round 111a, 1)
    items = [item for item in [*queue.open_items(), *awaiting] if item.paused and (on is None or paused_on(item) <= on)]
    held_on = today or on
    if config is None or held_on is None:
        return items
    # and an acknowledged item on hold (not yet paused), as `queue list` shows it (tester round 109a, 5)
    listed = {i.id for i in items}
    rest = [i for i in awaiting if i.id not in listed]
    return [i for i in with_holds(config, queue.store, items + rest, held_on) if i.id in listed or i.on_hold]


@dataclass(frozen=True)
class PausedApart:
    """The items paused now (``paused_now``, ``on_hold`` set) told apart, as ``lmsync health`` and the run's health
    line count them: ``gone``, those whose pair is no longer in the programme; ``held``, those on hold while the
    mentee or mentor is away (their place or circle held: ``[sync] away_mentor_hold_days``); ``now``, the ids of
    those this run paused. Held items were counted and listed as no longer in the programme (after tester round
    105a, 1)."""

    gone: list[QueueItem]
    held: list[QueueItem]
    now: frozenset[int] = frozenset()

    @classmethod
    def of(cls, paused: Iterable[QueueItem], by_this_run: Iterable[QueueItem] = ()) -> PausedApart:
        """``paused`` apart; ``by_this_run``: the items this run paused (``pause_gone``)."""
        items = list(paused)
        return cls([i for i in items if not i.on_hold], [i for i in items if i.on_hold],
                   frozenset(i.id for i in by_this_run))

    @property
    def gone_now(self) -> int:
        """How many of ``gone`` this run paused."""
        return sum(1 for i in self.gone if i.id in self.now)

    @property
    def held_why(self) -> str:
        """Why ``held`` are on hold, in words for the run's health line: someone away, their circle left alone for its
        ID number (``circles_left_alone.LEFT_ALONE``; tester round 108a, 4), or both."""
        alone = sum(1 for i in self.held if (i.on_hold or "").startswith(LEFT_ALONE))
        if not alone:
            return "while someone is away"
        return ("while lmsync leaves their circle alone, its ID number to set back in Moodle" if alone == len(self.held)
                else "while someone is away or lmsync leaves their circle alone (`lmsync health` says which)")

    @property
    def held_now(self) -> int:
        """How many of ``held`` this run paused."""
        return sum(1 for i in self.held if i.id in self.now)


def paused_json(items: Iterable[QueueItem]) -> list[dict[str, Any]]:
    """``items`` (``PausedApart.gone`` or ``.held``) for a coordinator's tool, in the order given: each
    ``{"id": 41, "pair": "66-3", "why": "the mentee is now in another mentor's circle"}``, ``id`` the queue item's,
    ``pair`` MENTOR_ID-MENTEE_ID (Moodle ids, never a name), ``why`` as ``lmsync queue list`` says it (an item on hold:
    who is away and until when, without ``on hold: ``; null when its note says nothing). ``lmsync health`` and
    ``lmsync run`` JSON gave counts only (tester round 113, 5)."""
    return [{"id": i.id, "pair": f"{i.mentor_id}-{i.mentee_id}",
             "why": why.removeprefix(HOLD_PREFIX) if (why := i.on_hold or i.gone_why) else None} for i in items]


def paused_on(item: QueueItem) -> date:
    """The day lmsync last paused ``item``: its note's (``queue_item.paused_day``), else its ``last_seen_on``
    (``pause_gone`` sets it to the day it pauses an item)."""
    return paused_day(item.note) or item.last_seen_on
