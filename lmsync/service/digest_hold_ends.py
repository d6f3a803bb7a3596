"""The coordinators' digest on circles whose hold an erasure ended early, said once (tester round 117c, 2).

Erasing a mentor who is away ends their circle's hold, and the next sync matches its mentees with other mentors who
have room. The digest had said "Circles held while their mentor is away ...: held until ...", and after the erasure
nothing more: a coordinator believed the circle still held. The erasure keeps a record naming no one
(``store.hold_ends``); each coordinator (``[health] coordinators``) is told of it in their next digest sent, once: the
day and how many mentees the circle held, never who (nothing ties the mentees to the erased mentor). Those the match
left without a mentor are named where the digest names every mentee newly without one (``mentees_alone``). A
coordinator never sent a digest before is told of those of today and yesterday only, as of the other holds
(``digest_holds.holds_since``). ``[health] escalate_to`` is told only of what escalated to them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Protocol, TypeVar

from lmsync.config import Config
from lmsync.store.db import Store
from lmsync.store.hold_ends import HoldEnd, hold_ends_of


class _Recorded(Protocol):
    """A record of an erasure's end: its day and the journal's latest id then (``HoldEnd``, ``QueueEnd``)."""

    @property
    def day(self) -> date: ...

    @property
    def journal_mark(self) -> int: ...


_End = TypeVar("_End", bound=_Recorded)


def since_last_digest(ends: Sequence[_End], last: Mapping[int, int], me: int, day: date) -> list[_End]:
    """The ``ends`` recorded since Moodle user ``me`` was last sent a digest (``last``: Moodle id -> its journal id):
    those recorded when the journal's latest entry was their last digest's or an earlier one; never sent one, those
    of ``day`` and the day before. Shared by the holds ended and the queue items removed (tester rounds 117c, 2;
    118b, 3)."""
    after = last.get(me)
    if after is None:
        return [e for e in ends if day - timedelta(days=1) <= e.day <= day]
    return [e for e in ends if e.journal_mark >= after]


#: The head of the digest's part (the flow test of tester round 117c, 2 finds it by these words).
HEAD = "Holds ended early since your last digest"


@dataclass(frozen=True)
class HoldEndsTold:
    """The holds erasures ended (``store.hold_ends.hold_ends_of``), each coordinator's last digest sent (Moodle id ->
    its journal id: ``store.zeroed_grades.last_digest_entries``) and today, read once per digest run;
    ``coordinators``: ``[health] coordinators``."""

    ends: list[HoldEnd]
    last: dict[int, int]
    coordinators: frozenset[str]
    day: date

    @classmethod
    def read(cls, config: Config, store: Store, day: date, last: dict[int, int]) -> HoldEndsTold:
        """One read of the store; ``last``: each coordinator's last digest sent, as the digest run read it once
        (``store.zeroed_grades.last_digest_entries``). Raises what the store raises."""
        return cls(hold_ends_of(store, config.programme.name), last, frozenset(config.health.coordinators), day)

    def ends_for(self, username: str, me: int) -> list[HoldEnd]:
        """The holds ended since coordinator ``username`` (Moodle id ``me``) was last sent a digest: those recorded
        when the journal's latest entry was their last digest's or an earlier one; never sent one, those of today
        and yesterday. None for one not of ``[health] coordinators``."""
        if username not in self.coordinators:
            return []
        return since_last_digest(self.ends, self.last, me, self.day)

    def text(self, username: str, me: int) -> str:
        """The digest's part for them ("\\n\\nHolds ended early since your last digest ..."), or "" when there is
        nothing to say. Names no one."""
        ends = self.ends_for(username, me)
        if not ends:
            return ""
        lines = ["", "", f"{HEAD} ({len(ends)}; the circle's mentor, away, was erased with `lmsync person erase`, "
                         "which ends the hold; lmsync keeps nothing that ties the circle to them):"]
        for e in ends:
            what = (f"its {e.mentees} mentee(s) are matched with other mentors who have room at the first sync after "
                    'it; any it leaves without a mentor are named under "Newly without a mentor"' if e.mentees
                    else "it held no mentee")
            lines.append(f"- a circle held while its mentor was away, no longer held from {e.day.isoformat()}: {what}")
        return "\n".join(lines)
