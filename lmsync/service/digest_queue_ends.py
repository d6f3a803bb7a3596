"""The coordinators' digest on the queue items they followed that an erasure removed, said once (tester round 118b, 3).

``lmsync person erase`` takes every queue item of the erased person's pairs: an open one, and one a coordinator
acknowledged (``queue ack``: "I am on it") and still followed, awaiting an outcome. It went from ``queue list``
without a word, and the coordinator following it was never told. The erasure keeps, per coordinator following any
(the item's owner, or whom it escalated to: ``queue ack`` records no one else), a count naming no pair
(``store.queue_ends``); their next digest sent says it, once: how many items, how many of them acknowledged, and the
day of the erasure, never whose (nothing ties the count to the erased person). Open items are counted too: the digest
had listed them as due or overdue, and they vanished as silently. A coordinator never sent a digest before is told of
those of today and yesterday only, as of a hold an erasure ended (``digest_hold_ends``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from lmsync.service.digest_hold_ends import since_last_digest
from lmsync.store.db import Store
from lmsync.store.queue_ends import QueueEnd, queue_ends_of

#: The head of the digest's part (the flow test of tester round 118b, 3 finds it by these words).
HEAD = "Queue items removed by an erasure since your last digest"


@dataclass(frozen=True)
class QueueEndsTold:
    """The removals erasures made of each coordinator's items (username, lower case -> ``store.queue_ends.QueueEnd``,
    oldest first), each coordinator's last digest sent (Moodle id -> its journal id:
    ``store.zeroed_grades.last_digest_entries``) and today, read once per digest run."""

    ends: dict[str, list[QueueEnd]]
    last: dict[int, int]
    day: date

    @classmethod
    def read(cls, store: Store, programme: str, day: date, last: dict[int, int]) -> QueueEndsTold:
        """One read of the store; ``last`` as the digest run read it once. Raises what the store raises."""
        return cls(queue_ends_of(store, programme), last, day)

    def ends_for(self, username: str, me: int) -> list[QueueEnd]:
        """The removals of ``username``'s items (Moodle id ``me``) since they were last sent a digest: those recorded
        when the journal's latest entry was their last digest's or an earlier one; never sent one, those of today and
        yesterday."""
        return since_last_digest(self.ends.get(username.strip().lower(), []), self.last, me, self.day)

    def items(self, username: str, me: int) -> int:
        """How many of their items erasures removed since their last digest (the digest's count)."""
        return sum(e.items for e in self.ends_for(username, me))

    def text(self, username: str, me: int) -> str:
        """The digest's part for them ("\\n\\nQueue items removed by an erasure ..."), one line per day of an erasure,
        or "" when there is nothing to say. Names no one."""
        ends = self.ends_for(username, me)
        if not ends:
            return ""
        days: dict[date, list[int]] = {}
        for e in ends:
            counts = days.setdefault(e.day, [0, 0])
            counts[0] += e.items
            counts[1] += e.acknowledged
        lines = ["", "", f"{HEAD} ({sum(n for n, _ in days.values())}; `lmsync person erase` took them with the rest "
                         "of their pair's records; lmsync keeps nothing about them, so there is no outcome to record):"]
        for day, (items, acked) in sorted(days.items()):
            said = "1 queue item you were following (" if items == 1 else f"{items} queue items you were following ("
            lines.append(f"- {said}{_kinds(items, acked)}) {'was' if items == 1 else 'were'} removed by an erasure on "
                         f"{day.isoformat()}")
        return "\n".join(lines)


def _kinds(items: int, acked: int) -> str:
    """"acknowledged", "open", or "N acknowledged, M open"."""
    if acked == items:
        return "acknowledged"
    return "open" if not acked else f"{acked} acknowledged, {items - acked} open"
