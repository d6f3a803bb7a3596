"""Writing a file of personal data (an export, a report, a saved plan) readable by its owner only.

``write_private`` writes beside the target into a new file that is owner-only from its first byte
(``tempfile.mkstemp``: mode 0600) and renames it over the target. Writing in place and then
``chmod 0600`` left a moment in which another account could open the file at 0644 and keep
reading it (tester round 77b, 6), and a ``chmod`` follows what the path names: ``--out /dev/null
--force`` made ``/dev/null`` owner-only for the whole machine. ``out_files.refusal`` refuses a
path that is not a regular file first; the rename replaces a file, never writes through it.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path


def write_private(path: Path, text: str) -> None:
    """Write ``text`` (UTF-8) to ``path`` as a new owner-only file (0600), replacing any file there.

    Raises OSError (no room, no permission on the folder); the target is then left as it was and
    no partial file is left beside it."""
    handle, partial = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        os.replace(partial, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(partial)
        raise
