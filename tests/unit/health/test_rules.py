"""The pure health rules on hand-built pairs (issue 13; cadence 14 days unless said otherwise)."""

from __future__ import annotations

import math
from dataclasses import replace
from datetime import date, timedelta

import pytest

from lmsync.domain.health import (
    CheckIn,
    EfficacyPoint,
    ForumActivity,
    PairEvidence,
    PairHealth,
    Reason,
    SatisfactionPoint,
    SurveyRound,
    Thresholds,
    assess,
    attention_order,
    count_statuses,
    normalise_status,
    nudge_kind,
    pair_id,
    parse_pair_id,
    reliable_change,
)
from lmsync.domain.meetings import Meeting

AS_OF = date(2026, 12, 1)
T = Thresholds()
MENTOR, MENTEE = 66, 3


def meeting(
    days_ago: int, minutes: int = 45, attended: bool = True, source: str = "csv", rating: int | None = None
) -> Meeting:
    return Meeting(AS_OF - timedelta(days=days_ago), MENTOR, MENTEE, minutes, attended, source, rating)  # type: ignore[arg-type]


def judge(
    *meetings: Meeting,
    paired_days_ago: int = 120,
    points: tuple[SatisfactionPoint, ...] = (),
    rounds: tuple[SurveyRound, ...] = (),
    efficacy: tuple[EfficacyPoint, ...] = (),
    forum: ForumActivity | None = None,
    check_ins: tuple[CheckIn, ...] = (),
    t: Thresholds = T,
    as_of: date = AS_OF,
) -> PairHealth:
    evidence = PairEvidence(
        MENTOR,
        MENTEE,
        AS_OF - timedelta(days=paired_days_ago),
        tuple(meetings),
        points,
        efficacy,
        forum,
        check_ins,
    )
    return assess(evidence, t, as_of=as_of, rounds=rounds)


def fortnightly(
    count: int, minutes: int = 45, last_days_ago: int = 5, rating: int | None = None
) -> list[Meeting]:
    return [meeting(last_days_ago + 14 * k, minutes, rating=rating) for k in reversed(range(count))]


# --- statuses, grace and the pair's start -------------------------------------------------------


def test_statuses_are_ok_watch_at_risk_fading_closed_and_old_new_reads_as_ok():
    healthy = judge(*fortnightly(6), paired_days_ago=90)
    assert (healthy.status, healthy.reasons, healthy.score) == ("ok", (), 100)
    assert healthy.last_meeting == AS_OF - timedelta(days=5) and healthy.days_since_meeting == 5
    assert normalise_status("new") == "ok" and normalise_status("fading") == "fading"
    with pytest.raises(ValueError):
        normalise_status("dead")


def test_a_fresh_pair_is_ok_in_its_grace_period_then_no_first_meeting_at_risk_then_fading():
    fresh = judge(paired_days_ago=20)
    assert (fresh.status, fresh.reasons, fresh.in_grace) == ("ok", (), True)
    late = judge(paired_days_ago=21)
    assert (late.status, late.codes, late.last_meeting, late.days_since_meeting) == (
        "at_risk",
        ("no_first_meeting",),
        None,
        21,
    )
    assert late.reasons[0].text == "no meeting since pairing 21 days ago (expected every 14)"
    assert judge(paired_days_ago=56).status == "at_risk"
    assert judge(paired_days_ago=57).status == "fading"
    assert judge(paired_days_ago=30, t=Thresholds(grace_days=40)).status == "ok"


def test_pair_start_is_the_earliest_meeting_when_it_predates_the_known_start():
    """issue 13: an established programme's pair started at its first meeting, not when lmsync saw it."""
    h = judge(meeting(100), paired_days_ago=0)
    assert h.paired_since == AS_OF - timedelta(days=100)
    assert h.status == "fading" and h.codes == ("no_meeting",)
    assert not h.in_grace


# --- silence against the cadence ----------------------------------------------------------------


