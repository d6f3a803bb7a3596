"""The Feedback read and doctor on the emulator: answers by value, scales checked (traps 31, 43; issue 10.3)."""

from __future__ import annotations

from datetime import date

import pytest
import requests

from lmsync.config import Config
from lmsync.moodle.api import MoodleApi
from lmsync.moodle.emulator import EMULATOR_URL, EmulatorAdapter
from lmsync.moodle.emulator.demo import DEMO_TOKEN, build_demo_site
from lmsync.moodle.emulator.state import FeedbackCompleted, FeedbackItem
from lmsync.moodle.transport import Transport
from lmsync.secrets import Token
from lmsync.service.doctor import run_doctor
from lmsync.service.grades import read_feedback_sources
from lmsync.service.meetings import settings
from lmsync.store.db import Store
from lmsync.store.surveys import SurveyRepository

BEST_FIRST = "r>>>>>5####Very satisfied|4####Satisfied|3####Neutral|2####Dissatisfied|1####Very dissatisfied"
ITEM_ID = 60
# user id -> position chosen (None: the attempt was made before the item existed, trap 43)
ANSWERS = {16: "1", 21: "3", 23: "5", 3: None}


def site_with_best_first_item(presentation=BEST_FIRST):
    site = build_demo_site()
    checkin = next(f for f in site.feedbacks.values() if f.name == "Relationship check-in")
    checkin.items.append(
        FeedbackItem(ITEM_ID, "Overall, how satisfied are you with your mentor?", "satisfaction_best_first",
                     "multichoicerated", presentation, False, len(checkin.items) + 1)
    )
    checkin.completeds[:] = [
        FeedbackCompleted(100 + n, uid, 1796029754, {ITEM_ID: rawval} if rawval is not None else {})
        for n, (uid, rawval) in enumerate(ANSWERS.items())
    ]
    for completed in checkin.completeds:  # Moodle answers JSON null for an item added after the attempt
        completed.values.setdefault(ITEM_ID, None)  # type: ignore[arg-type]
    return site


def config(tmp_path, scale_min=1, scale_max=5):
    return Config.model_validate({
        "programme": {"name": "mentor-2026"},
        "store": {"path": str(tmp_path / "p.db")},
        "instruments": {
            "overall": {
                "items": ["overall"], "scale_min": scale_min, "scale_max": scale_max,
                "feedback": "Relationship check-in",
                "feedback_items": {"overall": "satisfaction_best_first"},
            }
        },
    })


def api_for(site):
    session = requests.Session()
    session.mount(EMULATOR_URL, EmulatorAdapter(site))
    return MoodleApi(Transport(EMULATOR_URL, Token(DEMO_TOKEN), session=session, sleep=lambda _s: None))


def read(site, cfg, store):
    warnings: list[str] = []
    reports = read_feedback_sources(
        api_for(site), store, settings(cfg), course_id=2, roster={}, pairs=[], today=date(2026, 12, 1),
        warnings=warnings,
    )
    return reports, warnings


@pytest.fixture
def store():
    db = Store.memory()
    yield db
    db.close()


def test_trap_43_feedback_read_stores_rated_values_not_positions(tmp_path, store):
    site = site_with_best_first_item()
    reports, warnings = read(site, config(tmp_path), store)
    assert warnings == []
    stored = {a.respondent_id: a.value for a in SurveyRepository(store, "mentor-2026").answers()}
    # Very satisfied (position 1) is 5, Neutral 3, Very dissatisfied (position 5) is 1; null is unanswered
    assert stored == {16: "5", 21: "3", 23: "1"}
    assert [(r.kind, r.attempts, r.stored) for r in reports] == [("overall", 4, 3)]


