"""Since when each circle's mentor has been away: ``mentor_absences`` (tester round 53, 1).

Revision ID: 0008
Revises: 0007

One new table, nothing changed in an old one: per programme, the Moodle id of a circle's mentor whom
a sync found no longer active in the course, and the day it first did. The sync holds that circle as it
is for ``[sync] away_mentor_hold_days`` from that day before re-matching its mentees. A store from
before this revision has none: the first sync after the upgrade starts the count for mentors away then.
"""

from __future__ import annotations

from lmsync.store import schema
from lmsync.store.migrations.add_tables import add_tables

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

upgrade, downgrade = add_tables(schema.REVISION_0008_TABLES)
