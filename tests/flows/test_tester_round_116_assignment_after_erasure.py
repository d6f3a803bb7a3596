"""Tester round 116, 11 (privacy): the assignment's attendance grade and comment after an erased mentor.

After `lmsync person erase` of a mentor, the gradebook items of their mentees were mended (tester round 114a, 4), but
the configured assignment kept the attendance grade and comment lmsync wrote them ("1 of 2 meetings, last 15 Oct":
a meeting with the erased mentor) and `grades plan` said nothing of it: the mentee, with no pair nor meeting left,
had no attendance figure, so nothing was planned. Such a grade is written as 0 with the comment "no meetings
counted" now, shown in `grades plan` first as a change with a note; another mentee's grade is left as it was.

On the built-in emulator's demo site, with the configuration `lmsync init --no-input` writes (programme
``mentoring-2026``) and `[grades] assignment = "Mentoring attendance"`, synced on 2026-10-10; a meeting each for
m0009/s0026 and m0001/s0008, graded on 2026-11-10.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from lmsync.config import load_config
from lmsync.moodle.emulator.state import Site
from tests.flows.test_tester_round_77b_erasure import erase, run
from tests.flows.test_tester_round_114a_grades_after_erasure_and_name_clash import MEETINGS, _at

GRADED = date(2026, 11, 10)


def _assignment(home: Path) -> dict[str, tuple[float, str | None]]:
    """username -> (grade, feedback comment) the assignment 'Mentoring attendance' holds."""
    site = Site.load(load_config(home / "lmsync.toml", environ={}).emulator_state_path())
    return {site.users[uid].username: (g.grade, g.comment) for uid, g in site.assignments[1].grades.items()}


@pytest.fixture
def home(cli_home: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The programme with its assignment graded on 2026-11-10 (the clock stays there)."""
    run(cli_home, "init", "--no-input")
    config = cli_home / "lmsync.toml"
    config.write_text(config.read_text().replace("[grades]\n", '[grades]\nassignment = "Mentoring attendance"\n', 1))
    _at(monkeypatch, date(2026, 10, 10), hour=9)
    run(cli_home, "sync")
    _at(monkeypatch, GRADED, hour=9)
    (cli_home / "good.csv").write_text(MEETINGS)
    run(cli_home, "import", "meetings", "good.csv")
    run(cli_home, "grades", "push")
    return cli_home


def test_round_116_11_an_erased_mentors_mentees_assignment_grades_are_written_again_without_them(home: Path) -> None:
    before = _assignment(home)
    assert before["s0026"] == (50.0, "<p>1 of 2 meetings, last 15 Oct</p>"), before  # the meeting with m0009
    assert before["s0008"] == (50.0, "<p>1 of 2 meetings, last 12 Oct</p>"), before
    run(home, "emulator", "edit", "unenrol", "m0009")
    run(home, "sync")  # the mentor is found away: their circle is held
    erase(home, "m0009")
    planned = " ".join(run(home, "grades", "plan").output.split())
    assert "~ assignment 'Mentoring attendance': 4 grades with comments" in planned, planned  # s0026 and 3 more
    assert ("assignment 'Mentoring attendance': 4 attendance grade(s) lmsync wrote have no meeting left behind them "
            "(a Feedback meeting-log response corrected or deleted in Moodle, `lmsync meetings remove`, or an "
            "erasure): written as 0 with the comment 'no meetings "
            "counted', as Moodle's web services cannot empty a grade") in planned, planned
    run(home, "grades", "push")
    after = _assignment(home)
    assert after["s0026"] == (0.0, "<p>no meetings counted</p>"), after  # nothing of the erased meeting left
    assert after["s0008"] == before["s0008"], after  # another mentor's mentee: as it was
    changed = {name for name in after if after[name] != before.get(name)}
    assert len(changed) == 4 and all(after[name] == (0.0, "<p>no meetings counted</p>") for name in changed), after
    again = run(home, "grades", "plan").output
    assert "no changes" in again and "no meeting left" not in again, again
