"""Revision 0004: ``meetings.rated_by``, which side logged and rated a meeting (issue 13).

A store at revision 0003 (here: one the numbered-SQL era made, moved to 0003 as the previous
lmsync did) migrates forward keeping every meeting, each with ``rated_by`` NULL (not known); a
new store has the column on both engines and keeps the side of every meeting saved.
"""

from __future__ import annotations

import sqlite3
from datetime import date

import pytest
from alembic import command
from sqlalchemy import create_engine, inspect

from lmsync.domain.meetings import Meeting
from lmsync.store import migrate
from lmsync.store.db import Store
from lmsync.store.meetings import MeetingRepository
from tests.unit.store.legacy import make_legacy_store

MEETING_ROWS = [
    ("p", "2026-10-12", 66, 3, "feedback", 45, 1, 4, None, "h1", "feedback", "2026-10-13T08:00:00", "2026-10-13T08:00:00"),
    ("p", "2026-10-26", 66, 3, "csv", 30, 0, None, "ill", "h2", "m.csv:2", "2026-10-27T08:00:00", "2026-10-27T08:00:00"),
]


def _columns(path) -> set[str]:
    raw = sqlite3.connect(path)
    try:
        return {r[1] for r in raw.execute("PRAGMA table_info(meetings)")}
    finally:
        raw.close()


def _store_at_0003(path) -> None:
    old = make_legacy_store(path, 7)
    old.executemany(
        "INSERT INTO meetings (programme, meeting_date, mentor_id, mentee_id, source, minutes, attended, rating, notes,"
        " content_hash, origin, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        MEETING_ROWS,
    )
    old.close()
    engine = create_engine(f"sqlite:///{path}")
    with engine.connect() as conn:
        migrate.upgrade(conn, "0003")
        assert migrate.current_revision(conn) == "0003"
    engine.dispose()


@pytest.mark.sqlite_only("a store the previous lmsync left at revision 0003 is a SQLite file here")
def test_a_store_at_0003_migrates_forward_and_its_meetings_get_no_side(tmp_path):
    path = tmp_path / "old.db"
    _store_at_0003(path)
    assert "rated_by" not in _columns(path)  # as the previous lmsync left it

    store = Store(path)
    try:
        assert store.contents()["alembic_version"] == [(migrate.head_revision(),)]
        found = MeetingRepository(store, "p").find()
        assert [(s.meeting.date, s.meeting.source, s.meeting.rating, s.meeting.notes) for s in found] == [
            (date(2026, 10, 12), "feedback", 4, None),
            (date(2026, 10, 26), "csv", None, "ill"),
        ]
        assert [s.meeting.rated_by for s in found] == [None, None]
        assert [m.rated_by for m in MeetingRepository(store, "p").pair_meetings()] == [None, None]
    finally:
        store.close()
    assert "rated_by" in _columns(path)


@pytest.mark.sqlite_only("the downgrade is checked on the SQLite file")
def test_revision_0004_downgrades_to_0003_without_the_column(tmp_path):
    path = tmp_path / "old.db"
    _store_at_0003(path)
    Store(path).close()
    engine = create_engine(f"sqlite:///{path}")
    with engine.connect() as conn:
        config = migrate._config()
        config.attributes["connection"] = conn
        command.downgrade(config, "0003")
        conn.commit()
        assert migrate.current_revision(conn) == "0003"
        assert "rated_by" not in {c["name"] for c in inspect(conn).get_columns("meetings")}
    engine.dispose()
    assert len(sqlite3.connect(path).execute("SELECT * FROM meetings").fetchall()) == 2


def test_a_new_store_keeps_each_meetings_side_on_each_engine(store_target):
    store = Store(store_target)
    try:
        repo = MeetingRepository(store, "p")
        meetings = [
            Meeting(date(2026, 10, 12), 66, 3, 45, True, "feedback", 4, rated_by="mentee"),
            Meeting(date(2026, 10, 13), 66, 3, 40, True, "feedback", 3, rated_by="mentor"),
            Meeting(date(2026, 10, 14), 66, 3, 35, True, "cli", 5),
        ]
        assert repo.save([(m, None) for m in meetings]).added == 3
        assert [s.meeting for s in repo.find()] == meetings
        assert [m.rated_by for m in repo.pair_meetings()] == ["mentee", "mentor", None]
        # the side is part of what a row says: learning it updates the row, saying it again changes nothing
        known = Meeting(date(2026, 10, 14), 66, 3, 35, True, "cli", 5, rated_by="mentor")
        assert repo.save([(known, None)]).updated == 1
        assert repo.save([(known, None)]).unchanged == 1
        assert repo.find()[-1].meeting.rated_by == "mentor"
    finally:
        store.close()


def test_a_meeting_without_a_side_keeps_the_hash_it_had_before_revision_0004():
    """An old file imported again is 'unchanged', not rewritten: the side counts only when known."""
    import hashlib
    import json

    m = Meeting(date(2026, 10, 12), 66, 3, 45, True, "csv", 4, "notes")
    body = json.dumps([45, True, 4, "notes"], ensure_ascii=False)
    assert m.content_hash == hashlib.sha256(body.encode("utf-8")).hexdigest()[:32]
    assert Meeting(date(2026, 10, 12), 66, 3, 45, True, "csv", 4, "notes", "mentee").content_hash != m.content_hash
