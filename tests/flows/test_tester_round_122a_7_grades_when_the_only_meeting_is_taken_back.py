"""Tester round 122a, 7: once the only stored meeting is taken back, the plan says one thing about what it writes.

The plan said "meeting grades wait for the first meeting: ... no attendance, meetings or minutes grade ... is computed
or written" and, in the same breath, "2 grade(s) lmsync published have no meeting left behind them: written as 0", and
wrote 0 to attendance, meetings and the mean minutes. The grades published from the meeting taken back are still
written as 0 (Moodle's web services cannot empty a grade, and keeping them keeps a figure made from a meeting taken
back as wrong: tester round 114a, 4); the first-meeting note now counts them instead of saying nothing is written,
and the mean minutes' line says its 0 is a placeholder, not a mean of 0 minutes.

On the built-in emulator's demo site with `lmsync init --no-input`'s configuration: synced on 2026-10-10, one meeting
(m0001/s0008) imported and its grades pushed on 2026-10-20, then taken back with `lmsync meetings remove`.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from tests.flows.test_tester_round_77b_erasure import run
from tests.flows.test_tester_round_114a_grades_after_erasure_and_name_clash import _at, _grades

DAY = date(2026, 10, 20)


@pytest.fixture
def home(cli_home: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    run(cli_home, "init", "--no-input")
    _at(monkeypatch, date(2026, 10, 10), hour=9)
    run(cli_home, "sync")
    _at(monkeypatch, DAY, hour=9)
    (cli_home / "one.csv").write_text("date,mentor,mentee,minutes,attended\n2026-10-12,m0001,s0008,45,yes\n")
    run(cli_home, "import", "meetings", "one.csv")
    run(cli_home, "grades", "push")
    run(cli_home, "meetings", "remove", "--date", "2026-10-12", "--mentor", "m0001", "--mentee", "s0008", "--yes")
    return cli_home


def test_round_122a_7_the_first_meeting_note_counts_the_grades_written_as_0(home: Path) -> None:
    assert _grades(home, "lmsync_minutes") == {"m0001": 45.0, "s0008": 45.0}
    planned = " ".join(run(home, "grades", "plan").output.split())
    assert "meeting grades wait for the first meeting" in planned, planned
    assert "is computed or written" not in planned, planned  # not while it writes 4 grades as 0
    assert ("so no attendance, meetings or minutes grade (nor an assignment's attendance grade) is computed; the only "
            "ones written are the 4 lmsync published before from meetings no longer stored, written as 0") in planned
    assert "lmsync_meetings: 2 grade(s) lmsync published have no meeting left behind them" in planned, planned
    assert ("lmsync_minutes: 2 grade(s) lmsync published have no meeting left behind them (erased, or taken back with "
            "`lmsync meetings remove`): written as 0, as Moodle's web services cannot empty a grade; the 0 is a "
            "placeholder, not a mean of 0 minutes") in planned, planned
    assert "not a mean of 0 minutes" not in planned.split("lmsync_minutes: 2 grade(s)")[0]  # said of the minutes only
    run(home, "grades", "push")
    assert _grades(home, "lmsync_minutes") == {"m0001": 0.0, "s0008": 0.0}
    again = " ".join(run(home, "grades", "plan").output.split())
    assert "is computed or written" in again and "written as 0" not in again, again  # nothing more to write
