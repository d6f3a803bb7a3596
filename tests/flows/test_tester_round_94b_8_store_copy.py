"""Tester round 94b, 8: moving a programme's store from SQLite to PostgreSQL lost its history. A sync with
the new URL was refused (exit 2: no record of the circles), ``--store-takes-over`` then left ``meetings
list`` empty, and nothing copied the old file over. ``lmsync store copy --to TARGET`` copies every table
and row into a new, empty store and checks the counts; a target holding any row is refused (exit 3)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import text

from lmsync.cli import main
from lmsync.errors import EXIT_INPUT
from lmsync.store.copy import row_counts
from lmsync.store.db import Store

from .conftest import run_in


def _lived_in(home: Any) -> tuple[str, str]:
    """``home``'s demo programme synced and one meeting imported; its mentor and mentee."""
    assert run_in(home, "sync").exit_code == 0
    first = json.loads(run_in(home, "match", "--format", "json").stdout)["assignments"][0]
    csv = home / "meetings.csv"
    csv.write_text(f"date,mentor,mentee,minutes,attended\n2026-10-03,{first['mentor']},{first['mentee']},45,yes\n")
    imported = run_in(home, "import", "meetings", str(csv))
    assert imported.exit_code == 0, imported.output
    return first["mentor"], first["mentee"]


def _store_path(home: Any) -> Any:
    from lmsync.config import load_config

    return load_config(home / "lmsync.toml").store_path()


def _config_at(home: Any, name: str, key: str, target: Any) -> Any:
    path = home / name
    path.write_text(f'[programme]\nname = "mentor-2026"\npeer_mentor_cohort = "peer-mentors-2026"\n'
                    f'[store]\n{key} = "{target}"\n')
    return path


def _run(config: Any, *args: str) -> Any:
    return CliRunner().invoke(main, ["--log-level", "warning", "--config", str(config), *args])


def _copied_store_is_the_programme(config: Any, mentee: str) -> None:
    listed = _run(config, "meetings", "list", "--person", mentee, "--format", "json")
    assert listed.exit_code == 0, listed.output
    rows = json.loads(listed.stdout)
    assert [r["date"] for r in (rows["meetings"] if isinstance(rows, dict) else rows)] == ["2026-10-03"]
    plan = _run(config, "plan")
    assert plan.exit_code == 0, plan.output
    assert "store-takes-over" not in plan.output and "no record" not in plan.output


@pytest.mark.sqlite_only("copies one SQLite file into another, judged by their paths")
def test_tester_round_94b_8_store_copy_keeps_the_history(demo_home):
    _, mentee = _lived_in(demo_home)
    source = Store(_store_path(demo_home), read_only=True)
    expected = row_counts(source)
    source.close()
    target = demo_home / "moved" / "mentor-2026.db"
    target.parent.mkdir()  # a folder store copy never makes (tester round 95b, store copy 3)
    copied = run_in(demo_home, "store", "copy", "--to", str(target))
    assert copied.exit_code == 0, copied.output
    assert f"to {target}" in copied.output and "the row counts of the copy match" in copied.output
    assert "[store] path (or LMSYNC_STORE_PATH)" in copied.output
    copy = Store(target, read_only=True)
    assert row_counts(copy) == expected and expected["meetings"] == 1 and expected["journal"] > 0
    assert copy.binding() is not None and copy.binding().course == "MENTOR-2026"
    copy.close()
    _copied_store_is_the_programme(_config_at(demo_home, "moved.toml", "path", target), mentee)

    again = run_in(demo_home, "store", "copy", "--to", str(target))  # a store with data is never copied over
    assert again.exit_code == EXIT_INPUT, again.output
    assert "is not empty" in again.output and "nothing was copied" in again.output
    itself = run_in(demo_home, "store", "copy", "--to", str(_store_path(demo_home)))
    assert itself.exit_code == EXIT_INPUT and "the configured store itself" in itself.output


def test_tester_round_94b_8_store_copy_refuses_a_missing_source(cli_home):
    (cli_home / "lmsync.toml").write_text('[programme]\nname = "mentor-2026"\n[store]\npath = "typo.db"\n')
    result = run_in(cli_home, "store", "copy", "--to", str(cli_home / "copy.db"))
    assert result.exit_code == EXIT_INPUT, result.output
    assert "there is no store at" in result.output
    assert not (cli_home / "typo.db").exists() and not (cli_home / "copy.db").exists()


def test_tester_round_94b_8_store_copy_into_postgresql(demo_home, postgres_url):
    _, mentee = _lived_in(demo_home)
    copied = run_in(demo_home, "store", "copy", "--to", postgres_url)
    assert copied.exit_code == 0, copied.output
    assert "[store] url (or LMSYNC_STORE_URL)" in copied.output
    config = _config_at(demo_home, "moved.toml", "url", postgres_url)
    _copied_store_is_the_programme(config, mentee)
    copy = Store(postgres_url)
    try:  # each id sequence is past the copied ids: the next journal or queue row does not collide
        for table in ("journal", "coordinator_queue"):
            high = copy.scalar(text(f"SELECT coalesce(max(id), 0) FROM {table}"))
            assert copy.scalar(text(f"SELECT nextval(pg_get_serial_sequence('{table}', 'id'))")) > high
        assert row_counts(copy)["journal"] > 0 and row_counts(copy)["meetings"] == 1
    finally:
        copy.close()
    refused = run_in(demo_home, "store", "copy", "--to", postgres_url)
    assert refused.exit_code == EXIT_INPUT and "is not empty" in refused.output
