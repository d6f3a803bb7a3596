"""The programme's meeting, grade, wave and instrument settings, validated once (``Settings``).

Read through :mod:`lmsync.config_sections`; a bad section is a ``ConfigError`` naming it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, Literal
from zoneinfo import ZoneInfo

from lmsync.config import Config
from lmsync.config_sections import (
    GradesConfig,
    InstrumentConfig,
    MeetingsConfig,
    WavesConfig,
    resolve_instruments,
)
from lmsync.domain.instruments import Instrument, Wave
from lmsync.errors import ConfigError


@dataclass(frozen=True)
class Settings:
    """The issue-#6 sections, validated, whatever shape ``Config`` currently gives them."""

    programme: str
    meetings: MeetingsConfig
    grades: GradesConfig
    waves: tuple[Wave, ...]
    baseline: str | None
    programme_start: date | None
    instruments: dict[str, Instrument]
    instrument_sections: dict[str, InstrumentConfig]
    #: ``[sync] min_source_fraction``: a Feedback read removing more of a source's rows is refused.
    min_source_fraction: float = 0.5
    #: ``[import] date_order``: how the Feedback meeting log's slash dates are read, as the import reads a
    #: file's (tester round 87a, 4: they were always read day-first).
    date_order: Literal["auto", "dmy", "mdy"] = "auto"

    @property
    def meetings_start(self) -> date | None:
        """The day meetings count from: ``[meetings] start``, else ``[waves] programme_start``."""
        return self.meetings.start or self.programme_start


def settings(config: Config) -> Settings:
    """Read the sections through ``lmsync.config_sections`` (works before and after they are plugged in)."""
    try:
        meetings = MeetingsConfig.model_validate(_plain(config.meetings))
        grades = GradesConfig.model_validate(_plain(config.grades))
        waves = WavesConfig.model_validate(_plain(getattr(config, "waves", None)) or {})
        sections = {
            name: InstrumentConfig.model_validate(_plain(value))
            for name, value in (config.instruments or {}).items()
        }
        instruments = resolve_instruments(sections)
    except ValueError as exc:  # pydantic's ValidationError is a ValueError
        raise ConfigError(f"configuration: {exc}") from None
    return Settings(
        programme=config.programme.name,
        meetings=meetings,
        grades=grades,
        waves=waves.to_waves(),
        baseline=waves.baseline,
        programme_start=waves.programme_start,
        instruments=instruments,
        instrument_sections=sections,
        min_source_fraction=config.sync.min_source_fraction,
        date_order=config.import_.date_order,
    )


def clock() -> datetime:
    """The one wall clock (aware, UTC); tests monkeypatch it to fix "now" everywhere."""
    return datetime.now(UTC)


def programme_now(config: Config, now: datetime | None = None) -> datetime:
    """``now`` (default: :func:`clock`) in ``[programme] timezone`` (CONFIGURATION.md: default UTC;
    "quiet hours and days are local"). A naive ``now`` is taken as UTC."""
    moment = now or clock()
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(programme_zone(config))


def programme_zone(config: Config) -> ZoneInfo:
    """``[programme] timezone`` as a time zone (checked when the configuration is read)."""
    return ZoneInfo(config.programme.timezone)


def programme_today(config: Config, now: datetime | None = None) -> date:
    """The programme's local date at ``now`` (default: the clock): what every "today" means (imports'
    future-date check, health's as-of, snapshot, nudge and digest days and caps, the report, grades).

    Source: CONFIGURATION.md, ``[programme] timezone``: "quiet hours and days are local". A school
    east of UTC (Pacific/Auckland) is a day ahead of UTC from 11:00 UTC (FIX-F).
    """
    return programme_now(config, now).date()


def _plain(value: Any) -> Any:
    if value is None:
        return None
    if hasattr(value, "model_dump"):
        return value.model_dump(exclude_unset=True)
    return value
