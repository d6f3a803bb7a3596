"""Revision 0016: ``mentor_absence_spans``, the days a circle's mentor was away while their circle was held (tester
round 104b, 10).

A store at revision 0015 migrates forward keeping the mentor's absence it records; the sync that forgets it then
keeps its days, by which ``lmsync health --as-of`` a day of the hold names the circle on hold once the mentor is back.
The downgrade drops the table and keeps the rest.
"""

from __future__ import annotations

from datetime import date

import pytest

from lmsync.store import migrate
from lmsync.store.absences import MemberAbsences, MentorAbsences
from lmsync.store.db import Store
from lmsync.store.surveys import erase_person, export_person
from tests.unit.store.legacy import downgrade_store, table_names


@pytest.mark.sqlite_only("a store the previous lmsync left at revision 0015 is a SQLite file here")
def test_a_store_at_0015_migrates_forward_and_keeps_the_days_of_a_mentors_absence_it_records(tmp_path):
    path = tmp_path / "old.db"
    store = Store(path)
    MentorAbsences(store, "p").follow([68], date(2027, 2, 5))
    store.close()
    downgrade_store(path, "0015")  # as the previous lmsync left it
    assert "mentor_absence_spans" not in table_names(path) and "mentor_absences" in table_names(path)

    store = Store(path)
    try:
        assert store.contents()["alembic_version"] == [(migrate.head_revision(),)]
        absences = MentorAbsences(store, "p")
        assert absences.days_away() == {68: ((date(2027, 2, 5), None),)}
        assert absences.follow([], date(2027, 2, 20)) == (0, 1)
        assert absences.days_away() == {68: ((date(2027, 2, 5), date(2027, 2, 20)),)}
    finally:
        store.close()
    downgrade_store(path, "0015")
    assert "mentor_absence_spans" not in table_names(path)


def test_a_mentors_held_absence_is_kept_apart_from_a_members_on_each_engine(store_target):
    store = Store(store_target)
    try:
        mentors, members = MentorAbsences(store, "p"), MemberAbsences(store, "p")
        mentors.follow([68, 69], date(2027, 2, 5))
        mentors.follow([68, 69], date(2027, 2, 5))  # found again the same day: nothing kept
        mentors.follow([68], date(2027, 2, 20))  # 69 back
        assert mentors.days_away() == {68: ((date(2027, 2, 5), None),), 69: ((date(2027, 2, 5), date(2027, 2, 20)),)}
        assert members.days_away() == {}  # a mentor's days are not a member's
        assert MentorAbsences(store, "q").days_away() == {}  # per programme
        assert len(export_person(store, 69)["mentor_absence_spans"]) == 1  # their days name them
        erase_person(store, 69)
        assert 69 not in mentors.days_away()
    finally:
        store.close()
