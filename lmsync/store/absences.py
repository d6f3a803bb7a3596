"""Since when each circle's mentor has been away (revision 0008; tester round 53, 1).

A mentor's enrolment suspended for a week's leave made the next sync re-match their whole circle,
unattended, under cron; when they came back their circle stayed empty. Moodle's active enrolments
do not tell a suspension from an unenrolment, so the sync remembers, per programme, the day it first
found a circle's mentor away, and holds the circle as it is for ``[sync] away_mentor_hold_days``.
Rows hold a Moodle id and a day.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date

from sqlalchemy import select

from lmsync.store.db import ProgrammeRepository
from lmsync.store.schema import mentor_absences

_a = mentor_absences


class MentorAbsences(ProgrammeRepository):
    def since(self) -> dict[int, date]:
        """Mentor Moodle id -> the day a sync first found them away (still away at the last sync)."""
        query = select(_a.c.mentor_id, _a.c.since).where(_a.c.programme == self.programme)
        return {row.mentor_id: date.fromisoformat(row.since) for row in self.store.rows(query)}

    def follow(self, away: Collection[int], today: date) -> tuple[int, int]:
        """Record the mentors ``away`` now: a new one from ``today``, one already recorded keeps their
        day; one recorded and no longer away (back, or their circle gone) is forgotten. Returns
        (recorded, forgotten); nothing is written when both are 0."""
        known = self.since()
        new = sorted(set(away) - set(known))
        back = sorted(set(known) - set(away))
        if not new and not back:
            return 0, 0
        with self.store.transaction():
            if back:
                self.store.write(_a.delete().where(_a.c.programme == self.programme, _a.c.mentor_id.in_(back)))
            if new:
                self.store.write(_a.insert(), [
                    {"programme": self.programme, "mentor_id": m, "since": today.isoformat()} for m in new
                ])
        return len(new), len(back)
