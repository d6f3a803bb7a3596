"""The queue items an erasure removed from the coordinators following them: ``queue_ends`` (revision 0020; tester
round 118b, 3).

``lmsync person erase`` deletes every queue item of the erased person's pairs (a pair's item names both its people),
open ones and those a coordinator acknowledged (``queue ack``) and still follows, awaiting an outcome, and their
tracking with them. The coordinator following one (its owner, or whom it escalated to) was never told: it only went
from ``queue list``. Before the items go, the erasure keeps, per coordinator, a row naming no pair and no person but
that coordinator (``queue_tracking`` keeps them by username): the programme day of the erasure, how many of their
items it removed and how many of those they had acknowledged, and the journal's latest entry id then, so their next
digest sent says it once (``service.digest_queue_ends``), as ``hold_ends`` does of a hold an erasure ended. ``queue
ack`` records no one: an acknowledged item's coordinator is its owner (or whom it escalated to).

A row is the coordinator's: ``person export`` of them lists theirs and ``person erase`` of them deletes them
(``queue_ends_for``, ``erase_queue_ends``); another person's export or erasure never touches them.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import and_, func, or_, select

from lmsync.store.db import Store
from lmsync.store.schema import coordinator_queue, journal, queue_tracking
from lmsync.store.schema_more import queue_ends

_q, _t, _e = coordinator_queue, queue_tracking, queue_ends


@dataclass(frozen=True)
class QueueEnd:
    """One erasure's removal of a coordinator's items: ``day`` its programme day, ``items`` how many (open or
    acknowledged), ``acknowledged`` how many of them acknowledged, ``journal_mark`` the journal's latest entry id
    then (0: none)."""

    day: date
    items: int
    acknowledged: int
    journal_mark: int


def record_queue_ends(store: Store, person_id: int, day: date) -> int:
    """Before the erasure of ``person_id`` (Moodle id) on ``day`` deletes their pairs' queue items, remember for each
    coordinator following any of them, per programme, how many it takes and how many of those were acknowledged, with
    the journal's latest entry id now. Followed: an item still open (``met`` keeps one open; paused too), or one
    acknowledged still without an outcome and its pair's latest (``CoordinatorQueue.awaiting_outcome``), by its owner
    and whom it escalated to (one row per username, compared in lower case). An item with an outcome that closes it,
    or none of a coordinator, is followed by no one. Call inside the erasure's transaction, before its items go.
    Returns the rows written; raises what the store raises."""
    pairs = or_(_q.c.mentor_id == person_id, _q.c.mentee_id == person_id)
    latest = select(func.max(_q.c.id)).where(pairs).group_by(_q.c.programme, _q.c.mentor_id, _q.c.mentee_id)
    rows = store.rows(
        select(_q.c.programme, _q.c.acked_on, _t.c.owner, _t.c.escalated_to)
        .select_from(_q.join(_t, _t.c.item_id == _q.c.id))
        .where(pairs, or_(_q.c.acked_on.is_(None), and_(_t.c.outcome.is_(None), _q.c.id.in_(latest))))
    )
    items: Counter[tuple[str, str]] = Counter()
    acknowledged: Counter[tuple[str, str]] = Counter()
    for row in rows:
        for name in {str(n).strip().lower() for n in (row.owner, row.escalated_to) if n and str(n).strip()}:
            items[(row.programme, name)] += 1
            acknowledged[(row.programme, name)] += row.acked_on is not None
    if not items:
        return 0
    mark = int(store.scalar(select(func.max(journal.c.id))) or 0)
    for (programme, name), count in sorted(items.items()):
        store.write(_e.insert().values(programme=programme, coordinator=name, day=day.isoformat(), items=count,
                                       acknowledged=acknowledged[(programme, name)], journal_mark=mark))
    return len(items)


def queue_ends_of(store: Store, programme: str) -> dict[str, list[QueueEnd]]:
    """Coordinator username (lower case) -> every removal of their items an erasure made in ``programme``, oldest
    first. One read; raises what the store raises."""
    out: dict[str, list[QueueEnd]] = {}
    for r in store.rows(select(_e).where(_e.c.programme == programme).order_by(_e.c.id)):
        out.setdefault(r.coordinator, []).append(
            QueueEnd(date.fromisoformat(r.day), int(r.items), int(r.acknowledged), int(r.journal_mark)))
    return out


def _of(username: str) -> Any:
    return _e.c.coordinator == username.strip().lower()


def queue_ends_for(store: Store, username: str) -> list[dict[str, Any]]:
    """The rows of coordinator ``username``, every programme, oldest first, as plain data (``person export``)."""
    return [dict(r._mapping) for r in store.rows(select(_e).where(_of(username)).order_by(_e.c.id))]


def erase_queue_ends(store: Store, username: str) -> int:
    """Delete the rows of coordinator ``username`` (their erasure); the rows deleted."""
    return store.write(_e.delete().where(_of(username)))
