"""Which side logged and rated each meeting: ``meetings.rated_by`` (issue 13).

Revision ID: 0004
Revises: 0003

One nullable column, ``mentor`` | ``mentee``: the Feedback meeting log knows who submitted
each response, and a meetings file may say it (``rated_by`` or ``logged_by``). Every row
already stored gets NULL (not known); the next Feedback read fills it for that source (its
content hash now includes the side). The health rules judge each side's ratings against
that side's own earlier ones. A new store has the column from the baseline's metadata, so it
is added only where it is missing (a store made by an earlier revision).
"""

from __future__ import annotations

from lmsync.store import schema
from lmsync.store.migrations.add_tables import add_columns

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


upgrade, downgrade = add_columns(schema.REVISION_0004_COLUMNS)
