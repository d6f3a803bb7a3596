"""Tester finding (data loss): an attendance register re-imported over a full meetings file erased
the mentee's rating, notes and side. A column the file does not have now leaves that field of a
stored row as it is; a column that is present with an empty cell still means "none" (clears it)."""

from datetime import date

import pytest

from lmsync.config import Config
from lmsync.domain.meetings import Meeting
from lmsync.service import meetings as service
from lmsync.store.meetings import MeetingRepository

from .conftest import PAIRS, PEOPLE

TODAY = date(2026, 11, 1)
FULL = (
    "date,mentor,mentee,minutes,attended,rating,notes,rated_by,logged_by\n"
    "2026-10-12,m0001,s0001,45,yes,2,Mentor kept cancelling,mentee,s0001\n"
    "2026-10-12,m0001,s0002,45,no,4,Sent a message,mentor,m0001\n"
)
REGISTER = (
    "date,mentor,mentee,minutes,attended\n"
    "2026-10-12,m0001,s0001,45,yes\n"  # the same row: nothing to change
    "2026-10-12,m0001,s0002,30,yes\n"  # attendance and minutes corrected
    "2026-10-26,m0002,s0003,40,yes\n"  # a meeting the full file did not have
)


@pytest.fixture
def config(tmp_path):
    return Config.model_validate(
        {"programme": {"name": "p"}, "store": {"path": str(tmp_path / "p.db")}, "import": {"date_order": "dmy"}}
    )


def imported(config, store, tmp_path, name, text):
    """``lmsync import meetings FILE``'s service call, with the people and pairs given."""
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    result = service.import_meetings(config, path, people=PEOPLE, pairs=PAIRS, store=store, today=TODAY)
    return (result.counts.added, result.counts.updated, result.counts.unchanged, result.counts.removed)


def by_mentee(store):
    """The file's rows (source ``csv``) by mentee."""
    return {m.mentee_id: m for m in MeetingRepository(store, "p").meetings(source="csv")}


def test_tester_finding_meetings_register_reimport_keeps_ratings_and_notes(config, store, tmp_path):
    assert imported(config, store, tmp_path, "full.csv", FULL) == (2, 0, 0, 0)
    assert imported(config, store, tmp_path, "register.csv", REGISTER) == (1, 1, 1, 0)
    stored = by_mentee(store)
    assert stored[3] == Meeting(
        date(2026, 10, 12), 66, 3, 45, True, "csv", rating=2, notes="Mentor kept cancelling", rated_by="mentee"
    )
    assert stored[4] == Meeting(
        date(2026, 10, 12), 66, 4, 30, True, "csv", rating=4, notes="Sent a message", rated_by="mentor"
    )
    assert stored[5] == Meeting(date(2026, 10, 26), 67, 5, 40, True, "csv")  # new: nothing to keep
    # the same register again changes nothing, and the full file again (corrected) finds its own rows
    assert imported(config, store, tmp_path, "register-again.csv", REGISTER) == (0, 0, 3, 0)
    full_again = FULL.replace("45,no,4", "30,yes,4")
    assert imported(config, store, tmp_path, "full.csv", full_again) == (0, 0, 2, 0)


def test_a_register_removes_nothing_and_leaves_other_sources_alone(config, store, tmp_path):
    repo = MeetingRepository(store, "p")
    logged = Meeting(date(2026, 10, 19), 66, 3, 50, True, "feedback", rating=5, notes="Great", rated_by="mentee")
    repo.replace_source("feedback", [(logged, "feedback")])
    imported(config, store, tmp_path, "full.csv", FULL)
    register = "date,mentor,mentee,minutes,attended\n2026-10-19,m0001,s0001,50,yes\n"  # repeats the Feedback log
    assert imported(config, store, tmp_path, "register.csv", register) == (0, 0, 1, 0)
    assert repo.count() == 3
    assert [m for m in repo.meetings() if m.source == "feedback"] == [logged]
    assert by_mentee(store)[3].rating == 2 and by_mentee(store)[4].notes == "Sent a message"


