"""The report's "at risk today" queue column says what the coordinator did (tester round 8, 2):
an item closed with ``queue done`` was shown as "acknowledged" as if still in hand."""

from __future__ import annotations

from datetime import date

from lmsync.domain.health import PairHealth, Reason
from lmsync.service.labels import People
from lmsync.service.report_sections import at_risk_table
from lmsync.store.db import Store
from lmsync.store.health import CoordinatorQueue
from lmsync.store.report import flagged_pairs, queue_states
from lmsync.store.snapshots import HealthSnapshots

DAY = date(2026, 11, 20)


def _fading(mentee: int) -> PairHealth:
    return PairHealth(66, mentee, "fading", (Reason("no_meeting", "fading", "no meeting for 40 days"),),
                      date(2026, 9, 1), date(2026, 10, 10), 0)


def test_tester_round_8_2_a_closed_item_reads_closed_with_its_outcome_not_acknowledged():
    store = Store.memory()
    queue = CoordinatorQueue(store, "p", coordinators=["ann"])
    pairs = [_fading(mentee) for mentee in (1, 2, 3, 4)]
    HealthSnapshots(store, "p").replace_day(DAY, pairs)
    for pair in pairs:
        assert queue.offer(DAY, pair) == "added"
    queue.ack((66, 2), on=date(2026, 11, 21))
    queue.ack((66, 3), on=date(2026, 11, 21))
    queue.done((66, 3), "closed", on=date(2026, 11, 23))
    queue.done((66, 4), "met", on=date(2026, 11, 24))
    table = at_risk_table(flagged_pairs(store, "p", DAY, ("fading",)), queue_states(store, "p"), People({}))
    states = {row[1].split(" ")[1]: row[5] for row in table.rows}  # "user #1 (not in the course)"
    assert states == {
        "#1": "open since 2026-11-20",
        "#2": "acknowledged 2026-11-21, no outcome yet",
        "#3": "closed 2026-11-23, outcome closed",
        "#4": "open since 2026-11-20, outcome met 2026-11-24",
    }
