"""Which status an item lmsync paused shows, and which it takes back (tester round 104b, 2).

An open item lmsync paused (status ``GONE``: its pair is no longer in the programme; ``CoordinatorQueue.pause_gone``)
shows ``GONE`` until its pair is judged again. Its pair's latest snapshot may be of the very day it was paused,
taken before the pause (health judged the pair that morning, the mentee's enrolment was suspended,
health ran again): that judgement no longer gave the item its status. Before, it did (a snapshot of the pause's
own day counted as one since the pause), so the item showed ``fading`` with a due date until the next day, whose run
paused it again with a second note.

Taken up again, an item's pause note says so (``back_note``; tester round 106a, 5): it kept only "the pair is no
longer in the programme" beside a fading item due again, so a coordinator read that the pair was gone.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from sqlalchemy import select

from lmsync.store.db import Store
from lmsync.store.queue_item import GONE, GONE_NOTE, RECOVERED
from lmsync.store.schema import coordinator_queue as _q
from lmsync.store.snapshots import HealthSnapshots


def shows_snapshot(stored_status: str, last_seen_on: date, snapshot_day: date) -> bool:
    """Whether a snapshot of ``snapshot_day`` gives an open item (its stored status, and ``last_seen_on``: the day
    health last queued it, or lmsync paused it) the pair's status: one of that day or later, but for an item lmsync
    paused (``GONE``) only one of a later day, as a snapshot of the pause's day may be from before the pause. A
    recording run that judges the pair again the same day gives the item its status back (``statuses_back``)."""
    return snapshot_day > last_seen_on if stored_status == GONE else snapshot_day >= last_seen_on


def statuses_back(store: Store, programme: str, pairs: Iterable[tuple[int, int]]) -> dict[tuple[int, int], str]:
    """Pair -> the status a paused item of ``pairs``, judged again by this run (its snapshot written first), takes
    back: the pair's latest snapshot's, ``recovered`` for ``ok`` (as ``CoordinatorQueue.open_items`` shows an item);
    a pair never judged is left out."""
    latest = HealthSnapshots(store, programme).latest(pairs)
    return {pair: RECOVERED if row.status == "ok" else row.status for pair, row in latest.items()}


def paused_ids(store: Store, programme: str) -> set[int]:
    """The ids of ``programme``'s items lmsync paused, as stored (whatever a later snapshot shows of them), open or
    acknowledged (tester round 111a, 1; those with an outcome are never paused nor taken up again): ``pause_gone``
    never pauses one again, so it never gets a second note (tester round 104b, 2)."""
    query = select(_q.c.id).where(_q.c.programme == programme, _q.c.status == GONE)
    return {r.id for r in store.rows(query)}


#: How lmsync's pause note ends once the item is taken up again (``back_note``), followed by the day.
BACK = "; back in the programme on "

#: lmsync's note, after the notes written since its latest pause note, once the item is taken up again
#: (``back_note``), followed by the day.
LATER_BACK = " / back in the programme on "


def back_note(note: str | None, day: date) -> str | None:
    """``note`` with lmsync's latest pause note in it (``queue_item.gone_note``, up to the next note joined after it
    with `` / ``) ending ``; back in the programme on DAY``: its pair, paused as no longer in the programme or on hold,
    was judged again at ``day`` and the item taken up again (tester round 106a, 5). A note written after that pause
    note (a coordinator's ``queue ack --note``) stays before the day it came back: lmsync's note goes at the end,
    `` / back in the programme on DAY``, the notes in the order written (tester round 115a, 7: "...; back in the
    programme on 2027-03-10 / called mentor" read as if called after the 10th). Once: a pause note that says so
    already, or a note with no pause note, is returned as it is."""
    text = note or ""
    at = text.rfind(GONE_NOTE)
    if at < 0:
        return note
    end = text.find(" / ", at)
    end = len(text) if end < 0 else end
    if BACK in text[at:end] or LATER_BACK in text[end:]:
        return note
    if end < len(text):
        return f"{text}{LATER_BACK}{day.isoformat()}"
    return f"{text}{BACK}{day.isoformat()}"
