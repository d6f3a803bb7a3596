"""Tester round 115b, 3 and 5: the run's feedback line when ``[meetings.items]`` does not match the Meeting log
form, and its "still not stored since DAY".

3: a configuration without ``[meetings.items]`` (labels ``minutes`` and ``date``) over the emulator's "Meeting log"
(items labelled ``meeting_minutes`` and ``meeting_date``) made ``lmsync run`` blame every response ("minutes: <value>
is not a whole number of minutes; ... fix: its respondent corrects the response in Moodle ...", exit 2) while the
answers were good and ``lmsync doctor`` named the real cause. Now the line says doctor's words once, with the fix (set
``[meetings.items]`` to the form's labels), blames no response, and nothing is read, stored, removed or counted
unreadable meanwhile.

5: "3 responses still not stored since 2026-10-09 (said before)" gave the group's earliest day while one of the
three was first found a day later; the line now says the day is the first of them.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import requests

from lmsync.domain.plan import mentor_of_idnumber
from lmsync.errors import EXIT_ADMIN, EXIT_OK
from lmsync.moodle.api import MoodleApi
from lmsync.moodle.emulator import EMULATOR_URL, EmulatorAdapter
from lmsync.moodle.emulator.demo import DEMO_TOKEN, build_demo_site
from lmsync.moodle.emulator.records import FeedbackCompleted
from lmsync.moodle.transport import Transport
from lmsync.secrets import Token
from lmsync.service.cycle import cycle_job
from lmsync.service.doctor import run_doctor
from lmsync.store.db import Store
from lmsync.store.meetings import MeetingRepository
from lmsync.store.unreadable_responses import UnreadableResponses
from tests.flows.conftest import demo_config

PROGRAMME = "mentor-2026"
TODAY = datetime.now(UTC).date()
RIGHT = '[meetings]\nfeedback = "Meeting log"\n[meetings.items]\nminutes = "meeting_minutes"\ndate = "meeting_date"\n'
DEFAULTS = '[meetings]\nfeedback = "Meeting log"\n'  # labels minutes and date: not the form's


def noon(day_offset: int) -> datetime:
    return datetime.combine(TODAY + timedelta(days=day_offset), datetime.min.time(), tzinfo=UTC) + timedelta(hours=12)


def run(config, site, day_offset: int):
    return cycle_job(config, site=site, now=noon(day_offset), as_of=TODAY + timedelta(days=day_offset),
                     allow_mass_nudge=True)


def doctor_fail(site, config) -> str:
    session = requests.Session()
    session.mount(EMULATOR_URL, EmulatorAdapter(site))
    api = MoodleApi(Transport(EMULATOR_URL, Token(DEMO_TOKEN), session=session, sleep=lambda _s: None))
    (detail,) = [c.detail for c in run_doctor(api, config).checks if c.status == "fail" and c.name.startswith("meeting log")]
    return detail


@pytest.fixture
def logged(tmp_path, monkeypatch):
    """A synced demo site whose Meeting log holds one good response of each of three mentors; ``config(text)``."""
    def config(more: str):
        return demo_config(tmp_path, monkeypatch, "", more)

    site = build_demo_site()
    assert run(config(RIGHT), site, 0).step("sync").state == "ok"
    mentors = sorted({m for g in site.groups.values() if (m := mentor_of_idnumber(PROGRAMME, g.idnumber)) is not None})
    log = next(f for f in site.feedbacks.values() if f.name == "Meeting log")
    log.completeds[:] = [FeedbackCompleted(900 + n, mentor, int(noon(0).timestamp()), {6: TODAY.isoformat(), 7: "45"})
                         for n, mentor in enumerate(mentors[:3])]
    return config, site, mentors[:3], log


def stored(config) -> list:
    store = Store(config.store_path())
    try:
        return sorted((m.date, m.mentor_id, m.mentee_id, m.minutes) for m in MeetingRepository(store, PROGRAMME).meetings(source="feedback"))
    finally:
        store.close()


def unreadable(config) -> dict:
    store = Store(config.store_path())
    try:
        return UnreadableResponses(store, PROGRAMME).since()
    finally:
        store.close()


def test_round_115b_3_labels_the_form_lacks_are_said_once_and_no_response_is_blamed(logged):
    config, site, mentors, _log = logged
    right = run(config(RIGHT), site, 1).step("feedback")
    assert right.state == "ok" and right.counts["stored"] >= 3, right.summary
    before = stored(config(RIGHT))

    wrong_config = config(DEFAULTS)
    step = run(wrong_config, site, 2).step("feedback")
    assert (step.state, step.exit_code) == ("failed", EXIT_ADMIN), step.summary
    said = doctor_fail(site, wrong_config)  # "no item labelled 'minutes' ([meetings.items] minutes): ..."
    assert step.summary.count(said) == 1, step.summary  # doctor's words, once
    assert "[meetings.items]" in step.summary and "'meeting_minutes'" in step.summary  # the fix: the form's labels
    assert "'date'" in step.summary  # the date label, wrong too, said with it: one edit mends both
    assert "response (attempt" not in step.summary and "corrects the response" not in step.summary, step.summary
    assert "not a whole number" not in step.summary
    assert step.counts["problems"] == 0 and step.counts["warnings"] == 1 and step.counts["failures"] == 1
    assert stored(wrong_config) == before and unreadable(wrong_config) == {}  # nothing stored, removed nor blamed

    mended = run(config(RIGHT), site, 3).step("feedback")
    assert (mended.state, mended.exit_code) == ("ok", EXIT_OK), mended.summary
    assert "still not stored" not in mended.summary and stored(config(RIGHT)) == before


def test_round_115b_3_a_first_read_with_the_wrong_labels_stores_nothing(logged):
    config, site, _mentors, _log = logged
    wrong_config = config(DEFAULTS)
    step = run(wrong_config, site, 1).step("feedback")
    assert step.state == "failed" and "no item labelled 'minutes' ([meetings.items] minutes)" in step.summary
    assert stored(wrong_config) == [] and unreadable(wrong_config) == {}
    assert "fix: set [meetings.items] to the form's labels" in step.summary


def test_round_115b_5_still_not_stored_since_says_the_day_is_the_first_of_them(logged):
    config, site, mentors, log = logged
    right = config(RIGHT)
    log.completeds[:] = [FeedbackCompleted(910 + n, mentor, int(noon(0).timestamp()), {6: "2027-13-01", 7: "45"})
                         for n, mentor in enumerate(mentors[:2])]
    assert run(right, site, 1).step("feedback").state == "partial"
    same_day = run(right, site, 2).step("feedback")
    day1 = (TODAY + timedelta(days=1)).isoformat()
    assert f"2 responses still not stored since {day1} (said before)" in same_day.summary, same_day.summary
    log.completeds.append(FeedbackCompleted(920, mentors[2], int(noon(2).timestamp()), {6: "2027-13-01", 7: "45"}))
    assert run(right, site, 3).step("feedback").state == "partial"  # the new one is said
    later = run(right, site, 4).step("feedback")
    assert later.state == "ok", later.summary
    assert f"3 responses still not stored, the first of them since {day1} (said before)" in later.summary, later.summary
