"""Tester round 120c, 5: a mentee with no year of study was told only "year of study unknown, so no mentor within
the year gap" as soon as one peer mentor needed a year, though a forbid (or the rule that nobody mentors their own
mentor) ruled out the faculty mentor: filling in the year would still leave them unmatched. Every rule is named,
and the plan counts them by the same words."""

from __future__ import annotations

from lmsync.domain.compatibility import MatchSettings
from lmsync.domain.matching import match
from lmsync.domain.people import People, Person
from lmsync.service.desire import unmatched_counts

from .helpers import mentee, mentor, peer

YEAR_NOTE = "(no year of study is set for this mentee: peer mentors within the year gap [1, 3] need one)"


def test_a_forbid_on_the_faculty_mentor_is_named_beside_the_missing_year() -> None:
    people = People((mentor("F", 3), peer("P", 4), mentee("S")), forbids=(("S", "F"),))
    result = match(people, MatchSettings())
    (left,) = result.unmatched
    assert left.reason == f"no allowed mentor: 1 forbidden, 1 year unknown {YEAR_NOTE}"
    # the plan's count by why: the same words, not under the year-unknown heading
    assert unmatched_counts(result) == {left.reason: 1}


def test_their_own_mentee_is_named_beside_the_missing_year() -> None:
    a = Person("A", "mentee", capacity=1, department="S", also=frozenset({"mentor"}))
    b = Person("B", "mentee", capacity=1, department="S", also=frozenset({"mentor"}))
    result = match(People((a, b, peer("P", 4))), MatchSettings())
    (left,) = result.unmatched
    assert left.reason == f"no allowed mentor: 1 their own mentee, 1 year unknown {YEAR_NOTE}"


def test_the_year_alone_still_reads_as_before() -> None:
    (left,) = match(People((peer("P", 4), mentee("S"))), MatchSettings()).unmatched
    assert left.reason == "year of study unknown, so no mentor within the year gap [1, 3] can be chosen"
