"""Tester round 104b, 4: a preference lmsync says it does not use (the mentee themself) or cannot meet (a mentor
with capacity 0) took a rank all the same, and the real choice after it scored as a 2nd choice."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from lmsync.cli import main
from lmsync.config import Config
from lmsync.domain.people import People, Person
from lmsync.service.match import run_match

HEADER = "id,role,capacity,department,interests,year,languages,current_mentor,current_peer,preferences,needs,fullname\n"


def _match(tmp_path: Path, rows: str) -> str:
    people = tmp_path / "r.csv"
    people.write_text(HEADER + rows, encoding="utf-8")
    config = tmp_path / "lmsync.toml"
    config.write_text("", encoding="utf-8")
    out = CliRunner().invoke(main, ["--config", str(config), "match", "--people", str(people)])
    assert out.exit_code == 0, out.output
    return out.stdout


def _line(text: str, start: str) -> str:
    return next(line for line in text.splitlines() if line.startswith(start))


def test_round_104b_4_a_choice_never_met_takes_no_rank_and_the_notice_says_so(tmp_path: Path) -> None:
    own = _match(tmp_path, "t1,mentor,2,Science,robotics,,en,,,,,Alan Turing\nt3,mentor,2,Science,music,,en,,,,,Third\n"
                           "s4,mentee;mentor,1,Science,robotics,,en,,,s4;t3,,Dual Self\ns5,mentee,,Art,,,de,,,t1,,Eve\n")
    line = _line(own, "Dual Self (s4)")
    assert "Third (t3)" in line and " 6 " in line, own  # as with `t3` alone: 3 + 1 + the full preference weight 2
    assert line.endswith("mentee's 1st choice of 1")
    assert ("s4 names themself: nobody is matched with themselves, so that choice is not used: it takes no rank, and "
            "the choices after it move up") in own

    zero = _match(tmp_path, "T1,mentor,2,Science,robotics,,en,,,,,Alan Turing\nt2,mentor,0,Science,music,,en,,,,,Zero\n"
                            "s2,mentee,,Science,,,en,,,t2;T1,,Sam\n")
    line = _line(zero, "Sam (s2)")
    assert "Alan Turing (T1)" in line and " 6 " in line and line.endswith("mentee's 1st choice of 1"), zero
    assert ("t2 has capacity 0 (takes no mentees), so s2's choice of them cannot be met in this run: it takes no rank, "
            "and the choices after it move up") in zero


def test_round_104b_4_people_read_elsewhere_rank_only_the_choices_that_can_be_met() -> None:
    # as Moodle's people come: keys by alias (idnumber), no CSV notice; only each mentee's last choice can be met
    people = People((
        Person("ann", "mentor", capacity=0, aliases=("A-1",)),
        Person("bob", "mentor", capacity=1, aliases=("B-2",)),
        Person("eve", "mentee", aliases=("E-5",), preferences=("E-5", "A-1", "B-2")),
        Person("dan", "mentee", preferences=("A-1", "bob")),
    ))
    result = run_match(people, Config())
    pair = next(a for a in result.assignments if a.mentor == "bob")
    assert pair.mentee in ("eve", "dan")
    assert pair.terms["preference"] == 2.0  # the full weight for either (was 2/3 and 1/2 of it)
    assert any(reason.endswith("choice of 1") for reason in pair.reasons), pair.reasons
