"""Tester R44b-3: a queue item whose pair is no longer in the programme (an account or enrolment
suspended, an enrolment ended, the mentee re-matched) stayed due for ever: overdue, escalated and in the
digest every day. ``CoordinatorQueue.pause_gone`` pauses it (status ``gone``, a note saying why): never due
nor escalated, open for any outcome, and as it was when the pair comes back (round 46, 3 and 5: closing it
had wiped the escalation clock and the owner, and refused a coordinator's ``met``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pytest

from lmsync.domain.health import PairHealth, Reason
from lmsync.service.established import ended_by_coordinator
from lmsync.service.health_gone import Circles, pause_gone, why_gone
from lmsync.store.db import Store
from lmsync.store.queue import GONE

from .test_queue import fading, queue

DAY = date(2026, 12, 1)
LATER = DAY + timedelta(days=30)  # past the first due date (14 days) and escalate_after_days


@pytest.fixture
def store():
    db = Store.memory()
    yield db
    db.close()


WHY = "the mentee is no longer active in the course (enrolment suspended, ended, or unenrolled)"


def _why(pair: tuple[int, int]) -> str:
    return WHY


def test_an_open_item_of_a_pair_gone_is_paused_with_why_never_due_nor_escalated_and_open(store):
    q = queue(store)
    q.offer(DAY, fading(3))
    q.offer(DAY, fading(4))
    (paused,) = q.pause_gone(LATER, {(66, 4)}, _why)
    assert paused.pair == (66, 3) and paused.status == GONE and paused.paused and paused.acked_on is None
    assert paused.outcome is None and paused.overdue_days(LATER + timedelta(days=9)) == 0
    assert paused.note == f"paused by lmsync on {LATER.isoformat()}: the pair is no longer in the programme ({WHY})"
    assert paused.gone_why == WHY
    assert [i.pair for i in q.open_items()] == [(66, 3), (66, 4)]  # still listed
    assert [i.pair for i in q.escalate(LATER, "chief", after_days=7)] == [(66, 4)]
    assert q.pause_gone(LATER + timedelta(days=1), {(66, 4)}, _why) == []  # paused once, one note
    assert ended_by_coordinator(store, "p") == set()


def test_a_coordinator_records_any_outcome_on_a_paused_item(store):
    """Round 46, 5: lmsync's closing refused `queue done --outcome met` and `queue ack` said it was acknowledged."""
    q = queue(store)
    for mentee in (3, 4, 5):
        q.offer(DAY, fading(mentee))
    q.pause_gone(LATER, set(), _why)
    assert q.ack((66, 3), on=LATER, note="phoned") is not None
    met = q.done((66, 4), "met", on=LATER, note="phoned Amira")
    assert met is not None and met.outcome == "met" and met.followups >= 1 and met.due_on > LATER
    assert q.done((66, 5), "closed", on=LATER) is not None
    assert ended_by_coordinator(store, "p") == {(66, 5)}
    assert q.close_recovered(LATER, set()) == []  # a paused met item is not taken for recovered


def test_coordinator_closed_items_are_left_as_they_are_and_an_acknowledged_one_is_paused(store):
    """Tester round 111a, 1: an item acknowledged and awaiting its outcome stayed ``fading`` as a live pair when its
    pair ended; it is paused as an open one is, its ack kept, once."""
    q = queue(store)
    for mentee in (3, 4, 5, 6):
        q.offer(DAY, fading(mentee))
    q.done((66, 3), "rematched", on=DAY + timedelta(days=1))
    q.done((66, 4), "closed", on=DAY + timedelta(days=1))
    q.done((66, 5), "no_action", on=DAY + timedelta(days=1))
    q.ack((66, 6), on=DAY + timedelta(days=1))  # awaiting its outcome
    before = {i.id: i for i in q.items()}
    (paused,) = q.pause_gone(LATER, set(), _why)
    assert paused.pair == (66, 6) and paused.status == GONE and paused.paused and paused.gone_why == WHY
    assert paused.acked_on == DAY + timedelta(days=1) and paused.outcome is None and paused.last_seen_on == LATER
    assert [i for i in q.items() if i.id != paused.id] == [i for i in before.values() if i.id != paused.id]
    assert q.awaiting_outcome() == [paused]
    assert q.pause_gone(LATER + timedelta(days=1), set(), _why) == []  # paused once, one note
    from lmsync.store.snapshots import HealthSnapshots

    HealthSnapshots(store, "p").replace_day(LATER + timedelta(days=2), [fading(6)])
    q.pause_gone(LATER + timedelta(days=2), {(66, 6)}, _why)  # back, judged: its status again, its ack kept
    (back,) = q.awaiting_outcome()
    assert back.status == "fading" and not back.paused and back.acked_on == paused.acked_on
    assert [i.status for i in q.items() if i.id == back.id] == ["fading"]  # as stored too
    assert back.note is not None and back.note.endswith(f"; back in the programme on {LATER + timedelta(days=2)}")


