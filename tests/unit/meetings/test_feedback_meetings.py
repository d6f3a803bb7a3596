from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

from lmsync.domain.meeting_log import FeedbackAttempt, MeetingLogItems, meetings_by_attempt


def meetings_from_feedback(*args: Any, **kwargs: Any) -> Any:
    """``meetings_by_attempt``'s meetings without the response each came from, and its problems."""
    found, problems = meetings_by_attempt(*args, **kwargs)
    return [meeting for meeting, _attempt in found], problems


ITEMS = MeetingLogItems(
    minutes="meeting_minutes", attended="attended", rating="rating", notes="notes", date="date"
)
MENTEES_OF = {66: [3, 4]}
MENTORS_OF = {3: [66], 4: [66]}


def attempt(user, values, when=datetime(2026, 10, 12, 23, 30, tzinfo=UTC), attempt_id=1):
    return FeedbackAttempt(attempt_id, user, when, values)


def test_mentor_log_records_each_mentee_present_or_absent(resolve):
    found, problems = meetings_from_feedback(
        [attempt(66, {"meeting_minutes": "45", "attended": "s0001", "rating": "4", "date": "2026-10-12"})],
        ITEMS,
        MENTEES_OF,
        MENTORS_OF,
        resolve,
        tz=UTC,
    )
    assert problems == []
    assert [(m.mentor_id, m.mentee_id, m.attended, m.minutes, m.rating, m.source) for m in found] == [
        (66, 3, True, 45, 4, "feedback"),
        (66, 4, False, 45, 4, "feedback"),
    ]


def test_mentee_log_without_date_uses_the_local_submission_day(resolve):
    found, _ = meetings_from_feedback(
        [attempt(3, {"meeting_minutes": "30", "attended": "yes"})],
        ITEMS,
        MENTEES_OF,
        MENTORS_OF,
        resolve,
        tz=timezone(timedelta(hours=1)),  # 23:30 UTC is already the 13th in UTC+1
    )
    assert [(m.date, m.mentor_id, m.mentee_id, m.attended) for m in found] == [
        (date(2026, 10, 13), 66, 3, True)
    ]


def test_bad_attempts_are_reported_and_the_rest_still_count(resolve):
    attempts = [
        attempt(5, {"meeting_minutes": "30"}, attempt_id=7),  # s0003 is in no pair here
        attempt(3, {"meeting_minutes": "lots"}, attempt_id=8),
        attempt(66, {"meeting_minutes": "20", "attended": "s0001, nobody"}, attempt_id=9),
        attempt(4, {"meeting_minutes": "20", "attended": "no"}, attempt_id=10),
    ]
    found, problems = meetings_from_feedback(attempts, ITEMS, MENTEES_OF, MENTORS_OF, resolve, tz=UTC)
    assert [(p.attempt_id, p.field) for p in problems] == [
        (7, "respondent"),
        (8, "meeting_minutes"),
        (9, "attended"),
    ]
    assert [(m.mentee_id, m.attended) for m in found] == [(4, False)]
    # which of the names (tester round 60, 3: the value is masked in logs, so "<value>" named none)
    assert problems[2].message.startswith("name 2 of 2: "), problems[2].message


def test_round_12_2_an_attended_meeting_of_0_minutes_is_a_problem_not_attendance_credit(resolve):
    """Tester round 12, 2: a Meeting-log response of 0 minutes, with no "attended" item, recorded an
    attended meeting for every mentee (attendance 16.67, the shortest hi-bye meeting); the imports
    refuse it. Now it is that response's problem, naming who submitted it; a missed meeting of 0
    minutes still counts as the miss it is."""
    attempts = [
        attempt(66, {"meeting_minutes": "0", "date": "2026-10-12"}, attempt_id=103),
        attempt(4, {"meeting_minutes": "0", "attended": "no"}, attempt_id=104),
        attempt(3, {"meeting_minutes": "0", "attended": "yes"}, attempt_id=105),
    ]
    found, problems = meetings_from_feedback(attempts, ITEMS, MENTEES_OF, MENTORS_OF, resolve, tz=UTC)
    assert [(p.attempt_id, p.user_id, p.field) for p in problems] == [(103, 66, "meeting_minutes"), (105, 3, "meeting_minutes")]
    assert "is 0, but the response says the meeting took place" in problems[0].message
    assert [(m.mentee_id, m.attended, m.minutes) for m in found] == [(4, False, 0)]


def test_round_59_4_a_mentors_list_naming_none_of_their_mentees_is_a_problem_not_a_circle_that_missed(resolve):
    """A mentor's response naming only someone outside their circle (s0003, m0002's) recorded every mentee of
    theirs as absent, with no word."""
    found, problems = meetings_from_feedback(
        [attempt(66, {"meeting_minutes": "45", "attended": "s0003", "date": "2026-10-12"}, attempt_id=7),
         attempt(66, {"meeting_minutes": "30", "attended": "s0003, s0002", "date": "2026-10-13"}, attempt_id=8)],
        ITEMS, MENTEES_OF, MENTORS_OF, resolve, tz=UTC,
    )
    assert [(p.attempt_id, p.field) for p in problems] == [(7, "attended"), (8, "attended")]
    assert "names nobody who was one of the respondent's mentees on that day" in problems[0].message
    # tester round 131b, 1: one of theirs named beside someone of another circle (a mistyped name, say) is a problem
    # too, naming the place: stored, it counted the mentee meant absent without a word
    assert problems[1].message.startswith("name 1 of 2: is not one of the respondent's mentees on that day")
    assert found == []


