"""Revision 0015: ``member_absence_spans``, the days a circle's mentee was away while their place was held (tester
round 104a, 8).

A store at revision 0014 migrates forward keeping the absence it records; the sync that forgets it then keeps its
days, which health leaves out of the pair's silence. The downgrade drops the table and keeps the rest.
"""

from __future__ import annotations

from datetime import date

import pytest

from lmsync.store import migrate
from lmsync.store.absences import MemberAbsences
from lmsync.store.db import Store
from tests.unit.store.legacy import downgrade_store, table_names


@pytest.mark.sqlite_only("a store the previous lmsync left at revision 0014 is a SQLite file here")
def test_a_store_at_0014_migrates_forward_and_keeps_the_days_of_an_absence_it_records(tmp_path):
    path = tmp_path / "old.db"
    store = Store(path)
    MemberAbsences(store, "p").follow([3], date(2026, 10, 3))
    store.close()
    downgrade_store(path, "0014")  # as the previous lmsync left it
    assert "member_absence_spans" not in table_names(path) and "member_absences" in table_names(path)

    store = Store(path)
    try:
        assert store.contents()["alembic_version"] == [(migrate.head_revision(),)]
        absences = MemberAbsences(store, "p")
        assert absences.days_away() == {3: ((date(2026, 10, 3), None),)}
        assert absences.follow([], date(2026, 10, 31)) == (0, 1)
        assert absences.days_away() == {3: ((date(2026, 10, 3), date(2026, 10, 31)),)}
    finally:
        store.close()
    downgrade_store(path, "0014")
    assert "member_absence_spans" not in table_names(path)


def test_the_days_of_a_held_absence_are_kept_on_each_engine(store_target):
    store = Store(store_target)
    try:
        absences = MemberAbsences(store, "p")
        absences.follow([3, 5], date(2026, 10, 3))
        absences.follow([3, 5], date(2026, 10, 3))  # found again the same day: nothing kept, nothing ended
        absences.follow([3, 5, 6], date(2026, 10, 4))
        absences.follow([3, 5], date(2026, 10, 4))  # 6 back the day they were first found away: no day kept
        absences.follow([5], date(2026, 10, 31))  # 3 back
        absences.follow([], date(2026, 11, 7))  # 5 back
        absences.follow([3], date(2026, 11, 7))  # 3 away again
        assert absences.days_away() == {
            3: ((date(2026, 10, 3), date(2026, 10, 31)), (date(2026, 11, 7), None)),
            5: ((date(2026, 10, 3), date(2026, 11, 7)),),
        }  # nothing of 6

        assert MemberAbsences(store, "q").days_away() == {}  # per programme
    finally:
        store.close()
