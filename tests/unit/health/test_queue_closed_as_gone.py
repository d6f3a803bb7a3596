"""Tester R44b-3: a queue item whose pair is no longer in the programme (an account or enrolment
suspended, an enrolment ended, the mentee re-matched) stayed open for ever, overdue, escalated and in the
digest every day. ``CoordinatorQueue.close_gone`` closes it with the outcome ``closed``, status ``gone``
and a note saying why; unlike a coordinator's ``closed`` it does not end the pair."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pytest

from lmsync.domain.health import PairHealth, Reason
from lmsync.service.established import ended_by_coordinator
from lmsync.service.health_gone import Circles, close_gone, why_gone
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


WHY = "the mentee is no longer actively enrolled in the course: enrolment suspended, ended or removed"


def test_an_open_item_of_a_pair_gone_is_closed_with_why_and_no_longer_due_nor_escalated(store):
    q = queue(store)
    q.offer(DAY, fading(3))
    q.offer(DAY, fading(4))
    (closed,) = q.close_gone(LATER, {(66, 4)}, {(66, 3): WHY})
    assert closed.pair == (66, 3) and closed.outcome == "closed" and closed.status == GONE
    assert closed.acked_on == LATER and closed.outcome_on == LATER and closed.overdue_days(LATER + timedelta(days=9)) == 0
    assert closed.note == f"closed by lmsync on {LATER.isoformat()}: the pair is no longer in the programme ({WHY})"
    assert closed.closed_as_gone and not closed.ended_by_coordinator and closed.gone_why == WHY
    assert [i.pair for i in q.open_items()] == [(66, 4)]  # the pair still in the programme keeps its item
    assert [i.pair for i in q.escalate(LATER, "chief", after_days=7)] == [(66, 4)]
    assert q.close_gone(LATER + timedelta(days=1), {(66, 4)}, {}) == []  # closed once


def test_an_item_acknowledged_and_awaiting_its_outcome_keeps_its_ack_and_its_note(store):
    q = queue(store)
    q.offer(DAY, fading(3))
    q.ack((66, 3), on=DAY + timedelta(days=2), note="calling the mentee")
    assert [i.pair for i in q.awaiting_outcome()] == [(66, 3)]
    (closed,) = q.close_gone(LATER, set(), {(66, 3): "the mentee's Moodle account is suspended"})
    assert closed.acked_on == DAY + timedelta(days=2) and closed.outcome == "closed" and closed.outcome_on == LATER
    assert closed.note == (f"calling the mentee / closed by lmsync on {LATER.isoformat()}: the pair is no longer in "
                           "the programme (the mentee's Moodle account is suspended)")
    assert closed.gone_why == "the mentee's Moodle account is suspended"
    assert q.awaiting_outcome() == [] and q.open_items() == []
    assert q.done((66, 3), "met", on=LATER) is None  # nothing left for a follow-up


def test_a_met_item_of_a_pair_gone_is_closed_as_gone_not_as_recovered(store):
    q = queue(store)
    q.offer(DAY, fading(3))
    q.done((66, 3), "met", on=DAY + timedelta(days=3), note="coffee")
    (closed,) = q.close_gone(LATER, set(), {(66, 3): WHY})
    assert closed.outcome == "closed" and closed.status == GONE and closed.followups == 1
    assert closed.note is not None and closed.note.startswith("coffee / closed by lmsync on ")
    assert q.close_recovered(LATER, set()) == []


def test_items_a_coordinator_closed_are_left_as_they_are(store):
    q = queue(store)
    for mentee in (3, 4, 5):
        q.offer(DAY, fading(mentee))
    q.done((66, 3), "rematched", on=DAY + timedelta(days=1))
    q.done((66, 4), "closed", on=DAY + timedelta(days=1))
    q.done((66, 5), "no_action", on=DAY + timedelta(days=1))
    before = q.items()
    assert q.close_gone(LATER, set(), {}) == []
    assert q.items() == before
    assert ended_by_coordinator(store, "p") == {(66, 4)}


def test_a_pair_back_and_fading_is_queued_again_at_once_and_not_counted_as_ended(store):
    q = queue(store)
    q.offer(DAY, fading(3))
    q.close_gone(DAY + timedelta(days=5), set(), {(66, 3): WHY})
    assert ended_by_coordinator(store, "p") == set()  # nudged and brought back to its mentor as any pair
    assert q.offer(DAY + timedelta(days=6), fading(3)) == "added"  # not "ended", not "snoozed" by lmsync's closing
    (again,) = q.open_items()
    assert again.opened_on == DAY + timedelta(days=6) and again.outcome is None and again.owner in ("ann", "bob")
    # a coordinator's own closed still ends the pair for good
    q.done((66, 3), "closed", on=DAY + timedelta(days=7))
    assert ended_by_coordinator(store, "p") == {(66, 3)} and q.offer(DAY + timedelta(days=8), fading(3)) == "ended"


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


def test_no_item_is_closed_when_the_course_holds_no_lmsync_circle_or_no_pair_was_judged(store):
    """No circle (before the first sync, or the grouping deleted by hand), or circles whose members came back
    empty (a capability lost on the web-service role, as trap-like as tester round 27's empty profile
    fields): nothing tells a pair gone from one not seen, so nothing is closed."""
    q = queue(store)
    q.offer(DAY, fading(3))
    assert close_gone(q, LATER, set(), {}, Circles()) == []
    assert close_gone(q, LATER, set(), {66: User("m")}, Circles({66: frozenset(), 67: frozenset()})) == []
    assert [i.pair for i in q.open_items()] == [(66, 3)]
    (closed,) = close_gone(q, LATER, {(67, 4)}, {66: User("m")}, Circles({66: frozenset(), 67: frozenset({4})}))
    assert closed.gone_why == WHY


def test_the_report_does_not_count_a_pair_back_after_lmsync_closed_its_item_as_ended(store):
    """Back in its circle and at risk (no new item: only fading pairs are queued), its latest item is the one
    lmsync closed: the report listed it as a pair a coordinator ended, waiting for no one."""
    from lmsync.service.labels import People
    from lmsync.service.report_sections import at_risk_table, ended_pairs
    from lmsync.store.report import flagged_pairs, queue_states
    from lmsync.store.snapshots import HealthSnapshots

    q = queue(store)
    q.offer(DAY, fading(3))
    q.offer(DAY, fading(4))
    q.close_gone(DAY + timedelta(days=2), {(66, 4)}, {(66, 3): WHY})
    q.done((66, 4), "closed", on=DAY + timedelta(days=2))
    back = DAY + timedelta(days=9)
    at_risk = [PairHealth(66, m, "at_risk", (Reason("no_meeting", "at_risk", "no meeting for 6 weeks"),),
                          date(2026, 9, 1), date(2026, 10, 20), 40) for m in (3, 4)]
    HealthSnapshots(store, "p").replace_day(back, at_risk)
    flagged, states = flagged_pairs(store, "p", back, ("at_risk",)), queue_states(store, "p")
    assert ended_pairs(flagged, states) == {(66, 4)}
    rows = {row[1]: row[5] for row in at_risk_table(flagged, states, People({})).rows}
    assert rows == {"user #3 (not in the course)": "closed 2026-12-03 by lmsync: the pair had left the programme"}
