"""When a sync recorded each absence and forgot it, by the journal: ``journal_mark``, ``since_mark``, ``until_mark``
(tester round 122c, 1).

Revision ID: 0021
Revises: 0020

Six nullable columns on the absences tables (``mentor_absences``, ``member_absences`` and their ``*_spans``): the
journal's latest id when the sync first found the person away and when it forgot them. The coordinators' digest
compares them with its last digest's journal id, so a hold that begins (or ends with the person back) after the day's
digest was sent is told in the next one. Rows already stored get NULL: compared by day, as before. A new store has the
columns from the baseline's metadata, so they are added only where missing.
"""

from __future__ import annotations

from lmsync.store import schema_more
from lmsync.store.migrations.add_tables import add_columns

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None

upgrade, downgrade = add_columns(schema_more.REVISION_0021_COLUMNS)
