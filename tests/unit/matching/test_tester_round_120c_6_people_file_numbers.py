"""Tester round 120c, 6: ``match --people`` refused the profile values the sync reads with a notice ("Two" -> 2,
"Y4" -> 4, "2nd" -> 2), and named one bad cell per row (the second only once the first was fixed)."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from lmsync.cli import main
from lmsync.config import Config
from lmsync.errors import InputError
from lmsync.service.people_csv import load_people_csv

# the tester's file: the header takes the profile fields' shortnames, as an export of them has
EXPORT = "id,role,mentorcapacity,yearofstudy,fullname\nP,peer_mentor,Two,Y4,Pat\nS,mentee,,2nd,Sam\n"


def test_the_sync_s_readings_are_taken_and_said_naming_file_line_and_field(tmp_path: Path) -> None:
    people = tmp_path / "x.csv"
    people.write_text(EXPORT, encoding="utf-8")
    notices: list = []
    loaded = load_people_csv(people, Config(), notices).by_id()
    assert (loaded["P"].capacity, loaded["P"].year, loaded["S"].year) == (2, 4, 2)
    read = [(n.code, n.person, n.field, n.value, n.message) for n in notices if n.code == "value_read"]
    assert read == [
        ("value_read", "P", "capacity", "Two", f"{people}:2: capacity: 'Two' read as 2; please type the number alone"),
        ("value_read", "P", "year", "Y4", f"{people}:2: year: 'Y4' read as 4; please type the number alone"),
        ("value_read", "S", "year", "2nd", f"{people}:3: year: '2nd' read as 2; please type the number alone"),
    ]


def test_the_match_runs_on_them_as_the_sync_would(tmp_path: Path) -> None:
    people = tmp_path / "x.csv"
    people.write_text(EXPORT, encoding="utf-8")
    config = tmp_path / "lmsync.toml"
    config.write_text("", encoding="utf-8")
    out = CliRunner().invoke(main, ["--config", str(config), "match", "--people", str(people)])
    assert out.exit_code == 0, out.output
    assert any(line.startswith("Sam (S)") and "Pat (P)" in line for line in out.stdout.splitlines()), out.output
    assert "x.csv:2: capacity: 'Two' read as 2; please type the number alone" in out.output
    assert "x.csv:3: year: '2nd' read as 2; please type the number alone" in out.output


@pytest.mark.parametrize("value", ["2.0", "2"])
def test_a_number_as_written_is_taken_without_a_notice(tmp_path: Path, value: str) -> None:
    people = tmp_path / "x.csv"
    people.write_text(f"id,role,capacity,year\nP,peer_mentor,{value},{value}\n", encoding="utf-8")
    notices: list = []
    assert load_people_csv(people, Config(), notices).by_id()["P"].year == 2
    assert not [n for n in notices if n.code == "value_read"]


def test_every_bad_cell_of_the_file_is_named_in_one_go_and_nothing_is_matched(tmp_path: Path) -> None:
    people = tmp_path / "x.csv"
    people.write_text("id,role,capacity,year\nP,peer_mentor,lots,two or three\n,mentr,1.5,Y4\nS,mentee,,1e3\n"
                      "S,mentee,-1,-2\n", encoding="utf-8")
    with pytest.raises(InputError) as refused:
        load_people_csv(people, Config(), [])
    said = [line.strip() for line in refused.value.message.splitlines()[1:]]
    assert said == [
        f"{people}:2: capacity: 'lots' is not a whole number",
        f"{people}:2: year: 'two or three' is not a whole number",  # a number word inside other text: not guessed
        f"{people}:3: id: empty",
        f"{people}:3: role: 'mentr' is not one of mentor, peer_mentor, mentee",
        f"{people}:3: capacity: '1.5' is not a whole number",
        f"{people}:4: year: '1e3' is not a whole number",
        f"{people}:5: id: S already appears on line 4",
        f"{people}:5: capacity: must be 0 or more",
        f"{people}:5: year: must be 0 or more",
    ], refused.value.message
    assert "9 problems, nothing was matched" in refused.value.message
