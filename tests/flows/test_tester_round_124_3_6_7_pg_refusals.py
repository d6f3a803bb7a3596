"""Tester round 124, 3, 6 and 7: what a PostgreSQL server that answered refuses is the admin's to fix (exit 2).

3: a role that may only read the store passed doctor; ``lmsync health``, ``meetings add`` and the other writing
commands died with a traceback (InsufficientPrivilege), and a run's step said ``failed`` with the driver's text,
exit 1. Now one line naming the store and the missing privilege, the GRANT (or the service's role), exit 2; the
run's step exit 2 as every store problem an admin must fix (``step_failure``); doctor FAILs the role.
6: a role without CREATE on its schema passed doctor ("empty, made by the first run"); the first run then failed.
7: a view named like an lmsync table, or a ``search_path`` naming no schema that exists: doctor said "empty", the run
"cannot be reached ... check that the database server runs", exit 1 (a daemon retried for ever).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.engine import make_url

from lmsync.config import load_config
from lmsync.errors import ConfigError
from lmsync.service.cycle_result import step_failure
from lmsync.service.doctor import DoctorReport
from lmsync.service.doctor_checks import store_check
from lmsync.store import schema
from lmsync.store.db import Store

from .conftest import run_in, run_sql


def _schema(url: str) -> str:
    return str(make_url(url).query["options"]).split("=", 1)[1]


@pytest.fixture
def role(postgres_url: str) -> Iterator[str]:
    """A new login role of the test server (no password: as the test server's own), with USAGE on the test's schema
    only; dropped with whatever it was granted afterwards."""
    name = f"lmsync_r_{uuid.uuid4().hex[:10]}"
    run_sql(postgres_url, f"CREATE ROLE {name} LOGIN", f'GRANT USAGE ON SCHEMA "{_schema(postgres_url)}" TO {name}')
    try:
        yield name
    finally:
        run_sql(postgres_url, f"DROP OWNED BY {name}", f"DROP ROLE {name}")


def _as(url: str, role: str) -> str:
    return make_url(url).set(username=role, password=None).render_as_string(hide_password=False)


def _store_line(tmp_path: Any, monkeypatch: pytest.MonkeyPatch, url: str) -> tuple[str, str, str]:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    (tmp_path / "lmsync.toml").write_text(f'[programme]\nname = "mentor-2026"\n[store]\nurl = "{url}"\n')
    report = DoctorReport()
    store_check(load_config(tmp_path / "lmsync.toml", environ={}), report)
    (check,) = [c for c in report.checks if c.name == "store"]
    return check.status, check.detail, check.fix or ""


def test_round_124_3_a_read_only_role_is_told_the_grant_exit_2_not_a_traceback(postgres_url, role, tmp_path,
                                                                             monkeypatch):
    Store(postgres_url).close()  # the service's role makes the store
    run_sql(postgres_url, f'GRANT SELECT ON ALL TABLES IN SCHEMA "{_schema(postgres_url)}" TO {role}')
    reader = _as(postgres_url, role)
    store = Store(reader)
    try:
        assert store.first(select(schema.meetings.c.id)) is None  # it may read
        with pytest.raises(ConfigError) as refused:
            store.bind("emulator", "MENTOR-2026")
    finally:
        store.close()
    error = refused.value
    assert error.exit_code == 2
    assert f"the store {make_url(reader).render_as_string(hide_password=True)} refuses the role {role}" in error.message
    assert "permission denied for table store_binding" in error.message
    assert f'GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {_schema(postgres_url)} TO {role}' in (error.hint or "")
    step = step_failure("health", error)  # the run's step line: exit 2, the fix on it
    assert step.exit_code == 2 and "refuses the role" in step.summary and "(fix: GRANT" in step.summary
    status, detail, fix = _store_line(tmp_path, monkeypatch, reader)  # doctor passed it
    assert status == "fail" and f"refuses the role {role}" in detail and "may not write" in detail
    assert f"TO {role}" in fix
    assert _store_line(tmp_path, monkeypatch, postgres_url)[0] == "ok"  # the service's role passes


def test_round_124_3_the_cli_says_one_line_exit_2(postgres_url, role, cli_home):
    (cli_home / "lmsync.toml").write_text(f'[programme]\nname = "mentor-2026"\n[store]\nurl = "{postgres_url}"\n')
    assert run_in(cli_home, "sync").exit_code == 0  # the service's role makes the store and the pairs
    run_sql(postgres_url, f'GRANT SELECT ON ALL TABLES IN SCHEMA "{_schema(postgres_url)}" TO {role}')
    (cli_home / "lmsync.toml").write_text(
        f'[programme]\nname = "mentor-2026"\n[store]\nurl = "{_as(postgres_url, role)}"\n')
    result = run_in(cli_home, "health")  # the coordinator's daily view records a snapshot
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output and (result.exception is None or isinstance(result.exception, SystemExit))
    assert "permission denied for table health_snapshots" in result.output and "GRANT SELECT, INSERT" in result.output


def test_round_124_6_a_role_without_create_on_its_schema(postgres_url, role, tmp_path, monkeypatch):
    url = _as(postgres_url, role)
    status, detail, fix = _store_line(tmp_path, monkeypatch, url)
    assert status == "fail", detail  # was "ok ... empty (the store is made by the first run)"
    assert f"GRANT USAGE, CREATE ON SCHEMA {_schema(postgres_url)} TO {role}" in fix
    with pytest.raises(ConfigError) as refused:  # the first run
        Store(url)
    assert "permission denied for schema" in refused.value.message
    assert f"GRANT USAGE, CREATE ON SCHEMA {_schema(postgres_url)} TO {role}" in (refused.value.hint or "")


def test_round_124_7_a_view_named_like_a_table_is_the_admins_not_a_retry(postgres_url, tmp_path, monkeypatch):
    run_sql(postgres_url, "CREATE VIEW meetings AS SELECT 1 AS id")
    status, detail, _fix = _store_line(tmp_path, monkeypatch, postgres_url)
    assert status == "fail" and 'relation "meetings" is not a table' in detail, detail
    with pytest.raises(ConfigError) as refused:  # was PartialFailure, exit 1, "check that the database server runs"
        Store(postgres_url)
    assert refused.value.exit_code == 2
    assert "not lmsync's table" in refused.value.message and "server runs" not in (refused.value.hint or "")


def test_round_124_7_a_search_path_naming_no_schema(postgres_url, tmp_path, monkeypatch):
    url = make_url(postgres_url).update_query_dict(
        {"options": f"-csearch_path=nosuch_{uuid.uuid4().hex[:8]}"}).render_as_string(hide_password=False)
    status, detail, _fix = _store_line(tmp_path, monkeypatch, url)
    assert status == "fail" and "no schema to make its tables in" in detail, detail
    with pytest.raises(ConfigError) as refused:
        Store(url)
    assert refused.value.exit_code == 2 and "search_path" in refused.value.message
