"""Whether a SQLite store's pages are sound (``PRAGMA quick_check``): doctor's check, and the one
each run that writes to Moodle makes first (tester rounds 20, 3 and 22, 1)."""

from __future__ import annotations

from sqlalchemy import text

from lmsync.store.db import Store


def damage(store: Store) -> str | None:
    """SQLite's ``PRAGMA quick_check`` verdict when the file is damaged, else ``None`` (PostgreSQL:
    ``None``): doctor said "[ok] store" of a file whose pages a disk had overwritten (round 20, 3)."""
    if store.dialect != "sqlite":
        return None
    try:
        rows = store.rows(text("PRAGMA quick_check"))
    except Exception as exc:  # a file damaged enough that the check itself fails
        return str(getattr(exc, "orig", None) or exc)
    verdict = "; ".join(str(r[0]) for r in rows[:3])
    return None if verdict == "ok" else verdict
