"""Who was erased and on which day: ``erasures`` (tester round 12, 1).

Revision ID: 0007
Revises: 0006

One new table, nothing changed in an old one: a Moodle user id and the day ``lmsync person erase``
erased them. Meetings and survey answers naming that person and dated on or before that day are
not stored again (a Feedback read after the erasure put the erased answers straight back). A store
from before this revision has none: people erased before it are not protected by it.
"""

from __future__ import annotations

from lmsync.store import schema
from lmsync.store.migrations.add_tables import add_tables

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

upgrade, downgrade = add_tables(schema.REVISION_0007_TABLES)
