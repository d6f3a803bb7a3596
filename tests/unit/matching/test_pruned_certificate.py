"""The pruned search and its certificate: bulk scores, tight markets, repairs, the proof."""

from __future__ import annotations

import random

import numpy as np
import pytest

import lmsync.domain.assignment as assignment
import lmsync.domain.slot_solver as slot_solver
from lmsync.domain.compatibility import Circle, Compatibility, MatchSettings, Weights, explain, total
from lmsync.domain.matching import match
from lmsync.domain.people import People, Person

from .helpers import objective

DEPTS = ["law", "medicine", "history", "physics"]
TOPICS = ["ai", "retail", "surgery", "ethics", "mental health", "ships", "opera"]
LANGS = ["en", "fr", "de", "ar"]


def programme(n: int, m: int, seed: int, capacity: tuple[int, int] = (1, 4), peers: float = 0.3) -> People:
    rng = random.Random(seed)
    persons = []
    ids = [f"t{j:03d}" for j in range(m)]
    for pid in ids:
        peer = rng.random() < peers
        persons.append(Person(
            pid, "peer_mentor" if peer else "mentor", capacity=rng.randint(*capacity), department=rng.choice(DEPTS),
            interests=frozenset(rng.sample(TOPICS, rng.randint(0, 3))),
            languages=frozenset(rng.sample(LANGS, rng.randint(0, 2))), year=rng.randint(2, 6) if peer else None,
        ))
    for i in range(n):
        persons.append(Person(
            f"s{i:03d}", "mentee", department=rng.choice(DEPTS),
            interests=frozenset(rng.sample(TOPICS, rng.randint(0, 3))), needs=frozenset(rng.sample(TOPICS, rng.randint(0, 1))),
            languages=frozenset(rng.sample(LANGS, rng.randint(0, 2))), year=rng.choice([None, 1, 2, 3, 4]),
            preferences=tuple(rng.sample(ids, rng.randint(0, 2))),
        ))
    forbids = tuple((f"s{rng.randrange(n):03d}", rng.choice(ids)) for _ in range(5))
    return People(tuple(persons), forbids=forbids)


@pytest.mark.parametrize(
    "weights",
    [{}, {"same_department": 0}, {"need": 0, "shared_language": 0}, {"shared_interests": 0.5, "need": 3, "year_gap": 0}],
)
def test_bulk_scores_equal_the_explained_terms_for_every_pair(weights: dict[str, float]) -> None:
    # Every term on and off: the bulk features are scattered per kind (issue 15, speed), the terms per pair.
    people = programme(40, 25, 3)
    settings = MatchSettings(weights=Weights(**weights))
    mentees = [p for p in people.persons if p.role == "mentee"]
    mentors = [p for p in people.persons if p.role != "mentee"]
    peer = [p.role == "peer_mentor" for p in mentors]
    forbidden = frozenset(people.forbids)
    circle = Circle("mentor", mentees, mentors, [p.capacity for p in mentors], peer, forbidden, {}, {})
    dense = Compatibility(circle, settings).dense(slice(0, len(mentees)))
    for i, e in enumerate(mentees):
        for j, t in enumerate(mentors):
            allowed = (e.id, t.id) not in forbidden and not (
                peer[j] and (e.year is None or t.year is None or settings.year_gap_value(t.year - e.year) is None)
            )
            if allowed:
                assert dense[i, j] == total(explain(circle, e, t, peer[j], settings)[0])
            else:
                assert dense[i, j] == -np.inf


@pytest.mark.parametrize("seed", range(3))
def test_tight_market_with_unmatched_mentees_is_proven_and_equals_the_full_graph(seed: int) -> None:
    # Capacity far below demand: prices climb to the unmatched penalty, so the check of the
    # mentees with negative utility runs in float64 at the real (unclipped) prices.
    people = programme(90, 20, seed, capacity=(1, 2))
    full = match(people, MatchSettings())
    pruned = match(people, MatchSettings(full_graph_limit=0, candidates_per_mentee=1))
    assert pruned.unmatched and pruned.proven_optimal
    assert pruned.optimality[0].optimality.method.startswith("pruned")
    assert len(pruned.assignments) == len(full.assignments)
    assert objective(pruned, MatchSettings()) == objective(full, MatchSettings())


