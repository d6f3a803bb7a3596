"""Who was erased, and on which day (revision 0007; tester round 12, 1).

``lmsync person erase`` deletes a person's rows, but Moodle still holds their Feedback responses
(and an admin may still hold an old meetings file): the next read would store them again. So the
erasure is remembered, as a Moodle user id and a day, and the meeting and survey repositories
withhold every row naming that person dated on or before it (``withheld``). What is dated after
the erasure is new: a person who comes back is recorded again.

A mentor's note on a meeting of the whole circle is stored on each mentee's pair; erasing one mentee
takes the note off the others' copies too (it may name them), and ``erased_notes`` (revision 0009)
keeps a SHA-256 of its mentor, day, text and response, so a later read stores those copies without it (tester
round 68, 1). Only such copies: one Feedback response of the mentor's side (``shared_kind``) stored on several
pairs, never a mentee's own note nor a row of a file or of ``meetings add``, which is one pair's alone even when
its text and day are another mentee's (tester round 108b, 1: erasing s0002 took s0008's own note "my own worry
about exams", logged with ``meetings add --rated-by mentee``, for good).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from datetime import date

from sqlalchemy import select

from lmsync.store.db import Store
from lmsync.store.schema import erased_notes, erasures

_e = erasures
_n = erased_notes


def record_erasure(store: Store, person_id: int, on: date) -> None:
    """Remember that ``person_id`` was erased ``on`` (a later erasure moves the day on); call inside
    the erasure's transaction."""
    store.write(_e.delete().where(_e.c.person_id == person_id))
    store.write(_e.insert().values(person_id=person_id, erased_on=on.isoformat()))


def erased_on(store: Store) -> dict[int, date]:
    """Moodle user id -> the day they were erased."""
    return {r.person_id: date.fromisoformat(r.erased_on) for r in store.rows(select(_e))}


def erasure_of(store: Store, person_id: int) -> date | None:
    """The day ``person_id`` was erased, None when never."""
    row = store.first(select(_e.c.erased_on).where(_e.c.person_id == person_id))
    return None if row is None else date.fromisoformat(row.erased_on)


def withheld(erased: Mapping[int, date], day: date, people: Iterable[int | None]) -> bool:
    """Whether a row dated ``day`` naming ``people`` is about an erasure: someone of them was erased
    on or after that day."""
    return any(person is not None and person in erased and day <= erased[person] for person in people)


def note_key(mentor_id: int, day: str, notes: str, origin: str | None = None) -> str:
    """How ``erased_notes`` knows a circle meeting's note (``day``: ISO): a SHA-256 of the mentor's id, the
    day, the text and the row's ``origin`` (its Feedback response) together, never the text or the id
    themselves. Without ``origin``: the key erasures wrote before tester round 108b, 1 (no response), still
    honoured for the rows ``shared_kind`` says may be copies."""
    whole = f"{mentor_id}|{day}|{notes}" if origin is None else f"{mentor_id}|{day}|{notes}|{origin}"
    return hashlib.sha256(whole.encode()).hexdigest()


def shared_kind(source: str, rated_by: str | None) -> bool:
    """Whether a meeting row of ``source`` rated by ``rated_by`` may be one copy of a note stored on several
    pairs: a mentor's Feedback response (``meeting_log.meetings_by_attempt`` stores it on each mentee who was
    there). A mentee's note, one of an unknown side and a row of a file or of ``meetings add`` are one pair's
    own: an erasure of another mentee never takes them (tester round 108b, 1)."""
    return source == "feedback" and rated_by == "mentor"


def circle_key(mentor_id: int, day: str) -> str:
    """How ``erased_notes`` knows that a mentee since erased was in ``mentor_id``'s circle on ``day`` (ISO): a
    SHA-256, never the ids. A response logged later for that whole circle and day stores no note (pass 70, 2)."""
    return hashlib.sha256(f"circle|{mentor_id}|{day}".encode()).hexdigest()


def mentor_erased_key(mentee_id: int, day: str) -> str:
    """How ``erased_notes`` knows that ``mentee_id``'s mentor on ``day`` (ISO) was since erased, as ``circle_key`` knows
    a mentor's mentee since erased: a SHA-256, never the ids. A meeting-log response of that mentee dated that day is
    about the erased mentor, so withheld, not "in no mentoring pair" (tester round 111b, 2)."""
    return hashlib.sha256(f"mentor-erased|{mentee_id}|{day}".encode()).hexdigest()


def circle_before_key(programme: str, mentor_id: int) -> str:
    """How ``erased_notes`` knows that a mentee since erased was in ``mentor_id``'s circle of ``programme`` on every day
    before the pairing history began: their first recorded pair was with that mentor, and a response dated before the
    history is stored on each mentee's first recorded pair (``PairsByDate``), ``[meetings] start`` counting it. A
    SHA-256, never the ids (tester round 122b, 1: a whole-circle note of such a day came back once edited)."""
    return hashlib.sha256(f"circle-before|{programme}|{mentor_id}".encode()).hexdigest()


def mentor_erased_before_key(programme: str, mentee_id: int) -> str:
    """``circle_before_key`` of the other side: ``mentee_id``'s first recorded mentor in ``programme``, whose circle
    the mentee was in on every day before the pairing history began, was since erased (tester round 122b, 1)."""
    return hashlib.sha256(f"mentor-erased-before|{programme}|{mentee_id}".encode()).hexdigest()


def record_erased_notes(store: Store, keys: Iterable[str]) -> None:
    """Remember the notes ``keys`` (``note_key``) as taken off with an erasure; call inside its transaction."""
    for key in sorted(set(keys) - erased_note_keys(store)):
        store.write(_n.insert().values(note_sha256=key))


def erased_note_keys(store: Store) -> set[str]:
    """Every note taken off with an erasure (``note_key``)."""
    return {r.note_sha256 for r in store.rows(select(_n))}


def note_taken(
    gone: set[str], mentor_id: int, day: date, notes: str | None, source: str, rated_by: str | None, origin: str | None
) -> bool:
    """Whether a meeting row about to be saved (its mentor, day, notes, source, side and ``origin``) carries a note
    an erasure took off (``gone``: ``erased_note_keys``): only a row that may be a copy (``shared_kind``), by
    its response's key or a key written before responses were part of it (tester rounds 68, 1 and 108b, 1)."""
    if notes is None or not shared_kind(source, rated_by):
        return False
    return bool({note_key(mentor_id, day.isoformat(), notes), note_key(mentor_id, day.isoformat(), notes, origin)} & gone)
