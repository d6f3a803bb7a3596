"""Moodle Feedback answers -> attempts keyed by item label (recorded exchanges, trap 31)."""

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from lmsync.moodle.models import FeedbackItemsResult, FeedbacksResult, ResponsesAnalysis
from lmsync.service import feedback_sources as fs

RECORDINGS = Path(__file__).resolve().parents[2] / "contract" / "recordings"


def body(path):
    return json.loads(json.loads((RECORDINGS / path).read_text())["response"]["body"])


def test_recorded_responses_become_values_by_label():
    labels = fs.item_labels(
        FeedbackItemsResult.model_validate(body("mod_feedback_get_items/relationship-check-in.json")).items
    )
    assert labels == {
        1: "satisfaction",
        2: "selfefficacy_goals",
        3: "selfefficacy_help",
        4: "meeting_minutes",
        5: "comments",
    }
    analysis = ResponsesAnalysis.model_validate(body("mod_feedback_get_responses_analysis/all.json"))
    attempts = {a.user_id: a for a in (fs.to_attempt(x, labels) for x in analysis.attempts)}
    assert sorted(attempts) == [3, 4, 5, 9, 10, 15]
    valentina = attempts[5]
    assert valentina.attempt_id == 3
    assert valentina.values["satisfaction"] == "2" and valentina.values["meeting_minutes"] == "10"
    assert attempts[4].values["comments"] == ""  # an empty answer is a blank, not a missing item
    assert valentina.submitted == datetime.fromtimestamp(1795598973, UTC)


def test_find_feedback_by_name_or_cmid_and_refuse_anonymous_or_missing():
    feedbacks = FeedbacksResult.model_validate(
        body("mod_feedback_get_feedbacks_by_courses/course.json")
    ).feedbacks
    assert fs.find_feedback(feedbacks, "Relationship check-in").id == 1
    assert fs.find_feedback(feedbacks, "6").id == 1
    with pytest.raises(fs.FeedbackSourceProblem, match="no Feedback activity"):
        fs.find_feedback(feedbacks, "Meeting log")
    anonymous = [f.model_copy(update={"anonymous": 1}) for f in feedbacks]
    with pytest.raises(fs.FeedbackSourceProblem, match="anonymous"):
        fs.find_feedback(anonymous, "Relationship check-in")


class PagedApi:
    """Answers like the recording: attempts unsorted, ``totalattempts`` the overall count."""

    def __init__(self):
        self.analysis = ResponsesAnalysis.model_validate(body("mod_feedback_get_responses_analysis/all.json"))
        self.items = FeedbackItemsResult.model_validate(
            body("mod_feedback_get_items/relationship-check-in.json")
        )
        self.calls = []

    def get_feedback_items(self, feedbackid):
        return self.items

    def get_feedback_responses_analysis(self, feedbackid, *, groupid=None, page=None, perpage=None):
        self.calls.append((page, perpage))
        chunk = self.analysis.attempts[page * perpage : (page + 1) * perpage]
        return ResponsesAnalysis(attempts=chunk, totalattempts=len(self.analysis.attempts))


def test_read_feedback_pages_until_the_total_is_reached():
    api = PagedApi()
    feedbacks = FeedbacksResult.model_validate(
        body("mod_feedback_get_feedbacks_by_courses/course.json")
    ).feedbacks
    source = fs.read_feedback(api, feedbacks[0], page_size=4)
    assert api.calls == [(0, 4), (1, 4)]
    assert [a.attempt_id for a in source.attempts] == [1, 2, 3, 4, 5, 6]
    api.calls.clear()
    fs.read_feedback(api, feedbacks[0], page_size=3)
    assert api.calls == [(0, 3), (1, 3)]  # a full last page: the total says stop