def test_round_111a_1_why_a_paused_item_is_paused_leaves_out_a_coordinators_later_note(store):
    q = queue(store)
    q.offer(DAY, fading(3))
    q.pause_gone(LATER, set(), _why)
    met = q.done((66, 3), "met", on=LATER, note="phoned them / both away")
    assert met is not None and met.paused and met.gone_why == WHY, met.note


def test_a_pair_back_keeps_its_item_due_date_owner_and_escalation(store):
    """Round 46, 3: a day's suspension opened a new item, not overdue and owned by another coordinator."""
    q = queue(store)
    q.offer(DAY, fading(3))
    (item,) = q.open_items()
    assert [i.pair for i in q.escalate(LATER, "chief", after_days=7)] == [(66, 3)]
    q.pause_gone(LATER, set(), _why)
    back = LATER + timedelta(days=1)
    assert q.offer(back, fading(3)) == "updated"
    (again,) = q.open_items()
    assert again.id == item.id and again.status == "fading" and again.owner == item.owner
    # its due date moves on by the day it was paused (tester round 65, 4); its escalation stays
    assert again.due_on == item.due_on + timedelta(days=1) and again.escalated_to == "chief" and again.overdue_days(back) > 0
    assert again.gone_why is None


def test_a_pair_back_and_no_longer_fading_shows_its_status_from_its_snapshot(store):
    from lmsync.store.snapshots import HealthSnapshots

    q = queue(store)
    q.offer(DAY, fading(3))
    HealthSnapshots(store, "p").replace_day(DAY, [fading(3)])
    q.pause_gone(LATER, set(), _why)
    (paused,) = q.open_items()
    assert paused.status == GONE  # the snapshot from before it left no longer speaks for it
    back = LATER + timedelta(days=1)
    ok = PairHealth(66, 3, "ok", (), date(2026, 9, 1), back, 0)
    HealthSnapshots(store, "p").replace_day(back, [ok])
    (shown,) = q.open_items()
    assert shown.status == "recovered" and shown.overdue_days(back + timedelta(days=30)) == 0
    assert q.items()[0].status == GONE  # as stored, until the next health run sees the pair in its circle
    assert q.pause_gone(back, {(66, 3)}, _why) == []
    (stored,) = q.items()
    assert stored.status == "recovered" and stored.gone_why is None


@dataclass(frozen=True)
class User:
    username: str
    suspended: bool | None = False


def test_why_gone_says_what_moodle_tells_of_each_side_and_of_the_circles():
    roster = {66: User("m"), 70: User("m2"), 3: User("s3"), 5: User("s5", suspended=True), 6: User("t6"),
              7: User("s7"), 8: User("s8")}
    circles = Circles({66: frozenset({7, 6}), 70: frozenset({8})}, outsiders=frozenset({6}))
    assert why_gone((66, 4), roster, circles) == WHY
    assert why_gone((99, 3), roster, circles) == WHY.replace("mentee", "mentor")
    assert why_gone((66, 5), roster, circles) == "the mentee's Moodle account is suspended"
    assert why_gone((66, 6), roster, circles) == "the mentee no longer has a mentor or mentee role in the course"
    assert why_gone((66, 8), roster, circles) == "the mentee is now in another mentor's circle"
    assert why_gone((71, 3), {**roster, 71: User("m3")}, circles) == "the mentor no longer has a circle"
    assert why_gone((66, 3), roster, circles) == "the mentee is no longer in the mentor's circle"


def test_round_113_1_a_re_matched_mentee_is_said_first_and_a_paused_items_why_follows_the_day(store):
    """Tester round 113, 1: the mentor away, their mentee re-matched, then the mentor back: the item kept "the mentor
    is no longer active in the course". The re-match is said first, and a changed why is noted once, that day."""
    circles = Circles({66: frozenset(), 70: frozenset({3})})
    roster = {70: User("m2"), 3: User("s3")}
    assert why_gone((66, 3), roster, circles) == ("the mentee is now in another mentor's circle; "
                                                  + WHY.replace("mentee", "mentor"))
    q = queue(store)
    q.offer(DAY, fading(3))
    (paused,) = pause_gone(q, LATER, {(70, 3)}, roster, circles)
    assert paused.gone_why == "the mentee is now in another mentor's circle; " + WHY.replace("mentee", "mentor")
    back = LATER + timedelta(days=3)
    for day in (back, back + timedelta(days=1)):  # the mentor back: noted once
        assert pause_gone(q, day, {(70, 3)}, {**roster, 66: User("m")}, circles) == []
    (item,) = q.open_items()
    assert item.gone_why == "the mentee is now in another mentor's circle", item.note
    assert (item.note or "").count("paused by lmsync on ") == 2 and item.last_seen_on == LATER, item.note


