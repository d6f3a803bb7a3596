"""Tester round 111b, 7: the meetings import's note on rows kept with a withheld record's words named no line, and
was given for a row with blank rating and notes over a record holding none.

The tester imported ``m1.csv`` (m0001's meetings; s0027's of one day "no,,,": no rating, notes nor side), then a copy
``m1b.csv`` with one row added. The import said "note: 1 row(s) give a rating or notes, or blank ones, for a meeting
stored as the mentee's (or of an unknown side) ...", naming no line, about s0027's row, whose blank cells equal the
stored record. Now a blank row over a record with nothing withheld that differs from it says nothing, and the note,
when given (a blank row over a mentee's record), names the file and line as every other import message does.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from lmsync.errors import EXIT_OK
from tests.flows.conftest import run_in
from tests.flows.test_tester_round_111b_2_feedback_after_a_mentor_erased import BASE, TOML, _on, _site

HEADER = "date,mentor,mentee,minutes,attended,rating,notes,rated_by\n"


def _day(days: int) -> str:
    return (BASE + timedelta(days=days)).isoformat()


@pytest.mark.sqlite_only("the built-in emulator's store is a SQLite file")
def test_round_111b_7_a_blank_row_over_a_record_with_nothing_withheld_is_not_noted_and_the_note_names_lines(
    cli_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = cli_home
    for name in ("LMSYNC_CONFIG", "LMSYNC_STORE_PATH"):
        monkeypatch.delenv(name, raising=False)
    (home / "lmsync.toml").write_text(TOML)
    _on(monkeypatch, BASE)
    assert run_in(home, "sync").exit_code == EXIT_OK
    _config, site = _site(home)
    ids = {u.username: u.id for u in site.users.values()}
    circle = next(g for g in site.groups.values() if ids["m0001"] in g.members)
    assert {ids[s] for s in ("s0008", "s0020", "s0027")} <= circle.members, "the tester's circle"
    rows = (f"{_day(4)},m0001,s0020,45,yes,,,\n"
            f"{_day(18)},m0001,s0020,30,yes,5,file note about s0020 progress,mentor\n"
            f"{_day(18)},m0001,s0008,30,yes,3,file note about s0008,mentor\n"
            f"{_day(18)},m0001,s0027,30,no,,,\n"
            f"{_day(11)},m0001,s0008,30,yes,2,my own note,mentee\n")
    (home / "m1.csv").write_text(HEADER + rows)
    _on(monkeypatch, BASE + timedelta(days=20))
    first = run_in(home, "import", "meetings", "m1.csv")
    assert first.exit_code == EXIT_OK, first.output

    # the copy, its mentee's row left blank (another file gives no words over theirs), one row added
    copy = rows.replace("30,yes,2,my own note,mentee", "30,yes,,,")
    (home / "m1b.csv").write_text(HEADER + copy + f"{_day(26)},m0001,s0008,20,yes,,,\n")
    _on(monkeypatch, BASE + timedelta(days=29))
    again = run_in(home, "import", "meetings", "m1b.csv")
    said = " ".join(again.output.split())
    assert again.exit_code == EXIT_OK, said
    assert "m1b.csv: 6 rows, 1 added" in said, said
    # s0027's blank row equals its stored record: not noted; s0008's own record is, by its line
    assert "note: 1 row(s) (m1b.csv:6) give a rating or notes, or blank ones" in said, said

    # a file of only a blank row over a record with nothing withheld says nothing of it
    (home / "m2.csv").write_text(HEADER + f"{_day(18)},m0001,s0027,30,no,,,\n")
    quiet = run_in(home, "import", "meetings", "m2.csv")
    assert quiet.exit_code == EXIT_OK and "note:" not in quiet.output, quiet.output
