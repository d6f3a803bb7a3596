"""Tester round 123a, 1: widening a closed wave's window in lmsync.toml gave one mentee's nine ratings back.

m0001's mentees rated her inside T3 ("T3, m0001, 3, 4 ..."); one of her circle answered after T3 closed, and the
import advised "if they answered late, widen that wave's window in [waves]". Widened, the next report read
"T3, m0001, 4, 3.25 ...": 4 x 3.25 - 3 x 4 = 1, all nine of the late rater's ratings. The store now keeps each wave's
window as it closed (recorded by the commands that write the store), the report counts a closed wave over it and
says so when lmsync.toml differs, and the import no longer advises widening a closed wave.
"""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pytest

from tests.flows.test_tester_round_122b_2_two_reports_either_side_of_a_first_time_rater_give_nothing_back import (
    PROGRAMME,
    WAVES,
    _at,
    ratings,
    report,
    run,
)

REPORT = "[report]\nmin_cell = 3\n[grades]\nmin_mentees_for_mentor_rating = 2\n"  # a two-rater row shown


def circle(home: Path, mentor: str) -> list[str]:
    """The usernames of ``mentor``'s mentees, by ``lmsync health``'s CSV (mentor username, mentee username)."""
    rows = list(csv.reader(run(home, "health", "--format", "csv").output.splitlines()))
    head = rows[0]
    m, e = 2, 5  # as the tester read it: column 3 the mentor, column 6 the mentee
    assert head[m].startswith("mentor") and head[e].startswith("mentee"), head
    return sorted(r[e] for r in rows[1:] if len(r) == len(head) and r[m] == mentor)


def test_tester_round_123a_1_a_closed_waves_window_moved_gives_nothing_back(
    cli_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = cli_home
    (home / "lmsync.toml").write_text(PROGRAMME + WAVES.format(t3_end="2026-11-23") + REPORT)
    _at(monkeypatch, date(2026, 11, 1))
    run(home, "sync")
    run(home, "emulator", "edit", "join", "s0100", "--name", "Dana New")  # a newcomer, matched by the next sync
    _at(monkeypatch, date(2026, 11, 2))
    run(home, "sync")
    mentor = next(m for m in (f"m{n:04d}" for n in range(1, 60)) if "s0100" in circle(home, m))
    mentees = circle(home, mentor)
    late = "s0100"
    on_time = [(m, mentor) for m in mentees if m != late] + [(m, "m0001") for m in circle(home, "m0001")]
    assert mentor != "m0001" and len(on_time) >= 5, mentees
    _at(monkeypatch, date(2026, 11, 20))
    run(home, "import", "surveys", str(ratings(home, "mq1.csv", *((who, "2026-11-10", about, 4) for who, about in on_time))))
    _at(monkeypatch, date(2026, 11, 26))  # after T3 closed: the import is a write, and records T3 as it closed
    said = run(home, "import", "surveys", str(ratings(home, "late.csv", (late, "2026-11-25", mentor, 1)))).output
    said = " ".join(said.split())
    assert "widen that wave's window" not in said and "widen a wave's window in [waves] only before it closes" in said
    _at(monkeypatch, date(2026, 12, 1))
    before = report(home, "before")
    assert ["T3", "m0001", "3", *["4"] * 9] in before["mentor_qualities_per_mentor"]
    assert ["T3", mentor, str(len(mentees) - 1), *["4"] * 9] in before["mentor_qualities_per_mentor"]
    assert ["T3", "compassion", str(len(on_time)), "4"] in before["mentor_qualities_overall"], before
    # the admin follows the old advice: T3 widened to take the late answer
    (home / "lmsync.toml").write_text(PROGRAMME + WAVES.format(t3_end="2026-11-27") + REPORT)
    after = report(home, "after")
    assert after["mentor_qualities_per_mentor"] == before["mentor_qualities_per_mentor"]
    assert after["mentor_qualities_overall"] == before["mentor_qualities_overall"]  # was "T3, compassion, 6, 3.5"
    note = ("T3's window in lmsync.toml (2026-11-03 .. 2026-11-27) differs from the one it closed with "
            "(2026-11-03 .. 2026-11-23): the report keeps the window each closed wave closed with")
    assert any(note in row[0] for row in after["notes"]), after["notes"]
    # a run rescores the stored answers under the widened window: the report still keeps T3 as it closed
    run(home, "sync")
    run(home, "import", "surveys", str(ratings(home, "again.csv", (late, "2026-11-25", mentor, 1))))
    again = report(home, "again")
    assert again["mentor_qualities_per_mentor"] == before["mentor_qualities_per_mentor"]
    assert again["mentor_qualities_overall"] == before["mentor_qualities_overall"]
    with (home / "again" / "survey_response.csv").open(newline="") as f, \
            (home / "before" / "survey_response.csv").open(newline="") as g:
        assert list(csv.reader(f)) == list(csv.reader(g))  # the response rate too
