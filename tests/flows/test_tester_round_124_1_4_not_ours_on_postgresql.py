"""Tester round 124, 1 and 4: a PostgreSQL ``[store] url`` is judged as a SQLite file is.

1: a URL naming another application's database (tables, none of them lmsync's: Moodle's own, on a server shared
with it) had doctor advise "run lmsync sync, it migrates the store", and the sync built lmsync's tables beside
the other application's. Reads, doctor and writes now refuse it, exit 2, in a URL's words, and nothing is made
there; a database holding lmsync's tables and others' stays lmsync's.
4: a store a newer lmsync wrote (a revision this lmsync does not know) had reads and doctor say "run lmsync sync:
it migrates the store", and the sync then refused it in SQLite's words ("the store store", ``.db.bak-*``,
``[store] path``). All now say what the write says, with a PostgreSQL store's fix (its URL, the ``pg_dump``
the README has admins take, ``[store] url``); a SQLite store keeps its words.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, inspect

from lmsync.store.db import Store

from .conftest import run_in, run_sql

READERS_AND_WRITERS = [("doctor",), ("queue", "list"), ("health", "--as-of", "2026-10-01"), ("sync",), ("run",)]


def _said(result: Any) -> str:
    return " ".join(result.output.split())


def _tables(url: str) -> list[str]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return sorted(inspect(conn).get_table_names())
    finally:
        engine.dispose()


def _configured(home: Path, url: str) -> None:
    (home / "lmsync.toml").write_text(f'[programme]\nname = "mentor-2026"\n[store]\nurl = "{url}"\n')


def test_round_124_1_another_applications_postgresql_database_is_refused_and_nothing_is_made(
    cli_home: Path, postgres_url: str
) -> None:
    run_sql(postgres_url, "CREATE TABLE mdl_user (id bigserial PRIMARY KEY, username varchar(100))",
         "CREATE TABLE mdl_course (id bigserial PRIMARY KEY, shortname text)")
    _configured(cli_home, postgres_url)
    for args in READERS_AND_WRITERS:
        result = run_in(cli_home, *args)
        said = _said(result)
        assert result.exit_code == 2, (args, result.output)
        assert "is not an lmsync store: its schema lmsync_t_" in said, (args, result.output)
        assert "holds 2 tables of another application and none of lmsync's; nothing was made there" in said, args
        assert "point [store] url (or LMSYNC_STORE_URL) at a database of lmsync's own" in said, args
        assert "migrates the store" not in said and "[store] path" not in said, args
        assert _tables(postgres_url) == ["mdl_course", "mdl_user"], args  # nothing made there, ever


def test_round_124_1_lmsyncs_tables_beside_anothers_stay_a_store(cli_home: Path, postgres_url: str) -> None:
    Store(postgres_url).close()  # lmsync's store, at this lmsync's revision
    run_sql(postgres_url, "CREATE TABLE mdl_user (id bigserial PRIMARY KEY)")
    _configured(cli_home, postgres_url)
    assert run_in(cli_home, "queue", "list").exit_code == 0
    Store(postgres_url).close()
    # an older lmsync store (no revision recorded yet, the numbered-SQL era's or the migrations' middle) beside it too
    run_sql(postgres_url, "DELETE FROM alembic_version")
    Store(postgres_url).close()
    assert "mdl_user" in _tables(postgres_url)


def test_round_124_4_a_postgresql_store_a_newer_lmsync_wrote_is_refused_alike_by_reads_and_writes(
    cli_home: Path, postgres_url: str
) -> None:
    Store(postgres_url).close()
    run_sql(postgres_url, "UPDATE alembic_version SET version_num = '0999'")
    _configured(cli_home, postgres_url)
    for args in READERS_AND_WRITERS:
        result = run_in(cli_home, *args)
        said = _said(result)
        assert result.exit_code == 2, (args, result.output)
        assert "records schema revision '0999', which this lmsync does not know: a newer lmsync made it" in said, args
        assert "restore the pg_dump of it taken before that upgrade" in said, (args, result.output)
        assert "point [store] url (or LMSYNC_STORE_URL) at a database of lmsync's own" in said, args
        for wrong in ("migrates the store", "the store store", ".db.bak-", "[store] path"):
            assert wrong not in said, (args, wrong, result.output)
        assert postgres_url.split("?")[0] in said, args  # the store named by its URL (no password in the test's)


@pytest.mark.sqlite_only("a SQLite file a newer lmsync wrote")
def test_round_124_4_a_sqlite_store_a_newer_lmsync_wrote_keeps_its_words(cli_home: Path) -> None:
    path = cli_home / "store.db"
    Store(path).close()
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '0999'")
    conn.close()
    (cli_home / "lmsync.toml").write_text(f'[programme]\nname = "mentor-2026"\n[store]\npath = "{path}"\n')
    for args in READERS_AND_WRITERS:
        result = run_in(cli_home, *args)
        said = _said(result)
        assert result.exit_code == 2, (args, result.output)
        assert f"the store {path} records schema revision '0999'" in said, args
        assert "restore the <name>.db.bak-* copy an upgrade left beside it" in said, args
        assert "point [store] path at another file" in said and "pg_dump" not in said, args
