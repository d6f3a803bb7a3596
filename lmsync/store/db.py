"""The local SQLite store: one file per programme, WAL mode, numbered SQL migrations.

The store keeps only what Moodle cannot (journal of writes, imported meetings, survey
scores, health snapshots). Migrations are plain ``NNN_name.sql`` files applied in order
inside a transaction, so a crashed upgrade leaves the previous schema intact.

Reads never write (issue 11): ``Store(path, read_only=True)`` opens the file read-only
(``mode=ro``, ``query_only``), so a read command cannot change it even by mistake. A store
that does not exist yet, or whose schema is older than this lmsync, is read through an
in-memory copy instead: nothing is created, migrated or written on disk.

A store belongs to one site and course (``store_binding``, migration 005): the service
records it on first use and refuses a configuration naming another (lmsync.service.stores).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any

#: Tables that are the store's machinery, not programme data (an unbound store holding only
#: these is new, not an older store to adopt).
_BOOKKEEPING = frozenset({"schema_version", "store_binding", "sqlite_sequence"})


@dataclass(frozen=True)
class StoreBinding:
    """The site (``[moodle] url`` or ``emulator``) and course shortname a store belongs to."""

    site: str
    course: str
    bound_at: str
    adopted: bool = False


class Store:
    """A connection plus schema management; repositories (journal, meetings, ...) take one."""

    def __init__(self, path: Path | str, *, read_only: bool = False) -> None:
        self.path = Path(path) if str(path) != ":memory:" else None
        self.read_only = read_only
        if read_only:
            self.conn = self._open_read_only()
            return
        if self.path is not None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        self.conn = _connect(str(path))
        if self.path is not None:
            self.conn.execute("PRAGMA journal_mode = WAL")
            self.conn.execute("PRAGMA synchronous = NORMAL")
            self.path.chmod(0o600)  # mentoring data is personal data
        self.migrate()

    def _open_read_only(self) -> sqlite3.Connection:
        """The file read-only; or an in-memory copy when it is missing or its schema is older."""
        if self.path is None or not self.path.exists():
            conn = _connect(":memory:")
        else:
            conn = _connect(f"{self.path.resolve().as_uri()}?mode=ro", uri=True)
            if _pending(conn):
                copy = _connect(":memory:")
                conn.backup(copy)
                conn.close()
                conn = copy
        self.conn = conn
        if _pending(conn):  # only ever an in-memory copy here
            self.migrate()
        conn.execute("PRAGMA query_only = ON")
        return conn

    @classmethod
    def memory(cls) -> Store:
        return cls(":memory:")

    def migrate(self) -> None:
        """Apply every migration not applied yet (by number, so a late-merged lower one still runs)."""
        self.conn.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
        applied = {row[0] for row in self.conn.execute("SELECT version FROM schema_version")}
        for version, _name, sql in _migrations():
            if version in applied:
                continue
            with self.transaction():
                for statement in _split_sql(sql):
                    self.conn.execute(statement)
                self.conn.execute("INSERT INTO schema_version (version) VALUES (?)", (version,))

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One atomic unit: all statements inside commit together or not at all."""
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield self.conn
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        else:
            self.conn.execute("COMMIT")

    def close(self) -> None:
        self.conn.close()

    # --- which site and course this store belongs to ------------------------------------------

    def binding(self) -> StoreBinding | None:
        row = self.conn.execute("SELECT site, course, bound_at, adopted FROM store_binding WHERE id = 1").fetchone()
        if row is None:
            return None
        return StoreBinding(row["site"], row["course"], row["bound_at"], bool(row["adopted"]))

    def holds_data(self) -> bool:
        """Whether any programme table has a row (an unbound store with data is an older one)."""
        for table in self.tables():
            if table not in _BOOKKEEPING and self.conn.execute(f'SELECT 1 FROM "{table}" LIMIT 1').fetchone():
                return True
        return False

    def bind(self, site: str, course: str) -> StoreBinding:
        """Record ``site`` and ``course`` unless a binding exists; returns the binding in force.

        Raises ``sqlite3.OperationalError`` on a read-only store (callers bind only writable ones).
        """
        with self.transaction() as conn:
            current = self.binding()
            if current is not None:
                return current
            adopted = self.holds_data()
            conn.execute(
                "INSERT INTO store_binding (id, site, course, bound_at, adopted) VALUES (1, ?, ?, ?, ?)",
                (site, course, datetime.now(UTC).isoformat(timespec="seconds"), int(adopted)),
            )
        bound = self.binding()
        assert bound is not None
        return bound

    # --- inspection (tests, ``reads never write`` checks) --------------------------------------

    def tables(self) -> list[str]:
        rows = self.conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        return [row[0] for row in rows]

    def contents(self) -> dict[str, list[tuple[Any, ...]]]:
        """Every row of every table, sorted: two calls compare equal iff no data changed."""
        return {
            table: sorted((tuple(row) for row in self.conn.execute(f'SELECT * FROM "{table}"')), key=repr)
            for table in self.tables()
        }


def _connect(target: str, *, uri: bool = False) -> sqlite3.Connection:
    conn = sqlite3.connect(target, isolation_level=None, check_same_thread=False, uri=uri)
    conn.row_factory = sqlite3.Row
    conn.execute("PRAGMA foreign_keys = ON")
    return conn


def _pending(conn: sqlite3.Connection) -> bool:
    """Whether some migration has not been applied to ``conn``'s database."""
    has_table = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'"
    ).fetchone()
    applied = {row[0] for row in conn.execute("SELECT version FROM schema_version")} if has_table else set()
    return any(version not in applied for version, _name, _sql in _migrations())


def _migrations() -> list[tuple[int, str, str]]:
    """``(number, file name, SQL)`` in order; two files with one number are a packaging error."""
    found = []
    for entry in resources.files("lmsync.store.migrations").iterdir():
        name = entry.name
        if name.endswith(".sql") and name[:3].isdigit():
            found.append((int(name[:3]), name, entry.read_text(encoding="utf-8")))
    numbers = [number for number, _name, _sql in found]
    if len(numbers) != len(set(numbers)):
        twice = sorted(name for number, name, _sql in found if numbers.count(number) > 1)
        raise RuntimeError(f"store migrations share a number: {', '.join(twice)}")
    return sorted(found)


def _split_sql(sql: str) -> list[str]:
    return [part.strip() for part in sql.split(";") if part.strip()]
