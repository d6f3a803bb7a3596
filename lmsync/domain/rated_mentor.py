"""Which mentor a mentee's survey answer rates: one rule for a mentor's ``received`` grade and ``lmsync pair
show`` (tester round 87a, 1).

An answer naming the mentor it is about (a surveys file's ``about``) rates that mentor, and only while its
author was ever their mentee; an answer naming no one (a Moodle Feedback form's) rates the mentor the
respondent had on its date (tester round 6, 4). The grades merged a respondent's answers into one score
before attributing them, so ``about`` was lost: a mentee moved to another mentor answered about the one
they left, and the new mentor's received mean took that answer in, over fewer raters than
``[grades] min_mentees_for_mentor_rating`` of their own, while ``pair show`` withheld it.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from datetime import date

from lmsync.domain.instruments import WaveScore
from lmsync.domain.pair_dates import PairsByDate

#: The pairs of a day (``PairsByDate.on``).
PairsOn = Callable[[date], Collection[tuple[int, int]]]


def ever_paired(by_date: PairsByDate) -> frozenset[tuple[int, int]]:
    """Every (mentor, mentee) pair ``by_date`` knows: the pairing history's and the current ones (tester round
    87a, 1)."""
    return frozenset((p.mentor_id, p.mentee_id) for p in by_date.history) | frozenset(by_date.current)


def mentors_rated(
    respondent_id: int, about_id: int | None, day: date, *, pairs_on: PairsOn, ever: Collection[tuple[int, int]]
) -> set[int]:
    """The mentors an answer by ``respondent_id`` dated ``day`` rates (tester round 87a, 1): the one it names
    (``about_id``) when the respondent was ever their mentee (``ever``: ``ever_paired``), else none; with no
    ``about_id``, the respondent's mentor(s) on ``day`` (``pairs_on``; tester round 6, 4)."""
    if about_id is not None:
        return {about_id} if (about_id, respondent_id) in ever else set()
    return {mentor for mentor, mentee in pairs_on(day) if mentee == respondent_id}


def ratings_by_mentor(
    scores: Iterable[WaveScore], *, pairs_on: PairsOn, ever: Collection[tuple[int, int]]
) -> dict[tuple[str, str, int], dict[int, WaveScore]]:
    """(instrument, wave, mentor) -> each rating mentee's score, by ``mentors_rated`` (tester round 87a, 1).

    One score per mentee and mentor, so that nobody counts twice toward the minimum of raters: the latest,
    and on the same day the one naming the mentor (a mentee with a Feedback answer and an imported one)."""
    out: dict[tuple[str, str, int], dict[int, WaveScore]] = {}
    for ws in scores:
        for mentor in mentors_rated(ws.respondent_id, ws.about_id, ws.date, pairs_on=pairs_on, ever=ever):
            by_mentee = out.setdefault((ws.instrument, ws.wave, mentor), {})
            before = by_mentee.get(ws.respondent_id)
            if before is None or (ws.date, ws.about_id is not None) > (before.date, before.about_id is not None):
                by_mentee[ws.respondent_id] = ws
    return out
