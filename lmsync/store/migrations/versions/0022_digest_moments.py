"""What a coordinator's last digest knew, by the moment it was sent: ``digests.queue_mark``, ``digests.pairing_mark``
and ``digest_statuses`` (tester round 122c, 1, continued).

Revision ID: 0022
Revises: 0021

Two nullable columns on ``digests`` (the queue's largest item id and the pairing history's latest instant when the
digest was about to be sent) and one new table (per coordinator, the pair statuses their last digest sent was told
from). A digest from before this revision has no marks and no statuses: the next one compares by its day, as before.
A new store has them from the baseline's metadata, so they are added only where missing.
"""

from __future__ import annotations

from lmsync.store import schema_more
from lmsync.store.migrations.add_tables import add_columns, add_tables

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None

_columns, _tables = add_columns(schema_more.REVISION_0022_COLUMNS), add_tables(schema_more.REVISION_0022_TABLES)


def upgrade() -> None:
    _columns[0]()
    _tables[0]()


def downgrade() -> None:
    _tables[1]()
    _columns[1]()
