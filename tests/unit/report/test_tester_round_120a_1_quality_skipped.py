"""Tester round 120a, 1 (the per-mentor check asked of the fix): a mentor shown per mentor, three mentees rating
them, one of whom skipped "compassion" (a sitting counts with 7 of the 9 qualities), has no compassion mean of
their own, but the programme row counted the two answers: "compassion 5, 4.0" less mentor 2's "3, 4.67" gave
the sum of mentor 1's two compassion ratings, a mean over two raters the per-mentor rule withholds."""

from __future__ import annotations

from datetime import date

from lmsync.domain.instruments import MENTOR_QUALITIES
from lmsync.domain.waves import SurveyAnswer, Wave
from lmsync.service.labels import People
from lmsync.service.report_qualities import qualities_tables

DAY = date(2026, 11, 20)
T3 = Wave("T3", date(2026, 11, 3), date(2026, 11, 23))  # closed: every pair paired on its middle and last day


def _tables(ratings: dict[int, int], pairs: list[tuple[int, int]], skipped: set[int], min_cell: int = 5):
    answers = [SurveyAnswer(mentee, MENTOR_QUALITIES.name, DAY, item, str(value), "csv")
               for mentee, value in ratings.items() for item in MENTOR_QUALITIES.items
               if not (mentee in skipped and item == "compassion")]
    return qualities_tables(answers, MENTOR_QUALITIES, [T3], lambda _day: set(pairs), 3, People({}, show_names=False),
                            min_cell=min_cell)


def test_round_120a_1_a_quality_one_rater_skipped_is_not_given_back_by_the_programme_row():
    ratings = {11: 2, 12: 4, 13: 3, 21: 5, 22: 5, 23: 4}
    pairs = [(1, 11), (1, 12), (1, 13), (2, 21), (2, 22), (2, 23)]
    overall, per_mentor = _tables(ratings, pairs, skipped={13})
    mentor = {row[1]: row[1:] for row in per_mentor.rows if row[0] == "T3"}
    assert mentor["user #1 (not in the course)"][2] is None  # compassion over two raters: not shown
    compassion = next(row[1:] for row in overall.rows if row[:2] == ("T3", "compassion"))
    shown = mentor["user #2 (not in the course)"]
    if isinstance(compassion[1], int):  # the reader's difference: the programme row less the mentors shown
        left = compassion[1] * compassion[2] - shown[1] * shown[2]
        assert compassion[1] == shown[1] and abs(left) < 0.05, compassion
    assert "shown only" in overall.title
    enthusiasm = next(row for row in overall.rows if row[:2] == ("T3", "enthusiasm"))
    assert enthusiasm[2:] == (6, 3.83)  # every quality both mentors' means show stays whole


def test_round_120a_1_hidden_answers_of_min_cell_or_more_still_count():
    ratings = {**{10 + k: 3 for k in range(1, 6)}, **{20 + k: 5 for k in range(1, 6)}}
    pairs = [(1, 10 + k) for k in range(1, 6)] + [(2, 20 + k) for k in range(1, 6)]
    overall, _ = _tables(ratings, pairs, skipped={11, 12, 13}, min_cell=2)  # mentor 1: 2 raters of compassion, min_cell 2
    compassion = next(row for row in overall.rows if row[:2] == ("T3", "compassion"))
    assert compassion[2:] == (7, 4.43)
    assert overall.title == "Mentor qualities, programme mean"
