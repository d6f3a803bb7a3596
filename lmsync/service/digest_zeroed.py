"""The coordinators' digest on grades written as 0 with no meeting behind them, said once (tester round 117c, 4).

A push writes a meeting grade lmsync published that no meeting backs any more as 0 (an erasure took the meetings:
``lmsync.service.grades_zeroed``). Each coordinator (``[health] coordinators``) is told in their next digest sent, once:
how many people's grades were written so since their last digest sent (since the store began, before their first),
and that a teacher may grade them by hand in Moodle, which lmsync then leaves alone. The part counts them and lists
no one (the gradebook shows who reads 0; the digest's other parts may name the same people for their own reasons:
tester round 118b, 4); the erased person is never named. ``[health] escalate_to`` is told only of what escalated to them.
"""

from __future__ import annotations

from dataclasses import dataclass

from lmsync.config import Config
from lmsync.service.grades_zeroed import WHY
from lmsync.store.db import Store
from lmsync.store.zeroed_grades import last_digest_entries, zeroed_writes


@dataclass(frozen=True)
class ZeroedTold:
    """The grades written as 0 (``store.zeroed_grades.zeroed_writes``: journal id, people) and each coordinator's last
    digest sent (Moodle id -> its journal id), read once per digest run; ``coordinators``: ``[health] coordinators``."""

    writes: list[tuple[int, list[int]]]
    last: dict[int, int]
    coordinators: frozenset[str]

    @classmethod
    def read(cls, config: Config, store: Store) -> ZeroedTold:
        """Two reads of the store; raises what the store raises."""
        programme = config.programme.name
        return cls(zeroed_writes(store, programme), last_digest_entries(store, programme),
                   frozenset(config.health.coordinators))

    def people(self, username: str, me: int) -> int:
        """How many people's grades were written as 0 since coordinator ``username`` (Moodle id ``me``) was last sent
        a digest; 0 for one not of ``[health] coordinators``."""
        if username not in self.coordinators:
            return 0
        after = self.last.get(me, 0)
        return len({u for entry, users in self.writes if entry > after for u in users})

    def text(self, username: str, me: int) -> str:
        """The digest's part for them ("\\n\\nMeeting grades written as 0 ..."), or "" when there is nothing to say."""
        count = self.people(username, me)
        if not count:
            return ""
        who = "1 person" if count == 1 else f"{count} people"
        return (f"\n\nMeeting grades written as 0 since your last digest ({who}; their grades read 0 in Moodle's "
                f"gradebook): {WHY}.")
