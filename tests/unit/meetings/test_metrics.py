"""Metrics worked by hand: period 1 Sep - 13 Oct 2026 (42 days), cadence 14 days -> 3 meetings expected per pair."""

from datetime import date

import pytest

from lmsync.domain.instruments import (
    GENERAL_SELF_EFFICACY,
    RELATIONSHIP_SATISFACTION_MENTEE,
    RELATIONSHIP_SATISFACTION_MENTOR,
    Score,
    Wave,
    WaveScore,
)
from lmsync.domain.meetings import Meeting
from lmsync.domain.metrics import (
    AttendanceSummary,
    meeting_metrics,
    summarise_attendance,
    survey_metric_specs,
    survey_metrics,
)

START, AS_OF = date(2026, 9, 1), date(2026, 10, 13)
PAIRS = [(66, 3), (66, 4)]
MEETINGS = [
    Meeting(date(2026, 9, 10), 66, 3, 30, True, "feedback"),
    Meeting(date(2026, 9, 10), 66, 3, 40, True, "cli"),  # same meeting, the CLI entry wins
    Meeting(date(2026, 9, 10), 66, 4, 30, True, "csv"),
    Meeting(date(2026, 9, 24), 66, 3, 45, True, "csv"),
    Meeting(date(2026, 10, 8), 66, 3, 50, False, "csv"),  # absent: not counted
    Meeting(date(2026, 10, 20), 66, 4, 50, True, "csv"),  # after as_of
    Meeting(date(2026, 9, 24), 67, 3, 60, True, "csv"),  # not a current pair
]


def summaries():
    return summarise_attendance(MEETINGS, PAIRS, cadence_days=14, start=START, as_of=AS_OF)


def test_mentee_attendance_minutes_and_comment():
    s = summaries()[3]
    # held 10 Sep (40 min, CLI) and 24 Sep (45 min): 2 of 3 expected
    assert (s.held, s.expected) == (2, 3)
    assert s.rate == pytest.approx(200 / 3)
    assert s.mean_minutes == pytest.approx(42.5)
    assert s.comment() == "2 of 3 meetings, last 24 Sep"
    assert summaries()[4].rate == pytest.approx(100 / 3)


def test_round_61_7_more_meetings_than_expected_is_not_said_as_2_of_1():
    """Tester round 61, 7: a student's gradebook comment read "2 of 1 meetings" (grade 100)."""
    more = AttendanceSummary(3, held=2, expected=1, mean_minutes=30.0, last=date(2027, 1, 29))
    assert more.comment() == "2 meetings (1 expected so far), last 29 Jan"
    assert AttendanceSummary(3, 1, 1, 30.0, None).comment() == "1 of 1 meetings"


def test_mentor_counts_pair_meetings_but_minutes_per_day():
    s = summaries()[66]
    # 3 pair-meetings held of 2 pairs x 3 expected = 50%; days: 10 Sep max(40, 30) = 40, 24 Sep 45 -> 42.5
    assert (s.held, s.expected, s.rate) == (3, 6, 50.0)
    assert s.mean_minutes == pytest.approx(42.5)


def test_first_period_expects_nothing_yet():
    s = summarise_attendance(MEETINGS, PAIRS, cadence_days=14, start=START, as_of=date(2026, 9, 14))
    assert s[3].rate is None and s[3].expected == 0


def test_meeting_metric_values():
    values = {(v.key, v.user_id): v.value for v in meeting_metrics(summaries())}
    assert values[("attendance", 3)] == 66.67
    assert values[("meetings", 3)] == 2.0
    assert values[("minutes", 4)] == 30.0
    assert values[("attendance", 66)] == 50.0


WAVES = [Wave("T0", date(2026, 9, 1), date(2026, 9, 30)), Wave("T3", date(2026, 12, 1), date(2026, 12, 31))]
INSTRUMENTS = {
    i.name: i
    for i in (RELATIONSHIP_SATISFACTION_MENTEE, RELATIONSHIP_SATISFACTION_MENTOR, GENERAL_SELF_EFFICACY)
}


def ws(person, inst, wave, total):
    return WaveScore(person, inst.name, wave, date(2026, 9, 5), "csv", Score(inst.name, total, 5, 4))


