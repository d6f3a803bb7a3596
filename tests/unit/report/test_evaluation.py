"""Issue 14, programme evaluation: the statistics against values computed independently here."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from lmsync.domain.evaluation import describe, paired_change, response_rate, wilcoxon_method

RNG = np.random.default_rng(14)


def by_hand(before, after):
    d = np.asarray(after, float) - np.asarray(before, float)
    n = len(d)
    mean = d.sum() / n
    sd = np.sqrt(((d - mean) ** 2).sum() / (n - 1))
    half = stats.t.ppf(0.975, n - 1) * sd / np.sqrt(n)
    return n, mean, sd, mean - half, mean + half, mean / sd


@pytest.mark.parametrize("n", [8, 30, 400])
def test_issue_14_paired_change_mean_ci_and_dz_match_the_textbook_formulas(n):
    before = RNG.normal(25, 4, n).round(1)
    after = before + RNG.normal(1.2, 3, n).round(1)
    c = paired_change(before, after)
    hn, mean, sd, low, high, dz = by_hand(before, after)
    assert c.n == hn
    assert c.mean == pytest.approx(mean) and c.sd == pytest.approx(sd)
    assert (c.ci_low, c.ci_high) == (pytest.approx(low), pytest.approx(high))
    assert c.d_z == pytest.approx(dz)
    assert c.mean_before == pytest.approx(before.mean()) and c.mean_after == pytest.approx(after.mean())


@pytest.mark.parametrize("n", [10, 40, 300])
def test_issue_14_wilcoxon_matches_scipy_on_the_differences(n):
    before = RNG.integers(10, 40, n).astype(float)
    after = before + RNG.integers(-3, 6, n)
    c = paired_change(before, after)
    d = after - before
    expected = stats.wilcoxon(d[d != 0], method=wilcoxon_method(d[d != 0]) if np.all(d) else "approx")
    assert c.wilcoxon_w == pytest.approx(expected.statistic)
    assert c.wilcoxon_p == pytest.approx(expected.pvalue)


def test_issue_14_a_clear_improvement_is_significant_and_no_change_is_not():
    before = np.arange(1.0, 31.0)
    assert paired_change(before, before + 2 + RNG.normal(0, 0.5, 30)).wilcoxon_p < 0.001
    flat = paired_change(before, before)
    assert flat.mean == 0 and flat.wilcoxon_p is None and flat.d_z is None


def test_issue_14_too_few_values_give_none_not_nan():
    assert paired_change([], []).n == 0 and paired_change([], []).mean is None
    one = paired_change([3.0], [4.0])
    assert one.mean == 1.0 and one.ci_low is None and one.sd is None
    with pytest.raises(ValueError):
        paired_change([1.0, 2.0], [1.0])


def test_issue_14_describe_and_response_rate():
    values = RNG.normal(4, 0.5, 50)
    s = describe(values)
    half = stats.t.ppf(0.975, 49) * values.std(ddof=1) / np.sqrt(50)
    assert s.n == 50 and s.mean == pytest.approx(values.mean())
    assert s.ci_low == pytest.approx(values.mean() - half) and s.ci_high == pytest.approx(values.mean() + half)
    assert response_rate(3, 4) == 0.75 and response_rate(0, 0) is None


def test_round_52_9_a_confidence_interval_stays_inside_the_scale():
    """Answers near the top of a 1-5 scale gave ci_high 5.001: no mean can be above 5."""
    open_ended = describe([5, 5, 5, 4.9, 5, 4.95])
    assert open_ended.ci_high is not None and open_ended.ci_high > 5
    bounded = describe([5, 5, 5, 4.9, 5, 4.95], (1.0, 5.0))
    assert bounded.ci_high == 5.0 and bounded.ci_low == open_ended.ci_low and bounded.mean == open_ended.mean
    low = describe([1, 1.2, 1, 1], (1.0, 5.0))
    assert low.ci_low == 1.0 and low.ci_high is not None and low.ci_high < 5


def test_round_54_4_a_change_interval_stays_within_what_the_scale_allows():
    """Five of six went from 1 to 5 and one from 5 to 1: "-0.76 to 6.09" on a 1-5 scale, where no change exceeds 4."""
    before, after = [1, 1, 1, 1, 1, 5], [5, 5, 5, 5, 5, 1]
    open_ended = paired_change(before, after)
    assert open_ended.ci_high is not None and open_ended.ci_high > 4
    bounded = paired_change(before, after, (1.0, 5.0))
    assert bounded.ci_high == 4.0 and bounded.ci_low == open_ended.ci_low and bounded.mean == open_ended.mean
