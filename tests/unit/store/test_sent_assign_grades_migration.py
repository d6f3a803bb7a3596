"""Revision 0006: ``sent_assign_grades``, the assignment grades this store wrote (tester finding 1).

A store the previous lmsync left at revision 0005 has written assignment grades but kept no record
of them, only its journal. It migrates forward keeping every row, with the new table empty; the
grades its journal shows Moodle accepted are its proof until the next push records them
(``legacy_assign_users``). The downgrade drops the table and nothing else.
"""

from __future__ import annotations

import json
import sqlite3

import pytest
from alembic import command
from sqlalchemy import create_engine, inspect

from lmsync.service.grades import legacy_assign_users
from lmsync.store import migrate
from lmsync.store.db import Store
from lmsync.store.journal import Journal
from lmsync.store.meetings import SentAssignGrades, SentComments
from tests.unit.store.legacy import make_legacy_store, table_names

JOURNAL = [
    # (function, op_kind, state, op_keys)
    ("mod_assign_save_grades", "assign_grades", "ok", ["assign_grade:1:3", "assign_grade:1:4"]),
    ("mod_assign_save_grades", "assign_grades", "failed", ["assign_grade:1:5"]),  # refused: no proof
    ("mod_assign_save_grades", "assign_grades", "unknown", ["assign_grade:1:9"]),  # outcome unknown: no proof
    ("mod_assign_save_grades", "assign_grades", "ok", ["assign_grade:1:erased"]),  # an erased person
    ("mod_assign_save_grades", "assign_grades", "ok", ["assign_grade:2:7"]),  # another assignment
    ("core_grades_update_grades", "update_grades", "ok", ["grade:1000:10"]),
]


def _store_at_0005(path) -> None:
    old = make_legacy_store(path, 7)
    for n, (function, kind, state, keys) in enumerate(JOURNAL, start=1):
        old.execute(
            "INSERT INTO journal (run_id, programme, function, op_kind, op_keys, item_count, state, result,"
            " started_at, finished_at) VALUES (?, 'p', ?, ?, ?, ?, ?, NULL, ?, ?)",
            (f"run{n}", function, kind, json.dumps(keys), len(keys), state, "2026-10-01T08:00:00", "2026-10-01T08:00:01"),
        )
    old.execute(
        "INSERT INTO assign_comments (programme, assignment_id, user_id, comment, sent_at)"
        " VALUES ('p', 1, 3, '<p>2 of 4</p>', '2026-10-01T08:00:01')"
    )
    old.close()
    engine = create_engine(f"sqlite:///{path}")
    with engine.connect() as conn:
        migrate.upgrade(conn, "0005")
        assert migrate.current_revision(conn) == "0005"
    engine.dispose()


@pytest.mark.sqlite_only("a store the previous lmsync left at revision 0005 is a SQLite file here")
def test_tester_finding_1_a_store_at_0005_migrates_forward_and_proves_its_grades_by_its_journal(tmp_path):
    path = tmp_path / "old.db"
    _store_at_0005(path)
    assert "sent_assign_grades" not in table_names(path)  # as the previous lmsync left it

    store = Store(path)
    try:
        assert store.contents()["alembic_version"] == [(migrate.head_revision(),)] and migrate.head_revision() >= "0006"
        assert SentAssignGrades(store, "p").get(1) == {}
        assert SentComments(store, "p").get(1) == {3: "<p>2 of 4</p>"}
        journal = Journal(store, "p")
        assert len(journal.entries()) == len(JOURNAL)
        assert legacy_assign_users(journal, 1) == {3, 4}
        assert legacy_assign_users(journal, 2) == {7}
        # the next push records what it writes; a record is per programme and assignment
        SentAssignGrades(store, "p").record(1, [(3, 50.0), (4, 12.5)])
        SentAssignGrades(store, "p").record(1, [(3, 62.5)])
        assert SentAssignGrades(store, "p").get(1) == {3: 62.5, 4: 12.5}
        assert SentAssignGrades(store, "p").get(2) == {} and SentAssignGrades(store, "q").get(1) == {}
    finally:
        store.close()
    assert "sent_assign_grades" in table_names(path)


@pytest.mark.sqlite_only("the downgrade is checked on the SQLite file")
def test_revision_0006_downgrades_to_0005_without_the_table(tmp_path):
    path = tmp_path / "old.db"
    _store_at_0005(path)
    store = Store(path)
    SentAssignGrades(store, "p").record(1, [(3, 50.0)])
    store.close()
    engine = create_engine(f"sqlite:///{path}")
    with engine.connect() as conn:
        config = migrate._config()
        config.attributes["connection"] = conn
        command.downgrade(config, "0005")
        conn.commit()
        assert migrate.current_revision(conn) == "0005"
        assert "sent_assign_grades" not in inspect(conn).get_table_names()
    engine.dispose()
    assert len(sqlite3.connect(path).execute("SELECT * FROM journal").fetchall()) == len(JOURNAL)


def test_tester_finding_1_a_new_store_records_the_grades_it_wrote_on_each_engine(store_target):
    store = Store(store_target)
    try:
        repo = SentAssignGrades(store, "p")
        repo.record(1, [(3, 50.0), (4, 33.33333)])
        repo.record(1, [(4, 40.0)])
        assert repo.get(1) == {3: 50.0, 4: 40.0}
    finally:
        store.close()
