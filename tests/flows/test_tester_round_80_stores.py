"""Tester round 80, 1: an Alembic-managed database at ``[store] path`` (another application's, or an lmsync store
from a newer release) was taken for an lmsync store: copied to ``<name>.bak-<its revision>``, made 0600 and WAL,
a lock file left beside it, then a traceback (Alembic's "Can't locate revision") and exit 1. It is refused, exit 2,
and left exactly as it was, with nothing made beside it."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from lmsync.errors import EXIT_ADMIN
from tests.flows.test_tester_round_79_files import as_it_is, home, invoke, said  # noqa: F401 - home: a fixture


def alembic_app(path: Path) -> Path:
    """Another application's database managed by Alembic: its own revision and an ``invoices`` table."""
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL PRIMARY KEY)")
        conn.execute("INSERT INTO alembic_version VALUES ('ae1027a6acf')")
        conn.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL)")
        conn.execute("INSERT INTO invoices (total) VALUES (12.5), (99.0)")
    conn.close()
    path.chmod(0o640)
    return path


def refused_and_left_as_it_was(db: Path, scratch: Path, monkeypatch: pytest.MonkeyPatch, commands: list[tuple[str, ...]],
                               message: str) -> None:
    """``db`` at ``[store] path``: each command exits 2 saying ``message``, and the file, its mode, journal mode and
    the files beside it (no ``.bak-`` copy, lock, ``-wal`` or ``-shm``) stay as they were."""
    shutil.rmtree(scratch, ignore_errors=True)
    before = as_it_is(db, scratch)
    monkeypatch.setenv("LMSYNC_STORE_PATH", str(db))
    for args in commands:
        result = invoke(*args)
        assert result.exit_code == EXIT_ADMIN, (args, result.output)
        assert message in said(result), (args, result.output)
        assert as_it_is(db, scratch) == before, args
        assert sorted(p.name for p in db.parent.iterdir() if p.name.startswith(db.stem)) == [db.name], args


@pytest.mark.sqlite_only("another application's SQLite database at [store] path")
def test_round_80_1_another_alembic_managed_database_is_refused_and_left_as_it_was(
    home: Path, monkeypatch: pytest.MonkeyPatch  # noqa: F811 - the fixture
) -> None:
    folder = home / "apps"
    folder.mkdir()
    db = alembic_app(folder / "billing.db")
    refused_and_left_as_it_was(db, home / "scratch", monkeypatch,
                               [("run",), ("health",), ("sync",), ("person", "export", "s0001"), ("doctor",)],
                               f"the store {db} is not an lmsync store: it holds 2 tables of another application")
    assert sorted(p.name for p in folder.iterdir()) == ["billing.db"]


@pytest.mark.sqlite_only("a copy of the emulator programme's SQLite store")
def test_round_80_1_a_store_a_newer_lmsync_wrote_is_refused_and_left_as_it_was(
    home: Path, monkeypatch: pytest.MonkeyPatch  # noqa: F811 - the fixture
) -> None:
    folder = home / "stores"
    folder.mkdir()
    monkeypatch.setenv("LMSYNC_STORE_PATH", str(folder / "made.db"))
    assert invoke("sync").exit_code == 0
    newer = folder / "newer.db"
    with sqlite3.connect(folder / "made.db") as conn:  # a consistent copy, WAL included
        copy = sqlite3.connect(newer)
        conn.backup(copy)
        copy.execute("PRAGMA journal_mode = DELETE")
        copy.execute("UPDATE alembic_version SET version_num = '0099'")
        copy.commit()
        copy.close()
    conn.close()
    refused_and_left_as_it_was(newer, home / "scratch", monkeypatch,
                               [("health",), ("run",), ("pair", "show", "m0001", "s0008")],
                               "records schema revision '0099', which this lmsync does not know: a newer lmsync made it")
