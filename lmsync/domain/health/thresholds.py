"""The numbers the health rules read: ``[health]`` plus the agreed cadence (``[meetings] cadence_days``).

Defaults and their sources:

* reliable change (Jacobson & Truax 1991): ``RCI = (x2 - x1) / (SD * sqrt(2) * sqrt(1 - r))``
  with the instrument's between-person SD (as a share of its range, like every level here)
  and its reliability ``r``. ``|RCI| >= 1.96`` is a change beyond measurement noise at the
  95% level. Relationship-satisfaction scales of 4-6 items on 1-5 typically report SD about
  0.7 points (0.18 of the 4-point range) and alpha about 0.85; the General Self-Efficacy
  scale reports SD 5.3 on 10-40 (0.18 of the range) and alpha .76-.90 (Scholz et al. 2002).
  A side's latest wave is compared with the mean of up to ``rci_baseline`` earlier waves, whose
  error shrinks with their number (``SEM * sqrt(1 + 1/k)``; ``k = 1`` is the classic RCI).
* the meeting shift test (``meeting_shift.meetings_shift``): the latest ``recent_meetings``
  against the ``shift_baseline`` before them, log minutes and ratings each as a two-sample z
  with the pair's own spread floored at ``shift_minutes_floor`` / ``shift_rating_floor`` (a
  meeting's length and a 1-5 rating vary that much from one meeting to the next whatever the
  relationship), Stouffer-combined; ratings per side (``Meeting.rated_by``), each side's
  against its own earlier ones, the most fallen Šidák-corrected. ``shift_at_risk = 4`` alarms alone, so it is set far out
  in the tail (about 1% of healthy pairs cross it by chance over a simulated year of weekly
  looks); ``shift_watch = 3`` only marks the pair for a look. A cumulative rule beside it
  (Page's 1954 lower CUSUM of each meeting's fall below the pair's own first meetings, log
  minutes and per-side ratings, self-starting as in Hawkins 1987) was tried for issue 13 and
  not kept. Joined to the shift test, no ``k``/``h`` tried (``k`` 0.5-1.5, ``h`` 3-8, on
  ``benchmarks/early_warning.py`` seeds 13 and 7) added recall (at most +0.7 points) without
  raising false alarms on one of the two seeds; with ``shift_at_risk`` raised to 4.5 in
  exchange, false alarms fell (0.2-0.7 points on all four seeds) and hi-bye rose, but the
  fading pairs' lead fell (the 200-pair guard's fading_silent lead from 5.1 to 4.1 weeks).
* ``rated_low`` (``meeting_level``, tester round 87a, 3): a side's last ``recent_meetings`` ratings
  (at least 3) averaging at most 2 of 5 are a level, not a fall: the shift and trend tests judge a
  side against its own earlier ratings and stop seeing a side that keeps rating at the bottom. At
  risk: on ``benchmarks/early_warning.py`` (2,500 pairs, seeds 13, 7, 101, 2026) it raised no false
  alarm (9.2-9.9% before and after; its healthy pairs rate 3.6-4.7 on average) and recall on seed 7
  only (83.7% to 83.9%): the simulated fading pairs are flagged by their fall first.
* the 0-100 score is 100 minus the weights of the signals that fired; the weights and
  the status cut-offs were tuned on ``benchmarks/early_warning.py``'s simulated programme
  (and checked on four seeds, not one). Watch signs add up to an alarm only across two
  channels of evidence (``status``).
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
    rated_low: float = 2.0  # a side's last recent_meetings (at least 3) ratings at most this on average (1-5): low
    trend_meetings: int = 8  # the window of attended meetings a trend is judged over
    trend_min_meetings: int = 6  # fewer attended meetings in the window: no trend judged
    trend_persist: int = 3  # ... and each of the last this many lies below the window's earlier median
    trend_alpha: float = 0.02  # one-sided Kendall p-value below this: a trend
    trend_min_drop: float = 0.20  # ... and the Theil-Sen line falls by this share of its start: watch
    shift_baseline: int = 8  # earlier attended meetings the recent ones are compared with (shift test)
    shift_min_baseline: int = 4  # fewer earlier meetings: no shift judged
    shift_minutes_floor: float = 0.15  # least spread of log minutes (a meeting's length varies ~15% anyway)
    shift_rating_floor: float = 0.5  # least spread of ratings, points on 1-5 (rounding alone gives 0.3)
    shift_at_risk: float = 4.0  # recent meetings this many standard errors under the earlier ones: at risk
    shift_watch: float = 3.0  # ... this many: watch
    satisfaction_low: float = 0.4  # latest satisfaction below this share of the scale: low
    satisfaction_sd: float = 0.18  # between-person SD of satisfaction, share of the scale
    satisfaction_reliability: float = 0.85  # its reliability (Cronbach's alpha)
    self_efficacy_sd: float = 0.18  # between-person SD of self-efficacy, share of the scale
    self_efficacy_reliability: float = 0.85
    rci_baseline: int = 3  # earlier waves (at most) averaged into a side's satisfaction baseline
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