def test_silence_watch_then_at_risk_then_fading_against_the_cadence():
    assert judge(meeting(24), meeting(38)).status == "ok"  # 24 <= 1.75 x 14
    watch = judge(meeting(25), meeting(39))
    assert (watch.status, watch.codes) == ("watch", ("no_meeting",))
    assert watch.reasons[0].text == "no meeting for 25 days (expected every 14)"
    assert judge(meeting(36), meeting(50)).status == "at_risk"  # > 2.5 x 14
    fading = judge(meeting(57))
    assert (fading.status, fading.codes) == ("fading", ("no_meeting",))


def test_the_gap_follows_the_configured_cadence():
    weekly = Thresholds(cadence_days=7)
    assert judge(meeting(18), t=weekly).status == "at_risk"
    assert judge(meeting(29), t=weekly).status == "fading"


# --- missed meetings ----------------------------------------------------------------------------


def test_missed_meetings_two_of_three_watch_all_three_fading():
    two = judge(meeting(30), meeting(16, attended=False), meeting(2, attended=False))
    assert two.codes == ("meetings_missed",)  # the 30-day gap they left is the same story: one reason
    assert (two.status, two.reasons[0].text) == ("watch", "2 of the last 3 meetings missed")
    three = judge(
        meeting(40), meeting(30, attended=False), meeting(16, attended=False), meeting(2, attended=False)
    )
    assert three.status == "fading"
    assert three.reasons[three.codes.index("meetings_missed")].severity == "fading"


def test_the_same_meeting_from_two_sources_counts_once_and_the_coordinators_entry_wins():
    logged_absent = meeting(5, attended=False, source="feedback")
    corrected = meeting(5, attended=True, source="cli")
    h = judge(meeting(33, attended=False), meeting(19, attended=False), logged_absent, corrected)
    assert h.codes == ("meetings_missed",)  # 2 of 3, not 3 of 4
    assert h.last_meeting == AS_OF - timedelta(days=5)


# --- "hi, how are you, bye" ---------------------------------------------------------------------


def test_hi_bye_meetings_on_time_but_short_and_low_rated_that_silence_never_sees():
    earlier = [meeting(d, 50, rating=4) for d in (90, 76, 62)]
    h = judge(
        *earlier,
        meeting(48, 20, rating=2),
        meeting(34, 18, rating=3),
        meeting(20, 20, rating=2),
        meeting(6, 18),
    )
    assert h.codes == ("hi_bye",)
    assert h.status == "at_risk"
    assert "no_meeting" not in h.codes and h.days_since_meeting == 6  # never silent
    assert h.reasons[0].text == (
        "recent meetings on time but short (19 min on average, down from this pair's usual 50) "
        "and low-rated (at most 3.5 on average)"
    )


def test_short_meetings_rated_well_are_shrinking_not_hi_bye():
    earlier = [meeting(d, 50, rating=4) for d in (90, 76, 62)]
    shrunk = judge(*earlier, meeting(48, 20, rating=5), meeting(34, 20, rating=4), meeting(20, 20, rating=5))
    assert (shrunk.status, shrunk.codes) == ("watch", ("meetings_shrinking",))
    assert shrunk.reasons[0].text == "recent meetings average 20 min, down from 50"
    kept_up = judge(*earlier, meeting(48, 35), meeting(34, 35), meeting(20, 35))
    assert kept_up.status == "ok"  # 35 is not below 0.6 x 50


def test_recent_meetings_under_the_floor_are_too_short_whatever_came_before():
    h = judge(meeting(20, 10), meeting(6, 8))
    assert (h.status, h.codes) == ("at_risk", ("meetings_short",))
    assert h.reasons[0].text == "recent meetings average 9 min (under 15)"
    assert judge(meeting(6, 8)).status == "ok"  # one short meeting is not a pattern


# --- the trend over the recent meetings ---------------------------------------------------------


