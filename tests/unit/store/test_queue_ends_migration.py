"""Revision 0020: ``queue_ends``, the queue items a coordinator followed that an erasure removed, naming no pair
(tester round 118b, 3). A store at revision 0019 migrates forward with the table empty; the downgrade drops it and
keeps the rest. The erasure records, per programme and coordinator following any of the erased person's items (owner,
or whom it escalated to), how many it removed and how many of them were acknowledged; an item with an outcome that
closes it is followed by no one. A row is its coordinator's: their export lists it, their erasure deletes it, and no
one else's touches it."""

from __future__ import annotations

from datetime import UTC, date

import pytest

from lmsync.domain.health import PairHealth, Reason
from lmsync.store import migrate
from lmsync.store.db import Store
from lmsync.store.journal import Journal
from lmsync.store.queue import CoordinatorQueue
from lmsync.store.queue_ends import QueueEnd, queue_ends_of
from lmsync.store.recorded_days import ERASED, latest_days
from lmsync.store.schema_more import queue_ends
from lmsync.store.surveys import erase_person, export_person
from tests.unit.store.legacy import downgrade_store, table_names

OPENED, ERASED_DAY = date(2027, 1, 4), date(2027, 2, 12)


def _fading(mentor: int, mentee: int) -> PairHealth:
    return PairHealth(mentor, mentee, "fading", (Reason("no_meeting", "fading", "No meeting."),), date(2026, 9, 1),
                      None, 60)


@pytest.mark.sqlite_only("a store the previous lmsync left at revision 0019 is a SQLite file here")
def test_a_store_at_0019_migrates_forward_with_no_queue_end_and_back(tmp_path):
    path = tmp_path / "old.db"
    Store(path).close()
    downgrade_store(path, "0019")
    assert "queue_ends" not in table_names(path) and "hold_ends" in table_names(path)
    store = Store(path)
    try:
        assert store.contents()["alembic_version"] == [(migrate.head_revision(),)] and migrate.head_revision() >= "0020"
        assert queue_ends_of(store, "p") == {}
    finally:
        store.close()
    downgrade_store(path, "0019")
    assert "queue_ends" not in table_names(path) and "hold_ends" in table_names(path)


def test_an_erasure_counts_each_coordinators_followed_items_and_names_no_pair(store_target):
    store = Store(store_target)
    try:
        queue = CoordinatorQueue(store, "p", coordinators=["coorda"], escalate_to="boss")
        for pair in ((66, 3), (67, 3), (68, 3), (66, 4)):
            queue.offer(OPENED, _fading(*pair))
        queue.ack((67, 3), on=OPENED)  # acknowledged, awaiting an outcome: followed
        queue.done((68, 3), "no_action", on=OPENED)  # closed by its outcome: followed by no one
        queue.escalate(date(2027, 2, 1), "boss", after_days=0)  # the open ones, (66, 3) and (66, 4), to boss too
        CoordinatorQueue(store, "q", coordinators=["CoordQ"]).offer(OPENED, _fading(70, 3))  # another programme
        with store.transaction():
            mark = Journal(store, "p").intent("run", "f", "k", ["x"])
        erase_person(store, 3, "s0003", on=ERASED_DAY)
        assert queue_ends_of(store, "p") == {"boss": [QueueEnd(ERASED_DAY, 1, 0, mark)],
                                             "coorda": [QueueEnd(ERASED_DAY, 2, 1, mark)]}
        assert queue_ends_of(store, "q") == {"coordq": [QueueEnd(ERASED_DAY, 1, 0, mark)]}  # by username, lower case
        assert not {"mentor_id", "mentee_id", "user_id", "person_id", "recipient_id"} & set(queue_ends.c.keys())
        assert [i.pair for i in queue.open_items()] == [(66, 4)]  # the other person's item stays, not counted
        # the coordinator's own: their export lists them, no pair in them; another's export and erasure leave them
        rows = export_person(store, 99, "CoordA")["queue_ends"]
        assert [(r["programme"], r["coordinator"], r["day"], r["items"], r["acknowledged"]) for r in rows] == [
            ("p", "coorda", "2027-02-12", 2, 1)]
        assert export_person(store, 4, "s0004")["queue_ends"] == [] and export_person(store, 4)["queue_ends"] == []
        assert erase_person(store, 4, "s0004", on=ERASED_DAY)["queue_ends"] == 0  # takes none, records (66, 4)'s
        assert [(e.items, e.acknowledged) for e in queue_ends_of(store, "p")["coorda"]] == [(2, 1), (1, 0)]
        assert erase_person(store, 99, "CoordA", on=ERASED_DAY)["queue_ends"] == 2  # their erasure takes theirs
        assert "coorda" not in queue_ends_of(store, "p") and len(queue_ends_of(store, "p")["boss"]) == 2
    finally:
        store.close()


def test_an_erasure_of_someone_with_no_followed_item_records_nothing(store_target):
    store = Store(store_target)
    try:
        queue = CoordinatorQueue(store, "p")  # no coordinators: an item nobody owns is followed by no one
        queue.offer(OPENED, _fading(66, 3))
        erase_person(store, 3, on=ERASED_DAY)
        erase_person(store, 5, on=ERASED_DAY)
        assert queue_ends_of(store, "p") == {}
    finally:
        store.close()


def test_a_queue_end_dates_the_store_as_an_erasure_does(store_target):
    """The clock guard counts it among an erasure's records: a clock behind its day is refused (``recorded_days``)."""
    store = Store(store_target)
    try:
        store.write(queue_ends.insert().values(programme="p", coordinator="coorda", day="2027-02-12", items=1,
                                               acknowledged=0, journal_mark=0))
        assert latest_days(store, "p", UTC) == {ERASED: ERASED_DAY} and latest_days(store, "q", UTC) == {}
    finally:
        store.close()
