"""Tester round 123b, 7: the run's grades line said ``held`` while it wrote grades.

``grades    held     4 grade(s), 0 assignment grade(s) in 1 request(s); meeting grades wait for the first meeting``,
exit 0: the README's ``held`` is a step that writes nothing (a whole store held, exit 2), so a coordinator reading the
daemon's log took it that nothing reached the gradebook. While meeting grades wait for the first meeting, the step says
``ok`` with that note once it writes grades, or lmsync's grades are already in Moodle; ``held`` (exit 0) only when
there is no grade at all (tester round 94b, 1, kept).
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from lmsync.errors import EXIT_OK
from tests.flows.conftest import run_in
from tests.flows.test_tester_round_77b_erasure import _at
from tests.flows.test_tester_round_123b_1_user_0_names_no_one import CSV, TOML

WAIT = "meeting grades wait for the first meeting"


def _grades_line(output: str) -> tuple[str, str]:
    found = re.search(r"^grades\s+(\w+)\s+(.*)$", output, re.MULTILINE)
    assert found, output
    return found.group(1), found.group(2)


def test_the_grades_line_says_ok_with_the_note_when_grades_are_written(demo_home: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    (demo_home / "lmsync.toml").write_text(TOML)
    _at(monkeypatch, date(2026, 12, 7))
    first = run_in(demo_home, "run")
    state, words = _grades_line(first.output)
    assert first.exit_code == EXIT_OK and state == "held" and WAIT in words and words.startswith("0 grade(s)"), words
    (demo_home / "paper.csv").write_text(CSV)
    assert run_in(demo_home, "import", "surveys", str(demo_home / "paper.csv")).exit_code == 0
    written = run_in(demo_home, "run")
    state, words = _grades_line(written.output)
    assert written.exit_code == EXIT_OK, written.output
    assert state == "ok" and words.startswith("2 grade(s)") and WAIT in words, words
    again = run_in(demo_home, "run")  # nothing new to write, the survey grades in Moodle: not held either
    state, words = _grades_line(again.output)
    assert again.exit_code == EXIT_OK and state == "ok" and words.startswith("0 grade(s)") and WAIT in words, words