def test_issue_10_3_feedback_read_refuses_a_mismatched_scale_and_stores_nothing(tmp_path, store):
    site = site_with_best_first_item("r>>>>>4####Very satisfied|3####Satisfied|2####Neutral|1####Dissatisfied|0####No")
    reports, warnings = read(site, config(tmp_path), store)
    assert reports == []
    assert len(warnings) == 1
    assert "'satisfaction_best_first'" in warnings[0]
    assert "values 0-4" in warnings[0] and "scale 1-5" in warnings[0] and "nothing stored" in warnings[0]
    assert SurveyRepository(store, "mentor-2026").answers() == []


def test_issue_10_3_feedback_read_keeps_what_it_stored_before_a_scale_became_wrong(tmp_path, store):
    site = site_with_best_first_item()
    read(site, config(tmp_path), store)
    before = SurveyRepository(store, "mentor-2026").answers()
    _reports, warnings = read(site, config(tmp_path, scale_min=0, scale_max=4), store)
    assert warnings and "scale 0-4" in warnings[0]
    assert SurveyRepository(store, "mentor-2026").answers() == before


def test_issue_10_3_doctor_names_the_item_and_both_ranges(tmp_path):
    site = site_with_best_first_item()
    ok = run_doctor(api_for(site), config(tmp_path))
    assert [c.status for c in ok.checks if c.name == "instrument overall"] == ["ok"]
    report = run_doctor(api_for(site), config(tmp_path, scale_min=0, scale_max=4))
    failed = [c for c in report.checks if c.status == "fail"]
    assert [c.name for c in failed] == ["instrument overall"]
    assert "'satisfaction_best_first'" in failed[0].detail
    assert "values 1-5" in failed[0].detail and "scale 0-4" in failed[0].detail


def test_round_12_1_an_erased_persons_feedback_answers_are_not_stored_again(tmp_path, store):
    """Tester round 12, 1: ``person erase`` deleted a leaver's answers, and the next ``grades push``
    read them straight back from Moodle's Feedback. The erasure is now remembered: answers naming
    the person and dated on or before it are withheld (counted), the others are read as before."""
    from lmsync.store.surveys import erase_person, export_person

    site, cfg = site_with_best_first_item(), config(tmp_path)
    read(site, cfg, store)
    counts = erase_person(store, 16, on=date(2026, 12, 1))  # the attempt was submitted on 2026-11-30
    assert counts["survey_answers"] == 1 and export_person(store, 16)["erased_on"] == "2026-12-01"
    reports, warnings = read(site, cfg, store)
    assert warnings == []
    assert {a.respondent_id for a in SurveyRepository(store, "mentor-2026").answers()} == {21, 23}
    assert [(r.kind, r.stored, r.withheld) for r in reports] == [("overall", 0, 1)]
    assert export_person(store, 16)["survey_answers"] == [] and export_person(store, 16)["survey_scores"] == []


def test_round_12_1_someone_who_comes_back_after_an_erasure_is_recorded_again(tmp_path, store):
    """What is dated after the erasure is new: a person who returns and answers again is stored."""
    from lmsync.store.surveys import erase_person

    site, cfg = site_with_best_first_item(), config(tmp_path)
    erase_person(store, 16, on=date(2026, 11, 1))
    reports, _ = read(site, cfg, store)
    assert 16 in {a.respondent_id for a in SurveyRepository(store, "mentor-2026").answers()}
    assert reports[0].withheld == 0


def _meeting_log_site(responses):
    """The demo site whose Meeting log holds ``responses``: (attempt id, user id, minutes), sent 30 Nov 2026."""
    site = build_demo_site()
    log_form = next(f for f in site.feedbacks.values() if f.name == "Meeting log")
    log_form.completeds[:] = [FeedbackCompleted(attempt, uid, 1796029754, {6: "2026-11-28", 7: minutes})
                              for attempt, uid, minutes in responses]
    return site


def _meeting_log_config(tmp_path):
    return Config.model_validate({
        "programme": {"name": "mentor-2026"}, "store": {"path": str(tmp_path / "p.db")},
        "meetings": {"feedback": "Meeting log", "items": {"minutes": "meeting_minutes", "date": "meeting_date"}},
    })


