"""One run at a time per programme.

With the SQLite store: an advisory ``flock`` on a lock file next to the store, which the
kernel releases when the process dies, so a crashed run never leaves a stale lock behind
(unlike a PID file). It is host-local: one daemon per host.

With a PostgreSQL store (``[store] url``): a PostgreSQL advisory lock on a key derived from
the programme (``lmsync.store.locks``), so daemons on several hosts (a Deployment with two
replicas, cron on two servers) never both write: one runs, the other waits (``--wait``) or
exits with ``EXIT_LOCKED`` (4). PostgreSQL releases it when the holder's connection ends, so a
connection that ends mid-run loses it: the run then stops writing (``lmsync.service.lock_watch``) and
exits 1 (``lmsync.store.locks.LockLost``; tester round 120b, 1).

A run refused for its store leaves no lock file behind: ``lmsync run`` beside a store file of zero bytes
(a failed restore, refused as not a store: ``lmsync.store.sqlite_files.refuse_empty``) made
``<store>.lock`` before the store refused it (tester round 78, 7), and so did ``lmsync run`` and ``lmsync
health`` against another application's SQLite database (tester round 79, 5). The lock is given the store it
guards, and where no lock file is yet, a file that is not an lmsync store (empty, not a SQLite database,
another application's: ``lmsync.store.sqlite_files.refuse_not_a_store``, read-only) is refused before one is
made. Where one is, the store is judged under the lock, as before: a first run making a new store holds the
lock while SQLite's new file is still empty for a moment, and a second run must wait for it (or be refused as
locked), not refuse it as empty. A store path that is a device, a named pipe or a socket is refused before the
lock whether or not a lock file is there (``refuse_not_a_file``, from ``stat`` alone): ``/dev/null`` got a lock
file beside it and was made 0600 (tester round 99b, 1).
"""

from __future__ import annotations

import fcntl
import itertools
import os
import stat
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from lmsync.errors import ConfigError, LockedError
from lmsync.log import get_logger
from lmsync.service.lock_reentry import already_held
from lmsync.service.lock_watch import watching
from lmsync.store.db import is_postgres
from lmsync.store.locks import advisory_lock
from lmsync.store.problems import make_private_folder
from lmsync.store.sqlite_files import refuse_not_a_file, refuse_not_a_store

log = get_logger(__name__)


def _locked(where: str) -> LockedError:
    return LockedError(
        f"another lmsync run holds {where}; it will finish on its own",
        hint="wait for it, or pass --wait to queue behind it",
    )


#: How often a run queued behind another (``--wait``, the daemon) says again that it still waits: one info line
#: when the wait began was all a journal showed of a daemon blocked for hours (tester round 77, 1).
STILL_WAITING_EVERY = 600.0


def _holder(fd: int) -> str:
    """`` (process N)``: the pid the holder wrote into the lock file, when there is one (tester
    round 27, 8: the message did not say which process to look at); a pid of a process that has
    ended is not named as the holder (tester round 77, 8: ``flock FILE backup`` held it, and the
    message named an lmsync run long gone)."""
    text = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
    if not text.isdigit():
        return " (its holder wrote no process id: unless an lmsync run has just begun, another program, e.g. a backup using flock)"
    try:
        os.kill(int(text), 0)
    except ProcessLookupError:
        return f" (not lmsync's process {text}, which has ended: another program holds it, e.g. a backup using flock)"
    except (PermissionError, OverflowError):
        pass  # alive under another account, or not a pid at all: named as written
    return f" (process {text})"


class StoppedWaiting(LockedError):
    """A stop request (SIGTERM, Ctrl-C) ended the wait for the lock another run holds: nothing ran. Still a
    LockedError (exit 4) to a caller that waits for nothing else (the daemon's loop); ``lmsync run`` says it as a
    stop before the run began, exit 1 as every stopped run (tester round 81, 2)."""


def _stopped(where: str) -> StoppedWaiting:
    return StoppedWaiting(
        f"stopped on request while waiting for {where}, which another lmsync run holds; nothing ran",
        hint="the next run will do this one's work",
    )


def _owned_as_the_store(fd: int, store: Path) -> None:
    """Run as root, give the lock file the owner of the store it guards (else of its folder), as SQLite gives its
    ``-wal`` and ``-shm`` files: a lock root made and kept stopped every later run of the service's own user
    (tester round 89b, 3: ``lmsync sync`` run once without ``sudo -u lmsync``). Any other user owns what it makes."""
    if os.geteuid() != 0:
        return
    try:
        owner = os.stat(store)
        os.fchown(fd, owner.st_uid, owner.st_gid)
    except OSError:  # a folder root cannot read the owner of, or a file system without owners: left as made
        pass