def test_a_falling_trend_in_minutes_and_ratings_over_the_recent_meetings_is_at_risk():
    minutes = (55, 52, 50, 44, 40, 36, 34, 31)
    ratings = (5, 5, 4, 4, 4, 3, 3, 3)
    series = [
        meeting(5 + 14 * (7 - i), m, rating=r) for i, (m, r) in enumerate(zip(minutes, ratings, strict=True))
    ]
    h = judge(*series, paired_days_ago=200)
    assert h.codes == ("meetings_declining",)
    assert h.status == "at_risk"
    assert h.reasons[0].text.startswith("recent meetings much shorter and lower-rated than this pair's earlier 5")


def test_a_falling_trend_with_steady_ratings_is_only_a_watch():
    minutes = (55, 52, 50, 44, 40, 36, 34, 31)
    series = [meeting(5 + 14 * (7 - i), m, rating=5) for i, m in enumerate(minutes)]
    h = judge(*series, paired_days_ago=200)
    assert (h.status, h.codes) == ("watch", ("meetings_declining",))


def test_one_short_meeting_or_noise_is_not_a_trend():
    one_short = [meeting(5 + 14 * k, 45, rating=4) for k in range(1, 8)] + [meeting(5, 25, rating=4)]
    assert judge(*one_short, paired_days_ago=200).status == "ok"
    noisy = (45, 38, 52, 41, 47, 39, 50, 43)
    assert (
        judge(
            *(meeting(5 + 14 * (7 - i), m, rating=4) for i, m in enumerate(noisy)), paired_days_ago=200
        ).codes
        == ()
    )


def test_a_trend_needs_enough_meetings():
    few = [
        meeting(5 + 14 * (4 - i), m, rating=r)
        for i, (m, r) in enumerate(((55, 5), (50, 4), (40, 3), (33, 3), (30, 2)))
    ]
    assert "meetings_declining" not in judge(*few).codes


# --- satisfaction: reliable change, per side, per relationship ----------------------------------


def point(side: str, days_ago: int, level: float | None, wave: str = "T3") -> SatisfactionPoint:
    return SatisfactionPoint(side, wave, AS_OF - timedelta(days=days_ago), level)  # type: ignore[arg-type]


def test_reliable_change_index_is_jacobson_and_truax():
    value = reliable_change(0.75, 0.5, 0.18, 0.85)
    assert value == pytest.approx(-0.25 / (0.18 * math.sqrt(2) * math.sqrt(0.15)))
    assert value == pytest.approx(-2.536, abs=1e-3)
    # against the mean of three earlier waves the baseline's own error shrinks: sqrt(1 + 1/3), not sqrt(2)
    three = reliable_change(0.75, 0.5, 0.18, 0.85, baseline_sittings=3)
    assert three == pytest.approx(-0.25 / (0.18 * math.sqrt(0.15) * math.sqrt(1 + 1 / 3)))


def test_a_lasting_fall_is_judged_against_every_earlier_wave_of_that_side():
    # T0 and T3 at 0.80 and 0.70, now 0.55: against T3 alone the fall (-0.15) is within noise
    # (RCI -1.5); against the mean of both earlier waves (0.75) it is -0.20 over a smaller error
    points = (
        point("mentor", 200, 0.80, "T0"),
        point("mentor", 110, 0.70, "T3"),
        point("mentor", 10, 0.55, "T6"),
        point("mentee", 200, 0.8, "T0"),
        point("mentee", 110, 0.8, "T3"),
        point("mentee", 10, 0.8, "T6"),
    )
    h = judge(*fortnightly(6), points=points)
    assert h.codes == ("satisfaction_asymmetry_mentor",)
    assert judge(*fortnightly(6), points=points, t=T.__class__(rci_baseline=1)).codes == ()


