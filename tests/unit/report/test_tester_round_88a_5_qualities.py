"""Tester round 88a, 5: the report's per-mentor qualities table withheld a mentor rated by one mentee, but the
programme row counted that answer, shown with n=4 though ``[report] min_cell`` was 5: 4 x 2.25 - 3 x 1.33 gave the
withheld mentor's single mentee's answers back. The overall row follows ``min_cell``, and answers of mentors not
shown reach it only while their raters together are at least ``min_cell`` (as ``complementary`` does for years)."""

from __future__ import annotations

from datetime import date

from lmsync.domain.instruments import MENTOR_QUALITIES
from lmsync.domain.waves import SurveyAnswer, Wave
from lmsync.service.labels import People
from lmsync.service.report_qualities import qualities_tables

DAY = date(2026, 11, 20)
T3 = Wave("T3", date(2026, 11, 3), date(2026, 11, 23))  # closed: every pair paired on its middle and last day
ITEMS = MENTOR_QUALITIES.items


def _tables(circles: dict[int, list[tuple[int, int]]], *, min_cell: int = 5, min_mentees: int = 3):
    """``circles``: mentor -> (mentee, rating of every item)."""
    answers = [SurveyAnswer(mentee, MENTOR_QUALITIES.name, DAY, item, str(score), "csv")
               for ratings in circles.values() for mentee, score in ratings for item in ITEMS]
    pairs = sorted((mentor, mentee) for mentor, ratings in circles.items() for mentee, _ in ratings)
    return qualities_tables(answers, MENTOR_QUALITIES, [T3], lambda _day: set(pairs), min_mentees,
                            People({}, show_names=False), min_cell=min_cell)


def test_tester_round_88a_5_the_overall_row_follows_min_cell():
    overall, per_mentor = _tables({1: [(11, 1), (12, 1), (13, 2)], 2: [(21, 5)]})  # 4 raters, min_cell 5
    assert [row[:2] for row in per_mentor.rows] == [("T3", "user #1 (not in the course)")]  # mentor 2: one mentee
    assert overall.rows and all(row[0] == "T3" and row[3] is None for row in overall.rows), overall.rows
    assert all(row[2] == "fewer than 5" for row in overall.rows), overall.rows


def test_tester_round_88a_5_a_mentor_not_shown_cannot_be_recovered_from_the_overall_row():
    overall, per_mentor = _tables({1: [(11, 1), (12, 1), (13, 2), (14, 2), (15, 3)], 2: [(21, 5)]})
    [shown] = per_mentor.rows
    assert shown[:4] == ("T3", "user #1 (not in the course)", 5, 1.8)
    for _wave, quality, n, mean in overall.rows:  # over the mentors shown only (or none): mentor 2's 5s never in it
        assert mean is None or (n == 5 and mean == 1.8), (quality, n, mean)
    assert "shown" in overall.title or all(row[3] is None for row in overall.rows)


def test_tester_round_88a_5_mentors_not_shown_with_enough_raters_together_still_count():
    circles = {1: [(11, 1), (12, 1), (13, 2), (14, 2), (15, 3)], **{m: [(m * 10, 5)] for m in range(2, 7)}}
    overall, per_mentor = _tables(circles)
    assert [row[1] for row in per_mentor.rows] == ["user #1 (not in the course)"]
    assert overall.rows and all(row[2:] == (10, 3.4) for row in overall.rows), overall.rows  # 5 hidden raters: none given back


def test_tester_round_88a_5_nothing_hidden_the_overall_row_is_as_before():
    overall, _ = _tables({1: [(11, 1), (12, 1), (13, 2), (14, 2), (15, 3)], 2: [(21, 5), (22, 5), (23, 4)]})
    assert overall.rows and all(row[2:] == (8, 2.88) for row in overall.rows), overall.rows
    assert overall.title == "Mentor qualities, programme mean"
