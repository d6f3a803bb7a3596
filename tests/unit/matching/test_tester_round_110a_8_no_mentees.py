"""Tester round 110a, 8: with nobody enrolled as a mentee, `lmsync match` said "every mentee's pair is kept,
pinned or returning" (of no mentee at all); the JSON summary said it too."""

from __future__ import annotations

from lmsync.domain.compatibility import MatchSettings
from lmsync.domain.matching import match
from lmsync.domain.people import People, Person
from lmsync.render.formats import render
from lmsync.render.match import match_view

MENTORS = (Person("t1", "mentor", capacity=2, department="law"), Person("t2", "mentor", capacity=2))


def test_a_programme_with_mentors_and_no_mentee_says_there_is_none_to_match() -> None:
    result = match(People(persons=MENTORS), MatchSettings())
    text = render(match_view(result), "text")
    assert "mentor circle: no mentees to match" in text
    assert "every mentee's pair is kept" not in text
    assert [o["summary"] for o in result.to_dict()["optimality"]] == ["no mentees to match"]


def test_every_mentee_kept_still_says_so() -> None:
    people = People(persons=(*MENTORS, Person("s1", "mentee", department="law")), current={"s1": "t1"})
    text = render(match_view(match(people, MatchSettings())), "text")
    assert "mentor circle: nothing to assign anew: every mentee's pair is kept, pinned or returning" in text
