"""The store's tables added once ``schema.py`` had reached its size (500 lines): on the same ``schema.metadata``.

``schema.py`` imports this module at its end, so the metadata every migration, comparison, copy, export and erasure
reads (``schema.metadata``) always holds these tables too; not ``lmsync/store/__init__.py``, which every CLI start
imports (``lmsync match --people`` must not load SQLAlchemy: issue 15, ``test_startup``). Each is added by its own Alembic revision, as those of ``schema.py`` are.
"""

from __future__ import annotations

from sqlalchemy import Column, Integer, Text

from lmsync.store.schema_base import _numbered_table

# --- revision 0020: the queue items a coordinator followed that an erasure removed (tester round 118b, 3) --------
#: One row per erasure and coordinator following any of the items it removed (their owner, or whom it escalated to):
#: the coordinator's username, the erasure's programme day, how many items (open, or acknowledged and awaiting an
#: outcome) and how many of them acknowledged, and the journal's latest id then (a digest sent after has a larger
#: one), so that coordinator's next digest says it once (``store.queue_ends``). No person's id, no pair's.
queue_ends = _numbered_table(
    "queue_ends", Column("coordinator", Text, nullable=False),  # a username, lower case, as `queue_tracking.owner`
    Column("day", Text, nullable=False), Column("items", Integer, nullable=False),
    Column("acknowledged", Integer, nullable=False), Column("journal_mark", Integer, nullable=False))
REVISION_0020_TABLES = (queue_ends,)  # the tables revision 0020 adds
