"""Fixtures shared by every test directory: the store engines (issue 12).

``store_target`` is parametrised over SQLite (a file in ``tmp_path``) and PostgreSQL (a
fresh schema in the database ``LMSYNC_TEST_POSTGRES_URL`` names, dropped afterwards).
Without that variable the PostgreSQL cases skip with the reason; under ``CI=true`` they
fail instead, so CI can never pass without having run them.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

POSTGRES_ENV = "LMSYNC_TEST_POSTGRES_URL"


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
