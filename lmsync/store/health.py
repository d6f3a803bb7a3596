"""Stored pair health, one name for the modules that keep it (issue 13).

Small repositories over the tables of migration 004 and revision 0003, each in its module:

* ``lmsync.store.snapshots``: daily snapshots, each pair's history (and when lmsync first saw it);
* ``lmsync.store.queue``: the coordinator queue, fading pairs held until a coordinator acts,
  with owners, due dates and outcomes (``queue_tracking``);
* ``lmsync.store.messages``: the nudge and digest logs, what keeps a person from being told
  twice inside the interval, even across crashes (a row is written before the send);
* ``lmsync.store.forbids``: pairs marked not a good fit.

This module re-exports them, so ``from lmsync.store.health import ...`` keeps working.
"""

from __future__ import annotations

from lmsync.store.forbids import PairForbids
from lmsync.store.messages import SITE_WIDE_ERRORS, DigestLog, DigestRecord, NudgeLog, NudgeRecord
from lmsync.store.queue import OUTCOMES, CoordinatorQueue, QueueItem, due_date
from lmsync.store.snapshots import HealthSnapshots, SnapshotRow

__all__ = [
    "OUTCOMES",
    "SITE_WIDE_ERRORS",
    "CoordinatorQueue",
    "DigestLog",
    "DigestRecord",
    "HealthSnapshots",
    "NudgeLog",
    "NudgeRecord",
    "PairForbids",
    "QueueItem",
    "SnapshotRow",
    "due_date",
]
