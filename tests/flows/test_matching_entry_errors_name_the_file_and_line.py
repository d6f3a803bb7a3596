"""Tester round 105a, 10, through the command line on the emulator: a ``[matching]`` pin, forbid or rematch entry
naming nobody is refused with a fix that names the configuration file and the key's line (it said only "in the
configuration file"), or the environment variable that sets the key; an entry of the wrong shape is said in lmsync's
words at the key's line (a pin is [mentee, mentor]), not pydantic's "matching.pins.0.1: Field required"."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from lmsync.errors import EXIT_ADMIN

from .conftest import run_in

PROGRAMME = '[programme]\nname = "mentor-2026"\npeer_mentor_cohort = "peer-mentors-2026"\n'


def _said(result: Any) -> str:
    return " ".join(result.output.split())


def test_pins_forbids_and_rematch_naming_nobody_are_located_in_the_file(demo_home: Path) -> None:
    config = demo_home / "lmsync.toml"
    config.write_text(PROGRAMME + '[matching]\nforbids = [["s0001", "zz9999"]]\n\nrematch = ["nobody42"]\n'
                                  'pins = [["nobody7", "m0001"]]\n')
    for command in ("plan", "match"):
        result = run_in(demo_home, command)
        assert result.exit_code == EXIT_ADMIN, result.output
        said = _said(result)
        assert "nobody in the programme or on the Moodle site has the username, idnumber, email or id 'nobody7'" in said
        assert (f"fix: correct or remove these entries of [matching] pins / forbids / rematch (pins: {config} line 8; "
                f"forbids: {config} line 5; rematch: {config} line 7)") in said, said
        assert "in the configuration file" not in said


def test_a_pin_set_by_the_environment_is_located_there(demo_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LMSYNC_MATCHING_PINS", '[["nobody7", "m0001"]]')
    result = run_in(demo_home, "plan")
    assert result.exit_code == EXIT_ADMIN, result.output
    assert ("fix: correct or remove these entries of [matching] pins / forbids (pins: LMSYNC_MATCHING_PINS "
            "(the environment))") in _said(result), result.output


@pytest.mark.parametrize(("written", "key", "what"), [
    ('pins = [["s0001"]]', "pins", "a pin"),
    ('pins = [["s0001", "m0001", "m0002"]]', "pins", "a pin"),
    ('forbids = [["s0001", "m0001"], [3, "m0002"]]', "forbids", "a forbid"),
])
def test_a_pair_of_the_wrong_shape_says_what_a_pair_is(demo_home: Path, written: str, key: str, what: str) -> None:
    (demo_home / "lmsync.toml").write_text(PROGRAMME + f"[matching]\n{written}\n")
    result = run_in(demo_home, "plan")
    assert result.exit_code == EXIT_ADMIN, result.output
    said = _said(result)
    entry = 2 if written.startswith("forbids") else 1
    assert (f"lmsync.toml: matching.{key} (line 5): entry {entry} is not a pair of two people: {what} is "
            "[mentee, mentor], each person by username, idnumber, email or id:N, in quotes") in said, said
    assert "Field required" not in said and "Tuple should" not in said and "valid string" not in said
    assert said.count(f"matching.{key}") == 1


def test_a_rematch_entry_that_is_not_one_person_says_what_rematch_is(demo_home: Path) -> None:
    (demo_home / "lmsync.toml").write_text(PROGRAMME + '[matching]\nrematch = [["s0001"]]\n')
    result = run_in(demo_home, "plan")
    assert result.exit_code == EXIT_ADMIN, result.output
    said = _said(result)
    assert "matching.rematch (line 5): entry 1 is not one person: rematch is a list of people" in said, said
    assert '"*" for everyone' in said and "valid string" not in said
