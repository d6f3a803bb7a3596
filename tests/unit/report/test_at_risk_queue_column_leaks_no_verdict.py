"""The at-risk table's queue column told a mentor their mentee's verdict (tester finding after round 94b).

lmsync queues fading pairs only, judged with both sides' answers; the report shows the status judged without one
side's own answers. A pair fading only through the mentee's falling satisfaction (plus "several signals") read
"at_risk ... open since 2026-11-24" while every other at-risk row read "not queued": the queue gave away a status
those answers had made worse. Now a row shows its item only beside a status lmsync queues whatever anyone answered
(fading), with no date, and every other row the same words, queued or not.
"""

from __future__ import annotations

from datetime import date, timedelta

from lmsync.config import Config
from lmsync.domain.health import PairHealth, Reason, shared_view
from lmsync.domain.health.status import _judge
from lmsync.service.health_inputs import thresholds
from lmsync.service.labels import People
from lmsync.service.report_sections import QUEUE_NOT_SHOWN, at_risk_table
from lmsync.store.db import Store
from lmsync.store.health import CoordinatorQueue
from lmsync.store.report import FlaggedPair, QueueState, flagged_pairs, queue_states
from lmsync.store.snapshots import HealthSnapshots

DAY = date(2026, 12, 6)
T = thresholds(Config())
NO_MEETING = Reason("no_meeting", "at_risk", "no meeting for 50 days", 45, "rhythm")
FALLING = Reason("satisfaction_falling_mentee", "at_risk", "satisfaction falling (mentee side)", 45, "satisfaction")
SILENT = Reason("no_meeting", "fading", "no meeting for 80 days", 70, "rhythm")


def _health(mentee: int, *reasons: Reason) -> PairHealth:
    status, score, judged = _judge(reasons, T)
    shared = shared_view(judged, T)
    return PairHealth(66, mentee, status, judged, date(2026, 9, 1), date(2026, 10, 17), 50, score,
                      shared_status=None if shared == status else shared)


def _cells(table, mentee: int) -> tuple:  # the row less its people
    (row,) = [row for row in table.rows if f"#{mentee} " in row[1]]
    return row[2:]


def test_a_pair_queued_only_because_of_one_sides_answers_reads_like_a_pair_never_queued():
    store = Store.memory()
    try:
        queue = CoordinatorQueue(store, "p", coordinators=["ann"])
        escalated, plain = _health(1, NO_MEETING, FALLING), _health(2, NO_MEETING)
        assert (escalated.status, escalated.shared_status) == ("fading", "at_risk")  # fading by the answers alone
        assert (plain.status, plain.shared_status) == ("at_risk", None)
        HealthSnapshots(store, "p").replace_day(DAY, [escalated, plain])
        assert queue.offer(DAY - timedelta(days=12), escalated) == "added"  # as `lmsync health` queues fading pairs
        flagged = flagged_pairs(store, "p", DAY, ("at_risk", "fading"))
        table = at_risk_table(flagged, queue_states(store, "p"), People({}), DAY, DAY)
    finally:
        store.close()
    assert _cells(table, 1) == _cells(table, 2)
    assert _cells(table, 1)[0] == "at_risk" and "lmsync queue list" in _cells(table, 1)[-1]
    # one text beside both, no item state (round 110a, 3: that text says they are not queued for being at risk)
    assert all(row[-1] == QUEUE_NOT_SHOWN for row in table.rows)
    assert "open" not in str(table.rows) and "2026-11-24" not in str(table.rows)


def test_every_queue_state_beside_a_pair_shown_at_risk_reads_the_same():
    """Open, acknowledged, closed, met, paused, opened by hand or by lmsync, or none: one text beside them all."""
    opened = date(2026, 11, 24)
    items = [None,
             QueueState(opened, opened, None),
             QueueState(opened, opened, None, "met", opened + timedelta(days=2)),
             QueueState(opened, opened, None, status="gone", paused_on=opened + timedelta(days=3)),
             QueueState(opened, opened, opened + timedelta(days=1)),
             QueueState(opened, opened, opened + timedelta(days=4), "met", opened + timedelta(days=2)),
             QueueState(opened, opened, opened + timedelta(days=4), "no_action", opened + timedelta(days=4))]
    flagged = [FlaggedPair(66, n, "fading", date(2026, 10, 17), (("no_meeting", "no meeting for 50 days"),
                                                                 ("satisfaction_falling_mentee", "falling"),
                                                                 ("several_signals", "2 warning signs together")),
                           shared_status="at_risk")
               for n in range(len(items))]
    queue = {(66, n): item for n, item in enumerate(items) if item is not None}
    table = at_risk_table(flagged, queue, People({}), DAY, DAY)
    assert len(table.rows) == len(items)
    assert len({row[2:] for row in table.rows}) == 1, [row[-1] for row in table.rows]
    assert table.rows[0][2:4] == ("at_risk", "2026-10-17") and "lmsync queue list" in table.rows[0][-1]


def test_an_item_kept_open_while_the_pair_improved_gives_no_day_when_the_shared_view_calls_it_fading_too():
    """Queued on 2026-11-24 while fading by the mentee's answers alone, at risk a while, then fading without them:
    "open since 2026-11-24", a day the report had shown it at risk, told the verdict; it reads as a pair queued the
    day it was first shown fading."""
    store = Store.memory()
    try:
        queue = CoordinatorQueue(store, "p", coordinators=["ann"])
        early = date(2026, 11, 24)
        assert queue.offer(early, _health(1, NO_MEETING, FALLING)) == "added"
        now = [_health(1, SILENT), _health(2, SILENT)]
        HealthSnapshots(store, "p").replace_day(DAY, now)
        assert queue.offer(DAY, now[0]) == "updated"  # the item of 2026-11-24, still open
        assert queue.offer(DAY, now[1]) == "added"
        table = at_risk_table(flagged_pairs(store, "p", DAY, ("at_risk", "fading")), queue_states(store, "p"),
                              People({}), DAY, DAY)
    finally:
        store.close()
    assert _cells(table, 1) == _cells(table, 2)
    assert _cells(table, 1)[0] == "fading" and _cells(table, 1)[-1] == "open"
    assert "2026-11-24" not in str(table.rows) and DAY.isoformat() not in str([row[-1] for row in table.rows])
