"""Acknowledged queue items in the coordinators' digest while their pair is on hold, and the items of the people back
from away, a mentee's as a mentor's (tester round 109a, 5 and 6).

An item acknowledged (``lmsync queue ack``) and awaiting its outcome is not open, so the digest, which read the open
items alone, left it out of "On hold while someone is away" and of "Back from away", while ``lmsync queue list``
showed it on hold (tester round 109a, 5). And "Back from away" listed the items of a mentor back but not the item of
a mentee back when it was due: it was said only under "Queue items due or overdue" (109a, 6). This gives the
acknowledged items on hold as the digest lists paused ones, and the line of an item under "Back from away", due or
acknowledged.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import date

from lmsync.config import Config
from lmsync.service.queue_holds import pair_holds
from lmsync.store.db import Store
from lmsync.store.queue import QueueItem


def acked_on_hold(config: Config, store: Store, items: Sequence[QueueItem], day: date) -> list[QueueItem]:
    """Of ``items`` (``CoordinatorQueue.awaiting_outcome``: acknowledged and without an outcome), those whose pair is
    on hold at ``day`` while someone is away (``queue_holds.pair_holds``, as ``lmsync queue list`` shows them), each
    a copy with ``on_hold`` its hold in words (``PairHold.said``, beginning ``queue_item.HOLD_PREFIX``) and
    ``last_seen_on`` the hold's first day (what a paused item's says: the day lmsync paused it). Empty when ``[sync]
    away_mentor_hold_days`` is 0. Read-only; raises what the store raises."""
    holds = pair_holds(config, store, (i.pair for i in items), day)
    return [replace(i, on_hold=holds[i.pair].said, last_seen_on=holds[i.pair].since) for i in items if i.pair in holds]


def acked_said(item: QueueItem) -> str:
    """``; acknowledged 2027-03-09, awaiting outcome`` for an acknowledged item, else "" (as ``queue list`` says it)."""
    return f"; acknowledged {item.acked_on.isoformat()}, awaiting outcome" if item.acked_on is not None else ""


def back_item_line(item: QueueItem, label: Callable[[int], str], why: str, day: date, username: str) -> str:
    """The line of ``item`` under a person back from away (``digest_holds.back_lines``): its pair's status and
    ``why`` (its reasons in words), then where it stands at ``day``: acknowledged and awaiting an outcome; due today
    or N day(s) overdue, and escalated from its owner to ``username`` when so; else in the queue again, due on its
    day. Raises nothing."""
    head = f"- {item.status.replace('_', ' ')}: {label(item.mentor_id)} / {label(item.mentee_id)}: {why}"
    if item.acked_on is not None:
        return head + acked_said(item)
    due = item.due_on.isoformat() if item.due_on else "?"
    if item.due_on is None or item.due_on > day:
        return f"{head}; in your queue again, due {due}"
    late = item.overdue_days(day)
    extra = f", escalated from {item.owner}" if item.escalated_to == username and item.owner != username else ""
    return f"{head}; in your queue again, due {due}, {f'{late} day(s) overdue' if late else 'due today'}{extra}"
