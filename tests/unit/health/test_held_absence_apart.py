"""Tester round 104a, 8: the days a mentee was away while their place in the circle was held are apart, as a
break's days are: a silence and the first-meeting grace are judged over the days the pair was together."""

from __future__ import annotations

from datetime import date

from lmsync.domain.health import PairEvidence, Thresholds, assess
from lmsync.domain.meetings import Meeting
from lmsync.domain.pair_dates import days_apart

T = Thresholds()  # cadence 14 days: watch over 24.5 days of silence, at risk over 35, fading over 56
MENTOR, MENTEE = 7, 41
MADE = date(2026, 10, 1)
HELD = ((date(2026, 10, 3), date(2026, 10, 31)),)  # away 28 days, their place held


def _judge(as_of: date, away=HELD, meetings=(date(2026, 10, 2),), spans=((MADE, None),)):
    met = tuple(Meeting(day, MENTOR, MENTEE, 45, True, "csv") for day in meetings)
    return assess(PairEvidence(MENTOR, MENTEE, MADE, met, spans=spans, away=tuple(away)), T, as_of=as_of)


def test_days_apart_leaves_out_a_held_absence_once_and_only_inside_the_days_counted():
    spans = ((MADE, None),)
    assert days_apart(spans, date(2026, 10, 2), date(2026, 11, 10), HELD) == 28
    assert days_apart(spans, date(2026, 10, 2), date(2026, 10, 20), HELD) == 17  # still away: up to the day judged
    assert days_apart(spans, date(2026, 10, 2), date(2026, 11, 10), ((date(2026, 10, 3), None),)) == 38  # open
    assert days_apart(spans, date(2026, 11, 1), date(2026, 11, 10), HELD) == 0  # a meeting after it: none
    assert days_apart((), date(2026, 10, 2), date(2026, 11, 10), HELD) == 28  # a pair the history never names
    overlapping = ((date(2026, 10, 3), date(2026, 10, 20)), (date(2026, 10, 10), date(2026, 10, 31)))
    assert days_apart(spans, date(2026, 10, 2), date(2026, 11, 10), overlapping) == 28
    # a break in the history over the same days is not counted twice
    broken = ((MADE, date(2026, 10, 17)), (date(2026, 10, 24), None))
    assert days_apart(broken, date(2026, 10, 2), date(2026, 11, 10), HELD) == 28
    assert days_apart(broken, date(2026, 10, 2), date(2026, 11, 10)) == 7


def test_a_pair_back_from_a_held_absence_is_judged_on_the_days_together_and_says_the_days_apart():
    assert _judge(date(2026, 11, 10), away=()).status == "at_risk"  # 39 days of silence counted whole
    back = _judge(date(2026, 11, 10))
    assert back.status == "ok" and back.days_since_meeting == 39
    later = _judge(date(2026, 12, 1))
    assert later.status == "watch"
    assert [r.text for r in later.reasons if r.code == "no_meeting"] == [
        "no meeting for 60 days, 28 of them apart (expected every 14)"]


def test_the_first_meeting_grace_does_not_run_out_while_the_mentee_is_away():
    assert _judge(date(2026, 11, 5), away=(), meetings=()).status == "at_risk"  # 35 days since pairing
    judged = _judge(date(2026, 11, 5), meetings=())
    assert judged.status == "ok" and judged.in_grace
    due = _judge(date(2026, 11, 20), meetings=())  # 50 days, 28 of them apart: 22 together, past the grace
    assert due.status == "at_risk" and "no meeting since pairing 50 days ago, 28 of them apart" in due.reasons[0].text
