"""The spans of ``lmsync pair show``'s "paired" line and of its JSON ``paired``, from one reading of the pair's history.

The sync ends a mentor's pairs the day it first finds them away (their circle is held meanwhile), and a mentee's
pair the day a sync takes them out of the circle after the hold on their place ran out. ``pair show`` said a pair
ended by a mentor's hold as ended on the hold's last day in its text while its JSON said the day the mentor was found
away, and a pair ended by a mentee's hold as ended the day after its place's last day with no word of the hold
(tester round 112a, 5). Both kinds of hold now end a span on the last day held, said as such, in text and JSON alike
(README: "once the hold has run out, as ended on its last day").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from lmsync.domain.pair_dates import after_closure
from lmsync.domain.pair_moved_back import moved_back
from lmsync.service.pair_history import PairHistory


@dataclass(frozen=True)
class SaidSpan:
    """One span of the pair as ``pair show`` says it: ``start``; ``end``, the day it ended (None while it lasts or
    its mentor's circle is held), the last day held when a hold ran out (``ended_with_hold``: (``"mentor"`` or
    ``"mentee"``, the day a sync first found them away, the last day held)); ``back``: (first day away, the day
    found back) when the mentor was back while their circle was held (the span ends the day they were found away)."""

    start: date
    end: date | None
    ended_with_hold: tuple[str, date, date] | None = None
    back: tuple[date, date] | None = None


def _hold_of(h: PairHistory, end: date) -> tuple[date, date | None, date] | None:
    """The mentor's absence that ended a span on ``end`` (the sync ends a mentor's pairs the day it first finds
    them away): (its first day, the day it was no longer recorded or None, the last day of its hold); None else."""
    return next(((a, b, a + timedelta(days=h.hold_days - 1)) for a, b in h.mentor_away if a == end and h.hold_days),
                None)


def _ran_out(hold: tuple[date, date | None, date]) -> bool:
    """Whether the hold ran out with the mentor away (``_hold_of``): still recorded away after its last day, or no
    longer recorded only from the second day after it (the sync after the last day takes the mentees out while it
    still finds the mentor away; the absence stays recorded until a sync finds them back, however many syncs a day:
    tester round 109a, 2). Back on the first day after: held."""
    return hold[1] is None or hold[1] > hold[2] + timedelta(days=1)


def _place_ran_out(h: PairHistory, start: date, end: date) -> tuple[date, date] | None:
    """(the first day away, the place's last day held) when the span ``start``..``end`` ended because the hold on
    the mentee's place ran out: an absence of theirs (``PairHistory.mentee_away``) that began within the span, whose
    last held day (``[sync] away_mentor_hold_days`` from its first) is before ``end``, still recorded on ``end`` (the
    sync that took them out still found them away); None else (taken out by hand during the hold, say). Tester round
    112a, 5."""
    if not h.hold_days:
        return None
    for a, b in h.mentee_away:
        last = a + timedelta(days=h.hold_days - 1)
        if start <= a and last < end and (b is None or b >= end):
            return a, last
    return None


def said_spans(h: PairHistory) -> list[SaidSpan]:
    """``h.paired`` as ``pair show`` says it, oldest first (``SaidSpan``). A span the sync ended because the mentor
    was found away reads as held, not ended: while the hold runs (the last span, ``h.held``), as lasting; the mentor
    back while it ran, ended the day they were found away with ``back``; the hold run out, ended on its last day. A
    span the sync ended after the hold on the mentee's place ran out ends on the place's last day (tester round
    112a, 5). The pairing history itself keeps the days the sync wrote (tester round 108a, 9)."""
    out = []
    for n, (start, end) in enumerate(h.paired):
        last, hold = n == len(h.paired) - 1, None if end is None else _hold_of(h, end)
        if end is None or (last and h.held is not None):
            out.append(SaidSpan(start, None))
        elif hold is not None and hold[1] is not None and hold[1] <= hold[2] + timedelta(days=1) and not last:
            out.append(SaidSpan(start, end, back=(hold[0], hold[1])))  # back while held
        elif hold is not None and _ran_out(hold):  # the mentees left the circle after the hold's last day
            out.append(SaidSpan(start, hold[2], ("mentor", hold[0], hold[2])))
        elif hold is None and (place := _place_ran_out(h, start, end)) is not None:
            out.append(SaidSpan(start, place[1], ("mentee", *place)))
        else:
            out.append(SaidSpan(start, end))
    return out


def _made_again(h: PairHistory, start: date) -> str:
    """Beside the span that begins on ``start``: that a coordinator's closure ended the pairing before it, when it
    does (``pair_dates.after_closure``): health judges the pair from that day as a new one (tester round 97a, 1).
    Else that the mentee was paired with another mentor while the pair was apart (``pair_moved_back.moved_back``,
    ``PairHistory.others``): moved back, the pair is a new one too, judged from that day (tester round 116, 9: it read
    as the same pair resumed)."""
    closed = [day for i in h.items if i.outcome == "closed" and (day := i.outcome_on or i.acked_on) is not None]
    _spans, anew = after_closure(h.paired, closed, date.max)
    if anew == start:
        return f" (made again after a coordinator closed the pair on {max(d for d in closed if d < start).isoformat()}: a new pair)"
    upto = tuple(span for span in h.paired if span[0] <= start)
    _spans, back = moved_back(upto, h.others, date.max)
    if back != start or len(upto) < 2 or upto[-2][1] is None:
        return ""
    apart = max(d for d in h.others if upto[-2][1] <= d < start)  # the latest pairing with another mentor between
    return (f" (made again after the mentee was paired with another mentor from {apart.isoformat()}, while the pair "
            "was apart: a new pair)")


def _place_held(h: PairHistory) -> str:
    """Beside an open pair whose mentee is away: their place held and its last day, as the plan says it
    (``PairHistory.place_held``); "" else. Tester round 109a, 7: the mentor's hold had its day, the mentee's none."""
    if h.place_held is None:
        return ""
    since, last = (day.isoformat() for day in h.place_held)
    if h.place_over:
        return (f" (on hold: the mentee has been away since {since}; their place in the circle was held until {last}: "
                "the next sync removes them from it unless they are back)")
    return (f" (on hold: the mentee has been away since {since}; their place in the circle is held until {last} "
            "([sync] away_mentor_hold_days), then removed unless they are back)")


#: beside a span, not the last, that a hold ended (``SaidSpan.ended_with_hold``), by whose hold it was
_ENDED_WITH = {"mentor": "ended with the hold on the mentor's circle: the mentor was away from {since}",
               "mentee": "ended with the hold on the mentee's place: the mentee was away from {since}"}
#: after the last span, when a hold ended it
_LAST_ENDED_WITH = {
    "mentor": ("ended {last}, the last day its circle was held: the mentor was away from {since}, and the sync after "
               "the hold took the circle's mentees out to re-match them"),
    "mentee": ("ended {last}, the last day the mentee's place in the circle was held: the mentee was away from "
               "{since}, and the sync after the hold took them out of the circle"),
}


def paired_words(h: PairHistory) -> str:
    """The pair's spans (``said_spans``) as ``pair show``'s "paired" line says them, after the word "paired"."""
    spans = said_spans(h)
    words = []
    for n, s in enumerate(spans):
        if s.end is None:
            span = f"since {s.start.isoformat()}"
        elif s.back is not None:
            span = (f"{s.start.isoformat()} to {s.end.isoformat()} (held while the mentor was away, from "
                    f"{s.back[0].isoformat()} until they were back on {s.back[1].isoformat()})")
        else:
            span = f"{s.start.isoformat()} to {s.end.isoformat()}"
            if s.ended_with_hold is not None and n < len(spans) - 1:
                span += f" ({_ENDED_WITH[s.ended_with_hold[0]].format(since=s.ended_with_hold[1].isoformat())})"
        words.append(span + _made_again(h, s.start))
    said, last = ", ".join(words), spans[-1]
    if h.paired[-1][1] is None:
        return said + _place_held(h)
    if h.held is not None:
        return said + (
            f" (on hold: the mentor has been away since {h.held[0].isoformat()}; their circle is held as it is until "
            f"{h.held[1].isoformat()}, then re-matched unless they are back)")
    if last.ended_with_hold is not None:
        side, since, held = last.ended_with_hold
        return said + f" ({_LAST_ENDED_WITH[side].format(last=held.isoformat(), since=since.isoformat())})"
    return said + f" (ended {h.paired[-1][1].isoformat()})"


def paired_json(h: PairHistory) -> list[dict[str, object]]:
    """JSON ``paired``: one object per span (``said_spans``): ``from``, ``until`` (null while it lasts or its mentor's
    circle is held; the last day held when a hold ran out, as the text says it: tester round 112a, 5) and
    ``ended_with_hold`` (``side`` ``mentor`` or ``mentee``, ``away_since``, ``held_until``; null unless a hold that
    ran out ended the span)."""
    return [{"from": s.start, "until": s.end,
             "ended_with_hold": None if s.ended_with_hold is None else dict(
                 zip(("side", "away_since", "held_until"), s.ended_with_hold, strict=True))}
            for s in said_spans(h)]
