"""Tester round 128, 1 and 2: a closed wave's figures moved with answers stored, edited or removed after it closed.

A paper form dated inside T0 and typed in after T0 closed moved m0012's per-mentor mentor qualities from 3 to 3.67
over the same 3 mentees (a mentee's re-rating, given back: 3 x 0.67 = 2), and a Moodle Feedback response edited after
T0 closed took T0's mentee satisfaction from n 10, 3.28 to n 9, 3.356 (10 x 3.28 - 9 x 3.3556 = 2.6, that mentee's
rating). The README promises a closed wave's figures "stay as they were when people leave or join later", that "two
daily reports made while answers come in never differ by one person's answer" ("so no single rating can be read from
the difference"), and that the mentor qualities are "per closed wave ... so two reports never differ by one mentee's
ratings": "a mentee who rates their mentor for the first time, or again, between two reports changes neither".

The first command that writes the store after a wave's last day now records the sittings it counts
(``store.closed_sittings``): an answer stored later counts in none of its figures (the report's notes and the import's
warning say how many people's), and a counted one changed or removed withholds the figures it was part of
(``report_closed.CLOSED_WITHHELD``), never a changed figure.
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
    set_up,
)

CONFIG = PROGRAMME + WAVES.format(t3_end="2026-11-23") + "[report]\nmin_cell = 3\n"
WITHHELD = "withheld (answers it counted were removed or changed after the wave closed)"


def response(home: Path, folder: str) -> list[list[str]]:
    with (home / folder / "survey_response.csv").open(newline="") as f:
        return list(csv.reader(f))


def test_tester_round_128_2_a_late_rerating_dated_inside_a_closed_wave_changes_no_figure(
    cli_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """"a mentee who rates their mentor for the first time, or again, between two reports changes neither": s0008
    re-rates m0001 (1 on every quality, dated inside T3) after T3 closed; m0001's row (3 mentees, 4) and the
    programme's rows stay as they were, and the import and the report say one person's late answers count in none."""
    home = cli_home
    set_up(home, monkeypatch, date(2026, 11, 20), CONFIG)  # s0008 4, s0020 3, s0027 5 about m0001, dated 11-10
    _at(monkeypatch, date(2026, 11, 24))
    run(home, "sync")  # the first write after T3's last day: records what T3 counts
    first = report(home, "r1")
    assert ["T3", "m0001", "3", *["4"] * 9] in first["mentor_qualities_per_mentor"], first
    _at(monkeypatch, date(2026, 11, 26))
    said = " ".join(run(home, "import", "surveys", str(ratings(home, "late.csv", ("s0008", "2026-11-15", "m0001", 1))))
                    .output.split())
    assert "stored after it closed, people per wave: T3 (closed 2026-11-23): 1" in said, said
    assert "they count in none of its figures" in said and "mentor qualities (programme-wide and per mentor)" in said
    assert "s0008" not in said and "move by them" not in said
    second = report(home, "r2")
    assert second["mentor_qualities_per_mentor"] == first["mentor_qualities_per_mentor"]  # was "3, 3 ..."
    assert second["mentor_qualities_overall"] == first["mentor_qualities_overall"]
    assert response(home, "r2") == response(home, "r1")
    assert any("counted in none of its figures (people per wave: T3: 1)" in row[0] for row in second["notes"]), second


def test_tester_round_128_1_an_answer_changed_after_its_wave_closed_withholds_its_figures(
    cli_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """"so no single rating can be read from the difference": s0020's T3 answers about m0001 are re-imported with
    other values after T3 closed (the same day kept, as an edit in place); the figures they were part of (m0001's row,
    the programme's rows, the mentees' response) read withheld, with the reason, rather than a changed figure."""
    home = cli_home
    set_up(home, monkeypatch, date(2026, 11, 20), CONFIG)
    _at(monkeypatch, date(2026, 11, 24))
    run(home, "sync")
    first = report(home, "r1")
    _at(monkeypatch, date(2026, 11, 26))
    said = " ".join(run(home, "import", "surveys", str(ratings(home, "again.csv", ("s0020", "2026-11-10", "m0001", 1))))
                    .output.split())
    assert "were changed in place (an edit or re-import that kept their day), people per wave: T3 (closed " \
           "2026-11-23): 1" in said, said
    assert "are withheld from now on" in said
    second = report(home, "r2")
    assert ["T3", "m0001", WITHHELD, *[""] * 9] in second["mentor_qualities_per_mentor"], second
    assert all(row[2] == WITHHELD for row in second["mentor_qualities_overall"][1:] if row[0] == "T3"), second
    assert [row for row in first["mentor_qualities_per_mentor"] if row[1] != "m0001"] == \
           [row for row in second["mentor_qualities_per_mentor"] if row[1] != "m0001"]
    assert [row[2] for row in response(home, "r2") if row[:2] == ["T3", "mentees"]] == [WITHHELD]


def test_tester_round_128_an_erasure_after_a_wave_closed_keeps_its_own_words(
    cli_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Erasure's behaviour is kept: it deletes the erased person's recorded sittings with their answers, so the
    figures it changed read its own reason ("withheld (who answered changed after an erasure)"), none this round's."""
    home = cli_home
    set_up(home, monkeypatch, date(2026, 11, 20), CONFIG)
    _at(monkeypatch, date(2026, 11, 24))
    run(home, "sync")
    _at(monkeypatch, date(2026, 11, 26))
    run(home, "person", "erase", "s0020", "--yes", "--while-enrolled")
    after = report(home, "r2")
    cells = [cell for name in ("mentor_qualities_per_mentor", "mentor_qualities_overall")
             for row in after[name] for cell in row]
    assert WITHHELD not in cells and not any(WITHHELD in row[0] for row in after["notes"])
    assert ["T3", "m0001", "withheld (who answered changed after an erasure)", *[""] * 9] in \
           after["mentor_qualities_per_mentor"], after
