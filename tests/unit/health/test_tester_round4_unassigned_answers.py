"""Tester round 4, finding 9 on the health side: a mentor's answer naming no mentee (a Moodle
Feedback form has no ``about``) is not judged as if it were about each of their mentees."""

from __future__ import annotations

from datetime import date

from lmsync.config import Config
from lmsync.domain.health import satisfaction_points, unassigned_mentor_scores
from lmsync.domain.instruments import RELATIONSHIP_SATISFACTION_MENTOR, Score, SurveyAnswer, WaveScore
from lmsync.service import health
from lmsync.service.meetings import rescore_surveys, settings
from lmsync.store.db import Store
from lmsync.store.surveys import SurveyRepository

NAME = RELATIONSHIP_SATISFACTION_MENTOR.name
INSTRUMENTS = {NAME: RELATIONSHIP_SATISFACTION_MENTOR}
MENTOR, MENTEE, OTHER_MENTEE = 66, 3, 4


def general(total: float) -> WaveScore:
    return WaveScore(MENTOR, NAME, "T0", date(2026, 10, 12), "feedback", Score(NAME, total, 5, 4))


def test_tester_round_4_9_a_general_answer_of_a_mentor_of_two_is_answered_but_not_judged():
    """tester round 4, 9: with two mentees the mentor's answer still shows the side answered (no
    "no survey answer" signal) but has no level; with one mentee it is about that one, as before."""
    scores = [general(1.0)]
    spread = satisfaction_points(scores, INSTRUMENTS, MENTOR, MENTEE, mentor_mentees=2)
    assert [(p.side, p.level) for p in spread] == [("mentor", None)]
    single = satisfaction_points(scores, INSTRUMENTS, MENTOR, MENTEE, mentor_mentees=1)
    assert [(p.side, p.level) for p in single] == [("mentor", 0.0)]
    specific = WaveScore(MENTOR, NAME, "T0", date(2026, 10, 12), "csv", Score(NAME, 5.0, 5, 4), MENTEE)
    named = satisfaction_points([*scores, specific], INSTRUMENTS, MENTOR, MENTEE, mentor_mentees=2)
    assert [(p.side, p.level) for p in named] == [("mentor", 1.0)]
    assert unassigned_mentor_scores([*scores, specific], INSTRUMENTS, {MENTOR: 2}) == 1
    assert unassigned_mentor_scores(scores, INSTRUMENTS, {MENTOR: 1}) == 0


def test_tester_round_4_9_a_feedback_answer_of_a_mentor_of_two_puts_neither_pair_at_risk():
    """tester round 4, 9: the service judges each pair without the Feedback answer and counts it."""
    config = Config.model_validate({
        "programme": {"name": "p"},
        "waves": {"windows": {"T0": {"start": "2026-10-01", "end": "2026-10-31"}}},
    })
    store = Store.memory()
    try:
        answers = [
            (SurveyAnswer(MENTOR, NAME, date(2026, 10, 12), f"rs{i}", "1" if i != 4 else "5", "feedback"), None)
            for i in range(1, 6)
        ]
        SurveyRepository(store, "p").save(answers)
        rescore_surveys(store, settings(config))
        pairs = [(MENTOR, MENTEE), (MENTOR, OTHER_MENTEE)]
        healths, unassigned = health.assess_pairs(config, store, pairs, as_of=date(2026, 11, 5))
        assert unassigned == 1
        assert all("satisfaction_low_mentor" not in h.codes for h in healths)
        alone, none = health.assess_pairs(config, store, pairs[:1], as_of=date(2026, 11, 5))
        assert none == 0 and "satisfaction_low_mentor" in alone[0].codes  # one mentee: about that one
    finally:
        store.close()
