"""Tester round 88a, 6: a meeting-log response dated long before its pair existed (``2025-01-01``) was stored without
the word a CSV import or ``meetings add`` gives ("dated before the pair began: kept, but no grade counts it"). The
run's feedback line now says it, once: on the read that first stores it, with the response to look at."""

from __future__ import annotations

import time
from contextlib import contextmanager
from datetime import UTC, date, datetime

from lmsync.domain.ownership import mentor_of_idnumber
from lmsync.moodle.emulator.demo import build_demo_site
from lmsync.moodle.emulator.state import FeedbackCompleted
from lmsync.service.cycle_feedback import feedback_step
from lmsync.service.moodle import open_moodle
from lmsync.service.sync import run_sync
from lmsync.store.db import Store
from tests.flows.test_tester_round_87a_4_feedback_dates import PROGRAMME, config_for


@contextmanager
def _synced(tmp_path):
    """The demo site synced with a store under ``tmp_path``: (site, config, store, Moodle connection), closed after."""
    site = build_demo_site()
    config = config_for(tmp_path)
    store = Store(config.store_path())
    try:
        with open_moodle(config, site=site) as conn:
            assert run_sync(conn.api, config, store).converged
            yield site, config, store, conn
    finally:
        store.close()


def _a_pair(site):
    group = next(g for g in site.groups.values() if mentor_of_idnumber(PROGRAMME, g.idnumber) is not None
                 and len(g.members) > 1)
    mentor = mentor_of_idnumber(PROGRAMME, group.idnumber)
    return mentor, min(group.members - {mentor})


def test_a_meeting_log_response_dated_before_its_pair_began_is_said_once(tmp_path):
    today = datetime.now(UTC).date()  # the pairing history dates the pairs by the wall clock
    with _synced(tmp_path) as (site, config, store, conn):
        mentor, mentee = _a_pair(site)
        log_form = next(f for f in site.feedbacks.values() if f.name == "Meeting log")
        log_form.completeds[:] = [FeedbackCompleted(300, mentee, int(time.time()), {6: "2025-01-01", 7: "45"})]
        first = feedback_step(conn.api, config, store, today, {})
        assert (first.state, first.exit_code) == ("ok", 0), first.summary
        assert "1 meeting(s) dated when their pair did not exist, kept but counted in no grade" in first.summary
        assert "(first: 2025-01-01, dated before the pair began (" in first.summary
        assert "response attempt 300)" in first.summary and first.counts["dated_outside_their_pair"] == 1
        again = feedback_step(conn.api, config, store, today, {})  # nothing new stored: nothing said again
        assert again.state == "ok" and "did not exist" not in again.summary
        # a meeting inside the pair's days says nothing
        log_form.completeds.append(FeedbackCompleted(301, mentee, int(time.time()), {6: today.isoformat(), 7: "30"}))
        inside = feedback_step(conn.api, config, store, today, {})
        assert "1 row(s) stored" in inside.summary and "did not exist" not in inside.summary
    assert date(2025, 1, 1) < today


def test_round_90a_7_a_meeting_both_sides_logged_is_said_as_such_with_its_own_fix(tmp_path):
    """The run called a response whose meeting the other side logged first "unreadable", and told the coordinator to
    record the meeting with `lmsync meetings add`, which refuses a meeting already stored."""
    today = datetime.now(UTC).date()
    with _synced(tmp_path) as (site, config, store, conn):
        mentor, mentee = _a_pair(site)
        log_form = next(f for f in site.feedbacks.values() if f.name == "Meeting log")
        now = int(time.time())
        log_form.completeds[:] = [FeedbackCompleted(300, mentor, now, {6: today.isoformat(), 7: "45"}),
                                  FeedbackCompleted(301, mentee, now, {6: today.isoformat(), 7: "40"})]
        first = feedback_step(conn.api, config, store, today, {})
        assert first.state == "partial" and "logged by both sides" in first.summary, first.summary
        assert "unreadable" not in first.summary and "meetings add" not in first.summary
        assert "attempt 301" in first.summary and "delete the other response in Moodle" in first.summary
        again = feedback_step(conn.api, config, store, today, {})
        assert again.state == "ok" and "1 response still not stored since" in again.summary, again.summary


def test_more_than_ten_meetings_both_sides_logged_are_not_called_unreadable(tmp_path):
    """The run told a response's "unreadable" fix when only meetings logged by both sides were left out, as soon as
    there were more than ten of them: the warnings list ten and a "1 more" line, which the step read as a response it
    could not read (it searched the warnings' words; now it counts them where they are made)."""
    today = datetime.now(UTC).date()
    with _synced(tmp_path) as (site, config, store, conn):
        pairs = [(mentor_of_idnumber(PROGRAMME, g.idnumber), member) for g in site.groups.values()
                 if mentor_of_idnumber(PROGRAMME, g.idnumber) is not None
                 for member in sorted(g.members - {mentor_of_idnumber(PROGRAMME, g.idnumber)})][:11]
        assert len(pairs) == 11
        log_form = next(f for f in site.feedbacks.values() if f.name == "Meeting log")
        now = int(time.time())
        log_form.completeds[:] = [FeedbackCompleted(300 + 2 * i + side, who, now, {6: today.isoformat(), 7: "45"})
                                  for i, pair in enumerate(pairs) for side, who in enumerate(pair)]
        first = feedback_step(conn.api, config, store, today, {})
        assert first.state == "partial" and first.counts["problems"] == 11, first.summary
        assert "1 more response(s) with a problem" in first.summary
        assert "fix: its respondent corrects" not in first.summary and "unreadable" not in first.summary
