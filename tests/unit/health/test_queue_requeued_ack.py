"""Tester round 84, 4: an acknowledged item still awaiting an outcome was orphaned when its pair was queued again
(after ``requeue_after_days``, or fading again after it recovered): the new item had neither its note nor its
owner, and the acknowledged one was listed nowhere but ``pair show``, awaiting an outcome for ever."""

from __future__ import annotations

from datetime import timedelta

from lmsync.store.health import CoordinatorQueue
from lmsync.store.queue import QUEUED_AGAIN
from tests.unit.health.test_store import DAY
from tests.unit.health.test_store import health as fading
from tests.unit.health.test_store import store as store  # noqa: F401  (fixture)


def test_round_84_4_a_pair_queued_again_carries_the_acknowledged_items_note_and_owner(store):
    queue = CoordinatorQueue(store, "p", requeue_after_days=28, coordinators=["ana", "ben"],
                             usernames={66: "m66", 3: "s3"})
    queue.offer(DAY, fading(3))
    (first,) = queue.open_items()
    assert first.owner == "ana"
    queue.offer(DAY, fading(4))  # ben's, so that the next new item would go to ana or ben by load
    queue.ack((66, 3), on=DAY + timedelta(days=1), note="called the mentor")
    assert [i.pair for i in queue.awaiting_outcome()] == [(66, 3)]

    later = DAY + timedelta(days=30)
    assert queue.offer(later, fading(3)) == "added"
    old, new = queue.items((66, 3))
    assert (old.id, old.outcome, old.outcome_on) == (first.id, QUEUED_AGAIN, later)
    assert old.note == f"called the mentor / queued again by lmsync on {later.isoformat()} as item {new.id}"
    assert new.acked_on is None and new.owner == "ana"
    assert new.note == f"called the mentor / item {first.id} acknowledged on {(DAY + timedelta(days=1)).isoformat()}"
    assert queue.awaiting_outcome() == []  # nothing waits for ever: the open item takes the outcome
    done = queue.done((66, 3), "met", on=later)
    assert done is not None and done.id == new.id


def test_round_84_4_the_owner_is_not_kept_when_no_longer_a_coordinator(store):
    queue = CoordinatorQueue(store, "p", requeue_after_days=28, coordinators=["ana"])
    queue.offer(DAY, fading(3))
    queue.ack((66, 3), on=DAY)
    moved = CoordinatorQueue(store, "p", requeue_after_days=28, coordinators=["cy"])
    assert moved.offer(DAY + timedelta(days=28), fading(3)) == "added"
    assert moved.items((66, 3))[-1].owner == "cy"


def test_round_84_4_an_item_closed_with_an_outcome_is_left_as_it_was(store):
    queue = CoordinatorQueue(store, "p", requeue_after_days=28)
    queue.offer(DAY, fading(3))
    queue.done((66, 3), "no_action", on=DAY, note="exams")
    queue.offer(DAY + timedelta(days=28), fading(3))
    old, new = queue.items((66, 3))
    assert (old.outcome, old.note) == ("no_action", "exams")
    assert new.note is None
