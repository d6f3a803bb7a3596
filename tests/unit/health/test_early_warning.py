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
from pathlib import Path

import pytest

from lmsync.domain.health import Thresholds

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
    assert figures.recall >= 0.85
    assert figures.recall_by_kind["never_meeting"] == 1.0
    assert figures.hi_bye >= 0.90
    assert figures.false_alarms <= 0.10
    assert figures.false_by_kind["healthy"] <= 0.07
    assert figures.median_lead_weeks >= 5.0
    assert figures.lead_by_kind["fading_silent"] >= 6.0


@pytest.mark.xfail(
    strict=True, reason="issue 13 aims not met yet: recall ~86%, false alarms ~10%, lead ~5.4 weeks"
)
def test_issue_13_aims(figures):
    assert figures.meets_aims()
