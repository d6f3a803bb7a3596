"""``lmsync pair show`` as a view: one pair's meetings, satisfaction per side, status over time,
nudges and queue items (five tables; CSV writes them as sections).

Never a single meeting's rating; the mentee side's satisfaction only as a mean over the
mentor's mentees, as the report shows it (``lmsync.service.health.pair_history``).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any

from lmsync.domain.pair_dates import after_closure
from lmsync.render.health import reasons_cell
from lmsync.render.views import Column, Document, Field, Note, Shown, Table
from lmsync.service.health import PairHistory
from lmsync.service.labels import People
from lmsync.service.pair_people import STANDING_WORDS
from lmsync.service.rater_checkpoints import ERASURE_WITHHELD
from lmsync.store.queue_item import HOLD_PREFIX


def _columns(*keys: str) -> tuple[Column, ...]:
    return tuple(Column(key) for key in keys)


def changes(snapshots: list[Any]) -> list[Any]:
    """The days the status or its reasons changed (a daily snapshot repeats itself)."""
    out, last = [], None
    for row in snapshots:
        key = (row.status, tuple(code for code, _ in row.reasons))
        if key != last:
            out.append(row)
            last = key
    return out


def _satisfaction(s: Any) -> str:
    if getattr(s, "erased", False):  # no mean nor count: either gave an erased person's answers back (round 77b, 1)
        return ERASURE_WITHHELD
    if getattr(s, "open_until", None) is not None:
        return f"open until {s.open_until.isoformat()}: the mentees' mean is shown from the wave's last day"
    if s.withheld and s.over == 0:  # answers too incomplete to score count as none (tester round 6, 5)
        return "no scored answer from the mentor's mentees"
    if s.withheld:
        return (f"withheld: only {s.over} of the mentor's mentees answered "
                "(mentee ratings of a mentor are shown as a mean only)")
    if s.score is None:  # the answer missed too many of the instrument's items to be scored
        return "no score (too few of the instrument's items answered)"
    if s.side == "mentee":
        return f"{s.score} (mean over {s.over} mentee(s) of this mentor)"
    return f"{s.score}"


def _closed_on(i: Any) -> Any:
    """The day an item closed: its outcome's day, else its acknowledgement's (an item acknowledged
    on one day and given its outcome on a later one closed on the later; as the report says). A ``met``
    closes nothing: its item closed the day lmsync found the pair recovered (``acked_on``), not the
    day of the ``met`` (tester round 56, 4)."""
    return i.outcome_on or i.acked_on if i.outcome not in (None, "met") else i.acked_on


def _held(i: Any) -> bool:
    """Whether ``i`` is open and paused while its pair is on hold (its pause note's why begins ``HOLD_PREFIX``): a
    mentee's place, or a mentor's circle, held while they are away; not out of the programme (after tester round
    105a, 1)."""
    return not i.acked_on and getattr(i, "status", None) == "gone" and (getattr(i, "gone_why", None) or "").startswith(
        HOLD_PREFIX)


def _queue_state(i: Any) -> str:
    if i.acked_on and i.outcome is None:  # acknowledged, no outcome yet: queue done still takes one (round 3, 12)
        state = f"acknowledged {i.acked_on.isoformat()}, no outcome yet"
    elif _held(i):  # who is away, until when (after tester round 105a, 1)
        state = (f"open, on hold since {i.last_seen_on.isoformat()} ({i.gone_why.removeprefix(HOLD_PREFIX)}; nothing is "
                 "due until they are back)")
    elif not i.acked_on and getattr(i, "status", None) == "gone":  # never due while paused (tester round 63, 4)
        state = f"open, paused {i.last_seen_on.isoformat()} (the pair is not in the programme; nothing is due)"
    else:
        state = f"closed {_closed_on(i).isoformat()}" if i.acked_on else f"open, due {i.due_on.isoformat() if i.due_on else '?'}"
        state += " (the pair recovered)" if i.acked_on and i.outcome == "met" else ""
    return state + "".join([
        f", owner {i.owner}" if i.owner else "", f", outcome {i.outcome}" if i.outcome else "",
        f", escalated to {i.escalated_to}" if i.escalated_to else "", f", note: {i.note}" if i.note else "",
    ])


def _made_again(h: PairHistory, start: date) -> str:
    """Beside the span that begins on ``start``: that a coordinator's closure ended the pairing before it, when it
    does (``pair_dates.after_closure``): health judges the pair from that day as a new one (tester round 97a, 1)."""
    closed = [day for i in h.items if i.outcome == "closed" and (day := i.outcome_on or i.acked_on) is not None]
    _spans, anew = after_closure(h.paired, closed, date.max)
    if anew != start:
        return ""
    return f" (made again after a coordinator closed the pair on {max(d for d in closed if d < start).isoformat()}: a new pair)"


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


def _paired(h: PairHistory) -> str:
    """The pair's spans as ``pair show`` says them. A span the sync ended because the mentor was found away reads
    as held, not ended: while the hold runs, "since" its first day and on hold; the mentor back while it ran, held
    from the day they were found away until they were back; the hold run out, ended on its last day (when the
    mentees left the circle), with the day the mentor was first found away. The pairing history itself keeps the
    day the mentor was found away (tester round 108a, 9: the pair read as ended the day its hold began)."""
    words = []
    for n, (start, end) in enumerate(h.paired):
        last, hold = n == len(h.paired) - 1, None if end is None else _hold_of(h, end)
        if end is None or (last and h.held is not None):
            span = f"since {start.isoformat()}"
        elif hold is None:
            span = f"{start.isoformat()} to {end.isoformat()}"
        elif hold[1] is not None and hold[1] <= hold[2] + timedelta(days=1) and not last:  # back while held
            span = (f"{start.isoformat()} to {end.isoformat()} (held while the mentor was away, from "
                    f"{hold[0].isoformat()} until they were back on {hold[1].isoformat()})")
        elif _ran_out(hold):  # the mentees left the circle after the hold's last day
            span = f"{start.isoformat()} to {hold[2].isoformat()}"
            if not last:
                span += f" (ended with the hold on the mentor's circle: the mentor was away from {hold[0].isoformat()})"
        else:
            span = f"{start.isoformat()} to {end.isoformat()}"
        words.append(span + _made_again(h, start))
    end, hold = h.paired[-1][1], None if h.paired[-1][1] is None else _hold_of(h, h.paired[-1][1])
    if end is None:
        return ", ".join(words) + _place_held(h)
    if h.held is not None:
        return ", ".join(words) + (
            f" (on hold: the mentor has been away since {h.held[0].isoformat()}; their circle is held as it is until "
            f"{h.held[1].isoformat()}, then re-matched unless they are back)")
    if hold is not None and _ran_out(hold):
        return ", ".join(words) + (
            f" (ended {hold[2].isoformat()}, the last day its circle was held: the mentor was away from "
            f"{hold[0].isoformat()}, and the sync after the hold took the circle's mentees out to re-match them)")
    return ", ".join(words) + f" (ended {end.isoformat()})"


def pair_view(h: PairHistory, people: People, standing: Mapping[int, str] | None = None) -> Document:
    """The pair's history; JSON keys ``pair``, ``mentor``, ``mentee``, ``not_a_good_fit``, ``paired`` (spans
    ``from``/``until``, ``until`` null while it lasts), ``on_hold`` (``mentor_away_since``, ``held_until``; null
    unless the mentor is away and their circle held), ``ended_by_coordinator_on`` (the day of the closure that ends
    the pair today, as ``lmsync health`` counts it ended; null else: ``PairHistory.ended_since``), then one list per
    table (a queue item paused while its pair is on hold: status ``on_hold``, due null, as ``lmsync queue list``).
    ``mentor``/``mentee`` carry ``standing`` (``pair_people``: null while active in the course, else
    ``enrolment_suspended``, ``account_suspended`` or ``not_enrolled``; tester round 108a, 3) and ``mentor_away`` the
    mentor's recorded absences (``from``, ``until`` null while recorded, ``held_until`` the hold's last day; tester
    round 108a, 9); ``place_held`` (``mentee_away_since``, ``held_until``; null unless the mentee is away and their
    place in the pair's circle held: tester round 109a, 7)."""
    head = f"Pair {people.pair(h.mentor_id, h.mentee_id)}"
    for uid, side in ((h.mentor_id, "mentor"), (h.mentee_id, "mentee")):  # tester round 108a, 3
        if uid in (standing or {}):
            head += f"\n  the {side} is {STANDING_WORDS[(standing or {})[uid]]}"
    if h.paired:
        head += "\n  paired " + _paired(h)
    if h.ended_since is not None:  # as health counts it on the same day (tester round 100b, 4)
        head += (f"\n  ended by a coordinator since {h.ended_since.isoformat()} (`queue done --outcome closed`): "
                 "`lmsync health` counts it as ended until the pair is made again")
    if h.forbidden:
        head += (f"\n  marked not a good fit on {h.forbidden[1].isoformat()} ({h.forbidden[0]}): "
                 + ("re-matched by the next sync" if h.paired and h.paired[-1][1] is None else "never paired again"))
    meetings = [
        {"date": m.date, "minutes": m.minutes, "attended": m.attended, "source": m.source,
         "came": "attended" if m.attended else "missed"}
        for m in h.meetings
    ]
    scores = [
        {"side": s.side, "instrument": s.instrument, "wave": s.wave, "date": s.day, "score": s.score, "over": s.over,
         "withheld": s.withheld, "value": _satisfaction(s)}
        for s in h.scores
    ]
    status = [
        {"day": r.day, "status": r.status, "reasons": reasons_cell(r.reasons),
         "why": "; ".join(text for _, text in r.reasons)}
        for r in changes(h.snapshots)
    ]
    nudges = [
        {"day": n.day, "to": Shown(people.as_json(n.recipient_id), people.label(n.recipient_id)), "kind": n.kind,
         "state": n.state}
        for n in h.nudges
    ]
    queue = [
        {"opened": i.opened_on, "status": Shown("on_hold", "on hold") if _held(i) else i.status,  # as queue list
         "owner": i.owner, "outcome": i.outcome,
         # no due date once acknowledged or closed, as queue list (round 38, 4), nor while on hold (after 105a, 1)
         "due": None if i.acked_on or _held(i) else i.due_on,
         # acknowledged and awaiting its outcome is not closed (tester round 35, 2: JSON and CSV said closed)
         "acknowledged_on": i.acked_on if i.outcome is None else None,
         "closed": _closed_on(i) if i.acked_on and i.outcome else None, "escalated_to": i.escalated_to, "note": i.note,
         "state": _queue_state(i)}
        for i in h.items
    ]
    forbidden = {"source": h.forbidden[0], "on": h.forbidden[1]} if h.forbidden else None
    return Document([
        Note(head),
        Field("pair", f"{h.mentor_id}-{h.mentee_id}"),
        Field("mentor", {**people.as_json(h.mentor_id), "standing": (standing or {}).get(h.mentor_id)}),
        Field("mentee", {**people.as_json(h.mentee_id), "standing": (standing or {}).get(h.mentee_id)}),
        Field("not_a_good_fit", forbidden),
        Field("paired", [{"from": start, "until": end} for start, end in h.paired]),
        Field("ended_by_coordinator_on", h.ended_since),
        Field("mentor_away", [{"from": a, "until": b, "held_until": a + timedelta(days=h.hold_days - 1)}
                              for a, b in h.mentor_away] if h.hold_days else []),
        Field("on_hold", {"mentor_away_since": h.held[0], "held_until": h.held[1]} if h.held else None),
        Field("place_held", {"mentee_away_since": h.place_held[0], "held_until": h.place_held[1]}
              if h.place_held else None),
        Table("meetings", _columns("date", "minutes", "attended", "source"), meetings,
              title=f"Meetings ({len(meetings)}):", line="  {date}  {minutes:>3} min  {came}  [{source}]", empty=""),
        Table("satisfaction", _columns("side", "instrument", "wave", "date", "score", "over", "withheld"), scores,
              title="Satisfaction (per side):", line="  {side:<6} {instrument} {wave}: {value}", empty=""),
        Table("status", _columns("day", "status", "reasons"), status, title="Status over time:",
              line="  {day}  {status:<8} {why}", empty=""),
        Table("nudges", _columns("day", "to", "kind", "state"), nudges, title=f"Nudges ({len(nudges)}):",
              line="  {day}  to {to}  {kind}  {state}", empty=""),
        Table("queue", _columns("opened", "status", "owner", "due", "outcome", "acknowledged_on", "closed", "escalated_to",
                                   "note"), queue,
              title=f"Queue items ({len(queue)}):", line="  opened {opened} ({status}): {state}", empty=""),
    ], spaced=False)