def test_a_fall_within_the_instruments_noise_is_not_a_signal():
    small = judge(*fortnightly(6), points=(point("mentor", 80, 0.8, "T0"), point("mentor", 10, 0.62)))
    assert small.status == "ok"  # RCI -1.8: inside the noise at 0.18 SD and alpha .85
    less_reliable = Thresholds(satisfaction_reliability=0.6)
    big = (point("mentor", 80, 0.85, "T0"), point("mentor", 10, 0.6))
    assert judge(*fortnightly(6), points=big).codes == ("satisfaction_falling_mentor",)
    assert judge(*fortnightly(6), points=big, t=less_reliable).status == "ok"  # a noisier instrument


def test_asymmetry_one_side_falls_while_the_other_holds():
    points = (
        point("mentor", 80, 0.85, "T0"),
        point("mentee", 80, 0.8, "T0"),
        point("mentor", 10, 0.6),
        point("mentee", 10, 0.82),
    )
    h = judge(*fortnightly(6), points=points)
    assert h.codes == ("satisfaction_asymmetry_mentor",)
    assert h.reasons[0].severity == "watch"  # RCI -2.5: beyond noise, short of rci_at_risk
    assert h.reasons[0].text == "satisfaction fell on the mentor side while the mentee side's held"
    steep = (*points[:2], point("mentor", 10, 0.5), point("mentee", 10, 0.82))
    assert judge(*fortnightly(6), points=steep).status == "at_risk"  # RCI -3.5


def test_both_sides_falling_reliably_at_once_is_at_risk():
    points = (
        point("mentor", 80, 0.85, "T0"),
        point("mentee", 80, 0.85, "T0"),
        point("mentor", 10, 0.6),
        point("mentee", 10, 0.6),
    )
    h = judge(*fortnightly(6), points=points)
    assert set(h.codes) == {"satisfaction_falling_mentor", "satisfaction_falling_mentee"}
    # two at-risk signs of one channel (one survey wave): at risk, not fading, while the pair meets
    assert h.status == "at_risk" and h.score == 20


def test_low_satisfaction_names_the_side_never_the_score():
    h = judge(*fortnightly(6), points=(point("mentee", 10, 0.25), point("mentor", 10, 0.9)))
    assert h.codes == ("satisfaction_low_mentee",)
    assert h.reasons[0].text == "satisfaction low (mentee side)"
    assert not any(ch.isdigit() for r in h.reasons for ch in r.text)


def test_an_unscorable_sitting_is_not_a_level():
    assert (
        judge(*fortnightly(6), points=(point("mentee", 80, 0.9, "T0"), point("mentee", 10, None))).status
        == "ok"
    )


def test_one_side_not_answering_the_latest_closed_wave_is_a_minor_sign():
    rounds = (
        SurveyRound("T0", AS_OF - timedelta(days=90), frozenset({"mentor", "mentee"})),
        SurveyRound("T3", AS_OF - timedelta(days=5), frozenset({"mentor", "mentee"})),
    )
    only_mentee = (point("mentee", 80, 0.8, "T0"), point("mentor", 80, 0.8, "T0"), point("mentee", 10, 0.8))
    h = judge(*fortnightly(6), points=only_mentee, rounds=rounds)
    assert (h.status, h.codes) == ("watch", ("survey_unanswered_mentor",))
    assert h.reasons[0].text == "no satisfaction survey answer from the mentor side (T3)"
    assert h.score == 100 - T.weight_minor
    answered = (*only_mentee, point("mentor", 10, None))
    assert judge(*fortnightly(6), points=answered, rounds=rounds).status == "ok"


