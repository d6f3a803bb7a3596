"""Tester round 116, 6: during a hold (a mentor away, their circle held as it is), `lmsync grades plan` counted 60
pairs while `lmsync health` counted 53, and nothing said why: the held circle's pairs are out of health's judgement
(named there as on hold) but still in the gradebook's circles. The grades plan now says how many of its pairs health
leaves out, and why, so its count and health's add up."""

from __future__ import annotations

from datetime import date

import pytest

from tests.flows.test_tester_round_109a_1_held_place_as_of import CONFIG, _run

LEFT_OUT = ("Circles: 60 mentor-mentee pairs, 4 of them left out of `lmsync health` while someone in them is away "
            "(no active enrolment or a suspended Moodle account); ")


def test_round_116_6_grades_plan_says_which_of_its_pairs_health_leaves_out_during_a_hold(
        cli_home, monkeypatch: pytest.MonkeyPatch) -> None:
    (cli_home / "lmsync.toml").write_text(CONFIG)
    _run(monkeypatch, date(2027, 1, 11), "sync")
    assert "Circles: 60 mentor-mentee pairs; " in _run(monkeypatch, date(2027, 1, 11), "grades", "plan").stdout
    _run(monkeypatch, date(2027, 1, 18), "emulator", "edit", "suspend", "m0011", hour=8)
    assert "circle 'Circle: Valentina Zhang' held as it is" in _run(monkeypatch, date(2027, 1, 18), "sync").stdout
    judged = _run(monkeypatch, date(2027, 1, 18), "health", hour=10).stdout
    assert judged.startswith("Pair health on 2027-01-18: 56 pairs: "), judged
    assert "(4 pair(s) on hold on 2027-01-18, left out of the judgement: their mentor is away" in judged, judged
    planned = _run(monkeypatch, date(2027, 1, 18), "grades", "plan", hour=11).stdout
    assert LEFT_OUT in planned, planned  # 60 = health's 56 + the 4 it leaves out, said
    _run(monkeypatch, date(2027, 1, 20), "emulator", "edit", "restore", "m0011", hour=8)
    _run(monkeypatch, date(2027, 1, 20), "sync")
    back = _run(monkeypatch, date(2027, 1, 20), "grades", "plan", hour=11).stdout
    assert "Circles: 60 mentor-mentee pairs; " in back and "left out of `lmsync health`" not in back, back
