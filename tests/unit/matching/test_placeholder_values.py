"""A profile field filled with "N/A" or "Not specified" says nothing about the person (tester round 46b, 5):
two mentees' "Not specified" departments were scored as a shared department, +3 and the reason "same
department (not specified)", ahead of a mentor with a real one."""

from __future__ import annotations

from lmsync.domain.compatibility import MatchSettings
from lmsync.domain.matching import match
from lmsync.domain.people import People, Person

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
