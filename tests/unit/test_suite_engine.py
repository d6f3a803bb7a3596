"""Issue 12: the suite's PostgreSQL pass (lmsync.store.suite_engine) puts every store in PostgreSQL.

These tests turn the switch on themselves (with a run token of their own, whose schemas they
drop), so they prove it on the normal pass too; they need ``LMSYNC_TEST_POSTGRES_URL``
(skipped without it, failed under ``CI=true``, like every PostgreSQL test).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import create_engine, text

from lmsync.cli import main
from lmsync.domain.meetings import Meeting
from lmsync.store import suite_engine
from lmsync.store.db import Store
from lmsync.store.meetings import MeetingRepository
from tests.conftest import postgres_base_url

MEETING = Meeting(date(2026, 10, 1), 66, 3, 30, True, "csv")


@pytest.fixture
def switch_on(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The switch on with a run token of this test's own; yields the token, drops its schemas."""
    database = postgres_base_url()
    run = f"own{uuid.uuid4().hex[:8]}"
    monkeypatch.setenv(suite_engine.SWITCH, "postgresql")
    monkeypatch.setenv(suite_engine.DATABASE, database)
    monkeypatch.setenv(suite_engine.RUN, run)
    yield run
    suite_engine.drop_schemas(database, f"{suite_engine.PREFIX}{run}_")


def schemas_of(run: str) -> list[str]:
    engine = create_engine(postgres_base_url())
    try:
        with engine.connect() as conn:
            query = text("SELECT nspname FROM pg_namespace WHERE starts_with(nspname, :p) ORDER BY nspname")
            return list(conn.execute(query, {"p": f"{suite_engine.PREFIX}{run}_"}).scalars())
    finally:
        engine.dispose()


def meetings_at(target: Path | str) -> list[Meeting]:
    store = Store(target)
    try:
        return [stored.meeting for stored in MeetingRepository(store, "p").find()]
    finally:
        store.close()


def test_without_the_switch_a_path_stays_a_sqlite_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(suite_engine.SWITCH, raising=False)
    path = tmp_path / "p.db"
    assert suite_engine.redirect(path) is path
    store = Store(path)
    assert store.dialect == "sqlite" and store.where == str(path)
    store.close()
    assert path.read_bytes().startswith(b"SQLite format 3")


def test_a_path_is_one_schema_reopened_with_its_data_and_forgotten_with_its_file(switch_on, tmp_path):
    path = tmp_path / "state" / "p.db"
    store = Store(path)
    assert store.dialect == "postgresql" and store.where == str(path)  # messages still name the path
    MeetingRepository(store, "p").save([(MEETING, None)])
    store.close()
    assert path.read_text().startswith(suite_engine.MARKER) and path.stat().st_mode & 0o077 == 0
    assert len(schemas_of(switch_on)) == 1

    assert meetings_at(path) == [MEETING]  # the same schema again
    assert meetings_at(tmp_path / "other.db") == []  # another path, another schema
    path.unlink()
    assert meetings_at(path) == []  # deleting the file forgets the store, as on SQLite
    assert len(schemas_of(switch_on)) == 3


def test_a_read_of_a_missing_path_writes_no_file_and_memory_is_fresh_each_time(switch_on, tmp_path):
    path = tmp_path / "p.db"
    reader = Store(path, read_only=True)
    assert MeetingRepository(reader, "p").find() == [] and reader.binding() is None
    reader.close()
    assert not path.exists()

    first = Store.memory()
    assert first.dialect == "postgresql"
    MeetingRepository(first, "p").save([(MEETING, None)])
    second = Store.memory()
    assert MeetingRepository(second, "p").find() == []
    first.close()
    second.close()


def test_a_real_sqlite_file_is_refused_with_the_marker_to_use(switch_on, tmp_path, monkeypatch):
    path = tmp_path / "real.db"
    monkeypatch.delenv(suite_engine.SWITCH)
    Store(path).close()  # a real SQLite file
    monkeypatch.setenv(suite_engine.SWITCH, "postgresql")
    with pytest.raises(RuntimeError, match="sqlite_only"):
        Store(path)


def test_the_switch_without_its_run_token_is_an_error(switch_on, tmp_path, monkeypatch):
    monkeypatch.delenv(suite_engine.RUN)
    with pytest.raises(RuntimeError, match=suite_engine.RUN):
        Store(tmp_path / "p.db")


def test_a_cli_run_in_process_and_in_a_subprocess_share_the_paths_schema(switch_on, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    config = tmp_path / "lmsync.toml"
    store_path = tmp_path / "store.db"
    config.write_text(f'[programme]\nname = "p"\n[store]\npath = "{store_path}"\n')
    assert CliRunner().invoke(main, ["--config", str(config), "sync"]).exit_code == 0  # a pair (FIX-C 1)
    matched = CliRunner().invoke(main, ["--config", str(config), "match", "--format", "json"]).stdout
    pair = json.loads(matched[matched.index("{"):])["assignments"][0]
    added = CliRunner().invoke(
        main,
        ["--config", str(config), "meetings", "add", "--date", "2026-10-01", "--mentor", pair["mentor"],
         "--mentee", pair["mentee"], "--minutes", "30"],
    )
    assert added.exit_code == 0, added.output
    assert store_path.read_text().startswith(suite_engine.MARKER)

    listed = subprocess.run(
        [sys.executable, "-m", "lmsync", "--config", str(config), "meetings", "list", "--format", "json"],
        capture_output=True, text=True, env=dict(os.environ), timeout=120, check=False,
    )
    assert listed.returncode == 0, listed.stderr
    assert '"minutes": 30' in listed.stdout
    assert len(schemas_of(switch_on)) == 1


def test_tester_finding_fix_c_6_the_switch_left_on_outside_the_suite_is_one_line_exit_2(tmp_path, monkeypatch):
    """``LMSYNC_TEST_STORE=postgresql`` left in a shell: one line saying to unset it, exit 2, no traceback."""
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.setenv(suite_engine.SWITCH, "postgresql")
    monkeypatch.delenv(suite_engine.RUN, raising=False)
    config = tmp_path / "lmsync.toml"
    config.write_text(f'[programme]\nname = "p"\n[store]\npath = "{tmp_path / "store.db"}"\n')
    # plan opens the store when there is none (queue list refuses first: tester round 77, 6)
    result = CliRunner().invoke(main, ["--config", str(config), "plan"])
    assert result.exit_code == 2 and result.exc_info is not None and result.exc_info[0] is SystemExit
    assert "test-only variable" in result.stderr and f"unset {suite_engine.SWITCH}" in result.stderr
    assert "Traceback" not in result.output and not (tmp_path / "store.db").exists()
