"""Matching weights and the load cost share one rule: 0 or more, rounded to the 1/1024 quantum."""

from __future__ import annotations

import pytest

from lmsync.domain.compatibility import QUANTUM, MatchSettings, Weights


def test_a_negative_weight_is_refused_by_name():
    with pytest.raises(ValueError, match=r"matching weight stickiness must be 0 or more, not -1\.0"):
        Weights(stickiness=-1)


def test_a_negative_load_cost_is_refused_by_name():
    with pytest.raises(ValueError, match=r"load_balance must be 0 or more, not -0\.25"):
        MatchSettings(load_balance=-0.25)


def test_weights_and_the_load_cost_are_rounded_to_the_same_quantum():
    third = 1 / 3
    weights = Weights(need=third)
    settings = MatchSettings(load_balance=third)
    assert weights.need == settings.load_balance == round(third / QUANTUM) * QUANTUM
    assert isinstance(Weights(year_gap=2).year_gap, float)  # an int weight is held as a float
    assert Weights(need=0).need == MatchSettings(load_balance=0).load_balance == 0.0
