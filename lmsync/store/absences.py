"""Since when each circle's mentor has been away (revision 0008; tester round 53, 1).

A mentor's enrolment suspended for a week's leave made the next sync re-match their whole circle,
unattended, under cron; when they came back their circle stayed empty. Moodle's active enrolments
do not tell a suspension from an unenrolment, so the sync remembers, per programme, the day it first
found a circle's mentor away, and holds the circle as it is for ``[sync] away_mentor_hold_days``.
Rows hold a Moodle id and a day. ``MemberAbsences`` (revision 0014) is the same of a circle's members whose
mentor is here: their place is held as long (tester round 103b, 1).
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date

from sqlalchemy import select

from lmsync.store.db import ProgrammeRepository
from lmsync.store.schema import member_absences, mentor_absences


class MentorAbsences(ProgrammeRepository):
    _table, _key = mentor_absences, "mentor_id"

    def since(self) -> dict[int, date]:
        """Mentor Moodle id -> the day a sync first found them away (still away at the last sync)."""
        _a = self._table
        query = select(_a.c[self._key].label("who"), _a.c.since).where(_a.c.programme == self.programme)
        return {row.who: date.fromisoformat(row.since) for row in self.store.rows(query)}

    def follow(self, away: Collection[int], today: date) -> tuple[int, int]:
        """Record the mentors ``away`` now: a new one from ``today``, one already recorded keeps their
        day; one recorded and no longer away (back, or their circle gone) is forgotten. Returns
        (recorded, forgotten); nothing is written when both are 0."""
        _a, key = self._table, self._key
        known = self.since()
        new = sorted(set(away) - set(known))
        back = sorted(set(known) - set(away))
        if not new and not back:
            return 0, 0
        with self.store.transaction():
            if back:
                self.store.write(_a.delete().where(_a.c.programme == self.programme, _a.c[key].in_(back)))
            if new:
                self.store.write(_a.insert(), [
                    {"programme": self.programme, key: m, "since": today.isoformat()} for m in new
                ])
        return len(new), len(back)


class MemberAbsences(MentorAbsences):
    """The same of a circle's members (not its mentor) found away while their mentor is here: Moodle id -> the
    day a sync first found them away (revision 0014; tester round 103b, 1)."""

    _table, _key = member_absences, "user_id"
