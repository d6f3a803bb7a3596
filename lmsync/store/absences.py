"""Since when each circle's mentor has been away (revision 0008; tester round 53, 1).

A mentor's enrolment suspended for a week's leave made the next sync re-match their whole circle,
unattended, under cron; when they came back their circle stayed empty. Moodle's active enrolments
do not tell a suspension from an unenrolment, so the sync remembers, per programme, the day it first
found a circle's mentor away, and holds the circle as it is for ``[sync] away_mentor_hold_days``.
Rows hold a Moodle id and a day. ``MemberAbsences`` (revision 0014) is the same of a circle's members whose
mentor is here: their place is held as long (tester round 103b, 1). Forgetting one of those keeps its days in
``member_absence_spans`` (revision 0015), which health leaves out of the pair's silence (tester round 104a, 8); a
mentor's, in ``mentor_absence_spans`` (revision 0016), by which ``lmsync health --as-of`` a day of the hold says the
circle was on hold then, asked during the hold or after it (tester round 104b, 10).
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date

from sqlalchemy import func, select

from lmsync.store.db import ProgrammeRepository
from lmsync.store.erasures import erased_on
from lmsync.store.schema import (
    journal,
    member_absence_spans,
    member_absences,
    mentor_absence_spans,
    mentor_absences,
)


class MentorAbsences(ProgrammeRepository):
    _table, _spans, _key = mentor_absences, mentor_absence_spans, "mentor_id"

    def since(self) -> dict[int, date]:
        """Mentor Moodle id -> the day a sync first found them away (still away at the last sync)."""
        _a = self._table
        query = select(_a.c[self._key].label("who"), _a.c.since).where(_a.c.programme == self.programme)
        return {row.who: date.fromisoformat(row.since) for row in self.store.rows(query)}

    def follow(self, away: Collection[int], today: date, keep: Collection[int] = ()) -> tuple[int, int]:
        """Record the mentors ``away`` now: a new one from ``today``, one already recorded keeps their
        day; one recorded and no longer away (back, or their circle gone) is forgotten, but for those of ``keep``
        (recorded, still away, their circle emptied: ``away_mentors.still_away``; never recorded anew from it).
        Tester round 109a, 2: a second sync the day the hold ended forgot a mentor still away, their absence kept as
        ended that day. Returns (recorded, forgotten); nothing is written when both are 0."""
        _a, key = self._table, self._key
        known = self.since()
        new = sorted(set(away) - set(known))
        back = sorted(set(known) - set(away) - set(keep))
        if not new and not back:
            return 0, 0
        mark = int(self.store.scalar(select(func.max(journal.c.id))) or 0)  # tester round 122c, 1
        with self.store.transaction():
            self._ended({m: known[m] for m in back}, today, mark)
            if back:
                self.store.write(_a.delete().where(_a.c.programme == self.programme, _a.c[key].in_(back)))
            if new:
                self.store.write(_a.insert(), [
                    {"programme": self.programme, key: m, "since": today.isoformat(), "journal_mark": mark} for m in new
                ])
        return len(new), len(back)

    def _ended(self, since: dict[int, date], today: date, mark: int) -> None:
        """Keep the days of each absence forgotten ``today`` (Moodle id -> its first day) in ``_spans`` (a mentor's:
        revision 0016, tester round 104b, 10; a member's: revision 0015, tester round 104a, 8), but not one of an
        erased person's that began on or before their erasure (it is theirs, and the erasure took it), nor one of no
        day. ``mark``: the journal's latest id now (``until_mark``), the row's own its ``since_mark`` (tester round
        122c, 1). One begun and forgotten the same day is kept when it has its mark (a run's digest may have told of
        it: tester round 123a, 2), as a span of no day (``days_away`` leaves it out). Called inside ``follow``'s
        transaction."""
        erased = erased_on(self.store) if since else {}
        _s, key, marks = self._spans, self._key, self.marks()
        rows = [{"programme": self.programme, key: user, "since": day.isoformat(), "until": today.isoformat(),
                 "since_mark": marks.get(user), "until_mark": mark}
                for user, day in sorted(since.items()) if (day < today or marks.get(user) is not None)
                and not (user in erased and day <= erased[user])]
        for row in rows:  # an absence of the same first day kept before (a clock set back) is replaced
            self.store.write(_s.delete().where(_s.c.programme == self.programme, _s.c[key] == row[key],
                                               _s.c.since == row["since"]))
        if rows:
            self.store.write(_s.insert(), rows)

    def marks(self) -> dict[int, int]:
        """Moodle id -> the journal's latest id when a sync first found them away (still away at the last sync),
        for the rows recorded since revision 0021 (tester round 122c, 1). One read."""
        _a = self._table
        query = select(_a.c[self._key].label("who"), _a.c.journal_mark).where(
            _a.c.programme == self.programme, _a.c.journal_mark.is_not(None))
        return {row.who: int(row.journal_mark) for row in self.store.rows(query)}

    def marked_days_away(self) -> dict[int, tuple[tuple[date, date | None, int | None, int | None], ...]]:
        """``days_away`` with, for each absence, the journal's latest id when a sync first found them away and when
        it forgot them (None: recorded before revision 0021, or not forgotten): (first day, end, since mark, end mark).
        The digest tells by them what changed after its last one sent (tester round 122c, 1). Raises nothing."""
        _s, key = self._spans, self._key
        marks = {(row.who, date.fromisoformat(row.since)): (row.since_mark, row.until_mark) for row in self.store.rows(
            select(_s.c[key].label("who"), _s.c.since, _s.c.since_mark, _s.c.until_mark)
            .where(_s.c.programme == self.programme))}
        now = self.marks()
        return {user: tuple((since, end, *(marks.get((user, since), (None, None)) if end is not None
                                          else (now.get(user), None))) for since, end in days)
                for user, days in self._days(same_day=True).items()}

    def days_away(self) -> dict[int, tuple[tuple[date, date | None], ...]]:
        """Moodle id -> the days each was away while their place (a member's) or circle (a mentor's) was held, oldest
        first: (first day, the day a sync found them no longer away, exclusive), and (first day, None) for an absence
        still recorded (``since``: they may be back since the last sync). Health leaves a member's days out of a
        pair's silence (``pair_dates.days_apart``; tester round 104a, 8); ``health_held`` says a mentor's circle on
        hold on a day of them (tester round 104b, 10). One read of each table; raises nothing."""
        return self._days(same_day=False)

    def _days(self, same_day: bool) -> dict[int, tuple[tuple[date, date | None], ...]]:
        """``days_away``, with the absences begun and forgotten the same day (no day away) when ``same_day``."""
        _s, key = self._spans, self._key
        out: dict[int, list[tuple[date, date | None]]] = {}
        for row in self.store.rows(select(_s.c[key].label("who"), _s.c.since, _s.c.until)
                                   .where(_s.c.programme == self.programme)):
            if same_day or row.since < row.until:
                out.setdefault(row.who, []).append((date.fromisoformat(row.since), date.fromisoformat(row.until)))
        for user, day in self.since().items():
            out.setdefault(user, []).append((day, None))
        return {user: tuple(sorted(days, key=lambda d: (d[0], d[1] or date.max))) for user, days in out.items()}


class MemberAbsences(MentorAbsences):
    """The same of a circle's members (not its mentor) found away while their mentor is here: Moodle id -> the
    day a sync first found them away (revision 0014; tester round 103b, 1)."""

    _table, _spans, _key = member_absences, member_absence_spans, "user_id"
