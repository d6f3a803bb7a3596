"""The numbers the health rules read: ``[health]`` plus the agreed cadence (``[meetings] cadence_days``).

Defaults and their sources:

* reliable change (Jacobson & Truax 1991): ``RCI = (x2 - x1) / (SD * sqrt(2) * sqrt(1 - r))``
  with the instrument's between-person SD (as a share of its range, like every level here)
  and its reliability ``r``. ``|RCI| >= 1.96`` is a change beyond measurement noise at the
  95% level. Relationship-satisfaction scales of 4-6 items on 1-5 typically report SD about
  0.7 points (0.18 of the 4-point range) and alpha about 0.85; the General Self-Efficacy
  scale reports SD 5.3 on 10-40 (0.18 of the range) and alpha .76-.90 (Scholz et al. 2002).
* the 0-100 score is 100 minus the weights of the signals that fired; the weights and
  the status cut-offs were tuned on ``benchmarks/early_warning.py``'s simulated programme.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Thresholds:
    """Every tunable number of the health rules (units in each field's comment)."""

    cadence_days: int = 14  # the agreed time between meetings
    grace_days: int = 21  # days after the start a pair has for its first meeting
    watch_gap_factor: float = 1.75  # no meeting for more than this x cadence: watch
    at_risk_gap_factor: float = 2.5  # ... at risk
    fading_gap_factor: float = 4.0  # ... fading
    recent_meetings: int = 3  # how many of the latest meetings count as "recent"
    missed_watch: int = 2  # missed among the recent meetings: watch (all of them: fading)
    short_minutes: int = 15  # recent attended meetings averaging fewer minutes: short
    shrink_ratio: float = 0.6  # recent mean below this share of the pair's earlier median: shrinking
    min_earlier_meetings: int = 2  # earlier meetings needed before "shrinking" is judged
    hi_bye_rating: float = 3.5  # recent short meetings rated at most this (1-5) on average: hi-bye
    trend_meetings: int = 8  # the window of attended meetings a trend is judged over
    trend_min_meetings: int = 6  # fewer attended meetings in the window: no trend judged
    trend_persist: int = 3  # ... and each of the last this many lies below the window's earlier median
    trend_alpha: float = 0.02  # one-sided Kendall p-value below this: a trend
    trend_min_drop: float = 0.20  # ... and the Theil-Sen line falls by this share of its start: watch
    trend_at_risk_drop: float = 0.30  # ... by this share, with ratings down too: at risk
    rating_fall: float = 0.75  # the latest rated meetings this many points (1-5) under the earlier median
    satisfaction_low: float = 0.4  # latest satisfaction below this share of the scale: low
    satisfaction_sd: float = 0.18  # between-person SD of satisfaction, share of the scale
    satisfaction_reliability: float = 0.85  # its reliability (Cronbach's alpha)
    self_efficacy_sd: float = 0.18  # between-person SD of self-efficacy, share of the scale
    self_efficacy_reliability: float = 0.85
    rci_watch: float = 1.96  # |RCI| at or beyond this: a reliable change (watch)
    rci_at_risk: float = 3.0  # a fall at or beyond this: at risk
    asymmetry_hold: float = 1.0  # the other side "holds" when its RCI is above minus this
    dose_meetings: int = 4  # attended meetings between two self-efficacy waves that count as enough
    forum_quiet_days: int = 56  # a circle that posted before and not for this long: watch
    weight_watch: int = 20  # score points a watch signal costs
    weight_at_risk: int = 40  # ... an at-risk signal
    weight_fading: int = 75  # ... a fading signal
    weight_minor: int = 4  # ... a minor watch signal (survey unanswered, self-efficacy flat, forum quiet)
    at_risk_score: int = 60  # a score at or below this: at risk (two watch signals, or one at-risk)
    fading_score: int = 20  # a score at or below this: fading
