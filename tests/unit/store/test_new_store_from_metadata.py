"""A new, empty store is made at the newest revision from ``schema.metadata`` in one step, and stamped.

Alembic's cookbook ("Building an Up to Date Database from Scratch"): ``create_all`` then stamp head, instead of
running every migration in turn (a fifth of the time; the test suite opens thousands of new stores, CI's time).
It must leave the very schema the migrations leave: the tables, their columns in the same order with the same
types, nullability and defaults, the same primary keys, unique constraints, foreign keys and indexes (a partial
index's condition included), on both engines. A store that already holds tables without a revision (the
numbered-SQL era) still goes through the migrations (test_schema_metadata.py), and two processes opening one new
store at once both open it.
"""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import pytest
from sqlalchemy import inspect, text

from lmsync.store import migrate
from lmsync.store.db import Store
from tests.unit.store.legacy import migrated_in_turn


def _shape(store: Store) -> dict[str, Any]:
    """Every table's reflected shape, comparable across two stores of one engine."""
    shape: dict[str, Any] = {}
    with store.engine.connect() as conn:
        seen = inspect(conn)
        for name in sorted(seen.get_table_names()):
            columns = [(c["name"], str(c["type"]), c["nullable"], _default(c.get("default"), name))
                       for c in seen.get_columns(name)]
            indexes = sorted((i["name"], tuple(i["column_names"]), bool(i["unique"]),
                              str((i.get("dialect_options") or {}).get("postgresql_where")))
                             for i in seen.get_indexes(name))
            uniques = sorted(tuple(u["column_names"]) for u in seen.get_unique_constraints(name))
            keys = sorted((tuple(f["constrained_columns"]), f["referred_table"], tuple(f["referred_columns"]))
                          for f in seen.get_foreign_keys(name))
            shape[name] = {"columns": columns, "primary key": seen.get_pk_constraint(name)["constrained_columns"],
                           "indexes": indexes, "uniques": uniques, "foreign keys": keys}
        if store.dialect == "sqlite":  # a partial index's condition is in its SQL only
            shape["sqlite index sql"] = sorted(
                " ".join(str(sql).split()) for (sql,) in conn.execute(
                    text("SELECT sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL")))
    return shape


def _default(default: Any, table: str) -> Any:
    """A serial column's default names its own sequence; the same name either way."""
    return None if default is None else str(default).replace(f"{table}_", "<table>_")


def test_a_new_store_and_one_made_by_every_migration_in_turn_have_the_same_schema_on_each_engine(
    store_target, tmp_path,
):
    new = Store(store_target)
    try:
        made = _shape(new)
        with new.engine.connect() as conn:
            assert migrate.current_revision(conn) == migrate.head_revision()
        if isinstance(store_target, str):  # PostgreSQL: the same fresh schema, emptied, is migrated in turn below
            with new.engine.begin() as conn:
                for name in inspect(conn).get_table_names():
                    conn.exec_driver_sql(f'DROP TABLE "{name}" CASCADE')
    finally:
        new.close()
    migrated = migrated_in_turn(store_target if isinstance(store_target, str) else tmp_path / "migrated.db")
    try:
        assert made == _shape(migrated)
        assert made["coordinator_queue"]["indexes"]  # the comparison sees indexes (a partial one here)
    finally:
        migrated.close()


def test_a_new_store_is_made_without_running_the_migrations(tmp_path, monkeypatch):
    def refuse(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("a new store ran the migrations one by one")

    monkeypatch.setattr(migrate.command, "upgrade", refuse)
    store = Store(tmp_path / "store.db")
    try:
        with store.engine.connect() as conn:
            assert migrate.current_revision(conn) == migrate.head_revision()
            assert "closed_windows" in inspect(conn).get_table_names()
    finally:
        store.close()


_OPEN = "import sys; from lmsync.store.db import Store; Store(sys.argv[1]).close()"


@pytest.mark.parametrize("openers", [2, 3])
def test_processes_opening_one_new_postgresql_store_at_once_all_open_it(postgres_url, openers):
    """Daemons on several hosts may open one new database at once: one makes the schema under the migration
    lock, the others find it made (at the newest revision) and open it."""
    runs = [subprocess.Popen([sys.executable, "-c", _OPEN, postgres_url], stderr=subprocess.PIPE, text=True)
            for _ in range(openers)]
    errors = [run.communicate(timeout=120)[1] for run in runs]
    assert [run.returncode for run in runs] == [0] * openers, errors
    store = Store(postgres_url)
    try:
        with store.engine.connect() as conn:
            assert migrate.current_revision(conn) == migrate.head_revision()
            assert conn.execute(text("SELECT count(*) FROM alembic_version")).scalar() == 1
    finally:
        store.close()
