"""Which of a coordinator's new queue items follow an item they acknowledged, for the digest (tester round 131a, 1).

An acknowledged pair still fading ``[health] requeue_after_days`` later is queued again: lmsync closes the
acknowledged item (``queued_again``) and opens a new one carrying its note and owner. The digest listed the new item
under "Newly in your queue" like a pair never seen, so a coordinator who reads only the digest took a pair they had
acted on a month before for a new one. Now its line says when it was acknowledged and that it is still in trouble.
The note itself stays out of the message (it may name people or their circumstances): `lmsync queue list` shows it.
"""

from __future__ import annotations

from collections.abc import Mapping

from lmsync.store.db import Store
from lmsync.store.queue import QUEUED_AGAIN, CoordinatorQueue
from lmsync.store.queue_item import QueueItem


def requeued(store: Store, programme: str) -> dict[int, QueueItem]:
    """New item id -> the acknowledged item it follows: the pair's latest item closed ``queued_again`` on the day the
    new one opened, before it."""
    items = CoordinatorQueue(store, programme).items()
    closed: dict[tuple[int, int], list[QueueItem]] = {}
    for item in items:
        if item.outcome == QUEUED_AGAIN:
            closed.setdefault(item.pair, []).append(item)
    out: dict[int, QueueItem] = {}
    for item in items:
        earlier = [c for c in closed.get(item.pair, ()) if c.id < item.id and c.outcome_on == item.opened_on]
        if item.outcome is None and earlier:
            out[item.id] = max(earlier, key=lambda c: c.id)
    return out


def requeued_words(item: QueueItem, previous: Mapping[int, QueueItem]) -> str:
    """``; queued again: still fading 28 days after it was acknowledged on 2026-11-04 ...`` for an item that
    follows an acknowledged one, else ``""``."""
    before = previous.get(item.id)
    if before is None or before.acked_on is None:
        return ""
    days = (item.opened_on - before.acked_on).days
    after = f" {days} days after" if days > 0 else " after"
    return (f"; queued again: still {item.status.replace('_', ' ')}{after} it was acknowledged on "
            f"{before.acked_on.isoformat()}; its note goes on in this item (`lmsync queue list` shows it)")
