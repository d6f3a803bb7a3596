"""The received means lmsync published, frozen once written (tester finding FIX-A).

A mentor's mean of their mentees' ratings for a wave is published once; republishing it after
one more mentee answered (or one was erased) would give that mentee's rating away by
difference. Rows hold a metric key, a mentor's Moodle user id and a number only.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select

from lmsync.store.db import ProgrammeRepository, now_iso
from lmsync.store.schema import published_grades

_p = published_grades


class PublishedGrades(ProgrammeRepository):
    """The frozen received means of one programme: (metric key, mentor id) -> value."""

    def values(self) -> dict[tuple[str, int], float]:
        rows = self.store.rows(select(_p).where(_p.c.programme == self.programme))
        return {(row.metric, row.user_id): float(row.value) for row in rows}

    def freeze(self, grades: Iterable[tuple[str, int, float]]) -> int:
        """Record the values not recorded yet (a recorded one is never changed); returns how many."""
        added = 0
        with self.store.transaction():
            known = self.values()
            stamp = now_iso()
            for metric, user_id, value in grades:
                if (metric, user_id) in known:
                    continue
                known[(metric, user_id)] = value
                self.store.insert(
                    _p,
                    {
                        "programme": self.programme,
                        "metric": metric,
                        "user_id": user_id,
                        "value": value,
                        "published_at": stamp,
                    },
                )
                added += 1
        return added
