"""Whether the database a store opens is lmsync's: both engines, reads and writes alike, before anything is made.

A SQLite file at ``[store] path`` is judged before it is opened (``sqlite_files.refuse_not_a_store``); this
judges what an open connection sees, so a PostgreSQL ``[store] url`` is judged too: one naming another
application's database (Moodle's own, on a server shared with it) had doctor advise a sync, and that sync built
lmsync's tables and wrote the programme's people beside the other application's (tester round 124, 1). A store
recording a revision this lmsync does not know (a newer lmsync's) was told by reads and doctor to "run lmsync
sync: it migrates the store", which the sync then refused in SQLite's words (tester round 124, 4): reads and
writes now refuse it alike, in the words of its engine.
"""

from __future__ import annotations

from sqlalchemy import Connection, inspect

from lmsync.store import schema
from lmsync.store.problems import foreign_database, newer_store
from lmsync.store.sqlite_files import BOOKKEEPING, foreign_store


def refuse_not_ours(conn: Connection, where: str) -> None:
    """Raise ConfigError (exit 2) when the database on ``conn`` is not an lmsync store this lmsync may use:
    it holds tables (in the schema the connection uses: PostgreSQL's ``current_schema()``), none of them lmsync's
    and not only bookkeeping (the rule of ``refuse_not_a_store``: another Alembic application's
    ``alembic_version`` proves nothing), or it records a schema revision this lmsync does not know. ``where``:
    the store as messages name it. Only reads; a store at this lmsync's newest revision is lmsync's and is
    judged from that one row. A database holding lmsync's tables and others' is lmsync's (as on SQLite)."""
    from lmsync.store.migrate import current_revision, head_revision, known_revisions

    with conn.begin():
        revision = current_revision(conn)
        if revision == head_revision():
            return
        seen = inspect(conn)
        names = [n for n in seen.get_table_names() if not n.startswith("sqlite_")]
        in_schema = seen.default_schema_name
    postgres = conn.dialect.name == "postgresql"
    if names and not any(n in schema.metadata.tables for n in names) and not set(names) <= BOOKKEEPING:
        if postgres:
            raise foreign_database(where, in_schema or "public", len(names))
        raise foreign_store(where, len(names))
    if revision is not None and revision not in known_revisions():
        raise newer_store(where, revision, postgres=postgres)