@contextmanager
def programme_lock(
    path: Path,
    *,
    wait: bool = False,
    timeout: float | None = None,
    url: str | None = None,
    programme: str | None = None,
    should_stop: Callable[[], bool] | None = None,
    store: Path | None = None,
) -> Iterator[None]:
    """Hold the programme's lock for the body: the flock on ``path``, or with a PostgreSQL
    ``url`` the advisory lock of ``programme``. Raises LockedError (exit 4) when another run
    holds it and ``wait`` is off (or ``timeout`` seconds passed while waiting, or
    ``should_stop()`` turned true: a daemon told to stop while queued behind another run
    stops at once and says so, tester finding 2). A wait is logged when it begins
    (``lock.waiting``), so a queued run is never silent. ``store``: the SQLite store file the
    lock guards; while there is no lock file at ``path``, a ``store`` that is not an lmsync store (zero
    bytes, another application's database) raises ConfigError (exit 2) before the lock file is made
    (tester rounds 78, 7 and 79, 5; module doc), and a ``store`` that is a device, a named pipe or a socket does
    always (tester round 99b, 1 and 9). A folder this run made for the lock file, holding only that file when no
    ``store`` was made, is removed with it as the lock is let go; a run waiting for the lock then takes the lock file
    made anew (tester round 100a, 7: ``_unmade_folders``). On PostgreSQL, raises ``LockLost`` (exit 1) as the lock is
    let go when its connection closed while the body ran (tester round 120b, 1)."""
    if url is not None and is_postgres(url):
        name = programme or path.stem
        where = f"the PostgreSQL advisory lock of programme {name}"
        with advisory_lock(url, name, wait=wait, timeout=timeout, give_up=should_stop,
                           waiting=lambda: log.info("lock.waiting", lock="postgresql", programme=name)) as advisory:
            if advisory is None:
                raise _stopped(where) if should_stop and should_stop() else _locked(where)
            with watching(advisory):  # asked before each step and write batch (lock_watch; tester round 120b, 1)
                yield
        return
    if already_held(path):  # the caller's run holds it through its steps (`lmsync demo`, round 99b, 3)
        yield
        return
    if store is not None:  # a device or a pipe, wherever a lock file is: never chmod'ed nor opened (round 99b, 1, 9)
        refuse_not_a_file(store, str(store))
    if store is not None and not path.exists():  # nothing left beside a store it refuses (tester round 78, 7)
        refuse_not_a_store(store, str(store))  # read-only: the file is left as it was (tester round 79, 5)
    deadline = None if timeout is None else time.monotonic() + timeout
    waited, began, said = False, 0.0, 0.0
    for attempt in itertools.count():
        made = _missing_folders(path.parent)  # this run's folders, deepest first: none when the folder was there
        make_private_folder(path.parent)  # personal data lives here (tester round 20, 11)
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        except FileNotFoundError:  # a folder that takes no new file (/proc): a traceback, exit 1 (tester pass 71, 3)
            if attempt < 3 and not path.parent.is_dir():  # removed by the run that made it as it let go: made anew
                continue
            raise ConfigError(f"cannot make the lock file {path}: its folder takes no new files",
                              hint="point [store] path (LMSYNC_STORE_PATH) or XDG_STATE_HOME at a folder of your own") from None
        except IsADirectoryError:  # a traceback (tester round 102b, 1)
            raise _folder(path) from None
        _refuse_foreign(fd, path, store)  # before any chown, flock or truncate: the file is left as it was
        _owned_as_the_store(fd, store if store is not None and store.exists() else path.parent)
        try:
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if should_stop is not None and should_stop():
                        raise _stopped(str(path)) from None
                    if not wait or (deadline is not None and time.monotonic() > deadline):
                        raise _locked(f"{path}{_holder(fd)}") from None
                    if not waited:
                        log.info("lock.waiting", lock="file", path=str(path))
                        began = said = time.monotonic()
                    elif time.monotonic() - said >= STILL_WAITING_EVERY:
                        said = time.monotonic()
                        log.warning("lock.still_waiting", lock="file", path=str(path),
                                    waited_seconds=round(said - began), holder=_holder(fd).strip(" ()"))
                    waited = True
                    time.sleep(0.2)
        except BaseException:
            os.close(fd)
            raise
        if _names(path, fd):
            break
        os.close(fd)  # its holder removed it as it let go (``_unmade_folders``): the lock is the file at ``path`` now
    held = False
    try:
        os.ftruncate(fd, 0)
        os.write(fd, str(os.getpid()).encode())
        held = True
        yield
    finally:
        if held:  # the id goes with the lock: a later holder that writes none is not named as this run
            os.ftruncate(fd, 0)
            _unmade_folders(path, made, store)
        os.close(fd)


def _missing_folders(folder: Path) -> list[Path]:
    """``folder`` and those of its parents that do not exist yet, deepest first: what ``make_private_folder`` makes."""
    missing: list[Path] = []
    while not folder.exists() and folder != folder.parent:
        missing.append(folder)
        folder = folder.parent
    return missing


