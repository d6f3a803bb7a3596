"""Tester round 106a, 5: an item lmsync paused and then took up again kept only its pause note ("the pair is no
longer in the programme") beside its status and due date; its pause note now says since when the pair is back."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from lmsync.domain.health import PairHealth
from lmsync.store.db import Store
from lmsync.store.snapshots import HealthSnapshots

from .test_queue import fading, queue

DAY = date(2026, 12, 1)
LATER = DAY + timedelta(days=30)
WHY = "the mentee is no longer in the mentor's circle"
PAUSED = f"paused by lmsync on {LATER.isoformat()}: the pair is no longer in the programme ({WHY})"


@pytest.fixture
def store():
    db = Store.memory()
    yield db
    db.close()


def test_a_pair_back_and_recovered_has_its_pause_note_say_so_once(store: Store) -> None:
    """Back and no longer fading (``pause_gone`` gives it its snapshot's status back): its note says so, once."""
    q = queue(store)
    q.offer(DAY, fading(3))
    q.pause_gone(LATER, set(), lambda pair: WHY)
    back = LATER + timedelta(days=2)
    HealthSnapshots(store, "p").replace_day(back, [PairHealth(66, 3, "ok", (), date(2026, 9, 1), back, 0)])
    q.pause_gone(back, {(66, 3)}, lambda pair: WHY)
    (item,) = q.items()
    assert item.status == "recovered" and item.note == f"{PAUSED}; back in the programme on {back.isoformat()}"
    q.pause_gone(back + timedelta(days=1), {(66, 3)}, lambda pair: WHY)
    assert q.items()[0].note == item.note


def test_a_pair_back_and_fading_has_its_pause_note_say_so_once(store: Store) -> None:
    q = queue(store)
    q.offer(DAY, fading(3))
    q.pause_gone(LATER, set(), lambda pair: WHY)
    back = LATER + timedelta(days=1)
    assert q.offer(back, fading(3)) == "updated"
    assert q.offer(back + timedelta(days=1), fading(3)) == "updated"
    (item,) = q.items()
    assert item.status == "fading" and item.note == f"{PAUSED}; back in the programme on {back.isoformat()}"


def test_back_note_ends_the_latest_pause_note_and_leaves_the_others() -> None:
    from lmsync.store.queue_paused import back_note

    earlier = "item 4 acknowledged on 2026-11-02"
    note = f"{earlier} / {PAUSED} / phoned Amira"
    # a note written after the pause note stays before the day it came back (tester round 115a, 7)
    assert back_note(note, LATER) == f"{earlier} / {PAUSED} / phoned Amira / back in the programme on {LATER.isoformat()}"
    said = back_note(note, LATER)
    assert back_note(said, LATER + timedelta(days=3)) == said  # once
    assert back_note(earlier, LATER) == earlier and back_note(None, LATER) is None  # no pause note