def test_round_61_2_a_pair_made_in_the_second_half_of_a_wave_is_not_expected_to_have_answered_it():
    """Tester round 61, 2: pairs made 1 to 5 days before a two-week wave closed were "no satisfaction survey
    answer" from both sides (watch, and at risk beside a silence). A pair made by the wave's middle day still is."""
    wave = (SurveyRound("T1", AS_OF - timedelta(days=5), frozenset({"mentor", "mentee"}), AS_OF - timedelta(days=18)),)
    # the wave ran 18 to 5 days ago: its middle is 12 days ago (18 - 13 // 2 = 12)
    late = judge(paired_days_ago=6, rounds=wave)
    assert not any(c.startswith("survey_unanswered") for c in late.codes), late.codes
    assert not any(c.startswith("survey_unanswered") for c in judge(paired_days_ago=11, rounds=wave).codes)
    early = judge(paired_days_ago=12, rounds=wave)
    assert {"survey_unanswered_mentee", "survey_unanswered_mentor"} <= set(early.codes)


# --- self-efficacy and dose, forum, need met ----------------------------------------------------


def test_self_efficacy_flat_while_the_pair_meets_enough():
    flat = (
        EfficacyPoint("T0", AS_OF - timedelta(days=80), 0.6),
        EfficacyPoint("T3", AS_OF - timedelta(days=3), 0.58),
    )
    h = judge(*fortnightly(6), efficacy=flat)
    assert (h.status, h.codes) == ("watch", ("self_efficacy_flat",))
    assert h.reasons[0].text == "self-efficacy did not rise from T0 to T3 despite 6 meetings"
    assert judge(meeting(40), meeting(10), efficacy=flat).codes == ()  # 2 meetings: no dose, no expectation
    rising = (flat[0], EfficacyPoint("T3", AS_OF - timedelta(days=3), 0.7))
    assert judge(*fortnightly(6), efficacy=rising).status == "ok"


def test_a_circle_forum_gone_quiet_is_a_minor_sign_and_a_silent_one_is_not():
    quiet = ForumActivity(posts=3, replies=5, last_post=AS_OF - timedelta(days=60))
    assert judge(*fortnightly(6), forum=quiet).codes == ("forum_quiet",)
    lively = ForumActivity(posts=3, replies=5, last_post=AS_OF - timedelta(days=10))
    assert judge(*fortnightly(6), forum=lively).status == "ok"
    assert judge(*fortnightly(6), forum=ForumActivity()).status == "ok"  # never used: nothing to fade from


def test_need_met_closes_the_pair_as_a_success_whatever_else():
    h = judge(meeting(70), check_ins=(CheckIn(AS_OF - timedelta(days=2), True),))
    assert (h.status, h.codes, h.score) == ("closed", ("need_met",), 100)
    assert not h.needs_attention and nudge_kind(h) is None
    later_no = (CheckIn(AS_OF - timedelta(days=20), True), CheckIn(AS_OF - timedelta(days=2), False))
    assert judge(meeting(70), check_ins=later_no).status == "fading"  # the latest answer decides
    future = (CheckIn(AS_OF + timedelta(days=2), True),)
    assert judge(meeting(70), check_ins=future).status == "fading"


# --- score and combination ----------------------------------------------------------------------


def test_two_watch_signs_together_make_a_pair_at_risk():
    earlier = [meeting(d, 50, rating=4) for d in (104, 90, 76)]
    h = judge(*earlier, meeting(62, 20, rating=5), meeting(48, 20, rating=4), meeting(34, 20, rating=5))
    assert set(h.codes) == {"no_meeting", "meetings_shrinking", "several_signals"}
    assert (h.status, h.score) == ("at_risk", 100 - 2 * T.weight_watch)
    assert h.reasons[-1].text == "2 warning signs together"


def test_two_watch_signs_of_one_channel_are_one_phenomenon_not_an_alarm():
    # meetings shrinking and a falling meeting trend both read the meetings: a watch, not an alarm
    minutes = (60, 58, 57, 55, 55, 54, 52, 50, 30, 29, 28)
    series = [meeting(5 + 14 * (10 - i), m, rating=4) for i, m in enumerate(minutes)]
    h = judge(*series, paired_days_ago=200, t=T.__class__(shift_at_risk=99.0))
    assert set(h.codes) == {"meetings_shrinking", "meetings_declining"}
    assert {r.channel for r in h.reasons} == {"meetings"} and h.score == 100 - 2 * T.weight_watch
    assert h.status == "watch"  # the old rule: two watch signs, at risk


