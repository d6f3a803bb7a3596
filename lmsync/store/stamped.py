"""Imported rows upserted on their natural key with instants: added, updated, kept or unchanged.

The store's meetings and survey answers (``lmsync.store.meetings``'s repositories) are saved through it.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Table, select

from lmsync.store.db import Store


def upsert_stamped(
    conn: Store, table: Table, key: dict[str, Any], values: dict[str, Any], *, compare: str, stamp: str,
    keep_changed_since: str | None = None,
) -> str:
    """Insert ``key | values`` or update ``values`` of the row with that natural key.

    ``table`` has an ``id`` and ``created_at``/``updated_at`` instants; the row is rewritten
    (and ``updated_at`` moved) only when its ``compare`` column differs from ``values``, and not when
    it was changed at or after ``keep_changed_since`` (an instant as stored: a file imported again
    does not undo what was corrected after its first import, tester round 83, 1).
    Returns ``"added"``, ``"updated"``, ``"kept"`` or ``"unchanged"``; ``"replaced"`` for an update of a row whose
    ``origin`` came from another file (or ``meetings add``) than the new one (tester round 84, 3: said, not silent).
    """
    origin = table.c.origin if "origin" in table.c else None
    row = conn.first(select(table.c.id, table.c[compare].label("seen"), table.c.updated_at,
                            *([origin.label("origin")] if origin is not None else []))
                     .where(*(table.c[name] == v for name, v in key.items())))
    if row is None:
        conn.write(table.insert().values(created_at=stamp, updated_at=stamp, **key, **values))
        return "added"
    if row.seen != values[compare] and keep_changed_since is not None and row.updated_at >= keep_changed_since:
        return "kept"
    if row.seen != values[compare]:
        conn.write(table.update().where(table.c.id == row.id).values(updated_at=stamp, **values))
        stored = getattr(row, "origin", None)
        return "replaced" if stored and values.get("origin") and _source(stored) != _source(values["origin"]) else "updated"
    return "unchanged"


def _source(origin: str) -> str:
    """What an ``origin`` came from: ``meetings.csv`` of ``meetings.csv:12``, ``cli`` of ``cli``."""
    return origin.rsplit(":", 1)[0] if ":" in origin else origin
