"""The pair's latest judgement a paused queue item shows (tester round 117c, 3).

An item lmsync paused (status ``GONE``: its pair no longer in the programme, or on hold) kept the status and reasons
health last queued it with: its pair, queued fading on 8 Feb, met on 10 Feb and judged ``ok`` on 11 Feb, its mentee
suspended on 15 Feb, was listed by ``lmsync queue list`` on hold with "no meeting since pairing 35 days ago", while
``lmsync pair show`` had the meeting and the ``ok``. The README says the list shows each item "with its pair's latest
status and reasons (the latest health snapshot)": a paused pair is not judged, so its latest judgement is the last
snapshot on or before the pause (``with_judged``); a pair back and judged again shows its status as any item does
(``CoordinatorQueue.open_items``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from lmsync.store.db import Store
from lmsync.store.queue_item import GONE, QueueItem
from lmsync.store.snapshots import HealthSnapshots


def with_judged(store: Store, programme: str, items: Sequence[QueueItem]) -> list[QueueItem]:
    """``items``, each one lmsync paused (``GONE``) with the reasons of its pair's latest health snapshot on or before
    its ``last_seen_on`` (the day it was paused), and ``judged_status`` / ``judged_on`` set to that snapshot's status
    and day; an item not paused, or one whose pair has no such snapshot, is returned as it is. A paused pair is
    judged by no later run, so that snapshot is the latest one before the pause (a snapshot of the pause's own day
    was taken before it). Read-only; raises what the store raises."""
    snapshots = HealthSnapshots(store, programme)
    out = []
    for item in items:
        rows = [r for r in snapshots.rows(pair=item.pair) if r.day <= item.last_seen_on] if item.status == GONE else []
        if rows:
            last = rows[-1]  # ordered by day
            item = replace(item, reasons=last.reasons, judged_status=last.status, judged_on=last.day)
        out.append(item)
    return out


def judged_said(item: QueueItem) -> str:
    """How ``lmsync queue list`` says a paused item's pair was last judged (``with_judged``): ``last judged 2027-02-11:
    ok, recovered before the pause``, ``last judged 2027-02-08: fading``; empty when not set."""
    if item.judged_status is None or item.judged_on is None:
        return ""
    words = {"ok": "ok, recovered before the pause", "watch": "on watch (minor signals only)"}
    return f"last judged {item.judged_on.isoformat()}: {words.get(item.judged_status, item.judged_status.replace('_', ' '))}"
