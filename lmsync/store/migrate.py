"""Running the store's Alembic migrations on an open connection (both engines).

``upgrade`` is a no-op when the store is at the newest revision (checked without loading
Alembic's command machinery, so opening a current store stays cheap).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection

_IMMEDIATE = "lmsync_immediate"


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


def current_revision(conn: Connection) -> str | None:
    """The revision recorded in the store (None: none yet, a new or a numbered-SQL-era store)."""
    return MigrationContext.configure(conn).get_current_revision()


def upgrade(conn: Connection, revision: str = "head") -> None:
    """Migrate the store on ``conn`` to ``revision`` (default: the newest) in one transaction."""
    if revision == "head":
        with conn.begin():
            if current_revision(conn) == head_revision():
                return
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
