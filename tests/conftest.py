"""Fixtures shared by every test directory: the store engines (issue 12).

``store_target`` is parametrised over SQLite (a file in ``tmp_path``) and PostgreSQL (a
fresh schema in the database ``LMSYNC_TEST_POSTGRES_URL`` names, dropped afterwards).
Without that variable the PostgreSQL cases skip with the reason; under ``CI=true`` they
fail instead, so CI can never pass without having run them.

The PostgreSQL pass (``LMSYNC_TEST_STORE=postgresql`` with ``LMSYNC_TEST_POSTGRES_URL``; README,
Development) runs the whole suite with every store in PostgreSQL: ``Store(path)``, a config's
``[store] path`` and the CLI, in process or in a subprocess, all open one schema per SQLite path
(lmsync.store.suite_engine). Each test gets a run token (``LMSYNC_TEST_STORE_RUN``) naming its
schemas, dropped when it ends. A test about SQLite itself is marked
``@pytest.mark.sqlite_only("why")`` and skips on that pass with the reason. A test about PostgreSQL's
server itself (its sessions, its advisory locks) is marked ``@pytest.mark.postgresql_pass("why")``: it runs
on that pass only and is deselected (not skipped) on the other, so under ``CI=true`` it never skips.
"""

from __future__ import annotations

import gc
import itertools
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.exc import OperationalError

from lmsync.store import suite_engine
from tests.session_clock import keep_one_day

POSTGRES_ENV = "LMSYNC_TEST_POSTGRES_URL"
SESSION_RUN = uuid.uuid4().hex[:6]
_test_numbers = itertools.count(1)
_ONE_DAY = keep_one_day()  # before any test module takes its TODAY (tests/session_clock.py)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "sqlite_only(reason): a test about SQLite itself; skips on the PostgreSQL pass (LMSYNC_TEST_STORE=postgresql)",
    )
    config.addinivalue_line(
        "markers",
        "postgresql_pass(reason): a test about the PostgreSQL server itself; runs on the PostgreSQL pass only "
        "(LMSYNC_TEST_STORE=postgresql), deselected on the other",
    )
    if suite_engine.active():
        if not os.environ.get(POSTGRES_ENV):
            raise pytest.UsageError(f"LMSYNC_TEST_STORE=postgresql needs {POSTGRES_ENV}, the test database's URL")
        os.environ[suite_engine.RUN] = SESSION_RUN  # stores opened outside a test (wider fixtures)


def pytest_unconfigure(config: pytest.Config) -> None:
    if suite_engine.active() and os.environ.get(POSTGRES_ENV):
        gc.collect()
        suite_engine.drop_schemas(os.environ[POSTGRES_ENV], f"{suite_engine.PREFIX}{SESSION_RUN}_")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if not suite_engine.active():  # a postgresql_pass test is left to that pass: deselected, never skipped
        elsewhere = [item for item in items if item.get_closest_marker("postgresql_pass") is not None]
        if elsewhere:
            config.hook.pytest_deselected(items=elsewhere)
            items[:] = [item for item in items if item.get_closest_marker("postgresql_pass") is None]
        return
    for item in items:
        marker = item.get_closest_marker("sqlite_only")
        if marker is not None:
            item.add_marker(pytest.mark.skip(reason=f"sqlite_only: {marker.args[0]}"))


@pytest.fixture(autouse=True)
def _stores_in_postgres(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """On the PostgreSQL pass, name this test's schemas by a token of its own; drop them after."""
    if not suite_engine.active():
        yield
        return
    database = os.environ[POSTGRES_ENV]  # read now: a test may clear LMSYNC_* from its environment
    run = f"{SESSION_RUN}_{next(_test_numbers)}"
    monkeypatch.setenv(suite_engine.RUN, run)
    yield
    prefix = f"{suite_engine.PREFIX}{run}_"
    try:  # most tests close their stores: no full collection (some 50 ms a test, minutes a pass)
        suite_engine.drop_schemas(database, prefix, wait="200ms")
    except OperationalError:  # a store left open holds a lock: close it, then drop
        gc.collect()
        suite_engine.drop_schemas(database, prefix)


def postgres_base_url() -> str:
    """The test database URL, or skip (fail under CI=true) when none is configured."""
    url = os.environ.get(POSTGRES_ENV)
    if url:
        return url
    reason = f"PostgreSQL store tests need {POSTGRES_ENV} (e.g. postgresql+psycopg://postgres@127.0.0.1:5432/lmsync_test)"
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason}; CI must run them (.ci/run starts a server)", pytrace=False)
    pytest.skip(reason)


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A URL whose connections see only a fresh, empty schema of the test database."""
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url

    base = make_url(postgres_base_url())
    name = f"lmsync_t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base)
    with admin.begin() as conn:
        conn.exec_driver_sql(f'CREATE SCHEMA "{name}"')
    try:
        yield base.update_query_dict({"options": f"-csearch_path={name}"}).render_as_string(hide_password=False)
    finally:
        with admin.begin() as conn:
            conn.exec_driver_sql(f'DROP SCHEMA "{name}" CASCADE')
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def store_target(request: pytest.FixtureRequest, tmp_path: Path) -> str | Path:
    """Where a store lives, once per engine: a SQLite path, or a PostgreSQL URL."""
    if request.param == "sqlite":
        return tmp_path / "store.db"
    return str(request.getfixturevalue("postgres_url"))


@pytest.fixture(autouse=True)
def _fresh_logging() -> Iterator[None]:
    """No test inherits another's logging set-up.

    A CLI run configures structlog for the process (``--log-level warning`` filters info
    events out); a later test capturing ``nudge.done`` with ``structlog.testing.capture_logs``
    would then see nothing, depending on test order.
    """
    yield
    import structlog

    structlog.reset_defaults()
