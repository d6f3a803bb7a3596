"""Recording each survey wave's window as it closed, at every command that writes the store (tester round 123a, 1).

``runtime.store_session`` is the one place every write command opens the store (``sync``, ``run``, ``health``, the
imports, ``queue``, ``grades``, ...): as such a session ends without failing, ``record_closed`` records each
configured wave whose last day is before the programme's day and that has no record yet, with its window as the
report counts it at that moment (lmsync.toml's, cut to the days earlier kept windows leave: ``held_waves``), so kept
windows never overlap (``store.closed_windows``). A read (``report``, ``health --as-of``) opens the store read-only and
records nothing; it reads the records (``report_inputs``) and keeps a closed wave's figures over the window it
closed with (``domain.closed_windows``).

With a wave's window, the same moment records the sittings dated inside it (``store.closed_sittings``; tester round
128, 1 and 2): the report counts the wave over those alone, and withholds a figure one of them was part of once it is
removed or changed (``domain.closed_sittings``). A wave closed before that record existed gets it at the next such
command, over the window it closed with.
"""

from __future__ import annotations

from lmsync.config import Config
from lmsync.domain.closed_windows import held_waves
from lmsync.errors import ConfigError
from lmsync.log import get_logger
from lmsync.service.programme_settings import programme_today, settings
from lmsync.store import closed_sittings
from lmsync.store.closed_windows import record, recorded
from lmsync.store.db import Store

log = get_logger(__name__)


def record_closed(config: Config, store: Store) -> int:
    """Record the window of each configured wave closed by the programme's day (its last day before it) that the
    store has none of yet; returns how many were recorded (0 also when ``[waves]`` does not validate: the command's
    own reading of it says why)."""
    try:
        waves = settings(config).waves
    except ConfigError:
        return 0
    day = programme_today(config)
    counted = held_waves(waves, recorded(store, config.programme.name), day).waves  # as the report counts them
    made = record(store, config.programme.name, {w.name: (w.start, w.end) for w in counted if w.end < day}, day)
    if made:
        log.info("waves.closed_windows_recorded", waves=made, day=day.isoformat())
    kept = recorded(store, config.programme.name)
    have = closed_sittings.recorded(store, config.programme.name)
    for name in sorted(set(kept) - set(have)):  # what each closed wave counts (tester round 128, 1 and 2)
        n = closed_sittings.record(store, config.programme.name, name, kept[name])
        log.info("waves.closed_sittings_recorded", wave=name, sittings=n)
    return made
