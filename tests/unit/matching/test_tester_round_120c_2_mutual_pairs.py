"""Tester round 120c, 2: refusing a mutual pair (A mentors B and B mentors A) forbade the weaker direction and
solved again, which can miss the best allowed match (5 where 6 was possible) while the output said "maximised",
"optimal (full graph, price certificate)" and JSON ``proven_optimal: true``. The best match with no mutual pair
is searched for, and its proof, or its absence, said. Loops of three are allowed and named."""

from __future__ import annotations

import itertools
import random

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from lmsync.domain.compatibility import Circle, MatchSettings, explain, total
from lmsync.domain.matching import match
from lmsync.domain.people import People, Person
from lmsync.render.match import match_view, score_line
from lmsync.render.views import Note

from .helpers import objective


def two_roles(pid: str, capacity: int = 1, **kw: object) -> Person:
    """A ``--people`` row ``mentor;mentee``."""
    return Person(pid, "mentee", capacity=capacity, also=frozenset({"mentor"}), **kw)  # type: ignore[arg-type]


def the_testers_programme() -> People:
    """The tester's file: A and B both roles, same department, A's 1st choice B; C a mentor sharing A's interests."""
    xyz = frozenset({"x", "y", "z"})
    return People((
        two_roles("A", department="Surgery", interests=xyz, preferences=("B",)),
        two_roles("B", department="Surgery"),
        Person("C", "mentor", capacity=1, department="Medicine", interests=xyz),
    ))


def text(result: object) -> str:
    return "\n".join(b.text for b in match_view(result, None, None).blocks if isinstance(b, Note))  # type: ignore[arg-type]


def test_the_testers_file_gets_the_best_allowed_total_and_says_it_is_proven() -> None:
    result = match(the_testers_programme(), MatchSettings(load_balance=0))
    assert {(a.mentee, a.mentor) for a in result.assignments} == {("B", "A"), ("A", "C")}
    assert result.total_score == 6  # the weaker direction forbidden gave 5 (A->B 5, B->C 0)
    assert result.proven_optimal and result.mutual is not None and result.mutual.proven
    assert result.mutual.refused == (("A", "B"),)
    data = result.to_dict()
    assert data["proven_optimal"] is True and data["mutual_pairs"]["refused"] == [["A", "B"]]
    words = text(result)
    assert "total score 6 maximised" in words
    assert "1 mutual pair refused (nobody mentors their own mentor); the best total with that rule, proven" in words
    assert "B and A would have mentored each other: A is not matched to B" in result.warnings


@pytest.mark.parametrize("bound", ["MUTUAL_SOLVES", "MUTUAL_PAIRS_SEARCHED"])
def test_a_search_cut_short_says_best_found_not_maximised(monkeypatch: pytest.MonkeyPatch, bound: str) -> None:
    """No solve left for the search, or more mutual pairs than are searched: the guess alone (the weaker
    direction forbidden) stands, and the words say it may not be the best."""
    monkeypatch.setattr(f"lmsync.domain.mutual_pairs.{bound}", 0)
    result = match(the_testers_programme(), MatchSettings(load_balance=0))
    assert result.total_score == 5
    assert not result.proven_optimal and result.to_dict()["proven_optimal"] is False
    words = text(result)
    assert "maximised" not in words
    assert "total score 5 (best found; not proven optimal once mutual pairs are refused)" in words
    assert score_line(result).endswith("(best found; not proven optimal once mutual pairs are refused)")
    circle = words.splitlines()[[line.startswith("mentor circle: ") for line in words.splitlines()].index(True)]
    assert circle.endswith("with the refused mutual pairs left out, not proven the best way to refuse them")
    assert "mutual pair refused (nobody mentors their own mentor); best found in 2 solves; not proven optimal once " \
           "mutual pairs are refused" in words
    assert result.to_dict()["mutual_pairs"]["proven"] is False


