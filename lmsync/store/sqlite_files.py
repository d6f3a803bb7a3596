"""A SQLite store's file: which files may be a store, and reading one lmsync's user may not write.

Only a path where no file exists becomes a new store: a file of zero bytes (a failed restore, ``: > x.db``)
is refused as any other file that is not a store (tester round 77, 9), where SQLite took it for a new,
empty database and a run then queued and reported as for a programme with no history.

A read opens the file read-only (``mode=ro``). SQLite reads a WAL store through its ``-shm`` file and
makes one beside the store when there is none, so a read in a folder lmsync's user cannot write (a
coordinator or an auditor reading a store another account keeps, a read-only backup) failed as "cannot
be written" (tester round 77, 4). There, a store whose ``-wal`` holds nothing is read as it is
(``immutable=1``); one whose ``-wal`` holds changes is read through the ``-shm`` file that is there, and
when that cannot be, the error says what reading needs.

Whether a file is an lmsync store is judged first, read-only, before anything opens it to write
(``refuse_not_a_store``): opened to write, another application's SQLite database (a ``contacts`` table)
was made 0600 and put in WAL mode, and a lock file was made beside it, before it was refused as not a
store (tester round 79, 5). A file refused is left as it was: mode, journal mode and content.

A path that is there and is no regular file (a character or block device, a named pipe, a socket) is refused
first, from its ``stat`` alone (``refuse_not_a_file``): ``/dev/null`` as ``[store] path`` was made 0600 and got a
``.lock`` and a ``-journal`` beside it before failing as "damaged", and a named pipe hung the run for good, as
reading its first bytes waits for a writer (tester round 99b, 1 and 9).
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from lmsync.errors import ConfigError
from lmsync.file_kinds import special_kind
from lmsync.store import schema, suite_engine
from lmsync.store.problems import newer_store

#: Tables that are the store's machinery, not programme data (an unbound store holding only
#: these is new, not an older store to adopt).
BOOKKEEPING = frozenset({"schema_version", "store_binding", "sqlite_sequence", "alembic_version"})

#: The first 16 bytes of every SQLite database file.
_HEADER = b"SQLite format 3\x00"

#: What to do about a file at ``[store] path`` that is not an lmsync store.
_RESTORE = ("restore it from a backup (a migration leaves <name>.db.bak-* beside it), or point [store] path "
            "(or [store] url) at another file")


def connect(target: str, *, uri: bool = False) -> sqlite3.Connection:
    """A raw connection in autocommit mode (``BEGIN`` is the store's own), foreign keys enforced."""
    conn = sqlite3.connect(target, isolation_level=None, check_same_thread=False, uri=uri)
    conn.execute("PRAGMA foreign_keys = ON")
    return conn


def refuse_empty(path: Path, where: str) -> None:
    """Raise ConfigError when ``path`` is a file of zero bytes (tester round 77, 9; see the module doc).

    SQLite writes a store's first page as lmsync makes it (``journal_mode = WAL`` does), so no store
    lmsync made is ever empty on disk.
    """
    try:
        empty = path.is_file() and path.stat().st_size == 0
    except OSError:  # not ours to judge here: opening it names the problem
        return
    if empty:
        raise ConfigError(
            f"the store {where} is not an lmsync store: the file is empty (0 bytes), as a failed restore or copy "
            "leaves it",
            hint="restore it from a backup (a migration leaves <name>.db.bak-* beside it), or remove the empty file "
            "if no store was ever there: lmsync makes a new store only where no file is",
        )


def refuse_not_a_store(path: Path, where: str) -> None:
    """Raise ConfigError when the file at ``path`` is not an lmsync store: empty (``refuse_empty``), not a
    SQLite database, or another application's (tables, none of them lmsync's); a folder (or a path ending in ``..``,
    whose folders may not be there yet: tester round 105a, 7); a device, a named pipe or a
    socket (``refuse_not_a_file``, tester round 99b, 1 and 9). Judged read-only, before
    anything opens the file to write it, so a file refused is left exactly as it was (tester round 79, 5;
    module doc). Nothing when no file is there (a new store is made) or it cannot be read (opening it names
    the problem); a damaged store is judged by opening it too."""
    # was a "disk I/O error" traceback (tester round 5, 9b); before any lock file (round 82a, 9); "new/sub/..", whose
    # folders are not there yet, is one too (tester round 105a, 7: new/sub was made, then "cannot be written")
    if path.is_dir() or path.name == "..":
        raise ConfigError(
            f"the store {where} is a folder, not a store file",
            hint="point [store] path (or LMSYNC_STORE_PATH) at a file inside it, e.g. <folder>/lmsync.db",
        )
    refuse_not_a_file(path, where)  # a device or a pipe: before it is read, and a pipe is never opened (round 99b, 9)
    refuse_dangling_link(path, where)
    if suite_engine.active():  # test-only: the suite's PostgreSQL pass keeps a marker file there, not a store
        return
    refuse_empty(path, where)
    try:
        with path.open("rb") as handle:
            head = handle.read(len(_HEADER))
    except OSError:
        return
    if head and head != _HEADER:
        raise not_a_database(where)
    read = _tables(path)
    if read is None:
        return
    names, revision = read
    # bookkeeping alone proves nothing: another Alembic-managed application has an alembic_version table too
    # (tester round 80, 1: it was taken for an lmsync store, copied to .bak-<its revision>, and crashed)
    if names and not any(n in schema.metadata.tables for n in names) and not set(names) <= BOOKKEEPING:
        raise foreign_store(where, len(names))
    if revision is not None:
        from lmsync.store.migrate import known_revisions

        if revision not in known_revisions():  # a newer lmsync's store: never "migrated" (round 80, 1)
            raise newer_store(where, revision)


def refuse_not_a_file(path: Path, where: str) -> None:
    """Raise ConfigError when ``path`` (links followed) is there and is neither a regular file nor a folder: a
    character or block device (``/dev/null``), a named pipe, a socket. Judged from ``os.stat`` alone, so nothing
    is opened, changed or made beside it (tester round 99b, 1: ``/dev/null`` was made 0600, with a lock and a
    journal file beside it; 9: a named pipe hung the run). Nothing when no file is there, when it cannot be
    stat'ed (a dangling link: ``refuse_dangling_link``), or for a folder (``refuse_not_a_store`` says that)."""
    kind = special_kind(path)  # not there, a link to nothing or a loop: None, judged elsewhere
    if kind is None:
        return
    raise ConfigError(
        f"the store {where} is {kind}, not a regular file: lmsync keeps its store in a file of its own, and "
        "has left it as it was",
        hint="point [store] path (or LMSYNC_STORE_PATH, or [store] url) at the store file, or at a path where no "
             "file is yet: lmsync makes a new store there",
    )


def refuse_dangling_link(path: Path, where: str) -> None:
    """Raise ConfigError when ``path`` is a symbolic link to a file in a folder that does not exist: SQLite could
    not open it, the error said only "cannot be written (or its folder)", and a lock file was left beside the link
    (tester round 84, 7); and when it is a loop of links (a traceback, and a lock file left: round 85a, 5). A link
    to a file yet to be made in a folder that exists is a new store, as any path."""
    if not path.is_symlink() or path.exists():
        return
    try:
        path.resolve()
    except (RuntimeError, OSError):  # a loop: RuntimeError before Python 3.13, OSError (ELOOP) after (round 85a, 5)
        raise ConfigError(f"the store {where} is a symbolic link that leads back to itself (a loop of links)",
                          hint="point [store] path (or LMSYNC_STORE_PATH) at the store file itself, or mend the link") from None
    target = path.parent / os.readlink(path)
    if not target.parent.is_dir():
        raise ConfigError(
            f"the store {where} is a symbolic link to {target}, and its folder {target.parent} does not exist",
            hint="mount or make that folder (a store moved to another disk?), or point [store] path (or "
                 "LMSYNC_STORE_PATH) at the store file itself",
        )


def not_a_database(where: str) -> ConfigError:
    """The error for a store file that is not a SQLite database, or is damaged (tester round 4, 14)."""
    return ConfigError(f"the store {where} is not an lmsync store: the file is not a SQLite database, or is damaged",
                       hint=_RESTORE)


def foreign_store(where: str, tables: int) -> ConfigError:
    """The error for another application's SQLite database at ``[store] path`` (tester round 5, 10)."""
    return ConfigError(
        f"the store {where} is not an lmsync store: it holds {tables} tables of another application",
        hint="point [store] path (or LMSYNC_STORE_PATH) at another file: lmsync makes its store itself",
    )


def _tables(path: Path) -> tuple[list[str], str | None] | None:
    """The names of the tables in the SQLite file ``path`` (SQLite's own aside) and the revision its
    ``alembic_version`` table records (None: no such table, or no row), read without changing it or making
    a file beside it: as it is on disk (``immutable=1``) when no ``-wal`` or ``-journal`` beside it holds
    changes, else read-only through them. None when it cannot be read."""
    real = path.resolve()
    pending = _holds(Path(f"{real}-wal")) or _holds(Path(f"{real}-journal"))
    query = "mode=ro" if pending else "mode=ro&immutable=1"
    try:
        conn = sqlite3.connect(f"{real.as_uri()}?{query}", uri=True)
    except sqlite3.Error:
        return None
    try:
        rows = conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()
        names = [str(name) for (name,) in rows if not str(name).startswith("sqlite_")]
        version = (conn.execute("SELECT version_num FROM alembic_version").fetchone()
                   if "alembic_version" in names else None)
    except sqlite3.Error:
        return None
    finally:
        conn.close()
    return names, (str(version[0]) if version is not None else None)


def open_read_only(path: Path, where: str) -> sqlite3.Connection:
    """``path`` opened read-only; raises ConfigError saying what reading needs when it cannot be (module doc)."""
    real = path.resolve()  # SQLite keeps -wal and -shm beside the file a link points at
    wal, shm = _wal_and_shm(real)
    query = "mode=ro"
    writable = os.access(real.parent, os.W_OK | os.X_OK)  # what making a file in it takes
    if not writable and not _holds(wal):
        # SQLite cannot make the -shm it shares with writers here, and with no -wal changes the file is the
        # whole store: read it as it is, without -shm or locks. The trade-off: a writer (the store's owner,
        # whose folder it is) is not coordinated with; a change it writes while this reads is not seen, or a
        # checkpoint moving pages during the read may fail it as damaged, and running the read again sees it.
        query += "&immutable=1"
    try:
        conn = connect(f"{real.as_uri()}?{query}", uri=True)
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()  # SQLite opens the files on first use
    except sqlite3.OperationalError as exc:
        if not getattr(exc, "sqlite_errorname", "").startswith(("SQLITE_CANTOPEN", "SQLITE_READONLY")):
            raise
        raise _cannot_read(where, real, wal, shm, writable, exc) from None
    return conn


def private_companions(path: Path) -> None:
    """Make SQLite's ``-wal`` and ``-shm`` beside the store ``path`` owner-read-write (0600) before a writer opens
    it: SQLite makes them with the store file's mode, so a read of a store an admin had made read-only (0400) left
    a 0400 ``-shm``, and every later writer failed "attempt to write a readonly database" with the store file
    itself writable (tester round 84, 1). A file that cannot be changed (another owner's) is left as it is; opening
    the store then says what it needs."""
    for companion in _wal_and_shm(path.resolve()):
        try:
            if companion.stat().st_mode & 0o777 != 0o600:
                companion.chmod(0o600)
        except OSError:  # not there, or not ours
            continue


def _wal_and_shm(real: Path) -> tuple[Path, Path]:
    """The ``-wal`` and ``-shm`` files SQLite keeps beside the store file ``real`` (links resolved)."""
    return Path(f"{real}-wal"), Path(f"{real}-shm")


def _holds(wal: Path) -> bool:
    """Whether a ``-wal`` file is there with changes in it (an empty one holds none)."""
    try:
        return wal.stat().st_size > 0
    except FileNotFoundError:
        return False


def _cannot_read(where: str, real: Path, wal: Path, shm: Path, writable: bool, exc: Exception) -> ConfigError:
    """The error for a store this user cannot read: what reading needs, not "cannot be written"."""
    said = f"SQLite says {str(exc)!r}"
    if not writable and _holds(wal) and not shm.exists():
        return ConfigError(
            f"the store {where} cannot be read from this folder: its {wal.name} file holds changes, which SQLite "
            f"reads through a {shm.name} file, and there is none and lmsync's user cannot make one in {real.parent} "
            f"({said})",
            hint="as the store's owner, run `sqlite3 STORE 'PRAGMA wal_checkpoint(TRUNCATE)'` (or let the owner's "
            "next lmsync run end): that folds the -wal file into the store; or make the folder writable by this user",
        )
    return ConfigError(
        f"the store {where} cannot be read by lmsync's user ({said}): reading needs the store file, and its -wal "
        "and -shm files while they are there, readable by this user",
        hint="make them readable by this user (a group shared with the store's owner, say), or read a copy of the "
        "store: point [store] path (or LMSYNC_STORE_PATH) at it",
    )
