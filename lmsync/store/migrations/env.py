"""Alembic's entry point: migrate the connection ``lmsync.store.migrate`` hands over.

Concurrent starts are serialised: SQLite by ``BEGIN IMMEDIATE`` (the store's transaction
flag), PostgreSQL by a transaction-scoped advisory lock taken before the version is read,
so two daemons opening a new database at once never both create its tables.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import func, select

from lmsync.store.migrate import MIGRATION_LOCK_KEY
from lmsync.store.schema import metadata

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=metadata, transaction_per_migration=False)
with context.begin_transaction():
    if connection.dialect.name == "postgresql":
        connection.execute(select(func.pg_advisory_xact_lock(MIGRATION_LOCK_KEY)))
    context.run_migrations()
