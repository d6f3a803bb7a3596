"""Issue 12: ``lmsync.store.schema`` is exactly the schema the migrations leave behind.

Alembic's autogenerate (``compare_metadata``) compares the tables, columns, types,
nullability, server defaults, constraints and indexes of ``schema.metadata`` against a store
the migrations made. A store made by every migration in turn from an empty one (both engines)
must show no difference at all (a new store is made from the metadata at once: tests/unit/store/
test_new_store_from_metadata.py); a store made
by the numbered-SQL era and migrated forward (its tables were made by the old SQL files, not
from the metadata) only the differences SQLite cannot tell apart, listed in ``_SQLITE_ALIKE``.
So a change to ``schema.py`` that changes the schema (a column group helper gone wrong, a
type, a default, an index) fails here.
"""

from __future__ import annotations

from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from lmsync.store import schema
from lmsync.store.db import Store
from tests.unit.store.legacy import make_legacy_store, migrated_in_turn


def _differences(store: Store) -> list[Any]:
    with store.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True, "compare_server_default": True})
        return list(compare_metadata(context, schema.metadata))


def _flat(diffs: list[Any]) -> list[tuple[Any, ...]]:
    """Autogenerate's diffs as tuples (column changes come as one-element lists)."""
    return [d[0] if isinstance(d, list) and len(d) == 1 else d for d in diffs]


def _sqlite_alike(diff: tuple[Any, ...]) -> bool:
    """A difference SQLite does not make: kept by stores of the numbered-SQL era, harmless.

    * ``schema_version``: their bookkeeping, left for an older lmsync (revision 0001);
    * ``id INTEGER PRIMARY KEY`` read back as nullable: SQLite's rowid alias, never NULL;
    * ``REAL`` where the metadata says ``Float``: the same column affinity in SQLite.
    """
    kind = diff[0]
    if kind == "remove_table":
        return bool(diff[1].name == "schema_version")
    if kind == "modify_nullable":
        return bool(diff[3] == "id" and diff[5] is True and diff[6] is False)
    if kind == "modify_type":
        return bool((diff[2], diff[3]) == ("survey_scores", "total") and str(diff[5]) == "REAL")
    return False


def test_issue_12_every_migration_in_turn_leaves_exactly_the_schema_metadata_on_each_engine(store_target):
    store = migrated_in_turn(store_target)
    try:
        assert _differences(store) == []
    finally:
        store.close()


@pytest.mark.sqlite_only("stores of the numbered-SQL era are SQLite files")
@pytest.mark.parametrize("upto", [4, 7])
def test_issue_12_an_older_store_migrated_forward_is_the_schema_metadata(tmp_path, upto):
    path = tmp_path / "old.db"
    make_legacy_store(path, upto).close()
    store = Store(path)
    try:
        diffs = _flat(_differences(store))
    finally:
        store.close()
    assert [d for d in diffs if not _sqlite_alike(d)] == []
    # the filter is not a blanket: what it lets through is what the numbered SQL really made
    assert {d[0] for d in diffs} <= {"remove_table", "modify_nullable", "modify_type"}


def test_issue_12_the_comparison_sees_a_schema_change(tmp_path):
    """The check can fail: a store whose column differs from the metadata is reported."""
    store = Store(tmp_path / "store.db")
    try:
        with store.engine.begin() as conn:
            conn.exec_driver_sql("ALTER TABLE digests ADD COLUMN extra TEXT")
        diffs = _flat(_differences(store))
    finally:
        store.close()
    assert [(d[0], d[2], d[3].name) for d in diffs] == [("remove_column", "digests", "extra")]
