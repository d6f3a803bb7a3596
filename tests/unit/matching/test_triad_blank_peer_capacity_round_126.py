"""Tester round 126, 2: under ``[matching] structure = "triads"`` a peer mentor with an empty capacity who holds
more juniors (by ``current_peer``) than ``triad_juniors`` was cut to it, kept peer pairs broken and the circle said
to hold "more mentees than their capacity". An empty capacity is the default, never fewer than the circle held
(README, ``lmsync match``); a written capacity is still cut to ``triad_juniors`` (tester round 121b, 3)."""

from __future__ import annotations

from pathlib import Path

import pytest

from lmsync.config import Config
from lmsync.domain.held_capacity import circle_places
from lmsync.domain.people import Person
from lmsync.service.match import run_match
from lmsync.service.people_csv import load_people_csv

# the tester's file (round 126, 2), as given
PEOPLE = """\
id,role,capacity,department,interests,year,languages,current_mentor,current_peer,preferences,needs,fullname
m1,mentor,,Science,robotics,,en,,,,,Dr One
m2,mentor,5,Medicine,chess,,en,,,,,Dr Two
p1,peer_mentor,,Science,robotics,4,en,,,,,Peer One
p2,peer_mentor,5,Medicine,chess,4,en,,,,,Peer Two
""" + "".join(f"s{i},mentee,,Science,robotics,2,en,m1,p1,,,Stu {i}\n" for i in range(1, 7))


def _triads(**more: int) -> Config:
    return Config.model_validate({"matching": {"structure": "triads", **more}})


@pytest.mark.parametrize("more", [{}, {"triad_juniors": 2}])
def test_a_blank_peer_capacity_keeps_every_junior_its_circle_holds(tmp_path: Path, more: dict[str, int]) -> None:
    path = tmp_path / "people.csv"
    path.write_text(PEOPLE)
    config = _triads(**more)
    result = run_match(load_people_csv(path, config), config)
    peer = sorted((a.mentee, a.mentor, a.origin) for a in result.assignments if a.circle == "peer")
    assert peer == [(f"s{i}", "p1", "kept") for i in range(1, 7)], peer
    assert result.loads["p1"] == 6 and result.loads["m1"] == 6
    assert not result.unmatched
    assert not any("capacity" in w for w in result.warnings), result.warnings


def test_a_written_peer_capacity_is_still_cut_to_triad_juniors(tmp_path: Path) -> None:
    path = tmp_path / "people.csv"
    path.write_text(PEOPLE.replace("p1,peer_mentor,,", "p1,peer_mentor,6,"))
    config = _triads()
    result = run_match(load_people_csv(path, config), config)
    assert result.loads["p1"] == 3  # triad_juniors, the rule of tester round 121b, 3


def test_circle_places_floors_the_triad_cut_at_the_juniors_held_only_for_a_blank_capacity() -> None:
    blank = Person("p1", "peer_mentor", capacity=6, blank_held=6)
    assert circle_places(blank, True, 3) == 6
    assert circle_places(Person("p1", "peer_mentor", capacity=6), True, 3) == 3
    assert circle_places(Person("p1", "peer_mentor", capacity=5, blank_held=2), True, 3) == 3  # default above held
    assert circle_places(Person("p1", "peer_mentor", capacity=4, blank_held=6), True, 3) == 4  # never above capacity
    assert circle_places(blank, False, 3) == 6
    assert circle_places(Person("m1", "mentor", capacity=6, also=frozenset({"peer_mentor"})), True, 3) == 6
