"""Programme evaluation statistics (issue 14): paired change between survey waves, and summaries.

The seed authors measured relationship satisfaction on both sides and self-efficacy, then
analysed the waves by hand. This module does that analysis with ``scipy.stats`` (no
hand-written distributions):

- ``paired_change(before, after)``: per respondent the difference ``after - before``; its
  mean, sample standard deviation, the 95% confidence interval of the mean (Student's t,
  ``scipy.stats.t.interval``), Cohen's ``d_z`` (mean difference / SD of the differences) and
  the Wilcoxon signed-rank test (``scipy.stats.wilcoxon``, two-sided, zero differences
  dropped as in Wilcoxon's original method; exact or normal approximation, ``wilcoxon_method``);
- ``describe(values)``: n, mean, SD and the 95% CI of one wave's scores;
- ``response_rate(answered, expected)``.

Pure: numbers in, frozen dataclasses out; nothing about people, Moodle or storage.
A statistic that cannot be computed (too few values, no spread) is ``None``, never NaN.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import stats

#: Confidence level of every interval in the report.
CONFIDENCE = 0.95


@dataclass(frozen=True)
class Summary:
    """One group's scores: ``n`` values, their mean and sample SD, the 95% CI of the mean."""

    n: int
    mean: float | None
    sd: float | None
    ci_low: float | None
    ci_high: float | None


@dataclass(frozen=True)
class PairedChange(Summary):
    """Change from one wave to a later one among respondents who answered both.

    The ``Summary`` fields describe the differences ``after - before`` of the ``n`` respondents:
    ``mean`` (scale units of the instrument's total), ``sd``, and ``ci_low``/``ci_high`` the 95%
    confidence interval of the mean. ``mean_before``/``mean_after`` are the two waves' means,
    ``d_z`` Cohen's effect size for paired data, ``wilcoxon_w``/``wilcoxon_p`` the signed-rank
    statistic and two-sided p-value.
    """

    mean_before: float | None
    mean_after: float | None
    d_z: float | None
    wilcoxon_w: float | None
    wilcoxon_p: float | None


def _finite(value: float) -> float | None:
    value = float(value)
    return value if math.isfinite(value) else None


def _mean_ci(values: np.ndarray) -> tuple[float | None, float | None, float | None, float | None]:
    """(mean, sd, ci_low, ci_high) of ``values``; sd and CI need two values and some spread."""
    n = len(values)
    if n == 0:
        return None, None, None, None
    mean = float(np.mean(values))
    if n < 2:
        return mean, None, None, None
    sd = float(np.std(values, ddof=1))
    if sd == 0:
        return mean, 0.0, mean, mean
    low, high = stats.t.interval(CONFIDENCE, n - 1, loc=mean, scale=stats.sem(values))
    return mean, sd, _finite(low), _finite(high)


def describe(values: Sequence[float] | np.ndarray, bounds: tuple[float, float] | None = None) -> Summary:
    """n, mean, SD (ddof 1) and the 95% t-interval of the mean of ``values``. ``bounds``: the scale's
    range (``Instrument.total_range``); the interval is cut to it, as no mean can lie outside the scale
    (a few answers near its top gave "4.33 to 5.001" on a 1-5 scale; tester round 52, 9)."""
    array = np.asarray(values, dtype=float)
    mean, sd, low, high = _mean_ci(array)
    if bounds is not None:
        low = None if low is None else max(low, bounds[0])
        high = None if high is None else min(high, bounds[1])
    return Summary(len(array), mean, sd, low, high)


def paired_change(before: Sequence[float], after: Sequence[float], bounds: tuple[float, float] | None = None) -> PairedChange:
    """Paired change statistics; ``before[i]`` and ``after[i]`` are one respondent's two scores.

    Raises ValueError when the sequences differ in length. ``d_z`` is ``None`` without spread
    in the differences; the Wilcoxon test is ``None`` when every difference is zero or fewer
    than two differences are non-zero (scipy cannot rank them). ``bounds``: the scale's range; the
    interval of the mean change is cut to what the scale allows, ``±(high - low)`` (tester round 54, 4:
    "-0.76 to 6.09" on a 1-5 scale).
    """
    b = np.asarray(before, dtype=float)
    a = np.asarray(after, dtype=float)
    if b.shape != a.shape:
        raise ValueError(f"paired_change: {len(b)} before values but {len(a)} after values")
    if len(b) == 0:
        return PairedChange(0, None, None, None, None, None, None, None, None, None)
    diff = a - b
    change = describe(diff, None if bounds is None else (bounds[0] - bounds[1], bounds[1] - bounds[0]))
    d_z = change.mean / change.sd if change.mean is not None and change.sd else None
    w = p = None
    if np.count_nonzero(diff) >= 2:
        result = stats.wilcoxon(diff, zero_method="wilcox", alternative="two-sided", method=wilcoxon_method(diff))
        w, p = _finite(result.statistic), _finite(result.pvalue)
    return PairedChange(
        change.n,
        change.mean,
        change.sd,
        change.ci_low,
        change.ci_high,
        mean_before=float(np.mean(b)),
        mean_after=float(np.mean(a)),
        d_z=d_z,
        wilcoxon_w=w,
        wilcoxon_p=p,
    )


def wilcoxon_method(diff: Sequence[float] | np.ndarray) -> str:
    """``exact`` for up to 50 non-zero differences without ties, else ``approx`` (normal, tie-corrected).

    scipy's ``auto`` falls back to a permutation test for small samples with ties, which
    costs half a second per call; a report computes dozens.
    """
    nonzero = np.asarray(diff, dtype=float)
    nonzero = nonzero[nonzero != 0]
    magnitudes = np.abs(nonzero)
    tied = len(np.unique(magnitudes)) < len(magnitudes)
    return "exact" if len(nonzero) <= 50 and not tied and len(nonzero) == len(np.asarray(diff)) else "approx"


def response_rate(answered: int, expected: int) -> float | None:
    """``answered / expected`` as a fraction (0..1); ``None`` when nobody was expected."""
    if expected <= 0:
        return None
    return answered / expected
