"""Later incomplete sittings a wave score passed over (tester round 114a, 2).

Within a wave the latest *complete* sitting counts (``instruments.score_waves``): a Moodle
Feedback attempt is a whole response, so a stray item answered days after a full sitting does
not throw the full score away. Such a later incomplete sitting is still stored (the answers are
kept as given), and the import says it: ``passed_over`` names each one, with the sitting that
counts instead, by Moodle user id only (never an answer).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from lmsync.domain.instruments import Instrument, WaveScore, score
from lmsync.domain.waves import SurveyAnswer, Wave, ordered_waves, wave_for


@dataclass(frozen=True)
class PassedOver:
    """An incomplete sitting of ``respondent_id`` on ``day``, later than the complete one of ``counted``
    (a date) in the same wave, which stays the wave's score."""

    respondent_id: int
    instrument: str
    wave: str
    day: date
    counted: date


def passed_over(
    answers: Iterable[SurveyAnswer],
    instruments: Mapping[str, Instrument],
    waves: Iterable[Wave],
    scores: Iterable[WaveScore],
    *,
    days: Collection[date] | None = None,
) -> list[PassedOver]:
    """The incomplete sittings dated after the complete sitting ``scores`` count in their wave, ordered by
    respondent, instrument and day; ``days`` (e.g. one file's dates) keeps only the sittings on those days.

    ``answers`` and ``scores`` as ``score_waves`` takes and returns them (same windows and instruments).
    """
    windows = ordered_waves(waves)
    counted = {(s.respondent_id, s.instrument, s.wave, s.about_id): s.date for s in scores if s.score.complete}
    sittings: dict[tuple[int, str, date, str, int | None], dict[str, str]] = defaultdict(dict)
    for a in answers:
        if days is None or a.date in days:
            sittings[(a.respondent_id, a.instrument, a.date, a.source, a.about_id)][a.item] = a.value
    found = set()
    for (person, name, day, _source, about), values in sittings.items():
        instrument, wave = instruments.get(name), wave_for(windows, day)
        if instrument is None or wave is None:
            continue
        kept = counted.get((person, name, wave.name, about))
        if kept is not None and day > kept and not score(instrument, values).complete:
            found.add(PassedOver(person, name, wave.name, day, kept))
    return sorted(found, key=lambda p: (p.respondent_id, p.instrument, p.day))
