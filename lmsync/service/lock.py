"""One run at a time per programme: an advisory lock file next to the store.

``flock`` is released by the kernel when the process dies, so a crashed run never leaves
a stale lock behind (unlike a PID file).
"""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from lmsync.errors import LockedError


@contextmanager
def programme_lock(path: Path, *, wait: bool = False, timeout: float | None = None) -> Iterator[None]:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if not wait or (deadline is not None and time.monotonic() > deadline):
                    raise LockedError(
                        f"another lmsync run holds {path}; it will finish on its own",
                        hint="wait for it, or pass --wait to queue behind it",
                    ) from None
                time.sleep(0.2)
        os.ftruncate(fd, 0)
        os.write(fd, str(os.getpid()).encode())
        yield
    finally:
        os.close(fd)
