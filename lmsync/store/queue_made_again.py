"""Closing a queue item as of an earlier pairing when its pair is made again as a new pair (tester round 115a, 3).

The rule, which items and when, is ``lmsync.service.queue_made_again``'s; this module only writes the close, so the
SQL stays in the store.
"""

from __future__ import annotations

from datetime import date

from lmsync.store.db import Store, now_iso
from lmsync.store.queue_item import MADE_AGAIN, QueueItem
from lmsync.store.schema import coordinator_queue as _q
from lmsync.store.schema import queue_tracking as _t


def close_made_again(store: Store, item: QueueItem, day: date, note: str) -> None:
    """Close ``item`` on ``day`` (a programme day) with lmsync's outcome ``made_again``: ``note`` after the item's
    earlier notes (`` / ``-joined), and, when it was not acknowledged, acknowledged ``day``. One transaction; raises
    what the store raises."""
    values = {} if item.acked_on else {"acked_on": day.isoformat(), "acked_at": now_iso()}
    with store.transaction():
        store.write(_q.update().where(_q.c.id == item.id).values(
            note=f"{item.note} / {note}" if item.note else note, **values))
        store.write(_t.update().where(_t.c.item_id == item.id).values(outcome=MADE_AGAIN, outcome_on=day.isoformat()))
