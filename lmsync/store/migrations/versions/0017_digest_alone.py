"""The mentees each coordinator's digest named as without a mentor: ``digest_alone`` (tester round 114b, 2).

Revision ID: 0017
Revises: 0016

One new table, nothing changed in an old one: per programme, a coordinator's and a mentee's Moodle ids and the day of
the first digest sent that named the mentee as without a mentor, kept while they have none. A store from before this
revision has none: each coordinator's next digest names once the mentees without a mentor it has not named since.
"""

from __future__ import annotations

from lmsync.store import schema
from lmsync.store.migrations.add_tables import add_tables

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

upgrade, downgrade = add_tables(schema.REVISION_0017_TABLES)
