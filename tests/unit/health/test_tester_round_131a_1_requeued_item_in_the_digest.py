"""Tester round 131a, 1: a pair acknowledged on 4 Nov and still fading 28 days later was queued again, and that
day's digest listed the new item under "Newly in your queue" like a pair never seen, so a coordinator who reads only
the digest took it for a new one. Its line now says when it was acknowledged and that it is still fading; the note
stays out of the message (``lmsync queue list`` shows it). An item opened fresh says nothing of the kind."""

from __future__ import annotations

from datetime import date

from lmsync.domain.health import PairHealth, Reason
from lmsync.service.digest import digest_text
from lmsync.service.digest_requeued import requeued
from lmsync.store.db import Store
from lmsync.store.health import CoordinatorQueue

FADING = PairHealth(66, 3, "fading", (Reason("no_meeting", "fading", "No meeting."),), date(2026, 9, 1), None, 60)
OTHER = PairHealth(66, 4, "fading", (Reason("no_meeting", "fading", "No meeting."),), date(2026, 9, 1), None, 60)


def test_a_requeued_item_says_when_it_was_acknowledged_and_a_fresh_one_does_not() -> None:
    store = Store.memory()
    queue = CoordinatorQueue(store, "p", requeue_after_days=28)
    queue.offer(date(2026, 11, 2), FADING)
    queue.ack((66, 3), on=date(2026, 11, 4), note="emailed the mentor, on leave")
    assert queue.offer(date(2026, 12, 2), FADING) == "added"
    assert queue.offer(date(2026, 12, 2), OTHER) == "added"
    followed = requeued(store, "p")
    new_items = [i for i in queue.open_items()]
    assert sorted(followed) == [next(i.id for i in new_items if i.pair == (66, 3))]
    text = digest_text("p", date(2026, 12, 2), [], [], lambda uid: f"user #{uid}", "ann", new_items=new_items,
                       requeued=followed)
    lines = {line.split(":")[1].strip(): line for line in text.splitlines() if line.startswith("- fading")}
    assert lines["user #66 / user #3"].endswith(
        "; queued again: still fading 28 days after it was acknowledged on 2026-11-04; its note goes on in this item "
        "(`lmsync queue list` shows it)")
    assert "queued again" not in lines["user #66 / user #4"]
    assert "on leave" not in text  # the note stays out of the message
    store.close()
