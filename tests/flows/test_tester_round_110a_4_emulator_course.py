"""Tester round 110a, 4: `lmsync init --course BIO-101` with no `--url` wrote a configuration every run refuses (the
built-in emulator has one course, MENTOR-2026) without a word, and doctor's fix spoke only of a real Moodle's role."""

from __future__ import annotations

from typing import Any

from click.testing import CliRunner

from lmsync.cli import main
from lmsync.moodle.emulator.demo import build_demo_site
from lmsync.service.observe import EMULATOR_COURSE


def _said(result: Any) -> str:
    return " ".join(result.output.split())


def test_init_on_the_emulator_with_another_course_warns_and_doctor_names_the_emulators_course(cli_home: Any) -> None:
    made = CliRunner().invoke(main, ["init", "--no-input", "--course", "BIO-101", "--name", "bio"])
    assert made.exit_code == 0, made.output
    assert ("warning: the built-in emulator has one course, MENTOR-2026: every run refuses course 'BIO-101' until "
            "[moodle] url in lmsync.toml names the Moodle that has it") in _said(made)
    doctor = CliRunner().invoke(main, ["doctor"])
    assert "no course with shortname 'BIO-101'" in _said(doctor)
    assert "the built-in emulator (no [moodle] url) has one course, MENTOR-2026" in _said(doctor), doctor.output


def test_init_with_the_emulators_own_course_or_a_real_moodle_says_nothing_of_it(cli_home: Any) -> None:
    own = CliRunner().invoke(main, ["init", "--no-input", "--name", "bio"])
    assert own.exit_code == 0 and "has one course" not in own.output, own.output
    real = CliRunner().invoke(main, ["init", "--no-input", "--force", "--course", "BIO-101", "--name", "bio",
                                     "--url", "https://moodle.example.edu"])
    assert real.exit_code == 0 and "has one course" not in real.output, real.output


def test_the_emulators_course_is_the_one_the_demo_site_has() -> None:
    assert [c.shortname for c in build_demo_site().courses.values()] == [EMULATOR_COURSE]
