"""The days each circle's mentor was away while their circle was held: ``mentor_absence_spans`` (tester round 104b, 10).

Revision ID: 0016
Revises: 0015

One new table, nothing changed in an old one: per programme, the Moodle id of a circle's mentor and the days of an
absence ``mentor_absences`` recorded (from its first day up to the day a sync forgot it), written when the sync
forgets it. ``lmsync health --as-of`` a day of the hold says the circle was on hold that day once the mentor is back.
A store from before this revision has none: a hold that ended before the upgrade is not said; one still recorded is
kept when it ends.
"""

from __future__ import annotations

from lmsync.store import schema
from lmsync.store.migrations.add_tables import add_tables

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

upgrade, downgrade = add_tables(schema.REVISION_0016_TABLES)