def brute_force_no_mutual(people: People, settings: MatchSettings) -> tuple[int, float]:
    """(most matched, best score less load cost) over every assignment in which no two people mentor each other."""
    persons = list(people.persons)
    mentees = [p for p in persons if p.has_role("mentee")]
    mentors = [p for p in persons if p.has_role("mentor") and p.capacity > 0]
    ranks = {p.id: {m: r for r, m in reversed(list(enumerate(p.preferences)))} for p in mentees}
    circle = Circle("mentor", mentees, mentors, [], [], frozenset(), {}, ranks)
    options = [[(None, 0.0)] + [(m.id, total(explain(circle, e, m, False, settings)[0])) for m in mentors if m.id != e.id]
               for e in mentees]
    best = (-1, float("-inf"))
    for choice in itertools.product(*options):
        pairs = {(e.id, m) for e, (m, _) in zip(mentees, choice, strict=True) if m is not None}
        if any((m, e) in pairs for e, m in pairs):
            continue
        load: dict[str, int] = {}
        for _, m in pairs:
            load[m] = load.get(m, 0) + 1
        if any(load.get(m.id, 0) > m.capacity for m in mentors):
            continue
        value = sum(s for _, s in choice) - settings.load_balance * sum(n * (n - 1) / 2 for n in load.values())
        best = max(best, (len(pairs), value))
    return best


@given(st.integers(0, 10**6), st.sampled_from([0.0, 0.5]))
@hsettings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_the_match_with_no_mutual_pair_is_the_best_one_a_brute_force_finds(seed: int, lb: float) -> None:
    rnd = random.Random(seed)
    persons = [two_roles(f"p{i}", rnd.randint(0, 2), department=rnd.choice("AB"),
                         interests=frozenset(rnd.sample(["x", "y", "z"], rnd.randint(0, 2))))
               for i in range(rnd.randint(2, 5))]
    ids = [p.id for p in persons]
    persons = [Person(p.id, "mentee", capacity=p.capacity, department=p.department, interests=p.interests,
                      also=p.also, preferences=tuple(rnd.sample([i for i in ids if i != p.id], rnd.randint(0, 1))))
               for p in persons]
    persons += [Person(f"t{j}", "mentor", capacity=rnd.randint(0, 1), department=rnd.choice("AB"))
                for j in range(rnd.randint(0, 1))]
    people, settings = People(tuple(persons)), MatchSettings(load_balance=lb)
    result = match(people, settings)
    pairs = {(a.mentee, a.mentor) for a in result.assignments}
    assert not {(m, e) for e, m in pairs} & pairs
    matched, best = brute_force_no_mutual(people, settings)
    assert result.proven_optimal  # small programmes: the search ends within its budget
    assert (len(result.assignments), objective(result, settings)) == (matched, pytest.approx(best))


def test_a_kept_pair_stays_and_the_new_direction_is_refused() -> None:
    """The solve's own choice is refused, not a pair kept from before (Moodle is the truth), whatever it scores."""
    a = two_roles("A", department="Surgery")
    b = two_roles("B", department="Surgery", interests=frozenset({"x"}))
    c = Person("C", "mentor", capacity=1, department="Medicine")
    result = match(People((a, b, c), current={"A": "B"}), MatchSettings(load_balance=0))
    by_mentee = {x.mentee: x for x in result.assignments}
    assert by_mentee["A"].mentor == "B" and by_mentee["A"].origin == "kept"
    assert by_mentee["B"].mentor == "C"
    assert result.mutual is not None and result.mutual.refused == (("B", "A"),) and result.proven_optimal


def test_two_pins_that_mentor_each_other_stay_and_are_said() -> None:
    people = People((two_roles("A"), two_roles("B")), pins=(("A", "B"), ("B", "A")))
    result = match(people, MatchSettings())
    assert {(a.mentee, a.mentor) for a in result.assignments} == {("A", "B"), ("B", "A")}
    assert "A and B mentor each other: both pairs are pinned ([matching] pins)" in result.warnings


def test_a_loop_of_three_is_made_and_named() -> None:
    people = People((two_roles("A", preferences=("B",)), two_roles("B", preferences=("C",)),
                     two_roles("C", preferences=("A",))))
    result = match(people, MatchSettings())
    assert {(a.mentee, a.mentor) for a in result.assignments} == {("A", "B"), ("B", "C"), ("C", "A")}
    assert result.mutual is None and result.proven_optimal
    assert ("a loop of mentors in the mentor circle: A mentors C, C mentors B, B mentors A (allowed: only two "
            "people mentoring each other are refused)") in result.warnings


def test_nobody_with_two_roles_takes_one_solve_and_says_nothing_of_mutual_pairs() -> None:
    people = People((Person("m1", "mentor", capacity=1), Person("s1", "mentee"), Person("s2", "mentee")))
    result = match(people, MatchSettings())
    assert result.mutual is None and result.to_dict()["mutual_pairs"] is None
    assert not any("loop" in w or "each other" in w for w in result.warnings)
