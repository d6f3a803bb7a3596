"""The days an erased person was in a circle, kept as hashes in ``erased_notes``, and the questions a Feedback read
asks of them (tester pass 70, 2; rounds 111b, 2 and 122b, 1).

A mentor's note on a whole-circle meeting may name any mentee of the circle that day, so an erasure remembers each day
the erased mentee was in a mentor's circle (``circle_key``), and each day an erased mentor's mentee was in their
circle (``mentor_erased_key``), as lmsync gave a response's day its pairs (``PairsByDate``):

* each day of the pairing history's spans, up to the erasure;
* each day a stored meeting of the person's pairs is dated, up to the erasure (read before they are deleted): a
  meeting of an established pair before the history began (``[meetings] start`` counts it), or of a pair made by hand
  the history never names;
* each day a health snapshot judged such a pair made by hand, from the day before the first one;
* every day before the history began, for the person's first recorded pair (a response of such a day, even one
  before ``[meetings] start``, is stored on each mentee's first recorded pair) and for a pair the history never
  names (``circle_before_key``, ``mentor_erased_before_key``).

Tester round 122b, 1: the history begins at lmsync's first sync, so a whole-circle note dated between
``[meetings] start`` and that sync, edited (or first read) after the erasure, was stored again on every other
mentee's copy.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta

from sqlalchemy import or_, select

from lmsync.store import schema
from lmsync.store.db import Store
from lmsync.store.erasures import (
    circle_before_key,
    circle_key,
    erased_note_keys,
    erased_on,
    mentor_erased_before_key,
    mentor_erased_key,
)


def circle_days(store: Store, person_id: int, on: date) -> list[str]:
    """The keys (``erasures``: SHA-256 hex strings) of every day up to ``on`` that ``person_id`` was in a circle, as the
    module says; call inside the erasure's transaction, before their rows are deleted."""
    return [*_history_days(store, person_id, on), *_stored_days(store, person_id, on),
            *_before_history(store, person_id)]


def _key(person_id: int, mentor_id: int, mentee_id: int, day: date) -> str:
    """``circle_key`` when ``person_id`` is the pair's mentee, else ``mentor_erased_key`` (they are its mentor)."""
    return (circle_key(mentor_id, day.isoformat()) if mentee_id == person_id
            else mentor_erased_key(mentee_id, day.isoformat()))


def _history_days(store: Store, person_id: int, on: date) -> list[str]:
    """Each day of the person's pairing-history spans up to ``on`` (tester pass 70, 2; round 111b, 2)."""
    h = schema.pairing_history
    keys = []
    for row in store.rows(select(h.c.mentor_id, h.c.mentee_id, h.c.joined_at, h.c.left_at)
                          .where(or_(h.c.mentee_id == person_id, h.c.mentor_id == person_id))):
        day = datetime.fromisoformat(row.joined_at).date() - timedelta(days=1)  # a UTC instant: the zone's day may be earlier
        last = min(datetime.fromisoformat(row.left_at).date(), on) if row.left_at else on
        while day <= last:
            keys.append(_key(person_id, row.mentor_id, row.mentee_id, day))
            day += timedelta(days=1)
    return keys


def _stored_days(store: Store, person_id: int, on: date) -> list[str]:
    """Each day up to ``on`` a stored meeting of the person's pairs is dated, and each day a health snapshot judged a
    pair of theirs the history never names (from the day before the first one)."""
    m, s, h = schema.meetings, schema.health_snapshots, schema.pairing_history
    theirs = or_(m.c.mentee_id == person_id, m.c.mentor_id == person_id)
    keys = [_key(person_id, r.mentor_id, r.mentee_id, day)
            for r in store.rows(select(m.c.mentor_id, m.c.mentee_id, m.c.meeting_date).where(theirs).distinct())
            if (day := date.fromisoformat(r.meeting_date)) <= on]
    recorded = {(r.programme, r.mentor_id, r.mentee_id) for r in store.rows(
        select(h.c.programme, h.c.mentor_id, h.c.mentee_id).where(or_(h.c.mentee_id == person_id, h.c.mentor_id == person_id)))}
    spans: dict[tuple[int, int], tuple[date, date]] = {}
    for r in store.rows(select(s.c.programme, s.c.mentor_id, s.c.mentee_id, s.c.day)
                        .where(or_(s.c.mentee_id == person_id, s.c.mentor_id == person_id))):
        if (r.programme, r.mentor_id, r.mentee_id) in recorded:
            continue
        day, pair = date.fromisoformat(r.day), (r.mentor_id, r.mentee_id)
        first, last = spans.get(pair, (day, day))
        spans[pair] = (min(first, day), max(last, day))
    for (mentor_id, mentee_id), (first, last) in spans.items():
        day = first - timedelta(days=1)
        while day <= min(last, on):
            keys.append(_key(person_id, mentor_id, mentee_id, day))
            day += timedelta(days=1)
    return keys