def test_round_57_2_a_meeting_log_problem_names_the_response_not_what_was_typed(tmp_path, store):
    """Free text in the minutes went whole into the run's step line, a log: "'45 Yusuf cried - bereavement'
    is not a whole number". The problem names the response, its item and what is wrong; not the answer."""
    site = _meeting_log_site([(200, 3, "45 Yusuf cried - bereavement")])
    warnings: list[str] = []
    read_feedback_sources(api_for(site), store, settings(_meeting_log_config(tmp_path)), course_id=2, roster={},
                          pairs=[(66, 3)], today=date(2026, 12, 1), warnings=warnings)
    (warning,) = warnings
    assert "attempt 200" in warning and "meeting_minutes" in warning and "not a whole number" in warning
    assert "Yusuf" not in warning and "bereavement" not in warning


def test_round_57_4_an_erased_persons_meeting_log_response_is_withheld_not_a_problem(tmp_path, store):
    """Moodle keeps an erased mentee's response; the store no longer holds their pairs, so every run
    ended "partial" on "is in no mentoring pair". Withheld and counted, as their survey answers are."""
    from lmsync.store.surveys import erase_person

    site = _meeting_log_site([(201, 3, "30"), (202, 4, "30")])
    erase_person(store, 3, on=date(2026, 12, 1))  # the response was sent on 30 Nov
    warnings: list[str] = []
    (report,) = read_feedback_sources(api_for(site), store, settings(_meeting_log_config(tmp_path)), course_id=2,
                                      roster={}, pairs=[(66, 4)], today=date(2026, 12, 2), warnings=warnings)
    assert warnings == [] and (report.stored, report.problems, report.withheld) == (1, 0, 1)


def test_round_57_5_a_mentors_response_to_the_mentees_form_is_left_out_as_the_import_refuses_it(tmp_path, store):
    """The survey import refuses a mentor's row on a mentee-side instrument; the Feedback read stored it,
    and it was scored as a mentee's rating of a mentor. Left out and named, like the import; the
    mentees' answers are stored, and an answer stored before is removed (it was never usable)."""
    cfg = config(tmp_path)
    cfg.instruments["overall"].side = "mentee"  # type: ignore[index]
    site = site_with_best_first_item()
    s = settings(cfg)
    first: list[str] = []
    read_feedback_sources(api_for(site), store, s, course_id=2, roster={}, pairs=[], today=date(2026, 12, 1),
                          warnings=first)
    assert 16 in {a.respondent_id for a in SurveyRepository(store, "mentor-2026").answers()}  # pairs unknown: kept
    warnings: list[str] = []
    read_feedback_sources(api_for(site), store, s, course_id=2, roster={}, pairs=[(16, 21), (16, 23)],
                          today=date(2026, 12, 1), warnings=warnings)
    (warning,) = warnings
    assert "user #16's response (attempt 100)" in warning and "the respondent is a mentor" in warning
    assert "side = \"mentee\"" in warning
    assert {a.respondent_id for a in SurveyRepository(store, "mentor-2026").answers()} == {21, 23}


def test_round_58_4_a_mentors_response_may_name_a_mentee_who_has_left_the_course(tmp_path, store):
    """"attended: s0002 matches nobody in the course" on every read once s0002 had left: the meeting-log
    resolver also knows the pairing history's people (and the erased) that Moodle still has."""
    from lmsync.domain.plan import mentor_group_idnumber
    from lmsync.service.meeting_log_people import meeting_log_resolver
    from lmsync.store.pairings import PairingHistory

    site = build_demo_site()
    PairingHistory(store, "mentor-2026").record("add_member", [(mentor_group_idnumber("mentor-2026", 66), 3)])
    left = site.users[3].username
    assert meeting_log_resolver(api_for(site), store, "mentor-2026", {}, "username")(left).user_id == 3
    requests_made: list[str] = []
    roster = {u.id: u for u in site.users.values() if u.id in (3, 66)}
    api = api_for(site)
    api.get_users_by_field = lambda *a: requests_made.append("lookup") or []  # type: ignore[method-assign]
    assert meeting_log_resolver(api, store, "mentor-2026", roster, "username")(left).user_id == 3
    assert requests_made == []  # everyone in the roster: no site lookup



