"""The fix for ``[matching]`` pins, forbids or rematch entries that name nobody: where they are written.

The fix said "in the configuration file, or LMSYNC_MATCHING_PINS / LMSYNC_MATCHING_FORBIDS where the environment sets
them", naming no file and no line (tester round 105a, 10). It now names, per key, the configuration file and the
key's line there (``pins: lmsync.toml line 2``), or the environment variable that sets it; the old words stay for a
configuration not read from a file (a test's, or with no key located). A ``--people`` CSV's ids have a fix of their
own (tester round 43, 8).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from lmsync.config_lines import line_of

if TYPE_CHECKING:
    from lmsync.config import Config

#: With ``--people``, the ids the decisions name are the file's (tester round 43, 8: it spoke of suspended enrolments).
FILE_HINT = ("with --people, the configuration's [matching] pins, forbids and rematch name ids of the file: correct them, "
             "take them out, or match with a configuration that has none")


def _written_at(config: Config | None, key: str) -> str | None:
    """Where ``[matching] key`` is set: ``LMSYNC_MATCHING_PINS (the environment)``, ``lmsync.toml line 2``, or None
    when it is not known (no file read, or the key not written in it)."""
    if config is None:
        return None
    text, env_names = config._written
    variable = env_names.get(("matching", key))
    if variable:
        return f"{variable} (the environment)"
    number = line_of(text, ("matching", key)) if config.source is not None else None
    written = number is not None and number != line_of(text, ("matching",))  # not only its table's header: the key
    return f"{config.source} line {number}" if written else None


def decisions_hint(config: Config | None, keys: Sequence[str], people_file: str | Path | None = None) -> str:
    """The fix for bad entries of the ``[matching]`` ``keys`` (``("pins", "forbids")``, ``("rematch",)``, or all
    three) of ``config``: correct or remove them, where each is written (module doc). ``people_file``: the
    ``--people`` CSV matched from, whose ids they name (``FILE_HINT``)."""
    if people_file is not None:
        return FILE_HINT
    names = " / ".join(keys)
    places = [f"{key}: {at}" for key in keys if (at := _written_at(config, key)) is not None]
    if places:
        return f"correct or remove these entries of [matching] {names} ({'; '.join(places)})"
    variables = " / ".join(f"LMSYNC_MATCHING_{key.upper()}" for key in keys)
    sets = "sets them" if len(keys) > 1 else "sets it"
    return (f"correct or remove these entries of [matching] {names} (in the configuration file, or {variables} where "
            f"the environment {sets})")
