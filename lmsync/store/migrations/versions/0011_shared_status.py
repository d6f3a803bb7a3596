"""Each health snapshot's status as both people of the pair may read it: ``health_snapshots.shared_status``
(tester round 86b, 1).

Revision ID: 0011
Revises: 0010

One nullable column: the status judged without the reasons one side's own answers raised
(``lmsync.domain.health.shared_view``), which the programme report shows beside a pair, since a mentor may read
it; the full status a step worse told them their mentee's verdict. Every row already stored gets NULL (not
known): the report then falls back to hiding a pair flagged by one side's answers alone, as before. A new
store has the column from the baseline's metadata, so it is added only where it is missing.
"""

from __future__ import annotations

from alembic import op
from sqlalchemy import Column, inspect

from lmsync.store import schema

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    found = inspect(op.get_bind())
    for table, name in schema.REVISION_0011_COLUMNS:
        if name not in {c["name"] for c in found.get_columns(table)}:
            column = schema.metadata.tables[table].c[name]
            op.add_column(table, Column(name, column.type, nullable=column.nullable))


def downgrade() -> None:
    for table, name in reversed(schema.REVISION_0011_COLUMNS):
        with op.batch_alter_table(table) as batch:
            batch.drop_column(name)
