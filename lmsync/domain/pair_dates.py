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
    earlier date (answers older than the history: an established programme, a baseline wave)
    gets each mentee's first recorded pair, not today's: after a re-match, today's pairs credited
    the new mentor with ratings of the old one, judged a pair made today by its predecessor's
    answers and gave it the old circle's meeting log (tester rounds 14, 3 and 15, 1 and 2). The
    history is in the order it was written (``PairingHistory.history``). No history: the current pairs.
    """

    history: tuple[DatedPair, ...]
    current: tuple[tuple[int, int], ...]

    def on(self, day: date) -> set[tuple[int, int]]:
        if not self.history:
            return set(self.current)
        known = {(p.mentor_id, p.mentee_id) for p in self.history}
        if day < min(p.start for p in self.history):
            return self._first_recorded(known)
        pairs = {(m, e) for m, e in self.current if (m, e) not in known}
        pairs.update(
            (p.mentor_id, p.mentee_id) for p in self.history if p.start <= day and (p.end is None or day < p.end)
        )
        return pairs

    def _first_recorded(self, known: set[tuple[int, int]]) -> set[tuple[int, int]]:
        """Each mentee's first pair in the history (its rows in the order written: a pair closed the
        day it was recorded still comes first), plus the current pairs the history has no row for."""
        first: dict[int, tuple[int, int]] = {}
        for p in self.history:
            first.setdefault(p.mentee_id, (p.mentor_id, p.mentee_id))
        return set(first.values()) | {(m, e) for m, e in self.current if (m, e) not in known and e not in first}
