"""``lmsync pair show`` as a view: one pair's meetings, satisfaction per side, status over time,
nudges and queue items (five tables; CSV writes them as sections).

Never a single meeting's rating; the mentee side's satisfaction only as a mean over the
mentor's mentees, as the report shows it (``lmsync.service.health.pair_history``).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from lmsync.render.health import reasons_cell
from lmsync.render.pair_spans import paired_json, paired_words
from lmsync.render.views import Column, Document, Field, Note, Shown, Table
from lmsync.service.circles_left_alone import LEFT_ALONE
from lmsync.service.health import PairHistory
from lmsync.service.labels import People
from lmsync.service.pair_people import STANDING_WORDS
from lmsync.service.rater_checkpoints import ERASURE_WITHHELD
from lmsync.store.queue_item import HOLD_PREFIX, MADE_AGAIN


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
        return f"open until {s.open_until.isoformat()}: the mentees' mean is shown from the day after the wave's last day"
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


def _paused(i: Any) -> bool:
    """Whether lmsync paused ``i`` (status ``gone``) and it is open, or acknowledged and still without an outcome
    (``QueueItem.paused``): an acknowledged item is paused and taken up again as an open one (tester round 111a, 1)."""
    return getattr(i, "status", None) == "gone" and (not i.acked_on or i.outcome is None)


def _held(i: Any) -> bool:
    """Whether ``i`` is paused (``_paused``) while its pair is on hold (its pause note's why begins ``HOLD_PREFIX``):
    a mentee's place, or a mentor's circle, held while they are away; not out of the programme (after tester round
    105a, 1). An acknowledged item too, as ``lmsync queue list`` shows it (tester round 112a, 2: pair show said it
    ``gone``)."""
    return _paused(i) and (getattr(i, "gone_why", None) or "").startswith(HOLD_PREFIX)


def _paused_words(i: Any) -> str:
    """Why and since when ``i`` (``_paused``) is paused, as ``lmsync queue list`` says it: on hold, who is away and
    until when, and what waits until they are back (nothing due; for an acknowledged item, no outcome: ``queue done``
    refuses one while the pair is on hold); else that the pair is not in the programme and, when its note says it,
    why (tester round 112a, 2; an open item too, tester round 113, 1: it said only "not in the programme")."""
    why = getattr(i, "gone_why", None) or ""
    waits = "no outcome is taken" if i.acked_on else "nothing is due"
    if _held(i):  # who is away, until when (after tester round 105a, 1)
        until = "it is set back" if why.startswith(LEFT_ALONE) else "they are back"
        return f"on hold since {i.last_seen_on.isoformat()} ({why.removeprefix(HOLD_PREFIX)}; {waits} until {until})"
    if i.acked_on or why:  # as queue list: the pair is no longer in the programme, and why (tester round 113, 1)
        return f"paused {i.last_seen_on.isoformat()} (the pair is no longer in the programme" + (
            f": {why}" if why else "") + "; nothing is due)"
    return f"paused {i.last_seen_on.isoformat()} (the pair is not in the programme; nothing is due)"


#: lmsync's own outcomes in words beside the item (JSON and CSV keep the stored word): ``made_again`` read as a bare
#: code beside the coordinator's ``met`` or ``closed`` (tester round 116, 9)
_OUTCOME_WORDS = {MADE_AGAIN: "made again as a new pair (closed by lmsync)"}


def _queue_state(i: Any) -> str:
    if i.acked_on and i.outcome is None:  # acknowledged, no outcome yet: queue done still takes one (round 3, 12)
        state = f"acknowledged {i.acked_on.isoformat()}, no outcome yet"
        state += f", {_paused_words(i)}" if _paused(i) else ""  # tester round 112a, 2: it said only "gone"
    elif _paused(i):  # never due while paused (tester round 63, 4)
        state = f"open, {_paused_words(i)}"
    else:
        state = f"closed {_closed_on(i).isoformat()}" if i.acked_on else f"open, due {i.due_on.isoformat() if i.due_on else '?'}"
        state += " (the pair recovered)" if i.acked_on and i.outcome == "met" else ""
    return state + "".join([
        f", owner {i.owner}" if i.owner else "", f", outcome {_OUTCOME_WORDS.get(i.outcome, i.outcome)}" if i.outcome else "",
        f", escalated to {i.escalated_to}" if i.escalated_to else "", f", note: {i.note}" if i.note else "",
    ])


def pair_view(h: PairHistory, people: People, standing: Mapping[int, str] | None = None) -> Document:
    """The pair's history; JSON keys ``pair``, ``mentor``, ``mentee``, ``not_a_good_fit``, ``paired`` (spans
    as the text says them, ``pair_spans.paired_json``: ``from``/``until``, ``until`` null while it lasts or its
    mentor's circle is held, the last day held when a hold ran out, with ``ended_with_hold``), ``on_hold`` (``mentor_away_since``, ``held_until``; null
    unless the mentor is away and their circle held), ``ended_by_coordinator_on`` (the day of the closure that ends
    the pair today, as ``lmsync health`` counts it ended; null else: ``PairHistory.ended_since``), then one list per
    table (a queue item paused while its pair is on hold, open or acknowledged: status ``on_hold``, due null, as ``lmsync queue list``; tester round 112a, 2).
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
        head += "\n  paired " + paired_words(h)
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
         # no due date once acknowledged or closed, as queue list (round 38, 4), nor while paused (after 105a, 1)
         "due": None if i.acked_on or _paused(i) else i.due_on,
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
        Field("paired", paired_json(h)),  # as the text says them (tester round 112a, 5)
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
