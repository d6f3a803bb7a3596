"""Tester round 122b, 2 (and round 121a, 1): two reports either side of a first-time rater give nothing back.

The report's "Mentor qualities per mentor" took each mentee's latest answers whatever their day: m0001's three
mentees rated her in T3 ("m0001, 3, 4 ..."); a fourth mentee moved into her circle and rated her, and the next
report read "m0001, 4, 3.25 ...": 4 x 3.25 - 3 x 4 = 1 gave all nine of the newcomer's ratings back to a mentor
who knows who joined her circle. Both mentor-qualities tables are now per closed wave, over the answers dated in
its window and the mentees paired with the mentor on its middle and its last day (``report_qualities``).
"""

from __future__ import annotations

import csv
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from lmsync.service import programme_settings
from tests.flows.conftest import run_in

ITEMS = ("compassion", "enthusiasm", "selflessness", "career_guidance", "support", "role_model", "motivation",
         "encouragement", "broader_vision")
PROGRAMME = ('[programme]\nname = "mentoring-2026"\ncourse = "MENTOR-2026"\npeer_mentor_cohort = "peer-mentors-2026"\n'
             '[store]\npath = "p.db"\n')
WAVES = ("[waves]\nprogramme_start = 2026-09-01\n[waves.windows.T0]\nstart = 2026-08-25\nend = 2026-09-22\n"
         "[waves.windows.T3]\nstart = 2026-11-03\nend = {t3_end}\n")


def _at(mp: pytest.MonkeyPatch, day: date) -> None:
    mp.setattr(programme_settings, "clock", lambda: datetime.combine(day, datetime.min.time(), tzinfo=UTC)
               + timedelta(hours=12))


def run(home: Path, *args: str) -> Any:
    result = run_in(home, *args)
    assert result.exit_code == 0, (args, result.output[-3000:])
    return result


def ratings(home: Path, name: str, *specs: tuple[str, str, str, int]) -> Path:
    """A survey CSV of ``(respondent, day, mentor, value)``: all nine qualities rated ``value``, about ``mentor``."""
    path = home / name
    with path.open("w", newline="") as f:
        out = csv.writer(f)
        out.writerow(["respondent", "date", "instrument", "item", "value", "about"])
        for who, day, mentor, value in specs:
            out.writerows([who, day, "mentor_qualities", item, value, mentor] for item in ITEMS)
    return path


def table(home: Path, folder: str, name: str) -> list[list[str]]:
    with (home / folder / f"{name}.csv").open(newline="") as f:
        return list(csv.reader(f))


def report(home: Path, folder: str) -> dict[str, list[list[str]]]:
    run(home, "report", "--out", folder, "--format", "csv")
    return {name: table(home, folder, name) for name in ("mentor_qualities_per_mentor", "mentor_qualities_overall", "notes")}


def set_up(home: Path, mp: pytest.MonkeyPatch, day: date, config: str) -> None:
    (home / "lmsync.toml").write_text(config)
    # stored while T3 is open: a closed wave counts only the answers stored by the first command that writes the store
    # after its last day (tester round 128, 1 and 2)
    _at(mp, min(day, date(2026, 11, 20)))
    run(home, "sync")
    run(home, "import", "surveys", str(ratings(home, "mq1.csv", ("s0008", "2026-11-10", "m0001", 4),
                                               ("s0020", "2026-11-10", "m0001", 3), ("s0027", "2026-11-10", "m0001", 5))))
    _at(mp, day)


def test_tester_round_122b_2_two_reports_either_side_of_a_first_time_rater_give_nothing_back(
    cli_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = cli_home
    set_up(home, monkeypatch, date(2026, 12, 8), PROGRAMME + WAVES.format(t3_end="2026-11-23"))
    first = report(home, "r1")
    # a fourth mentee joins her circle (moved by a teacher) and rates her, after T3 and back-dated inside it
    _at(monkeypatch, date(2026, 12, 9))
    run(home, "emulator", "edit", "move", "s0050", "--to", "m0001")
    run(home, "sync")
    run(home, "import", "surveys", str(ratings(home, "mq2.csv", ("s0050", "2026-12-07", "m0001", 1))))
    second = report(home, "r2")
    assert second["mentor_qualities_per_mentor"] == first["mentor_qualities_per_mentor"]  # was "4, 3.25"
    assert second["mentor_qualities_overall"] == first["mentor_qualities_overall"]
    assert any("outside every window count in none" in row[0] for row in second["notes"][1:]), second["notes"]
    run(home, "import", "surveys", str(ratings(home, "mq3.csv", ("s0050", "2026-11-20", "m0001", 1))))
    third = report(home, "r3")  # not paired with her on T3's middle and last day: in none of her figures
    assert third["mentor_qualities_per_mentor"] == first["mentor_qualities_per_mentor"]
    assert third["mentor_qualities_overall"] == first["mentor_qualities_overall"]
    assert first["mentor_qualities_per_mentor"] == [
        ["wave", "mentor", "mentees", *ITEMS], ["T3", "m0001", "3", *["4"] * 9]]
    assert first["mentor_qualities_overall"][0] == ["wave", "quality", "mentees", "mean"]


def test_round_122b_2_a_wave_still_open_shows_no_row(cli_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """T3 ends 2026-12-20: on 2026-12-08 its ratings wait, and the page says from which day they show."""
    home = cli_home
    set_up(home, monkeypatch, date(2026, 12, 8), PROGRAMME + WAVES.format(t3_end="2026-12-20"))
    during = report(home, "during")
    assert during["mentor_qualities_per_mentor"] == [["wave", "mentor", "mentees", *ITEMS]]
    assert during["mentor_qualities_overall"] == [["wave", "quality", "mentees", "mean"]]
    note = "shown per closed survey wave ([waves] windows), from the day after the window's last day"
    assert any(note in row[0] and "T3's appear from 2026-12-21" in row[0] for row in during["notes"]), during["notes"]
    run(home, "report", "--out", "during.html")
    page = (home / "during.html").read_text()
    assert "T3&#x27;s appear from 2026-12-21" in page or "T3's appear from 2026-12-21" in page
    assert "No closed survey wave has a mentor rated by 3 or more mentees yet." in page
    _at(monkeypatch, date(2026, 12, 21))  # the day after T3's last day: its rows appear
    after = report(home, "after")
    assert after["mentor_qualities_per_mentor"][1:] == [["T3", "m0001", "3", *["4"] * 9]]
    assert not any("appear from" in row[0] for row in after["notes"])


def test_round_122b_2_no_waves_configured_shows_no_mentor_qualities_and_says_why(
    cli_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = cli_home
    set_up(home, monkeypatch, date(2026, 12, 8), PROGRAMME)
    shown = report(home, "r")
    assert shown["mentor_qualities_per_mentor"] == [["wave", "mentor", "mentees", *ITEMS]]
    assert shown["mentor_qualities_overall"] == [["wave", "quality", "mentees", "mean"]]
    assert any("no [waves] windows are configured" in row[0] for row in shown["notes"]), shown["notes"]
