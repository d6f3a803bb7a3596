"""Where a command's ``--out`` may write: one check for every ``--out`` that writes a file.

``check_out`` refuses, as bad input (exit 3) naming the path and the fix:

* the programme's own store (its SQLite file, or the file's ``-wal``/``-shm`` companions),
  however it is named: through a symlink or a relative path; ``--force`` never
  allows it (tester round 4, 1: ``report --out`` on the store replaced it with HTML);
* a file that exists, unless ``force`` (``--force``: replace FILE if it exists);
* a path whose folder does not exist (or is not a folder): nothing creates folders behind
  the admin's back, and no ``FileNotFoundError`` escapes (tester round 4, 14 and 15).

The cycle's own report (``[report] path``) is not an ``--out`` and is not checked here.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from lmsync.errors import InputError

if TYPE_CHECKING:
    from lmsync.config import Config

#: The files SQLite keeps beside a store in WAL mode (and its rollback journal).
_COMPANIONS = ("", "-wal", "-shm", "-journal")


def store_files(config: Config) -> list[Path]:
    """The files of the configured store: its SQLite file and companions (none for PostgreSQL)."""
    target: Path | None = config.store_path()
    if config.store.url:
        from lmsync.store.db import store_url  # sqlalchemy: only when a URL is configured

        url = store_url(config.store.url)
        target = Path(url.database) if url is not None and url.get_backend_name() == "sqlite" and url.database else None
    if target is None or str(target) == ":memory:":
        return []
    return [target.with_name(target.name + suffix) for suffix in _COMPANIONS]


def check_out(out: Path, *, force: bool, config: Config | None = None, folder: bool = False,
              again: str | None = None) -> None:
    """Refuse ``out`` (see the module doc) before anything is computed or written.

    ``config``: the programme whose store ``out`` must not be (None: a command without one,
    such as ``init``). ``folder``: ``out`` is a folder of files (``report --format csv``), which
    may exist; only its own folder must. ``again``: the command to suggest with ``--force``.
    Raises InputError.
    """
    if config is not None:
        store = next((s for s in store_files(config) if _same_file(out, s)), None)
        if store is not None:
            raise InputError(
                f"--out {out} is this programme's store ({store}): writing there would destroy lmsync's data",
                hint="give --out another file (--force never replaces the store)",
            )
    parent = out.absolute().parent
    if not parent.is_dir():
        what = f"{parent} is not a folder" if parent.exists() else f"the folder {parent} does not exist"
        raise InputError(
            f"--out {out}: {what}",
            hint=f"create it first (mkdir -p {parent}), or give --out a path in an existing folder",
        )
    if out.exists() and not folder and not force:
        raise InputError(
            f"{out} exists; not overwritten",
            hint=f"add --force to replace it: {again}" if again else "add --force to replace it, or give --out another file",
        )


def _same_file(a: Path, b: Path) -> bool:
    """Whether ``a`` and ``b`` name one file: the same resolved path, or (both existing) one inode."""
    try:
        if a.exists() and b.exists():
            return os.path.samefile(a, b)
        return a.resolve() == b.resolve()
    except OSError:
        return False
