"""Tester round 115b, 1: an incomplete (unscored) satisfaction sitting is not an answer to a wave, as in the
report's response rate; a mentor's complete answer naming none of their several mentees still is one."""

from __future__ import annotations

from datetime import date, timedelta

from lmsync.domain.health import SurveyRound, Thresholds, assess, satisfaction_points
from lmsync.domain.health.evidence import PairEvidence
from lmsync.domain.instruments import (
    RELATIONSHIP_SATISFACTION_MENTEE,
    RELATIONSHIP_SATISFACTION_MENTOR,
    Score,
    WaveScore,
)

MENTOR, MENTEE = 1, 2
DAY = date(2026, 9, 20)
AS_OF = date(2026, 10, 4)
INSTRUMENTS = {i.name: i for i in (RELATIONSHIP_SATISFACTION_MENTEE, RELATIONSHIP_SATISFACTION_MENTOR)}
T0 = (SurveyRound("T0", date(2026, 10, 1), frozenset({"mentee", "mentor"}), date(2026, 8, 18)),)


def _sat(who: int, total: float | None, *, about: int | None = None, day: date = DAY) -> WaveScore:
    name = "relationship_satisfaction_mentor" if who == MENTOR else "relationship_satisfaction_mentee"
    answered = 5 if total is not None else 3
    return WaveScore(who, name, "T0", day, "csv", Score(name, total, answered, 4), about)


def _unanswered(*scores: WaveScore, mentees: int = 1) -> dict[str, str]:
    points = satisfaction_points(scores, INSTRUMENTS, MENTOR, MENTEE, mentor_mentees=mentees)
    evidence = PairEvidence(MENTOR, MENTEE, date(2026, 9, 1), satisfaction=points)
    health = assess(evidence, Thresholds(), as_of=AS_OF, rounds=T0)
    return {r.code: r.text for r in health.reasons if r.code.startswith("survey_unanswered_")}


def test_a_sitting_answered_in_part_is_not_an_answer() -> None:
    said = _unanswered(_sat(MENTEE, None), _sat(MENTOR, 3.6))
    assert said == {"survey_unanswered_mentee": "no satisfaction survey answer from the mentee side (T0): answered in part"}
    assert _unanswered(_sat(MENTOR, 3.6)) == {
        "survey_unanswered_mentee": "no satisfaction survey answer from the mentee side (T0)"}
    assert _unanswered(_sat(MENTEE, 3.6), _sat(MENTOR, 3.6)) == {}


def test_a_complete_sitting_of_the_wave_counts_beside_a_later_part_answer_about_the_pair() -> None:
    later = DAY + timedelta(days=3)
    assert _unanswered(_sat(MENTEE, 3.6), _sat(MENTEE, None, about=MENTOR, day=later), _sat(MENTOR, 3.6)) == {}


def test_a_mentors_complete_answer_naming_none_of_several_mentees_is_still_an_answer() -> None:
    (point,) = satisfaction_points([_sat(MENTOR, 3.6)], INSTRUMENTS, MENTOR, MENTEE, mentor_mentees=2)
    assert point.level is None and point.complete  # no level for this pair (tester round 4, 9), but answered
    assert _unanswered(_sat(MENTOR, 3.6), _sat(MENTEE, 3.6), mentees=2) == {}
