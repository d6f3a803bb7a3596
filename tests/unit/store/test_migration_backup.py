"""upgrading a store says what it does, and a SQLite store with data is copied first.

A writing run that moves an existing store to a newer revision logs one line
(``store.migrated from=... to=... backup=...``); a SQLite file holding data is first copied to
``<name>.db.bak-<from revision>`` (owner-only, through SQLite's backup API, so rows still in
the WAL are in the copy). New stores, current stores and reads neither copy nor log.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
import structlog
from sqlalchemy import create_engine, text
from structlog.testing import capture_logs

from lmsync.store.db import Store
from lmsync.store.migrate import head_revision, upgrade
from tests.unit.store.legacy import make_legacy_store


@pytest.fixture(autouse=True)
def _info_events_reach_the_capture() -> Iterator[None]:
    """An earlier CLI test may leave structlog filtering below WARNING, so ``log.info`` would never
    reach ``capture_logs``: start from structlog's defaults and put the earlier set-up back after."""
    before = structlog.get_config()
    structlog.reset_defaults()
    yield
    structlog.configure(**before)


def _store_at(target: Path | str, revision: str) -> None:
    engine = create_engine(target if isinstance(target, str) else f"sqlite:///{target}")
    with engine.connect() as conn:
        upgrade(conn, revision)
    engine.dispose()


def _journal_row(conn: sqlite3.Connection, run_id: str) -> None:
    conn.execute(
        "INSERT INTO journal (run_id, programme, function, op_kind, op_keys, item_count, state, result,"
        " started_at, finished_at) VALUES (?, 'p', 'f', 'add_member', '[]', 0, 'ok', NULL,"
        " '2026-09-01T08:00:00', '2026-09-01T08:00:00')",
        (run_id,),
    )


def _migrated(events: list[dict[str, object]]) -> list[dict[str, object]]:
    return [e for e in events if e["event"] == "store.migrated"]


@pytest.mark.sqlite_only("the .bak-<rev> copy of a SQLite file")
def test_upgrading_a_sqlite_store_with_data_copies_it_owner_only_and_logs_one_line(tmp_path):
    path = tmp_path / "p.db"
    _store_at(path, "0002")
    writer = sqlite3.connect(path, isolation_level=None)  # keeps its rows in the WAL, not checkpointed
    writer.execute("PRAGMA journal_mode = WAL")
    writer.execute("PRAGMA wal_autocheckpoint = 0")
    _journal_row(writer, "run-in-wal")

    with capture_logs() as events:
        store = Store(path)
    assert store.first(text("SELECT version_num FROM alembic_version"))[0] == head_revision()
    store.close()
    writer.close()

    backup = tmp_path / "p.db.bak-0002"
    assert backup.exists() and backup.stat().st_mode & 0o777 == 0o600
    copy = sqlite3.connect(backup)
    assert copy.execute("SELECT version_num FROM alembic_version").fetchall() == [("0002",)]
    assert copy.execute("SELECT run_id FROM journal").fetchall() == [("run-in-wal",)]
    copy.close()
    assert sorted(p.name for p in tmp_path.iterdir() if ".bak-" in p.name) == ["p.db.bak-0002"]

    lines = _migrated(events)
    assert len(lines) == 1
    assert lines[0] == {
        "event": "store.migrated",
        "log_level": "warning",  # seen at --log-level warning too (tester round 119, 4)
        "from": "0002",
        "to": head_revision(),
        "backup": str(backup),
    }

    with capture_logs() as again:  # at head now: nothing copied, nothing said
        Store(path).close()
    assert not _migrated(again)


@pytest.mark.sqlite_only("the .bak-<rev> copy of a SQLite file")
def test_a_store_from_before_alembic_is_copied_as_bak_none(tmp_path):
    path = tmp_path / "old.db"
    old = make_legacy_store(path, 7)
    _journal_row(old, "legacy")
    old.close()
    with capture_logs() as events:
        Store(path).close()
    backup = tmp_path / "old.db.bak-none"
    copy = sqlite3.connect(backup)
    assert copy.execute("SELECT run_id FROM journal").fetchall() == [("legacy",)]
    assert copy.execute("SELECT name FROM sqlite_master WHERE name = 'alembic_version'").fetchall() == []
    copy.close()
    assert [(e["from"], e["backup"]) for e in _migrated(events)] == [("none", str(backup))]


@pytest.mark.sqlite_only("the .bak-<rev> copy of a SQLite file")
def test_an_older_store_without_data_is_logged_but_not_copied(tmp_path):
    path = tmp_path / "p.db"
    _store_at(path, "0002")
    with capture_logs() as events:
        Store(path).close()
    assert [(e["from"], e["backup"]) for e in _migrated(events)] == [("0002", "none")]
    assert not [p for p in tmp_path.iterdir() if ".bak-" in p.name]


@pytest.mark.sqlite_only("the .bak-<rev> copy of a SQLite file")
def test_new_stores_and_reads_neither_copy_nor_log(tmp_path):
    path = tmp_path / "p.db"
    with capture_logs() as events:
        Store(path).close()  # a new store is created, not migrated
        Store.memory().close()
    assert not _migrated(events)

    older = tmp_path / "older.db"
    _store_at(older, "0002")
    raw = sqlite3.connect(older, isolation_level=None)
    _journal_row(raw, "r")
    raw.close()
    with capture_logs() as read:
        Store(older, read_only=True).close()  # read through an in-memory copy
    assert not _migrated(read)
    assert not [p for p in tmp_path.iterdir() if ".bak-" in p.name]


def test_upgrading_a_postgresql_store_logs_the_line_without_a_copy(postgres_url, tmp_path):
    _store_at(postgres_url, "0002")
    engine = create_engine(postgres_url)
    with engine.begin() as conn:
        conn.exec_driver_sql(
            "INSERT INTO journal (run_id, programme, function, op_kind, op_keys, item_count, state, result,"
            " started_at, finished_at) VALUES ('r', 'p', 'f', 'add_member', '[]', 0, 'ok', NULL,"
            " '2026-09-01T08:00:00', '2026-09-01T08:00:00')"
        )
    engine.dispose()
    with capture_logs() as events:
        Store(postgres_url).close()
    assert [(e["from"], e["to"], e["backup"]) for e in _migrated(events)] == [
        ("0002", head_revision(), "none")
    ]
