"""Tester round 62, 1: a year of study emptied or mistyped ("second") ended an established peer pair at
once, for good (the mentee moved to another mentor), while a mistyped capacity keeps its pairs. An
existing pair is kept, and the unknown year is named; a new peer pair still needs both years."""

from __future__ import annotations

import pytest

from lmsync.domain.compatibility import MatchSettings
from lmsync.domain.matching import match
from lmsync.domain.people import People, Person


def people(mentee_year: int | None, peer_year: int | None, **kw: object) -> People:
    persons = (Person("p1", "peer_mentor", capacity=2, year=peer_year), Person("m1", "mentor", capacity=2),
               Person("s1", "mentee", year=mentee_year))
    return People(persons, **kw)  # type: ignore[arg-type]


@pytest.mark.parametrize(("mentee_year", "peer_year", "whose"), [
    (None, 3, "mentee's"), (1, None, "peer mentor's"), (None, None, "mentee's and peer mentor's"),
])
def test_existing_peer_pair_is_kept_when_a_year_becomes_unknown(
    mentee_year: int | None, peer_year: int | None, whose: str,
) -> None:
    result = match(people(mentee_year, peer_year, current={"s1": "p1"}), MatchSettings())
    pairs = {a.mentee: (a.mentor, a.origin) for a in result.assignments}
    assert pairs == {"s1": ("p1", "kept")}
    assert f"s1: existing pair with p1 kept although the {whose} year is unknown" in result.warnings
    assert not any("dropped" in w for w in result.warnings)


def test_a_new_peer_pair_still_needs_both_years() -> None:
    result = match(people(None, 3), MatchSettings())
    assert {a.mentee: a.mentor for a in result.assignments} == {"s1": "m1"}
    assert not any("kept although" in w for w in result.warnings)


def test_an_existing_pair_outside_the_year_gap_opened_for_re_matching_ends() -> None:
    """A pair outside the year gap is kept (tester round 103a, 1: ``test_year_gap_existing_pairs``) unless it is
    open to re-matching: then the year rule applies as to a new pair."""
    result = match(people(1, 6, current={"s1": "p1"}, rematch=frozenset({"s1"})), MatchSettings())
    assert {a.mentee: a.mentor for a in result.assignments} == {"s1": "m1"}
    assert "s1: existing pair with p1 dropped (outside the year gap)" in result.warnings
    # the move says which rule, not "the pair is no longer allowed" for every one (tester round 66, 7)
    assert [a.cause for a in result.assignments] == ["the pair is not allowed: outside the year gap"]
