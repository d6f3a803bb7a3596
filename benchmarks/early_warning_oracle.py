"""The ceiling of early warning on the simulated programme: a detector that knows the model.

Benchmark code only (``python benchmarks/early_warning.py --oracle``), never product code. It
answers one question: on *the evidence the rules see* (meetings: day, attended or missed,
minutes, rating and the side that gave it; each side's satisfaction per wave; the gap since
the last logged meeting), how well could any detector do at 5% false alarms? If this oracle
misses the issue-13 aims, no rule can meet them on this evidence.

The oracle knows ``early_warning.simulate_pair``'s generating model for every kind of pair
(restated in ``_regime`` and ``_fall``: interval, minutes, rating shift and miss rate as the
pair fades; the satisfaction fall per side) and the kinds' shares, but not a pair's kind,
onset or fade length. Each week it computes the posterior log-odds (a Bayes-mixture
sequential likelihood-ratio test, the Shiryaev-Roberts form of CUSUM/SPRT for an unknown
change point; Shiryaev 1963, Pollak 1985) of

* H1: "fading" (fading then silent, mentor-side only, hi-bye), mixed over the onset week
  (uniform over the kind's prior range) and a small grid of fade lengths, against
* H0: "healthy, or one bad month" (mixed over the bad month's onset),

and alarms when the log-odds reach ``h``. ``h`` is set on the calm pairs (healthy and
bad-month) of the same programme so that at most 5% of them are ever flagged: an oracle's
privilege. A pair with no logged meeting 14 days after its start is "never meeting" with
certainty under the model (a pair that meets logs its first meeting by day 14).

Nuisances are integrated out, not known: a pair's usual minutes and usual rating over grids
spanning the model's uniform priors (30-60 minutes, 3.6-4.7 points), the oracle speaking from
the first logged meeting on. A side's starting satisfaction is
integrated out (normal prior, the model's 0.75 and between-person SD). Left out as weak:
self-efficacy and the forum (posts follow meetings). Approximations: the model's clipping
and rounding are ignored (rounding adds its variance), a silence's start is judged at the
as-of day, the nuisance grids are coarse. So this is a near-ceiling: a sharper detector would gain a little, not much.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import numpy as np
from scipy.special import logsumexp, ndtr

from lmsync.domain.health import Thresholds

#: The model's kinds (``early_warning.KINDS``, never-meeting aside) and their prior shares.
PRIOR = {"healthy": 0.46, "bad_month": 0.15, "fading_silent": 0.14, "mentor_side": 0.10, "hi_bye": 0.10}
ALARMING = ("fading_silent", "mentor_side", "hi_bye")
ONSET_WEEKS = {"fading_silent": (6, 30), "mentor_side": (6, 26), "hi_bye": (8, 36), "bad_month": (8, 40)}
FADE_WEEKS = {
    "fading_silent": (8.0, 11.0, 14.0),
    "mentor_side": (10.0, 14.0, 18.0),
    "hi_bye": (5.0,),
    "bad_month": (4.0,),
}
CADENCE = 14
FALSE_ALARM_AIM = 0.05
#: Grids the pair's usual minutes and rating are integrated over (the model draws them uniformly).
BASE_MINUTES = tuple(31.25 + 2.5 * i for i in range(12))
BASE_RATING = tuple(3.71 + 0.22 * i for i in range(5))
COMPONENTS = ("minutes", "ratings_mentor", "ratings_mentee", "misses", "rhythm", "satisfaction")


@dataclass(frozen=True)
class Scenarios:
    """The mixture's rows: kind, onset (days after the start), fade weeks, log prior weight."""

    kind: tuple[str, ...]
    tau: np.ndarray
    fw: np.ndarray
    logw: np.ndarray
    alarming: np.ndarray  # bool per row: H1

    @classmethod
    def build(cls) -> Scenarios:
        kind: list[str] = ["healthy"]
        tau, fw, logw = [1e9], [1.0], [math.log(PRIOR["healthy"])]
        for k, (lo, hi) in ONSET_WEEKS.items():
            grid = [(7.0 * w, f) for w in range(lo, hi + 1) for f in FADE_WEEKS[k]]
            for t0, f in grid:
                kind.append(k)
                tau.append(t0)
                fw.append(f)
                logw.append(math.log(PRIOR[k] / len(grid)))
        return cls(
            tuple(kind), np.array(tau), np.array(fw), np.array(logw), np.array([k in ALARMING for k in kind])
        )


