"""Revision 0013: ``meetings.words_origin``, the row that gave a meeting's rating, notes and side (tester round 97a, 3).

A store at revision 0012 migrates forward keeping every meeting; a row stored before has NULL there (not known
apart), read as its ``origin``, as before. The downgrade drops the column and keeps the rows.
"""

from __future__ import annotations

import sqlite3
from datetime import date

import pytest

from lmsync.domain.meetings import Meeting
from lmsync.store import migrate
from lmsync.store.db import Store
from lmsync.store.meetings import MeetingRepository
from tests.unit.store.legacy import downgrade_store
from tests.unit.store.test_meetings_rated_by import _columns

MEETING = Meeting(date(2026, 10, 12), 66, 3, 45, True, "csv", 1, "note", "mentee")


@pytest.mark.sqlite_only("a store the previous lmsync left at revision 0012 is a SQLite file here")
def test_a_store_at_0012_migrates_forward_and_reads_each_rows_origin_as_its_words(tmp_path):
    path = tmp_path / "old.db"
    store = Store(path)
    MeetingRepository(store, "p").save([(MEETING, "mentee_log.csv:2")])
    store.close()
    downgrade_store(path, "0012")  # as the previous lmsync left it
    assert "words_origin" not in _columns(path)

    store = Store(path)
    try:
        assert store.contents()["alembic_version"] == [(migrate.head_revision(),)]
        [found] = MeetingRepository(store, "p").find()
        assert (found.meeting, found.origin, found.words_origin) == (MEETING, "mentee_log.csv:2", "mentee_log.csv:2")
    finally:
        store.close()
    assert "words_origin" in _columns(path)
    assert sqlite3.connect(path).execute("SELECT words_origin FROM meetings").fetchall() == [(None,)]


def test_a_new_store_saves_the_words_origin_given_on_each_engine(store_target):
    store = Store(store_target)
    try:
        key = MEETING.natural_key
        MeetingRepository(store, "p").save([(MEETING, "mentee_log.csv:2")])
        register = Meeting(MEETING.date, 66, 3, 60, True, "csv", 1, "note", "mentee")  # minutes corrected
        repo = MeetingRepository(store, "p", words_from={key: "mentee_log.csv:2"})
        assert repo.save([(register, "C.csv:2")]).updated == 1
        [found] = MeetingRepository(store, "p").find()
        assert (found.meeting.minutes, found.origin, found.words_origin) == (60, "C.csv:2", "mentee_log.csv:2")
    finally:
        store.close()
