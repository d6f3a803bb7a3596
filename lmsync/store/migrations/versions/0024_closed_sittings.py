"""The sittings each survey wave counted when it closed: ``closed_sittings`` (tester round 128, 1 and 2).

Revision ID: 0024
Revises: 0023

One new table (programme, wave, one row per sitting: respondent, instrument, day, source, about, how many answer rows,
the instant recorded; never a value). A store from before this revision has no rows: each closed wave's sittings are
recorded, as the store holds them then, by the next command that writes the store. A new store has it from the
baseline's metadata, so it is added only where missing.
"""

from __future__ import annotations

from lmsync.store import schema_more
from lmsync.store.migrations.add_tables import add_tables

revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None

upgrade, downgrade = add_tables(schema_more.REVISION_0024_TABLES)
