"""The queue items a coordinator followed that an erasure removed: ``queue_ends`` (tester round 118b, 3).

Revision ID: 0020
Revises: 0019

One new table, nothing changed in an old one: per programme, one row per erasure and coordinator following any of
the queue items it removed, naming no pair (their username, the day, how many items and how many of them
acknowledged, the journal's latest id then). A store from before this revision has none: an erasure made before it
is told of in no digest.
"""

from __future__ import annotations

from lmsync.store import schema_more
from lmsync.store.migrations.add_tables import add_tables

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None

upgrade, downgrade = add_tables(schema_more.REVISION_0020_TABLES)
