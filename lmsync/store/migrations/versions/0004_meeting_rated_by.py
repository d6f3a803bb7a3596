"""Which side logged and rated each meeting: ``meetings.rated_by`` (issue 13).

Revision ID: 0004
Revises: 0003

One nullable column, ``mentor`` | ``mentee``: the Feedback meeting log knows who submitted
each response, and a meetings file may say it (``rated_by`` or ``logged_by``). Every row
already stored gets NULL (not known); the next Feedback read fills it for that source (its
content hash now includes the side). The health rules judge each side's ratings against
that side's own earlier ones. A new store has the column from the baseline's metadata, so it
is added only where it is missing (a store made by an earlier revision).
"""

from __future__ import annotations

from alembic import op
from sqlalchemy import Column, inspect

from lmsync.store import schema

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    found = inspect(op.get_bind())
    for table, name in schema.REVISION_0004_COLUMNS:
        if name not in {c["name"] for c in found.get_columns(table)}:
            column = schema.metadata.tables[table].c[name]
            op.add_column(table, Column(name, column.type, nullable=column.nullable))


def downgrade() -> None:
    for table, name in reversed(schema.REVISION_0004_COLUMNS):
        with op.batch_alter_table(table) as batch:
            batch.drop_column(name)
