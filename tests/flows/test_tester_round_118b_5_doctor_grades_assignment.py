"""Tester round 118b, 5: ``lmsync doctor`` did not check ``[grades] assignment``. With ``assignment = "Mentoring
attendence"`` (a typo of the demo's "Mentoring attendance") it said ``no problems``, exit 0, while ``lmsync grades
plan`` then failed with ``error: grades.assignment: no assignment 'Mentoring attendence' in the programme course``.
Doctor now finds the assignment as ``grades plan`` does (``grade_state.find_assignment``): ``[ok]`` naming it,
``[FAIL]`` with the same words and fix (and the closest name the course has) when it is missing or not a point
grade, ``[warn]`` when its feedback comments are off, and nothing when the key is not set."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from lmsync.cli import main
from lmsync.config import load_config
from lmsync.moodle.emulator.state import Site
from lmsync.moodle.models import Assignment


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in [n for n in os.environ if n.startswith("LMSYNC_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _configure(home: Path, assignment: str | None) -> None:
    grades = f'[grades]\nassignment = "{assignment}"\n' if assignment is not None else ""
    (home / "lmsync.toml").write_text('[programme]\nname = "mentor-2026"\ncourse = "MENTOR-2026"\n'
                                      '[store]\npath = "lmsync.db"\n' + grades)


def _said(result: object) -> str:
    return " ".join(str(getattr(result, "output", "")).split())


def test_round_118b_5_a_misspelt_assignment_fails_doctor_as_grades_plan_fails(home: Path) -> None:
    _configure(home, "Mentoring attendence")
    doctor = CliRunner().invoke(main, ["doctor"])
    assert doctor.exit_code == 2, doctor.output
    said = _said(doctor)
    assert ("[FAIL] grades assignment: no assignment 'Mentoring attendence' in the programme course "
            "(did you mean 'Mentoring attendance'?; the course has: 'Mentoring attendance')") in said, doctor.output
    assert "fix: create the assignment (point grade, feedback comments on) or fix the name" in said, doctor.output
    assert not (home / "lmsync.db").exists()  # doctor only reads
    plan = CliRunner().invoke(main, ["grades", "plan"])
    assert plan.exit_code == 2, plan.output
    assert "no assignment 'Mentoring attendence' in the programme course" in _said(plan), plan.output


def test_round_118b_5_the_configured_assignment_is_named_ok(home: Path) -> None:
    _configure(home, "Mentoring attendance")
    doctor = CliRunner().invoke(main, ["doctor"])
    assert doctor.exit_code == 0, doctor.output
    assert ("[ok ] grades assignment: 'Mentoring attendance' found (assignment 1, course module 5), a point grade "
            "out of 100") in _said(doctor), doctor.output


def test_round_118b_5_no_line_when_no_assignment_is_configured(home: Path) -> None:
    _configure(home, None)
    doctor = CliRunner().invoke(main, ["doctor"])
    assert doctor.exit_code == 0, doctor.output
    assert "grades assignment" not in doctor.output


@pytest.mark.parametrize(("grade", "how"), [(-1, "graded with a scale"), (0, "not graded (grade type None)")])
def test_round_118b_5_an_assignment_without_a_point_grade_fails_doctor_as_grades_plan_refuses_it(
    home: Path, grade: int, how: str
) -> None:
    _configure(home, None)
    assert CliRunner().invoke(main, ["sync"]).exit_code == 0  # the emulator's site file, to edit
    state = load_config(home / "lmsync.toml", environ={}).emulator_state_path()
    site = Site.load(state)
    next(a for a in site.assignments.values() if a.name == "Mentoring attendance").grade = grade
    site.save(state)
    _configure(home, "Mentoring attendance")
    words = f"'Mentoring attendance' is {how}; lmsync needs a point grade"
    fix = "fix: in the assignment's settings, Grade > Type: Point; or name another assignment in [grades] assignment"
    doctor = CliRunner().invoke(main, ["doctor"])
    assert doctor.exit_code == 2, doctor.output
    assert f"[FAIL] grades assignment: {words}" in _said(doctor) and fix in _said(doctor), doctor.output
    assert "did you mean" not in doctor.output
    plan = CliRunner().invoke(main, ["grades", "plan"])
    assert plan.exit_code == 2, plan.output
    assert words in _said(plan) and fix in _said(plan), plan.output


def test_round_118b_5_feedback_comments_off_is_warned_as_grades_plan_warns(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(Assignment, "feedback_comments_enabled", property(lambda self: False))
    _configure(home, "Mentoring attendance")
    doctor = CliRunner().invoke(main, ["doctor"])
    assert doctor.exit_code == 0, doctor.output
    said = _said(doctor)
    assert ("[warn] grades assignment: assignment 'Mentoring attendance' has feedback comments off: grades are sent "
            "without comments") in said, doctor.output
    assert "fix: in the assignment's settings, Feedback types: tick Feedback comments" in said, doctor.output
