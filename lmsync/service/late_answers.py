"""Survey answers stored, removed or changed after their wave closed, said where it happens (tester round 121a, 7;
round 128, 1 and 2).

A wave's figures (the report's wave means, the programme evaluation, the response rate, the mentor qualities
programme-wide and per mentor) are shown from the day after its last day (``waves.closed_waves_only``). An answer
dated inside the wave and stored after it closed once moved them: a paper form typed in a week after T0 closed moved
T0's mean from n 51 to n 52 (52 x 3.115 - 51 x 3.078 = 5.0), and a Feedback response edited after T0 closed (Moodle
moves its time, so its T0 answers went) took n 10 to 9 and gave that mentee's rating back (tester round 128, 1).

Now the first command that writes the store after a wave's last day records the sittings it counts
(``store.closed_sittings``) and the report counts it over those alone (``domain.closed_sittings``): an answer stored
later counts in none of its figures, and a counted one removed or changed withholds every figure it was part of, for
good. ``lmsync import surveys`` and the run's Feedback line say so, by wave, with how many people's answers of each
kind: stored late (not counted), removed (deleted, or edited in Moodle so it moved out of the wave), changed in place
(an edit or re-import that kept its day). A wave closed whose sittings are not recorded yet (the first command after its
last day records them as it ends) still moves with what that command stores: said as before.

Counts and wave names only: never who answered nor what.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date

from lmsync.domain.closed_sittings import ClosedCount, Key, judge
from lmsync.domain.instruments import Wave, per_respondent
from lmsync.store import closed_sittings
from lmsync.store.closed_windows import recorded
from lmsync.store.db import Store
from lmsync.store.surveys import SurveyRepository


@dataclass(frozen=True)
class Scores:
    """What a step's warning compares before and after it: ``totals`` (``(instrument, wave, respondent) -> total`` of
    the complete scores) and ``closed`` (each recorded closed wave's sittings judged: ``domain.closed_sittings``)."""

    totals: Mapping[tuple[str, str, int], float] = field(default_factory=dict)
    closed: Mapping[str, ClosedCount] = field(default_factory=dict)


@dataclass(frozen=True)
class Moved:
    """One closed wave's people whose answers a step ``stored`` after its sittings were recorded (not counted),
    ``removed`` or ``changed`` of those it counted (its figures withheld), or, not recorded yet, ``moved`` its figures."""

    stored: int = 0
    removed: int = 0
    changed: int = 0
    moved: int = 0

    @property
    def people(self) -> int:
        return self.stored + self.removed + self.changed + self.moved


def complete_scores(store: Store, programme: str) -> Scores:
    """The programme's complete wave scores, one per respondent, instrument and wave (as the report counts them),
    and each recorded closed wave's sittings judged now."""
    windows = recorded(store, programme)
    records = {name: r for name, r in closed_sittings.recorded(store, programme).items() if name in windows}
    now = closed_sittings.stamps(store, programme, [windows[name] for name in records])
    return Scores(
        {(s.instrument, s.wave, s.respondent_id): float(s.score.total)
         for s in per_respondent(SurveyRepository(store, programme).scores()) if s.score.total is not None},
        {name: judge(r, {k: v for k, v in now.items() if windows[name][0] <= k[2] <= windows[name][1]})
         for name, r in records.items()},
    )


def _people(keys: Iterable[Key]) -> set[int]:
    return {key[0] for key in keys}


def late_by_wave(
    before: Scores, after: Scores, waves: Iterable[Wave], today: date, days: Collection[date] | None = None
) -> dict[str, Moved]:
    """Wave name -> ``Moved``: for each configured wave whose last day is before ``today`` (closed: its figures are
    shown), how many people's answers the step between ``before`` and ``after`` stored late, removed or changed (a
    recorded wave) or whose complete scores it added, changed or removed (a wave not recorded yet). ``days``, when
    given (an import's answer dates), limits it to the waves holding one of them. Waves with none are left out."""
    closed = {w.name: w for w in waves if w.end < today and (days is None or any(w.holds(d) for d in days))}
    out: dict[str, Moved] = {}
    for name in sorted(closed, key=lambda n: closed[n].start):
        if name in after.closed:
            was, now = before.closed.get(name, ClosedCount()), after.closed[name]
            removed = _people(now.removed - was.removed)
            changed = _people((now.changed - now.removed) - was.changed) - removed
            found = Moved(len(_people(now.late - was.late) - removed - changed), len(removed), len(changed))
        else:
            found = Moved(moved=len({key[2] for key in {*before.totals, *after.totals} if key[1] == name
                                     and before.totals.get(key) != after.totals.get(key)}))
        if found.people:
            out[name] = found
    return out


#: What a closed wave's figures are (the warning names them all: tester round 128, 2).
_FIGURES = ("the report's wave means, programme evaluation, response rate and mentor qualities (programme-wide and per "
            "mentor)")


def late_note(late: Mapping[str, Moved], waves: Iterable[Wave]) -> str | None:
    """The warning for ``late_by_wave``'s counts, or ``None`` when no closed wave had any."""
    if not late:
        return None
    ends = {w.name: w.end for w in waves}

    def said(kind: str) -> str:
        return ", ".join(f"{wave} (closed {ends[wave].isoformat()}): {getattr(m, kind)}"
                         for wave, m in late.items() if getattr(m, kind))

    parts = []
    if said("stored"):
        parts.append(f"answers dated inside a survey wave but stored after it closed, people per wave: {said('stored')};"
                     f" they count in none of its figures ({_FIGURES}), which stay as they were")
    if said("removed"):
        parts.append("answers a closed survey wave counted are no longer stored (a response deleted, or edited in "
                     f"Moodle so that its new date moved it out of the wave), people per wave: {said('removed')}")
    if said("changed"):
        parts.append("answers a closed survey wave counted were changed in place (an edit or re-import that kept "
                     f"their day), people per wave: {said('changed')}")
    if said("removed") or said("changed"):
        parts.append(f"the figures they were part of ({_FIGURES}) are withheld from now on, so that no report gives "
                     "them back by difference")
    if said("moved"):
        parts.append(f"answers stored after their survey wave closed, people per wave: {said('moved')}; each wave's "
                     f"figures already shown ({_FIGURES}) move by them, as what it counts is recorded only as this "
                     "command ends, so a reader comparing a report made before with one made after could learn those "
                     "answers; import paper answers before a wave's window closes")
    return "warning: " + "; ".join(parts)
