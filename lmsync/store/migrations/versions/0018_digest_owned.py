"""The queue items each coordinator's last digest sent knew as theirs: ``digest_owned`` (tester round 115a, 5).

Revision ID: 0018
Revises: 0017

One new table, nothing changed in an old one: per programme, a coordinator's Moodle id, a queue item's id and the day
of the latest digest sent to them while they owned it. A store from before this revision has none: no item is said
moved to another coordinator until each has been sent a digest since.
"""

from __future__ import annotations

from lmsync.store import schema
from lmsync.store.migrations.add_tables import add_tables

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None

upgrade, downgrade = add_tables(schema.REVISION_0018_TABLES)