@pytest.mark.parametrize(
    ("header", "cells", "expected"),
    [
        # present and empty, in a row that says no side: one side's rating and notes are not its to clear
        # (tester round 48, 2: a register's empty rating column erased the mentee's rating in silence)
        ("rating,notes", ",", (2, "Mentor kept cancelling", "mentee")),
        ("rated_by", "", (2, "Mentor kept cancelling", "mentee")),
        ("logged_by", "", (2, "Mentor kept cancelling", "mentee")),
        # present and empty in a row of the mentee's side: kept too, as a blank cell cleared the withheld words
        # and told whether they existed (tester finding, HARM: test_blank_cell_clears_withheld_words)
        ("rating,notes,rated_by", ",,mentee", (2, "Mentor kept cancelling", "mentee")),
        # a value over the mentee's, from another file, is refused whatever it is (tester finding, HARM:
        # test_withheld_rating_guessed_by_another_file; without a side: refused too, tester round 18, 1)
    ],
)
def test_a_present_but_empty_column_still_clears_the_field(config, store, tmp_path, header, cells, expected):
    imported(config, store, tmp_path, "full.csv", FULL)
    text = f"date,mentor,mentee,minutes,attended,{header}\n2026-10-12,m0001,s0001,45,yes,{cells}\n"
    changed = expected != (2, "Mentor kept cancelling", "mentee")
    assert imported(config, store, tmp_path, "partial.csv", text) == ((0, 1, 0, 0) if changed else (0, 0, 1, 0))
    kept = by_mentee(store)[3]
    assert (kept.rating, kept.notes, kept.rated_by) == expected
    assert by_mentee(store)[4].rating == 4  # a row the file does not name is not touched


def test_a_present_but_empty_column_still_clears_the_mentors_own_words(config, store, tmp_path):
    imported(config, store, tmp_path, "full.csv", FULL)
    text = "date,mentor,mentee,minutes,attended,rating,rated_by\n2026-10-12,m0001,s0002,45,no,,mentor\n"
    assert imported(config, store, tmp_path, "partial.csv", text) == (0, 1, 0, 0)
    cleared = by_mentee(store)[4]
    assert (cleared.rating, cleared.notes, cleared.rated_by) == (None, "Sent a message", "mentor")


def test_the_merge_of_a_stored_meeting():
    from lmsync.domain.meeting_columns import fields_not_given, keep_absent_fields

    stored = Meeting(date(2026, 10, 12), 66, 3, 45, True, "csv", rating=2, notes="n", rated_by="mentee")
    new = Meeting(date(2026, 10, 12), 66, 3, 30, False, "csv")
    assert fields_not_given(["date", "mentor", "mentee", "minutes", "attended", "logged_by"]) == {"rating", "notes"}
    assert fields_not_given(["rating", "notes", "rated_by"]) == set()
    merged = keep_absent_fields(new, stored, {"rating", "notes", "rated_by"})
    assert merged == Meeting(date(2026, 10, 12), 66, 3, 30, False, "csv", rating=2, notes="n", rated_by="mentee")
    assert keep_absent_fields(new, None, {"rating"}) == new
    assert keep_absent_fields(new, stored, set()) == new


def test_round_48_2_a_register_with_an_empty_rating_column_keeps_the_mentees_rating(config, store, tmp_path):
    """The register's row corrects the minutes; its rating cell is empty and it says no side: the
    mentee's rating of 2 was erased ("1 updated"), while a row giving another rating without a side
    is refused. It now keeps the mentee's rating, notes and side, and takes the minutes."""
    imported(config, store, tmp_path, "full.csv", FULL)
    register = "date,mentor,mentee,minutes,attended,rating\n2026-10-12,m0001,s0001,30,yes,\n"
    assert imported(config, store, tmp_path, "register.csv", register) == (0, 1, 0, 0)
    kept = by_mentee(store)[3]
    assert (kept.minutes, kept.rating, kept.notes, kept.rated_by) == (30, 2, "Mentor kept cancelling", "mentee")
