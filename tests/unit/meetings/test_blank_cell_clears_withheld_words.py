"""Tester finding (HARM): a blank cell in any file erased a mentee's withheld rating and notes, and the counts told
whether they existed. Over a stored mentee's row (rating 2, notes), a new file's row with the rating and/or notes
cell blank (``rated_by=mentee``, ``logged_by`` naming the mentee, no notes column, no rating column, a rating of
" ") was "1 updated" with "replaced values another file had stored", and the store held no rating nor notes; the same
blank-notes row was "1 updated" where the mentee wrote notes and "1 unchanged" where they did not, while `meetings
list` shows `withheld` either way. Such a row now keeps the stored rating, notes and side, and is counted as it would
be were there no words (``hidden_words``)."""

from datetime import date
from pathlib import Path

import pytest

from lmsync.cli.meetings import _report
from lmsync.errors import InputError
from lmsync.service.imports import ImportRules, import_meetings_file
from lmsync.store.db import Store
from lmsync.store.meetings import MeetingRepository
from tests.unit.meetings import test_withheld_rating_guessed_by_another_file as guessed

RULES = ImportRules(today=date(2026, 12, 1))
HEADER = "date,mentor,mentee,minutes,attended,rating,notes,rated_by,logged_by\n"
SECRET = HEADER + "2026-11-13,m0002,s0003,45,yes,2,secret mentee note,mentee,s0003\n"

TESTERS_FILES = {  # the tester's five files, each a new file giving no rating nor notes
    "g6.csv": HEADER + "2026-11-13,m0002,s0003,45,yes,,,mentee,\n",
    "l1.csv": HEADER + "2026-11-13,m0002,s0003,45,yes,,,,s0003\n",
    "r1.csv": "date,mentor,mentee,minutes,attended,rating,rated_by\n2026-11-13,m0002,s0003,45,yes,,mentee\n",
    "n1.csv": "date,mentor,mentee,minutes,attended,notes,rated_by\n2026-11-13,m0002,s0003,45,yes,,mentee\n",
    "d5.csv": HEADER + '2026-11-13,m0002,s0003,45,yes," ",,mentee,\n',
}


write, run = guessed.write, guessed.run  # run: a fixture


def words(store):
    return [(s.meeting.date, s.meeting.rating, s.meeting.notes, s.meeting.rated_by)
            for s in MeetingRepository(store, "p").find()]


def counts(result):
    c = result.counts
    return c.added, c.updated, c.unchanged, c.replaced


@pytest.mark.parametrize("name", sorted(TESTERS_FILES))
def test_a_blank_cell_in_another_file_does_not_erase_the_mentees_words(run, store, name):
    run(SECRET, "a.csv")
    before = words(store)
    result = run(TESTERS_FILES[name], name)
    assert words(store) == before == [(date(2026, 11, 13), 2, "secret mentee note", "mentee")]
    assert counts(result) == (0, 0, 1, 0)
    assert "replaced values" not in _report(result)


def test_a_blank_cell_in_the_files_own_copy_does_not_erase_them_either(run, store):
    run(SECRET, "a.csv")
    run(TESTERS_FILES["g6.csv"], "a.csv")  # a corrected copy of the same name
    assert words(store) == [(date(2026, 11, 13), 2, "secret mentee note", "mentee")]


STORED = {  # the same meeting stored with and without withheld words, for each side `meetings list` withholds
    ("mentee", True): SECRET,
    ("mentee", False): HEADER + "2026-11-13,m0002,s0003,45,yes,,,mentee,\n",
    ("unknown", True): "date,mentor,mentee,minutes,attended,rating,notes\n2026-11-13,m0002,s0003,45,yes,2,secret\n",
    ("unknown", False): "date,mentor,mentee,minutes,attended\n2026-11-13,m0002,s0003,45,yes\n",
}
BLANK_NOTES = {  # a row with a blank notes cell (and the same minutes, or other ones), claiming each side or none
    f"{side}-{minutes}": "date,mentor,mentee,minutes,attended,notes,rated_by\n"
    f"2026-11-13,m0002,s0003,{minutes},yes,,{side}\n"
    for side in ("mentee", "mentor", "") for minutes in (45, 50)
}


CASES = [(side, row) for side in ("mentee", "unknown") for row in sorted(BLANK_NOTES)
         if side == "unknown" or row.startswith("mentee")]  # over a mentee's row, the mentor's or a side-less one
#   was answered alike before (refused: ``meeting_clash.side_message``; kept: ``meeting_columns.keep_sided_words``)


@pytest.mark.parametrize(("side", "row"), CASES)
def test_the_answer_to_a_blank_cell_is_the_same_whether_withheld_words_exist(tmp_path, resolve, side, row, monkeypatch):
    """What an import answers (counts, notes, refusal) and what it leaves of the withheld words are the same
    whether or not the mentee (or an unknown side) wrote any (each file named as typed in its own folder: what is
    said names the path as given, tester round 122c, 2)."""
    answers, kept = [], []
    for has_words in (True, False):
        folder = tmp_path / str(has_words)
        folder.mkdir()
        monkeypatch.chdir(folder)
        store = Store.memory()
        import_meetings_file(store, "p", write(folder, STORED[(side, has_words)], "a.csv"), resolve, rules=RULES)
        before = words(store)
        try:
            answers.append(_report(import_meetings_file(store, "p", Path(write(folder, BLANK_NOTES[row], "b.csv").name),
                                                        resolve, rules=RULES)))
        except InputError as exc:  # a refusal must not depend on the words either
            answers.append(f"refused ({exc.exit_code}): {exc}")
        kept.append(words(store)[0][1:3] == before[0][1:3])
        store.close()
    assert answers[0] == answers[1]
    assert kept == [True, True]
