"""The days each circle's mentee was away while their place was held: ``member_absence_spans`` (tester round 104a, 8).

Revision ID: 0015
Revises: 0014

One new table, nothing changed in an old one: per programme, the Moodle id of a circle's member and the days of an
absence ``member_absences`` recorded (from its first day up to the day a sync forgot it), written when the sync
forgets it. Health leaves those days out of a pair's silence. A store from before this revision has none: an
absence that ended before the upgrade counts toward the silence as it did; one still recorded is kept when it ends.
"""

from __future__ import annotations

from lmsync.store import schema
from lmsync.store.migrations.add_tables import add_tables

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

upgrade, downgrade = add_tables(schema.REVISION_0015_TABLES)
