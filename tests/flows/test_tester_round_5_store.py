"""Tester round 5, findings 1, 2, 3, 9b and 10: nothing lmsync writes replaces a SQLite database,
and the store opens only a file that is (or may become) an lmsync store."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from lmsync.cli import main
from lmsync.errors import ConfigError
from lmsync.store.db import Store


def invoke(*args: str, env: dict[str, str] | None = None) -> Any:
    return CliRunner().invoke(main, ["--log-level", "warning", *args], env=env)


@pytest.fixture
def store(cli_home: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The emulator programme's SQLite store, after one sync made it."""
    monkeypatch.delenv("LMSYNC_STORE_PATH", raising=False)
    monkeypatch.delenv("LMSYNC_STORE_URL", raising=False)
    monkeypatch.delenv("LMSYNC_REPORT_PATH", raising=False)
    assert invoke("sync").exit_code == 0
    path = cli_home / "state" / "lmsync" / "emulator" / "mentoring-2026.db"
    assert path.exists()
    return path


@pytest.mark.sqlite_only("a SQLite store file")
@pytest.mark.parametrize("args", [("init", "--no-input"), ("config", "reference")])
def test_tester_round_5_1_no_out_replaces_a_sqlite_database_even_with_force(store: Path, args: tuple[str, ...]) -> None:
    """Tester round 5, 1: init and config reference load no programme, yet --out naming a SQLite
    file (the store) is refused with exit 3 even with --force, and the file is unchanged."""
    before = store.read_bytes()
    result = invoke(*args, "--out", str(store), "--force")
    assert result.exit_code == 3, result.output
    assert f"{store} is a SQLite database (an lmsync store?); not overwritten" in result.output
    assert "another file" in result.output
    assert store.read_bytes() == before


@pytest.mark.sqlite_only("a SQLite store file")
def test_tester_round_5_2_the_cycle_report_never_replaces_the_store(store: Path) -> None:
    """Tester round 5, 2: [report] path naming the store fails the report step, naming [report] path;
    the store is still a store."""
    result = invoke("run", env={"LMSYNC_REPORT_PATH": str(store)})
    assert "[report] path" in result.output and "is this programme's store" in result.output, result.output
    assert store.read_bytes().startswith(b"SQLite format 3\x00")
    assert invoke("queue", "list").exit_code == 0


def test_tester_round_5_3_csv_report_refuses_existing_files_and_an_empty_out(store: Path, cli_home: Path) -> None:
    """Tester round 5, 3: --format csv refuses a folder holding the report's files without --force
    (naming the first and how many), never writes over a SQLite file there, and refuses --out ""."""
    folder = cli_home / "tables"
    folder.mkdir()
    assert invoke("report", "--format", "csv", "--out", str(folder)).exit_code == 0
    summary = folder / "summary.csv"
    summary.write_text("mine\n")
    again = invoke("report", "--format", "csv", "--out", str(folder))
    assert again.exit_code == 3, again.output
    assert "exists (" in again.output and "files to write exist" in again.output and "--force" in again.output
    assert summary.read_text() == "mine\n"
    assert invoke("report", "--format", "csv", "--out", str(folder), "--force").exit_code == 0
    assert summary.read_text() != "mine\n"
    db = sorted(folder.glob("*.csv"))[-1]
    db.unlink()
    sqlite3.connect(db).execute("CREATE TABLE t (x)").connection.close()
    forced = invoke("report", "--format", "csv", "--out", str(folder), "--force")
    assert forced.exit_code == 3 and "is a SQLite database" in forced.output, forced.output
    assert db.read_bytes().startswith(b"SQLite format 3\x00")
    empty = invoke("report", "--format", "csv", "--out", "")
    assert empty.exit_code == 3 and "--out is empty" in empty.output, empty.output
    assert not (cli_home / "summary.csv").exists()


@pytest.mark.sqlite_only("a SQLite store path that is a folder")
def test_tester_round_5_9b_a_store_path_that_is_a_folder_is_a_config_error(cli_home: Path) -> None:
    """Tester round 5, 9b: a folder as the store is a ConfigError naming it, not a disk I/O error."""
    folder = cli_home / "dir.db"
    folder.mkdir()
    for read_only in (False, True):
        with pytest.raises(ConfigError, match="is a folder, not a store file"):
            Store(folder, read_only=read_only)
    result = invoke("queue", "list", env={"LMSYNC_STORE_PATH": str(folder)})
    assert result.exit_code == 2 and "is a folder, not a store file" in result.output, result.output
    for command in (("sync",), ("meetings", "add", "--mentor", "m0001", "--mentee", "s0001", "--date", "2026-11-20", "--minutes", "30")):  # round 82a, 9
        result = invoke(*command, env={"LMSYNC_STORE_PATH": str(folder)})
        assert result.exit_code == 2 and "is a folder, not a store file" in result.output, result.output
        assert not folder.with_suffix(".lock").exists(), "a lock file was left beside the refused folder"


def test_round_82a_9_a_store_path_ending_in_a_slash_names_a_folder_and_is_refused(cli_home: Path) -> None:
    """Round 82a, 9: `LMSYNC_STORE_PATH=/srv/lmsync/` (or `[store] path = "data/"`) made a store *file* named
    like the folder meant; it is refused, naming the key, and nothing is made."""
    meant = cli_home / "meant"
    result = invoke("sync", env={"LMSYNC_STORE_PATH": f"{meant}/"})
    assert result.exit_code == 2 and "LMSYNC_STORE_PATH" in result.output and "names a folder" in result.output, result.output
    config = cli_home / "slash.toml"
    config.write_text('[programme]\nname = "p"\n[store]\npath = "data/"\n')
    result = invoke("--config", str(config), "sync")
    assert result.exit_code == 2 and "store.path (line 4)" in result.output and "names a folder" in result.output, result.output
    assert not meant.exists() and not (cli_home / "data").exists() and not (cli_home / "meant.lock").exists()


@pytest.mark.sqlite_only("a SQLite file of another application")
def test_tester_round_5_10_another_applications_database_is_not_a_store(cli_home: Path) -> None:
    """Tester round 5, 10: a SQLite file with tables, none lmsync's, is refused (nothing written into
    it); an empty database still becomes a store, an empty file no longer (tester round 77, 9)."""
    other = cli_home / "other.db"
    conn = sqlite3.connect(other)
    conn.executescript("CREATE TABLE photos (id); CREATE TABLE albums (id);")
    conn.close()
    for read_only in (False, True):
        with pytest.raises(ConfigError, match="it holds 2 tables of another application") as caught:
            Store(other, read_only=read_only)
        assert "[store] path" in (caught.value.hint or "")
    conn = sqlite3.connect(other)
    assert sorted(r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")) == ["albums", "photos"]
    conn.close()
    empty_file = cli_home / "empty.db"
    empty_file.touch()
    with pytest.raises(ConfigError, match="is not an lmsync store: the file is empty"):
        Store(empty_file)
    empty_db = cli_home / "empty2.db"
    sqlite3.connect(empty_db).execute("PRAGMA user_version = 1").connection.close()
    made = Store(empty_db)
    assert "store_binding" in made.tables()
    made.close()
