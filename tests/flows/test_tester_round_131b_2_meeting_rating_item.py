"""Tester round 131b, 2: a meeting log whose rating item gives no rating from 1 to 5 (a plain multiple choice
Excellent ... Very poor, a rated 1-10 scale) passed `lmsync doctor`, and the run then stored no meeting of the log,
blaming each respondent ("is not a whole number ... its respondent corrects the response"). Doctor now fails the
item and the run refuses the read once, naming the form and the fix; nothing is read, stored or removed, so the
meetings stored before keep their ratings."""

from __future__ import annotations

from datetime import date

import pytest

from lmsync.config import Config
from lmsync.domain.meeting_rating_item import rating_item_problem
from lmsync.moodle.emulator.demo import build_demo_site
from lmsync.moodle.emulator.records import FeedbackCompleted, FeedbackItem
from lmsync.service.feedback_sources import MEETING_LOG_NA
from lmsync.service.grades import read_feedback_sources
from lmsync.service.meetings import settings
from lmsync.store.db import Store
from lmsync.store.meetings import MeetingRepository
from tests.flows.test_feedback_read_flow import api_for


@pytest.mark.parametrize(("typ", "presentation", "said"), [
    ("multichoice", "r>>>>>Excellent|Good|OK|Poor|Very poor", "option 1 'Excellent' has no numeric value"),
    ("multichoicerated", "r>>>>>10####10|9####9|5####5|1####1", "has values 1-10"),
    ("multichoicerated", "r>>>>>0####Awful|1####Poor|5####Great", "has values 0-5"),
    ("numeric", "0|10", "has values 0-10"),
])
def test_an_item_giving_no_rating_from_1_to_5_is_said(typ: str, presentation: str, said: str) -> None:
    problem = rating_item_problem("rating", typ, presentation, MEETING_LOG_NA)
    assert problem is not None and said in problem and "a whole number from 1 to 5" in problem


@pytest.mark.parametrize(("typ", "presentation"), [
    ("multichoicerated", "r>>>>>5####Very useful|4####Useful|3####So-so|2####Not very|1####Useless|0####N/A"),
    ("multichoicerated", "r>>>>>1####Poor|2####Fair|3####Good|4####Very good"),  # 1-4: each a rating
    ("numeric", "1|5"),
    ("textfield", "3|3"),  # read answer by answer
])
def test_an_item_giving_ratings_passes(typ: str, presentation: str) -> None:
    assert rating_item_problem("rating", typ, presentation, MEETING_LOG_NA) is None


def test_the_read_is_refused_naming_the_form_and_the_meetings_stored_keep_their_ratings(tmp_path) -> None:
    site = build_demo_site()
    log = next(f for f in site.feedbacks.values() if f.name == "Meeting log")
    rating = FeedbackItem(62, "How useful?", "rating", "multichoicerated",
                          "r>>>>>5####Very useful|4####Useful|3####So-so|2####Not very|1####Useless", False, 9)
    log.items.append(rating)
    log.completeds[:] = [FeedbackCompleted(500, 66, 1796029754, {6: "2026-11-20", 7: "30", 62: "2"})]
    cfg = Config.model_validate({
        "programme": {"name": "mentor-2026"}, "store": {"path": str(tmp_path / "p.db")},
        "meetings": {"feedback": "Meeting log", "items": {"minutes": "meeting_minutes", "date": "meeting_date",
                                                           "rating": "rating"}},
    })
    store = Store.memory()

    def read() -> tuple[list[str], list[tuple[int, int | None]]]:
        warnings: list[str] = []
        failures: list[str] = []
        read_feedback_sources(api_for(site), store, settings(cfg), course_id=2, roster={}, pairs=[(66, 3)],
                              today=date(2026, 11, 21), warnings=warnings, failures=failures)
        return failures, [(m.meeting.mentee_id, m.meeting.rating) for m in MeetingRepository(store, "mentor-2026").find()]

    assert read() == ([], [(3, 4)])  # the second option of a best-first scale: 4
    rating.typ, rating.presentation = "multichoice", "r>>>>>Excellent|Good|OK|Poor|Very poor"  # a teacher retypes it
    failures, stored = read()
    assert stored == [(3, 4)]  # kept as stored, its rating too
    assert len(failures) == 1 and failures[0].startswith("meetings.items.rating: Feedback 'Meeting log': the rating item")
    assert "the form is at fault, not the responses" in failures[0] and "its respondent" not in failures[0]


def test_doctor_fails_a_rating_item_giving_no_rating(tmp_path, monkeypatch) -> None:
    from tests.flows.conftest import demo_config
    from tests.flows.test_tester_round_115b_3_meeting_log_labels import RIGHT, doctor_fail

    site = build_demo_site()
    log = next(f for f in site.feedbacks.values() if f.name == "Meeting log")
    log.items.append(FeedbackItem(62, "How useful?", "rating", "multichoice", "r>>>>>Excellent|Good|OK|Poor", False, 9))
    config = demo_config(tmp_path, monkeypatch, "", RIGHT + 'rating = "rating"\n')
    detail = doctor_fail(site, config)
    assert detail.startswith("the rating item 'rating' (multichoice): option 1 'Excellent' has no numeric value")
    assert detail.endswith("no meeting of the log can be read")
