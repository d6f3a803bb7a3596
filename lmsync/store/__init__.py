"""lmsync's store: SQLAlchemy Core over SQLite or PostgreSQL, its schema migrated by Alembic."""

from lmsync.store import schema_more as _schema_more  # noqa: F401  (its tables join ``schema.metadata``)
