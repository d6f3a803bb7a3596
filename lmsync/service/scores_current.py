"""Whether the stored wave scores follow today's ``[waves]`` and ``[instruments]`` (tester round 114a, 3).

Wave scores are derived from the stored answers and stored at each import or Feedback read, under the
configuration of that moment. A later edit of the configuration leaves them behind in two ways:

* a stored score names a wave no window of its date has now, or an instrument no longer declared
  (a window renamed or moved: tester finding 4);
* a sitting that a window holds now has no stored score at all: answers imported while ``[waves]``
  had no windows (or before a window was widened, or an instrument declared) were never scored, and
  ``run`` and ``grades plan`` said "0 figures computed" until an unrelated import rescored everything.

``out_of_date`` counts both from the sittings' keys (``store.survey_sittings``); the readers
(``feedback_store.current_scores`` and ``current_totals``) then score the stored answers again in
memory, so every figure follows the configuration at the time it is read.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import date

from lmsync.domain.instruments import WaveScore
from lmsync.domain.waves import Wave, ordered_waves, wave_for


def out_of_date(
    stored: Iterable[WaveScore],
    sittings: Iterable[tuple[int, str, date, int | None]],
    instruments: Collection[str],
    waves: Iterable[Wave],
) -> int:
    """How many stored scores name a wave or instrument today's configuration does not give them, plus how
    many (respondent, instrument, wave, about) a window holds answers of but no stored score: 0 when the
    stored scores are today's. ``sittings`` as ``store.survey_sittings.sitting_keys`` returns them."""
    windows = ordered_waves(waves)
    stale, held = 0, set()
    for ws in stored:
        held.add((ws.respondent_id, ws.instrument, ws.wave, ws.about_id))
        if ws.instrument not in instruments or getattr(wave_for(windows, ws.date), "name", None) != ws.wave:
            stale += 1
    unscored = set()
    for person, name, day, about in sittings:
        wave = wave_for(windows, day) if name in instruments else None
        if wave is not None and (person, name, wave.name, about) not in held:
            unscored.add((person, name, wave.name, about))
    return stale + len(unscored)
