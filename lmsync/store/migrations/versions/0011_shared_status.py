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

from lmsync.store import schema
from lmsync.store.migrations.add_tables import add_columns

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


upgrade, downgrade = add_columns(schema.REVISION_0011_COLUMNS)
