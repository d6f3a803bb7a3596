"""Is a series falling? A Mann-Kendall test (Kendall's tau against time) and a Theil-Sen line;
has it shifted down from its own earlier level? A two-sample shift test (``shift``).

One short meeting is not a trend: a fall counts when the order of the values is
significantly decreasing in time (``scipy.stats.kendalltau`` with ``alternative="less"``:
the one-sided Mann-Kendall test, ties handled by tau-b) AND the robust Theil-Sen line
(``scipy.stats.theilslopes``, median of pairwise slopes) falls by at least ``min_drop``
across the window (absolute, or as a share of the line's start value). The first guards
against noise, the second against significant but trivial declines.

A cheap pre-filter keeps scipy off healthy pairs (2,500 pairs in well under a second): a
window whose later half does not average at least half of ``min_drop`` below its earlier
half cannot hold such a fall in any practical series, and is not tested.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Fall:
    """A significant fall: ``start`` and ``end`` of the Theil-Sen line over the window (the
    series' units), its ``slope`` per x unit, and the one-sided Mann-Kendall ``p``."""

    start: float
    end: float
    slope: float
    p: float

    @property
    def drop(self) -> float:
        return self.start - self.end

    @property
    def share(self) -> float:
        """The drop as a share of the start (0 when the start is not positive)."""
        return self.drop / self.start if self.start > 0 else 0.0


def falling(
    xs: Sequence[float],
    ys: Sequence[float],
    *,
    alpha: float,
    min_drop: float,
    relative: bool,
    persist: int = 0,
) -> Fall | None:
    """A significant fall of ``ys`` along ``xs`` (e.g. minutes against days), or ``None``.

    ``min_drop`` is a share of the line's start when ``relative``, else in ``ys``' units.
    With ``persist``, each of the last ``persist`` values must also lie below the median of
    the ones before them: a fall that has lasted, not one low value at the end of a window.
    Needs at least 4 points; equal ``xs`` are allowed (Theil-Sen skips their pairs).
    """
    n = len(ys)
    if n < 4 or len(xs) != n:
        return None
    half = n // 2
    early = math.fsum(ys[:half]) / half
    late = math.fsum(ys[n - half :]) / half
    needed = min_drop * early if relative else min_drop
    if early - late < needed / 2:
        return None
    if xs[-1] == xs[0]:
        return None
    if persist:
        typical = statistics.median(ys[:-persist])
        if any(y >= typical for y in ys[-persist:]):
            return None
    # here, not at import: lmsync starts without scipy (issue 15)
    from scipy.stats import kendalltau, theilslopes

    # scipy's public wrappers add array and NaN-policy handling (about 300 us a call) that short
    # clean lists never need; ``__wrapped__`` (functools.wraps) is the same statistic underneath.
    kendalltau = getattr(kendalltau, "__wrapped__", kendalltau)
    theilslopes = getattr(theilslopes, "__wrapped__", theilslopes)
    tau = kendalltau(xs, ys, alternative="less")
    p = float(tau.pvalue)
    if math.isnan(p) or p >= alpha:
        return None
    slope, intercept, _, _ = theilslopes(ys, xs)
    start = float(intercept + slope * xs[0])
    end = float(intercept + slope * xs[-1])
    fall = Fall(start, end, float(slope), p)
    if (fall.share if relative else fall.drop) < min_drop - 1e-9:
        return None
    return fall


def shift(before: Sequence[float], after: Sequence[float], *, floor: float) -> float | None:
    """How far the mean of ``after`` sits from the mean of ``before``, in standard errors (a
    Welch-type two-sample z; negative: lower now). ``None`` with fewer than two ``before``
    values or no ``after`` value.

    The spread is the ``before`` values' own SD (the pair's usual meeting-to-meeting
    variation), never below ``floor``: with a handful of earlier values the sample SD can be
    near zero by chance, and a measurement never varies less than its known noise (the same
    idea as the standard error of measurement in a reliable change index). The ``after``
    values' spread is not used: a pair in trouble may vary differently, and that is no
    reason to trust the fall less. Source: the two-sample z/Welch statistic
    ``(mean_a - mean_b) / (s * sqrt(1/n_a + 1/n_b))`` (e.g. Montgomery, *Introduction to
    Statistical Quality Control*, "a shift in the process mean").
    """
    n = len(before)
    if n < 2 or not after:
        return None
    mean = math.fsum(before) / n
    spread = max(math.sqrt(math.fsum((x - mean) ** 2 for x in before) / (n - 1)), floor)
    return (math.fsum(after) / len(after) - mean) / (spread * math.sqrt(1.0 / len(after) + 1.0 / n))