def test_minor_signs_never_add_up_to_an_alarm():
    rounds = (SurveyRound("T3", AS_OF - timedelta(days=5), frozenset({"mentor", "mentee"})),)
    efficacy = (EfficacyPoint("T0", AS_OF - timedelta(days=80), 0.6), EfficacyPoint("T3", AS_OF - timedelta(days=6), 0.55))
    forum = ForumActivity(posts=3, replies=2, last_post=AS_OF - timedelta(days=70))
    t = T.__class__(weight_minor=5)
    h = judge(*fortnightly(7, last_days_ago=27), rounds=rounds, efficacy=efficacy, forum=forum, t=t)
    assert {"no_meeting", "self_efficacy_flat", "forum_quiet"} <= set(h.codes)
    assert all(r.minor for r in h.reasons if r.code != "no_meeting")
    assert h.score <= t.at_risk_score  # the old rule: the score alone made it at risk
    assert h.status == "watch"  # one channel (rhythm) and minor signs: worth a look, no alarm


def test_a_step_down_from_the_pairs_own_meetings_is_at_risk_whatever_its_usual_length():
    # a pair that always meets 25 minutes and rates 3 is its own normal: nothing to say
    usual = [meeting(5 + 14 * k, m, rating=3) for k, m in enumerate((24, 27, 25, 23, 26, 25, 24, 26, 25, 27, 24))]
    assert judge(*usual, paired_days_ago=200).status == "ok"
    # a pair that met 55 minutes rated 5 and now meets 34 rated 4, for three meetings, stepped down
    # (not short enough for "shrinking", not rated low enough for hi-bye: only the shift test sees it)
    before = [meeting(47 + 14 * k, m, rating=r) for k, (m, r) in enumerate(((55, 5), (52, 5), (58, 4), (54, 5), (50, 5)))]
    after = [meeting(5, 34, rating=4), meeting(19, 35, rating=4), meeting(33, 33, rating=4)]
    h = judge(*after, *before, paired_days_ago=200)
    assert (h.status, h.codes) == ("at_risk", ("meetings_declining",))
    assert h.reasons[0].channel == "meetings"


def test_data_after_the_as_of_date_is_ignored_and_other_pairs_too():
    future = Meeting(AS_OF + timedelta(days=3), MENTOR, MENTEE, 45, True, "csv")
    other = Meeting(AS_OF - timedelta(days=2), MENTOR, 99, 45, True, "csv")
    h = judge(meeting(40), future, other, points=(point("mentee", -3, 0.1),))
    assert h.codes == ("no_meeting",)


def test_assessment_is_deterministic():
    args = (meeting(40, 10), meeting(30, 10), meeting(16, attended=False))
    assert judge(*args) == judge(*reversed(args))


# --- summaries and nudges -----------------------------------------------------------------------


def health(status: str, *codes: str, days: int = 0, mentee: int = MENTEE, score: int = 100) -> PairHealth:
    reasons = tuple(Reason(c, "at_risk", c) for c in codes)
    return PairHealth(MENTOR, mentee, status, reasons, AS_OF, None, days, score)  # type: ignore[arg-type]


def test_counts_and_attention_order():
    hs = [
        health("ok"),
        health("at_risk", "x", days=50, mentee=4),
        health("fading", "y", days=10, mentee=5),
        health("fading", "y", days=70, mentee=6),
        health("watch", "z", mentee=7),
        health("closed", mentee=8),
    ]
    assert count_statuses(hs) == {"ok": 1, "watch": 1, "at_risk": 1, "fading": 2, "closed": 1}
    assert [h.mentee_id for h in attention_order(hs)] == [6, 5, 4]


