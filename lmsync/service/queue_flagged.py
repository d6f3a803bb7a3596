"""The day ``lmsync queue list`` shows an item's pair "last flagged": the last day health judged it fading.

An item's stored ``last_seen_on`` is the day health last queued its pair, but also the day lmsync paused it
(``CoordinatorQueue.pause_gone``: what a paused item's "paused on DAY" reads): an item paused while its mentor was
on hold, then taken up again, read "(last flagged 2027-02-24)", JSON ``last_seen`` the same, a day its pair was left
out of the judgement (tester round 115a, 2). The list now reads the day from the health snapshots
(``with_flagged_days``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date

from lmsync.store.db import Store
from lmsync.store.queue_item import QueueItem
from lmsync.store.snapshots import HealthSnapshots


def with_flagged_days(store: Store, programme: str, items: Sequence[QueueItem]) -> list[QueueItem]:
    """``items`` with ``flagged_on`` set: the latest day, from the item's opening to its ``last_seen_on`` (both
    programme days, inclusive), of a health snapshot judging its pair ``fading``; an item with none there (opened by
    hand for a pair at risk, say) keeps its ``last_seen_on``. Read-only; raises what the store raises."""
    out = []
    snapshots = HealthSnapshots(store, programme)
    for item in items:
        days = [row.day for row in snapshots.rows(pair=item.pair)
                if row.status == "fading" and item.opened_on <= row.day <= item.last_seen_on]
        out.append(replace(item, flagged_on=max(days, default=item.last_seen_on)))
    return out


def flagged(item: QueueItem) -> date:
    """The day ``item``'s pair was last flagged: its ``flagged_on`` when set, else its ``last_seen_on``."""
    return item.flagged_on or item.last_seen_on
