"""A coordinator's queue notes stay out of both sides' exports; the queue's tracking goes with its items.

Tester finding (new admin): ``queue ack --note`` text reached the mentor's ``person export`` (a note
about a pair can tell one side the other's private matters), the export left out ``queue_tracking``,
and ``person erase`` left the erased items' tracking rows behind.
"""

from __future__ import annotations

import json
from datetime import date, timedelta

from sqlalchemy import text as sql

from lmsync.domain.health import PairHealth, Reason
from lmsync.service import privacy
from lmsync.service.moodle import emulator_site
from lmsync.store.db import Store
from lmsync.store.health import CoordinatorQueue
from tests.flows.test_privacy import circle_of, config  # noqa: F401  (the fixture)

DAY = date(2026, 11, 2)
ACK_NOTE = "Secret note about Chloe depression"
DONE_NOTE = "Spoke to the mentee's family"


def fading(mentor: int, mentee: int) -> PairHealth:
    reason = (Reason("no_meeting", "fading", "no meeting for 30 days"),)
    return PairHealth(mentor, mentee, "fading", reason, date(2026, 9, 1), date(2026, 10, 1), 30)  # type: ignore[arg-type]


def queue_with_notes(config, mentor: int, mentee: int) -> CoordinatorQueue:  # noqa: F811
    """Two items of the pair: one acked with a note, a later one given an outcome with a note."""
    store = Store(config.store_path())
    queue = CoordinatorQueue(store, "mentor-2026", coordinators=["coord1"])
    assert queue.offer(DAY, fading(mentor, mentee)) == "added"
    assert queue.ack((mentor, mentee), on=DAY, note=ACK_NOTE) is not None
    assert queue.offer(DAY + timedelta(days=30), fading(mentor, mentee)) == "added"
    assert queue.done((mentor, mentee), "met", on=DAY + timedelta(days=31), note=DONE_NOTE) is not None
    return queue


def username_of(config, user_id: int) -> str:  # noqa: F811
    return next(u.username for u in emulator_site(config).users.values() if u.id == user_id)


def test_neither_sides_export_carries_the_coordinators_notes_but_both_keep_the_items(config):  # noqa: F811
    mentee, mentor, _group = circle_of(config, "s0001")
    queue_with_notes(config, mentor, mentee).store.close()

    for who in (username_of(config, mentor), "s0001"):
        data = privacy.export(config, who)
        text = json.dumps(data)
        assert ACK_NOTE not in text and DONE_NOTE not in text
        items = data["coordinator_queue"]
        assert [(i["opened_on"], i["acked_on"], i["note"]) for i in items] == [
            ("2026-11-02", "2026-11-02", None),
            ("2026-12-02", None, None),
        ]
        assert data["withheld"]["coordinator_notes"] == 2


def test_the_export_carries_the_queue_tracking_of_the_persons_pairs(config):  # noqa: F811
    mentee, mentor, _group = circle_of(config, "s0001")
    other, other_mentor, _ = circle_of(config, "s0003")
    queue = queue_with_notes(config, mentor, mentee)
    queue.offer(DAY, fading(other_mentor, other))  # another pair's item: not in s0001's export
    ids = [i.id for i in queue.items((mentor, mentee))]
    queue.store.close()

    tracking = privacy.export(config, "s0001")["queue_tracking"]
    assert [t["item_id"] for t in tracking] == ids
    latest = tracking[-1]
    assert (latest["owner"], latest["outcome"], latest["outcome_on"], latest["followups"]) == (
        "coord1", "met", "2026-12-03", 1,
    )
    assert latest["due_on"] and not any(k in row for row in tracking for k in ("note", "notes"))


def test_erase_leaves_no_tracking_row_of_the_erased_items(config):  # noqa: F811
    mentee, mentor, _group = circle_of(config, "s0001")
    other, other_mentor, _ = circle_of(config, "s0003")
    queue = queue_with_notes(config, mentor, mentee)
    queue.offer(DAY, fading(other_mentor, other))
    queue.store.close()

    counts = privacy.erase(config, "s0001", while_enrolled=True)
    store = Store(config.store_path())
    orphans = store.rows(sql(
        "SELECT t.item_id FROM queue_tracking t LEFT JOIN coordinator_queue q ON q.id = t.item_id WHERE q.id IS NULL"
    ))
    assert list(orphans) == []
    assert len(CoordinatorQueue(store, "mentor-2026").items((other_mentor, other))) == 1  # the other pair's stays
    assert [r.item_id for r in store.rows(sql("SELECT item_id FROM queue_tracking"))] != []
    store.close()
    assert (counts["coordinator_queue"], counts["queue_tracking"]) == (2, 2)


def test_a_not_a_good_fit_mark_is_exported_and_erased_without_its_source(config):  # noqa: F811
    """pair_forbids names both people: exported (its source withheld: a survey answer of one side
    says which side called the pair not a good fit) and erased with them (tester round 6)."""
    from lmsync.store.forbids import PairForbids

    mentee, mentor, _group = circle_of(config, "s0001")
    store = Store(config.store_path())
    assert PairForbids(store, "mentor-2026").mark((mentor, mentee), source="survey", on=DAY)
    store.close()
    for who in (username_of(config, mentor), "s0001"):
        data = privacy.export(config, who)
        assert [(r["marked_on"], r["source"]) for r in data["pair_forbids"]] == [("2026-11-02", None)]
        assert data["withheld"]["not_a_good_fit_source"] == 1
    privacy.erase(config, "s0001", while_enrolled=True)
    store = Store(config.store_path())
    assert PairForbids(store, "mentor-2026").pairs() == {}
    store.close()


def test_round_30_4_a_queue_item_the_other_sides_answers_may_have_opened_is_left_out_of_that_sides_export(
        config):  # noqa: F811
    """A mentor's export listed the queue item of the one pair of his whose mentee rated him low: its
    reasons were withheld, but the item (queued only when fading) told it. It goes whole, with its
    tracking; the mentee's export keeps it, and an item of the mentor's own evidence stays in both."""
    mentee, mentor, _group = circle_of(config, "s0001")
    other, other_mentor, _ = circle_of(config, "s0003")
    store = Store(config.store_path())
    queue = CoordinatorQueue(store, "mentor-2026", coordinators=["coord1"])
    flagged = PairHealth(mentor, mentee, "fading", (
        Reason("meetings_shrinking", "watch", "recent meetings shorter"),
        Reason("satisfaction_low_mentee", "at_risk", "satisfaction low (mentee side)"),
        Reason("several_signals", "fading", "2 warning signs together"),
    ), date(2026, 9, 1), date(2026, 10, 1), 30)  # type: ignore[arg-type]
    assert queue.offer(DAY, flagged) == "added"
    assert queue.offer(DAY, fading(other_mentor, other)) == "added"
    store.close()

    mentors = privacy.export(config, username_of(config, mentor))
    assert mentors["coordinator_queue"] == [] and mentors["queue_tracking"] == []
    assert "satisfaction" not in json.dumps(mentors["coordinator_queue"])
    assert any("other side's answers" in line for line in mentors["never_exported"])
    mentees = privacy.export(config, "s0001")
    assert [i["mentor_id"] for i in mentees["coordinator_queue"]] == [mentor] and len(mentees["queue_tracking"]) == 1
    own = privacy.export(config, "s0003")  # no-meeting evidence is both sides': kept
    assert len(own["coordinator_queue"]) == 1 and len(own["queue_tracking"]) == 1
