"""Tester round 95a, the ``--people`` CSV: a blank capacity below the circle held, several ids in
``current_mentor``, a control character in an id."""

from __future__ import annotations

from pathlib import Path

import pytest

from lmsync.config import Config
from lmsync.errors import InputError
from lmsync.service.match import run_match
from lmsync.service.people_csv import load_people_csv


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "people.csv"
    path.write_bytes(text.encode("utf-8"))
    return path


def circle(mentor: str, mentees: int, column: str = "current_mentor", start: int = 1) -> str:
    return "".join(f"s{i},mentee,,9,{mentor.lower() if column == 'current_mentor' else ''},"
                   f"{mentor.lower() if column == 'current_peer' else ''}\n" for i in range(start, start + mentees))


HEADER = "id,role,capacity,year,current_mentor,current_peer\n"


def test_a_blank_capacity_keeps_the_circle_the_mentor_holds(tmp_path: Path) -> None:
    """Six mentees with a blank-capacity mentor (default 4) were read as a capacity of 4: two pairs ended
    "over capacity" under a warning, where CONFIGURATION.md says never fewer than the circle held (the Moodle rule)."""
    people = load_people_csv(write(tmp_path, HEADER + "M1,mentor,,,,\n" + circle("M1", 6)), Config())
    assert people.by_id()["M1"].capacity == 6
    result = run_match(people, Config())
    assert result.loads["M1"] == 6
    assert not result.unmatched
    assert not any("capacity" in w for w in result.warnings), result.warnings
    assert [m.origin for m in result.assignments] == ["kept"] * 6


def test_a_blank_capacity_with_fewer_mentees_than_the_default_keeps_the_default(tmp_path: Path) -> None:
    people = load_people_csv(write(tmp_path, HEADER + "M1,mentor,,,,\n" + circle("M1", 2)), Config())
    assert people.by_id()["M1"].capacity == 4


def test_a_blank_peer_capacity_keeps_the_circle_the_peer_mentor_holds(tmp_path: Path) -> None:
    pairs = load_people_csv(write(tmp_path, HEADER + "P1,peer_mentor,,9,,\n" + circle("P1", 3)), Config())
    assert pairs.by_id()["P1"].capacity == 3  # peer_default_capacity is 2
    triads = Config.model_validate({"matching": {"structure": "triads"}})
    text = HEADER + "M1,mentor,,,,\nP1,peer_mentor,,12,,\n" + circle("P1", 5, "current_peer")
    assert load_people_csv(write(tmp_path, text), triads).by_id()["P1"].capacity == 5  # triad_juniors is 3


def test_a_written_capacity_below_the_circle_is_kept_and_warned_of(tmp_path: Path) -> None:
    people = load_people_csv(write(tmp_path, HEADER + "M1,mentor,4,,,\n" + circle("M1", 6)), Config())
    assert people.by_id()["M1"].capacity == 4
    warned = run_match(people, Config()).warnings
    assert any("circle holds more mentees than their capacity" in w for w in warned), warned


@pytest.mark.parametrize(("cell", "field", "ids"), [
    ("m1;m2", "current_mentor", "('m1', 'm2')"),
    ('"m1, m2"', "current_mentor", "('m1', 'm2')"),
    ("p1;p2", "current_peer", "('p1', 'p2')"),
])
def test_several_ids_in_current_mentor_are_refused_not_read_as_one_mentor_who_left(
    tmp_path: Path, cell: str, field: str, ids: str
) -> None:
    """``m1;m2`` was read as one unknown mentor "m1;m2" who left: a warning, and the mentee re-matched."""
    triads = Config.model_validate({"matching": {"structure": "triads"}})
    mentor, peer = (cell, "") if field == "current_mentor" else ("", cell)
    text = HEADER + "m1,mentor,,,,\nm2,mentor,,,,\np1,peer_mentor,,12,,\np2,peer_mentor,,12,,\n" + f"s1,mentee,,9,{mentor},{peer}\n"
    path = write(tmp_path, text)
    with pytest.raises(InputError) as raised:
        load_people_csv(path, triads)
    message = str(raised.value)
    assert f"{path}:6: {field}: " in message
    assert ids in message
    assert ("one mentor per mentee" if field == "current_mentor" else "one peer mentor per mentee") in message
    assert "nothing was matched" in message


@pytest.mark.parametrize("person_id", ["s1\x00", "s\x001", "s\x7f1", "s\t1"])
def test_a_control_character_in_an_id_is_refused_with_its_line(tmp_path: Path, person_id: str) -> None:
    """A NUL byte in an id was taken, the id shown as ``s1\\x00``."""
    path = write(tmp_path, f"id,role\nM1,mentor\n{person_id},mentee\n")
    with pytest.raises(InputError) as raised:
        load_people_csv(path, Config())
    message = str(raised.value)
    assert f"{path}:3: id: {person_id!r} holds a control character" in message
    assert "\x00" not in message


@pytest.mark.parametrize("person_id", ["t1\u200b", "\ufefft1", "t\u00ad1", "t\u200d1"])
def test_tester_round_96a_9_an_invisible_character_in_an_id_is_refused_and_shown(tmp_path, person_id):
    # a zero-width space made "t1" a mentor who left, beside "t1" the mentor, both shown alike
    path = tmp_path / "people.csv"
    path.write_text(f"id,role,capacity\nm1,mentor,2\n{person_id},mentor,2\ns1,mentee,\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_people_csv(path, Config())
    said = str(caught.value)
    assert f"{path}:3: id: {person_id!r} holds an invisible format character (U+" in said, said
    assert not any(c in said for c in "\u200b\ufeff\u00ad\u200d")  # named by its code, never shown invisibly