def _regime(sc: Scenarios, days: np.ndarray, mentor: np.ndarray) -> tuple[np.ndarray, ...]:
    """(interval factor, mean minutes, mean rating, miss probability) on ``days``: the first and
    last [rows, days], the means [rows, usual-value grid, days] (``BASE_MINUTES``, ``BASE_RATING``)."""
    tau, fw = sc.tau[:, None], sc.fw[:, None]
    b_min = np.array(BASE_MINUTES)[None, :, None]
    b_rat = np.array(BASE_RATING)[None, :, None]
    kind = np.array(sc.kind)[:, None]
    p = np.clip((days[None, :] - tau) / (7 * fw), 0.0, 1.0)
    lapse = days[None, :] >= tau + 7 * fw
    bad = (kind == "bad_month") & (days[None, :] >= tau) & (days[None, :] < tau + 28)
    fade, side, hib = kind == "fading_silent", kind == "mentor_side", kind == "hi_bye"
    interval = np.where(bad, 1.2, 1.0)
    interval = np.where(fade & lapse, 1.6, np.where(side & lapse, 1.5, interval))
    minf = np.where(bad, 0.7, 1.0)
    minf = np.where(fade, np.where(lapse, 0.45, 1 - 0.5 * p), minf)
    minf = np.where(side, np.where(lapse, 0.8, 1 - 0.2 * p), minf)
    mu_min = np.where(hib[:, :, None], b_min - (b_min - 12) * p[:, None, :], b_min * minf[:, None, :])
    shift = np.where(bad, -0.8, 0.0)
    shift = np.where(fade, np.where(lapse, -1.6, -1.5 * p), shift)
    shift = np.where(side & mentor[None, :], np.where(lapse, -1.2, -1.2 * p), shift)
    mu_rat = np.where(hib[:, :, None], b_rat + (2.3 - b_rat) * p[:, None, :], b_rat + shift[:, None, :])
    miss = np.where(bad, 0.25, 0.04)
    miss = np.where(fade, np.where(lapse, 0.4, 0.04 + 0.08 * p), miss)
    miss = np.where(side, np.where(lapse, 0.5, 0.04 + 0.1 * p), miss)
    return interval, mu_min, mu_rat, miss


def _fall(sc: Scenarios, side: str, days: np.ndarray) -> np.ndarray:
    """The true satisfaction fall of ``side`` on ``days`` under each row, [rows, days]."""
    tau, fw = sc.tau[:, None], sc.fw[:, None]
    kind = np.array(sc.kind)[:, None]
    p = np.clip((days[None, :] - tau) / (7 * fw), 0.0, 1.0)
    out = np.where(kind == "fading_silent", 0.3 * p, 0.0)
    if side == "mentor":
        out = np.where(kind == "mentor_side", 0.38 * np.clip((days[None, :] - tau) / 56, 0.0, 1.0), out)
    out = np.where(kind == "hi_bye", 0.12 * p, out)
    in_dip = (days[None, :] >= tau) & (days[None, :] < tau + 56)
    return np.where((kind == "bad_month") & in_dip, 0.1, out)


def _log(x: np.ndarray) -> np.ndarray:
    return np.log(np.maximum(x, 1e-300))


def _survival(interval: np.ndarray, gap: np.ndarray) -> np.ndarray:
    """P(the next meeting comes more than ``gap`` days after an attended one): step ~ 14 x
    interval + N(0, 2), plus 4-10 days in 8% of cases (the model's slip)."""
    mean = CADENCE * interval
    s = 0.92 * (1 - ndtr((gap + 0.5 - mean) / 2))
    for k in range(4, 11):
        s = s + 0.08 / 7 * (1 - ndtr((gap + 0.5 - k - mean) / 2))
    return s


def _step_density(interval: np.ndarray, step: np.ndarray) -> np.ndarray:
    mean = CADENCE * interval
    phi = np.exp(-0.5 * ((step - mean) / 2) ** 2) / (2 * math.sqrt(2 * math.pi))
    d = 0.92 * phi
    for k in range(4, 11):
        d = d + 0.08 / 7 * np.exp(-0.5 * ((step - k - mean) / 2) ** 2) / (2 * math.sqrt(2 * math.pi))
    return d


