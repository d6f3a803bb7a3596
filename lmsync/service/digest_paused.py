"""A coordinator's own paused queue items in their digest: those acknowledged that lmsync paused because their pair
left the programme (tester round 112a, 3), and how many of theirs an ended circle hold paused (112a, 7); the head of
the part that lists those paused, their pair no longer in the programme (``GONE_HEAD``; tester round 114b, 3).

Acknowledged items are paused like open ones (``QueueItem.paused``, tester round 111a, 1), but the digest read the
open items, and the acknowledged ones only while on hold (``digest_acked.acked_on_hold``): an acknowledged item paused
because its mentee was unenrolled reached no digest. And "Held places given up" told the owner that their item stays
paused until they record an outcome, while "Holds ended" (a mentor's circle) told them nothing of theirs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date

from lmsync.service.digest_holds import Hold
from lmsync.store.queue import GONE, QueueItem

#: The head of the digest's part for a coordinator's items paused, their pair no longer in the programme
#: (``count``: how many). It said "nothing is due while they are away" of pairs nobody was away from: a mentee moved
#: to another mentor when their mentor's capacity fell to 0 (tester round 114b, 3); this holds for every reason an
#: item is paused so (``health_gone.why_gone``): nothing is due unless the pair is judged again, back in a circle.
GONE_HEAD = ("Paused, the pair no longer in the programme ({count}; nothing is due unless the pair is back in a "
             "circle; each stays open until an outcome is recorded):")


def paused_since(items: Sequence[QueueItem], awaiting: Sequence[QueueItem], held_acked: Sequence[QueueItem],
                 username: str, me: int, after: date, day: date) -> list[QueueItem]:
    """The items of coordinator ``username`` (Moodle id ``me``; owner or escalated to) lmsync paused in (after, day]
    (their ``last_seen_on``: the day it paused them), never one of a pair with ``me``: of ``items`` (the open ones),
    those paused (``GONE``) or on hold; ``held_acked`` (``digest_acked.acked_on_hold``: acknowledged, on hold, as the
    digest says them); and of ``awaiting`` (acknowledged, without an outcome) the other ones paused, their pair no
    longer in the programme (tester round 112a, 3). Each item once; raises nothing."""
    held = {i.id for i in held_acked}
    acked_gone = [i for i in awaiting if i.status == GONE and i.id not in held]
    return [i for i in [*items, *held_acked, *acked_gone]
            if (i.status == GONE or i.on_hold) and username in (i.owner, i.escalated_to) and me not in i.pair
            and after < i.last_seen_on <= day]


def with_paused_items(holds: Sequence[Hold], theirs: Sequence[QueueItem]) -> list[Hold]:
    """``holds`` with each ended one whose mentor is still away (``Hold.ended_away``) counting in ``in_queue`` the
    items of ``theirs`` (a coordinator's items, open or acknowledged and awaiting an outcome) on its circle that are
    paused (``GONE``: their pair ended with the hold), so "Holds ended" tells the owner they stay paused until an
    outcome is recorded, as "Held places given up" does (tester round 112a, 7). Raises nothing."""
    return [replace(h, in_queue=sum(i.mentor_id == h.mentor_id and i.status == GONE for i in theirs))
            if h.ended_away else h for h in holds]
