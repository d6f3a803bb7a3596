"""Who answered about each mentor, counted at each erasure (revision 0010; tester round 77b, 1).

Rows hold a mentor's Moodle id, an instrument, a day and a count of sittings (one respondent's
answers of one day) others gave about that mentor up to that day: never a value, nor who answered.
``lmsync.service.rater_checkpoints`` writes them before an erasure and compares them afterwards, for the
instruments the erasure deletes an answer of only (``instruments_naming``; tester round 92a, 2). The instrument
column names an instrument, or one wave of it (``wave_key``), or its scored sittings only (``scored_key``; tester
round 116, 1): the same rows, so an erased mentor's still go by ``mentor_id``.

One more row per erasure day names no one: the marker "mentor" ``ANSWERS_UP_TO`` under ``MARK`` holds the highest
``survey_answers.id`` stored when that day's counts were made (tester round 118b, 6). Ids are never reused and an
answer re-imported with another value keeps its id, so the answers up to it (``answers_up_to``) are those the
counts could see: a recount over them alone is lowered for good by what an erasure deleted, and moved by no
answer stored later.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from sqlalchemy import func, or_, select, union

from lmsync.domain.waves import SurveyAnswer
from lmsync.store.db import ProgrammeRepository, Store
from lmsync.store.schema import rater_counts, survey_answers, survey_scores

_r = rater_counts

#: The "mentor" of an erasure day's mark: the highest survey answer id then stored (no Moodle user has a negative
#: id; -1 and -2 are ``rater_checkpoints``' markers). Tester round 118b, 6.
ANSWERS_UP_TO = -4

#: The instrument column of that mark (no instrument name holds it: a TOML key).
MARK = "\x1fanswers up to"


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

    def rewrite(self, counts: Mapping[tuple[int, str], int], on: date) -> int:
        """Set the rows of ``on`` already recorded among ``counts`` to their count there (an erasure day's counts
        re-based at a later erasure of that day: ``rater_checkpoints``; tester round 118b, 6). Returns how many."""
        known = {(m, i) for m, i, day in self.counts() if day == on}
        done = 0
        for (m, i), n in sorted(counts.items()):
            if (m, i) in known:
                self.store.write(_r.update().where(_r.c.programme == self.programme, _r.c.mentor_id == m,
                                                   _r.c.instrument == i, _r.c.counted_on == on.isoformat())
                                 .values(sittings=n))
                done += 1
        return done

    def marks(self) -> dict[date, int]:
        """Erasure day -> the highest survey answer id stored when its counts were made (``ANSWERS_UP_TO``); a day
        counted before marks existed has none (tester round 118b, 6)."""
        return {day: n for (m, i, day), n in self.counts().items() if m == ANSWERS_UP_TO and i == MARK}


def highest_answer_id(store: Store, programme: str) -> int:
    """The highest ``survey_answers.id`` of ``programme`` stored now, 0 when none (tester round 118b, 6)."""
    return store.scalar(select(func.max(survey_answers.c.id)).where(survey_answers.c.programme == programme)) or 0


def answer_ids(store: Store, programme: str) -> dict[tuple[int, str, date, str, str, int | None], int]:
    """(respondent, instrument, day, item, source, about) of each of ``programme``'s survey answers -> its id
    (``SurveyAnswer``'s key; ``answers_up_to``). Tester round 118b, 6."""
    a = survey_answers
    query = select(a.c.id, a.c.respondent_id, a.c.instrument, a.c.answer_date, a.c.item, a.c.source, a.c.about_id)
    return {(r.respondent_id, r.instrument, date.fromisoformat(r.answer_date), r.item, r.source, r.about_id or None):
            r.id for r in store.rows(query.where(a.c.programme == programme))}


def answers_up_to(answers: list[SurveyAnswer], ids: Mapping[tuple[int, str, date, str, str, int | None], int],
                  mark: int | None) -> list[SurveyAnswer]:
    """Those of ``answers`` whose id (``answer_ids``) is at most ``mark``: the ones stored when an erasure day's
    counts were made; all of them when ``mark`` is None (a day counted before marks). Tester round 118b, 6."""
    if mark is None:
        return answers
    return [x for x in answers
            if ids.get((x.respondent_id, x.instrument, x.date, x.item, x.source, x.about_id), mark + 1) <= mark]


def instruments_naming(store: Store, programme: str, person_id: int) -> set[str]:
    """The instruments of ``programme`` on which the store holds a survey answer or wave score naming
    ``person_id``, as respondent or as whom it is about: those an erasure of them deletes rows of
    (``lmsync.store.surveys.erase_person``), and so the only ones whose figures it changes (tester round 92a, 2).
    None for an id below 1: ``about_id`` 0 names no one (tester round 123b, 1)."""
    if person_id < 1:
        return set()
    selects = [select(t.c.instrument).where(t.c.programme == programme,
                                            or_(t.c.respondent_id == person_id, t.c.about_id == person_id))
               for t in (survey_answers, survey_scores)]
    return {row.instrument for row in store.rows(union(*selects))}
