"""Copying a whole store into a new, empty one: every table, every row, every programme.

``lmsync store copy`` moves a programme from its SQLite file to PostgreSQL (or to another file):
before it, a store moved that way started with no journal, meetings or surveys, and the first
sync was refused as a store with no record of the circles (tester round 94b, 8). Both stores are
at this lmsync's schema revision when these functions see them (``Store`` migrates on open).

Rows go table by table in dependency order (``schema.metadata.sorted_tables``), in batches, in one
transaction on the target, so a failure leaves it as empty as it was; the counts are checked in that
transaction before it commits; a database error while copying (a full disk) is ``CopyFailed``, with the
driver's first line (tester round 95b, store copy 4: it was told as the configured store being damaged). Ids are copied as they are; on PostgreSQL each id sequence is then set
past the highest id (and past SQLite's never-reuse mark, ``sqlite_sequence``), so the next insert
does not collide with a copied row.
"""

from __future__ import annotations

import sqlite3

from sqlalchemy import Table, func, insert, select, text
from sqlalchemy.exc import DBAPIError

from lmsync.store import schema
from lmsync.store.db import Store

#: Rows read and written at a time.
BATCH = 1000


class CopyFailed(RuntimeError):
    """Copying failed: the target's transaction was rolled back (nothing was committed). ``str()``: why."""


class CountsDiffer(CopyFailed):
    """The target's row counts differ from the source's after the copy (nothing was committed)."""


def row_counts(store: Store) -> dict[str, int]:
    """Rows per table of the schema, by table name (dependency order)."""
    return {t.name: int(store.scalar(select(func.count()).select_from(t))) for t in schema.metadata.sorted_tables}


def first_table_with_rows(store: Store) -> str | None:
    """The name of the first schema table holding any row (``store_binding`` included), or None."""
    for table in schema.metadata.sorted_tables:
        if store.first(select(table).limit(1)) is not None:
            return table.name
    return None


def copy_rows(source: Store, target: Store, *, batch: int = BATCH) -> dict[str, int]:
    """Copy every row of every schema table from ``source`` into ``target`` (empty: the caller checks),
    in one transaction on the target; returns the rows copied per table. Raises ``CountsDiffer`` (and
    commits nothing) when the target's counts afterwards differ from the source's; a database error
    rolls back the same way, raised as ``CopyFailed`` (the driver's first line)."""
    try:
        return _copy_all(source, target, batch)
    except (DBAPIError, sqlite3.Error) as exc:
        lines = str(getattr(exc, "orig", None) or exc).strip().splitlines()
        raise CopyFailed(lines[0] if lines else type(exc).__name__) from exc


def _copy_all(source: Store, target: Store, batch: int) -> dict[str, int]:
    marks = _sqlite_marks(source)
    with source.transaction(), target.transaction():  # the source read as one snapshot (SQLite)
        expected = row_counts(source)
        for table in schema.metadata.sorted_tables:
            _copy_table(source, target, table, batch)
        if target.dialect == "postgresql":
            _advance_sequences(target, marks)
        elif marks:
            _keep_sqlite_marks(target, marks)
        copied = row_counts(target)
        if copied != expected:
            differ = sorted(n for n in expected if expected[n] != copied.get(n))
            raise CountsDiffer(f"row counts differ after the copy in {', '.join(differ)}")
    return copied


def _copy_table(source: Store, target: Store, table: Table, batch: int) -> None:
    order = list(table.primary_key.columns) or list(table.columns)
    statement = insert(table)
    with source._unit() as conn:  # noqa: SLF001 - one module of the store package reading another's connection
        result = conn.execution_options(yield_per=batch).execute(select(table).order_by(*order))
        for rows in result.partitions(batch):
            target.write(statement, [dict(row._mapping) for row in rows])


def _id_tables() -> list[Table]:
    """The tables whose ``id`` the database numbers (an autoincrement integer primary key)."""
    return [t for t in schema.metadata.sorted_tables
            if "id" in t.c and t.c.id.primary_key and t.c.id.autoincrement is True]


def _sqlite_marks(source: Store) -> dict[str, int]:
    """SQLite's never-reuse marks (``sqlite_sequence``: the highest id each table ever gave), or {}."""
    if source.dialect != "sqlite" or "sqlite_sequence" not in source.tables():
        return {}
    return {str(name): int(seq) for name, seq in source.tuples(text("SELECT name, seq FROM sqlite_sequence"))}


def _advance_sequences(target: Store, marks: dict[str, int]) -> None:
    """Set each id sequence of a PostgreSQL target to the highest copied id (or SQLite's mark, if higher)."""
    for table in _id_tables():
        high = max(int(target.scalar(select(func.coalesce(func.max(table.c.id), 0)))), marks.get(table.name, 0))
        if high > 0:
            target.scalar(text("SELECT setval(pg_get_serial_sequence(:t, 'id'), :n)").bindparams(t=table.name, n=high))


def _keep_sqlite_marks(target: Store, marks: dict[str, int]) -> None:
    """Carry the source's never-reuse marks to a SQLite target (inserting ids already moved them to max(id))."""
    for name, seq in marks.items():
        if name in schema.metadata.tables:
            target.write(text("UPDATE sqlite_sequence SET seq = :n WHERE name = :t AND seq < :n"), {"n": seq, "t": name})
            target.write(text("INSERT INTO sqlite_sequence (name, seq) SELECT :t, :n WHERE NOT EXISTS "
                              "(SELECT 1 FROM sqlite_sequence WHERE name = :t)"), {"n": seq, "t": name})
