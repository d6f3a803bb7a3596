"""Issue 13 acceptance, small: benchmarks/early_warning.py on 200 simulated pairs (seeded).

The full benchmark (2,500 pairs) prints the figures; here the same simulation guards them:
``test_issue_13_early_warning_does_not_regress`` fails if a change to the rules loses
recall, hi-bye detection or lead, or raises false alarms, below what the rules reach
today. The issue's aims are not all met yet (see the benchmark's output):
``test_issue_13_aims`` is a strict expected failure, so the day the rules meet them it
turns red and must be promoted to a plain test.
"""

from __future__ import annotations

import importlib.util
import sys
from datetime import timedelta
from pathlib import Path

import pytest

from lmsync.domain.health import PairEvidence, Thresholds
from lmsync.domain.meetings import Meeting

ROOT = Path(__file__).resolve().parents[3]


def _benchmark():
    spec = importlib.util.spec_from_file_location("early_warning", ROOT / "benchmarks" / "early_warning.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("early_warning", module)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def figures():
    ew = _benchmark()
    t = Thresholds()
    return ew.evaluate(ew.simulate(200, 13, t), t)


def test_issue_13_the_simulation_tells_the_rules_which_side_logged_each_meeting():
    """The store knows who logged a meeting (revision 0004), so the simulated evidence carries it:
    about half of each pair's meetings by each side, as the simulation draws them."""
    ew = _benchmark()
    meetings = [m for p in ew.simulate(100, 13, Thresholds()) for m in p.evidence.meetings]
    sides = [m.rated_by for m in meetings]
    assert set(sides) == {"mentor", "mentee"}
    assert 0.45 < sides.count("mentor") / len(sides) < 0.55


def test_issue_13_the_simulation_holds_every_kind_of_pair(figures):
    assert figures.pairs == 200
    assert set(figures.kinds) == {
        "healthy",
        "fading_silent",
        "hi_bye",
        "never_meeting",
        "bad_month",
        "mentor_side",
    }


def test_issue_13_early_warning_does_not_regress(figures):
    # 200 pairs (28 fading_silent): the per-kind lead moves by half a week with one pair; the full
    # benchmark (2,500 pairs, four seeds) is the measure, this guards against a real regression
    assert figures.recall >= 0.87
    assert figures.recall_by_kind["never_meeting"] == 1.0
    assert figures.hi_bye >= 0.90
    assert figures.false_alarms <= 0.10
    assert figures.false_by_kind["healthy"] <= 0.05
    assert figures.median_lead_weeks >= 5.0
    assert figures.lead_by_kind["fading_silent"] >= 5.0


def _sim_pair(ew, days: list[int], onset_day: int):
    start = ew.START
    meetings = tuple(Meeting(start + timedelta(days=d), 1, 2, 45, True, "feedback", 4) for d in days)
    evidence = PairEvidence(1, 2, start, meetings)
    return ew.SimPair("fading_silent", evidence, start + timedelta(days=onset_day))


def test_issue_13_the_silence_rule_is_judged_on_the_fading_not_on_a_healthy_slip():
    """A 35-day gap in the healthy months (days 14 -> 49) is the naive rule's false alarm; the
    day it catches the fading (onset day 100) is 30 days after the last meeting before silence."""
    ew = _benchmark()
    pair = _sim_pair(ew, [14, 49, 63, 77, 91, 105, 119], onset_day=100)
    assert pair.silence_fires == ew.START + timedelta(days=119 + 30)
    no_slip = _sim_pair(ew, [14, 28, 63, 77], onset_day=30)  # the 35-day gap spans the onset: it counts
    assert no_slip.silence_fires == ew.START + timedelta(days=28 + 30)


def test_issue_13_an_alarm_before_the_onset_is_no_detection_of_the_fading():
    """A pair that never met in its first 60 days is flagged then (no first meeting); its fading
    from day 150 on is not 'seen' by that alarm, whatever its lead would have been."""
    ew = _benchmark()
    pair = _sim_pair(ew, [60, 74, 88, 102, 116, 130, 144, 158], onset_day=150)
    figures = ew.evaluate([pair], Thresholds())
    assert figures.fading_early == 1
    assert figures.recall_by_kind["fading_silent"] == 0.0


@pytest.mark.xfail(
    strict=True,
    reason="issue 13 aims not met (seeds 13 7 101 2026, each side's ratings judged on their own): on "
    "2,500 pairs recall 83.9-85.5% (mentor-side only 68-73%), false alarms 9.2-9.9% (healthy 5.6-6.0%, "
    "a recovering bad month 19.5-22.4%), lead 5.0-5.9 weeks; hi-bye 89.2-94.0% (seeds 101, 2026 under 90%). "
    "The ceiling (--oracle: a sequential likelihood-ratio test that knows the simulation's model, at 5% false "
    "alarms) reaches recall 93.7-95.7% (95% only on seed 2026; mentor-side only 88-91%), hi-bye 98.4-99.2%, "
    "lead 6.6-6.7 weeks: the recall aim sits at the ceiling of this evidence. A cumulative rule (Page's CUSUM on "
    "each pair's own minutes and ratings) was tried and not kept: joined to the shift test it added at most 0.7 "
    "points of recall and never without more false alarms on seed 13 or 7 (see thresholds.py)",
)
def test_issue_13_aims(figures):
    assert figures.meets_aims()
