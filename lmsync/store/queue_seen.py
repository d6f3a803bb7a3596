"""The day health last flagged the pair of an acknowledged item still awaiting its outcome (tester round 112a, 6).

An open item's ``last_seen_on`` is the day health last queued its pair (``CoordinatorQueue.offer``: ``updated``), and
``lmsync queue list`` shows it as "last flagged". An acknowledged item is not queued again while its ack is recent
(``snoozed``: "I am on it"), and its ``last_seen_on`` stayed the day flagged before the ack, or the day lmsync paused
it: back from a hold and judged fading on every run since 24 Dec, an item read "(last flagged 2026-12-21)", a day its
pair was on hold and not judged at all. A snoozed pair's acknowledged item awaiting its outcome now records the day
(``flagged_again``): never queued again for it, nor its ack or due date changed.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from lmsync.store.db import Store
from lmsync.store.schema import coordinator_queue as _q


def flagged_again(store: Store, row: Any, day: date) -> None:
    """Record ``day`` (an ISO programme day) as the day health last flagged the pair of ``row`` (the pair's latest
    queue row, as ``CoordinatorQueue._select`` reads it, or None) when it is acknowledged and awaiting its outcome:
    its ``last_seen_on`` moves on to ``day``, never back. Nothing else is written; any other row (none, open, or with
    an outcome) is left as it is. Raises what the store raises."""
    if row is None or row.acked_on is None or row.outcome is not None or row.last_seen_on >= day.isoformat():
        return
    store.write(_q.update().where(_q.c.id == row.id).values(last_seen_on=day.isoformat()))
