"""The Feedback responses a read found unreadable, and since when: ``unreadable_responses`` (tester round 87a, 5).

Revision ID: 0012
Revises: 0011

One new table, nothing changed in an old one: per programme and Feedback source, a SHA-256 of each
unreadable response's attempt, last-modified time and problem (no person, no answer) and the day a read
first found it, so a run lists a response it already said as still unreadable without ending partial (and
the daemon backing off) for good. A store from before this revision has none: each such response is said
once more, by the first run after the upgrade.
"""

from __future__ import annotations

from lmsync.store import schema
from lmsync.store.migrations.add_tables import add_tables

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

upgrade, downgrade = add_tables(schema.REVISION_0012_TABLES)
