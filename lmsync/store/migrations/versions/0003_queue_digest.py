"""The coordinator queue's owners, due dates and outcomes; not-a-good-fit pairs; digests (issue 13).

Revision ID: 0003
Revises: 0002

Three new tables, nothing changed in an old one: ``queue_tracking`` (one row per queue item:
owner, due date, follow-ups, outcome, escalation; an item from before this revision has none
and is read as unowned, due ``queue_due_days[0]`` after it opened), ``pair_forbids`` (pairs
marked not a good fit, forbidden in the matching input) and ``digests`` (one row per
coordinator and day, written before the message is sent).
"""

from __future__ import annotations

from lmsync.store import schema
from lmsync.store.migrations.add_tables import add_tables

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

upgrade, downgrade = add_tables(schema.REVISION_0003_TABLES)
