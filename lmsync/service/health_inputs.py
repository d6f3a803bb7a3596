"""What the health service reads besides the evidence: today, the instruments, the thresholds and
when pairs started (shared by ``health``, ``health_queue`` and ``pair_history``)."""

from __future__ import annotations

from datetime import UTC, date, tzinfo

from lmsync.config import Config
from lmsync.domain.health import Thresholds
from lmsync.domain.instruments import Instrument
from lmsync.errors import ConfigError
from lmsync.service.meetings import settings
from lmsync.service.programme_settings import programme_today
from lmsync.store.db import Store
from lmsync.store.messages import NudgeLog
from lmsync.store.pairings import PairingHistory


def today(config: Config) -> date:
    """The programme's local date (``[programme] timezone``; see ``programme_settings.programme_today``)."""
    return programme_today(config)


def journal_pairing_days(store: Store, programme: str, tz: tzinfo = UTC) -> dict[tuple[int, int], date]:
    """When lmsync last put each mentee into a mentor's circle (the pairing history apply writes), as
    dates in ``tz``: give the programme's zone (``programme_settings.programme_zone``), as every pair's
    start is a programme day (a pair made at 22:35 UTC began on Auckland's next day)."""
    return PairingHistory(store, programme).pairing_days(tz)


def store_is_new(store: Store, programme: str) -> bool:
    """Whether this store has never nudged anyone about the programme (no nudge recorded).

    Such a store's judgement has not yet been confirmed by anyone: a pair lmsync found already
    paired starts at the programme's start (issue 13), so on a site whose circles lmsync made
    before, from another store, every pair may look fading at once (tester finding 1a; the guard
    is ``nudge_holds.first_run_hold``). The guard holds on every run until an admin sends once
    with ``--allow-mass-nudge`` (or fewer pairs need a nudge): a daemon's next cycle must not
    send what the first one held.
    """
    return not NudgeLog(store, programme).records()


def satisfaction_instruments(config: Config) -> dict[str, Instrument]:
    return _instruments(config, "satisfaction_instruments", config.health.satisfaction_instruments)


def _instruments(config: Config, key: str, names: list[str]) -> dict[str, Instrument]:
    instruments = settings(config).instruments
    unknown = [name for name in names if name not in instruments]
    if unknown:
        raise ConfigError(
            f"health.{key}: unknown instrument(s) {', '.join(unknown)}",
            hint=f"use built-in or [instruments] names: {', '.join(sorted(instruments))}",
        )
    return {name: instruments[name] for name in names}


def thresholds(config: Config) -> Thresholds:
    return config.health.thresholds(config.meetings.cadence_days)


def programme_start(config: Config) -> date | None:
    """The programme's first day: ``[meetings] start``, else ``[waves] programme_start``."""
    return settings(config).meetings_start
