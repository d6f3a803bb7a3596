"""Tester round 88a, 10: an item whose every coordinator is one of its pair's people was logged ``queue.unowned``
twice in one run: when health queued it, and again when the run gave owners to items without one (``reassign``).
It is said once, when queued; an owned item losing its owner that way is still said."""

from __future__ import annotations

from datetime import date

from structlog.testing import capture_logs

from lmsync.domain.health import PairHealth, Reason
from lmsync.log import configure
from lmsync.store.db import Store
from lmsync.store.health import CoordinatorQueue

DAY = date(2026, 11, 2)


def _fading(mentee: int) -> PairHealth:
    return PairHealth(66, mentee, "fading", (Reason("no_meeting", "fading", "no meeting for 60 days"),),
                      date(2026, 9, 1), None, 0)


def _unowned(events: list[dict]) -> list[tuple[int, int]]:
    return [(e["mentor"], e["mentee"]) for e in events if e["event"] == "queue.unowned"]


def test_an_item_no_coordinator_may_own_is_said_once_in_a_run() -> None:
    configure("json", "info")
    store = Store.memory()
    queue = CoordinatorQueue(store, "p", coordinators=["ann"], usernames={66: "ann", 3: "bob"})
    with capture_logs() as events:
        assert queue.offer(DAY, _fading(3)) == "added"
        assert queue.reassign() == []  # still no one may own it
    assert _unowned(events) == [(66, 3)]
    (item,) = queue.open_items()
    assert item.owner is None


def test_an_owned_item_whose_owner_became_a_party_is_still_said() -> None:
    configure("json", "info")
    store = Store.memory()
    CoordinatorQueue(store, "p", coordinators=["cat"], usernames={66: "ann", 3: "bob"}).offer(DAY, _fading(3))
    queue = CoordinatorQueue(store, "p", coordinators=["ann"], usernames={66: "ann", 3: "bob"})
    with capture_logs() as events:
        (changed,) = queue.reassign()
    assert changed.owner is None and _unowned(events) == [(66, 3)]
