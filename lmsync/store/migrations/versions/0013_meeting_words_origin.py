"""Which row gave each meeting's rating, notes and side: ``meetings.words_origin`` (tester round 97a, 3).

Revision ID: 0013
Revises: 0012

One nullable column, an origin as ``meetings.origin`` is (``FILE:LINE``): the row that gave the record's rating,
notes and side. ``origin`` names the row that wrote the record last, and an attendance register (no rating or
notes column) that corrected the minutes kept the words an earlier file gave: taken for their origin, it made the
mentee's own running register "another file" over its own withheld words, refused. Every row already stored gets
NULL (not known apart), read as its ``origin``, as before. A new store has the column from the baseline's
metadata, so it is added only where it is missing.
"""

from __future__ import annotations

from lmsync.store import schema
from lmsync.store.migrations.add_tables import add_columns

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


upgrade, downgrade = add_columns(schema.REVISION_0013_COLUMNS)
