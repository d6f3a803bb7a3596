"""An item of a pair made again as a new pair is closed, not shown recovered (tester round 115a, 3).

A mentee moved back to their mentor after a pairing with another mentor (a mentor's hold ended, the mentee re-matched,
then moved back) makes a new pair, judged from the day of the move with a new pair's first-meeting grace
(``domain.pair_moved_back``). The old pair's item, paused while they were apart, was taken up again beside that
judgement: an acknowledged one showed ``recovered``, a ``met`` one was closed "(the pair recovered)", though the two
never met; the grace was read as a recovery. Such an item is now closed by lmsync with the outcome ``made_again``
and a note ``the pair was made again as a new pair on DAY; this item was of the earlier pairing``; the new pair is
judged, and queued, as any other.

The close runs before the health step queues the day's fading pairs (``health.run_health``), not in the pause step
after it: a moved-back pair no run judged during its grace days, found fading by the first run after them, took its
old item up again as its own (tester round 116, 10). The new pair is then queued afresh, the old pairing's acks not
snoozing it (``CoordinatorQueue.offer``).
"""

from __future__ import annotations

from datetime import date

from lmsync.store import queue_made_again as made_again
from lmsync.store.queue import CoordinatorQueue, QueueItem
from lmsync.store.queue_paused import paused_ids
from lmsync.store.snapshots import HealthSnapshots


def made_again_note(since: date) -> str:
    """lmsync's note on an item it closes as made again: ``the pair was made again as a new pair on 2027-03-10;
    this item was of the earlier pairing``."""
    return f"the pair was made again as a new pair on {since.isoformat()}; this item was of the earlier pairing"


def close_made_again(queue: CoordinatorQueue, day: date, current: set[tuple[int, int]]) -> list[QueueItem]:
    """Close each open item, and each acknowledged one still without an outcome, paused by lmsync (stored ``gone``:
    ``queue_paused.paused_ids``; the old pair was apart), of a pair in ``current`` (judged
    at ``day``, its snapshot of ``day`` written) whose judgement starts after the item opened (the snapshot's
    ``paired_since``: the day the pair was made again as a new pair): outcome ``made_again`` on ``day``, lmsync's
    note after the item's earlier ones (``made_again_note``), an open one acknowledged ``day``. Returns the items
    closed, as they were. Writes the store; raises what it raises."""
    paused = paused_ids(queue.store, queue.programme)  # the old pair was apart while its item was open
    items = [i for i in [*queue.open_items(), *queue.awaiting_outcome()] if i.id in paused]
    judged = HealthSnapshots(queue.store, queue.programme).paired_since_on(day)
    closed = []
    for item in items:
        since = judged.get(item.pair)
        if item.pair not in current or since is None or since <= item.opened_on:
            continue
        made_again.close_made_again(queue.store, item, day, made_again_note(since))  # the write: the store's
        closed.append(item)
    return closed