def test_repairs_that_resolve_only_part_of_the_circle_still_end_proven(monkeypatch: pytest.MonkeyPatch) -> None:
    people = programme(150, 40, 11, capacity=(2, 5))
    full = match(people, MatchSettings())
    calls: list[bool] = []
    real = assignment.repair

    def spy(*args: object, **kwargs: object) -> np.ndarray | None:
        out = real(*args, **kwargs)  # type: ignore[arg-type]
        calls.append(out is not None)
        return out

    monkeypatch.setattr(assignment, "REPAIR_FROM", 1.0)  # try a repair in every round
    monkeypatch.setattr(assignment, "repair", spy)
    pruned = match(people, MatchSettings(full_graph_limit=0, candidates_per_mentee=1))
    assert any(calls)
    assert pruned.proven_optimal
    assert objective(pruned, MatchSettings()) == objective(full, MatchSettings())


def test_a_repair_tries_the_fewest_mentees_first_then_more(monkeypatch: pytest.MonkeyPatch) -> None:
    # Issue 15, speed: one exchange step re-solves a few thousand mentees at 50,000 x 10,000
    # where three re-solved twenty thousand. When that smallest re-solve is not optimal on the
    # candidate graph (its duals find a negative cycle), a deeper one follows in the same round.
    people = programme(150, 40, 5, capacity=(2, 5))
    full = match(people, MatchSettings())
    log: list[tuple[str, object]] = []
    real_repair, real_duals = assignment.repair, assignment.duals

    def repair(*args: object, **kwargs: object) -> np.ndarray | None:
        out = real_repair(*args, **kwargs)  # type: ignore[arg-type]
        if out is not None:
            log.append(("repair", args[-1]))
        return out

    def duals(*args: object, **kwargs: object) -> object:
        out = real_duals(*args, **kwargs)  # type: ignore[arg-type]
        if kwargs.get("give_up"):
            log.append(("optimal", out is not None))
        return out

    monkeypatch.setattr(assignment, "REPAIR_FROM", 1.0)
    monkeypatch.setattr(assignment, "repair", repair)
    monkeypatch.setattr(assignment, "duals", duals)
    pruned = match(people, MatchSettings(full_graph_limit=0, candidates_per_mentee=1))
    assert assignment.REPAIR_DEPTHS == (1, 3)
    steps = [log[i:i + 4] for i in range(len(log) - 3)]
    assert [("repair", 1), ("optimal", False), ("repair", 3), ("optimal", True)] in steps
    assert all(log[i + 2] == ("repair", 3) for i in range(len(log) - 2) if log[i:i + 2] == [("repair", 1), ("optimal", False)])
    assert pruned.proven_optimal
    assert objective(pruned, MatchSettings()) == objective(full, MatchSettings())


def test_a_repair_that_leaves_a_negative_cycle_is_detected() -> None:
    # Two mentees, two mentors of capacity 1; the swapped assignment is worse, so prices
    # for it cannot exist: the bounded Bellman-Ford must give up rather than certify it.
    market = slot_solver.Market(np.array([1, 1]), np.zeros(2), 0.5)
    edges = (np.array([0, 0, 1, 1]), np.array([0, 1, 0, 1]), np.array([5.0, 0.0, 0.0, 5.0]))
    assert slot_solver.duals(2, edges, np.array([1, 0]), market, 1000.0, give_up=True) is None
    prices, utility = slot_solver.duals(2, edges, np.array([0, 1]), market, 1000.0) or (None, None)
    assert prices is not None and utility is not None
    assert (utility == 5.0 - prices).all()
