"""Tester round 112a, 1: an item's pauses read from its notes (``health_paused_day``), whatever became of it since."""

from __future__ import annotations

from datetime import date

from lmsync.service.health_paused_day import paused_items_on, paused_on, pauses
from lmsync.store.queue_item import GONE, QueueItem, gone_note
from lmsync.store.queue_paused import back_note

HELD = "on hold: the mentee has been away since 2027-02-16 (enrolment or account suspended); their place ..."


def _item(note: str | None, status: str = GONE, **more) -> QueueItem:
    return QueueItem(1, 5, 13, status, (), date(2027, 2, 15), date(2027, 2, 16), note=note, **more)


def test_two_pauses_the_first_taken_up_again_the_second_closed_later():
    note = back_note(f"called / {gone_note(date(2027, 2, 16), 'the mentee is no longer active')}", date(2027, 2, 18))
    note = f"{note} / {gone_note(date(2027, 2, 20), 'the mentor no longer has a circle')} / closed by hand"
    item = _item(note, outcome="closed", outcome_on=date(2027, 2, 22), acked_on=date(2027, 2, 22))
    assert [(p.since, p.back) for p in pauses(item)] == [(date(2027, 2, 16), date(2027, 2, 18)),
                                                         (date(2027, 2, 20), None)]
    assert [paused_on(item, date(2027, 2, d)) is not None for d in range(15, 24)] == [
        False, True, True, False, False, True, True, False, False]
    first = paused_on(item, date(2027, 2, 17))
    assert first is not None and first.paused and first.gone_why == "the mentee is no longer active"
    assert first.last_seen_on == date(2027, 2, 16) and first.acked_on is None and first.outcome is None
    second = paused_on(item, date(2027, 2, 21))
    assert second is not None and second.gone_why == "the mentor no longer has a circle"
    assert second.last_seen_on == date(2027, 2, 20)


def test_on_hold_then_gone_is_one_pause_its_why_that_days():
    note = f"{gone_note(date(2027, 2, 16), HELD)} / {gone_note(date(2027, 3, 2), 'the mentee is no longer active')}"
    item = _item(note)
    assert [(p.since, p.back) for p in pauses(item)] == [(date(2027, 2, 16), None)]
    held = paused_on(item, date(2027, 2, 20))
    assert held is not None and (held.gone_why or "").startswith("on hold: ")
    gone = paused_on(item, date(2027, 3, 5))
    assert gone is not None and gone.gone_why == "the mentee is no longer active" and gone.last_seen_on == date(2027, 2, 16)


def test_items_never_paused_or_taken_up_with_no_back_note_are_left_out():
    assert paused_items_on([_item("called", status="fading"), _item(None, status="fading")], date(2027, 2, 20)) == []
    legacy = _item(gone_note(date(2027, 2, 16), "the mentee is no longer active"), status="fading")
    assert pauses(legacy) == []
    erased = paused_on(_item(None), date(2027, 2, 16))  # stored paused, its note erased: since its last_seen_on
    assert erased is not None and paused_on(_item(None), date(2027, 2, 15)) is None