def test_mentee_ratings_reach_the_mentor_only_as_a_mean_over_enough_mentees():
    pairs = [(66, 3), (66, 4), (66, 5), (67, 6), (67, 7)]
    scores = [
        ws(p, RELATIONSHIP_SATISFACTION_MENTEE, "T0", t)
        for p, t in ((3, 4.0), (4, 5.0), (5, 3.0), (6, 1.0), (7, 2.0))
    ]
    values = survey_metrics(scores, INSTRUMENTS, pairs, WAVES, min_mentees=3)
    # mentor 66: (4 + 5 + 3) / 3 = 4.0; mentor 67 has only 2 raters -> nothing; no per-mentee item at all
    assert [(v.key, v.user_id, v.value) for v in values] == [("satisfaction-mentee-received-T0", 66, 4.0)]


def test_hidden_policy_adds_hidden_per_mentee_items():
    scores = [ws(3, RELATIONSHIP_SATISFACTION_MENTEE, "T0", 4.0)]
    values = survey_metrics(scores, INSTRUMENTS, [(66, 3)], WAVES, min_mentees=3, mentee_ratings="hidden")
    assert [(v.key, v.user_id) for v in values] == [("satisfaction-mentee-T0", 3)]
    specs = survey_metric_specs(INSTRUMENTS.values(), WAVES, mentee_ratings="hidden")
    assert specs["satisfaction-mentee-T0"].hidden
    assert specs["satisfaction-mentee-received-T0"].hidden  # hidden from the mentor it is about (tester round 94a, 1)
    assert "satisfaction-mentee-T0" not in survey_metric_specs(INSTRUMENTS.values(), WAVES)


def test_mentor_side_and_self_efficacy_change_since_baseline():
    scores = [
        ws(66, RELATIONSHIP_SATISFACTION_MENTOR, "T0", 4.2),
        ws(3, GENERAL_SELF_EFFICACY, "T0", 28.0),
        ws(3, GENERAL_SELF_EFFICACY, "T3", 31.5),
        ws(4, GENERAL_SELF_EFFICACY, "T3", 30.0),  # no T0: no change value
        ws(5, GENERAL_SELF_EFFICACY, "T3", None),  # incomplete: nothing
    ]
    values = {
        (v.key, v.user_id): v.value
        for v in survey_metrics(scores, INSTRUMENTS, [(66, 3)], WAVES, min_mentees=3)
    }
    assert values == {
        ("satisfaction-mentor-T0", 66): 4.2,
        ("selfefficacy-T0", 3): 28.0,
        ("selfefficacy-T3", 3): 31.5,
        ("selfefficacy-T3", 4): 30.0,
        ("selfefficacy-change-T3", 3): 3.5,
    }
    specs = survey_metric_specs(INSTRUMENTS.values(), WAVES)
    assert (specs["selfefficacy-change-T3"].grademin, specs["selfefficacy-change-T3"].grademax) == (-30, 30)
    assert "selfefficacy-change-T0" not in specs


def test_round_37_1_answers_of_a_wave_taken_out_of_the_config_give_no_change_and_no_traceback():
    """A wave removed from [waves.windows] with answers stored: every `grades plan` ended in "ValueError:
    baseline wave 'T6' is not declared"; its metrics are no longer configured, kept as they are."""
    scores = [ws(3, GENERAL_SELF_EFFICACY, "T0", 28.0), ws(3, GENERAL_SELF_EFFICACY, "T6", 33.0)]
    values = {(v.key, v.user_id): v.value for v in survey_metrics(scores, INSTRUMENTS, [(66, 3)], WAVES, min_mentees=3)}
    assert "selfefficacy-change-T6" not in {key for key, _ in values}
    assert values[("selfefficacy-T0", 3)] == 28.0


def test_tester_round_6_4_a_rating_given_before_a_rematch_is_not_the_new_mentors():
    """Mentee 5 rated mentor 67 on 5 Sep, then was re-matched to 66 on 20 Sep: 66 is not credited with it."""
    pairs = [(66, 3), (66, 4), (66, 5)]
    scores = [ws(p, RELATIONSHIP_SATISFACTION_MENTEE, "T0", t) for p, t in ((3, 4.0), (4, 5.0), (5, 1.0))]

    def pairs_on(day: date) -> set[tuple[int, int]]:
        return {(66, 3), (66, 4), (67 if day < date(2026, 9, 20) else 66, 5)}

    before = survey_metrics(scores, INSTRUMENTS, pairs, WAVES, min_mentees=2)
    assert [(v.key, v.user_id, v.value) for v in before] == [("satisfaction-mentee-received-T0", 66, 3.33)]
    dated = survey_metrics(scores, INSTRUMENTS, pairs, WAVES, min_mentees=2, pairs_on=pairs_on)
    assert [(v.key, v.user_id, v.value) for v in dated] == [("satisfaction-mentee-received-T0", 66, 4.5)]


