"""Each survey wave's window as it was when the wave closed: ``closed_windows`` (tester round 123a, 1).

Revision ID: 0023
Revises: 0022

One new table (programme, wave name, first and last day, the programme day it was recorded; no person data). A store
from before this revision has no rows: each closed wave is recorded, with lmsync.toml's window of that moment, by the
next command that writes the store. A new store has it from the baseline's metadata, so it is added only where missing.
"""

from __future__ import annotations

from lmsync.store import schema_more
from lmsync.store.migrations.add_tables import add_tables

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None

upgrade, downgrade = add_tables(schema_more.REVISION_0023_TABLES)
