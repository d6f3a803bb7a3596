"""Tester round 97a, 3, 6 and 7: which file gave a meeting's rating and notes, the import's help, a blank side's fix.

3 (WRONG): an attendance register (no rating or notes column) that corrected a meeting's minutes was taken for the
origin of the mentee's withheld rating and notes it kept: the mentee's own running register, imported again with a
row added, was refused as "another file" over them, "(stored from C.csv:2)", and a mentor-side row was told they
were "last imported from C.csv:2". The file that gave the words stays their origin (``meetings.words_origin``,
revision 0013), for the own-file rule and in messages; the correction rules are kept.
6 (CONFUSING): ``import meetings --help`` said "an empty cell clears it" of every row.
7 (MINOR): a file with a ``rated_by`` column, blank on a row, was told to add a rated_by or logged_by column.
"""

from datetime import date

import pytest
from click.testing import CliRunner

from lmsync.cli import main
from lmsync.cli.meetings import _report
from lmsync.errors import InputError
from lmsync.service.export_meetings import as_seen_by
from lmsync.service.imports import ImportRules, import_meetings_file
from lmsync.store.db import Store
from lmsync.store.meetings import MeetingRepository
from tests.unit.meetings import test_withheld_rating_guessed_by_another_file as guessed

RULES = ImportRules(today=date(2026, 12, 1))
WORDS_HEADER = "date,mentor,mentee,minutes,attended,rating,notes,rated_by\n"
REGISTER = WORDS_HEADER + "2026-10-12,m0001,s0001,45,yes,{rating},{notes},mentee\n"  # the mentee's running register
ATTENDANCE = "date,mentor,mentee,minutes,attended\n2026-10-12,m0001,s0001,60,yes\n"  # corrects the minutes only
ADDED_ROW = "2026-11-30,m0001,s0001,30,yes,2,new,mentee\n"


write, run = guessed.write, guessed.run  # run: a fixture


def first(store):
    found = MeetingRepository(store, "p").find()[0]
    m = found.meeting
    return m.minutes, m.rating, m.notes, m.rated_by, found.origin, found.words_origin


def test_the_mentees_register_with_a_row_added_after_an_attendance_register_imports(run, store):
    register = REGISTER.format(rating=1, notes="note")
    run(register, "mentee_log.csv")
    run(ATTENDANCE, "C.csv")
    assert first(store) == (60, 1, "note", "mentee", "C.csv:2", "mentee_log.csv:2")  # C.csv gave no words
    result = run(register + ADDED_ROW, "mentee_log.csv")  # was: refused, exit 3, nothing stored
    assert (result.counts.added, result.counts.updated, result.counts.replaced, result.words_kept) == (1, 1, 1, 1)
    # the register puts its row back as it has it, and says it replaced another file's values
    assert first(store) == (45, 1, "note", "mentee", "mentee_log.csv:2", "mentee_log.csv:2")
    assert "replaced values another file" in _report(result)


def test_the_answer_is_the_same_whether_the_mentee_gave_words_or_not(store, tmp_path, resolve):
    reports = []
    for rating, notes in ((1, "note"), ("", "")):
        db = Store.memory()
        try:
            def run(text, name, db=db):
                return import_meetings_file(db, "p", write(tmp_path, text, name), resolve, rules=RULES)
            register = REGISTER.format(rating=rating, notes=notes)
            run(register, "mentee_log.csv")
            run(ATTENDANCE, "C.csv")
            reports.append(_report(run(register + ADDED_ROW, "mentee_log.csv")))
        finally:
            db.close()
    assert reports[0] == reports[1]


def test_a_mentor_side_row_names_the_file_that_gave_the_words(run, store):
    run(REGISTER.format(rating=1, notes="note"), "mentee_log.csv")
    run(ATTENDANCE, "C.csv")
    with pytest.raises(InputError) as error:
        run(WORDS_HEADER + "2026-10-12,m0001,s0001,45,yes,3,x,mentor\n", "M.csv")
    message = str(error.value)
    assert "stored as logged by the mentee (given by mentee_log.csv:2)" in message and "C.csv" not in message


