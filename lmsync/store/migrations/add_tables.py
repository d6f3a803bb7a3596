"""The upgrade and downgrade of a revision that only adds new tables (0003, 0005).

Such a revision creates its tables from ``lmsync.store.schema``'s metadata (only where missing:
a new store has them from the baseline already) and its downgrade drops them, newest first.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from alembic import op
from sqlalchemy import Table

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
