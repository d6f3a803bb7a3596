"""Which pairs existed on a given day: the pairing history, else the current pairs.

A meeting logged in the Feedback activity belongs to the pair of its date, so a re-match
never re-attributes an earlier meeting to the new mentor (``meeting_log.meetings_from_feedback``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from lmsync.domain.pair_key import PairKey


@dataclass(frozen=True)
class DatedPair(PairKey):
    """A pair from the pairing history: it existed on ``start`` (inclusive) up to ``end``
    (exclusive; ``None`` = still open), both local dates."""

    start: date
    end: date | None


@dataclass(frozen=True)
class PairsByDate:
    """The pairs of each date: the pairing history where it covers the date, else the current pairs.

    A date on or after the history's first day is covered: the pairs open that day, plus the
    current pairs the history has no row for at all (made before the history was kept). An
    earlier date (a store older than the history) falls back to the current pairs.
    """

    history: tuple[DatedPair, ...]
    current: tuple[tuple[int, int], ...]

    def on(self, day: date) -> set[tuple[int, int]]:
        if not self.history or day < min(p.start for p in self.history):
            return set(self.current)
        known = {(p.mentor_id, p.mentee_id) for p in self.history}
        pairs = {(m, e) for m, e in self.current if (m, e) not in known}
        pairs.update(
            (p.mentor_id, p.mentee_id) for p in self.history if p.start <= day and (p.end is None or day < p.end)
        )
        return pairs
