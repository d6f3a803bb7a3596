"""A held circle's hold ended early by its mentor's erasure: ``hold_ends`` (tester round 117c, 2).

Revision ID: 0019
Revises: 0018

One new table, nothing changed in an old one: per programme, one row per erasure of a mentor whose circle was held
while they were away, naming no one (the day, how many mentees the circle held, the journal's latest id then). A store
from before this revision has none: an erasure made before it is told of in no digest.
"""

from __future__ import annotations

from lmsync.store import schema
from lmsync.store.migrations.add_tables import add_tables

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None

upgrade, downgrade = add_tables(schema.REVISION_0019_TABLES)
