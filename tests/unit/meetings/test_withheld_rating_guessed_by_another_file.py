"""Tester finding (HARM): `lmsync import meetings` told a coordinator a mentee's withheld rating, and a wrong guess
replaced it. A file row with ``rated_by=mentee`` over the mentee's stored rating was "1 unchanged" when it equalled
it and "1 updated" (now stored) otherwise. A row of another file giving a rating or notes where the mentee's (or an
unknown side's) are stored is now refused whatever it gives, and the whole file with it; the file's own rows (a
corrected copy of the same name, or the very same bytes again) keep the stored ones, never compared."""

from datetime import date

import pytest

from lmsync.cli.meetings import _report
from lmsync.domain.meeting_clash import against_held
from lmsync.domain.meetings import Meeting
from lmsync.errors import InputError
from lmsync.service.imports import ImportRules, import_meetings_file
from lmsync.store.meetings import MeetingRepository

RULES = ImportRules(today=date(2026, 12, 1))
HEADER = "date,mentor,mentee,minutes,attended,rating,notes,rated_by,logged_by\n"
MENTEES = HEADER + "2026-11-13,m0002,s0003,30,yes,1,he never listens,,s0003\n"  # the mentee's rating 1
GUESS = "date,mentor,mentee,minutes,attended,rating,rated_by\n2026-11-13,m0002,s0003,30,yes,{},mentee\n"
NEW_ROW = "2026-11-14,m0001,s0001,45,yes,,mentor\n"  # a row of its own: nothing of a refused file is stored


def write(tmp_path, text, name):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def run(store, tmp_path, resolve):
    """Import ``text`` as a file named ``name`` (``lmsync import meetings NAME``)."""
    return lambda text, name: import_meetings_file(store, "p", write(tmp_path, text, name), resolve, rules=RULES)


def stored(store):
    return [(s.meeting.mentee_id, s.meeting.rating, s.meeting.notes, s.meeting.rated_by, s.origin)
            for s in MeetingRepository(store, "p").find()]


def test_another_files_guess_at_a_mentees_rating_is_refused_whatever_it_is(run, store):
    run(MENTEES, "mentees.csv")
    before = stored(store)
    answers = set()
    for value in range(1, 6):  # the right guess (1) gets the same answer as every wrong one
        with pytest.raises(InputError) as error:
            run(GUESS.format(value) + NEW_ROW, "q.csv")
        answers.add((str(error.value), error.value.exit_code))
        assert stored(store) == before  # nothing applied: the rating is still the mentee's 1, no new row
    [(message, _code)] = answers
    assert "q.csv:2: rating: the meeting of 'm0002' and 's0003' on 2026-11-13 holds the mentee's" in message
    assert "`lmsync meetings remove`" in message


def test_a_copy_named_as_the_mentees_file_learns_and_replaces_nothing(run, store):
    run(MENTEES, "mentees.csv")
    reports = set()
    for value in range(1, 6):
        result = run(GUESS.format(value), "mentees.csv")
        assert (result.counts.added, result.counts.updated, result.counts.unchanged, result.words_kept) == (0, 0, 1, 1)
        reports.add(_report(result))
        assert stored(store) == [(5, 1, "he never listens", "mentee", "mentees.csv:2")]
    [report] = reports  # every count and note the same, whatever the guess
    assert "the stored ones are kept, never compared" in report


def test_the_very_same_file_again_changes_nothing(run, store):
    run(MENTEES, "mentees.csv")
    again = run(MENTEES, "mentees.csv")
    assert (again.counts.added, again.counts.updated, again.counts.unchanged, again.seen_before) == (0, 0, 1, True)
    assert "never compared" not in _report(again)
    # after a register (no rating column) wrote the meeting last, the same bytes again are still its own rows
    run("date,mentor,mentee,minutes,attended\n2026-11-13,m0002,s0003,35,yes\n", "register.csv")
    third = run(MENTEES, "mentees.csv")
    assert (third.counts.added, third.counts.updated, third.counts.kept) == (0, 0, 1)  # kept: the register's minutes
    assert stored(store) == [(5, 1, "he never listens", "mentee", "register.csv:2")]


def test_an_unknown_sides_rating_is_refused_from_another_file_whatever_it_is(run, store):
    run("date,mentor,mentee,minutes,attended,rating\n2026-11-13,m0002,s0003,30,yes,4\n", "old.csv")
    answers = set()
    for value in (3, 4):
        for side in ("", "mentee", "mentor"):
            text = f"date,mentor,mentee,minutes,attended,rating,rated_by\n2026-11-13,m0002,s0003,30,yes,{value},{side}\n"
            with pytest.raises(InputError) as error:
                run(text, "q.csv")
            answers.add((side, str(error.value)))
    assert len(answers) == 3  # one answer per side claimed, the same for the right value and a wrong one
    assert stored(store) == [(5, 4, None, None, "old.csv:2")]


def test_a_register_first_still_takes_a_later_files_ratings(run, store):
    run("date,mentor,mentee,minutes,attended\n2026-11-13,m0002,s0003,30,yes\n", "register.csv")
    result = run(GUESS.format(2), "ratings.csv")  # nothing withheld stored: nothing to guess
    assert (result.counts.updated, result.words_kept) == (1, 0)
    assert stored(store) == [(5, 2, None, "mentee", "ratings.csv:2")]


def test_another_sources_guess_at_an_unknown_sides_rating_learns_nothing():
    """`meetings add` (or the Feedback log) holding a rating of no known side: a file row repeating it was a repeat
    ("1 unchanged"), any other value refused."""
    day = date(2026, 9, 10)
    held = {(day, 66, 10): [(Meeting(day, 66, 10, 35, True, "cli", rating=4), "cli")]}
    rows = [(Meeting(day, 66, 10, 35, True, "csv", rating=r, rated_by=side), line, "m0001", "s0008")
            for line, (r, side) in enumerate(((r, s) for r in range(1, 6) for s in (None, "mentee")), 2)]
    problems, repeats = against_held(rows, held)
    assert len(problems) == 10 and not repeats
    assert len({(f, m) for _l, f, m in problems}) == 1
