"""Which emulator state file a running ``lmsync emulator serve`` holds (tester round 24, 3).

A server keeps its site in memory and saves the whole site to its ``--state`` file after every
write, so a change made to that file meanwhile (``lmsync emulator edit``, ``reset``, or a
second server on the same file) is overwritten by the server's next save, silently. While it
serves, a server holds an advisory ``flock`` on ``<state>.serving`` (its address written
inside); an edit asks whether that lock is held and refuses when it is. The kernel releases
the lock when the server dies, so a killed server never leaves a stale hold.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterator
from pathlib import Path

from lmsync.errors import ConfigError


def serving_path(state: Path) -> Path:
    """The lock file beside ``state``: ``<state>.serving``, by the state's resolved path."""
    resolved = state.resolve()
    return resolved.with_name(resolved.name + ".serving")


class ServingLock:
    """A server's hold on its state file; ``announce`` writes where it answers."""

    def __init__(self, fd: int) -> None:
        self._fd = fd

    def announce(self, address: str) -> None:
        """Write ``address`` (``http://host:port``) into the lock file, for an edit's refusal."""
        os.ftruncate(self._fd, 0)
        os.pwrite(self._fd, f"{address} (pid {os.getpid()})".encode(), 0)


@contextlib.contextmanager
def serving(state: Path) -> Iterator[ServingLock]:
    """Hold ``state`` for a server's lifetime.

    Raises ConfigError (exit 2) when another server already holds it: two servers saving one
    file each overwrite the other's writes.
    """
    path = serving_path(state)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise ConfigError(
                f"{state} is already served by a running `lmsync emulator serve` at {_address(fd)}",
                hint="use that server, or stop it first: two servers of one state file overwrite each other's writes",
            ) from None
        os.ftruncate(fd, 0)
        try:
            yield ServingLock(fd)
        finally:
            with contextlib.suppress(OSError):
                path.unlink()  # a clean stop leaves nothing behind (a killed server leaves an unlocked file)
    finally:
        os.close(fd)


def server_of(state: Path) -> str | None:
    """Where the running server that holds ``state`` answers (``http://host:port (pid N)``), or
    None when no running server holds it."""
    path = serving_path(state)
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return _address(fd)
        return None
    finally:
        os.close(fd)


def refuse_if_served(state: Path, what: str) -> None:
    """Raise ConfigError (exit 2) when a running server holds ``state``: its next save would
    overwrite ``what`` (an edit, a reset) without a word."""
    server = server_of(state)
    if server is not None:
        raise ConfigError(
            f"{state} is held by a running `lmsync emulator serve` at {server}: its next save would overwrite {what}",
            hint="stop that server (Ctrl-C), then run this again, then start the server again with the same --state",
        )


def _address(fd: int) -> str:
    text = os.pread(fd, 200, 0).decode("utf-8", "replace").strip()
    return text or "an address not yet announced"