def test_a_mentors_list_naming_only_someone_erased_since_is_left_out_and_counted_withheld(resolve):
    """The list names s0003, erased on 20 Oct after a meeting on 12 Oct: the row is about an erasure, not a
    problem that would keep every run partial."""
    found, problems = meetings_from_feedback(
        [attempt(66, {"meeting_minutes": "45", "attended": "s0003", "date": "2026-10-12"}, attempt_id=7)],
        ITEMS, MENTEES_OF, MENTORS_OF, resolve, tz=UTC, erased={5: date(2026, 10, 20)},
    )
    assert found == []
    # tester round 112b, 3: the erased person's row, counted as withheld (``erased``), never said
    assert [(p.attempt_id, p.erased) for p in problems] == [(7, True)]


def test_round_112b_1_a_circle_response_naming_only_a_mentee_erased_since_keeps_the_others_absent(resolve):
    """Tester round 112b, 1: m0004's response named only the mentee since erased (s0003, whose pair went with the
    erasure); the read left the whole response out and the other mentees' missed-meeting rows were removed for
    good. When a mentee since erased was in the circle that day, the others missed it, as the response says."""
    found, problems = meetings_from_feedback(
        [attempt(66, {"meeting_minutes": "40", "attended": "s0003", "rating": "4", "notes": "circle meeting",
                      "date": "2026-10-12"}, attempt_id=401)],
        ITEMS, MENTEES_OF, MENTORS_OF, resolve, tz=UTC, erased={5: date(2026, 10, 20)},
        erased_in_circle=lambda mentor, day: (mentor, day) == (66, date(2026, 10, 12)),
    )
    assert [(m.mentee_id, m.attended, m.rating, m.notes, m.rated_by) for m in found] == [
        (3, False, 4, None, "mentor"), (4, False, 4, None, "mentor")]
    assert [(p.attempt_id, p.erased) for p in problems] == [(401, True)]  # the erased one's row: withheld (3)


def test_round_112b_3_a_response_naming_a_mentee_and_someone_erased_since_counts_the_erased_row(resolve):
    found, problems = meetings_from_feedback(
        [attempt(66, {"meeting_minutes": "40", "attended": "s0001, s0003", "date": "2026-10-12"}, attempt_id=301)],
        ITEMS, MENTEES_OF, MENTORS_OF, resolve, tz=UTC, erased={5: date(2026, 10, 20)},
    )
    assert [(m.mentee_id, m.attended) for m in found] == [(3, True), (4, False)]
    assert [(p.attempt_id, p.field, p.erased) for p in problems] == [(301, "attended", True)]


def test_round_112b_2_a_response_of_someone_erased_since_in_no_pair_that_day_is_withheld(resolve):
    """Tester round 112b, 2: s0003 (id 5), erased on 20 Oct and back since, sent a response about 12 Oct: "is in no
    mentoring pair" on every run. It is about their erased pairs: marked ``erased``. One dated after the erasure
    is still said."""
    _, problems = meetings_from_feedback(
        [attempt(5, {"meeting_minutes": "30", "attended": "yes", "date": "2026-10-12"}, attempt_id=201),
         attempt(5, {"meeting_minutes": "30", "attended": "yes", "date": "2026-10-21"}, attempt_id=202)],
        ITEMS, MENTEES_OF, MENTORS_OF, resolve, tz=UTC, erased={5: date(2026, 10, 20)},
    )
    assert [(p.attempt_id, p.field, p.erased) for p in problems] == [(201, "respondent", True), (202, "respondent", False)]


def test_round_131b_1_naming_oneself_or_ones_mentees_stays_a_meeting_and_another_circles_student_is_named_by_place(
    resolve,
):
    """Tester round 131b, 1: m0001 meant s0001 and typed s0003 (m0002's mentee): the meeting was stored with s0001
    absent, no word. Now the response is a problem naming the place of the name; a list naming the mentor
    themselves beside their mentees is a meeting as before."""
    found, problems = meetings_from_feedback(
        [attempt(66, {"meeting_minutes": "45", "attended": "m0001; s0002", "date": "2026-10-12"}, attempt_id=7),
         attempt(66, {"meeting_minutes": "30", "attended": "s0002, s0003, s0001", "date": "2026-10-13"}, attempt_id=8)],
        ITEMS, MENTEES_OF, MENTORS_OF, resolve, tz=UTC,
    )
    assert [(m.mentee_id, m.attended, m.date.day) for m in found] == [(3, False, 12), (4, True, 12)]
    assert [(p.attempt_id, p.field) for p in problems] == [(8, "attended")]
    assert problems[0].message.startswith("name 2 of 3: is not one of the respondent's mentees on that day")
    assert "s0003" not in problems[0].message  # the value stays out of what a log may say
