"""Tester round 89a, 1-4: responses of the meeting log about the same meeting (date, mentor, mentee).

1. a mentor's two one-to-one logs of one day: the second counted the first one's mentee absent and replaced
   their attended meeting with a missed one;
2. a one-to-one log counted every other mentee of the circle as having missed a meeting: ``[meetings]
   one_to_one`` makes a mentor's response a meeting with the mentees it names only;
3. a mentee's log of a meeting their mentor logged replaced the mentor's rating and notes without a word;
4. and every run rewrote the clashing rows (never unchanged).
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from lmsync.config import load_config
from lmsync.domain.meeting_log import FeedbackAttempt, MeetingLogItems, meetings_by_attempt
from lmsync.service.meetings import store_feedback_meetings
from lmsync.service.programme_settings import settings
from lmsync.store.db import Store
from lmsync.store.meetings import MeetingRepository
from tests.unit.meetings.conftest import PAIRS

ITEMS = MeetingLogItems(minutes="minutes", attended="attended", rating="rating", notes="notes", date="date")
MENTEES_OF = {66: [3, 4]}
MENTORS_OF = {3: [66], 4: [66]}
DAY = "2027-01-06"


def _response(attempt_id: int, user: int, hour: int, **values: str) -> FeedbackAttempt:
    return FeedbackAttempt(attempt_id, user, datetime(2027, 1, 6, hour, tzinfo=UTC), {"date": DAY, **values})


def _rows(attempts, **kwargs):
    found, problems = meetings_by_attempt(attempts, ITEMS, MENTEES_OF, MENTORS_OF, kwargs.pop("resolve"), tz=UTC,
                                          **kwargs)
    return {(m.mentee_id): (m.attended, m.minutes, m.rating, m.notes, m.rated_by, attempt) for m, attempt in found}, \
        problems


def test_finding_1_two_one_to_one_logs_of_a_day_keep_both_meetings(resolve):
    rows, problems = _rows([
        _response(1, 66, 10, minutes="45", attended="s0001", rating="4", notes="with Umar"),
        _response(2, 66, 14, minutes="30", attended="s0002", rating="5", notes="with Liam"),
    ], resolve=resolve)
    assert problems == []
    assert rows == {3: (True, 45, 4, "with Umar", "mentor", 1), 4: (True, 30, 5, "with Liam", "mentor", 2)}


def test_a_circle_log_still_counts_a_mentee_it_does_not_name_absent(resolve):
    rows, problems = _rows([_response(1, 66, 10, minutes="45", attended="s0001")], resolve=resolve)
    assert problems == [] and rows[3][:2] == (True, 45) and rows[4][:2] == (False, 45)


def test_a_respondents_later_response_replaces_their_earlier_one(resolve):
    rows, _ = _rows([
        _response(2, 66, 14, minutes="60", attended="s0001, s0002", rating="3"),
        _response(1, 66, 10, minutes="45", attended="s0001, s0002", rating="4"),
    ], resolve=resolve)
    assert rows[3][1:3] == (60, 3) and rows[3][5] == 2  # submitted last, whatever order Moodle lists them in


def test_finding_2_one_to_one_names_the_mentee_met_and_nobody_else(resolve):
    rows, problems = _rows([_response(1, 66, 10, minutes="50", attended="s0001", notes="struggling & <upset>")],
                           resolve=resolve, one_to_one=True)
    assert problems == [] and set(rows) == {3} and rows[3][:2] == (True, 50)
    rows, problems = _rows([_response(2, 66, 10, minutes="50", attended="all")], resolve=resolve, one_to_one=True)
    assert rows == {} and [(p.attempt_id, p.field) for p in problems] == [(2, "attended")]
    assert "one_to_one" in problems[0].message


def test_finding_3_the_side_that_logged_first_keeps_the_meeting_and_the_other_is_said(resolve):
    rows, problems = _rows([
        _response(1, 66, 10, minutes="30", attended="s0002", rating="5", notes="1:1 with Liam"),
        _response(2, 4, 18, minutes="30", rating="2", notes="kept checking phone"),
    ], resolve=resolve, one_to_one=True)
    assert rows == {4: (True, 30, 5, "1:1 with Liam", "mentor", 1)}
    (problem,) = problems
    assert (problem.attempt_id, problem.user_id, problem.field) == (2, 4, "meeting")
    assert problem.message.startswith("logged by both sides: ") and "delete the other response" in problem.message
    assert "2027-01-06" in problem.message and "attempt 1" in problem.message and "not stored" in problem.message
    assert "phone" not in problem.message  # the answer stays out of the line a log may carry


def test_a_stated_row_beats_a_circle_logs_inferred_absence_whichever_side(resolve):
    # the mentor's circle log does not name s0002; s0002's own log says they met: theirs is the only one stated
    rows, problems = _rows([
        _response(1, 66, 10, minutes="45", attended="s0001"),
        _response(2, 4, 18, minutes="20", attended="yes", rating="4"),
    ], resolve=resolve)
    assert problems == [] and rows[4] == (True, 20, 4, None, "mentee", 2) and rows[3][0] is True


def test_finding_4_a_second_read_of_the_same_responses_changes_nothing(tmp_path, resolve):
    path = tmp_path / "lmsync.toml"
    path.write_text('[programme]\nname = "p"\n[meetings]\nfeedback = "Meeting log"\none_to_one = true\n')
    s = settings(load_config(path, environ={}))
    store = Store.memory()
    attempts = [
        _response(1, 66, 10, minutes="45", attended="s0001", rating="4", notes="with Umar"),
        _response(2, 66, 14, minutes="30", attended="s0002", rating="5", notes="with Liam"),
        _response(3, 4, 18, minutes="30", rating="2", notes="kept checking phone"),
    ]
    first, problems = store_feedback_meetings(store, s, attempts, PAIRS, resolve, today=date(2027, 1, 8))
    assert (first.added, len(problems)) == (2, 1)
    again, _ = store_feedback_meetings(store, s, attempts, PAIRS, resolve, today=date(2027, 1, 8))
    assert (again.added, again.updated, again.unchanged, again.removed) == (0, 0, 2, 0)
    stored = {m.mentee_id: (m.minutes, m.rating, m.notes, m.rated_by) for m in MeetingRepository(store, "p").meetings()}
    assert stored == {3: (45, 4, "with Umar", "mentor"), 4: (30, 5, "with Liam", "mentor")}


def test_round_90a_2_an_edit_never_moves_a_meeting_to_the_other_side(resolve):
    """The mentee logged it first (attempt 1), the mentor later (attempt 2); each side then edited its response (a later
    ``submitted``): "first" was the least recently edited, so every edit swapped the stored side."""
    mentee_first = _response(1, 4, 9, minutes="20", attended="yes", rating="1")
    mentor_later = _response(2, 66, 12, minutes="30", attended="s0002", rating="5")
    for mentee_edit, mentor_edit in ((9, 12), (20, 12), (20, 22)):
        rows, problems = _rows([
            _response(1, 4, mentee_edit, minutes="20", attended="yes", rating="2" if mentee_edit > 9 else "1"),
            _response(2, 66, mentor_edit, minutes="30", attended="s0002", rating="5"),
        ], resolve=resolve, one_to_one=True)
        assert rows[4][4:] == ("mentee", 1), (mentee_edit, mentor_edit)
        assert [p.attempt_id for p in problems] == [2]
    assert mentee_first.attempt_id < mentor_later.attempt_id
