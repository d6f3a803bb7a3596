"""Revision 0021: the journal's latest id when a sync found each absence and forgot it (tester round 122c, 1).

A store at revision 0020 migrates forward keeping the absence it records, unmarked (compared by day, as before); an
absence recorded or forgotten after carries the journal's latest id then, a span its first mark too. The downgrade
drops the columns and keeps the rows.
"""

from __future__ import annotations

from datetime import date

import pytest

from lmsync.service.digest_since import Since
from lmsync.store import migrate
from lmsync.store.absences import MemberAbsences, MentorAbsences
from lmsync.store.db import Store
from lmsync.store.journal import Journal
from lmsync.store.schema import mentor_absences
from tests.unit.store.legacy import downgrade_store

AWAY, BACK = date(2027, 2, 5), date(2027, 2, 20)


@pytest.mark.sqlite_only("a store the previous lmsync left at revision 0020 is a SQLite file here")
def test_a_store_at_0020_migrates_forward_keeping_its_absences_unmarked_and_back(tmp_path):
    path = tmp_path / "old.db"
    Store(path).close()
    downgrade_store(path, "0020")
    store = Store(path)
    try:  # recorded at 0020 (as the previous lmsync did: no mark), read by this one
        store.write(mentor_absences.insert().values(programme="p", mentor_id=68, since=AWAY.isoformat()))
    finally:
        store.close()
    downgrade_store(path, "0020")
    store = Store(path)
    try:
        assert store.contents()["alembic_version"] == [(migrate.head_revision(),)]
        absences = MentorAbsences(store, "p")
        assert absences.marked_days_away() == {68: ((AWAY, None, None, None),)}
        with store.transaction():
            mark = Journal(store, "p").intent("run", "f", "k", ["x"])
        assert absences.follow([], BACK) == (0, 1)
        assert absences.marked_days_away() == {68: ((AWAY, BACK, None, mark),)}
    finally:
        store.close()
    downgrade_store(path, "0020")
    store = Store(path)
    store.close()


def test_each_absence_carries_the_journals_latest_id_when_found_and_when_forgotten(store_target):
    store = Store(store_target)
    try:
        members = MemberAbsences(store, "p")
        members.follow([42], AWAY)
        assert members.marked_days_away() == {42: ((AWAY, None, 0, None),)}  # no journal entry yet
        with store.transaction():
            mark = Journal(store, "p").intent("run", "f", "k", ["x"])
        members.follow([42, 43], AWAY)
        members.follow([43], BACK)  # 42 back
        assert members.marked_days_away() == {42: ((AWAY, BACK, 0, mark),), 43: ((AWAY, None, mark, None),)}
        assert MentorAbsences(store, "p").marked_days_away() == {}  # a member's are not a mentor's
    finally:
        store.close()


def test_a_change_is_after_a_digest_by_its_mark_on_that_digests_day_else_by_day():
    told = Since(AWAY, 7)  # the last digest: sent on AWAY, journal entry 7
    assert told.after(AWAY, 7) and told.after(AWAY, 9)  # recorded after its entry was written: news
    assert not told.after(AWAY, 6)  # before it: told
    assert not told.after(AWAY) and told.after(BACK) and not told.after(date(2027, 2, 4), 99)  # no mark: by day
    assert not Since(AWAY).after(AWAY, 9)  # a digest of no journal id: by day, as before
