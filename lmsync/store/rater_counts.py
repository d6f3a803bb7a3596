"""Who answered about each mentor, counted at each erasure (revision 0010; tester round 77b, 1).

Rows hold a mentor's Moodle id, an instrument, a day and a count of sittings (one respondent's
answers of one day) others gave about that mentor up to that day: never a value, nor who answered.
``lmsync.service.rater_checkpoints`` writes them before an erasure and compares them afterwards, for the
instruments the erasure deletes an answer of only (``instruments_naming``; tester round 92a, 2). The instrument
column names an instrument, or one wave of it (``wave_key``), or its scored sittings only (``scored_key``; tester
round 116, 1): the same rows, so an erased mentor's still go by ``mentor_id``.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from sqlalchemy import or_, select, union

from lmsync.store.db import ProgrammeRepository, Store
from lmsync.store.schema import rater_counts, survey_answers, survey_scores

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


def instruments_naming(store: Store, programme: str, person_id: int) -> set[str]:
    """The instruments of ``programme`` on which the store holds a survey answer or wave score naming
    ``person_id``, as respondent or as whom it is about: those an erasure of them deletes rows of
    (``lmsync.store.surveys.erase_person``), and so the only ones whose figures it changes (tester round 92a, 2)."""
    selects = [select(t.c.instrument).where(t.c.programme == programme,
                                            or_(t.c.respondent_id == person_id, t.c.about_id == person_id))
               for t in (survey_answers, survey_scores)]
    return {row.instrument for row in store.rows(union(*selects))}
