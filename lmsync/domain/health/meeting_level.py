"""How a side rates the meetings now, whatever it gave before: the level rule (tester round 87a, 3).

The shift and trend tests (``meeting_shift``, ``signals``) judge each side's ratings against that
side's own earlier ones: they see a fall, and once the low ratings are the baseline they see
nothing. A mentee who rates every meeting 1 of 5 for months left the pair "ok, 100", and the
coordinator, who never sees a mentee's ratings one by one, had no other sign. So the level is
judged too: a side whose last ``recent_meetings`` ratings (at least ``MIN_RATINGS`` of its own)
average at most ``rated_low`` is rating the meetings low (``meetings_rated_low_<side>``, at risk).

Each side is judged on its own ratings alone (``Meeting.rated_by``); ratings whose side is not known
are not judged here (a reason must say whose answers raised it, so the other side never sees them:
``status.answered_by``). Registered in ``signals`` between ``hi_bye`` and ``meetings_declining`` (a fall of
the same side's ratings alone is then the same phenomenon: it gives way to this one). It stays beside
``hi_bye``, whose "low-rated" is a looser bar over both sides' ratings and names no side (tester round
114b, 4: short meetings rated 1 by the mentee read only "at most 3.5 on average"); both read the
``meetings`` channel, so together they are one kind of evidence, never ``several_signals`` by themselves.
"""

from __future__ import annotations

from collections.abc import Sequence
from statistics import fmean

from lmsync.domain.health.registry import Context, Reason
from lmsync.domain.health.thresholds import Thresholds
from lmsync.domain.meetings import Meeting, RatedBy

#: the fewest ratings of one side its level is judged on: one or two low ratings are a bad day
MIN_RATINGS = 3


def low_sides(attended: Sequence[Meeting], t: Thresholds) -> list[RatedBy]:
    """The sides (mentee first) whose last ``max(recent_meetings, MIN_RATINGS)`` ratings of ``attended``
    meetings average at most ``t.rated_low``."""
    n = max(t.recent_meetings, MIN_RATINGS)
    out: list[RatedBy] = []
    sides: tuple[RatedBy, ...] = ("mentee", "mentor")
    for side in sides:
        ratings = [m.rating for m in attended if m.rating is not None and m.rated_by == side][-n:]
        if len(ratings) == n and fmean(ratings) <= t.rated_low:
            out.append(side)
    return out


def rated_low(ctx: Context) -> list[Reason]:
    """``meetings_rated_low_<side>`` for each side rating the recent meetings low. The text says whose
    ratings and the bar, never their mean: a pair's mean is a rating (tester round 30, 6)."""
    n = max(ctx.t.recent_meetings, MIN_RATINGS)
    return [
        ctx.reason(
            "at_risk",
            f"meetings_rated_low_{side}",
            f"meetings rated low by the {side} (their last {n} ratings at most {ctx.t.rated_low:g} on average)",
        )
        for side in low_sides(ctx.attended, ctx.t)
    ]
