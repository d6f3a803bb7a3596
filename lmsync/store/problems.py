"""Store failures only an admin can fix, as errors that say so (tester round 20, 2).

A read-only state folder, a store file lmsync may not write, a full disk, or a SQLite file damaged on disk
used to end a command with a Python traceback and exit 1, "the next run retries": a daemon then
backed off for up to six hours, and systemd's ``RestartPreventExitStatus=2`` never applied.
``admin_problem`` turns them into a :class:`~lmsync.errors.ConfigError` (exit 2) naming the file
and the fix; anything else is left as it was (``None``).
"""

from __future__ import annotations

import errno
import sqlite3
from pathlib import Path

from lmsync.errors import ConfigError

#: The fix for a state or store path that cannot hold lmsync's folder (a file or a link to nothing in the way).
FOLDER_HINT = "point [store] path (LMSYNC_STORE_PATH) or XDG_STATE_HOME at a folder, or move the file away"

#: SQLite's words for a file damaged on disk, and for one lmsync may not write.
_DAMAGED = ("malformed", "not a database", "disk i/o error")
_READ_ONLY = ("readonly database", "read-only database", "unable to open database file")
_FULL = ("database or disk is full",)
_FULL_HINT = ("free space on the disk that holds lmsync's state folder and store (or raise the user's quota); "
              "nothing half-written was kept, and the next run does this one's work")


def admin_problem(exc: BaseException, where: str | None = None) -> ConfigError | None:
    """The admin's error for ``exc`` when it is a store or state-folder problem; else ``None``.
    ``where``: the store, named in the message (tester round 22, 6: "unable to open database file" of which?)."""
    store = f"the store {where}" if where else "the store"
    raw = getattr(exc, "orig", None) or exc  # SQLAlchemy wraps the driver's error
    if isinstance(raw, sqlite3.DatabaseError):
        words = str(raw).lower()
        if any(w in words for w in _DAMAGED):
            return ConfigError(
                f"{store} is damaged: SQLite says {str(raw)!r}",
                hint="restore the store from a backup (a migration leaves <name>.db.bak-* beside it); "
                "`sqlite3 STORE 'PRAGMA integrity_check'` shows the damage",
            )
        if any(w in words for w in _READ_ONLY):
            return ConfigError(
                f"{store} cannot be written (or its folder): SQLite says {str(raw)!r}",
                hint="make the store file, its folder and SQLite's -wal and -shm files beside it (when there) "
                "writable by lmsync's user (the folder holds the lock and those files)",
            )
        if any(w in words for w in _FULL):  # tester round 31, 4: a full disk was exit 1, "the next run retries"
            return ConfigError(f"{store} cannot grow: SQLite says {str(raw)!r}", hint=_FULL_HINT)
    if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT):
        where = f" {exc.filename}" if exc.filename else ""
        return ConfigError(f"cannot write{where}: {exc.strerror}", hint=_FULL_HINT)
    if isinstance(exc, OSError) and exc.errno in (errno.ENOTDIR, errno.EEXIST):  # tester round 69, 3: a traceback
        where = f" {exc.filename}" if exc.filename else ""
        return ConfigError(
            f"cannot make the folder{where}: a part of that path is a file (or a link to nothing), not a folder",
            hint=FOLDER_HINT,
        )
    if isinstance(exc, OSError) and exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        where = f" {exc.filename}" if exc.filename else ""
        return ConfigError(
            f"cannot write{where}: {exc.strerror}",
            hint="make lmsync's state folder and store writable by lmsync's user, or point [store] path "
            "(LMSYNC_STORE_PATH) or XDG_STATE_HOME at a writable place",
        )
    return None


def make_private_folder(path: Path) -> None:
    """``path`` made (with its parents) for lmsync's state, mode 0700 (it holds personal data: tester round 20,
    11). Raises ConfigError naming the folder when it cannot be made: a file or a link to nothing in the way,
    or a place that takes no new folders (/proc: a traceback, exit 1; tester pass 72, 3)."""
    try:
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
    except FileNotFoundError as exc:
        raise ConfigError(f"cannot make the folder {exc.filename or path}: that place takes no new folders",
                          hint="point [store] path (LMSYNC_STORE_PATH) or XDG_STATE_HOME at a folder of your own") from None
    except OSError as exc:
        problem = admin_problem(exc)
        if problem is None:
            raise
        raise problem from None


def newer_store(where: str, revision: str, *, postgres: bool = False) -> ConfigError:
    """The error for a store whose recorded schema revision this lmsync does not know: a newer lmsync made it
    (or another Alembic-managed application did). Nothing was changed (tester round 80, 1). ``postgres``: the
    fix in a PostgreSQL store's words: no ``.bak-`` copy is made of one, the README's ``pg_dump`` is its
    backup, and ``[store] url`` names it (tester round 124, 4)."""
    if postgres:
        hint = ("run the lmsync release that last wrote it (or a newer one), or restore the pg_dump of it taken "
                "before that upgrade; if it is another application's, point [store] url (or LMSYNC_STORE_URL) at "
                "a database of lmsync's own")
    else:
        hint = ("run the lmsync release that last wrote it (or a newer one), or restore the <name>.db.bak-* copy an "
                "upgrade left beside it; if it is another application's, point [store] path at another file")
    return ConfigError(
        f"the store {where} records schema revision {revision!r}, which this lmsync does not know: a newer lmsync "
        "made it (or it is another application's database); nothing was changed",
        hint=hint,
    )


def foreign_database(where: str, schema: str, tables: int) -> ConfigError:
    """The error for a PostgreSQL ``[store] url`` naming another application's database: ``tables`` tables in
    ``schema`` (the one the store uses), none of them lmsync's (tester round 124, 1; a SQLite file's:
    ``sqlite_files.foreign_store``). Nothing was made there."""
    return ConfigError(
        f"the store {where} is not an lmsync store: its schema {schema} holds {tables} tables of another "
        "application and none of lmsync's; nothing was made there",
        hint="point [store] url (or LMSYNC_STORE_URL) at a database of lmsync's own (an empty one: lmsync makes "
             "its store itself), or at an empty schema of this one (?options=-csearch_path%3D<schema>)",
    )
