"""Tester round 20, 2: a read-only state folder, a store lmsync may not write and a SQLite file
damaged on disk ended with a traceback and exit 1 ("the next run retries"); they are exit 2 now,
naming the file and the fix."""

from __future__ import annotations

import errno
import sqlite3

import pytest
from click.testing import CliRunner
from sqlalchemy.exc import DatabaseError, OperationalError

from lmsync.cli import main
from lmsync.store.problems import admin_problem


def test_a_read_only_folder_names_the_file_and_the_fix():
    problem = admin_problem(OSError(errno.EROFS, "Read-only file system", "/srv/state/lmsync/p.lock"))
    assert problem is not None and problem.exit_code == 2
    assert "cannot write /srv/state/lmsync/p.lock: Read-only file system" in problem.message
    assert "writable" in str(problem.hint)


def test_a_damaged_or_read_only_sqlite_store_is_an_admins_problem():
    damaged = admin_problem(DatabaseError("select", {}, sqlite3.DatabaseError("database disk image is malformed")))
    assert damaged is not None and damaged.exit_code == 2 and "damaged" in damaged.message
    assert "backup" in str(damaged.hint)
    read_only = admin_problem(OperationalError("insert", {}, sqlite3.OperationalError("attempt to write a readonly database")))
    assert read_only is not None and "cannot be written" in read_only.message


@pytest.mark.parametrize("exc", [ValueError("x"), OSError(errno.ECONNREFUSED, "refused"), sqlite3.OperationalError("database is locked")])
def test_other_failures_are_left_as_they_were(exc):
    assert admin_problem(exc) is None


def test_a_command_on_a_read_only_state_folder_exits_2_without_a_traceback(tmp_path, monkeypatch):
    from lmsync.service import runtime

    def read_only(*_args, **_kwargs):
        raise OSError(errno.EROFS, "Read-only file system", str(tmp_path / "state" / "p.lock"))

    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(runtime, "programme_lock", read_only)
    result = CliRunner().invoke(main, ["sync"])
    assert result.exit_code == 2, result.output
    assert "cannot write" in result.output and "Read-only file system" in result.output
    assert "Traceback" not in result.output


@pytest.mark.sqlite_only("a SQLite file whose pages a disk overwrote")
def test_round_22_1_a_store_with_damaged_pages_is_refused_before_any_write_to_moodle(tmp_path, monkeypatch):
    import os

    from lmsync.config import load_config
    from lmsync.errors import ConfigError
    from lmsync.moodle.emulator.demo import build_demo_site
    from lmsync.service.jobs import sync_job

    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    store = tmp_path / "s.db"
    path = tmp_path / "lmsync.toml"
    path.write_text(f'[programme]\nname = "mentor-2026"\n[store]\npath = "{store}"\n')
    config = load_config(path, environ={})
    assert sync_job(config, site=build_demo_site()).converged
    from datetime import date

    from lmsync.domain.instruments import SurveyAnswer
    from lmsync.store.db import Store
    from lmsync.store.surveys import SurveyRepository

    db = Store(store)  # survey answers fill the file's last pages: a table no sync reads
    SurveyRepository(db, "mentor-2026").save(
        (SurveyAnswer(who, "gse", date(2026, 10, 1), f"q{i}", "3", "csv"), "t") for who in range(400) for i in range(10))
    db.close()
    data = bytearray(store.read_bytes())
    pages = len(data) // 4096
    assert pages > 40  # the probe can fail
    for n in range(pages - 12, pages - 2):  # pages of that table, as the tester's dd overwrote some
        data[n * 4096:(n + 1) * 4096] = os.urandom(4096)
    store.write_bytes(bytes(data))
    fresh = build_demo_site()
    before = (len(fresh.groups), sum(len(g.members) for g in fresh.groups.values()))
    with pytest.raises(ConfigError, match="damaged|not an lmsync store") as info:
        sync_job(config, site=fresh)
    assert str(store) in str(info.value)
    assert (len(fresh.groups), sum(len(g.members) for g in fresh.groups.values())) == before  # nothing written
    # a read too: plan said "no changes" and queue list "empty", exit 0, on the damaged store (round 33, 4)
    from lmsync.service.jobs import plan_job
    from lmsync.service.stores import open_store

    with pytest.raises(ConfigError, match="damaged|not an lmsync store"):
        plan_job(config)
    with pytest.raises(ConfigError, match="damaged|not an lmsync store"):
        open_store(config, read_only=True)


@pytest.mark.parametrize("exc", [
    OSError(errno.ENOSPC, "No space left on device"),
    OSError(errno.EDQUOT, "Disk quota exceeded", "/srv/state/lmsync/p.db"),
    OperationalError("insert", {}, sqlite3.OperationalError("database or disk is full")),
])
def test_round_31_4_a_full_disk_is_an_admins_problem_not_a_retry(exc):
    problem = admin_problem(exc)
    assert problem is not None and problem.exit_code == 2
    assert "free space" in str(problem.hint)


def test_round_31_4_run_on_a_full_disk_exits_2_without_a_traceback(tmp_path, monkeypatch):
    from lmsync.service import runtime

    def full(*_args, **_kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")  # as os.write of the lock file raised it

    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(runtime, "programme_lock", full)
    for args in (["run"], ["--log-format", "json", "run"]):
        result = CliRunner().invoke(main, args)
        assert result.exit_code == 2, result.output
        assert "No space left on device" in result.output and "Traceback" not in result.output
