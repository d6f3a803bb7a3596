"""Survey answers stored after their wave closed, said where they are stored (tester round 121a, 7).

A wave's figures (the report's wave means, the programme evaluation) are shown from the day after its last day
(``waves.closed_waves_only``) and a report made then reads the same as any made later, except that an answer
dated inside the wave and stored after that day still counts in them: a paper form typed in a week after T0
closed moved T0's mean from n 51 to n 52, and 52 x 3.115 - 51 x 3.078 = 5.0 gave that mentee's rating back to
anyone comparing the two reports. lmsync keeps such answers counted (the wave's figures are meant to be over
everyone who answered in its window, and an answer held back would have to be held back from health, grades and
``pair show`` alike); instead ``lmsync import surveys`` and the run's Feedback line warn, by wave, with how many
people's answers moved a closed wave's figures and the fix: import paper answers before the window closes.

Counts and wave names only: never who answered nor what.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from datetime import date

from lmsync.domain.instruments import Wave, per_respondent
from lmsync.store.db import Store
from lmsync.store.surveys import SurveyRepository

#: ``(instrument, wave, respondent) -> total`` of the complete scores a store holds.
Scores = Mapping[tuple[str, str, int], float]


def complete_scores(store: Store, programme: str) -> dict[tuple[str, str, int], float]:
    """The programme's complete wave scores, one per respondent, instrument and wave (as the report counts them)."""
    return {
        (s.instrument, s.wave, s.respondent_id): float(s.score.total)
        for s in per_respondent(SurveyRepository(store, programme).scores())
        if s.score.total is not None
    }


def late_by_wave(
    before: Scores, after: Scores, waves: Iterable[Wave], today: date, days: Collection[date] | None = None
) -> dict[str, int]:
    """Wave name -> how many people's complete scores of it were added, changed or removed between ``before``
    and ``after``, for each configured wave whose last day is before ``today`` (closed: its figures are shown).
    ``days``, when given (an import's answer dates), limits it to the waves holding one of them."""
    closed = {w.name: w for w in waves if w.end < today and (days is None or any(w.holds(d) for d in days))}
    moved: dict[str, set[int]] = {}
    for key in {*before, *after}:
        _instrument, wave, who = key
        if wave in closed and before.get(key) != after.get(key):
            moved.setdefault(wave, set()).add(who)
    return {wave: len(people) for wave, people in sorted(moved.items(), key=lambda kv: closed[kv[0]].start)}


def late_note(late: Mapping[str, int], waves: Iterable[Wave]) -> str | None:
    """The warning for ``late_by_wave``'s counts, or ``None`` when no closed wave moved."""
    if not late:
        return None
    ends = {w.name: w.end for w in waves}
    said = ", ".join(f"{wave} (closed {ends[wave].isoformat()}): {n}" for wave, n in late.items())
    return (f"warning: answers stored after their survey wave closed, people per wave: {said}; each wave's figures "
            "already shown (the report's wave means and programme evaluation) move by them, so a reader comparing a "
            "report made before with one made after could learn those answers; import paper answers before a wave's "
            "window closes")
