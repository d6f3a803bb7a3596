"""Which saved site the built-in emulator uses: the programme's own, or the one its store wrote to.

A configuration with no ``[moodle] url`` keeps the emulator's site as ``<programme>.emulator.json`` beside its
store (``Config.emulator_state_path``). Renaming ``[programme] name`` and keeping ``[store] path`` made that
another file; with none there yet, every command ran on a fresh demo site: ``lmsync plan`` showed 133 operations
against a clean course and ``lmsync doctor`` passed, while a real Moodle would still hold the old programme's
circles and the sync would refuse the rename (README: "a renamed programme is still refused"), and nothing said
which site file was in use (tester round 117b, 7).

The site follows the store, as a Moodle does: while the programme's own file does not exist, a SQLite store whose
journal holds writes of another programme whose site file lies beside it (the latest such programme) names that
file as the site, so a renamed programme meets its old circles there and is refused as on Moodle. Anything else
(a store not made yet, a PostgreSQL store, an unreadable one, no such file): the programme's own file, the demo
site until a command saves one there.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError

from lmsync.config import Config
from lmsync.errors import ConfigError, LmsyncError
from lmsync.store import schema


def site_file(config: Config) -> Path:
    """The emulator's site file for ``config`` (a ``Config`` with no ``[moodle] url``): its own
    (``Config.emulator_state_path``) unless ``store_site`` names another programme's (module doc). Never raises."""
    found = store_site(config)
    return found[1] if found is not None else config.emulator_state_path()


def store_site(config: Config) -> tuple[str, Path] | None:
    """``(programme, file)``: another programme's emulator site file (``<programme>.emulator.json`` beside the
    programme's own, which does not exist) that the store's journal wrote to, the latest such programme first;
    None when the own file exists, a Moodle is configured, or the store is not a readable SQLite file holding
    such writes. Never raises: the command that opens the store says what is wrong with it."""
    own = config.emulator_state_path()
    if not config.uses_emulator or own.exists():
        return None
    from lmsync.service.stores import store_target
    from lmsync.store.db import Store

    try:
        target = store_target(config)
        if not isinstance(target, Path) or not target.is_file():
            return None
        store = Store(target, read_only=True)
    except (LmsyncError, ConfigError, OSError, SQLAlchemyError, RuntimeError):
        return None
    j = schema.journal
    try:
        names = [row.programme for row in store.rows(
            select(j.c.programme).where(j.c.programme != config.programme.name)
            .group_by(j.c.programme).order_by(func.max(j.c.id).desc()))]
    except (LmsyncError, OSError, SQLAlchemyError):
        return None
    finally:
        store.close()
    for name in names:
        try:
            path = own.with_name(f"{name}.emulator.json")
        except ValueError:  # not a file name: never this programme's site
            continue
        if path.is_file():
            return name, path
    return None


def site_words(config: Config) -> str:
    """The site file in use, for the emulator's notice and doctor: ``site PATH``, ``(not made yet: the demo site)``
    after it when there is none, or whose it is when it is another programme's (``store_site``)."""
    found = store_site(config)
    if found is not None:
        return (f"site {found[1]} (programme {found[0]}'s, which this store wrote to; "
                f"{config.emulator_state_path().name} does not exist)")
    own = config.emulator_state_path()
    return f"site {own}" if own.exists() else f"site {own} (not made yet: the demo site)"