def test_another_file_over_the_words_is_still_refused_naming_their_origin(run, store):
    run(REGISTER.format(rating=1, notes="note"), "mentee_log.csv")
    run(ATTENDANCE, "C.csv")
    with pytest.raises(InputError) as error:
        run(REGISTER.format(rating=2, notes="note"), "guess.csv")
    message = str(error.value)
    assert "holds the mentee's (stored from mentee_log.csv:2)" in message and "C.csv" not in message
    # the attendance register's own rows are still its: it gives no words, so nothing of this changes for it
    assert run(ATTENDANCE.replace(",60,", ",50,"), "C.csv").counts.updated == 1


def test_the_same_register_again_keeps_the_attendance_registers_correction(run, store):
    register = REGISTER.format(rating=1, notes="note")
    run(register, "mentee_log.csv")
    run(ATTENDANCE, "C.csv")
    result = run(register, "mentee_log.csv")  # the same bytes: C.csv's correction is kept, and said
    assert result.counts.kept == 1 and result.seen_before
    assert first(store) == (60, 1, "note", "mentee", "C.csv:2", "mentee_log.csv:2")


def test_a_row_giving_words_is_their_origin(run, store):
    run(WORDS_HEADER + "2026-10-12,m0001,s0001,45,yes,4,good,mentor\n", "a.csv")
    run(ATTENDANCE, "C.csv")
    run(WORDS_HEADER + "2026-10-12,m0001,s0001,45,yes,5,better,mentor\n", "b.csv")  # the mentor's, replaced
    assert first(store) == (45, 5, "better", "mentor", "b.csv:2", "b.csv:2")


def test_the_store_keeps_the_words_origin_on_each_engine(store_target, tmp_path, resolve):
    store = Store(store_target)
    try:
        for text, name in ((REGISTER.format(rating=1, notes="note"), "mentee_log.csv"), (ATTENDANCE, "C.csv")):
            import_meetings_file(store, "p", write(tmp_path, text, name), resolve, rules=RULES)
        assert first(store) == (60, 1, "note", "mentee", "C.csv:2", "mentee_log.csv:2")
    finally:
        store.close()


def test_an_export_empties_the_words_origin_of_the_other_sides_row():
    row = {"rating": 1, "notes": "n", "rated_by": "mentee", "origin": "C.csv:2", "words_origin": "mentee_log.csv:2"}
    as_seen_by(row, "mentor")
    assert row["words_origin"] is None and row["origin"] is None


@pytest.mark.parametrize(("column", "fix"), [
    ("rated_by", "fill in this row's rated_by (mentor or mentee), or leave rating and notes out of this row"),
    ("logged_by", "fill in this row's logged_by (who logged it), or leave rating and notes out of this row"),
])
def test_a_blank_side_cell_is_told_to_fill_it_in(run, store, column, fix):
    run(WORDS_HEADER + "2026-10-12,m0001,s0001,45,yes,4,good,mentor\n", "a.csv")
    with pytest.raises(InputError) as error:
        run(f"date,mentor,mentee,minutes,attended,rating,notes,{column}\n2026-10-12,m0001,s0001,45,yes,3,x,\n", "b.csv")
    message = str(error.value)
    assert "b.csv:2: rating:" in message and fix in message and "add a rated_by or logged_by column" not in message


def test_a_file_without_a_side_column_is_still_told_to_add_one(run, store):
    run(WORDS_HEADER + "2026-10-12,m0001,s0001,45,yes,4,good,mentor\n", "a.csv")
    with pytest.raises(InputError) as error:
        run("date,mentor,mentee,minutes,attended,rating\n2026-10-12,m0001,s0001,45,yes,3\n", "b.csv")
    assert "add a rated_by or logged_by column, or leave rating and notes out of it" in str(error.value)


def test_the_help_says_only_the_mentors_side_is_cleared_by_an_empty_cell():
    text = " ".join(CliRunner().invoke(main, ["import", "meetings", "--help"]).output.split())
    assert "an empty cell clears it." not in text
    assert "an empty cell clears the value only in a row of the mentor's side" in text
    assert "No file clears a mentee's (or an unknown side's) rating and notes: an empty cell keeps them" in text
