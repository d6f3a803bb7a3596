"""Tester round 102a, 6: the run's feedback step counted a response about a meeting the other side of its pair
logged first as unreadable: the line said ``2 responses still not stored since DAY`` and the JSON
``"still_unreadable": 2``, where one of the two was read well enough (its row is not stored: "logged by both
sides"). The counts now say what they count: ``still_not_stored`` (the line's figure), of them
``still_unreadable`` and ``still_logged_by_both_sides``, and the line says which is which."""

from __future__ import annotations

import time
from datetime import UTC, datetime

from lmsync.moodle.emulator.state import FeedbackCompleted
from lmsync.service.cycle_feedback import feedback_step
from tests.flows.test_tester_round_88a_6_feedback_outside_pair import _a_pair, _synced


def _read_twice(tmp_path, unreadable: bool):
    """The meeting log holding one meeting logged by both sides (and, with ``unreadable``, a response with a date
    that is no date), read by the run's feedback step twice: the second read's step."""
    today = datetime.now(UTC).date()
    with _synced(tmp_path) as (site, config, store, conn):
        mentor, mentee = _a_pair(site)
        log_form = next(f for f in site.feedbacks.values() if f.name == "Meeting log")
        now = int(time.time())
        log_form.completeds[:] = [FeedbackCompleted(300, mentor, now, {6: today.isoformat(), 7: "45"}),
                                  FeedbackCompleted(301, mentee, now, {6: today.isoformat(), 7: "40"})]  # both sides
        if unreadable:
            log_form.completeds.append(FeedbackCompleted(302, mentor, now, {6: "2027-13-01", 7: "30"}))
        first = feedback_step(conn.api, config, store, today, {})
        assert first.state == "partial" and first.counts["problems"] == 1 + unreadable, first.summary
        return today, feedback_step(conn.api, config, store, today, {})


def test_a_response_both_sides_logged_is_not_counted_unreadable(tmp_path):
    today, again = _read_twice(tmp_path, unreadable=True)
    assert again.state == "ok", again.summary
    assert (f"2 responses still not stored since {today.isoformat()} (1 unreadable, 1 about a meeting logged by "
            "both sides)") in again.summary, again.summary
    counts = again.counts
    assert (counts["still_not_stored"], counts["still_unreadable"], counts["still_logged_by_both_sides"]) == (2, 1, 1)


def test_only_both_sides_responses_are_not_said_unreadable(tmp_path):
    _today, again = _read_twice(tmp_path, unreadable=False)
    assert "1 response still not stored since" in again.summary and "unreadable" not in again.summary, again.summary
    assert (again.counts["still_unreadable"], again.counts["still_logged_by_both_sides"]) == (0, 1)
