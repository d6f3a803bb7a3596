"""Which pairs a coordinator had ended on a day: a closure counts only from the day it was recorded.

``ended_on(store, programme, day, now=...)`` -> ``set[(mentor_id, mentee_id)]``:

- ``day`` on or after ``now`` (the programme's today): the pairs ``established.ended_by_coordinator`` names,
  as every view of today decides them.
- an earlier ``day`` (``lmsync health --as-of``, ``lmsync nudge --dry-run --as-of``): the pairs whose latest
  queue item opened on or before ``day`` was closed with ``queue done --outcome closed`` on or before it (its
  outcome day, or for an item without one its acknowledgement day), as the report's ``--as-of`` reads the
  queue (``lmsync.store.report.queue_states(until=day)`` and ``report_sections.ended``).

No errors of its own: the store's, as the store raises them.

Source: tester finding (fix E2): a closure recorded today made ``health --as-of`` of an earlier day count the
pair as ended and leave it out of the pairs needing attention, and ``nudge --dry-run --as-of`` count it as
"closed as ended by a coordinator", while ``pair show`` and ``report --as-of`` showed it fading that day.
"""

from __future__ import annotations

from datetime import date

from lmsync.service.established import ended_by_coordinator
from lmsync.service.report_sections import ended
from lmsync.store.db import Store
from lmsync.store.report import queue_states


def ended_on(store: Store, programme: str, day: date, *, now: date) -> set[tuple[int, int]]:
    """The pairs a coordinator had ended on ``day`` (see the module's docstring); ``now``: the programme's today."""
    if day >= now:
        return ended_by_coordinator(store, programme)
    return {pair for pair, state in queue_states(store, programme, until=day).items() if ended(state)}
