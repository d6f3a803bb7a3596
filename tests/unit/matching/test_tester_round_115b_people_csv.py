"""Tester round 115b, 2 and 7: a ``--people`` mentee choosing themself, and a mistyped column name."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from lmsync.cli import main
from lmsync.config import Config
from lmsync.errors import InputError
from lmsync.service.people_csv import load_people_csv

HEADER = "id,fullname,role,department,interests,languages,year,capacity,preferences\n"
ROWS = ("M1,Ann,mentor,Science,robotics,English,,2,\nM2,Bob,mentor,Arts,music,English,,2,\n"
        "M3,Cy,mentor,Science,chess,English,,2,\nS3,Kim,mentee,Science,robotics,English,1,,M1;S3;M3\n")


def test_round_115b_2_a_mentee_choosing_themself_is_warned_of_not_refused(tmp_path: Path) -> None:
    # README: "a choice of the row itself ... is warned of and takes no rank in that run"; a pure mentee's own id
    # was refused as "not the id of a mentor or peer mentor in this file", though it is an id of the file
    people = tmp_path / "people.csv"
    people.write_text(HEADER + ROWS, encoding="utf-8")
    notices: list = []
    loaded = load_people_csv(people, Config(), notices)
    assert [(n.code, n.person, n.field, n.value) for n in notices] == [("preference_self", "S3", "preferences", "S3")]
    assert notices[0].message.startswith(f"{people}:5: preferences: S3 names themself: ")
    assert next(p for p in loaded.persons if p.id == "S3").preferences == ("M1", "S3", "M3")
    # in any case, and beside a real typo, which is still refused alone
    people.write_text(HEADER + ROWS.replace("M1;S3;M3", "s3;M9"), encoding="utf-8")
    with pytest.raises(InputError) as refused:
        load_people_csv(people, Config(), [])
    assert "1 problem" in str(refused.value) and "'M9' is not the id of a mentor or peer mentor" in str(refused.value)
    assert "S3" not in str(refused.value).replace(str(people), "")


def test_round_115b_2_the_choice_of_themself_takes_no_rank_in_the_match(tmp_path: Path) -> None:
    people = tmp_path / "people.csv"
    people.write_text(HEADER + ROWS, encoding="utf-8")
    config = tmp_path / "lmsync.toml"
    config.write_text("", encoding="utf-8")
    out = CliRunner().invoke(main, ["--config", str(config), "match", "--people", str(people)])
    assert out.exit_code == 0, out.output
    kim = next(line for line in out.stdout.splitlines() if line.startswith("Kim (S3)"))
    assert "Ann (M1)" in kim and kim.endswith("mentee's 1st choice of 2")  # S3 dropped: M1 and M3 remain
    assert "people.csv:5: preferences: S3 names themself" in out.output


def test_round_115b_7_a_mistyped_column_is_told_the_close_known_one(tmp_path: Path) -> None:
    people = tmp_path / "people.csv"
    people.write_text(HEADER.replace("fullname", "name").replace("interests", "Intrests")
                      + ROWS + "", encoding="utf-8")
    people.write_text(people.read_text(encoding="utf-8").replace("languages", "zzz"), encoding="utf-8")
    with pytest.raises(InputError) as refused:
        load_people_csv(people, Config(), [])
    text = str(refused.value)
    assert ":1: column 2 'name': unknown column (did you mean 'fullname'?; known: " in text
    assert ":1: column 5 'Intrests': unknown column (did you mean 'interests'?; known: " in text
    assert ":1: column 6 'zzz': unknown column (known: " in text  # nothing close: no guess
