"""Issue 12: stores made by the numbered-SQL era migrate forward through Alembic without loss.

Two older stores, each with rows in every table: one as release ``0879fa3`` made it
(migrations 001-004) and one as ``main`` made it just before Alembic (001-007). Opening
either with this lmsync (on SQLite, where those stores live) keeps every row of every
table, adds what later migrations add (``about_id`` = 0, ``store_binding``,
``grade_items``, the pairing history back-filled from the journal), and records the
Alembic revision so the next open does nothing.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import date

import pytest

from lmsync.store.db import Store
from lmsync.store.journal import Journal
from lmsync.store.migrate import head_revision
from lmsync.store.pairings import PairingHistory
from tests.unit.store.legacy import make_legacy_store

pytestmark = pytest.mark.sqlite_only("stores of the numbered-SQL era are SQLite files")

_JOURNAL = [
    # (op_kind, state, op_keys, finished_at)
    ("add_member", "ok", ["add_member:lmsync:p:mentor:66:66", "add_member:lmsync:p:mentor:66:3",
                          "add_member:lmsync:p:mentor:66:4"], "2026-09-01T08:00:00"),
    ("remove_member", "ok", ["remove_member:lmsync:p:mentor:66:4"], "2026-09-10T08:00:00"),
    ("add_member", "ok", ["add_member:lmsync:p:mentor:67:4"], "2026-09-10T08:00:01"),
    ("add_member", "failed", ["add_member:lmsync:p:mentor:68:9"], "2026-09-11T08:00:00"),
    ("add_member", "ok", ["add_member:lmsync:p:mentor:66:erased"], "2026-09-12T08:00:00"),
    ("create_group", "ok", ["create_group:lmsync:p:mentor:66"], "2026-09-01T07:59:00"),
]


def _value(column: str, kind: str, n: int) -> object:
    if column in ("attended", "adopted"):
        return n % 2
    if column == "id":
        return None if kind.upper().startswith("INTEGER") else n
    if kind.upper() in ("INTEGER",):
        return 100 + n
    if kind.upper() == "REAL":
        return 1.5 * n
    if column.endswith(("_date", "day", "_on", "_since", "last_meeting")):
        return f"2026-09-{n:02d}"
    if column in ("reasons",):
        return json.dumps([["no_meeting", f"reason {n}"]])
    if column in ("subscales", "result"):
        return json.dumps({"n": n})
    return f"{column}-{n}"


def _fill_every_table(conn: sqlite3.Connection) -> None:
    for i, (kind, state, keys, finished) in enumerate(_JOURNAL, start=1):
        conn.execute(
            "INSERT INTO journal (run_id, programme, function, op_kind, op_keys, item_count, state, result,"
            " started_at, finished_at) VALUES (?, 'p', 'f', ?, ?, ?, ?, NULL, ?, ?)",
            (f"run{i}", kind, json.dumps(keys), len(keys), state, finished, finished),
        )
    tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    for table in tables:
        if table in ("journal", "schema_version", "sqlite_sequence"):
            continue
        columns = [(r[1], r[2]) for r in conn.execute(f'PRAGMA table_info("{table}")')]
        for n in (1, 2) if table != "store_binding" else (1,):
            row = {name: _value(name, kind, n) for name, kind in columns}
            if table == "store_binding":
                row["id"] = 1
            if table == "coordinator_queue":
                row["acked_on"] = None if n == 1 else "2026-09-30"
            row = {k: v for k, v in row.items() if v is not None or k == "acked_on"}
            marks = ", ".join("?" for _ in row)
            conn.execute(f'INSERT INTO "{table}" ({", ".join(row)}) VALUES ({marks})', tuple(row.values()))


def _rows(conn: sqlite3.Connection) -> dict[str, list[dict[str, object]]]:
    conn.row_factory = sqlite3.Row
    tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    return {t: [dict(r) for r in conn.execute(f'SELECT * FROM "{t}"')] for t in tables if t != "sqlite_sequence"}


@pytest.mark.parametrize(
    ("upto", "made_by"), [(4, "release 0879fa3 (migrations 001-004)"), (7, "main before Alembic (001-007)")]
)
def test_issue_12_an_older_sqlite_store_migrates_forward_keeping_every_row(tmp_path, upto, made_by):
    path = tmp_path / "old.db"
    old = make_legacy_store(path, upto)
    _fill_every_table(old)
    before = _rows(old)
    old.close()
    assert all(before[t] for t in before if t != "schema_version"), f"a table of {made_by} is empty"

    store = Store(path)
    after = {t: rows for t, rows in store.contents().items()}
    raw = sqlite3.connect(path)
    after_rows = _rows(raw)
    raw.close()
    for table, rows in before.items():
        for row in rows:
            found = [r for r in after_rows[table] if all(r[k] == v for k, v in row.items())]
            assert len(found) == 1, f"{made_by}: a row of {table} did not survive: {row}"
            if table in ("survey_answers", "survey_scores"):
                assert found[0]["about_id"] == (row.get("about_id", 0))
        assert len(after_rows[table]) == len(rows), f"{made_by}: {table} gained or lost rows"
    assert {"store_binding", "grade_items", "pairing_history", "alembic_version"} <= set(after)
    assert after["alembic_version"] == [(head_revision(),)]

    # the pairing history is back-filled from the journal's accepted member batches
    history = PairingHistory(store, "p")
    assert [(p.mentor_id, p.mentee_id, p.joined_at, p.left_at) for p in history.history()] == [
        (66, 3, "2026-09-01T08:00:00", None),
        (66, 4, "2026-09-01T08:00:00", "2026-09-10T08:00:00"),
        (67, 4, "2026-09-10T08:00:01", None),
    ]
    assert history.pairing_days() == {(66, 3): date(2026, 9, 1), (66, 4): date(2026, 9, 1), (67, 4): date(2026, 9, 10)}
    # journal ids continue after the old ones (AUTOINCREMENT kept)
    assert Journal(store, "p").intent("r", "f", "add_member", ["k"]) == len(_JOURNAL) + 1
    store.close()

    again = Store(path)  # at head: nothing runs, nothing changes
    assert again.contents()["pairing_history"] == after["pairing_history"]
    again.close()


def test_issue_12_an_older_store_is_read_through_a_copy_while_the_file_stays_as_it_was(tmp_path):
    path = tmp_path / "old.db"
    old = make_legacy_store(path, 4)
    _fill_every_table(old)
    old.close()
    before = path.read_bytes()
    reader = Store(path, read_only=True)
    assert PairingHistory(reader, "p").pairing_days()[(67, 4)] == date(2026, 9, 10)
    reader.close()
    assert path.read_bytes() == before
