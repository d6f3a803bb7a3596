"""Tester round 123a, 3: the digest counted a grade "written as 0" that a later run had written back, and said it
"reads 0 in Moodle's gradebook".

A register mistake (`lmsync meetings remove`) made the afternoon run write a mentee's meeting grades as 0; the
meeting was imported again and the next run wrote them back. The next morning's digest still said "Meeting grades
written as 0 since your last digest (1 person; their grades read 0 ...)". It counts now only the people whose last
grade lmsync wrote is the 0 (``store.zeroed_grades.zeroed_writes``).

On the built-in emulator's demo site, with the configuration `lmsync init --no-input` writes and `[health]
coordinators = ["coorda"]` (a manager), synced on 2026-10-10; a meeting each for m0009/s0026 and m0001/s0008, run
on 2026-11-10 at 09:00 (a digest sent), both meetings taken back at 10:00, run at 14:00 (grades written as 0),
m0009/s0026's imported again at 15:00, run at 16:00, and the next morning.
"""

from __future__ import annotations

import html
from datetime import date
from pathlib import Path

import pytest

from tests.flows.test_tester_round_77b_erasure import run
from tests.flows.test_tester_round_114a_grades_after_erasure_and_name_clash import MEETINGS, _at
from tests.flows.test_tester_round_117c_4_grades_written_as_0_told import WHY, _digests, _flat

DAY = date(2026, 11, 10)


def test_round_123a_3_a_grade_written_as_0_then_written_back_is_not_counted(
    cli_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = cli_home
    run(home, "init", "--no-input")
    config = home / "lmsync.toml"
    config.write_text(config.read_text().replace("[health]\n", '[health]\ncoordinators = ["coorda"]\n', 1))
    run(home, "emulator", "edit", "join", "coorda", "--role", "manager")
    _at(monkeypatch, date(2026, 10, 10), hour=9)
    run(home, "sync")
    _at(monkeypatch, DAY, hour=9)
    (home / "good.csv").write_text(MEETINGS)
    run(home, "import", "meetings", "good.csv")
    run(home, "run", "--allow-mass-nudge")
    sent = len(_digests(home))
    assert sent == 1, _digests(home)  # the morning digest
    _at(monkeypatch, DAY, hour=10)
    run(home, "meetings", "remove", "--date", "2026-10-15", "--mentor", "m0009", "--mentee", "s0026", "--yes")
    run(home, "meetings", "remove", "--date", "2026-10-12", "--mentor", "m0001", "--mentee", "s0008", "--yes")
    _at(monkeypatch, DAY, hour=14)
    assert "written as 0" in run(home, "run").output  # both pairs' meeting grades, the mentors' too
    _at(monkeypatch, DAY, hour=15)
    (home / "again.csv").write_text("date,mentor,mentee,minutes,attended\n2026-10-15,m0009,s0026,40,yes\n")
    run(home, "import", "meetings", "again.csv")  # the register corrected: s0026's grades are written back
    _at(monkeypatch, DAY, hour=16)
    assert "written as 0" not in run(home, "run").output
    _at(monkeypatch, date(2026, 11, 11), hour=9)
    run(home, "run")
    told = [_flat(html.unescape(t).replace("<br />", " ")) for t in _digests(home)[sent:]]
    assert len(told) == 1, told
    # m0001's and s0008's still read 0; m0009's and s0026's read their meeting again (the old digest: "4 people")
    assert ("Meeting grades written as 0 since your last digest (2 people; their grades read 0 in Moodle's "
            f"gradebook): {WHY}.") in told[0], told[0]
