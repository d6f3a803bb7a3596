"""The queue items paused on a past day, read from what the store keeps of each (tester round 112a, 1).

``lmsync health --as-of DAY`` listed the items paused by that day and still paused now (``health_gone.paused_now``):
asked the day an acknowledged item was paused (its mentee unenrolled), it said "1 queue item(s) paused"; asked the
day after a coordinator closed it (``queue done --outcome closed``), the same day said none. An item taken up again
since (its pair back) was lost alike. The store keeps what is needed: each pause's note (``queue_item.gone_note``:
``paused by lmsync on DAY: ...``), the day it was taken up again (``queue_paused.back_note``: ``; back in the
programme on DAY``) and the day its outcome was recorded. ``paused_on`` reads an item's pauses from them, so a past
day reads the same whenever it is asked.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date

from lmsync.store.queue_item import GONE, GONE_NOTE, QueueItem
from lmsync.store.queue_paused import BACK, LATER_BACK

_DAY = 10  # characters of an ISO day


@dataclass(frozen=True)
class Pause:
    """One pause of an item: the day lmsync paused it (``since``), the day it was taken up again (``back``, None while
    still paused or when closed paused), and each pause note of it (the note up to that note's end, its ``back``
    words left out, and its day), oldest first: an item paused on hold is noted again as gone once the hold is over
    (``health_gone.pause_gone``)."""

    since: date
    back: date | None
    notes: tuple[tuple[date, str], ...]


def pauses(item: QueueItem) -> list[Pause]:
    """``item``'s pauses, oldest first, from its note: a pause begins with lmsync's first pause note after the last
    one taken up again, and ends with the next ``back in the programme on DAY`` (a coordinator's note after the pause
    note, joined with `` / ``, is no part of it; lmsync's back note may follow it: ``queue_paused.back_note``). An item stored paused (``GONE``) whose note has no pause note (its
    note erased) has one pause since its ``last_seen_on`` (``pause_gone`` sets it to the pause's day). A last pause
    with no back note on an item no longer stored paused was taken up before lmsync noted it (before tester round
    106a, 5): it is left out, its end unknown. Never raises."""
    text = item.note or ""
    out: list[Pause] = []
    since: date | None = None
    notes: list[tuple[date, str]] = []
    at = text.find(GONE_NOTE)
    while at >= 0:
        end = text.find(" / ", at)
        end = len(text) if end < 0 else end
        day = _day(text, at + len(GONE_NOTE))
        back_at, back_day = text.find(BACK, at, end), text.find(BACK, at, end) + len(BACK)
        if back_at < 0:  # said after the notes written since the pause (tester round 115a, 7)
            upto = text.find(GONE_NOTE, end)
            back_at = text.find(LATER_BACK, end, len(text) if upto < 0 else upto)
            back_day, back_at = back_at + len(LATER_BACK), end if back_at >= 0 else -1
        if day is not None:
            since = since or day
            notes.append((day, text[:back_at if back_at >= 0 else end]))
            if back_at >= 0:
                out.append(Pause(since, _day(text, back_day) or day, tuple(notes)))
                since, notes = None, []
        at = text.find(GONE_NOTE, end)
    if since is not None and item.status == GONE:
        out.append(Pause(since, None, tuple(notes)))
    elif not out and item.status == GONE:
        out.append(Pause(item.last_seen_on, None, ()))
    return out


def closed_on(item: QueueItem) -> date | None:
    """The day ``item`` stopped waiting for an outcome, None while it waits: the day a closing outcome (or lmsync's
    ``queued_again``) was recorded; for ``met``, the day it was closed as acknowledged (``close_recovered``, ``queue
    ack``), as ``health_held._open_on`` reads it."""
    if item.outcome is None:
        return None
    if item.outcome == "met":
        return item.acked_on
    return item.outcome_on or item.acked_on


def paused_on(item: QueueItem, day: date) -> QueueItem | None:
    """``item`` as it was at the end of ``day`` if it was paused then, else None: a pause begun on or before ``day``
    and not ended by then (taken up again after ``day``, or not yet), the item not closed by then (``closed_on``
    after ``day``, or none). The item returned is stored paused (``GONE``), with no outcome, acknowledged only if by
    ``day``, ``last_seen_on`` its pause's first day (what a paused item's says) and its note up to the latest pause
    note of that pause dated by ``day`` (``QueueItem.gone_why`` reads why from it)."""
    closed = closed_on(item)
    if closed is not None and closed <= day:
        return None
    for pause in pauses(item):
        if pause.since <= day and (pause.back is None or day < pause.back):
            note = next((n for d, n in reversed(pause.notes) if d <= day), item.note)
            acked = item.acked_on if item.acked_on is not None and item.acked_on <= day else None
            return replace(item, status=GONE, outcome=None, outcome_on=None, acked_on=acked,
                           last_seen_on=pause.since, note=note)
    return None


def paused_items_on(items: Iterable[QueueItem], day: date) -> list[QueueItem]:
    """The items of ``items`` (every item of the queue, ``CoordinatorQueue.items``) paused at the end of ``day``
    (``paused_on``), as they were then, in the order given."""
    return [then for item in items if (then := paused_on(item, day)) is not None]


def _day(text: str, at: int) -> date | None:
    try:
        return date.fromisoformat(text[at:at + _DAY])
    except ValueError:
        return None