def _before_history(store: Store, person_id: int) -> list[str]:
    """``circle_before_key`` / ``mentor_erased_before_key`` of each programme's first recorded pair of the mentees
    concerned (``PairsByDate``: each mentee's first pairing-history row, by id), and of the person's pairs that the
    history never names but a stored meeting or health snapshot does (a pair made by hand: a current pair, on every
    day before the history)."""
    h, m, s = schema.pairing_history, schema.meetings, schema.health_snapshots
    mentees = select(h.c.mentee_id).where(h.c.mentor_id == person_id)
    first: dict[tuple[str, int], tuple[int, int]] = {}
    for r in store.rows(select(h.c.programme, h.c.mentor_id, h.c.mentee_id)
                        .where(or_(h.c.mentee_id == person_id, h.c.mentee_id.in_(mentees))).order_by(h.c.id)):
        first.setdefault((r.programme, r.mentee_id), (r.mentor_id, r.mentee_id))
    pairs = {(programme, *pair) for (programme, _), pair in first.items() if person_id in pair}
    by_hand = {(r.programme, r.mentor_id, r.mentee_id) for table in (m, s) for r in store.rows(
        select(table.c.programme, table.c.mentor_id, table.c.mentee_id)
        .where(or_(table.c.mentee_id == person_id, table.c.mentor_id == person_id)).distinct())}
    named = {(r.programme, r.mentee_id) for r in store.rows(
        select(h.c.programme, h.c.mentee_id).where(h.c.mentee_id.in_(sorted({mentee for _, _, mentee in by_hand}))).distinct())}
    pairs |= {pair for pair in by_hand if (pair[0], pair[2]) not in named}  # the history never names the mentee
    return [circle_before_key(programme, mentor) if mentee == person_id else mentor_erased_before_key(programme, mentee)
            for programme, mentor, mentee in sorted(pairs)]


def _before(store: Store, begins: date | None) -> Callable[[date], bool]:
    """Whether ``day`` is before the pairing history began (``begins``: ``PairsByDate.begins``, None: no history) and
    on or before the latest erasure: a later day is new, as every row dated after an erasure."""
    last = max(erased_on(store).values(), default=None)
    return lambda day: last is not None and day <= last and (begins is None or day < begins)


def erased_in_circle(store: Store, programme: str, begins: date | None) -> Callable[[int, date], bool]:
    """``meetings_by_attempt``'s ``erased_in_circle(mentor, day)``: whether a mentee since erased was in ``mentor``'s
    circle on ``day`` (``circle_key``, or ``circle_before_key`` for a day before the history ``begins``)."""
    gone = erased_note_keys(store)
    before = _before(store, begins)
    return lambda mentor, day: bool(gone) and (circle_key(mentor, day.isoformat()) in gone or (
        before(day) and circle_before_key(programme, mentor) in gone))


def erased_partner(store: Store, programme: str, begins: date | None) -> Callable[[int, date], bool]:
    """``meetings_by_attempt``'s ``erased_partner(person, day)``: whether someone since erased was in a pair with
    ``person`` on ``day``, their mentor or a mentee of their circle (tester round 111b, 2), the days before the history
    ``begins`` by the first recorded pairs (tester round 122b, 1)."""
    gone = erased_note_keys(store)
    before = _before(store, begins)
    return lambda person, day: bool(gone) and bool(
        {circle_key(person, day.isoformat()), mentor_erased_key(person, day.isoformat())} & gone
        or (before(day) and {circle_before_key(programme, person), mentor_erased_before_key(programme, person)} & gone))
