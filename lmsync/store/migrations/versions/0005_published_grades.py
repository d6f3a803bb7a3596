"""The received means lmsync published, kept frozen: ``published_grades`` (tester finding FIX-A).

Revision ID: 0005
Revises: 0004

One new table, nothing changed in an old one: per programme, received metric and mentor, the
first value ``grades push`` published (ids and a number only). A mean republished after one
more mentee answered would give away that mentee's rating, so it never changes once written.
A store from before this revision has none: the next push records what it sends or finds.
"""

from __future__ import annotations

from lmsync.store import schema
from lmsync.store.migrations.add_tables import add_tables

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

upgrade, downgrade = add_tables(schema.REVISION_0005_TABLES)