@pytest.mark.parametrize(
    ("codes", "kind"),
    [
        (("meetings_short", "no_meeting"), "no_meeting"),
        (("no_first_meeting",), "no_first_meeting"),
        (("meetings_missed", "meetings_shrinking"), "missed_meetings"),
        (("hi_bye",), "short_meetings"),
        (("meetings_declining",), "short_meetings"),
        (("satisfaction_low_mentee",), "check_in"),
        (("satisfaction_asymmetry_mentor", "several_signals"), "check_in"),
    ],
)
def test_nudge_kind_follows_the_most_pressing_meeting_signal(codes, kind):
    assert nudge_kind(health("at_risk", *codes)) == kind


def test_no_nudge_for_healthy_watched_or_closed_pairs():
    for status in ("ok", "watch", "closed"):
        assert nudge_kind(health(status)) is None


def test_pair_ids_round_trip():
    assert pair_id(66, 3) == "66-3"
    assert parse_pair_id("66-3") == (66, 3) == parse_pair_id(" 66:3 ")
    for bad in ("66", "a-3", "66-3-1", "-3"):
        with pytest.raises(ValueError):
            parse_pair_id(bad)


# --- ratings per side (Meeting.rated_by, revision 0004) -----------------------------------------


def sided(days_ago: int, minutes: int, rating: int | None, side: str | None) -> Meeting:
    return Meeting(AS_OF - timedelta(days=days_ago), MENTOR, MENTEE, minutes, True, "feedback", rating, rated_by=side)  # type: ignore[arg-type]


#: Eight usual meetings logged by each side in turn, then three: a bit shorter, the mentor rating 2
#: where they used to rate 4-5, the mentee rating as ever.
_BEFORE = [(45, 5, "mentor"), (44, 4, "mentee"), (46, 4, "mentor"), (45, 5, "mentee"), (43, 5, "mentor"),
           (47, 4, "mentee"), (45, 4, "mentor"), (44, 5, "mentee")]
_MENTOR_FELL = [(40, 2, "mentor"), (41, 5, "mentee"), (39, 2, "mentor")]


def _history(rows: list[tuple[int, int, str]], *, known: bool = True) -> list[Meeting]:
    return [sided(5 + 14 * k, m, r, s if known else None) for k, (m, r, s) in enumerate(reversed(rows))]


def test_a_mentor_side_rating_fall_is_seen_in_the_mentors_own_ratings_not_diluted_by_the_mentees():
    h = judge(*_history(_BEFORE + _MENTOR_FELL), paired_days_ago=200)
    assert (h.status, h.codes) == ("at_risk", ("meetings_declining_mentor",))
    assert "the mentor's ratings fell" in h.reasons[0].text and h.reasons[0].channel == "meetings"
    # the same meetings without the side: the mentee's steady 5 halves the fall, only worth a look
    pooled = judge(*_history(_BEFORE + _MENTOR_FELL, known=False), paired_days_ago=200)
    assert (pooled.status, pooled.codes) == ("watch", ("meetings_declining",))
    assert "ratings fell" not in pooled.reasons[0].text


def test_a_mentee_side_rating_fall_names_the_mentee_side_and_gets_the_neutral_nudge():
    swapped = [(m, r, {"mentor": "mentee", "mentee": "mentor"}[s]) for m, r, s in _BEFORE + _MENTOR_FELL]
    h = judge(*_history(swapped), paired_days_ago=200)
    assert h.codes == ("meetings_declining_mentee",) and "the mentee's ratings fell" in h.reasons[0].text
    assert nudge_kind(h) == "check_in"  # a nudge never hints at what one side rated


