"""Running the store's Alembic migrations on an open connection (both engines).

``upgrade`` is a no-op when the store is at the newest revision (checked without loading
Alembic's command machinery, so opening a current store stays cheap). A new, empty store is
made at the newest revision in one step, from ``lmsync.store.schema.metadata``, and stamped
with it (Alembic's cookbook, "Building an Up to Date Database from Scratch"): a fifth of the
time of running every migration in turn. The migrations leave exactly that schema
(tests/unit/store/test_schema_metadata.py, both engines).

A writing run that moves an existing store to a newer revision says so in one line
(``store.migrated from=0002 to=0003 backup=...``: revisions and the copy's path, nothing of the
programme's people). A SQLite file holding data is first copied next to itself,
``<name>.db.bak-<from revision>`` (``none`` for a store from before Alembic), readable by the
owner only, through SQLite's backup API (consistent under WAL). PostgreSQL gets no copy: back
it up with ``pg_dump`` before upgrading lmsync.
"""

from __future__ import annotations

import os
import sqlite3
from functools import cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, func, inspect, literal_column, select, table

from lmsync.log import get_logger

log = get_logger(__name__)

_IMMEDIATE = "lmsync_immediate"

#: One PostgreSQL advisory key for every programme's schema changes ("lmsync"): taken for the transaction that
#: makes or migrates a schema, so two daemons opening a new database at once never both create its tables.
MIGRATION_LOCK_KEY = 0x6C6D73796E63

#: The store's machinery, not programme data (as ``lmsync.store.db`` counts it).
_BOOKKEEPING = frozenset({"schema_version", "store_binding", "sqlite_sequence", "alembic_version"})


@cache
def _config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(Path(__file__).parent / "migrations"))
    return config


@cache
def head_revision() -> str:
    """The newest revision this lmsync knows."""
    head = ScriptDirectory.from_config(_config()).get_current_head()
    assert head is not None
    return head


@cache
def known_revisions() -> frozenset[str]:
    """Every revision this lmsync knows, oldest to newest: a store recording another was made by a newer
    lmsync, or is not lmsync's (tester round 80, 1)."""
    return frozenset(script.revision for script in ScriptDirectory.from_config(_config()).walk_revisions())


def current_revision(conn: Connection) -> str | None:
    """The revision recorded in the store (None: none yet, a new or a numbered-SQL-era store)."""
    return MigrationContext.configure(conn).get_current_revision()


def upgrade(
    conn: Connection, revision: str = "head", *, announce: bool = False, path: Path | None = None,
    where: str | None = None,
) -> None:
    """Migrate the store on ``conn`` to ``revision`` (default: the newest) in one transaction.

    ``announce`` (a writing run on the real store): log ``store.migrated`` (a warning) when an existing
    store moves; ``path``: its SQLite file, copied first when it holds data (module doc).
    """
    with conn.begin():
        before = current_revision(conn)
    if revision == "head" and before == head_revision():
        return
    if revision == "head" and before is None:
        made, before = _made_new(conn)  # ``before`` as found under the lock (tester round 124, 5)
        if made or before == head_revision():  # made here, or by another process meanwhile: nothing to do
            return
    if before is not None and before not in known_revisions():  # before any copy or change (tester round 80, 1)
        from lmsync.store.problems import newer_store

        raise newer_store(where or (str(path) if path is not None else "(unnamed)"), before,
                          postgres=conn.dialect.name == "postgresql")
    backup: Path | None = None
    existing = False
    if announce:
        with conn.begin():
            names = [n for n in inspect(conn).get_table_names() if n != "sqlite_sequence"]
            existing = before is not None or bool(names)
            holds_data = any(
                conn.execute(select(literal_column("1")).select_from(table(n)).limit(1)).first() is not None
                for n in names
                if n not in _BOOKKEEPING
            )
        if path is not None and holds_data and conn.dialect.name == "sqlite":
            backup = _backup_sqlite(conn, path, before or "none")
    config = _config()
    config.attributes["connection"] = conn
    conn.info[_IMMEDIATE] = True
    try:
        command.upgrade(config, revision)
    finally:
        conn.info[_IMMEDIATE] = False
        config.attributes.pop("connection", None)
    if conn.in_transaction():  # Alembic may leave the autobegun outer transaction open
        conn.commit()
    if existing:
        with conn.begin():
            after = current_revision(conn)
        if after != before:  # a warning: seen at ``--log-level warning`` too (tester round 119, 4)
            log.warning(
                "store.migrated",
                **{"from": before or "none", "to": after, "backup": str(backup) if backup else "none"},
            )


def _made_new(conn: Connection) -> tuple[bool, str | None]:
    """Make an empty store's schema at the newest revision from the metadata, and stamp it; returns whether it
    did, and the revision found once its lock is held. Nothing is done when the store holds a table or a
    revision by then: an older store (the migrations then run as before), or one another process made meanwhile
    (at the newest revision: nothing left to do, no ``store.migrated`` line and no copy; tester round 124, 5).
    Serialised as the migrations are: SQLite's ``BEGIN IMMEDIATE``, PostgreSQL's transaction-scoped advisory
    lock ``MIGRATION_LOCK_KEY``."""
    from lmsync.store.schema import metadata

    conn.info[_IMMEDIATE] = True
    try:
        with conn.begin():
            if conn.dialect.name == "postgresql":
                conn.execute(select(func.pg_advisory_xact_lock(MIGRATION_LOCK_KEY)))
            found = current_revision(conn)
            if found is not None or any(name != "sqlite_sequence" for name in inspect(conn).get_table_names()):
                return False, found
            metadata.create_all(conn, checkfirst=False)
            MigrationContext.configure(conn).stamp(_scripts(), "head")
    finally:
        conn.info[_IMMEDIATE] = False
    return True, head_revision()


@cache
def _scripts() -> ScriptDirectory:
    return ScriptDirectory.from_config(_config())


def _backup_sqlite(conn: Connection, path: Path, revision: str) -> Path:
    """Copy the SQLite store on ``conn`` to ``<path>.bak-<revision>`` (owner-only); returns the copy."""
    raw = conn.connection.driver_connection
    assert isinstance(raw, sqlite3.Connection)
    target = path.with_name(f"{path.name}.bak-{revision}")
    partial = target.with_name(f"{target.name}.partial")
    partial.unlink(missing_ok=True)
    os.close(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    copy = sqlite3.connect(partial, isolation_level=None)
    try:
        raw.backup(copy)  # a consistent snapshot, WAL included
        copy.execute("PRAGMA journal_mode = DELETE")  # one self-contained file
    finally:
        copy.close()
    partial.chmod(0o600)
    os.replace(partial, target)
    return target
