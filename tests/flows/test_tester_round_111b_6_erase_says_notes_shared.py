"""Tester round 111b, 6: erasing one mentee took a mentor's Feedback note off the other mentees' copies of that
circle meeting (as the README says: it may name them), but the result line said only ``meeting_notes_shared 2``;
nothing told the coordinator that other people's records had changed. It is said now, and what stays."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from lmsync.errors import EXIT_OK
from tests.flows.conftest import run_in
from tests.flows.test_tester_round_111b_2_feedback_after_a_mentor_erased import BASE, _on
from tests.flows.test_tester_round_111b_2_feedback_after_a_mentor_erased import logged as logged  # noqa: F401


@pytest.mark.sqlite_only("the built-in emulator's store is a SQLite file")
def test_round_111b_6_erasing_a_mentee_says_the_others_copies_of_a_mentors_note_went(
    logged: Path, monkeypatch: pytest.MonkeyPatch  # noqa: F811
) -> None:
    _on(monkeypatch, BASE + timedelta(days=29))
    assert run_in(logged, "emulator", "edit", "unenrol", "s0020").exit_code == EXIT_OK
    erased = run_in(logged, "person", "erase", "s0020", "--yes")
    said = " ".join(erased.output.split())
    assert erased.exit_code == EXIT_OK, said
    assert "meeting_notes_shared 2" in said, said  # m0001's circle note, on s0008's and s0027's copies
    assert ("note: meeting_notes_shared 2: a mentor's note on a circle meeting logged in Moodle's Feedback meeting "
            "log was taken off that many meetings of the other mentees who were there, as it may name this person; "
            "their meetings, ratings and own notes stay") in said, said


@pytest.mark.sqlite_only("the built-in emulator's store is a SQLite file")
def test_round_111b_6_an_erasure_touching_no_other_record_says_nothing_of_it(
    logged: Path, monkeypatch: pytest.MonkeyPatch  # noqa: F811
) -> None:
    _on(monkeypatch, BASE + timedelta(days=29))
    assert run_in(logged, "emulator", "edit", "unenrol", "s0003").exit_code == EXIT_OK  # another circle, no notes
    said = " ".join(run_in(logged, "person", "erase", "s0003", "--yes").output.split())
    assert "erased:" in said and "taken off that many meetings" not in said, said
