"""Stores as an lmsync of the numbered-SQL era made them (for the migration tests, issue 12).

``legacy_sql/`` holds the numbered migrations as ``main`` shipped them: 001-004 are the
files of release ``0879fa3`` unchanged, 005-007 came after it. ``make_legacy_store`` applies
them exactly as that era's ``Store.migrate`` did (a ``schema_version`` table, statements
split on ``;``, one transaction per file).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from lmsync.store.db import Store

LEGACY_SQL = Path(__file__).with_name("legacy_sql")


def legacy_migrations(upto: int) -> list[tuple[int, str]]:
    files = sorted(LEGACY_SQL.glob("[0-9][0-9][0-9]_*.sql"))
    return [(int(f.name[:3]), f.read_text(encoding="utf-8")) for f in files if int(f.name[:3]) <= upto]


def make_legacy_store(path: Path, upto: int) -> sqlite3.Connection:
    """A SQLite store at numbered migration ``upto``; returns an open autocommit connection."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
    for version, sql in legacy_migrations(upto):
        conn.execute("BEGIN IMMEDIATE")
        for statement in (part.strip() for part in sql.split(";")):
            if statement:
                conn.execute(statement)
        conn.execute("INSERT INTO schema_version (version) VALUES (?)", (version,))
        conn.execute("COMMIT")
    return conn


def downgrade_store(path: Path, revision: str) -> None:
    """Take the SQLite store at ``path`` down to Alembic ``revision`` (a store an earlier lmsync left there)."""
    from alembic import command
    from sqlalchemy import create_engine

    from lmsync.store import migrate

    engine = create_engine(f"sqlite:///{path}")
    try:
        with engine.connect() as conn:
            config = migrate._config()
            config.attributes["connection"] = conn
            command.downgrade(config, revision)
            conn.commit()
            assert migrate.current_revision(conn) == revision
    finally:
        engine.dispose()


def table_names(path: Path) -> set[str]:
    """The names of the tables of the SQLite file ``path``, read without lmsync (the migration tests)."""
    raw = sqlite3.connect(path)
    try:
        return {r[0] for r in raw.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    finally:
        raw.close()


def migrated_in_turn(target: Path | str) -> Store:
    """The store at ``target`` (a SQLite path or a database URL, empty) made by every migration in turn, from the
    first revision up, as a store an older lmsync made and each newer one migrated; opened as a ``Store``."""
    from sqlalchemy import create_engine

    from lmsync.store import migrate, suite_engine
    from lmsync.store.db import Store

    where = suite_engine.redirect(target)  # the suite's PostgreSQL pass keeps even this one in PostgreSQL
    engine = create_engine(where if isinstance(where, str) and "://" in where else f"sqlite:///{where}")
    try:
        with engine.connect() as conn:
            migrate.upgrade(conn, "0001")
            assert migrate.current_revision(conn) == "0001"
            conn.rollback()
            migrate.upgrade(conn)
            assert migrate.current_revision(conn) == migrate.head_revision()
            conn.rollback()
    finally:
        engine.dispose()
    return Store(target)
