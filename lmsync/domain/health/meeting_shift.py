"""A pair's recent meetings against its own earlier ones: the shift test and the quality series.

A meeting's 1-5 rating comes from whoever logged it (``Meeting.rated_by``: the mentor or the
mentee), and the two sides rate differently and fall differently: in a pair fading on the
mentor's side only the mentor's ratings drop, and pooled with the mentee's steady ones the fall
is halved. So ratings are judged **per side**, each side's against that side's own earlier
ratings, never against the other side's. Meetings whose side is not known (a CLI entry, an
old file, a row stored before revision 0004) form one group of their own: a pair with no known
sides is judged exactly as when every rating was pooled.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from statistics import NormalDist, fmean, median

from lmsync.domain.health.thresholds import Thresholds
from lmsync.domain.health.trend import shift
from lmsync.domain.meetings import Meeting, RatedBy

_NORMAL = NormalDist()

#: For the words only (never a status): a part of the shift test (minutes, ratings) "fell" when its
#: own z is this far below zero, beyond one standard error of noise. With the combined z at or below
#: ``-shift_watch`` (3), at least one part always is: ``(z1 + z2) / sqrt(2) <= -3`` needs one <= -2.1.
FELL_Z = 1.0


@dataclass(frozen=True)
class Shift:
    """How far recent meetings fell below the pair's earlier ones, in standard errors (``z``,
    negative: worse now), and the side whose ratings fell with them (``None``: the ratings did
    not fall, or whose they are is not known)."""

    z: float
    side: RatedBy | None = None
    minutes: float | None = None  # the minutes' own z (negative: shorter now)
    ratings: float | None = None  # the ratings' own z (``ratings_shift``); None: no ratings compared

    @property
    def fell(self) -> str:
        """What fell, for a reason's text (``fallen``): a part whose own z is at or below ``-FELL_Z``,
        and the ratings whenever a side is named (its reason says that side's ratings fell)."""
        minutes = self.minutes is not None and self.minutes <= -FELL_Z
        return fallen(minutes, self.side is not None or (self.ratings is not None and self.ratings <= -FELL_Z))


def ratings_by_side(meetings: Sequence[Meeting]) -> dict[RatedBy | None, list[float]]:
    """The meetings' ratings grouped by who gave them (``None``: not known), in order."""
    out: dict[RatedBy | None, list[float]] = defaultdict(list)
    for m in meetings:
        if m.rating is not None:
            out[m.rated_by].append(float(m.rating))
    return out


def ratings_shift(before: Sequence[Meeting], recent: Sequence[Meeting], *, floor: float) -> Shift | None:
    """Each side's ratings in ``recent`` against the same side's in ``before``; the side that
    fell furthest, ``None`` when no side has ratings on both sides of the comparison.

    Each side's z is the two-sample z of ``trend.shift`` with one spread for every side: the
    pooled within-side SD of the ``before`` ratings (each about its own side's mean, the
    one-way ANOVA error term), floored at ``floor`` points. A side's own handful of earlier
    ratings would estimate its spread badly; the pooled one uses them all without letting one
    side's level move the other's. With two sides, the sides together (each rating as its
    distance from its own side's earlier mean) are a third candidate: a fall on both sides
    is surest there. Keeping the most fallen of ``k`` candidates would cross any bar more
    often by chance, so its z is Šidák-corrected: its one-sided p-value ``p`` becomes
    ``1 - (1 - p)^k`` (Šidák 1967, JASA 62; conservative for these correlated candidates).
    With one group (no side known) it is the plain two-sample z of the pooled ratings.
    """
    earlier, later = ratings_by_side(before), ratings_by_side(recent)
    sides = sorted(earlier.keys() & later.keys(), key=str)
    usual = {side: fmean(earlier[side]) for side in sides}
    n_before = sum(len(earlier[side]) for side in sides)
    if n_before - len(sides) < 1:
        return None
    squares = math.fsum((x - usual[side]) ** 2 for side in sides for x in earlier[side])
    spread = max(math.sqrt(squares / (n_before - len(sides))), floor)

    def z(groups: Sequence[RatedBy | None]) -> float:
        after = [x - usual[side] for side in groups for x in later[side]]
        n = sum(len(earlier[side]) for side in groups)
        return fmean(after) / (spread * math.sqrt(1.0 / len(after) + 1.0 / n))

    found: list[tuple[float, RatedBy | None]] = [(z([side]), side) for side in sides]
    if len(sides) > 1:
        found.append((z(sides), None))
    best, side = min(found, key=lambda f: f[0])
    if len(found) > 1:
        p = 1.0 - (1.0 - _NORMAL.cdf(best)) ** len(found)
        best = _NORMAL.inv_cdf(min(max(p, 1e-12), 1.0 - 1e-12))
    return Shift(best, side if best < 0 else None)


def pair_shift(attended: Sequence[Meeting], t: Thresholds) -> Shift | None:
    """``meetings_shift`` of a pair's latest ``recent_meetings`` attended meetings (oldest first)
    against the ``shift_baseline`` before them; ``None`` with fewer recent meetings."""
    r, b = t.recent_meetings, t.shift_baseline
    return meetings_shift(attended[-r - b : -r], attended[-r:], t) if len(attended) >= r else None


def meetings_shift(before: Sequence[Meeting], recent: Sequence[Meeting], t: Thresholds) -> Shift | None:
    """How far the ``recent`` meetings fell below the pair's own ``before`` meetings; ``None``
    when there is too little to compare.

    Two measures of one meeting, each tested on its own (``trend.shift``): its length on a
    log scale (a 45-minute pair losing 15 minutes fell as far as a 30-minute pair losing 10),
    spread floored at ``shift_minutes_floor``; and its 1-5 rating, each side's against that
    side's own earlier ratings (``ratings_shift``), floored at ``shift_rating_floor`` points.
    The two z-values are combined with Stouffer's method (``(z1 + z2) / sqrt(2)``; Stouffer et
    al. 1949, Whitlock 2005), so a pair whose meetings are both shorter and worse-rated is surer
    than one that is only shorter, and a single measure's noise cannot alarm alone.
    """
    if len(before) < t.shift_min_baseline or not recent:
        return None
    z_minutes = shift(
        [math.log(max(1, m.minutes)) for m in before],
        [math.log(max(1, m.minutes)) for m in recent],
        floor=t.shift_minutes_floor,
    )
    if z_minutes is None:
        return None
    rating = ratings_shift(before, recent, floor=t.shift_rating_floor)
    if rating is None:
        return Shift(z_minutes, minutes=z_minutes)
    return Shift((z_minutes + rating.z) / math.sqrt(2.0), rating.side, z_minutes, rating.z)


def meeting_quality(window: Sequence[Meeting]) -> list[float]:
    """Each meeting's minutes and rating as shares of the window's usual ones, averaged (minutes
    alone for an unrated meeting): 1.0 is a usual meeting for this pair. A rating is a share of
    the median rating *its side* gave in the window (each side against itself, see the module)."""
    usual_minutes = median(m.minutes for m in window) or 1
    usual_rating = {side: median(values) for side, values in ratings_by_side(window).items()}
    out = []
    for m in window:
        q = m.minutes / usual_minutes
        usual = usual_rating.get(m.rated_by) if m.rating is not None else None
        if m.rating is not None and usual:
            q = (q + m.rating / usual) / 2
        out.append(q)
    return out


def fallen(minutes: bool, ratings: bool) -> str:
    """``shorter``, ``lower-rated``, both joined, or, when neither part fell on its own (only their
    combination did), ``worse (minutes and ratings together)``: a reason names only what fell."""
    if minutes and ratings:
        return "shorter and lower-rated"
    return "shorter" if minutes else "lower-rated" if ratings else "worse (minutes and ratings together)"


def window_fell(window: Sequence[Meeting], min_drop: float) -> str:
    """What fell over ``window`` (``fallen``): the later half's mean minutes, or its ratings (each
    a share of its side's median in the window, as ``meeting_quality`` reads them), at least
    ``min_drop / 2`` below the earlier half's: the halves and the bar ``trend.falling`` first
    asks of the two together (``trend_min_drop``)."""
    half = len(window) // 2
    early, late = window[:half], window[len(window) - half :]
    usual = {side: median(values) for side, values in ratings_by_side(window).items()}

    def shares(meetings: Sequence[Meeting]) -> list[float]:
        return [m.rating / usual[m.rated_by] for m in meetings if m.rating is not None and usual[m.rated_by]]

    def fell(before: Sequence[float], after: Sequence[float]) -> bool:
        return bool(before and after) and fmean(after) <= (1.0 - min_drop / 2) * fmean(before)

    return fallen(fell([m.minutes for m in early], [m.minutes for m in late]), fell(shares(early), shares(late)))