def test_each_side_is_judged_against_its_own_level_not_the_other_sides():
    # the mentee always rates 5, the mentor always 3: a recent window with more mentor ratings is no fall
    before = [(45, 5 if k % 2 else 3, "mentee" if k % 2 else "mentor") for k in range(8)]
    recent = [(45, 3, "mentor"), (44, 3, "mentor"), (46, 3, "mentor")]
    assert judge(*_history(before + recent), paired_days_ago=200).status == "ok"
    from lmsync.domain.health.meeting_shift import ratings_shift

    rows = _history(before + recent)[::-1]
    per_side = ratings_shift(rows[:8], rows[8:], floor=0.5)
    rows = _history(before + recent, known=False)[::-1]
    pooled = ratings_shift(rows[:8], rows[8:], floor=0.5)
    assert per_side is not None and pooled is not None
    assert per_side.z >= 0 and per_side.side is None  # each side rates exactly as it always did
    assert pooled.z < -1  # pooled, the mix of who rated looks like a fall


def test_ratings_of_no_known_side_are_the_pooled_two_sample_shift():
    from lmsync.domain.health.meeting_shift import ratings_shift
    from lmsync.domain.health.trend import shift

    rows = _history(_BEFORE + _MENTOR_FELL, known=False)[::-1]
    before, recent = rows[:8], rows[8:]
    found = ratings_shift(before, recent, floor=T.shift_rating_floor)
    expected = shift([float(m.rating or 0) for m in before], [float(m.rating or 0) for m in recent], floor=0.5)
    assert found is not None and expected is not None
    assert found.side is None and math.isclose(found.z, expected)


def test_the_worst_of_several_sides_is_sidak_corrected():
    from statistics import NormalDist

    from lmsync.domain.health.meeting_shift import ratings_shift

    rows = _history(_BEFORE + _MENTOR_FELL)[::-1]
    before, recent = rows[:8], rows[8:]
    found = ratings_shift(before, recent, floor=0.5)
    assert found is not None and found.side == "mentor"
    # by hand: the mentor's 2, 2 against their 5, 4, 5, 4 (mean 4.5); the pooled within-side SD of
    # the earlier ratings (each side about its own mean 4.5) is sqrt(8 * 0.25 / 6), floored at 0.5
    raw = (2 - 4.5) / (max(math.sqrt(2 / 6), 0.5) * math.sqrt(1 / 2 + 1 / 4))
    normal = NormalDist()
    assert math.isclose(found.z, normal.inv_cdf(1 - (1 - normal.cdf(raw)) ** 3))  # mentor, mentee, both
    assert raw < found.z < 0


@pytest.mark.parametrize("side", ["mentor", "mentee"])
def test_round_37_6_a_gradual_fall_of_one_sides_ratings_names_that_side(side):
    """Ratings falling gradually, all given by one side, minutes steady: the trend said `meetings_declining`, as
    if both people knew it (and nudged it as short meetings); the step down already named the side. (The fall
    stops above ``rated_low``: one that ends at the bottom is that side's level, round 87a, 3, below.)"""
    ratings = (5, 5, 5, 5, 5, 5, 5, 4, 3, 3, 3, 2, 2)
    series = [replace(meeting(5 + 14 * (len(ratings) - 1 - i), 45, rating=r), rated_by=side)
              for i, r in enumerate(ratings)]
    h = judge(*series, paired_days_ago=250)
    assert h.codes == (f"meetings_declining_{side}",)
    # falling to 1s, the side's ratings are low whatever they were: the level says it, once (same ratings, channel)
    bottom = [replace(m, rating=r) for m, r in zip(series, (5, 5, 5, 5, 5, 5, 5, 4, 3, 2, 2, 1, 1), strict=True)]
    assert judge(*bottom, paired_days_ago=250).codes == (f"meetings_rated_low_{side}",)
    assert h.reasons[0].text.endswith(f" (the {side}'s ratings fell)") and "%" not in h.reasons[0].text  # round 60, 4
    unknown = judge(*[replace(m, rated_by=None) for m in series], paired_days_ago=250)
    assert unknown.codes == ("meetings_declining",)  # a side not known is not named
