"""``People.returning``: a mentee back after a break returns to their last mentor while the mentor
has room (tester round 9); kept pairs come first, and a re-match flag or a forbid wins."""

from __future__ import annotations

from lmsync.domain.compatibility import MatchSettings, Weights
from lmsync.domain.matching import match
from lmsync.domain.people import People, Person


def programme(**kw: object) -> People:
    # two identical mentors; the new one (t2) has no mentees, so a fresh match prefers them (load balance)
    persons = (
        Person("t1", "mentor", capacity=2, department="law"),
        Person("t2", "mentor", capacity=2, department="law"),
        Person("s1", "mentee", department="law"),
        Person("s2", "mentee", department="law"),
    )
    return People(persons=persons, current={"s1": "t1"}, **kw)  # type: ignore[arg-type]


def mentor_of(people: People) -> dict[str, tuple[str, str]]:
    return {a.mentee: (a.mentor, a.origin) for a in match(people, MatchSettings()).assignments}


def test_round_9_without_returning_the_mentee_goes_to_the_emptier_mentor() -> None:
    # the probe can fail: the case must be one a fresh match decides otherwise
    assert mentor_of(programme())["s2"] == ("t2", "matched")


def test_round_9_a_returning_mentee_goes_back_to_their_mentor_with_room() -> None:
    result = match(programme(returning={"s2": "t1"}), MatchSettings())
    back = next(a for a in result.assignments if a.mentee == "s2")
    assert (back.mentor, back.origin) == ("t1", "returned")
    assert "back with their mentor after a break (lmsync's pairing history)" in back.reasons
    assert back.terms["stickiness"] == MatchSettings().weights.stickiness
    assert result.proven_optimal


def test_round_9_a_kept_pair_keeps_its_place_before_a_returning_mentee() -> None:
    persons = (
        Person("t1", "mentor", capacity=1, department="law"),
        Person("t2", "mentor", capacity=1, department="law"),
        Person("s1", "mentee", department="law"),
        Person("s2", "mentee", department="law"),
    )
    people = People(persons=persons, current={"s1": "t1"}, returning={"s2": "t1"})
    assert mentor_of(people) == {"s1": ("t1", "kept"), "s2": ("t2", "matched")}


def test_round_9_a_rematch_flag_or_a_forbid_wins_over_returning() -> None:
    # re-match flag: no place is kept; as for a flagged existing pair, stickiness still counts, so
    # only a mentor better by more than the stickiness weight wins
    flagged = programme(returning={"s2": "t1"}).with_overrides(rematch=["s2"])
    assert mentor_of(flagged)["s2"] == ("t1", "matched")
    better = People(
        persons=(*flagged.persons, Person("t3", "mentor", capacity=1, department="law", interests=frozenset("abcdefgh"),
                                          languages=frozenset({"fr"}))),
        current=flagged.current, returning=flagged.returning, rematch=flagged.rematch,
    )
    better = People(
        persons=tuple(p if p.id != "s2" else Person("s2", "mentee", department="law", interests=frozenset("abcdefgh"),
                                                    languages=frozenset({"fr"})) for p in better.persons),
        current=better.current, returning=better.returning, rematch=better.rematch,
    )
    assert mentor_of(better)["s2"][0] == "t3"
    assert mentor_of(People(persons=better.persons, current=better.current, returning=better.returning))["s2"] == (
        "t1", "returned"
    )  # without the flag the returning pair is kept, however good t3 is
    forbidden = programme(returning={"s2": "t1"}).with_overrides(forbids=[("s2", "t1")])
    assert mentor_of(forbidden)["s2"] == ("t2", "matched")


def test_round_9_returning_to_someone_who_is_no_longer_a_mentor_is_ignored() -> None:
    assert mentor_of(programme(returning={"s2": "gone"}))["s2"] == ("t2", "matched")
    assert mentor_of(programme(returning={"s2": "s1"}))["s2"] == ("t2", "matched")


