"""Who answered about each mentor, counted at each erasure (revision 0010; tester round 77b, 1).

Rows hold a mentor's Moodle id, an instrument, a day and a count of sittings (one respondent's
answers of one day) others gave about that mentor up to that day: never a value, nor who answered.
``lmsync.service.rater_checkpoints`` writes them before an erasure and compares them afterwards.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from sqlalchemy import select

from lmsync.store.db import ProgrammeRepository
from lmsync.store.schema import rater_counts

_r = rater_counts


class RaterCounts(ProgrammeRepository):
    def counts(self) -> dict[tuple[int, str, date], int]:
        """(mentor id, instrument, day counted) -> sittings then."""
        query = select(_r.c.mentor_id, _r.c.instrument, _r.c.counted_on, _r.c.sittings).where(
            _r.c.programme == self.programme)
        return {(row.mentor_id, row.instrument, date.fromisoformat(row.counted_on)): row.sittings
                for row in self.store.rows(query)}

    def record(self, counts: Mapping[tuple[int, str], int], on: date) -> int:
        """Record ``counts`` ((mentor id, instrument) -> sittings) as of ``on``; a count already recorded for
        that day is kept (the first, made before anything of that day was erased). Returns how many were written."""
        known = {(m, i) for m, i, day in self.counts() if day == on}
        rows = [{"programme": self.programme, "mentor_id": m, "instrument": i, "counted_on": on.isoformat(),
                 "sittings": n} for (m, i), n in sorted(counts.items()) if (m, i) not in known]
        if rows:
            self.store.write(_r.insert(), rows)
        return len(rows)
