"""How the plan counts and words the mentees a match leaves without a mentor (tester rounds 46b, 2 and 47)."""

from __future__ import annotations

from lmsync.domain.circle_leaving import left_without_words
from lmsync.domain.compatibility import MatchSettings
from lmsync.domain.matching import MENTOR_GONE, MatchResult, Unmatched, match
from lmsync.domain.people import People, Person
from lmsync.service.desire import unmatched_counts


def result(*unmatched: Unmatched) -> MatchResult:
    return MatchResult("pairs", [], list(unmatched), 0.0, {}, [], [])


def test_round_47_3_reasons_differing_only_in_how_many_mentors_they_count_are_one_line() -> None:
    counts = unmatched_counts(result(
        Unmatched("s1", "no capacity left: all 15 allowed mentors are full"),
        Unmatched("s2", "no capacity left: all 16 allowed mentors are full"),
        Unmatched("s3", "no capacity left: all 12 allowed mentors are full; 8 peer mentor(s) could not be chosen: "
                        "they need a year of study, and none is set for this mentee"),
        Unmatched("s4", "no mentor within the year gap [1, 3] above year 2", "peer"),
    ))
    assert counts == {
        "no capacity left: all allowed mentors are full": 2,
        "no capacity left: all allowed mentors are full; peer mentor(s) could not be chosen: they need a year of study, "
        "and none is set for this mentee": 1,
        "no near-peer: no mentor within the year gap [1, 3] above year 2": 1,
    }


def test_round_47_4_a_mentee_a_pin_displaced_into_no_mentor_is_told_the_pin_first() -> None:
    people = People((Person("m1", "mentor", capacity=1), Person("s1", "mentee"), Person("s2", "mentee")),
                    current={"s1": "m1"}, pins=[("s2", "m1")])
    (left,) = match(people, MatchSettings()).unmatched
    assert (left.mentee, left.previous, left.cause) == ("s1", "m1", "displaced by the pin of s2")
    assert left_without_words(left.reason, cause=left.cause) == (
        "left with no mentor: displaced by the pin of s2; no capacity left: the one allowed mentor is full")
    assert left_without_words("no mentor with capacity in the programme", cause="over capacity") == (
        "left with no mentor: their mentor's circle holds more mentees than their capacity; no mentor with capacity in the programme")
    assert left_without_words("x") == "left with no mentor: x"


def test_round_47_5_a_mentee_whose_mentor_is_gone_says_from_whom_placed_or_not() -> None:
    """``lmsync match`` said "(16 of them left with no mentor by an existing pair that ended)" and left out
    the mentees whose mentor's enrolment was suspended: their rows named no previous mentor."""
    people = People((Person("m1", "mentor", capacity=1), Person("s1", "mentee"), Person("s2", "mentee")),
                    current={"s1": "gone", "s2": "gone"})
    made = match(people, MatchSettings())
    (placed,), (left,) = made.assignments, made.unmatched
    assert (placed.origin, placed.previous, placed.cause) == ("moved", "gone", MENTOR_GONE)
    assert (left.previous, left.cause) == ("gone", MENTOR_GONE)
    assert left_without_words(left.reason, cause=left.cause) == f"left with no mentor: {left.reason}"
    triads = People((Person("m1", "mentor", capacity=2), Person("p1", "peer_mentor", capacity=2, year=4),
                     Person("s1", "mentee", year=2)), current={"s1": "m1"}, current_peers={"s1": "gone"})
    both = {a.circle: a for a in match(triads, MatchSettings(structure="triads")).assignments}
    assert both["mentor"].origin == "kept" and both["peer"].previous == "gone"  # the faculty pair is not "gone"