def trajectory(
    pair: Any, sc: Scenarios, t: Thresholds, *, until: date
) -> tuple[list[date], np.ndarray, dict[str, np.ndarray]]:
    """The weekly as-of days (as the rules are run: the start + 7, + 14, ... while the week
    before is at most ``until``), the posterior log-odds of H1 on each, and each evidence
    component's log-likelihood [rows, weeks] (for ``explain``)."""
    ev = pair.evidence
    start: date = ev.paired_since
    weeks: list[date] = []
    day = start
    while day <= until:
        day += timedelta(days=7)
        weeks.append(day)
    wd = np.array([(w - start).days for w in weeks], dtype=float)
    ms = sorted(ev.meetings, key=lambda m: m.date)
    if not ms:
        return weeks, np.where(wd >= 14, np.inf, -np.inf), {}
    d = np.array([(m.date - start).days for m in ms], dtype=float)
    att = np.array([m.attended for m in ms])
    mins = np.array([m.minutes for m in ms], dtype=float)
    rat = np.array([m.rating if m.rating is not None else 0 for m in ms], dtype=float)
    mentor = np.array([m.rated_by == "mentor" for m in ms])
    speaks = d[0]
    interval, mu_min, mu_rat, miss = _regime(sc, d, mentor)
    rows = len(sc.kind)
    sd = 0.2 * mu_min
    c_min = np.where(att, -0.5 * ((mins - mu_min) / sd) ** 2 - np.log(sd), 0.0)
    lo = np.where(rat <= 1, -np.inf, (rat - 0.5 - mu_rat) / 0.6)
    hi = np.where(rat >= 5, np.inf, (rat + 0.5 - mu_rat) / 0.6)
    rated = att & (rat > 0)
    c_rat = np.where(rated, _log(ndtr(hi) - ndtr(lo)), 0.0)  # [rows, grid, meetings]
    c_miss = np.where(att, _log(1 - miss), _log(miss))
    c_step = np.zeros((rows, len(ms)))
    if len(ms) > 1:
        after_att = att[:-1]
        c_step[:, 1:] = np.where(after_att, _log(_step_density(interval[:, :-1], np.diff(d))), 0.0)
    n = np.searchsorted(d, wd, side="right")  # meetings known on each as-of day

    def cum(c: np.ndarray) -> np.ndarray:
        """Cumulative over the meetings known on each as-of day: [..., meetings] -> [..., weeks]."""
        zero = np.zeros((*c.shape[:-1], 1))
        return np.concatenate([zero, np.cumsum(c, axis=-1)], axis=-1)[..., n]

    # the usual minutes and rating integrated out over their grids (uniform priors)
    by_side = cum(np.where(mentor, c_rat, 0.0)), cum(np.where(mentor, 0.0, c_rat))
    ratings = logsumexp(by_side[0] + by_side[1], axis=1) - math.log(len(BASE_RATING))
    likeliest = np.argmax(by_side[0] + by_side[1], axis=1)[:, None, :]
    of_mentor = np.take_along_axis(by_side[0], likeliest, axis=1)[:, 0, :]
    comps = {
        "minutes": logsumexp(cum(c_min), axis=1) - math.log(len(BASE_MINUTES)),
        "ratings_mentor": of_mentor,  # the mentor's share at the likeliest usual rating
        "ratings_mentee": ratings - of_mentor,
        "misses": cum(c_miss),
    }
    j = np.maximum(n - 1, 0)
    gap = wd - d[j]
    surv = np.where(att[j], _survival(interval[:, j], gap), np.clip((10 - gap) / 4, 0, 1))
    fading = np.isin(np.array(sc.kind), ("fading_silent", "mentor_side"))[:, None]
    silent = np.where(
        fading, np.clip((wd[None, :] - sc.tau[:, None] - 7 * sc.fw[:, None] - 21) / 21, 0, 1), 0.0
    )
    comps["rhythm"] = cum(c_step) + _log(silent + (1 - silent) * surv)
    comps["satisfaction"] = _satisfaction(ev.satisfaction, start, sc, t, wd)
    total = sum(comps.values())
    assert isinstance(total, np.ndarray)
    weighted = total + sc.logw[:, None]
    odds = logsumexp(weighted[sc.alarming], axis=0) - logsumexp(weighted[~sc.alarming], axis=0)
    return weeks, np.where(wd >= speaks, odds, -np.inf), comps


