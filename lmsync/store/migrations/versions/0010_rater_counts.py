"""Who answered about each mentor, counted at each erasure: ``rater_counts`` (tester round 77b, 1).

Revision ID: 0010
Revises: 0009

One new table, nothing changed in an old one: per programme, mentor, instrument and erasure day, how many
sittings others gave about that mentor up to that day, counted before the erasure deleted anything, so a
figure over them that would now differ (and give the erased person's answers away by difference) is
withheld. A store from before this revision has none: erasures made before it are not checked this way.
"""

from __future__ import annotations

from lmsync.store import schema
from lmsync.store.migrations.add_tables import add_tables

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

upgrade, downgrade = add_tables(schema.REVISION_0010_TABLES)