def test_round_58_9_doctor_names_a_mistyped_grades_enabled_key(tmp_path):
    cfg = config(tmp_path)
    cfg.grades.enabled = ["attendence"]
    (failed,) = [c for c in run_doctor(api_for(build_demo_site()), cfg).checks if c.name == "grades enabled"]
    assert failed.status == "fail" and "'attendence' (did you mean 'attendance'?)" in failed.detail
    cfg.grades.enabled = ["attendance"]
    assert not [c for c in run_doctor(api_for(build_demo_site()), cfg).checks if c.name == "grades enabled"]


def test_round_56_10_doctor_says_which_calendar_events_match_the_exam_pattern(tmp_path):
    import time

    site = build_demo_site()
    soon = int(time.time()) + 30 * 86400
    common = {"eventtype": "course", "courseid": 2, "groupid": 0, "userid": 2, "timestart": soon, "visible": 1,
              "description": "", "format": 1}
    site.events[:] = [common | {"id": 901, "name": "Winter exams & resits", "timeduration": 7 * 86400},
                      common | {"id": 902, "name": "Faculty party", "timeduration": 0}]
    cfg = config(tmp_path)
    (check,) = [c for c in run_doctor(api_for(site), cfg).checks if c.name == "calendar"]
    assert "2 calendar event(s) in the coming year readable; 1 match [nudges] exam_pattern ('Winter exams & resits')" in check.detail
    cfg.nudges.exam_pattern = "(?i)nothing like it"
    (check,) = [c for c in run_doctor(api_for(site), cfg).checks if c.name == "calendar"]
    assert "0 match [nudges] exam_pattern" in check.detail and "exam_pattern" in (check.fix or "")


def test_round_68_1_a_circle_meetings_note_leaves_the_other_mentees_copies_with_an_erasure_and_stays_off(
    tmp_path, store,
):
    """Tester round 68, 1: a mentor's response with no attendance list counts for every mentee of the circle, and
    its note ("Renée cried; ...") was stored on each pair; erasing Renée deleted her copy only, and the others kept
    a note that may name her. Erasure takes the note off every copy (their meetings stay), remembered by hash, so
    the next read of the same response stores the copies without it; other notes are untouched."""
    from lmsync.store.meetings import MeetingRepository
    from lmsync.store.surveys import erase_person

    site = build_demo_site()
    log_form = next(f for f in site.feedbacks.values() if f.name == "Meeting log")
    note = "Renée cried; call her mum"
    log_form.completeds[:] = [FeedbackCompleted(300, 66, 1796029754, {6: "2026-11-28", 7: "45", 9: note}),
                              FeedbackCompleted(301, 66, 1796029754, {6: "2026-11-27", 7: "30", 9: "all fine"})]
    cfg = Config.model_validate({
        "programme": {"name": "mentor-2026"}, "store": {"path": str(tmp_path / "p.db")},
        "meetings": {"feedback": "Meeting log",
                     "items": {"minutes": "meeting_minutes", "date": "meeting_date", "notes": "notes"}},
    })
    pairs = [(66, 3), (66, 4), (66, 5)]

    def read_log(pairs_now):
        warnings: list[str] = []
        read_feedback_sources(api_for(site), store, settings(cfg), course_id=2, roster={}, pairs=pairs_now,
                              today=date(2026, 12, 1), warnings=warnings)
        assert warnings == []
        return {(m.meeting.mentee_id, m.meeting.date.day): m.meeting.notes
                for m in MeetingRepository(store, "mentor-2026").find()}

    assert read_log(pairs) == {(3, 28): note, (4, 28): note, (5, 28): note,
                               (3, 27): "all fine", (4, 27): "all fine", (5, 27): "all fine"}
    counts = erase_person(store, 3, on=date(2026, 12, 1))
    assert counts["meeting_notes_shared"] == 4 and counts["meetings"] == 2  # two notes, two other copies each
    after = {(4, 28): None, (5, 28): None, (4, 27): None, (5, 27): None}
    stored = {(m.meeting.mentee_id, m.meeting.date.day): m.meeting.notes for m in MeetingRepository(store, "mentor-2026").find()}
    assert stored == after  # "all fine" was on Renée's copy too: one circle note, taken off as well
    assert read_log([(66, 4), (66, 5)]) == after  # read again: stays off
    assert note not in str(list(store.rows(__import__("sqlalchemy").text("select * from erased_notes"))))


