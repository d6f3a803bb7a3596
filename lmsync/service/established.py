"""What lmsync's store knows about pairs, for keeping them: established, returning, ended.

- A mentee added by hand to a second lmsync circle is kept with the mentor of their established
  pair (``lmsync.domain.two_circles.PairStanding``; FIX-C): open pairings in the pairing history
  and stored meetings, for the mentees concerned only.
- A mentee back after a break (enrolment suspended, leave) returns to the mentor of their last
  pairing (``returning_mentors``; tester round 9).
- The pairs of a circle lmsync made that was deleted in Moodle stay the existing pairs
  (``deleted_circle_pairs``; tester round 73, 2).
- Pairs a coordinator ended (``ended_by_coordinator``) are never nudged nor brought back: once apart
  (lmsync took them apart, or the mentee was taken out by hand), matching keeps them apart
  (``Returning.ended``; tester round 94a, 3, and the finding that a closed pair taken out by hand was put back).
- Whether two people are a pair at all (``known_pairs``, ``NotAPair``): ``lmsync pair show`` and
  ``lmsync queue done`` decide and say it alike (tester round 50, 9).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Collection, Iterable, Mapping
from datetime import date, timedelta

from lmsync.domain.people import Person
from lmsync.domain.plan import Observation, mentor_group_idnumber
from lmsync.domain.two_circles import PairStanding
from lmsync.errors import InputError
from lmsync.service.ended_as_of import ended_spans
from lmsync.store.db import Store
from lmsync.store.forbids import PairForbids
from lmsync.store.meetings import MeetingRepository
from lmsync.store.pairings import Pairing, PairingHistory
from lmsync.store.queue import CoordinatorQueue
from lmsync.store.snapshots import HealthSnapshots


def pair_standing(store: Store, programme: str) -> Callable[[Collection[int]], PairStanding]:
    """What the store knows about the pairs of some mentees (Moodle ids): their open pairings in
    lmsync's pairing history and their meetings, per (mentor, mentee). Read only when a mentee is in
    two circles (FIX-C: the established pair is kept)."""

    def read(mentees: Collection[int]) -> PairStanding:
        since: dict[tuple[int, int], str] = {}
        for row in PairingHistory(store, programme).history():  # oldest first: the first open row stands
            if row.left_at is None and row.mentee_id in mentees:
                since.setdefault((row.mentor_id, row.mentee_id), row.joined_at)
        repository = MeetingRepository(store, programme)
        days = {
            (m.mentor_id, m.mentee_id, m.date)  # one meeting logged by both sides (two sources) counts once
            for mentee in sorted(mentees)
            for m in repository.meetings(person_id=mentee)
            if m.mentee_id == mentee and m.attended
        }
        return PairStanding(since=since, meetings=Counter((mentor, mentee) for mentor, mentee, _day in days))

    return read


class Returning(dict[int, int]):
    """Mentee -> the mentor they return to (Moodle ids), as ``returning_mentors`` reads them; ``ended``:
    (mentor, mentee) pairs a coordinator ended (``ended_by_coordinator``), of every mentee (those asked, in no
    circle, and those in another circle now: a mentee re-matched out of a later pair went back to the closed
    pair's mentor, a finding after tester round 95a): matching keeps each such mentee from that mentor unless
    they are still together, so the pair comes back neither as a return
    nor by its score (tester round 94a, 3: a mentee back after a break was matched again with the mentor
    of the pair a coordinator had closed, a pair then never nudged nor queued). That includes a pair whose
    pairing lmsync's history still holds open: the mentee taken out of the circle by hand was put back
    "as the match still pairs them" (tester round 95a, 7); the pairs of a circle deleted in
    Moodle, kept as the existing pairs, are let through again by ``deleted_in_moodle.with_deleted_circles``."""

    def __init__(self, back: Mapping[int, int] | None = None, ended: Collection[tuple[int, int]] = ()) -> None:
        super().__init__(back or {})
        self.ended = frozenset(ended)


def returning_mentors(store: Store, programme: str) -> Callable[[Collection[int]], Returning]:
    """Mentee -> the mentor of their last pairing (Moodle ids), for mentees (of those asked: the
    active mentees in no circle) whose pairings lmsync has all closed: lmsync took them out of the
    circle (their enrolment was suspended, they left the course, their account was suspended) or
    deleted it, or a sync found Moodle no longer showing them in it (``PairingHistory.follow_moodle``:
    unenrolled, the circle deleted by hand; an active mentee taken out by hand is matched again in that
    same sync, before the row closes). Matching then puts such a mentee back with that mentor while the mentor has room,
    rather than matching them afresh (tester round 9: a mentee suspended for a week came back to a
    new mentor). Left out: a mentee with a pairing still open (removed from the circle by hand: the
    history cannot say why), a pair a coordinator ended (queue outcome ``closed``) and a pair marked
    not a good fit (``PairForbids``). The result's ``ended`` (``Returning``): every pair a coordinator
    ended, their pairing closed or still open (taken out by hand), which matching keeps apart unless they are
    still together (tester round 94a, 3). One read each of the history, the queue and the forbids."""

    def read(mentees: Collection[int]) -> Returning:
        wanted = set(mentees)
        last: dict[int, Pairing] = {}
        for row in PairingHistory(store, programme).history():  # oldest first: the last row is the latest
            if row.mentee_id in wanted:
                last[row.mentee_id] = row
        closed = ended_by_coordinator(store, programme)  # of every mentee: one re-matched out of a later pair too
        if not last and not closed:
            return Returning()
        ended = closed | set(PairForbids(store, programme).pairs())
        return Returning(
            {mentee: row.mentor_id for mentee, row in sorted(last.items())
             if row.left_at is not None and (row.mentor_id, mentee) not in ended},
            ended=closed,  # a pairing still open too (taken out by hand), and a mentee in another circle now
        )

    return read


def kept_apart(ended: Iterable[tuple[int, int]], by_moodle: Mapping[int | None, Person], persons: Iterable[Person],
               pins: Iterable[tuple[str, str]] = (), together: Collection[tuple[str, str]] = ()) -> list[tuple[str, str]]:
    """(mentee, mentor) forbids, by matching id, for the ``Returning.ended`` pairs (mentor, mentee Moodle
    ids) whose two people are both among the persons (``by_moodle``), whatever circle the mentee is in now, save
    a pair still together (``together``: (mentee, mentor) ids of the circles now; closing moves no one):
    a mentee re-matched out of a later pair went back to the mentor of the pair a coordinator had closed (a
    finding after tester round 95a). None for a mentee a ``[matching] pins`` entry names (each key read as
    matching reads it: id or alias, in any case): the pin decides, where a forbid would break it and stop the
    match (tester round 94a, 3; ``pinned_closed`` warns of it)."""
    ended = sorted(ended)
    if not ended:
        return []
    persons = list(persons)
    pinned = {p.id for p in persons if _named(p, {mentee for mentee, _mentor in pins})}
    return [(mentee.id, mentor.id) for mentor_id, mentee_id in ended
            if (mentee := by_moodle.get(mentee_id)) is not None and (mentor := by_moodle.get(mentor_id)) is not None
            and mentee.id not in pinned and mentor.id != mentee.id and (mentee.id, mentor.id) not in together]


def pinned_closed(ended: Iterable[tuple[int, int]], by_moodle: Mapping[int | None, Person],
                  pins: Iterable[tuple[str, str]]) -> list[str]:
    """A warning for each ``[matching] pins`` entry that keeps or makes a pair a coordinator closed (``ended``:
    (mentor, mentee) Moodle ids), as the plan warns of a pin over a "not a good fit" mark: the pin decides."""
    said = []
    for mentor_id, mentee_id in sorted(ended):
        mentee, mentor = by_moodle.get(mentee_id), by_moodle.get(mentor_id)
        if mentee is not None and mentor is not None and any(
                _named(mentee, {e}) and _named(mentor, {m}) for e, m in pins):
            said.append(f"a coordinator closed the pair {mentee.id} -> {mentor.id} (queue done --outcome closed), but "
                        "[matching] pins keeps the pair: remove the pin ([matching] pins) to keep them apart")
    return said


def _named(person: Person, keys: Collection[str]) -> bool:
    """Whether one of ``keys`` names ``person`` as matching reads a pin: id or alias, in any case."""
    wanted = {key.strip().lower() for key in keys}
    return bool(wanted & {k.lower() for k in (person.id, *person.other_keys())})


def open_placements(store: Store, programme: str) -> frozenset[tuple[str, int]]:
    """(circle idnumber, mentee id) of every pairing lmsync's history holds open: whom lmsync put into
    which circle and has not taken out (the plan names one missing from Moodle as put back)."""
    return frozenset(
        (mentor_group_idnumber(programme, mentor), mentee) for mentor, mentee in PairingHistory(store, programme).open_pairs()
    )


def deleted_circle_pairs(
    store: Store, programme: str, observation: Observation, away_since: Mapping[int, date] | None = None
) -> dict[int, int]:
    """Mentee -> mentor (Moodle ids) of the pairings lmsync's history holds open whose circle is no longer
    among the programme's groups in ``observation``: a circle lmsync made that someone deleted in Moodle
    (lmsync's own deletions close their pairings, ``PairingHistory.circles_closed``). Matching keeps them
    as the existing pairs, as it keeps those of a circle still there, so a mistaken deletion breaks no pair
    by a draw (tester round 73, 2); the sync that sees it closes them (``follow_moodle``), makes the circle
    again and opens them anew.

    ``away_since``: mentor -> the day a sync first found them away (``MentorAbsences.since``). A held
    circle's pairs end while its mentor is away (``sync.follow_moodle_pairs``), so of a mentor away whose
    circle is gone the pairs are also those whose mentee's latest pairing is with them, ended since that day
    (a day earlier at most: the row's instant is UTC): the hold sees them (tester round 74, 1)."""
    shown = {g.idnumber for g in observation.groups}
    pairs: dict[int, int] = {}
    history = PairingHistory(store, programme)
    for mentor, mentee in sorted(history.open_pairs()):
        if mentor_group_idnumber(programme, mentor) not in shown:
            pairs.setdefault(mentee, mentor)
    gone = {m: (day - timedelta(days=1)).isoformat() for m, day in (away_since or {}).items()
            if mentor_group_idnumber(programme, m) not in shown}
    if gone:
        last = {row.mentee_id: row for row in history.history()}  # oldest first: the latest row stays
        for mentee, row in sorted(last.items()):
            if row.mentor_id in gone and row.left_at is not None and row.left_at[:10] >= gone[row.mentor_id]:
                pairs.setdefault(mentee, row.mentor_id)
    return pairs


def ended_by_coordinator(store: Store, programme: str) -> set[tuple[int, int]]:
    """Pairs whose latest queue item a coordinator closed with ``--outcome closed`` (the pair has
    ended): never nudged while Moodle still holds them (tester finding 6: both people kept being
    told to meet), nor made again once apart (``Returning.ended``). A closure ends the pairing it closed:
    a pair made again after it (a span of lmsync's pairing history that begins after the closure's day:
    a ``[matching] pins`` entry, or the mentee moved back by hand) is a new pair, judged, nudged and queued as
    any (``CoordinatorQueue.offer`` asks ``remade_since``; a finding after tester round 95a: health counted it
    ended for good). The pairs ``ended_as_of.ended_spans`` holds ended still: the one rule of every day (tester
    round 99a, 2)."""
    return {pair for pair, spans in ended_spans(store, programme).items() if spans[-1][1] is None}


def made_again_since_closed(store: Store, programme: str, pair: tuple[int, int]) -> bool:
    """Whether ``pair`` (mentor, mentee Moodle ids) has a latest queue item a coordinator closed with ``--outcome
    closed`` and was made again after it (``PairingHistory.remade_since``, as ``ended_by_coordinator`` reads it): a
    new pair, which that closure does not end, so ``queue done --outcome closed`` records a new one and ``queue ack``
    finds no item of its own (tester round 98a, 3: "closed was already recorded" on the old pairing's closure)."""
    closed = CoordinatorQueue(store, programme).closures().get(pair)
    return closed is not None and PairingHistory(store, programme).remade_since(pair, *closed)


def closure_days(store: Store, programme: str) -> dict[tuple[int, int], tuple[date, ...]]:
    """Pair (mentor, mentee Moodle ids) -> the days a coordinator closed one of its queue items with
    ``--outcome closed`` (its outcome day, else its acknowledgement day), oldest first; one read of the queue.
    Health starts a pair made again after one of them afresh (``pair_dates.after_closure``; tester round 97a, 1)."""
    days: dict[tuple[int, int], set[date]] = {}
    for item in CoordinatorQueue(store, programme).items():
        day = item.outcome_on or item.acked_on
        if item.outcome == "closed" and day is not None:
            days.setdefault(item.pair, set()).add(day)
    return {pair: tuple(sorted(found)) for pair, found in days.items()}


def known_pairs(store: Store, programme: str, person: int) -> list[tuple[int, int]]:
    """Every pair (mentor, mentee) the store knows with ``person`` on either side: its pairing history,
    health snapshots and queue items (a pair re-matched and judged again on the same day keeps no
    snapshot of that day, but its queue item stays, tester finding 4)."""
    known = set(PairingHistory(store, programme).pairing_days())
    known |= {(r.mentor_id, r.mentee_id) for r in HealthSnapshots(store, programme).rows()}
    known |= {item.pair for item in CoordinatorQueue(store, programme).items()}
    return sorted(p for p in known if person in p)


def known_pair(store: Store, programme: str, a: int, b: int) -> tuple[int, int] | None:
    """``(a, b)`` or ``(b, a)``, whichever the store knows as a pair (``known_pairs``: mentor first); ``None``: neither."""
    known = known_pairs(store, programme, a)
    return next((p for p in ((a, b), (b, a)) if p in known), None)


class NotAPair(InputError):
    """Two people the store knows no pair of (``known_pair`` is ``None``), as ``lmsync pair show`` and
    ``lmsync queue done`` say it: ``label`` names a Moodle id (default ``user N``), ``first`` is the first
    person as the command was given them (default their id)."""

    def __init__(self, a: int, b: int, label: Callable[[int], str] | None = None, first: str | None = None) -> None:
        name = label or (lambda uid: f"user {uid}")
        super().__init__(
            f"{name(a)} and {name(b)} are not a pair in this programme's store (it holds no pairing of theirs: "
            "never paired, one of them was erased, or paired in Moodle since the store last synced or judged the "
            "programme's health)",
            # a circle changed by hand shows in `health --as-of` (read from Moodle) before the store has it
            # (tester round 41, 4); running `lmsync health` for two people never paired cannot help (round 50, 9)
            hint=f"`lmsync pair show {first or a}` lists their pairs; a pair made in Moodle is recorded by the next "
                 "`lmsync health` or `lmsync run` (a mentee moved there by hand: also `lmsync sync`)",
            summary=f"users {a} and {b} are not a pair",
        )
        self.pair = (a, b)
