"""The notes of circle meetings an erased mentee was part of: ``erased_notes`` (tester round 68, 1).

Revision ID: 0009
Revises: 0008

One new table, nothing changed in an old one: a mentor's note on a meeting logged for the whole
circle, copied onto each mentee's pair, as a SHA-256 of its mentor, day and text (never the text or an
id), once one of those mentees was erased, so a later read of the same response stores the other copies without it.
A store from before this revision has none: erasures made before it left those copies as they were.
"""

from __future__ import annotations

from lmsync.store import schema
from lmsync.store.migrations.add_tables import add_tables

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

upgrade, downgrade = add_tables(schema.REVISION_0009_TABLES)
