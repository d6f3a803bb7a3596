"""Tester round 98a, 2 (HARM), 4 and 6: ``lmsync meetings add`` over a meeting whose rating and notes are withheld.

2: a ``meetings add`` claiming the mentee's side over a mentee's rating an earlier ``meetings add`` stored replaced
it, its log line ``updated=1`` when the guess differed and ``updated=0`` when it was right; a blank ``--rating``
erased it. Now any ``--rating``/``--notes`` over withheld words (any source) is refused with one message whatever
the values, and a blank one keeps them. 4: the refusal over an imported meeting named an attendance register
(the row that wrote the record last) and "correct that file"; now the file that gave the words, and
``lmsync meetings remove``. 6: a rating without a side pointed to a CSV column, not ``--rated-by``."""

from __future__ import annotations

from datetime import date

import pytest
from structlog.testing import capture_logs

from lmsync.errors import InputError
from lmsync.service.meetings import add_meeting, import_meetings, list_meetings
from tests.flows.test_away_mentor_hold import _circle
from tests.flows.test_away_mentor_hold import synced as synced  # noqa: F401  (fixture)
from tests.flows.test_grades_flow import Person

DAY = date(2026, 9, 20)


def _setup(synced):
    config, site, store, mentor = synced()
    mentee = min(_circle(site, mentor).members - {mentor})
    people = [Person(u.id, u.username, u.idnumber, u.email) for u in site.users.values()]

    def add(**options):
        options = {"when": DAY.isoformat(), "minutes": "30", "attended": None, **options}
        return add_meeting(config, mentor=site.users[mentor].username, mentee=site.users[mentee].username,
                           people=people, store=store, today=date(2026, 10, 1), **options)

    def stored():
        return [(s.meeting.minutes, s.meeting.rating, s.meeting.notes, s.meeting.rated_by)
                for s in list_meetings(config, person=str(mentee), people=people, store=store) if s.meeting.date == DAY]

    return config, site, store, people, mentor, mentee, add, stored


def _refusal(add, **options):
    with capture_logs() as logs, pytest.raises(InputError) as caught:
        add(**options)
    assert caught.value.exit_code == 3
    return str(caught.value), [e for e in logs if e.get("event") == "meetings.add"]


def test_a_guess_at_a_mentees_rating_added_by_hand_is_refused_the_same_whatever_it_is(synced):
    *_, add, stored = _setup(synced)
    add(rating="2", notes="private", rated_by="mentee")
    right = _refusal(add, rating="2", rated_by="mentee")
    wrong = _refusal(add, rating="4", rated_by="mentee")
    assert right == wrong and right[1] == []
    assert "--rating:" in right[0] and "withheld" in right[0] and "`lmsync meetings remove`" in right[0]
    assert "--rating and --notes out" in right[0]
    assert _refusal(add, rating="4") == _refusal(add, rating="2")  # no side: the same rule, before any other
    assert _refusal(add, notes="private", rated_by="mentee")[0] == _refusal(add, notes="x", rated_by="mentee")[0]
    assert stored() == [(30, 2, "private", "mentee")]


def test_the_mentees_side_with_no_words_answers_as_one_with_words(synced):
    *_, add, stored = _setup(synced)
    add(rated_by="mentee")
    empty = _refusal(add, rating="3", rated_by="mentee")
    assert stored() == [(30, None, None, "mentee")]
    *_, add2, stored2 = _setup(synced)
    add2(rating="3", rated_by="mentee")
    assert _refusal(add2, rating="3", rated_by="mentee") == empty


def test_a_blank_rating_keeps_the_mentees_words_and_counts_as_none(synced):
    *_, add, stored = _setup(synced)
    add(rating="2", notes="private", rated_by="mentee")
    _meeting, counts = add(rating="", rated_by="mentee")
    assert (counts.added, counts.updated) == (0, 0)
    _meeting, counts = add(rating="", notes="")
    assert (counts.added, counts.updated) == (0, 0)
    _meeting, counts = add(minutes="40")  # minutes corrected, the words kept
    assert counts.updated == 1
    assert stored() == [(40, 2, "private", "mentee")]


def test_the_mentors_own_rating_is_still_corrected_by_hand(synced):
    *_, add, stored = _setup(synced)
    add(rating="2", rated_by="mentor")
    _meeting, counts = add(rating="3", rated_by="mentor")
    assert counts.updated == 1 and stored() == [(30, 3, None, "mentor")]
    _meeting, counts = add(rating="", rated_by="mentor")  # a blank clears the mentor's own, as before
    assert counts.updated == 1 and stored() == [(30, None, None, "mentor")]


def test_a_rating_without_a_side_points_to_the_rated_by_option(synced):
    *_, add, _stored = _setup(synced)
    add(rating="2", rated_by="mentor")
    message, _logs = _refusal(add, rating="4")
    assert "--rated-by mentor or --rated-by mentee" in message
    assert "column" not in message and "this row" not in message


def _import(config, people, store, tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text)
    return import_meetings(config, path, people=people, store=store, today=date(2026, 10, 1))


def test_the_refusal_over_an_imported_meeting_names_the_file_that_gave_the_words(synced, tmp_path):
    config, site, store, people, mentor, mentee, add, stored = _setup(synced)
    who, them = site.users[mentor].username, site.users[mentee].username
    _import(config, people, store, tmp_path, "mentee_log.csv", "date,mentor,mentee,minutes,attended,rating,notes,"
            f"logged_by\n{DAY},{who},{them},50,yes,1,private,{them}\n")
    _import(config, people, store, tmp_path, "register.csv", f"date,mentor,mentee,minutes,attended\n{DAY},{who},{them},55,yes\n")
    message, _logs = _refusal(add, minutes="55", rating="3", rated_by="mentor")
    assert "mentee_log.csv:2" in message and "register.csv" not in message
    assert "`lmsync meetings remove`" in message and "correct that file" not in message
    assert _refusal(add, minutes="55", rating="1", rated_by="mentee")[0] == message
    message, _logs = _refusal(add, minutes="50")  # the minutes: the register wrote them
    assert "register.csv:2" in message and "correct that file" in message
    assert stored() == [(55, 1, "private", "mentee")]


def test_a_rating_clash_with_the_mentors_imported_words_names_their_file(synced, tmp_path):
    config, site, store, people, mentor, mentee, add, _stored = _setup(synced)
    who, them = site.users[mentor].username, site.users[mentee].username
    _import(config, people, store, tmp_path, "mentor_log.csv", "date,mentor,mentee,minutes,attended,rating,notes,"
            f"rated_by\n{DAY},{who},{them},50,yes,4,ok,mentor\n")
    _import(config, people, store, tmp_path, "register.csv", f"date,mentor,mentee,minutes,attended\n{DAY},{who},{them},55,yes\n")
    message, _logs = _refusal(add, minutes="55", rating="3", rated_by="mentor")
    assert "mentor_log.csv:2" in message and "register.csv" not in message


def test_words_of_an_unknown_side_added_by_hand_are_not_guessed_either(synced):
    *_, add, stored = _setup(synced)
    add(rating="2", notes="private")
    assert _refusal(add, rating="2") == _refusal(add, rating="5")
    assert _refusal(add, rating="2", rated_by="mentee") == _refusal(add, rating="5", rated_by="mentee")
    assert stored() == [(30, 2, "private", None)]
