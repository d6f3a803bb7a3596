"""Revision 0022: what a coordinator's last digest knew, by the moment it was sent (tester round 122c, 1, continued).

A store at revision 0021 migrates forward keeping its digests, unmarked (the next digest compares by day, as before);
a digest recorded after carries the queue's largest item id and the pairing history's latest instant, and the pair
statuses a coordinator's digest was told from are kept per coordinator. The downgrade drops them and keeps the rows.
"""

from __future__ import annotations

from datetime import date

import pytest

from lmsync.service.digest_moment import last_moments
from lmsync.store import migrate
from lmsync.store.db import Store
from lmsync.store.digest_statuses import DigestStatuses, mark_digest
from lmsync.store.messages import DigestLog
from lmsync.store.schema import digests
from tests.unit.store.legacy import downgrade_store

DAY = date(2027, 2, 16)


@pytest.mark.sqlite_only("a store the previous lmsync left at revision 0021 is a SQLite file here")
def test_a_store_at_0021_migrates_forward_keeping_its_digests_unmarked_and_back(tmp_path):
    path = tmp_path / "old.db"
    Store(path).close()
    downgrade_store(path, "0021")
    store = Store(path)
    try:  # sent at 0021 (as the previous lmsync did: no mark), read by this one
        store.write(digests.insert().values(programme="p", recipient_id=900, day=DAY.isoformat(), items=1,
                                            state="sent", created_at="2027-02-16T08:00:00+00:00"))
    finally:
        store.close()
    downgrade_store(path, "0021")
    store = Store(path)
    try:
        assert store.contents()["alembic_version"] == [(migrate.head_revision(),)]
        (moment,) = last_moments(DigestLog(store, "p").records(), date(2027, 2, 17)).values()
        assert (moment.day, moment.queue_mark, moment.pairing_mark) == (DAY, None, None)  # compared by day
        DigestStatuses(store, "p").keep({900: (DAY, {(8, 23): "fading"})})
    finally:
        store.close()
    downgrade_store(path, "0021")
    store = Store(path)
    store.close()


def test_a_digest_carries_its_marks_and_each_coordinator_keeps_the_statuses_of_their_last(store_target):
    store = Store(store_target)
    try:
        log = DigestLog(store, "p")
        with store.transaction() as conn:
            digest_id = log.intent(conn, recipient_id=900, day=DAY, items=2)
            mark_digest(conn, digest_id, 41, "2027-02-16T08:00:00.125000+00:00")
        log.finish(digest_id, "sent", msgid=5)
        (moment,) = last_moments(log.records(), date(2027, 2, 17)).values()
        assert moment.queue_mark == 41 and moment.pairing_mark is not None
        assert moment.queued_after(DAY, 42) and not moment.queued_after(DAY, 41)
        assert moment.queued_after(date(2027, 2, 17), 3) and not moment.queued_after(date(2027, 2, 15), 99)
        statuses = DigestStatuses(store, "p")
        statuses.keep({900: (DAY, {(8, 23): "fading", (8, 24): "ok"}), 901: (DAY, {(8, 23): "fading"})})
        statuses.keep({900: (date(2027, 2, 17), {(8, 24): "at_risk"})})  # 900's next digest: theirs replaced
        assert statuses.told() == {900: (date(2027, 2, 17), {(8, 24): "at_risk"}), 901: (DAY, {(8, 23): "fading"})}
    finally:
        store.close()