def _refuse_foreign(fd: int, path: Path, store: Path | None) -> None:
    """Close ``fd`` and raise ConfigError (exit 2) when the file at the lock path is not a lock lmsync writes
    (:func:`not_a_lock`). The lock of a store ``X.db`` is ``X.lock``, so another programme's store named ``X.lock``,
    or an admin's file of that name, was opened, emptied and taken as the lock, and the run exited 0 (tester round
    102b, 1: a whole store lost). Judged from ``fstat`` and the first bytes only; nothing is written."""
    info = os.fstat(fd)
    head = os.pread(fd, _PID_BYTES, 0) if stat.S_ISREG(info.st_mode) and info.st_size else b""
    refused = not_a_lock(path, store, info, head)
    if refused is not None:
        os.close(fd)
        raise refused


def not_a_lock(path: Path, store: Path | None, info: os.stat_result, head: bytes) -> ConfigError | None:
    """The refusal (exit 2, with its fix) of the file at the lock path ``path`` of ``store`` when it is not a lock
    lmsync writes, else None. Pure: ``info`` is the file's ``stat``, ``head`` its first bytes (at least 32 of a
    regular file that has them; none needed otherwise). A lock file is empty or holds its holder's process id; a
    folder, a device, a pipe, a SQLite database or any other content is refused (tester round 102b, 1). Shared by
    :func:`programme_lock` and doctor's read-only ``store`` check (:func:`lock_file_problem`; tester round 104b, 6)."""
    if stat.S_ISDIR(info.st_mode):
        return _folder(path)
    if not stat.S_ISREG(info.st_mode):
        kind = "not a regular file"
    elif info.st_size == 0 or (info.st_size <= _PID_BYTES and head[:_PID_BYTES].strip().isdigit()):
        return None
    else:
        kind = "a SQLite database" if head[:len(_SQLITE)] == _SQLITE else f"a file of {info.st_size} bytes"
    guarded = f" of the store {store}" if store is not None else ""
    return ConfigError(
        f"the lock file {path}{guarded} is {kind}, not a lock lmsync wrote: lmsync takes its lock at that name "
        "and has left the file as it was",
        hint=_FOREIGN_HINT.format(name=path.name),
    )


def lock_file_problem(path: Path, store: Path | None) -> ConfigError | None:
    """What :func:`programme_lock` would refuse of the file now at the lock path ``path`` (:func:`not_a_lock`), judged
    read-only: ``stat`` and, of a regular file, its first bytes; nothing is opened for writing, made or changed (doctor
    never writes: tester round 104b, 6, doctor said "no problems" of a file every run refused). None when it is a lock,
    when there is no file there yet (the first run makes it), or when it cannot be read (left to the runs to say)."""
    try:
        info = os.stat(path)
        head = b""
        if stat.S_ISREG(info.st_mode) and info.st_size:
            with open(path, "rb") as file:
                head = file.read(_PID_BYTES)
    except OSError:
        return None
    return not_a_lock(path, store, info, head)


def _folder(path: Path) -> ConfigError:
    return ConfigError(f"the lock file {path} is a folder: lmsync takes its lock at that name and has left it as it was",
                       hint=_FOREIGN_HINT.format(name=path.name))


_FOREIGN_HINT = ("the lock of a store X.db is X.lock beside it: move {name} away (another programme's store? rename "
                 "that store and its [store] path together), or give this programme's store another name in [store] path")
_PID_BYTES = 32  # a lock file holds its holder's process id and nothing else (``programme_lock``)
_SQLITE = b"SQLite format 3\x00"


def _names(path: Path, fd: int) -> bool:
    """Whether ``path`` is still the file open at ``fd``: a run that held the lock may have removed it as it let go."""
    try:
        named, held = os.stat(path), os.fstat(fd)
    except OSError:
        return False
    return (named.st_dev, named.st_ino) == (held.st_dev, held.st_ino)


def _unmade_folders(path: Path, made: list[Path], store: Path | None) -> None:
    """Remove the lock file ``path`` and the folders ``made`` by this run for it (deepest first) when the run made
    no ``store`` there and they hold nothing else; called while the lock is held, so a run waiting for it takes the
    file made anew (``_names``). A refused sync on ``[store] url = "sqlite:///nodir/s.db"`` left the folder ``nodir``
    it made holding only ``s.lock`` (tester round 100a, 7). A folder that was there before keeps its lock file: another
    run may hold it. Never raises: what cannot be removed stays."""
    if not made or store is None or store.exists():
        return
    try:
        if [entry.name for entry in os.scandir(path.parent)] != [path.name]:
            return
        path.unlink()
        for folder in made:
            folder.rmdir()  # not empty (another run's lock, made meanwhile): it stays, and so do its parents
    except OSError:
        return