def test_round_10_8_a_flagged_pair_that_stays_says_why_and_moves_without_stickiness() -> None:
    flagged = People(persons=programme().persons, current={"s1": "t1", "s2": "t1"}, rematch=frozenset({"s2"}))
    stayed = next(a for a in match(flagged, MatchSettings()).assignments if a.mentee == "s2")
    assert (stayed.mentor, stayed.origin) == ("t1", "stayed")
    assert "stays with their mentor: open to re-matching, but no mentor is better by more than the stickiness weight (5)" in stayed.reasons
    free = MatchSettings(weights=Weights(stickiness=0))
    moved = next(a for a in match(flagged, free).assignments if a.mentee == "s2")
    assert moved.mentor == "t2"  # the emptier mentor, once stickiness no longer holds the pair


def test_round_10_4_when_capacity_falls_the_pairs_that_meet_are_kept() -> None:
    persons = (
        Person("t1", "mentor", capacity=1, department="law"),
        Person("t2", "mentor", capacity=2, department="law"),
        Person("s1", "mentee", department="law"),  # the better fit on paper
        Person("s2", "mentee", department="art"),
    )
    both = {"s1": "t1", "s2": "t1"}
    assert mentor_of(People(persons=persons, current=both))["s1"] == ("t1", "kept")  # the probe can fail
    met = mentor_of(People(persons=persons, current=both, established={"s2": 4}))
    assert met["s2"] == ("t1", "kept") and met["s1"][0] == "t2"


def test_round_50_7_when_capacity_falls_among_equals_the_older_pair_stays() -> None:
    """Equal meetings (none) and equal fits: the pair lmsync made a term ago stays, not the one made
    minutes ago (the tie went by id: s1 stayed whatever the dates)."""
    persons = (
        Person("t1", "mentor", capacity=1, department="law"),
        Person("t2", "mentor", capacity=2, department="law"),
        Person("s1", "mentee", department="law"),
        Person("s2", "mentee", department="law"),
    )
    both = {"s1": "t1", "s2": "t1"}
    new_s1 = mentor_of(People(persons=persons, current=both, since={"s1": "2026-12-03T10:00:00+00:00",
                                                                     "s2": "2026-09-01T09:00:00+00:00"}))
    assert new_s1["s2"] == ("t1", "kept") and new_s1["s1"][0] == "t2"
    new_s2 = mentor_of(People(persons=persons, current=both, since={"s2": "2026-12-03T10:00:00+00:00",
                                                                     "s1": "2026-09-01T09:00:00+00:00"}))
    assert new_s2["s1"] == ("t1", "kept") and new_s2["s2"][0] == "t2"
    # meetings still come first: the newer pair that met stays
    met = mentor_of(People(persons=persons, current=both, established={"s1": 2},
                           since={"s1": "2026-12-03T10:00:00+00:00", "s2": "2026-09-01T09:00:00+00:00"}))
    assert met["s1"] == ("t1", "kept")


def test_round_10_the_match_summary_says_what_stayed_and_what_moved() -> None:
    from lmsync.render.formats import render
    from lmsync.render.match import match_view

    people = programme(returning={"s2": "t1"})
    text = render(match_view(match(people, MatchSettings())), "text")
    assert "2 pairs (1 kept, 1 back after a break), 0 unmatched" in text
    assert "mentor circle: nothing to assign anew: every mentee's pair is kept, pinned or returning" in text


def test_left_from_stop_24_many_mentors_loads_are_counted_not_listed_one_by_one() -> None:
    """A 1,000-mentor run printed 1,000 ``id=load`` on one summary line; beyond 12 mentors the
    line says how many mentors carry each load, and JSON keeps each mentor's."""
    from lmsync.render.match import LOADS_NAMED_UP_TO, loads_line

    few = {f"t{i}": i % 3 for i in range(LOADS_NAMED_UP_TO)}
    assert loads_line(few) == "loads: " + ", ".join(f"t{i}={i % 3}" for i in range(LOADS_NAMED_UP_TO))
    many = {f"t{i}": 3 + (i % 2) for i in range(LOADS_NAMED_UP_TO + 1)} | {"odd": 1}
    assert loads_line(many) == ("loads: 1 mentor with 1 mentee, 7 with 3, 6 with 4 "
                                f"({LOADS_NAMED_UP_TO + 2} mentors; --format json lists each mentor's)")
    assert loads_line({}) == "loads: no mentor takes mentees (none in the file, or each has capacity 0 or opted out)"
