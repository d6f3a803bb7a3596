"""Tester round 89b, 4: `lmsync doctor` on an empty PostgreSQL database said "[ok] store: the PostgreSQL
store answers, bound to this site and course": there were no tables and no binding. An empty store is
said to be made by the first run (as SQLite's "(made by the first run)"); a binding only when there is one."""

from __future__ import annotations

import pytest

from lmsync.config import load_config
from lmsync.service.doctor import DoctorReport
from lmsync.service.doctor_checks import store_check
from lmsync.service.stores import open_store
from lmsync.store.db import Store

from .conftest import run_in

EMPTY_PG = "the PostgreSQL database answers and is empty (the store is made by the first run)"
UNBOUND_PG = "the PostgreSQL store answers, bound to no site yet (the first run binds it to this site and course)"
BOUND_PG = "the PostgreSQL store answers, bound to this site and course"


def _config(tmp_path, monkeypatch, target):
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    key = "path" if target == tmp_path / "store.db" else "url"
    path = tmp_path / "lmsync.toml"
    path.write_text(f'[programme]\nname = "mentor-2026"\n[store]\n{key} = "{target}"\n')
    return load_config(path, environ={})


def _store_line(config) -> tuple[str, str]:
    report = DoctorReport()
    store_check(config, report)
    (check,) = [c for c in report.checks if c.name == "store"]
    return check.status, check.detail


@pytest.fixture(params=[
    pytest.param("sqlite", marks=pytest.mark.sqlite_only("a SQLite file on disk, judged by its path")),
    "postgresql",
])
def target(request, tmp_path):
    """Where the store lives, once per engine (PostgreSQL: skipped without LMSYNC_TEST_POSTGRES_URL)."""
    return tmp_path / "store.db" if request.param == "sqlite" else str(request.getfixturevalue("postgres_url"))


def test_round_89b_4_doctor_never_says_an_empty_or_unbound_store_is_bound(target, tmp_path, monkeypatch):
    config = _config(tmp_path, monkeypatch, target)
    postgres = isinstance(target, str)
    status, detail = _store_line(config)  # nothing there yet: no tables, no binding
    assert status == "ok"
    assert detail == (EMPTY_PG if postgres else f"{target} (made by the first run)")
    assert "bound to this site" not in detail
    Store(target).close()  # the tables, no binding (a migration alone binds nothing)
    status, detail = _store_line(config)
    assert (status, detail) == ("ok", UNBOUND_PG if postgres else str(target))
    open_store(config).close()  # what a first run does: binds it to this site and course
    status, detail = _store_line(config)
    assert (status, detail) == ("ok", BOUND_PG if postgres else str(target))


def test_round_89b_4_the_cli_doctor_on_an_empty_postgresql_database(cli_home, postgres_url):
    (cli_home / "lmsync.toml").write_text(f'[programme]\nname = "mentor-2026"\n[store]\nurl = "{postgres_url}"\n')
    result = run_in(cli_home, "doctor")
    assert result.exit_code == 0, result.output
    assert f"[ok  ] store: {EMPTY_PG}" in result.output.splitlines()
    assert "bound to this site" not in result.output
