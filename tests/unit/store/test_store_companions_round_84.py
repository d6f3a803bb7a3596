"""Tester round 84, 1: an admin made the store read-only (0400); a read (`queue list`) then left SQLite's `-shm`
(and `-wal`) at 0400, SQLite making them with the store file's mode. With the store writable again, every writer
failed "attempt to write a readonly database", pointing at the store file, and `lmsync run` failed its steps on
every run. A writer opening the store makes them owner-read-write first, as it makes the store file."""

from __future__ import annotations

import stat
from datetime import date
from pathlib import Path

import pytest

from lmsync.domain.meetings import Meeting
from lmsync.store.db import Store
from lmsync.store.meetings import MeetingRepository


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.sqlite_only("SQLite's -wal and -shm beside a store file")
def test_a_read_of_a_read_only_store_leaves_no_companion_a_later_writer_cannot_write(tmp_path: Path) -> None:
    path = tmp_path / "prog.db"
    writer = Store(path)
    MeetingRepository(writer, "p").save([(Meeting(date(2026, 10, 1), 66, 3, 30, True, "csv"), "cli")])
    writer.close()
    path.chmod(0o400)  # the admin freezes it
    reader = Store(path, read_only=True)
    assert len(MeetingRepository(reader, "p").meetings()) == 1
    companions = [Path(f"{path}-wal"), Path(f"{path}-shm")]
    left = [c for c in companions if c.exists()]
    assert left and all(mode(c) == 0o400 for c in left), "SQLite no longer copies the mode: this test needs a rethink"
    path.chmod(0o600)  # and thaws it
    writer = Store(path)
    MeetingRepository(writer, "p").save([(Meeting(date(2026, 10, 2), 66, 3, 30, True, "csv"), "cli")])
    writer.close()
    reader.close()
    assert mode(path) == 0o600
    assert all(mode(c) == 0o600 for c in companions if c.exists())
