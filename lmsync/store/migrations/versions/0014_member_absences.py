"""Since when each circle's mentee has been away: ``member_absences`` (tester round 103b, 1).

Revision ID: 0014
Revises: 0013

One new table, nothing changed in an old one: per programme, the Moodle id of a circle's member (not its
mentor) whom a sync found no longer active in the course, and the day it first did. The sync keeps their
place for ``[sync] away_mentor_hold_days`` from that day before removing them. A store from before this
revision has none: the first sync after the upgrade starts the count for members away then.
"""

from __future__ import annotations

from lmsync.store import schema
from lmsync.store.migrations.add_tables import add_tables

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

upgrade, downgrade = add_tables(schema.REVISION_0014_TABLES)
