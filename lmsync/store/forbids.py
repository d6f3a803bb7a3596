"""Pairs marked not a good fit: forbidden in the matching input from then on (issue 13).

Rows of ``pair_forbids`` (revision 0003), one per pair, written by a queue outcome
``rematched`` or a survey answer.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from lmsync.store.db import ProgrammeRepository
from lmsync.store.schema import pair_forbids

_f = pair_forbids


class PairForbids(ProgrammeRepository):
    """Pairs marked not a good fit (a queue outcome ``rematched`` or a survey answer): forbidden
    in the matching input from then on, so the next sync re-matches them (issue 13)."""

    def mark(self, pair: tuple[int, int], *, source: str, on: date) -> bool:
        """Record a forbidden pair; False when it was already recorded."""
        with self.store.transaction():
            found = self.store.first(
                select(_f.c.id).where(
                    _f.c.programme == self.programme, _f.c.mentor_id == pair[0], _f.c.mentee_id == pair[1]
                )
            )
            if found is not None:
                return False
            self.store.write(
                _f.insert().values(
                    programme=self.programme,
                    mentor_id=pair[0],
                    mentee_id=pair[1],
                    source=source,
                    marked_on=on.isoformat(),
                )
            )
        return True

    def pairs(self) -> dict[tuple[int, int], tuple[str, date]]:
        """(mentor, mentee) -> (source, day marked)."""
        rows = self.store.rows(select(_f).where(_f.c.programme == self.programme).order_by(_f.c.id))
        return {(r.mentor_id, r.mentee_id): (r.source, date.fromisoformat(r.marked_on)) for r in rows}
