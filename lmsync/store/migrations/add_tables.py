"""The upgrade and downgrade of a revision that only adds new tables (0003, 0005) or new columns (0004, 0011, 0013).

Such a revision creates its tables from ``lmsync.store.schema``'s metadata (only where missing:
a new store has them from the baseline already) and its downgrade drops them, newest first; it adds
its nullable columns, as the metadata declares them, to tables that lack them, and its downgrade drops them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from alembic import op
from sqlalchemy import Column, Table, inspect

from lmsync.store import schema


def add_tables(tables: Sequence[Table]) -> tuple[Callable[[], None], Callable[[], None]]:
    """``(upgrade, downgrade)`` of a revision that adds ``tables`` (from ``schema.metadata``) and
    changes nothing else; run by Alembic inside a migration context (``op`` bound)."""

    def upgrade() -> None:
        schema.metadata.create_all(op.get_bind(), tables=list(tables), checkfirst=True)

    def downgrade() -> None:
        for table in reversed(tables):
            op.drop_table(table.name)

    return upgrade, downgrade


def add_columns(columns: Sequence[tuple[str, str]]) -> tuple[Callable[[], None], Callable[[], None]]:
    """``(upgrade, downgrade)`` of a revision that adds ``columns`` ((table, column name), declared in
    ``schema.metadata``) to tables that exist, where missing (a new store has them from the baseline), and
    changes nothing else; the downgrade drops them, newest first (SQLite through a batch copy)."""

    def upgrade() -> None:
        found = inspect(op.get_bind())
        for table, name in columns:
            if name not in {c["name"] for c in found.get_columns(table)}:
                column = schema.metadata.tables[table].c[name]
                op.add_column(table, Column(name, column.type, nullable=column.nullable))

    def downgrade() -> None:
        for table, name in reversed(columns):
            with op.batch_alter_table(table) as batch:
                batch.drop_column(name)

    return upgrade, downgrade
