"""Writing a file of personal data (an export, a report, a saved plan) readable by its owner only.

``write_private`` writes beside the target into a new file that is owner-only from its first byte
(``tempfile.mkstemp``: mode 0600) and renames it over the target. Writing in place and then
``chmod 0600`` left a moment in which another account could open the file at 0644 and keep
reading it (tester round 77b, 6), and a ``chmod`` follows what the path names: ``--out /dev/null
--force`` made ``/dev/null`` owner-only for the whole machine. ``out_files.refusal`` refuses a
path that is not a regular file first; the rename replaces a file, never writes through it.

A symbolic link is followed, as writing in place followed it (``--out`` through a link into an
existing folder creates its target: tester round 45, 8): the new file is made in the folder of
the link's target and renamed over the target, and the link stays a link (``landing``). Renamed
over the link itself, a ``[report] path`` naming ``latest.html`` in a web folder through a link
became a plain file beside it, and the web folder kept the old report, with people since erased
in it (tester round 79, 4). ``out_files.refusal`` applies its checks to the target too.
"""

from __future__ import annotations

import contextlib
import errno
import os
import tempfile
from pathlib import Path


def landing(path: Path) -> Path:
    """Where a write at ``path`` lands: ``path`` itself, or, for a symbolic link (a chain of them, a
    relative one read from the link's folder), the file it points at, which need not exist yet (tester
    round 79, 4). A link that never ends (a loop) lands nowhere: it is returned as the link it still
    is (``path.is_symlink()`` stays true), for the caller to refuse. Raises nothing."""
    if not path.is_symlink():
        return path
    return Path(os.path.realpath(path))


def write_private(path: Path, text: str) -> None:
    """Write ``text`` (UTF-8) to ``path`` as a new owner-only file (0600), replacing any file there; a
    symbolic link is followed to its target, which is the file replaced (``landing``; tester round 79, 4).

    Raises OSError (no room, no permission on the folder; ``ELOOP`` for a link that never ends at a
    file); the target is then left as it was and no partial file is left beside it."""
    target = landing(path)
    if target.is_symlink():  # a loop: out_files.refusal says so first, for every writer that asks it
        raise OSError(errno.ELOOP, "a symbolic link that never ends at a file (a loop)", str(path))
    handle, partial = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        os.replace(partial, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(partial)
        raise