def _satisfaction(
    points: Sequence[Any], start: date, sc: Scenarios, t: Thresholds, wd: np.ndarray
) -> np.ndarray:
    """Each side's waves, its starting level integrated out: the log-density of the residuals
    ``r = y - 0.75 + fall`` under ``N(0, s2 I + v 11')`` up to a constant, [rows, weeks]."""
    err2 = (t.satisfaction_sd**2) * (1 - t.satisfaction_reliability)
    v = t.satisfaction_sd**2 - err2
    s2 = err2 + 0.03**2 + 0.05**2 / 12
    out = np.zeros((len(sc.kind), len(wd)))
    for side in ("mentee", "mentor"):
        pts = sorted((p for p in points if p.side == side and p.level is not None), key=lambda p: p.date)
        if not pts:
            continue
        days = np.array([(p.date - start).days for p in pts], dtype=float)
        r = np.array([p.level for p in pts])[None, :] - 0.75 + _fall(sc, side, days)
        k = np.searchsorted(days, wd, side="right")
        s1 = np.concatenate([np.zeros((len(sc.kind), 1)), np.cumsum(r, axis=1)], axis=1)[:, k]
        sq = np.concatenate([np.zeros((len(sc.kind), 1)), np.cumsum(r**2, axis=1)], axis=1)[:, k]
        out += -(sq - v * s1**2 / (s2 + k * v)) / (2 * s2)
    return out


def calibrate(peaks: Sequence[float], aim: float = FALSE_ALARM_AIM) -> float:
    """The least threshold ``h`` at which at most ``aim`` of the calm pairs' ``peaks`` (each
    pair's highest log-odds) reach ``h`` (an alarm is log-odds >= h)."""
    ranked = sorted(peaks, reverse=True)
    allowed = math.floor(aim * len(ranked) + 1e-9)
    if allowed >= len(ranked):
        return -math.inf
    return float(np.nextafter(ranked[allowed], math.inf))


def first_crossing(weeks: Sequence[date], odds: np.ndarray, h: float) -> date | None:
    """The first as-of day whose log-odds reach ``h``; ``None``: never."""
    hits = np.flatnonzero(odds >= h)
    return weeks[int(hits[0])] if len(hits) else None


def explain(odds: np.ndarray, comps: dict[str, np.ndarray], sc: Scenarios, week: int) -> dict[str, float]:
    """Which evidence carried the alarm on ``week``: each component's log-likelihood under the
    likeliest H1 row minus under the likeliest H0 row (nats; they sum to that pair of rows' log-ratio)."""
    if not comps or not math.isfinite(float(odds[week])):
        return {}
    total = sum(c[:, week] for c in comps.values()) + sc.logw
    idx = np.arange(len(sc.kind))
    one = idx[sc.alarming][np.argmax(total[sc.alarming])]
    zero = idx[~sc.alarming][np.argmax(total[~sc.alarming])]
    return {name: float(c[one, week] - c[zero, week]) for name, c in comps.items()}


def run(
    pairs: Sequence[Any], t: Thresholds, horizon: Any, score: Any, product: Sequence[date | None]
) -> tuple[Any, float, list[str]]:
    """The oracle on ``pairs``: its figures (``score``, the benchmark's own scoring, alarms
    within ``horizon(pair)``), its threshold ``h``, and per kind what it saw in the pairs it
    caught in time that the rules (their first alarms, ``product``) did not."""
    sc = Scenarios.build()
    runs = [trajectory(p, sc, t, until=horizon(p)) for p in pairs]
    calm = [
        float(np.max(odds)) if len(odds) else -math.inf
        for p, (_, odds, _) in zip(pairs, runs, strict=True)
        if p.kind in ("healthy", "bad_month")
    ]
    h = calibrate(calm)
    alarms = [first_crossing(weeks, odds, h) for weeks, odds, _ in runs]
    figures = score(pairs, alarms)
    lines = []
    for kind in ALARMING:
        seen: dict[str, list[float]] = {c: [] for c in COMPONENTS}
        count = 0
        for p, (weeks, odds, comps), mine, theirs in zip(pairs, runs, alarms, product, strict=True):
            if p.kind != kind or mine is None or (p.onset is not None and mine < p.onset):
                continue
            if theirs is not None and theirs <= mine and (p.onset is None or theirs >= p.onset):
                continue  # the rules saw it as early (an alarm before the onset is a miss, as in scoring)
            count += 1
            for name, value in explain(odds, comps, sc, weeks.index(mine)).items():
                seen[name].append(value)
        means = ", ".join(f"{c} {np.mean(v):+.1f}" for c, v in seen.items() if v)
        lines.append(
            f"  {kind}: {count} pairs flagged earlier by the oracle than by the rules (or only by it); mean log-LR by evidence: {means}"
        )
    return figures, h, lines
