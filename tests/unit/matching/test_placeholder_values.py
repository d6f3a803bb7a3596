"""A profile field filled with "N/A" or "Not specified" says nothing about the person (tester round 46b, 5):
two mentees' "Not specified" departments were scored as a shared department, +3 and the reason "same
department (not specified)", ahead of a mentor with a real one."""

from __future__ import annotations

from pathlib import Path

from lmsync.config import Config
from lmsync.domain.compatibility import MatchSettings
from lmsync.domain.matching import match
from lmsync.domain.people import People, Person
from lmsync.service.people_csv import load_people_csv

from .helpers import mentee, mentor


def test_round_46b_5_placeholder_values_are_read_as_not_set() -> None:
    person = Person("s1", "mentee", department="Not specified", interests=frozenset({"N/A", "Cardiology", "none"}),
                    languages=frozenset({"English", "n.a."}))
    assert person.department is None
    assert person.interests == frozenset({"cardiology"})
    assert person.languages == frozenset({"english"})
    assert Person("s2", "mentee", department="  N/A ").department is None
    assert Person("s3", "mentee", department="Nephrology").department == "nephrology"


def test_round_46b_5_a_placeholder_shared_by_two_people_scores_nothing() -> None:
    people = People((mentor("t1", 1, department="Not specified"), mentor("t2", 1, department="Surgery"),
                     mentee("s1", department="not specified"), mentee("s2", department="surgery")))
    pairs = {a.mentee: a for a in match(people, MatchSettings()).assignments}
    assert "department" not in pairs["s1"].terms
    assert not any("not specified" in reason for a in pairs.values() for reason in a.reasons)
    assert pairs["s2"].mentor == "t2" and "department" in pairs["s2"].terms


def test_round_47_1_a_people_csv_reads_placeholders_as_not_set_too(tmp_path: Path) -> None:
    """The ``--people`` CSV reads its cells by its own fast path: "N/A" interests were a shared interest
    there ("shared interests: n a"), and every mentee who typed it took one of the scarce places."""
    path = tmp_path / "people.csv"
    path.write_text("id,role,capacity,department,interests,languages,needs\n"
                    "m1,mentor,1,Medicine,N/A,none,\n"
                    "s1,mentee,,Medicine,n/a;Cardiology,Not specified,none\n")
    by_id = load_people_csv(path, Config()).by_id()
    assert by_id["m1"].interests == frozenset() and by_id["m1"].languages == frozenset()
    assert by_id["s1"].interests == frozenset({"cardiology"}) and by_id["s1"].languages == frozenset()
    assert by_id["s1"].needs == frozenset()


def test_round_47_6_a_placeholder_year_in_a_people_csv_is_no_year(tmp_path: Path) -> None:
    """A Moodle profile's "N/A" year was a warning and no year; the CSV refused the file (exit 3)."""
    path = tmp_path / "people.csv"
    path.write_text("id,role,department,year\ns1,mentee,No department,N/A\ns2,mentee,none yet,2\n")
    by_id = load_people_csv(path, Config()).by_id()
    assert by_id["s1"].year is None and by_id["s2"].year == 2
    assert by_id["s1"].department is None and by_id["s2"].department is None


def test_round_46b_5_c_plus_plus_and_c_sharp_are_not_the_letter_c() -> None:
    """``C++`` and ``C#`` both read as ``c``: one shared interest between people who share none."""
    a = Person("s1", "mentee", interests=frozenset({"C++"}))
    b = Person("s2", "mentee", interests=frozenset({"c#", "Emergency-Medicine"}))
    assert a.interests == frozenset({"c++"}) and b.interests == frozenset({"c#", "emergency medicine"})
    assert Person("s3", "mentee", interests=frozenset({"AI+ML"})).interests == frozenset({"ai ml"})  # a joining plus


def test_round_50_5_other_and_a_lone_zero_are_not_shared_values(tmp_path: Path) -> None:
    """Two people who chose a form's "Other" department, or typed "0" for a language, share nothing:
    "same department (other); shared interests: other; common language: 0" placed them together."""
    path = tmp_path / "other.csv"
    path.write_text("id,role,capacity,department,interests,year,languages,fullname\n"
                    "t1,mentor,1,Other,other,,0,Mentor Other\n"
                    "t2,mentor,1,Surgery,surgery,,english,Mentor Surgery\n"
                    "s1,mentee,,Other,other,0,0,Mentee Other\n")
    by_id = load_people_csv(path, Config()).by_id()
    assert by_id["t1"].department is None and by_id["t1"].interests == frozenset() and by_id["t1"].languages == frozenset()
    assert by_id["s1"].year == 0, "a year 0 (a foundation year) is still a year"
    assert Person("s2", "mentee", department="Others", languages=frozenset({"0", "French"})).languages == frozenset({"french"})
    (pair,) = match(People(tuple(by_id.values())), MatchSettings()).assignments
    assert pair.terms.get("department", 0) == 0 and not any("other" in r or ": 0" in r for r in pair.reasons)


def test_round_50_5_moodle_menu_catch_alls_are_not_shared_values() -> None:
    """The second pass: a Moodle menu's "Other (please specify)" and "None of the above", "0.0" and "misc"
    still scored as shared ("same department (other please specify)"). A single letter stays a value (a
    department coded "X")."""
    for value in ("Other (please specify)", "None of the above", "0.0", "00", "misc", "Various"):
        person = Person("s1", "mentee", department=value, interests=frozenset({value, "Cardiology"}),
                        languages=frozenset({value}))
        assert (person.department, person.interests, person.languages) == (None, frozenset({"cardiology"}), frozenset()), value
    assert Person("s2", "mentee", languages=frozenset({"no"})).languages == frozenset({"no"}), "Norwegian stays"
    assert Person("s3", "mentee", department="X").department == "x"

