"""Tester round 120c, 7 (minor): a graduation year typed in the year-of-study field (2026) was taken silently, so
the class of 2025 was mentored by the class of 2026 ("1 year senior"): every peer pair reversed for a school whose
field holds the class's year. Such a value is named as unreadable values are (plan, match, doctor: in words, with
the fix) and counts as unknown; a people file refuses it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from lmsync.config import Config
from lmsync.errors import InputError
from lmsync.service.people_csv import load_people_csv
from tests.flows.conftest import run_in

SAID = ("yearofstudy '{}' is not a year of study (0 to 12; a class's graduation or entry year?); counts as missing "
        "(year unknown): type the year of study they are in now (a number alone, such as 3)")


def test_a_class_year_is_named_with_the_fix_and_counts_as_unknown(demo_home: Any) -> None:
    assert run_in(demo_home, "emulator", "edit", "field", "s0004", "yearofstudy", "2026").exit_code == 0  # peer mentor
    assert run_in(demo_home, "emulator", "edit", "field", "s0002", "yearofstudy", "2025").exit_code == 0  # mentee
    shown = " ".join(run_in(demo_home, "plan").output.split())
    assert f"(s0004) (Moodle id 6): {SAID.format(2026)}" in shown, shown
    assert f"(s0002) (Moodle id 4): {SAID.format(2025)}" in shown, shown
    matched = json.loads(run_in(demo_home, "match", "--format", "json").stdout)
    # a peer mentor of unknown year mentors nobody as a peer; the mentee is matched without the year rule
    assert not [a for a in matched["assignments"] if a["mentor"] == "s0004"], matched["assignments"]
    pair = next(a for a in matched["assignments"] if a["mentee"] == "s0002")
    assert pair["mentor"].startswith("m") and not any("senior" in r for r in pair["reasons"]), pair
    items = {(i["code"], i["username"], i["field"], i["value"]) for i in matched["warning_items"]}
    assert {("year_implausible", "s0004", "yearofstudy", "2026"), ("year_implausible", "s0002", "yearofstudy", "2025")} <= items


def test_doctor_warns_of_it_with_the_fix(demo_home: Any) -> None:
    assert run_in(demo_home, "emulator", "edit", "field", "s0004", "yearofstudy", "Class of 2026").exit_code == 0
    shown = run_in(demo_home, "doctor").output
    assert "people: year_implausible (yearofstudy): 1: " in shown and SAID.format("Class of 2026") in shown, shown
    assert ("ask the person (or an admin) to type the year of study they are in now (a number alone, such as 3), not "
            "a class's year") in shown


def test_an_existing_peer_pair_is_kept_when_its_year_becomes_a_class_year(demo_home: Any) -> None:
    """Unknown, not reversed: the established pair stays, as for a year emptied (tester round 103a, 1)."""
    assert run_in(demo_home, "sync").exit_code == 0
    assert run_in(demo_home, "emulator", "edit", "field", "s0018", "yearofstudy", "2026").exit_code == 0
    shown = run_in(demo_home, "plan").output
    assert "no changes" in shown, shown
    assert "(s0005): existing pair with Aoife Ahmed (s0018) kept although the peer mentor's year is unknown" in shown


@pytest.mark.parametrize("year", ["0", "12", "6"])  # 0: a foundation year (tester round 47, 6)
def test_the_years_of_a_programme_are_taken_silently(demo_home: Any, year: str) -> None:
    assert run_in(demo_home, "emulator", "edit", "field", "s0004", "yearofstudy", year).exit_code == 0
    matched = json.loads(run_in(demo_home, "match", "--format", "json").stdout)
    assert not [i for i in matched["warning_items"] if i["username"] == "s0004"], matched["warning_items"]


@pytest.mark.parametrize("year", ["13", "2026", "Class of 2026"])
def test_a_people_file_refuses_it_naming_file_line_and_field(tmp_path: Path, year: str) -> None:
    people = tmp_path / "people.csv"
    people.write_text(f"id,role,year\nP,peer_mentor,4\nS,mentee,{year}\n", encoding="utf-8")
    with pytest.raises(InputError) as refused:
        load_people_csv(people, Config(), [])
    assert (f"{people}:3: year: {year!r} is not a year of study (0 to 12; a class's graduation or entry year?): type "
            "the year of study they are in now (a number alone, such as 3)") in refused.value.message
    people.write_text("id,role,year\nP,peer_mentor,12\nS,mentee,0\n", encoding="utf-8")
    assert [p.year for p in load_people_csv(people, Config(), []).persons] == [12, 0]
