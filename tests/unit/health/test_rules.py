"""The pure health rules, on hand-built pairs (cadence 14 days unless said otherwise)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from lmsync.domain.health import (
    PairEvidence,
    PairHealth,
    Reason,
    SatisfactionPoint,
    SurveyRound,
    Thresholds,
    assess,
    attention_order,
    count_statuses,
    nudge_kind,
    pair_id,
    parse_pair_id,
    satisfaction_points,
    survey_rounds,
)
from lmsync.domain.instruments import (
    BUILTIN_INSTRUMENTS,
    GENERAL_SELF_EFFICACY,
    RELATIONSHIP_SATISFACTION_MENTEE,
    RELATIONSHIP_SATISFACTION_MENTOR,
    Score,
    Wave,
    WaveScore,
)
from lmsync.domain.meetings import Meeting

AS_OF = date(2026, 12, 1)
T = Thresholds()
MENTOR, MENTEE = 66, 3


def meeting(days_ago: int, minutes: int = 45, attended: bool = True, source: str = "csv") -> Meeting:
    return Meeting(AS_OF - timedelta(days=days_ago), MENTOR, MENTEE, minutes, attended, source)  # type: ignore[arg-type]


def judge(
    *meetings: Meeting,
    paired_days_ago: int = 120,
    points: tuple[SatisfactionPoint, ...] = (),
    rounds: tuple[SurveyRound, ...] = (),
    t: Thresholds = T,
    as_of: date = AS_OF,
) -> PairHealth:
    evidence = PairEvidence(MENTOR, MENTEE, AS_OF - timedelta(days=paired_days_ago), tuple(meetings), points)
    return assess(evidence, t, as_of=as_of, rounds=rounds)


def fortnightly(count: int, minutes: int = 45, last_days_ago: int = 5) -> list[Meeting]:
    return [meeting(last_days_ago + 14 * k, minutes) for k in reversed(range(count))]


# --- status -------------------------------------------------------------------------------------


def test_a_fresh_pair_with_nothing_wrong_is_new_then_ok_after_the_grace_period():
    assert judge(paired_days_ago=10).status == "new"
    assert judge(paired_days_ago=10).reasons == ()
    healthy = judge(*fortnightly(6), paired_days_ago=90)
    assert (healthy.status, healthy.reasons) == ("ok", ())
    assert healthy.last_meeting == AS_OF - timedelta(days=5)
    assert healthy.days_since_meeting == 5


def test_a_new_pair_that_met_early_is_still_new():
    h = judge(meeting(3), paired_days_ago=8)
    assert h.status == "new"


def test_no_meeting_for_more_than_twice_the_cadence_is_at_risk_and_four_times_is_fading():
    just_inside = judge(meeting(28), paired_days_ago=200)
    assert just_inside.status == "ok"  # "more than" 2 x 14
    at_risk = judge(meeting(29), meeting(43), paired_days_ago=200)
    assert at_risk.status == "at_risk"
    assert at_risk.codes == ("no_meeting",)
    assert at_risk.reasons[0].text == "no meeting for 29 days (expected every 14)"
    fading = judge(meeting(57), paired_days_ago=200)
    assert (fading.status, fading.codes) == ("fading", ("no_meeting",))


def test_the_gap_follows_the_configured_cadence_and_factors():
    weekly = Thresholds(cadence_days=7)
    assert judge(meeting(20), t=weekly).status == "at_risk"
    assert judge(meeting(29), t=weekly).status == "fading"
    lenient = Thresholds(at_risk_gap_factor=3, fading_gap_factor=6)
    assert judge(meeting(40), t=lenient).status == "ok"


def test_a_pair_that_never_met_has_the_grace_period_for_its_first_meeting():
    assert judge(paired_days_ago=20).status == "new"
    h = judge(paired_days_ago=21)
    assert (h.status, h.codes, h.last_meeting, h.days_since_meeting) == (
        "at_risk",
        ("no_first_meeting",),
        None,
        21,
    )
    assert h.reasons[0].text == "no meeting since pairing 21 days ago (expected every 14)"
    assert judge(paired_days_ago=56).status == "at_risk"
    assert judge(paired_days_ago=57).status == "fading"
    assert judge(paired_days_ago=30, t=Thresholds(grace_days=40)).status == "new"


def test_a_meeting_before_the_known_pairing_date_moves_pairing_back():
    h = judge(meeting(100), paired_days_ago=10)
    assert h.paired_since == AS_OF - timedelta(days=100)
    assert h.status == "fading" and h.codes == ("no_meeting",)


# --- the "hi, how are you, bye" pattern ---------------------------------------------------------


def test_meetings_shrinking_far_below_the_pairs_own_earlier_mean():
    earlier = [meeting(d, 50) for d in (90, 76, 62)]
    shrunk = judge(*earlier, meeting(48, 20), meeting(34, 20), meeting(20, 20))
    assert shrunk.codes == ("meetings_shrinking",)
    assert shrunk.reasons[0].text == "recent meetings average 20 min, down from 50"
    kept_up = judge(*earlier, meeting(48, 30), meeting(34, 30), meeting(20, 30))
    assert kept_up.status == "ok"  # 30 is not below half of 50


def test_shrinking_needs_enough_earlier_meetings():
    h = judge(meeting(62, 60), meeting(48, 20), meeting(34, 20), meeting(20, 20))
    assert h.status == "ok"  # one earlier meeting is not a trend


def test_recent_meetings_under_the_floor_are_too_short_whatever_came_before():
    h = judge(meeting(20, 10), meeting(6, 8))
    assert h.codes == ("meetings_short",)
    assert h.reasons[0].text == "recent meetings average 9 min (under 15)"
    earlier = [meeting(d, 50) for d in (90, 76, 62)]
    both = judge(*earlier, meeting(48, 10), meeting(34, 10), meeting(20, 10))
    assert both.codes == ("meetings_short",)  # one signal, not short + shrinking
    assert judge(meeting(6, 8)).status == "ok"  # one short meeting is not a pattern


# --- missed meetings ----------------------------------------------------------------------------


def test_missed_meetings_two_of_three_at_risk_all_three_fading():
    two = judge(meeting(30, attended=True), meeting(16, attended=False), meeting(2, attended=False))
    assert "meetings_missed" in two.codes
    assert two.reasons[two.codes.index("meetings_missed")].text == "2 of the last 3 meetings missed"
    assert two.status == "at_risk"
    three = judge(
        meeting(40), meeting(30, attended=False), meeting(16, attended=False), meeting(2, attended=False)
    )
    assert three.status == "fading"
    assert three.reasons[three.codes.index("meetings_missed")].severity == "fading"


def test_a_missed_meeting_is_not_a_meeting():
    h = judge(meeting(35), meeting(5, attended=False))
    assert h.last_meeting == AS_OF - timedelta(days=35)
    assert h.codes == ("no_meeting",)


def test_the_same_meeting_from_two_sources_counts_once_and_the_coordinators_entry_wins():
    logged_absent = meeting(5, attended=False, source="feedback")
    corrected = meeting(5, attended=True, source="cli")
    h = judge(meeting(33, attended=False), meeting(19, attended=False), logged_absent, corrected)
    assert "meetings_missed" in h.codes  # 2 of 3, not 3 of 4
    assert h.last_meeting == AS_OF - timedelta(days=5)


# --- satisfaction -------------------------------------------------------------------------------


def point(side: str, days_ago: int, level: float | None, wave: str = "T3") -> SatisfactionPoint:
    return SatisfactionPoint(side, wave, AS_OF - timedelta(days=days_ago), level)  # type: ignore[arg-type]


def test_low_satisfaction_names_the_side_never_the_score():
    h = judge(*fortnightly(6), points=(point("mentee", 10, 0.25), point("mentor", 10, 0.9)))
    assert h.codes == ("satisfaction_low_mentee",)
    assert h.reasons[0].text == "satisfaction low (mentee side)"
    assert not any(ch.isdigit() for ch in h.reasons[0].text)
    assert judge(*fortnightly(6), points=(point("mentor", 10, 0.3),)).codes == ("satisfaction_low_mentor",)


def test_the_latest_wave_decides_whether_satisfaction_is_low():
    recovered = judge(*fortnightly(6), points=(point("mentee", 80, 0.2, "T0"), point("mentee", 10, 0.8)))
    assert recovered.status == "ok"


def test_satisfaction_falling_between_waves():
    falling = judge(*fortnightly(6), points=(point("mentor", 80, 0.9, "T0"), point("mentor", 10, 0.6)))
    assert falling.codes == ("satisfaction_falling_mentor",)
    assert falling.reasons[0].text == "satisfaction falling (mentor side)"
    small_dip = judge(*fortnightly(6), points=(point("mentor", 80, 0.9, "T0"), point("mentor", 10, 0.7)))
    assert small_dip.status == "ok"
    exact = judge(*fortnightly(6), points=(point("mentee", 80, 0.75, "T0"), point("mentee", 10, 0.5)))
    assert exact.codes == ("satisfaction_falling_mentee",)


def test_an_unscorable_sitting_is_not_a_level():
    h = judge(*fortnightly(6), points=(point("mentee", 80, 0.9, "T0"), point("mentee", 10, None)))
    assert h.status == "ok"


def test_one_side_not_answering_the_latest_closed_wave():
    rounds = (
        SurveyRound("T0", AS_OF - timedelta(days=90), frozenset({"mentor", "mentee"})),
        SurveyRound("T3", AS_OF - timedelta(days=5), frozenset({"mentor", "mentee"})),
    )
    only_mentee = (point("mentee", 80, 0.8, "T0"), point("mentor", 80, 0.8, "T0"), point("mentee", 10, 0.8))
    h = judge(*fortnightly(6), points=only_mentee, rounds=rounds)
    assert h.codes == ("survey_unanswered_mentor",)
    assert h.reasons[0].text == "no survey answer from the mentor side (T3)"
    both = (*only_mentee, point("mentor", 10, None))  # answered, too few items to score: still answered
    assert judge(*fortnightly(6), points=both, rounds=rounds).status == "ok"


def test_unanswered_only_counts_sides_that_were_surveyed_and_waves_the_pair_lived_through():
    mentee_only_wave = (SurveyRound("T3", AS_OF - timedelta(days=5), frozenset({"mentee"})),)
    h = judge(*fortnightly(6), points=(point("mentee", 10, 0.8),), rounds=mentee_only_wave)
    assert h.status == "ok"  # the mentor side was not surveyed in T3
    before_pairing = (SurveyRound("T0", AS_OF - timedelta(days=60), frozenset({"mentor", "mentee"})),)
    assert judge(meeting(5), paired_days_ago=30, rounds=before_pairing).codes == ()
    still_open = (SurveyRound("T3", AS_OF, frozenset({"mentor", "mentee"})),)
    assert judge(*fortnightly(6), rounds=still_open).status == "ok"


# --- together -----------------------------------------------------------------------------------


def test_several_warning_signs_together_make_a_pair_fading():
    h = judge(
        meeting(26, 10),
        meeting(20, 10),
        meeting(16, attended=False),
        meeting(2, attended=False),
        points=(point("mentee", 10, 0.2),),
    )
    assert set(h.codes) == {"meetings_short", "meetings_missed", "satisfaction_low_mentee", "several_signals"}
    assert h.status == "fading"
    assert h.reasons[-1].text == "3 warning signs together"
    two = judge(meeting(30, 10), meeting(16, 10), points=(point("mentee", 10, 0.2),))
    assert two.status == "at_risk"


def test_data_after_the_as_of_date_is_ignored():
    future = Meeting(AS_OF + timedelta(days=3), MENTOR, MENTEE, 45, True, "csv")
    h = judge(meeting(40), future, points=(point("mentee", -3, 0.1),))
    assert h.codes == ("no_meeting",)


def test_meetings_of_another_pair_are_ignored():
    other = Meeting(AS_OF - timedelta(days=2), MENTOR, 99, 45, True, "csv")
    assert judge(meeting(40), other).codes == ("no_meeting",)


def test_assessment_is_deterministic():
    args = (meeting(40, 10), meeting(30, 10), meeting(16, attended=False))
    assert judge(*args) == judge(*reversed(args))


# --- evidence from stored scores ----------------------------------------------------------------


def ws(person: int, instrument: str, wave: str, day: date, total: float | None) -> WaveScore:
    return WaveScore(person, instrument, wave, day, "csv", Score(instrument, total, 5, 4))


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
    gse = satisfaction_points(
        [ws(MENTEE, "general_self_efficacy", "T0", date(2026, 9, 20), 25.0)],
        {"general_self_efficacy": GENERAL_SELF_EFFICACY},
        MENTOR,
        MENTEE,
    )
    assert gse[0].level == 0.5  # 25 on 10..40


def test_survey_rounds_are_closed_waves_with_the_sides_that_answered():
    waves = [
        Wave("T0", date(2026, 9, 1), date(2026, 9, 30)),
        Wave("T3", date(2026, 11, 15), date(2026, 12, 15)),
    ]
    scores = [ws(MENTEE, "relationship_satisfaction_mentee", "T0", date(2026, 9, 20), 4.0)]
    rounds = survey_rounds(scores, BUILTIN_INSTRUMENTS, waves, [MENTOR], as_of=AS_OF)
    assert rounds == (SurveyRound("T0", date(2026, 9, 30), frozenset({"mentee"})),)


# --- summaries and nudges -----------------------------------------------------------------------


def health(status: str, *codes: str, days: int = 0, mentee: int = MENTEE) -> PairHealth:
    reasons = tuple(Reason(c, "at_risk", c) for c in codes)
    return PairHealth(MENTOR, mentee, status, reasons, AS_OF, None, days)  # type: ignore[arg-type]


def test_counts_and_attention_order():
    hs = [
        health("ok"),
        health("at_risk", "x", days=50, mentee=4),
        health("fading", "y", days=10, mentee=5),
        health("fading", "y", days=70, mentee=6),
        health("new", mentee=7),
    ]
    assert count_statuses(hs) == {"new": 1, "ok": 1, "at_risk": 1, "fading": 2}
    assert [h.mentee_id for h in attention_order(hs)] == [6, 5, 4]


@pytest.mark.parametrize(
    ("codes", "kind"),
    [
        (("meetings_short", "no_meeting"), "no_meeting"),
        (("no_first_meeting",), "no_first_meeting"),
        (("meetings_missed", "meetings_shrinking"), "missed_meetings"),
        (("meetings_shrinking",), "short_meetings"),
        (("satisfaction_low_mentee",), "check_in"),
        (("survey_unanswered_mentor", "satisfaction_falling_mentor"), "check_in"),
    ],
)
def test_nudge_kind_follows_the_most_pressing_meeting_signal(codes, kind):
    assert nudge_kind(health("at_risk", *codes)) == kind


def test_no_nudge_for_healthy_or_new_pairs():
    assert nudge_kind(health("ok")) is None
    assert nudge_kind(health("new")) is None


def test_pair_ids_round_trip():
    assert pair_id(66, 3) == "66-3"
    assert parse_pair_id("66-3") == (66, 3) == parse_pair_id(" 66:3 ")
    for bad in ("66", "a-3", "66-3-1", "-3"):
        with pytest.raises(ValueError):
            parse_pair_id(bad)
