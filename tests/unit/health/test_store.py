"""Snapshots, the coordinator queue and the nudge log in SQLite; one person's data across them."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from lmsync.domain.health import PairHealth, Reason
from lmsync.store.db import Store
from lmsync.store.health import CoordinatorQueue, HealthSnapshots, NudgeLog
from lmsync.store.surveys import erase_person, export_person

DAY = date(2026, 12, 1)


def health(mentee: int, status: str = "fading", mentor: int = 66, code: str = "no_meeting") -> PairHealth:
    reasons = () if status in ("ok", "new") else (Reason(code, "fading", f"{code} words"),)
    return PairHealth(mentor, mentee, status, reasons, date(2026, 9, 1), date(2026, 10, 1), 61)  # type: ignore[arg-type]


@pytest.fixture
def store():
    db = Store.memory()
    yield db
    db.close()


def test_a_day_has_one_row_per_pair_and_a_rerun_replaces_it(store):
    snaps = HealthSnapshots(store, "p")
    assert snaps.replace_day(DAY, [health(3), health(4, "ok")]) == 2
    snaps.replace_day(DAY, [health(3, "at_risk", code="meetings_short")])
    rows = snaps.rows(day=DAY)
    # the pair judged again is replaced; the pair judged earlier that day and not now keeps its row (87a, 7d)
    assert [(r.mentee_id, r.status, r.reasons) for r in rows] == [
        (3, "at_risk", (("meetings_short", "meetings_short words"),)), (4, "ok", ()),
    ]
    snaps.replace_day(DAY + timedelta(days=1), [health(3), health(4, "ok")])
    assert len(snaps.rows()) == 4
    assert snaps.first_seen() == {(66, 3): DAY, (66, 4): DAY}
    assert HealthSnapshots(store, "other").rows() == []


def test_a_fading_pair_is_queued_once_until_acknowledged(store):
    queue = CoordinatorQueue(store, "p")
    assert queue.offer(DAY, health(3)) == "added"
    assert queue.offer(DAY + timedelta(days=1), health(3, code="meetings_missed")) == "updated"
    (item,) = queue.open_items()
    assert (item.pair, item.opened_on, item.last_seen_on) == ((66, 3), DAY, DAY + timedelta(days=1))
    assert item.reasons == (("meetings_missed", "meetings_missed words"),)
    closed = queue.ack((66, 3), on=DAY + timedelta(days=2), note="called both")
    assert closed is not None and closed.note == "called both" and closed.acked_on == DAY + timedelta(days=2)
    assert queue.open_items() == []
    assert queue.ack((66, 3), on=DAY) is None


def test_an_acknowledged_pair_returns_after_the_snooze_or_after_a_relapse(store):
    queue = CoordinatorQueue(store, "p", requeue_after_days=28)
    snaps = HealthSnapshots(store, "p")
    queue.offer(DAY, health(3))
    queue.ack((66, 3), on=DAY)
    assert queue.offer(DAY + timedelta(days=7), health(3)) == "snoozed"
    assert queue.offer(DAY + timedelta(days=28), health(3)) == "added"

    queue.offer(DAY, health(4))
    queue.ack((66, 4), on=DAY)
    snaps.replace_day(DAY + timedelta(days=3), [health(4, "ok")])  # recovered, then fading again
    assert queue.offer(DAY + timedelta(days=5), health(4)) == "added"
    assert sorted(i.mentee_id for i in queue.open_items()) == [3, 4]


def test_the_nudge_log_keeps_the_latest_attempt_whatever_its_outcome(store):
    log = NudgeLog(store, "p")
    assert log.latest(66, 3, 66) is None
    with store.transaction() as conn:
        first = log.intent(conn, mentor_id=66, mentee_id=3, recipient_id=66, day=DAY, kind="no_meeting")
    log.finish(first, "failed", error="You can't message this user")
    with store.transaction() as conn:
        second = log.intent(
            conn, mentor_id=66, mentee_id=3, recipient_id=66, day=DAY + timedelta(days=14), kind="x"
        )
    latest = log.latest(66, 3, 66)
    assert latest is not None and (latest.id, latest.state, latest.day) == (
        second,
        "intent",
        DAY + timedelta(days=14),
    )
    assert [r.error for r in log.records(day=DAY)] == ["You can't message this user"]
    assert log.latest(66, 3, 3) is None


def test_export_and_erase_cover_health_queue_and_nudges(store):
    HealthSnapshots(store, "p").replace_day(DAY, [health(3), health(4)])
    CoordinatorQueue(store, "p").offer(DAY, health(3))
    log = NudgeLog(store, "p")
    with store.transaction() as conn:
        log.intent(conn, mentor_id=66, mentee_id=3, recipient_id=3, day=DAY, kind="no_meeting")
        log.intent(conn, mentor_id=66, mentee_id=4, recipient_id=66, day=DAY, kind="no_meeting")
    data = export_person(store, 3)
    assert [r["mentee_id"] for r in data["health_snapshots"]] == [3]
    assert [r["mentee_id"] for r in data["coordinator_queue"]] == [3]
    assert [r["recipient_id"] for r in data["nudges"]] == [3]
    mentor = export_person(store, 66)
    assert (len(mentor["health_snapshots"]), len(mentor["nudges"])) == (2, 2)

    counts = erase_person(store, 3)
    assert (counts["health_snapshots"], counts["coordinator_queue"], counts["nudges"]) == (1, 1, 1)
    after = export_person(store, 3)
    assert after["health_snapshots"] == after["coordinator_queue"] == after["nudges"] == []
    assert len(export_person(store, 4)["nudges"]) == 1


def test_export_and_erase_take_the_tracking_of_the_persons_queue_items_and_no_other(store):
    queue = CoordinatorQueue(store, "p", coordinators=["coord1"])
    queue.offer(DAY, health(3))
    queue.offer(DAY, health(4))
    queue.done((66, 3), "rematched", on=DAY + timedelta(days=1), note="moved to another mentor")
    (mine,), (theirs,) = queue.items((66, 3)), queue.items((66, 4))
    tracking = export_person(store, 3)["queue_tracking"]
    assert [(t["item_id"], t["owner"], t["outcome"], t["outcome_on"]) for t in tracking] == [
        (mine.id, "coord1", "rematched", "2026-12-02")
    ]
    assert [t["item_id"] for t in export_person(store, 66)["queue_tracking"]] == [mine.id, theirs.id]

    assert erase_person(store, 3)["queue_tracking"] == 1
    assert [t["item_id"] for t in export_person(store, 66)["queue_tracking"]] == [theirs.id]  # no orphan left
    assert [i.id for i in queue.items()] == [theirs.id]


@pytest.mark.parametrize("outcome", ["met", "closed", "no_action"])
def test_tester_round_7_2_an_outcome_note_is_added_to_the_ack_note_not_put_in_its_place(store, outcome):
    queue = CoordinatorQueue(store, "p")
    assert queue.offer(DAY, health(3)) == "added"
    queue.ack((66, 3), on=DAY, note="mentee disclosed family illness")
    done = queue.done((66, 3), outcome, on=DAY + timedelta(days=1), note="met the mentee")
    # a met reopens the item: its ack's day kept in the note (tester round 113, 6)
    kept = f" / acknowledged on {DAY.isoformat()}, met on {(DAY + timedelta(days=1)).isoformat()}" if outcome == "met" else ""
    assert done is not None and done.note == f"mentee disclosed family illness{kept} / met the mentee"
    again = queue.done((66, 3), "no_action", on=DAY + timedelta(days=2)) if outcome == "met" else done
    assert again is not None and again.note == f"mentee disclosed family illness{kept} / met the mentee"  # no note: kept


def test_round_11_6_an_item_awaiting_its_outcome_gets_a_coordinator_when_its_owner_is_gone(store):
    before = CoordinatorQueue(store, "p", coordinators=["carl"])
    assert before.offer(DAY, health(3)) == "added"
    assert before.ack((66, 3), on=DAY) is not None  # acknowledged, no outcome yet
    assert [i.owner for i in before.awaiting_outcome()] == ["carl"]
    after = CoordinatorQueue(store, "p", coordinators=["ann"])  # carl left (and was erased)
    assert [(i.pair, i.owner) for i in after.reassign()] == [((66, 3), "ann")]
    assert [i.owner for i in after.awaiting_outcome()] == ["ann"]
