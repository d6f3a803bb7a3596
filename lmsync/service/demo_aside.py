"""A demo's stores set aside before it starts again, and put back when it fails part-way.

``lmsync demo`` starts a fresh site and fresh stores each time; the previous ones are kept as
``<name>.previous`` (README, `lmsync demo`): the programme's store with its saved site, and the played
term's store (``<programme>.demo.db``), where a coordinator trying the views may have acknowledged queue
items (tester round 95a, 11: it was deleted without a copy).
"""

from __future__ import annotations

from pathlib import Path

from lmsync.service.demo_own import MARKER

#: The store file, the side files SQLite keeps beside it and the demo's marker (``demo_own``: a store set aside
#: stays the demo's, a half-made one's goes with it), moved and removed together.
_STORE_FILES = ("", "-wal", "-shm", MARKER)


def set_aside(store: Path, site: Path | None = None) -> Path | None:
    """Move the emulator's store (and its SQLite side files) to ``<name>.previous``, replacing an older
    one, and its saved ``site`` beside it (``<name>.previous``: the store without its site reads as a course
    emptied); returns where the store went, or ``None`` when there was none. Run again, the demo rebuilt the
    site but kept the store, whose journal then reported 20 welcomes "deleted in Moodle" and members "taken
    out in Moodle" that nobody touched (tester round 21, 13)."""
    if not store.exists():
        return None
    if site is not None and site.exists():
        site.replace(site.with_name(f"{site.name}.previous"))
    _fold_wal(store)
    kept = store.with_name(f"{store.name}.previous")
    for suffix in _STORE_FILES:
        source, target = Path(f"{store}{suffix}"), Path(f"{kept}{suffix}")
        if source.exists():
            source.replace(target)
        else:
            target.unlink(missing_ok=True)
    return kept


def _fold_wal(store: Path) -> None:
    """Write the store's WAL back into its file, so the set-aside copy is one file, not three
    (tester round 26, 11: ``.previous-wal`` and ``.previous-shm`` left beside it). A file SQLite
    cannot open is moved as it is, side files and all."""
    import sqlite3

    try:
        connection = sqlite3.connect(store)
        try:
            connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            connection.close()  # the last connection to close removes the -wal and -shm files
    except sqlite3.Error:
        return


def put_back(store: Path, site: Path | None, *, kept: Path | None, site_kept: bool) -> None:
    """Undo ``set_aside`` after a demo that failed part-way: remove the half-made store (and its side files) and
    ``site`` (``None``: a site ``set_aside`` left where it was, which is kept), and move the previous demo's back
    (its site when ``site_kept``).
    The next demo set the half-made store aside as ``.previous``, over the last good demo's, whose site was by then
    beside an older store (tester round 93a, 2)."""
    for suffix in _STORE_FILES:
        Path(f"{store}{suffix}").unlink(missing_ok=True)
    if site is not None:
        site.unlink(missing_ok=True)
    if kept is not None:
        for suffix in _STORE_FILES:
            source = Path(f"{kept}{suffix}")
            if source.exists():
                source.replace(Path(f"{store}{suffix}"))
    if site is not None and site_kept and (previous := site.with_name(f"{site.name}.previous")).exists():
        previous.replace(site)