def test_pass_70_1_and_2_a_mentors_note_stays_with_who_was_there_and_a_late_circle_log_keeps_none(tmp_path, store):
    """Tester pass 70 on round 68, 1: a note logged for one mentee (attendance "s0002") was stored on every absent
    mentee's pair too, so erasing an absent one took that mentee's own note away. And a whole-circle response for
    a day before an erasure, first read after it ("Late log: Renée cried ..."), kept its note on the others' pairs.
    The note stays on the pairs of those who were there; a late whole-circle log of a day an erased mentee was in
    the circle keeps no note."""
    from lmsync.domain.plan import mentor_group_idnumber
    from lmsync.store.meetings import MeetingRepository
    from lmsync.store.pairings import PairingHistory
    from lmsync.store.surveys import erase_person

    site = build_demo_site()
    log_form = next(f for f in site.feedbacks.values() if f.name == "Meeting log")
    usernames = {u.id: u.username for u in site.users.values()}
    attended_item = FeedbackItem(61, "Who came", "attended", "textfield", "40|200", False, len(log_form.items) + 1)
    log_form.items.append(attended_item)
    log_form.completeds[:] = [FeedbackCompleted(400, 66, 1796029754, {6: "2026-11-20", 7: "30", 9: "only one: family",
                                                                      61: usernames[4]})]
    cfg = Config.model_validate({
        "programme": {"name": "mentor-2026"}, "store": {"path": str(tmp_path / "p.db")},
        "meetings": {"feedback": "Meeting log", "items": {"minutes": "meeting_minutes", "date": "meeting_date",
                                                           "notes": "notes", "attended": "attended"}},
    })
    circle = mentor_group_idnumber("mentor-2026", 66)
    PairingHistory(store, "mentor-2026").record("add_member", [(circle, 3), (circle, 4), (circle, 5)],
                                                at="2026-11-01T09:00:00.000Z")

    def read_log(today):
        warnings: list[str] = []
        read_feedback_sources(api_for(site), store, settings(cfg), course_id=2, roster={},
                              pairs=[(66, 3), (66, 4), (66, 5)], today=today, warnings=warnings)
        assert warnings == [], warnings
        return {(m.meeting.mentee_id, m.meeting.date.day): m.meeting.notes
                for m in MeetingRepository(store, "mentor-2026").find()}

    assert read_log(date(2026, 11, 21)) == {(3, 20): None, (4, 20): "only one: family", (5, 20): None}
    erase_person(store, 3, on=date(2026, 11, 25))
    log_form.completeds.append(FeedbackCompleted(401, 66, 1796029754, {6: "2026-11-18", 7: "45",
                                                                       9: "Late log: Renée cried", 61: ""}))
    # pass 72, 1: a late log whose attendance names the erased mentee keeps no note on the other's pair either
    log_form.completeds.append(FeedbackCompleted(402, 66, 1796029754, {6: "2026-11-17", 7: "20",
                                                                       9: "Renée and Tom", 61: f"{usernames[3]}, {usernames[4]}"}))
    assert read_log(date(2026, 11, 26)) == {(4, 20): "only one: family", (5, 20): None,  # kept: s0002's own
                                            (4, 18): None, (5, 18): None,  # a late circle log of an erased one's day
                                            (4, 17): None, (5, 17): None}
