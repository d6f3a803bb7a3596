"""Waves (T0, T3, T6, ...) and the answers sat in them.

Waves are inclusive date windows; a sitting belongs to the wave whose window holds its date.
``SurveyAnswer`` is one stored item answer. Scoring answers per wave is
:func:`lmsync.domain.instruments.score_waves`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class Wave:
    """A named measurement window, both ends inclusive."""

    name: str
    start: date
    end: date

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError(f"wave {self.name}: ends before it starts")

    def holds(self, day: date) -> bool:
        return self.start <= day <= self.end

    @property
    def middle(self) -> date:
        """The window's middle day (its first day plus half its length, rounded down): health asks a pair for the
        wave's answer only then, so a closed wave's figures count those paired on it and on its last day (tester
        round 63, 2; the mentor qualities too: round 122b, 2)."""
        return self.start + (self.end - self.start) // 2


def add_months(day: date, months: int) -> date:
    """``day`` plus whole calendar months, clamped to the month's last day (31 Jan + 1 = 28/29 Feb)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    next_month = date(year + (month == 12), month % 12 + 1, 1)
    last = (next_month - date(year, month, 1)).days
    return date(year, month, min(day.day, last))


def ordered_waves(waves: Iterable[Wave]) -> tuple[Wave, ...]:
    """Waves sorted by start; overlapping windows are refused so a date means one wave."""
    result = tuple(sorted(waves, key=lambda w: w.start))
    names = [w.name for w in result]
    if len(set(names)) != len(names):
        raise ValueError("two waves share a name")
    for before, after in zip(result, result[1:], strict=False):
        if after.start <= before.end:
            # with the windows: an offset_months wave's are computed, not written (tester round 51b, 11)
            raise ValueError(f"waves {before.name} ({before.start.isoformat()} to {before.end.isoformat()}) and "
                             f"{after.name} ({after.start.isoformat()} to {after.end.isoformat()}) overlap")
    return result


def waves_sat(sittings: Iterable[tuple[str, date]]) -> tuple[Wave, ...]:
    """The waves that ``(wave name, sitting date)`` pairs name, each from its first to its last
    sitting, in order: what stored scores say when no ``[waves]`` are configured (tester round 12, 4:
    the report of the demo's played term showed "no survey scores yet" beside 300 stored ones).
    None (empty) when two of them overlap: a date would not say which wave it is."""
    spans: dict[str, tuple[date, date]] = {}
    for name, day in sittings:
        first, last = spans.get(name, (day, day))
        spans[name] = (min(first, day), max(last, day))
    try:
        return ordered_waves(Wave(name, first, last) for name, (first, last) in spans.items())
    except ValueError:
        return ()


def wave_for(waves: Iterable[Wave], day: date) -> Wave | None:
    return next((w for w in waves if w.holds(day)), None)


def outside_every_wave(days: Iterable[date], waves: Iterable[Wave]) -> int:
    """How many of ``days`` no wave's window holds: answers sat then are never scored."""
    windows = tuple(waves)
    return sum(1 for day in days if wave_for(windows, day) is None)


@dataclass(frozen=True)
class SurveyAnswer:
    """One stored item answer; ``value`` is kept as text so N/A markers survive.

    ``about_id`` is the Moodle user id of the other person of the relationship the answer
    is about (a mentor rating each of their mentees on a mentor-side form, issue 11), or
    ``None`` for an answer about the respondent's relationships in general.
    """

    respondent_id: int
    instrument: str
    date: date
    item: str
    value: str
    source: str
    about_id: int | None = None


def closed_waves_only(waves: Sequence[Wave], as_of: date | None) -> dict[str, date]:
    """The configured waves whose window has not closed by ``as_of``: its last day not yet past (name -> that
    day). Their statistics wait for the day after it: made daily while answers came in, two reports a day apart
    gave away the one answer between them (n 5 mean 2.4, then n 6 mean 2.2: that answer was 1.2; tester
    round 21, 2; `pair show` holds its mentees' means the same way, round 51c, 1); shown on the last day itself,
    an answer given later that day did the same (tester round 121a, 5), so a wave closes the day after its last
    day, as a mentor's received mean is published (``received_release``). From then on a wave's figures change
    only by answers dated inside it and recorded late (``late_answers``)."""
    if as_of is None:
        return {}
    return {w.name: w.end for w in waves if w.end >= as_of}
