"""Tester round 106a, 2 and 3: what a re-match move says must be true of the whole match (a swap at stickiness 0
was said to even out loads, or to be what the total score favours, at an equal total), and the plan says the same
why of every re-match move, its takers capped."""

from __future__ import annotations

from lmsync.domain.circle_leaving import moved_words
from lmsync.domain.compatibility import MatchSettings, Weights
from lmsync.domain.match_result import REMATCHING, Match
from lmsync.domain.people import People, Person
from lmsync.domain.rematch_moves import BY_TOTAL, EVEN_LOADS, plain_reason, with_moves_said
from lmsync.domain.rematch_swaps import Undo

FREE = "at no change to the total score ([matching.weights] stickiness 0 lets pairs open to re-matching move freely)"
SETTINGS = MatchSettings(weights=Weights(stickiness=0), load_balance=2)


def _swapped(capacity: int, others: int = 0) -> tuple[People, list[Match]]:
    """x with p and y with n before; the match swapped them, at the same scores. ``others``: more mentees who stay
    with p."""
    stay = [f"z{i}" for i in range(others)]
    people = People(
        (Person("p", "mentor", capacity=capacity, department="A"), Person("n", "mentor", capacity=capacity, department="A"),
         *(Person(i, "mentee", department="A") for i in ("x", "y", *stay))),
        current={"x": "p", "y": "n", **dict.fromkeys(stay, "p")}, rematch=frozenset({"x", "y", *stay}),
    )
    score = Undo(people, SETTINGS).score("x", "n", "mentor", None)
    assert score is not None
    moves = [Match("x", "n", score, {}, ["same department (A)", plain_reason("p")], "mentor", "moved", "p", REMATCHING),
             Match("y", "p", score, {}, ["same department (A)", plain_reason("n")], "mentor", "moved", "n", REMATCHING),
             *(Match(i, "p", score, {}, ["same department (A)"], "mentor", "stayed") for i in stay)]
    return people, moves


def test_round_106a_2_a_swap_of_full_circles_at_an_equal_total_is_not_said_favoured() -> None:
    # "Ifeoma Nguyen (m0001)'s place went to Esther Okafor (s0056), which the total score favours" of a free swap
    people, moves = _swapped(capacity=1)
    said = {a.mentee: a.reasons[-1] for a in with_moves_said(moves, people, SETTINGS)}
    assert said == {"x": f"moved from p (re-matching: p's place went to y, {FREE})",
                    "y": f"moved from n (re-matching: n's place went to x, {FREE})"}


def test_round_106a_2_a_swap_with_room_is_not_said_to_even_loads() -> None:
    # p keeps 3 (x left, y came), n has 1: "their former mentor would have 4 had they stayed" was false of the match
    people, moves = _swapped(capacity=5, others=2)
    said = {a.mentee: a.reasons[-1] for a in with_moves_said(moves, people, SETTINGS)}
    assert EVEN_LOADS not in said["x"] and BY_TOTAL not in said["x"]
    assert said["x"] == f"moved from p (re-matching: p's place went to y, {FREE})"


def test_round_106a_2_a_swap_the_total_favours_says_so() -> None:
    # y scores 2 more with p than with n (a shared interest each side): the swap back would lose it
    people, moves = _swapped(capacity=1)
    people = People(tuple(Person(p.id, p.role, capacity=p.capacity, department="A",
                                 interests=frozenset({"q"}) if p.id in ("p", "y") else frozenset()) for p in people.persons),
                    current=people.current, rematch=people.rematch)
    y_with_p = Undo(people, SETTINGS).score("y", "p", "mentor", "n")
    assert y_with_p is not None
    moves[1] = Match("y", "p", y_with_p, {}, moves[1].reasons, "mentor", "moved", "n", REMATCHING)
    said = with_moves_said(moves, people, SETTINGS)
    assert said[0].reasons[-1] == "moved from p (re-matching: p's place went to y, which the total score favours)"


def test_round_106a_3_the_plan_says_each_move_s_why_with_names_and_a_capped_list() -> None:
    from lmsync.domain.rematch_moves import plan_words

    label = {"p": "Pat Mentor (p)", "x": "Xi (x)", **{f"t{i}": f"Taker {i} (t{i})" for i in range(5)}}.get
    takers = [Match(f"t{i}", "p", 1, {}, [], "mentor", "matched") for i in range(5)]
    mover = Match("x", "n", 1, {}, [f"moved from p (re-matching: p's places went to t0, t1, t2, t3 and t4{BY_TOTAL})"],
                  "mentor", "moved", "p", REMATCHING)
    free = Match("w", "n", 1, {}, [f"moved from q (re-matching, {FREE})"], "mentor", "moved", "q", REMATCHING)
    gain = Match("v", "n", 1, {}, ["moved from q (re-matching: their new mentor scores higher)"], "mentor", "moved", "q",
                 REMATCHING)
    words = plan_words([mover, free, gain, *takers], lambda i: label(i) or i)
    assert moved_words(REMATCHING, words[("mentor", "x")]) == (
        "re-matched: the circle's places went to Taker 0 (t0), Taker 1 (t1), Taker 2 (t2) and 2 more, which the total "
        "score favours")
    assert moved_words(REMATCHING, words[("mentor", "w")]) == f"re-matched, {FREE}"
    assert moved_words(REMATCHING, words[("mentor", "v")]) == "re-matched: their new mentor scores higher"