def test_no_item_is_paused_when_the_course_holds_no_lmsync_circle_or_no_pair_was_judged(store):
    """No circle (before the first sync, or the grouping deleted by hand), or circles whose members came back
    empty (a capability lost on the web-service role, as tester round 27's empty profile fields): nothing
    tells a pair gone from one not seen, so nothing is paused."""
    q = queue(store)
    q.offer(DAY, fading(3))
    assert pause_gone(q, LATER, set(), {}, Circles()) == []
    assert pause_gone(q, LATER, set(), {66: User("m")}, Circles({66: frozenset(), 67: frozenset()})) == []
    assert [i.status for i in q.open_items()] == ["fading"]
    (paused,) = pause_gone(q, LATER, {(67, 4)}, {66: User("m")}, Circles({66: frozenset(), 67: frozenset({4})}))
    assert paused.gone_why == WHY


def test_the_health_step_stores_a_returned_pairs_status_even_when_no_other_pair_is_gone(store):
    """Back and judged at risk (not fading, so not offered again), its item showed its status from the
    snapshot but kept ``gone`` as stored: the step only wrote back when some other item was being paused."""
    from lmsync.store.snapshots import HealthSnapshots

    q = queue(store)
    q.offer(DAY, fading(3))
    pause_gone(q, LATER, {(67, 4)}, {66: User("m")}, Circles({66: frozenset(), 67: frozenset({4})}))
    back = LATER + timedelta(days=1)
    at_risk = PairHealth(66, 3, "at_risk", (Reason("no_meeting", "at_risk", "no meeting for 6 weeks"),),
                         date(2026, 9, 1), back, 40)
    HealthSnapshots(store, "p").replace_day(back, [at_risk])
    everyone = Circles({66: frozenset({3}), 67: frozenset({4})})
    assert pause_gone(q, back, {(66, 3), (67, 4)}, {66: User("m"), 3: User("s3")}, everyone) == []
    (stored,) = q.items()
    assert stored.status == "at_risk" and stored.gone_why is None


def test_the_report_shows_a_paused_item_open_and_paused_not_ended(store):
    from lmsync.service.labels import People
    from lmsync.service.report_sections import at_risk_table, ended_pairs
    from lmsync.store.report import flagged_pairs, queue_states
    from lmsync.store.snapshots import HealthSnapshots

    q = queue(store)
    q.offer(DAY, fading(3))
    HealthSnapshots(store, "p").replace_day(DAY, [fading(3)])
    q.pause_gone(DAY + timedelta(days=2), set(), _why)
    flagged, states = flagged_pairs(store, "p", DAY, ("fading",)), queue_states(store, "p")
    assert ended_pairs(flagged, states) == set()
    rows = {row[1]: row[5] for row in at_risk_table(flagged, states, People({})).rows}
    # shown beside a fading pair only, without dates (tester finding after round 94b: beside a pair at risk, an
    # item told its mentor that the mentee's answers had made it fading)
    assert rows == {"user #3 (not in the course)": "open, paused: the pair had left the programme"}


def test_round_86b_2_a_paused_item_back_keeps_the_due_date_a_met_moved_on_by_the_days_paused(store):
    """Met on day 10 (due day 28, its second follow-up date), paused on day 28, back on day 35: due day 35 (28 + 7),
    not day 21 (its first due date, 14, + 7), 14 days overdue and escalated the day the student came back."""
    q = queue(store)
    q.offer(DAY, fading(3))
    met = q.done((66, 3), "met", on=DAY + timedelta(days=10))
    assert met is not None and met.due_on == DAY + timedelta(days=28)
    q.pause_gone(DAY + timedelta(days=28), {(66, 4)}, _why)
    assert q.offer(DAY + timedelta(days=35), fading(3)) == "updated"
    (item,) = q.open_items()
    assert item.due_on == DAY + timedelta(days=35) and item.overdue_days(DAY + timedelta(days=35)) == 0
