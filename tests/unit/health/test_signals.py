"""Issue 13: the signal registry, the trend test, evidence from stored answers, and [health] config."""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta

import pytest

from lmsync.domain.health import (
    REGISTRY,
    Context,
    PairEvidence,
    Reason,
    Signal,
    Thresholds,
    assess,
    check_ins,
    efficacy_points,
    satisfaction_points,
    survey_rounds,
)
from lmsync.domain.health.trend import falling, shift
from lmsync.domain.instruments import (
    BUILTIN_INSTRUMENTS,
    GENERAL_SELF_EFFICACY,
    RELATIONSHIP_SATISFACTION_MENTEE,
    RELATIONSHIP_SATISFACTION_MENTOR,
    Instrument,
    Score,
    SurveyAnswer,
    Wave,
    WaveScore,
)
from lmsync.domain.meetings import Meeting
from lmsync.health_config import HealthConfig

AS_OF = date(2026, 12, 1)
MENTOR, MENTEE, OTHER_MENTEE = 66, 3, 4


# --- the registry -------------------------------------------------------------------------------


def test_every_signal_is_registered_once_with_code_severity_and_sentence():
    codes = [s.code for s in REGISTRY]
    assert len(codes) == len(set(codes))
    assert {
        "no_meeting",
        "no_first_meeting",
        "hi_bye",
        "meetings_declining",
        "satisfaction_falling",
        "satisfaction_asymmetry",
        "self_efficacy_flat",
        "forum_quiet",
        "need_met",
    } <= set(codes)
    for s in REGISTRY:
        assert s.severity in ("watch", "at_risk", "fading", "closed") and s.sentence


def test_a_new_signal_is_one_rule():
    def long_meetings(ctx: Context) -> list[Reason]:
        if any(m.minutes > 120 for m in ctx.attended):
            return [ctx.reason("watch", "meetings_long", "a meeting ran over two hours")]
        return []

    registry = [*REGISTRY, Signal("meetings_long", "watch", "meetings over two hours", long_meetings)]
    evidence = PairEvidence(
        MENTOR, MENTEE, AS_OF - timedelta(days=60), (Meeting(AS_OF, MENTOR, MENTEE, 150, True, "csv"),)
    )
    h = assess(evidence, Thresholds(), as_of=AS_OF, registry=registry)
    assert (h.status, h.codes, h.score) == ("watch", ("meetings_long",), 100 - Thresholds().weight_watch)
    assert assess(evidence, Thresholds(), as_of=AS_OF).status == "ok"


# --- the trend test (scipy's Mann-Kendall and Theil-Sen) ----------------------------------------


def test_falling_needs_significance_and_size():
    xs = [float(14 * i) for i in range(8)]
    fall = falling(xs, [55, 52, 50, 44, 40, 36, 34, 31], alpha=0.02, min_drop=0.2, relative=True, persist=3)
    assert fall is not None and fall.p < 0.02 and fall.share == pytest.approx(0.44, abs=0.03)
    small = [45, 44.5, 44, 43.5, 43, 42.5, 42, 41.5]  # perfectly monotone, only 8% lower
    assert falling(xs, small, alpha=0.02, min_drop=0.2, relative=True) is None
    rising = list(reversed([55, 52, 50, 44, 40, 36, 34, 31]))
    assert falling(xs, rising, alpha=0.02, min_drop=0.2, relative=True) is None
    assert falling(xs[:3], [50, 40, 30], alpha=0.5, min_drop=0.1, relative=True) is None


def test_falling_persist_wants_a_fall_that_lasted():
    xs = [float(14 * i) for i in range(8)]
    bounced = [55, 52, 50, 44, 40, 36, 30, 50]  # the latest meeting is back to usual
    assert falling(xs, bounced, alpha=0.2, min_drop=0.1, relative=True, persist=0) is not None
    assert falling(xs, bounced, alpha=0.2, min_drop=0.1, relative=True, persist=3) is None


def test_shift_is_a_two_sample_z_with_a_floor_on_the_spread():
    before = [50.0, 54.0, 46.0, 52.0, 48.0]  # mean 50, SD 3.16
    z = shift(before, [40.0, 42.0, 38.0], floor=1.0)
    assert z == pytest.approx((40 - 50) / (3.1623 * (1 / 3 + 1 / 5) ** 0.5), abs=1e-3)
    flat = [50.0, 50.0, 50.0, 50.0]  # no spread by chance: the floor keeps one low value from being "sure"
    assert shift(flat, [48.0], floor=5.0) == pytest.approx(-2 / (5 * (1 + 1 / 4) ** 0.5))
    assert shift([50.0], [40.0], floor=1.0) is None and shift(before, [], floor=1.0) is None


# --- evidence from stored scores and answers ----------------------------------------------------


def ws(
    person: int, instrument: str, wave: str, day: date, total: float | None, about: int | None = None
) -> WaveScore:
    return WaveScore(person, instrument, wave, day, "csv", Score(instrument, total, 5, 4), about)


