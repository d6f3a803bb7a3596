"""Tester round 102a, 7: a meeting rating of ``3.5`` was "not a rating from 1 to 5", where the surveys' import
says "not a whole number". Every reader of a meeting rating (the CSV import, ``meetings add --rating`` and the
meeting-log Feedback) now says a rating is a whole number from 1 to 5."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from lmsync.domain.meeting_log import FeedbackAttempt, MeetingLogItems, meetings_by_attempt
from lmsync.errors import InputError
from tests.unit.meetings.test_cli import run  # noqa: F401  (the `meetings add` fixture)
from tests.unit.meetings.test_import_meetings import run as import_file
from tests.unit.meetings.test_import_meetings import stored, write

SAID = "'3.5' is not a whole number: a rating is 1, 2, 3, 4 or 5"


def test_the_import_says_a_rating_is_a_whole_number(tmp_path, store, resolve):
    text = "date,mentor,mentee,minutes,attended,rating\n2026-10-12,m0001,s0001,45,yes,3.5\n"
    with pytest.raises(InputError) as info:
        import_file(store, write(tmp_path, text), resolve)
    assert f"meetings.csv:2: rating: {SAID}" in str(info.value) and stored(store) == []


def test_meetings_add_says_a_rating_is_a_whole_number(run):  # noqa: F811
    day = (date.today() - timedelta(days=3)).isoformat()
    result = run("meetings", "add", "--date", day, "--mentor", "m0001", "--mentee", "s0001", "--minutes", "30",
                 "--rating", "3.5", "--rated-by", "mentor")
    assert isinstance(result.exception, InputError) and str(result.exception) == f"--rating: {SAID}"


def test_the_meeting_log_says_a_rating_is_a_whole_number(resolve):
    items = MeetingLogItems(minutes="minutes", attended="attended", rating="rating", notes="notes", date="date")
    response = FeedbackAttempt(1, 66, datetime(2027, 1, 6, 10, tzinfo=UTC),
                               {"date": "2027-01-06", "minutes": "45", "attended": "s0001", "rating": "3.5"})
    found, problems = meetings_by_attempt([response], items, {66: [3]}, {3: [66]}, resolve, tz=UTC)
    assert found == [] and [(p.field, p.message) for p in problems] == [("rating", SAID)]


def test_a_whole_number_out_of_range_is_still_not_a_rating_from_1_to_5(tmp_path, store, resolve):
    text = "date,mentor,mentee,minutes,attended,rating\n2026-10-12,m0001,s0001,45,yes,6\n"
    with pytest.raises(InputError) as info:
        import_file(store, write(tmp_path, text), resolve)
    assert "rating: '6' is not a rating from 1 to 5" in str(info.value)
