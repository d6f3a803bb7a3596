"""The early-warning oracle's scoring (benchmarks/early_warning_oracle.py, benchmark code): its
threshold keeps false alarms at the aim, its alarm is the first week over it, a never-meeting
pair is certain after 14 days, and it tells a clear fading from a healthy pair."""

from __future__ import annotations

import importlib.util
import math
import sys
from datetime import timedelta
from pathlib import Path

import numpy as np
import pytest

from lmsync.domain.health import PairEvidence, Thresholds
from lmsync.domain.meetings import Meeting

ROOT = Path(__file__).resolve().parents[3]


def _load(name: str):
    spec = importlib.util.spec_from_file_location(name, ROOT / "benchmarks" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault(name, module)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def oracle():
    return _load("early_warning_oracle")


@pytest.fixture(scope="module")
def ew():
    return _load("early_warning")


def test_the_threshold_lets_at_most_the_aim_of_calm_pairs_reach_it(oracle):
    peaks = [float(x) for x in range(100)]  # 100 calm pairs, peaks 0..99
    h = oracle.calibrate(peaks, 0.05)
    assert sum(p >= h for p in peaks) == 5
    assert sum(p >= oracle.calibrate(peaks, 0.0) for p in peaks) == 0
    assert 94 < h <= 95


def test_the_alarm_is_the_first_week_at_or_over_the_threshold(oracle, ew):
    weeks = [ew.START + timedelta(days=7 * k) for k in range(1, 5)]
    odds = np.array([-np.inf, 1.0, 3.0, 2.0])
    assert oracle.first_crossing(weeks, odds, 2.0) == weeks[2]
    assert oracle.first_crossing(weeks, odds, 3.5) is None


def _pair(ew, kind: str, meetings: tuple[Meeting, ...], onset_day: int | None):
    evidence = PairEvidence(1, 2, ew.START, meetings)
    onset = ew.START + timedelta(days=onset_day) if onset_day is not None else None
    return ew.SimPair(kind, evidence, onset)


def test_a_pair_with_no_meeting_after_14_days_is_certainly_never_meeting(oracle, ew):
    pair = _pair(ew, "never_meeting", (), None)
    weeks, odds, _ = oracle.trajectory(
        pair, oracle.Scenarios.build(), Thresholds(), until=ew.START + timedelta(days=28)
    )
    assert odds[0] == -math.inf and odds[1] == math.inf  # day 7: not yet; day 14: certain


def test_meetings_halving_and_falling_to_poor_ratings_read_as_fading_not_as_healthy(oracle, ew):
    def meeting(day: int, minutes: int, rating: int) -> Meeting:
        return Meeting(
            ew.START + timedelta(days=day), 1, 2, minutes, True, "feedback", rating, rated_by="mentee"
        )

    usual = tuple(meeting(7 + 14 * k, 45, 4) for k in range(10))
    fading = usual + tuple(meeting(147 + 14 * k, 20, 2) for k in range(4))
    steady = usual + tuple(meeting(147 + 14 * k, 45, 4) for k in range(4))
    until = ew.START + timedelta(days=200)
    sc = oracle.Scenarios.build()
    _, fade_odds, comps = oracle.trajectory(
        _pair(ew, "fading_silent", fading, 140), sc, Thresholds(), until=until
    )
    _, calm_odds, _ = oracle.trajectory(_pair(ew, "healthy", steady, None), sc, Thresholds(), until=until)
    assert fade_odds[-1] > 5 > calm_odds.max()
    seen = oracle.explain(fade_odds, comps, sc, len(fade_odds) - 1)
    assert seen["minutes"] > 0 and seen["ratings_mentee"] > 0