def test_satisfaction_points_take_each_side_from_its_own_form_as_a_share_of_the_scale():
    instruments = {i.name: i for i in (RELATIONSHIP_SATISFACTION_MENTEE, RELATIONSHIP_SATISFACTION_MENTOR)}
    scores = [
        ws(MENTEE, "relationship_satisfaction_mentee", "T0", date(2026, 9, 20), 2.0),
        ws(MENTOR, "relationship_satisfaction_mentor", "T0", date(2026, 9, 21), 5.0),
        ws(MENTEE, "relationship_satisfaction_mentor", "T0", date(2026, 9, 21), 1.0),  # wrong form: ignored
        ws(MENTEE, "relationship_satisfaction_mentee", "T3", date(2026, 11, 20), None),
        ws(7, "relationship_satisfaction_mentee", "T0", date(2026, 9, 20), 1.0),  # someone else
    ]
    points = satisfaction_points(scores, instruments, MENTOR, MENTEE)
    assert [(p.side, p.wave, p.level) for p in points] == [
        ("mentee", "T0", 0.25),
        ("mentor", "T0", 1.0),
        ("mentee", "T3", None),
    ]


def test_issue_13_a_mentor_answer_about_one_mentee_is_evidence_about_that_relationship_only():
    instruments = {RELATIONSHIP_SATISFACTION_MENTOR.name: RELATIONSHIP_SATISFACTION_MENTOR}
    name = RELATIONSHIP_SATISFACTION_MENTOR.name
    scores = [
        ws(MENTOR, name, "T3", date(2026, 11, 20), 2.0, about=MENTEE),
        ws(MENTOR, name, "T3", date(2026, 11, 20), 5.0, about=OTHER_MENTEE),
        ws(MENTOR, name, "T3", date(2026, 11, 21), 4.0),  # a general answer loses to the specific one
    ]
    mine = satisfaction_points(scores, instruments, MENTOR, MENTEE)
    theirs = satisfaction_points(scores, instruments, MENTOR, OTHER_MENTEE)
    assert [(p.side, p.level) for p in mine] == [("mentor", 0.25)]
    assert [(p.side, p.level) for p in theirs] == [("mentor", 1.0)]


def test_self_efficacy_points_are_the_mentees_scored_sittings():
    gse = {GENERAL_SELF_EFFICACY.name: GENERAL_SELF_EFFICACY}
    scores = [
        ws(MENTEE, "general_self_efficacy", "T3", date(2026, 11, 20), 31.0),
        ws(MENTEE, "general_self_efficacy", "T0", date(2026, 9, 20), 25.0),
        ws(MENTEE, "general_self_efficacy", "T6", date(2027, 2, 20), None),
        ws(MENTOR, "general_self_efficacy", "T0", date(2026, 9, 20), 40.0),
    ]
    assert [(p.wave, p.level) for p in efficacy_points(scores, gse, MENTEE)] == [("T0", 0.5), ("T3", 0.7)]


def test_need_met_check_ins_come_from_the_mentee_or_the_mentor_about_this_mentee():
    checkin = Instrument("checkin", ("need_met", "mood"), 1, 2, side="both")

    def answer(
        person: int, value: str, day: int, about: int | None = None, item: str = "need_met"
    ) -> SurveyAnswer:
        return SurveyAnswer(person, "checkin", date(2026, 11, day), item, value, "feedback", about)

    answers = [
        answer(MENTEE, "1", 1),
        answer(MENTOR, "2", 10, about=MENTEE),
        answer(MENTOR, "2", 11, about=OTHER_MENTEE),  # about another relationship
        answer(MENTEE, "2", 12, item="mood"),
        answer(MENTEE, "", 13),  # blank says nothing
        answer(MENTEE, "7", 14),  # not on the scale: ignored, never a crash
    ]
    got = check_ins(answers, checkin, "need_met", MENTOR, MENTEE)
    assert [(c.date.day, c.need_met) for c in got] == [(1, False), (10, True)]


def test_survey_rounds_are_closed_waves_with_the_sides_that_answered():
    waves = [
        Wave("T0", date(2026, 9, 1), date(2026, 9, 30)),
        Wave("T3", date(2026, 11, 15), date(2026, 12, 15)),
    ]
    scores = [ws(MENTEE, "relationship_satisfaction_mentee", "T0", date(2026, 9, 20), 4.0)]
    rounds = survey_rounds(scores, BUILTIN_INSTRUMENTS, waves, [MENTOR], as_of=AS_OF)
    assert [(r.wave, r.sides) for r in rounds] == [("T0", frozenset({"mentee"}))]


# --- [health] configuration ---------------------------------------------------------------------


def test_health_config_defaults_are_the_rules_defaults():
    assert HealthConfig().thresholds(14) == Thresholds()
    config_fields = set(HealthConfig.model_fields)
    rule_fields = {f.name for f in dataclasses.fields(Thresholds)} - {"cadence_days"}
    assert rule_fields <= config_fields  # every number of the rules is configurable


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"watch_gap_factor": 3.0, "at_risk_gap_factor": 2.5}, "gap factors"),
        ({"fading_score": 60, "at_risk_score": 60}, "fading_score"),
        ({"trend_min_meetings": 9, "trend_meetings": 8}, "trend_min_meetings"),
    ],
)
def test_health_config_refuses_inconsistent_numbers(values, message):
    with pytest.raises(ValueError, match=message):
        HealthConfig(**values)
