"""What a path that is there and is not a regular file is, judged from ``os.stat`` alone: nothing is opened.

Opening a named pipe (FIFO) to read waits for a writer, for good: ``lmsync apply f`` on a pipe hung, and, as
``lmsync.startup_signals`` holds Ctrl-C and SIGTERM while a run starts, only SIGKILL ended it; ``--config f``
and ``init --out f`` hung too (tester round 100a, 1; the store's file, round 99b, 9). Every file lmsync reads
by a name it is given is first asked :func:`special_kind`, and refused, naming what it is, when it is a device,
a pipe or a socket.
"""

from __future__ import annotations

import stat
from pathlib import Path

__all__ = ["KINDS", "not_a_file", "special_kind"]

#: What each kind of file that is not a regular one is called in a refusal (``stat`` tests, by mode).
KINDS = ((stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
         (stat.S_ISFIFO, "a named pipe (FIFO)"), (stat.S_ISSOCK, "a socket"))


def special_kind(path: Path | str) -> str | None:
    """What ``path`` (links followed) is when it is there and is neither a regular file nor a folder: "a
    character device", "a block device", "a named pipe (FIFO)", "a socket" (``KINDS``), else "a special file".
    None when it is a regular file or a folder, is not there, or cannot be stat'ed (a dangling link, a loop, a
    NUL byte in the name: judged where the file is used). Raises nothing; opens nothing."""
    try:
        mode = Path(path).stat().st_mode
    except (OSError, RuntimeError, ValueError):
        return None
    if stat.S_ISREG(mode) or stat.S_ISDIR(mode):
        return None
    return next((name for test, name in KINDS if test(mode)), "a special file")


def not_a_file(path: Path | str, named: str) -> str | None:
    """The refusal of ``path`` when it is not a regular file (:func:`special_kind`), starting with ``named``
    (``"--config f"``, ``"f"``): ``"f is a named pipe (FIFO), not a regular file; not read"``; None otherwise.
    Raises nothing; opens nothing (tester round 100a, 1)."""
    kind = special_kind(path)
    return None if kind is None else f"{named} is {kind}, not a regular file; not read"
