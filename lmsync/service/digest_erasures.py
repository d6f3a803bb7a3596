"""What the coordinators' digest says of erasures since a coordinator's last digest, each said once and naming no one:
the holds an erasure ended (``digest_hold_ends``; tester round 117c, 2) and the queue items they followed that an
erasure removed (``digest_queue_ends``; tester round 118b, 3). Both compare the journal's latest id at the erasure
with that of the coordinator's last digest sent, read once per digest run.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from lmsync.config import Config
from lmsync.service.digest_hold_ends import HoldEndsTold
from lmsync.service.digest_queue_ends import QueueEndsTold
from lmsync.store.db import Store


@dataclass(frozen=True)
class ErasuresTold:
    """The digest's parts on erasures: ``holds`` (ended early) and ``items`` (queue items removed)."""

    holds: HoldEndsTold
    items: QueueEndsTold

    @classmethod
    def read(cls, config: Config, store: Store, day: date, last: dict[int, int]) -> ErasuresTold:
        """Two reads of the store; ``last``: each coordinator's last digest sent (Moodle id -> its journal id), as the
        digest run read it once (``store.zeroed_grades.last_digest_entries``). Raises what the store raises."""
        return cls(HoldEndsTold.read(config, store, day, last),
                   QueueEndsTold.read(store, config.programme.name, day, last))

    def text(self, username: str, me: int) -> str:
        """Their parts of the digest (holds ended, then queue items removed), or ""."""
        return self.holds.text(username, me) + self.items.text(username, me)

    def counts(self, username: str, me: int) -> tuple[int, int]:
        """(holds ended, queue items removed) since coordinator ``username`` (Moodle id ``me``) was last sent a
        digest: the digest's ``hold_ends`` and ``queue_ends``."""
        return len(self.holds.ends_for(username, me)), self.items.items(username, me)
