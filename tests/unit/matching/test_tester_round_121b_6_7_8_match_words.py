"""Tester round 121b, 6, 7 and 8: the mutual-pair and loop warnings named people by bare id (6); an unmatched
mentee whose one allowed mentor is full read only "no capacity left" though a forbid, the year gap and a missing
year ruled out three mentors with room (7); a ``--people`` row's year problem hid its ``current_mentor`` and
``preferences`` problems until a second run (8)."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from lmsync.cli import main
from lmsync.config import Config
from lmsync.domain.compatibility import MatchSettings
from lmsync.domain.matching import match
from lmsync.domain.people import People, Person
from lmsync.errors import InputError
from lmsync.service.match_warning_names import named_warnings
from lmsync.service.people_csv import load_people_csv


def _run(tmp_path: Path, rows: str, toml: str = "") -> str:
    people, config = tmp_path / "p.csv", tmp_path / "lmsync.toml"
    people.write_text(rows, encoding="utf-8")
    config.write_text(toml, encoding="utf-8")
    out = CliRunner().invoke(main, ["--config", str(config), "match", "--people", str(people)])
    assert out.exit_code == 0, out.output
    return out.stdout


def test_6_mutual_pair_and_loop_warnings_name_people(tmp_path: Path) -> None:
    shown = _run(tmp_path, "id,role,capacity,department,preferences,fullname\na,mentor;mentee,1,X,b,Ann Able\n"
                           "b,mentor;mentee,1,X,a,Bob Baker\nc,mentee,,Y,,Cat Cole\n")
    assert ("warning: Bob Baker (b) and Ann Able (a) would have mentored each other: Ann Able (a) is not matched to "
            "Bob Baker (b)") in shown, shown
    shown = _run(tmp_path, "id,role,capacity,department,fullname\na,mentor;mentee,1,X,Ann Able\n"
                           "b,mentor;mentee,1,X,Bob Baker\nc,mentor;mentee,1,X,Cy Cole\n")
    assert ("warning: a loop of mentors in the mentor circle: Ann Able (a) mentors Cy Cole (c), Cy Cole (c) mentors "
            "Bob Baker (b), Bob Baker (b) mentors Ann Able (a) (allowed: only two people mentoring each other are "
            "refused)") in shown, shown


def test_6_pinned_mutual_pair_is_named_too() -> None:
    two = frozenset({"mentor"})
    people = People((Person("A", "mentee", capacity=1, also=two), Person("B", "mentee", capacity=1, also=two)),
                    pins=(("A", "B"), ("B", "A")))
    named = named_warnings(match(people, MatchSettings()).warnings, lambda: {"A": "Ann (A)", "B": "Bo (B)"})
    assert "Ann (A) and Bo (B) mentor each other: both pairs are pinned ([matching] pins)" in named, named


def test_7_one_allowed_mentor_full_names_the_rules_that_rule_out_the_others(tmp_path: Path) -> None:
    shown = _run(tmp_path, "id,role,capacity,department,year,fullname\nm1,mentor,1,X,,Faculty One\n"
                           "p1,peer_mentor,3,X,9,Peer Nine\np2,peer_mentor,3,X,,Peer Noyear\n"
                           "m2,mentor,3,X,,Faculty Forbidden\ne1,mentee,,X,2,Ed One\ne2,mentee,,X,2,Ed Two\n",
                 '[matching]\nforbids = [["e1","m2"],["e2","m2"]]\n')
    assert ("unmatched: no capacity left: the one allowed mentor is full; 3 other mentors ruled out: 1 forbidden, "
            "1 outside the year gap, 1 year unknown") in shown, shown


def test_7_a_mentee_with_no_year_is_told_both() -> None:
    people = People((Person("t1", "mentor", capacity=1), Person("t2", "mentor", capacity=1),
                     Person("p1", "peer_mentor", capacity=1, year=4), Person("s1", "mentee", year=2),
                     Person("s2", "mentee"), Person("s3", "mentee", year=5, preferences=("t1",))),
                    forbids=(("s2", "t2"), ("s1", "t2"), ("s3", "t2")))  # s3 takes t1, s1 p1
    reasons = {u.mentee: u.reason for u in match(people, MatchSettings(peer_year_gap_min=1)).unmatched}
    assert reasons == {"s2": "no capacity left: the one allowed mentor is full; 2 other mentors ruled out: 1 forbidden, "
                             "1 year unknown (no year of study is set for this mentee: peer mentors within the year gap "
                             "[1, 3] need one)"}, reasons


def test_8_every_bad_cell_of_a_row_in_one_pass(tmp_path: Path) -> None:
    people = tmp_path / "p.csv"
    people.write_text("id,role,capacity,department,year,current_mentor,current_peer,preferences,fullname\n"
                      "m1,mentor,2,X,,,,,A\nm2,mentor,2,X,,,,,B\ne1,mentee,,X,14,m1;m2,p1;p2,zz,C\n", encoding="utf-8")
    with pytest.raises(InputError) as refused:
        load_people_csv(people, Config(), [])
    said = [line.strip() for line in refused.value.message.splitlines()[1:]]
    assert [line.split(":")[2].strip() for line in said] == ["year", "current_mentor", "current_peer", "preferences"], said
    assert said[1].endswith("current_mentor: 'm1;m2' names 2 ids ('m1', 'm2'): one mentor per mentee (for triads, the "
                            "peer mentor goes in current_peer)")
    assert said[3] == f"{people}:4: preferences: 'zz' is not the id of anyone in this file"
    assert "4 problems, nothing was matched" in refused.value.message
