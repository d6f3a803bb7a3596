"""Tester round 109b, 2: a meeting-log response about a meeting a file or ``lmsync meetings add`` holds stored a
second row of it. The record stored first is kept; a response contradicting it is a problem of that response, read
well enough (not unreadable); a row it only infers, or one repeating the record, is left out without a word."""

from __future__ import annotations

from datetime import UTC, date, datetime

from lmsync.config import load_config
from lmsync.domain.meeting_log import FeedbackAttempt
from lmsync.domain.meetings import Meeting
from lmsync.service.meetings import store_feedback_meetings
from lmsync.service.programme_settings import settings
from lmsync.store.db import Store
from lmsync.store.meetings import MeetingRepository
from tests.unit.meetings.conftest import PAIRS

DAY = date(2027, 1, 6)


def _settings(tmp_path):
    path = tmp_path / "lmsync.toml"
    path.write_text('[programme]\nname = "p"\n[meetings]\nfeedback = "Meeting log"\n')
    return settings(load_config(path, environ={}))


def _response(attempt_id: int, user: int, **values: str) -> FeedbackAttempt:
    return FeedbackAttempt(attempt_id, user, datetime(2027, 1, 6, 12, tzinfo=UTC), {"date": DAY.isoformat(), **values})


def _stored(store: Store) -> dict[int, list[tuple[str, int, bool]]]:
    rows: dict[int, list[tuple[str, int, bool]]] = {}
    for m in MeetingRepository(store, "p").meetings():
        rows.setdefault(m.mentee_id, []).append((m.source, m.minutes, m.attended))
    return rows


def test_a_response_over_a_meetings_add_record_is_said_and_not_stored(tmp_path, resolve):
    store = Store.memory()
    MeetingRepository(store, "p").save([(Meeting(DAY, 66, 3, 30, True, "cli", 2, "kept", rated_by="mentee"), None)])
    counts, problems = store_feedback_meetings(store, _settings(tmp_path), [_response(7, 66, minutes="50", rating="5")],
                                               PAIRS, resolve, today=date(2027, 1, 8))
    assert _stored(store) == {3: [("cli", 30, True)], 4: [("feedback", 50, True)]}
    (problem,) = problems
    assert (problem.attempt_id, problem.user_id, problem.field, problem.both_sides) == (7, 66, "meeting", True)
    assert problem.message.startswith("recorded elsewhere: `lmsync meetings add` already records a meeting of "
                                      "2027-01-06 this response logs"), problem.message
    assert "2" not in problem.message.replace("2027-01-06", "")  # not the withheld rating, nor any value
    assert counts.added == 1


def test_a_second_row_an_earlier_read_stored_beside_a_file_meeting_goes(tmp_path, resolve):
    """A store the old read left with both rows: the next read keeps the file's only."""
    store = Store.memory()
    repo = MeetingRepository(store, "p")
    repo.save([(Meeting(DAY, 66, 3, 60, True, "csv", 4, rated_by="mentor"), "m.csv:2"),
               (Meeting(DAY, 66, 3, 50, True, "feedback", 5, rated_by="mentor"), "feedback:7")])
    counts, problems = store_feedback_meetings(store, _settings(tmp_path), [_response(7, 66, minutes="50", rating="5")],
                                               PAIRS, resolve, today=date(2027, 1, 8))
    assert _stored(store)[3] == [("csv", 60, True)]
    assert counts.removed == 1 and len(problems) == 1 and "(m.csv:2)" in problems[0].message


def test_a_mentee_response_over_a_file_meeting_of_the_mentor_is_said(tmp_path, resolve):
    store = Store.memory()
    MeetingRepository(store, "p").save([(Meeting(DAY, 66, 4, 60, True, "csv", 4, rated_by="mentor"), "m.csv:2")])
    _counts, problems = store_feedback_meetings(store, _settings(tmp_path), [_response(8, 4, minutes="60", rating="3")],
                                                PAIRS, resolve, today=date(2027, 1, 8))
    assert _stored(store) == {4: [("csv", 60, True)]}
    assert [(p.attempt_id, p.both_sides) for p in problems] == [(8, True)]
