"""Tester round 87a, 5: one mistyped Feedback response made every ``lmsync run`` partial for good.

A mentor's meeting-log response with ``meeting_date = "2027-13-01"`` made each run's feedback step
say ``partial ... user #75's response (attempt 102): meeting_date: <value> is not a real calendar
date`` and exit 1; the response stays in Moodle, so it never cleared, and the daemon backed off
(the wait doubling up to 6 h), slowing enrolment changes and nudges for the rest of the term. The
line also named "user #75" where every view names people.

Now the first run that finds the response says it (partial, exit 1) naming its respondent as views
do, the item, and the fix; a later run that finds it unchanged still lists and counts it ("1 response
still unreadable since DAY") but it is a known input problem: the step is ok (exit 0) and the daemon
keeps its interval. A response edited since (still unreadable) is said anew.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest

from lmsync.domain.plan import mentor_of_idnumber
from lmsync.errors import EXIT_OK, EXIT_PARTIAL
from lmsync.moodle.emulator.demo import build_demo_site
from lmsync.moodle.emulator.records import FeedbackCompleted
from lmsync.service.cycle import cycle_job
from lmsync.service.jobs import StopFlag, daemon_loop
from tests.flows.conftest import demo_config

PROGRAMME = "mentor-2026"
TODAY = datetime.now(UTC).date()
ATTEMPT = 102
STEPS = ("sync", "feedback")  # the steps the response touches: the others' outcomes aside


def noon(day_offset: int) -> datetime:
    return datetime.combine(TODAY + timedelta(days=day_offset), datetime.min.time(), tzinfo=UTC) + timedelta(hours=12)


def run(config, site, day_offset: int, **options):
    return cycle_job(config, site=site, now=noon(day_offset), as_of=TODAY + timedelta(days=day_offset),
                     allow_mass_nudge=True, **options)


@pytest.fixture
def mistyped(tmp_path, monkeypatch):
    """A synced demo site whose Meeting log holds one response of a mentor dated ``2027-13-01``."""
    config = demo_config(tmp_path, monkeypatch, 'timezone = "Europe/London"\n',
                         '[meetings]\nfeedback = "Meeting log"\n[meetings.items]\nminutes = "meeting_minutes"\n'
                         'date = "meeting_date"\n')
    site = build_demo_site()
    assert run(config, site, 0).step("sync").state == "ok"
    mentor = min(m for g in site.groups.values() if (m := mentor_of_idnumber(PROGRAMME, g.idnumber)) is not None)
    log = next(f for f in site.feedbacks.values() if f.name == "Meeting log")
    log.completeds[:] = [FeedbackCompleted(ATTEMPT, mentor, int(noon(0).timestamp()), {6: "2027-13-01", 7: "45"})]
    return config, site, mentor, log


def test_round_87a_5_a_known_unreadable_response_is_listed_but_no_longer_keeps_the_run_partial(mistyped):
    config, site, mentor, _log = mistyped
    user = site.users[mentor]
    first = run(config, site, 1)
    said = first.step("feedback")
    assert (said.state, said.exit_code) == ("partial", EXIT_PARTIAL), said.summary
    # who (as views name people, not "user #75"), which response and item, what is wrong, how to fix
    assert f"{user.firstname} {user.lastname} ({user.username})'s response (attempt {ATTEMPT})" in said.summary
    assert "user #" not in said.summary
    assert "meeting_date" in said.summary and "is not a real calendar date" in said.summary
    assert "lmsync meetings add" in said.summary and "delete" in said.summary
    assert "2027-13-01" not in said.summary  # what was typed stays out of the line (tester round 57, 2)
    assert f"user #{mentor}'s response" in said.logged and user.lastname not in said.logged  # logs carry ids

    again = run(config, site, 2)
    known = again.step("feedback")
    assert (known.state, known.exit_code) == ("ok", EXIT_OK), known.summary
    assert f"1 response still not stored since {(TODAY + timedelta(days=1)).isoformat()}" in known.summary
    assert f"({user.username})'s response (attempt {ATTEMPT})" in known.summary  # still listed, so nobody forgets
    assert known.counts["problems"] == 1 and known.counts["still_unreadable"] == 1
    alone = run(config, site, 3, steps=STEPS)  # the run's code, the other steps aside
    assert alone.exit_code == EXIT_OK and "1 response still not stored" in alone.step("feedback").summary


def test_round_87a_5_a_response_edited_and_still_unreadable_is_said_anew(mistyped):
    config, site, _mentor, log = mistyped
    assert run(config, site, 1).step("feedback").state == "partial"
    assert run(config, site, 2).step("feedback").state == "ok"
    log.completeds[0].values[6] = "2027-14-01"  # the mentor edits it: Moodle's modified time moves too
    log.completeds[0].timemodified = int(noon(2).timestamp())
    edited = run(config, site, 3).step("feedback")
    assert (edited.state, edited.exit_code) == ("partial", EXIT_PARTIAL), edited.summary
    assert "still not stored" not in edited.summary
    log.completeds[0].values[6] = (TODAY + timedelta(days=2)).isoformat()  # mended: stored, nothing said
    mended = run(config, site, 4).step("feedback")
    assert (mended.state, mended.exit_code) == ("ok", EXIT_OK) and "unreadable" not in mended.summary, mended.summary


def test_round_87a_5_the_daemon_does_not_back_off_for_a_response_it_already_said(mistyped):
    """The wait doubled on every run (up to 6 h) while the response stayed in Moodle."""
    config, site, _mentor, _log = mistyped
    days = iter(range(1, 10))
    sleeps: list[float] = []

    def one_run(cfg, **options):
        return run(cfg, site, next(days), should_stop=options.get("should_stop"), steps=STEPS)

    code = daemon_loop(config, 900, StopFlag(threading.Event()), run=one_run, max_runs=3, sleep=sleeps.append,
                       clock=lambda: 0.0)
    assert sleeps == [1800, 900]  # backed off once, after the run that said it; then the interval again
    assert code == EXIT_OK
