"""A pair made again after its mentee was paired with another mentor is a new pair (tester round 113, 2).

When a mentor's hold ends (``[sync] away_mentor_hold_days``) their mentees are matched with other mentors; once the
mentor is back, the match may move a mentee back to them. Health counted the pair's days before the move as its
own ("no meeting since pairing 102 days ago, 44 of them apart"): the moved-back pair was fading, and both people
nudged, on the very day of the move, for a silence from before it. A pair whose mentee began a pairing with another
mentor while the pair was apart (on or after the day one of its spans ended, before the next span began) is judged
from the first day of the span after that, as a pair made that day: its first-meeting grace, its silence, and the
meetings and answers that count start then, as after a coordinator's closure (``pair_dates.after_closure``). A pair
back after a break with no other mentor in between keeps its earlier days, the days apart left out
(``pair_dates.days_apart``; tester rounds 52, 2 and 54, 1).

Pure; raises nothing.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import date

Span = tuple[date, date | None]  # (first day, the day it ended, exclusive; None: still open)


def moved_back(spans: Sequence[Span], others: Collection[date], as_of: date) -> tuple[tuple[Span, ...], date | None]:
    """``spans`` (a pair's, oldest first, programme days: ``PairsByDate.spans``) from the latest span that begins on
    or before ``as_of`` after a pairing of the pair's mentee with another mentor began while the pair was apart, and
    that span's first day (the day the pair was made anew); else ``(spans, None)``. ``others``: the first days of the
    mentee's pairings with every other mentor."""
    cut = None
    for (_first, end), (first, _end) in zip(spans, spans[1:], strict=False):
        if end is not None and first <= as_of and any(end <= day < first for day in others):
            cut = first
    if cut is None:
        return tuple(spans), None
    return tuple(span for span in spans if span[0] >= cut), cut