def test_round_61_1_a_rating_given_before_a_rematch_stays_the_old_mentors():
    """Tester round 61, 1: mentee 5 rated mentor 67 (a 1) on 5 Sep and was re-matched to 66 before the wave
    closed: 67's published mean was taken over the other mentees alone (the current pairs), so re-matching an
    unhappy mentee took their verdict out of their mentor's rating. It counts for 67, the mentor of its day."""
    pairs = [(66, 5), (67, 3), (67, 4)]  # today: 5 is with 66
    scores = [ws(p, RELATIONSHIP_SATISFACTION_MENTEE, "T0", t) for p, t in ((3, 4.0), (4, 5.0), (5, 1.0))]

    def pairs_on(day: date) -> set[tuple[int, int]]:
        return {(67, 3), (67, 4), (67 if day < date(2026, 9, 20) else 66, 5)}

    dated = survey_metrics(scores, INSTRUMENTS, pairs, WAVES, min_mentees=2, pairs_on=pairs_on)
    assert [(v.key, v.user_id, v.value) for v in dated] == [("satisfaction-mentee-received-T0", 67, 3.33)]


def test_round_12_3_a_pair_made_mid_term_is_expected_to_meet_only_from_its_pairing():
    """Tester round 12, 3: a mentee paired on 1 Dec got "0 of 6 meetings" (grade 0) counted from the
    1 Sep programme start. A pair lmsync made after the start, with no earlier meeting, counts from
    its pairing day; a pair that met before lmsync paired them (an established programme) still
    counts from the programme start."""
    from datetime import date

    from lmsync.domain.meetings import Meeting
    from lmsync.domain.metrics import summarise_attendance

    start, as_of = date(2026, 9, 1), date(2026, 12, 1)
    new, established = (1, 10), (2, 20)
    paired = {new: date(2026, 11, 24), established: date(2026, 11, 24)}
    meetings = [Meeting(date(2026, 9, 20), 2, 20, 30, True, "csv"), Meeting(date(2026, 11, 30), 1, 10, 30, True, "csv")]
    summary = summarise_attendance(meetings, [new, established], cadence_days=14, start=start, as_of=as_of,
                                   pair_starts=paired)
    assert (summary[10].held, summary[10].expected) == (1, 0)  # a week old: nobody is late yet
    assert (summary[20].held, summary[20].expected) == (1, (as_of - start).days // 14)  # 6, from 1 Sep


def test_round_52_3_a_mentee_moved_to_another_mentor_keeps_the_meetings_held_with_the_first():
    """Mentee 3 met mentor 66 on 10 and 24 Sep, then was moved to mentor 67 on 1 Oct and met them on
    8 Oct. Their grade counted 67's meeting only ("1 of 0"), and 66 lost the two meetings too."""
    meetings = [Meeting(date(2026, 9, 10), 66, 3, 40, True, "csv"), Meeting(date(2026, 9, 24), 66, 3, 30, True, "csv"),
                Meeting(date(2026, 10, 8), 67, 3, 50, True, "csv"),
                Meeting(date(2026, 10, 2), 66, 3, 30, True, "csv"),  # after the pair ended: no pair's
                Meeting(date(2026, 9, 12), 66, 4, 30, True, "csv")]
    spans = {(66, 3): [(START, date(2026, 10, 1))], (67, 3): [(date(2026, 10, 1), None)], (66, 4): [(START, None)]}
    s = summarise_attendance(meetings, [(67, 3), (66, 4)], cadence_days=14, start=START, as_of=AS_OF,
                             spans=spans, first_day=START)
    # 66 -> 3: 1 to 30 Sep (30 days: 2 expected), 2 held; 67 -> 3: 1 to 13 Oct (12 days: none yet), 1 held
    assert (s[3].held, s[3].expected, s[3].last) == (3, 2, date(2026, 10, 8))
    # mentor 66: their meetings with 3 while paired, and with 4 (3 expected over 42 days)
    assert (s[66].held, s[66].expected) == (3, 2 + 3)
    assert (s[67].held, s[67].expected) == (1, 0)


def test_an_ended_pair_gives_figures_only_to_the_graded():
    spans = {(68, 9): [(START, date(2026, 10, 1))]}
    meetings = [Meeting(date(2026, 9, 10), 68, 9, 40, True, "csv")]
    s = summarise_attendance(meetings, [(66, 3)], cadence_days=14, start=START, as_of=AS_OF, spans=spans)
    assert set(s) == {66, 3}
    # round 58, 3: a mentee still in the course, left with no mentor, keeps that pair's figures
    s = summarise_attendance(meetings, [(66, 3)], cadence_days=14, start=START, as_of=AS_OF, spans=spans, graded={9})
    assert set(s) == {66, 3, 9} and (s[9].held, s[9].expected) == (1, 2)


def test_round_58_1_a_mentee_moved_away_and_back_is_expected_per_stint():
    """A -> B -> A: one period from the first day with A to today expected 8 meetings in 100 days (7 at
    most), and A was expected to meet them while they were with B."""
    a, b, e = 66, 67, 4
    spans = {(a, e): [(START, date(2026, 10, 15)), (date(2026, 11, 12), None)], (b, e): [(date(2026, 10, 15), date(2026, 11, 12))]}
    meetings = [Meeting(date(2026, 9, 10), a, e, 30, True, "cli"), Meeting(date(2026, 10, 20), a, e, 30, True, "cli")]
    s = summarise_attendance(meetings, [(a, e)], cadence_days=14, start=START, as_of=date(2026, 12, 10), spans=spans,
                             first_day=START)
    # with A: 1 Sep - 15 Oct (44 days: 3) and 12 Nov - 10 Dec (28 days: 2); with B: 15 Oct - 12 Nov (28 days: 2)
    assert s[e].expected == 7 and s[a].expected == 5
    assert s[e].held == 1  # 20 Oct: with B then, a meeting with A counts in no period


def test_round_58_2_a_meeting_dated_before_a_re_matched_pair_began_does_not_stretch_its_period():
    spans = {(66, 4): [(START, date(2026, 10, 15))], (67, 4): [(date(2026, 10, 15), None)]}
    early = [Meeting(date(2026, 10, 14), 67, 4, 30, True, "cli")]
    s = summarise_attendance(early, [(67, 4)], cadence_days=14, start=START, as_of=date(2026, 11, 10), spans=spans,
                             first_day=START)
    assert s[67].expected == 1 and s[4].expected == 3 + 1  # 26 days with 67; 44 with 66


def test_a_peer_mentor_who_is_also_a_mentee_is_expected_each_meeting_once():
    """Person 5 is mentee of 66 and peer mentor of 7 (triads): 3 + 3 meetings expected over 42 days, not 12."""
    meetings = [Meeting(date(2026, 9, d), 66, 5, 30, True, "csv") for d in (10, 24)]
    meetings += [Meeting(date(2026, 9, d), 5, 7, 30, True, "csv") for d in (11, 25, 29)]
    s = summarise_attendance(meetings, [(66, 5), (5, 7)], cadence_days=14, start=START, as_of=AS_OF)
    assert (s[5].held, s[5].expected) == (5, 6)


def test_tester_round_87a_7e_a_week_apart_costs_no_more_than_a_week_of_expected_meetings():
    """"6 meetings (4 expected so far)" for a pair apart a week, beside 6 expected for pairs never apart: each of
    its two periods was floored to whole fortnights on its own (52 days -> 3, 26 days -> 1)."""
    from datetime import date

    from lmsync.domain.metrics import summarise_attendance

    first = date(2027, 1, 11)
    spans = {(66, 3): [(first, date(2027, 3, 4)), (date(2027, 3, 10), None)], (66, 4): [(first, None)]}
    summary = summarise_attendance([], [(66, 3), (66, 4)], cadence_days=14, start=first, as_of=date(2027, 4, 5),
                                   spans=spans, first_day=first)
    assert summary[3].expected == (52 + 26) // 14 == 5
    assert summary[4].expected == 84 // 14 == 6


def test_round_90a_6_one_to_one_meetings_of_a_day_each_count_in_the_mentors_mean_minutes():
    """m0002 met s0003 (50 min) and s0049 (45 min) on one day, s0059 (10 min) a week later: the mentor's mean minutes
    read (max(50, 45) + 10) / 2 = 30 beside 3 meetings, as for one circle meeting that day."""
    met = [Meeting(date(2026, 10, 5), 66, 3, 50, True, "feedback"), Meeting(date(2026, 10, 5), 66, 4, 45, True, "feedback"),
           Meeting(date(2026, 10, 12), 66, 5, 10, True, "feedback")]
    pairs = [(66, 3), (66, 4), (66, 5)]
    alone = summarise_attendance(met, pairs, cadence_days=14, start=START, as_of=AS_OF, one_to_one=True)[66]
    assert (alone.held, alone.mean_minutes) == (3, 35.0)
    circle = summarise_attendance(met, pairs, cadence_days=14, start=START, as_of=AS_OF)[66]
    assert circle.mean_minutes == 30.0  # a circle meeting of a day counts once, the longest (unchanged)
