"""the Feedback meeting log records who logged each meeting (``rated_by``, revision 0004), on the emulator.

The submitter of a response (``attempt.user_id``) is the mentor or the mentee of the pairs it
logs; the store keeps that side, a row stored before the side was known gets it on the next
read, and the log line counts meetings per side, never a rating.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import update

from lmsync.domain.plan import mentor_of_idnumber
from lmsync.moodle.emulator.demo import build_demo_site
from lmsync.moodle.emulator.records import FeedbackCompleted
from lmsync.store import schema
from lmsync.store.db import Store
from lmsync.store.meetings import MeetingRepository
from tests.flows.test_feedback_history_guard import PROGRAMME, TODAY, make_config, noon, run


def stored(config) -> dict[tuple[str, int, int], str | None]:
    store = Store(config.store_path())
    try:
        return {
            (m.date.isoformat(), m.mentor_id, m.mentee_id): m.rated_by
            for m in MeetingRepository(store, PROGRAMME).meetings(source="feedback")
        }
    finally:
        store.close()


@pytest.fixture
def read(tmp_path, monkeypatch):
    """A synced site: two mentees log a meeting on day 3, a mentor logs one with all their mentees on day 4."""
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    site = build_demo_site()
    config = make_config(tmp_path)
    assert run(config, site, 0).step("sync").state == "ok"
    circles = {
        mentor: sorted(m for m in g.members if m != mentor)
        for g in site.groups.values()
        if (mentor := mentor_of_idnumber(PROGRAMME, g.idnumber)) is not None
    }
    mentor, mentees = next((k, v) for k, v in sorted(circles.items()) if len(v) >= 2)
    other = next(v[0] for k, v in sorted(circles.items()) if k != mentor and v)
    day3, day4 = ((TODAY + timedelta(days=d)).isoformat() for d in (3, 4))
    log = next(f for f in site.feedbacks.values() if f.name == "Meeting log")
    log.completeds[:] = [
        FeedbackCompleted(600, mentees[0], int(noon(3).timestamp()), {6: day3, 7: "45"}),
        FeedbackCompleted(601, other, int(noon(3).timestamp()), {6: day3, 7: "30"}),
        FeedbackCompleted(602, mentor, int(noon(4).timestamp()), {6: day4, 7: "50"}),
    ]
    result = run(config, site, 5)
    assert result.step("feedback").state == "ok", result.step("feedback").summary
    return site, config, mentor, mentees, other, (day3, day4)


def test_the_feedback_read_records_the_submitters_side_for_each_meeting(read):
    _site, config, mentor, mentees, other, (day3, day4) = read
    sides = stored(config)
    assert sides[(day3, mentor, mentees[0])] == "mentee"
    assert [sides[(day4, mentor, m)] for m in mentees] == ["mentor"] * len(mentees)  # one response, each pair
    assert [side for (day, _, mentee), side in sides.items() if mentee == other] == ["mentee"]
    assert None not in sides.values()


def test_a_meeting_stored_before_the_side_was_known_gets_it_on_the_next_read(read):
    site, config, mentor, mentees, _other, (day3, _day4) = read
    store = Store(config.store_path())
    try:
        rows = MeetingRepository(store, PROGRAMME).find(source="feedback")
        with store.transaction() as conn:  # as an lmsync before revision 0004 stored them: no side, its hash
            for row in rows:
                old = replace(row.meeting, rated_by=None)
                conn.write(update(schema.meetings).where(schema.meetings.c.id == row.id)
                           .values(rated_by=None, content_hash=old.content_hash))
    finally:
        store.close()
    assert set(stored(config).values()) == {None}
    again = run(config, site, 6)
    feedback = again.step("feedback")
    assert feedback.state == "ok", feedback.summary
    # every row learns its side (a changed row: written again), in place: none added, none removed
    assert (feedback.counts["stored"], feedback.counts["removed"]) == (len(rows), 0)
    assert len(stored(config)) == len(rows)
    assert stored(config)[(day3, mentor, mentees[0])] == "mentee"
    assert None not in stored(config).values()
