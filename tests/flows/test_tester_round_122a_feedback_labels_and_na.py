"""Tester round 122a, 2 and 3: the Feedback read of a lived-in course, on the emulator (its Feedback forms).

2. Two items of one form with the label lmsync reads: the one listed last silently replaced the other, so an optional
   extra question made a self-efficacy sum of 40 a 37, and a travel time was stored as a meeting's minutes; doctor
   passed both forms. Such a label is refused now: doctor fails the instrument's (or meeting log's) check naming the
   items (names and ids) and the fix, and the read takes nothing from that form. A label lmsync does not read may
   repeat.
3. A rated option labelled as a declared N/A value (``0####N/A``), which doctor's scale check leaves out, was read as
   the rated value 0: a valid survey answer was "outside the scale" and a meeting whose optional rating was N/A was
   not stored. It is no answer now. An answer left out of a survey response whose other answers were stored is said
   as an answer, not a response.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import requests

from lmsync.config import Config
from lmsync.errors import EXIT_OK, EXIT_PARTIAL
from lmsync.moodle.api import MoodleApi
from lmsync.moodle.emulator import EMULATOR_URL, EmulatorAdapter
from lmsync.moodle.emulator.demo import DEMO_TOKEN, build_demo_site
from lmsync.moodle.emulator.state import FeedbackCompleted, FeedbackItem
from lmsync.moodle.transport import Transport
from lmsync.secrets import Token
from lmsync.service.cycle import cycle_job
from lmsync.service.doctor import run_doctor
from lmsync.service.grades import read_feedback_sources
from lmsync.service.meetings import settings
from lmsync.store.db import Store
from lmsync.store.meetings import MeetingRepository
from lmsync.store.surveys import SurveyRepository
from tests.flows.conftest import demo_config

RATED = "r>>>>>1####Strongly disagree|2####Disagree|3####Neither agree nor disagree|4####Agree|5####Strongly agree"
NA_LAST = RATED + "|0####N/A"
FIX = "give each of those items a label of its own in Moodle"
TODAY = datetime.now(UTC).date()


def _config(tmp_path, *, meetings: bool = False, na: bool = True) -> Config:
    raw: dict = {
        "programme": {"name": "mentor-2026"},
        "store": {"path": str(tmp_path / "p.db")},
        "instruments": {"checkin": {
            "items": ["satisfaction", "goals", "help"], "scale_min": 1, "scale_max": 5, "method": "sum",
            "feedback": "Relationship check-in", "min_answered": 0.5,
            "feedback_items": {"goals": "selfefficacy_goals", "help": "selfefficacy_help"},
            **({"na_values": ["N/A"]} if na else {}),
        }},
    }
    if meetings:
        raw["meetings"] = {"feedback": "Meeting log", "items": {"minutes": "meeting_minutes", "date": "meeting_date"}}
    return Config.model_validate(raw)


def _api(site) -> MoodleApi:
    session = requests.Session()
    session.mount(EMULATOR_URL, EmulatorAdapter(site))
    return MoodleApi(Transport(EMULATOR_URL, Token(DEMO_TOKEN), session=session, sleep=lambda _s: None))


def _read(site, cfg, store, pairs=()):
    warnings: list[str] = []
    failures: list[str] = []
    admin: list[str] = []
    reports = read_feedback_sources(_api(site), store, settings(cfg), course_id=2, roster={}, pairs=list(pairs),
                                    today=date(2026, 12, 1), warnings=warnings, failures=failures, admin=admin)
    return reports, warnings, failures, admin


@pytest.fixture
def store():
    db = Store.memory()
    yield db
    db.close()


def _checkin(site):
    return next(f for f in site.feedbacks.values() if f.name == "Relationship check-in")


def _meeting_log(site):
    return next(f for f in site.feedbacks.values() if f.name == "Meeting log")


def _stored(store) -> dict[tuple[int, str], str]:
    return {(a.respondent_id, a.item): a.value for a in SurveyRepository(store, "mentor-2026").answers()}


# --- 2: a label lmsync reads, on two items -----------------------------------------------------------------------


def _goals_twice(site) -> int:
    """A teacher copies the goals question: the copy keeps the label ``selfefficacy_goals``; the first respondent
    answers it "Strongly disagree" (1), their goals answer being "Agree" (4)."""
    checkin = _checkin(site)
    checkin.items.append(FeedbackItem(60, "Extra: <b>I plan</b> my week", "selfefficacy_goals", "multichoicerated",
                                      RATED, False, len(checkin.items) + 1))
    first = checkin.completeds[0]
    first.values[60] = "1"
    return first.userid


def test_round_122a_2_a_read_label_on_two_items_is_refused_by_doctor_naming_them(tmp_path):
    site = build_demo_site()
    _goals_twice(site)
    report = run_doctor(_api(site), _config(tmp_path))
    checks = [c for c in report.checks if c.name == "instrument checkin"]
    assert [c.status for c in checks] == ["fail"], checks
    assert ("the label 'selfefficacy_goals' (item goals) is on 2 items: 'I feel confident planning my own learning "
            "goals.' (id 2) and 'Extra: I plan my week' (id 60): lmsync cannot tell which one to read") in checks[0].detail
    assert checks[0].fix is not None and FIX in checks[0].fix


def test_round_122a_2_the_read_takes_nothing_from_that_form(tmp_path, store):
    site = build_demo_site()
    cfg = _config(tmp_path)
    _read(site, cfg, store)
    before = _stored(store)
    assert before  # the form as it was: read
    respondent = _goals_twice(site)
    reports, warnings, failures, admin = _read(site, cfg, store)
    assert [r.kind for r in reports] == [] and failures == [] and warnings == []
    (said,) = admin  # an instrument not read: said once, the run goes on (the step says admin)
    assert said.startswith("instruments.checkin.feedback_items: Feedback 'Relationship check-in': the label "
                           "'selfefficacy_goals' (item goals) is on 2 items"), said
    assert "(id 2)" in said and "(id 60)" in said and "nothing stored or removed" in said and FIX in said
    assert _stored(store) == before  # nothing stored nor removed: the goals answer stays 4, not the copy's 1
    assert before[(respondent, "goals")] == "4"


def test_round_122a_2_a_label_lmsync_does_not_read_may_repeat(tmp_path, store):
    site = build_demo_site()
    checkin = _checkin(site)
    checkin.items.append(FeedbackItem(61, "More comments", "comments", "textarea", "40|20", False, 6))
    assert [c.status for c in run_doctor(_api(site), _config(tmp_path)).checks if c.name == "instrument checkin"] == ["ok"]
    reports, _warnings, failures, admin = _read(site, _config(tmp_path), store)
    assert [r.kind for r in reports] == ["checkin"] and not failures and not admin


def test_round_122a_2_the_meeting_logs_minutes_label_on_two_items_is_refused(tmp_path, store):
    site = build_demo_site()
    log = _meeting_log(site)
    log.items.append(FeedbackItem(30, "Travel time in minutes", "meeting_minutes", "numeric", "0|240", False, 5))
    log.completeds[:] = [FeedbackCompleted(700, 66, 1796029754, {6: "2026-11-20", 7: "60", 30: "5"})]
    cfg = _config(tmp_path, meetings=True)
    report = run_doctor(_api(site), cfg)
    (check,) = [c for c in report.checks if c.name == "meeting log 'Meeting log'" and c.status == "fail"]
    assert ("the label 'meeting_minutes' ([meetings.items] minutes) is on 2 items: 'Meeting length in minutes' (id 7)"
            " and 'Travel time in minutes' (id 30)") in check.detail
    assert check.fix is not None and FIX in check.fix
    assert not [c for c in report.checks if c.name == "meeting log 'Meeting log'" and c.status == "ok"]
    reports, _warnings, failures, _admin = _read(site, cfg, store, pairs=[(66, 3)])
    assert [r.kind for r in reports] == ["checkin"]  # the other source is read
    (failed,) = failures
    assert failed.startswith("meetings.items: Feedback 'Meeting log': the label 'meeting_minutes'"), failed
    assert MeetingRepository(store, "mentor-2026").meetings() == []  # no meeting of 5 (or 60) minutes


# --- 3: a rated option labelled N/A ------------------------------------------------------------------------------


def test_round_122a_3_a_survey_answer_na_is_not_answered(tmp_path, store):
    site = build_demo_site()
    checkin = _checkin(site)
    help_item = next(i for i in checkin.items if i.label == "selfefficacy_help")
    help_item.presentation = NA_LAST
    first = checkin.completeds[0]
    first.values[help_item.id] = "6"  # position 6: N/A
    cfg = _config(tmp_path)
    assert [c.status for c in run_doctor(_api(site), cfg).checks if c.name == "instrument checkin"] == ["ok"]
    reports, warnings, failures, admin = _read(site, cfg, store)
    assert warnings == [] and failures == [] and admin == []
    stored = _stored(store)
    assert (first.userid, "help") not in stored  # not answered, not 0
    assert stored[(first.userid, "satisfaction")] == "5" and stored[(first.userid, "goals")] == "4"
    assert [r.problems for r in reports] == [0]


def test_round_122a_3_a_meeting_whose_rating_is_na_is_stored_without_a_rating(tmp_path, store):
    site = build_demo_site()
    log = _meeting_log(site)
    log.items.append(FeedbackItem(20, "How useful was it?", "rating", "multichoicerated",
                                  "r>>>>>1####Useless|2####Poor|3####OK|4####Good|5####Excellent|0####N/A", False, 5))
    log.completeds[:] = [FeedbackCompleted(700, 66, 1796029754, {6: "2026-11-20", 7: "60", 20: "6"})]
    reports, warnings, failures, _admin = _read(site, _config(tmp_path, meetings=True), store, pairs=[(66, 3)])
    assert failures == [] and warnings == [], warnings
    (meeting,) = MeetingRepository(store, "mentor-2026").meetings()
    assert (meeting.minutes, meeting.rating, meeting.mentor_id, meeting.mentee_id) == (60, None, 66, 3)


def _noon(day_offset: int) -> datetime:
    return datetime.combine(TODAY + timedelta(days=day_offset), datetime.min.time(), tzinfo=UTC) + timedelta(hours=12)


def test_round_122a_3_an_answer_left_out_is_said_as_an_answer_not_a_response(tmp_path, monkeypatch):
    config = demo_config(tmp_path, monkeypatch, "", '[instruments.checkin]\nitems = ["satisfaction", "goals"]\n'
                         'scale_min = 1\nscale_max = 5\nfeedback = "Relationship check-in"\n'
                         '[instruments.checkin.feedback_items]\ngoals = "selfefficacy_goals"\n')
    site = build_demo_site()
    checkin = _checkin(site)
    first = checkin.completeds[0]
    first.values[2] = "9"  # a position the goals item no longer has (edited after the answer): unreadable
    steps = ("sync", "feedback")
    said = cycle_job(config, site=site, now=_noon(0), as_of=TODAY, allow_mass_nudge=True, steps=steps).step("feedback")
    assert (said.state, said.exit_code) == ("partial", EXIT_PARTIAL), said.summary
    assert "that answer is left out, the response's other answers are stored" in said.summary, said.summary
    again = cycle_job(config, site=site, now=_noon(0), as_of=TODAY, allow_mass_nudge=True, steps=steps).step("feedback")
    assert (again.state, again.exit_code) == ("ok", EXIT_OK), again.summary
    assert (f"1 answer still left out since {TODAY.isoformat()} (its response's other answers are stored) "
            "(said before)") in again.summary, again.summary
    assert "response still not stored" not in again.summary
    assert again.counts["still_answers_left_out"] == 1
