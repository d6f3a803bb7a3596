"""Tester round 103a, 1 (harm): one edit of a year of study to a value outside ``[matching] peer_year_gap_min``
to ``_max``, or the gap narrowed in the configuration, ended an established peer pair for good (setting the year
back did not restore it), while a blank year kept it. An existing pair outside the gap is now kept, with a warning
naming the pair and why, unless it is open to re-matching (``[matching] rematch``) or marked not a good fit; a new
pair still keeps to the gap, and the kept pair takes its place from the peer mentor's room before the solve."""

from __future__ import annotations

import pytest

from lmsync.domain.compatibility import MatchSettings
from lmsync.domain.matching import match
from lmsync.domain.people import People, Person

KEPT = ("s1: existing pair with p1 kept although it is outside the year gap [{lo}, {hi}] (the mentee is in year "
        "{mentee}, the peer mentor in year {peer}); a new pair would not be made")


def people(mentee_year: int, peer_year: int, capacity: int = 2, **kw: object) -> People:
    persons = (Person("p1", "peer_mentor", capacity=capacity, year=peer_year), Person("m1", "mentor", capacity=3),
               Person("s1", "mentee", year=mentee_year), Person("s2", "mentee", year=mentee_year))
    return People(persons, **kw)  # type: ignore[arg-type]


@pytest.mark.parametrize(("mentee_year", "peer_year", "settings"), [
    (6, 6, MatchSettings()),  # the mentee's year edited up to the peer mentor's
    (7, 6, MatchSettings()),  # ... past it
    (1, 6, MatchSettings()),  # the peer mentor's cohort moved up a year first
    (1, 4, MatchSettings(peer_year_gap_max=2, peer_year_gap_preferred=1)),  # the gap narrowed
])
def test_an_existing_peer_pair_outside_the_year_gap_is_kept_and_named(
    mentee_year: int, peer_year: int, settings: MatchSettings,
) -> None:
    result = match(people(mentee_year, peer_year, current={"s1": "p1"}), settings)
    pairs = {a.mentee: (a.mentor, a.origin) for a in result.assignments}
    assert pairs["s1"] == ("p1", "kept")
    assert KEPT.format(lo=settings.peer_year_gap_min, hi=settings.peer_year_gap_max, mentee=mentee_year,
                       peer=peer_year) in result.warnings, result.warnings
    assert not any("dropped" in w for w in result.warnings)
    assert pairs["s2"] == ("m1", "matched")  # a new pair keeps to the gap: s2 is never given p1
    assert result.proven_optimal


def test_the_kept_pair_counts_against_the_peer_mentors_room() -> None:
    """The kept pair is fixed before the solve, as the blank-year keep: p1 (capacity 1) has no room left."""
    result = match(people(6, 6, capacity=1, current={"s1": "p1"}), MatchSettings())
    assert {a.mentee: a.mentor for a in result.assignments} == {"s1": "p1", "s2": "m1"}
    assert result.loads == {"m1": 1, "p1": 1}


def test_the_kept_pair_holds_in_triads() -> None:
    persons = (Person("p1", "peer_mentor", capacity=2, year=6), Person("m1", "mentor", capacity=2),
               Person("s1", "mentee", year=6))
    result = match(People(persons, current={"s1": "m1"}, current_peers={"s1": "p1"}), MatchSettings(structure="triads"))
    assert {(a.circle, a.mentee, a.mentor, a.origin) for a in result.assignments} == {
        ("mentor", "s1", "m1", "kept"), ("peer", "s1", "p1", "kept")}
    assert KEPT.format(lo=1, hi=3, mentee=6, peer=6) in result.warnings


@pytest.mark.parametrize("opened", [frozenset({"s1"}), frozenset({"p1"}), frozenset({"*"})])
def test_a_pair_opened_for_re_matching_keeps_to_the_year_gap(opened: frozenset[str]) -> None:
    result = match(people(6, 6, current={"s1": "p1"}, rematch=opened), MatchSettings())
    moved = next(a for a in result.assignments if a.mentee == "s1")
    assert (moved.mentor, moved.origin, moved.previous) == ("m1", "moved", "p1")
    assert moved.cause == "the pair is not allowed: outside the year gap"
    assert "s1: existing pair with p1 dropped (outside the year gap)" in result.warnings
    assert not any("kept although" in w for w in result.warnings)


def test_a_pair_opened_for_re_matching_with_a_year_unknown_is_not_said_to_be_kept() -> None:
    """The blank-year keep follows the same rule: an open pair is judged as new, and not warned of as kept."""
    persons = (Person("p1", "peer_mentor", capacity=2, year=3), Person("m1", "mentor", capacity=2),
               Person("s1", "mentee"))
    result = match(People(persons, current={"s1": "p1"}, rematch=frozenset({"s1"})), MatchSettings())
    assert {a.mentee: a.mentor for a in result.assignments} == {"s1": "m1"}
    assert not any("kept although" in w for w in result.warnings), result.warnings
    assert "s1: existing pair with p1 dropped (year unknown)" in result.warnings


def test_a_pair_marked_not_a_good_fit_still_ends() -> None:
    result = match(people(6, 6, current={"s1": "p1"}, forbids=(("s1", "p1"),), unfit=frozenset({("s1", "p1")})),
                   MatchSettings())
    assert {a.mentee: a.mentor for a in result.assignments}["s1"] == "m1"
    assert "s1: existing pair with p1 dropped (marked not a good fit)" in result.warnings


@pytest.mark.parametrize(("met_more", "stays"), [("s1", "s1"), ("s2", "s2")])
def test_a_capacity_cut_ranks_a_kept_out_of_gap_pair_by_its_meetings(met_more: str, stays: str) -> None:
    """p1's room (1) below its two pairs, s1 outside the gap: the pair with more meetings stays (``People.established``);
    the other is matched again, never back to p1, and the solve is still proven optimal (the cut pair's edge to p1 is
    infeasible for s1, full for s2)."""
    persons = (Person("p1", "peer_mentor", capacity=1, year=6), Person("m1", "mentor", capacity=3),
               Person("s1", "mentee", year=6), Person("s2", "mentee", year=5))
    result = match(People(persons, current={"s1": "p1", "s2": "p1"}, established={met_more: 4}), MatchSettings())
    assert {a.mentee: a.mentor for a in result.assignments} == {stays: "p1", ({"s1", "s2"} - {stays}).pop(): "m1"}
    assert result.proven_optimal
