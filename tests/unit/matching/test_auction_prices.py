"""Auction price estimates only change speed: the engine still ends proven and optimal."""

from __future__ import annotations

import numpy as np
import pytest

import lmsync.domain.assignment as assignment
import lmsync.domain.auction as auction_module
from lmsync.domain.auction import estimate_prices
from lmsync.domain.compatibility import Circle, Compatibility, MatchSettings, Weights
from lmsync.domain.matching import match
from lmsync.domain.people import People

from .helpers import objective
from .test_pruned_certificate import programme


@pytest.mark.parametrize(("seed", "capacity", "n", "m"), [(0, (1, 4), 120, 40), (1, (2, 5), 150, 40), (2, (1, 2), 90, 20), (3, (1, 1), 60, 30)])
def test_estimated_prices_still_end_proven_and_equal_the_full_graph(
    monkeypatch: pytest.MonkeyPatch, seed: int, capacity: tuple[int, int], n: int, m: int
) -> None:
    people = programme(n, m, seed, capacity=capacity)
    full = match(people, MatchSettings())
    used = _spied(monkeypatch)
    monkeypatch.setattr(assignment, "AUCTION_CANDIDATES", 3)  # a poor estimate on purpose
    pruned = match(people, MatchSettings(full_graph_limit=0))
    assert used
    assert pruned.proven_optimal
    assert pruned.optimality[0].optimality.method.startswith("pruned")
    assert len(pruned.assignments) == len(full.assignments)
    assert objective(pruned, MatchSettings()) == objective(full, MatchSettings())


def test_adversarial_prices_are_harmless(monkeypatch: pytest.MonkeyPatch) -> None:
    # Whatever the estimator says (here: the opposite of popularity), the proof decides.
    people = programme(120, 30, 5, capacity=(1, 3))
    full = match(people, MatchSettings())

    real = assignment.estimate_prices

    def wrong(*args: object, **kwargs: object) -> tuple[np.ndarray, object]:
        _, auction = real(*args, **kwargs)  # type: ignore[arg-type]
        m = auction.total.shape[0]
        auction.total[:] = np.where(np.isfinite(auction.total), np.linspace(10.0, 0.0, m)[:, None], np.inf)
        return auction.prices(), auction

    monkeypatch.setattr(assignment, "ESTIMATE_FROM", 0)
    monkeypatch.setattr(assignment, "estimate_prices", wrong)
    pruned = match(people, MatchSettings(full_graph_limit=0))
    assert pruned.proven_optimal
    assert objective(pruned, MatchSettings()) == objective(full, MatchSettings())


def test_auction_prices_clear_a_small_market() -> None:
    # Two mentees both prefer mentor 0 (one slot): its price must rise to the runner-up
    # margin, so that exactly one of them would still take it.
    edges = (np.array([0, 0, 1, 1]), np.array([0, 1, 0, 1]), np.array([5.0, 1.0, 4.0, 3.0]))
    prices, auction = estimate_prices(2, edges, np.array([1, 1]), np.zeros(2), 0.5, -10.0, schedule=(0.01,))
    held = auction.where // auction.total.shape[1]
    assert held.tolist() == [0, 1]  # the optimal assignment on this graph (5 + 3 > 4 + 1)
    assert 1.0 - 0.02 <= prices[0] - prices[1] <= 4.0 + 0.02  # both mentees happy within eps


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_auction_resorting_only_the_mentors_bid_on_keeps_every_mentors_cheapest_prices(monkeypatch: pytest.MonkeyPatch, seed: int) -> None:
    """Issue 15, speed: after a round only the mentors whose slots took bids are sorted by price
    again; every round still bids against each mentor's two cheapest slot prices."""
    rng = np.random.default_rng(seed)
    n, m = 400, 60
    rows = np.repeat(np.arange(n), 8)
    cols = np.concatenate([rng.choice(m, 8, replace=False) for _ in range(n)])
    scores = rng.integers(0, 12, len(rows)) * 0.5  # ties: price wars
    order = np.lexsort((cols, rows))
    edges = (rows[order], cols[order], scores[order])
    capacity = rng.integers(1, 9, m)

    sorted_rows: list[int] = []
    real_sort, real_offers = auction_module._by_price, auction_module.Auction._offers

    def sort_spy(total: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        sorted_rows.append(len(total))
        return real_sort(total)

    def offers_spy(self: auction_module.Auction, bidders: np.ndarray, first: np.ndarray,
                   second: np.ndarray) -> tuple[np.ndarray, ...]:
        fresh = np.sort(self.total, axis=1)  # every mentor's prices sorted afresh
        assert np.array_equal(first, fresh[:, 0]) and np.array_equal(second, fresh[:, 1])
        return real_offers(self, bidders, first, second)  # type: ignore[no-any-return]

    monkeypatch.setattr(auction_module, "_by_price", sort_spy)
    monkeypatch.setattr(auction_module.Auction, "_offers", offers_spy)
    prices, auction = estimate_prices(n, edges, capacity, np.zeros(m), 0.5, -20.0, schedule=(0.25,))
    assert len(sorted_rows) > 10 and min(sorted_rows) < m  # later rounds sorted only some mentors
    assert (auction.where >= 0).sum() == min(n, int(capacity.sum())) and np.isfinite(prices).all()


def _spied(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    used: list[bool] = []
    real = assignment.estimate_prices

    def spy(*args: object, **kwargs: object) -> object:
        used.append(True)
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(assignment, "ESTIMATE_FROM", 0)
    monkeypatch.setattr(assignment, "estimate_prices", spy)
    return used


def test_tie_heavy_circle_skips_the_auction_and_still_ends_proven_and_optimal(monkeypatch: pytest.MonkeyPatch) -> None:
    # Issue 15, matching with ties: department and a shared language only (two yes/no terms,
    # the benchmark's "ties2"). The estimate's near-best set is wide there, so the engine starts
    # from each mentee's best by score; the proof and the optimum are unchanged.
    two_terms = Weights(same_department=3, shared_interests=0, shared_language=1, year_gap=0, preference=0, need=0)
    people = programme(150, 40, 6, capacity=(2, 5))
    full = match(people, MatchSettings(weights=two_terms))
    used = _spied(monkeypatch)
    pruned = match(people, MatchSettings(weights=two_terms, full_graph_limit=0))
    assert not used
    assert pruned.proven_optimal
    assert objective(pruned, MatchSettings(weights=two_terms)) == objective(full, MatchSettings(weights=two_terms))


def _circle(people: People) -> Circle:
    mentees = [p for p in people.persons if p.role == "mentee"]
    mentors = [p for p in people.persons if p.role != "mentee"]
    return Circle("mentor", mentees, mentors, [p.capacity or 1 for p in mentors],
                  [p.role == "peer_mentor" for p in mentors], frozenset(), {}, {})


def test_tie_heavy_is_two_yes_no_terms_not_the_default_weights() -> None:
    circle = _circle(programme(150, 40, 6, capacity=(2, 5)))
    two_terms = Weights(same_department=3, shared_interests=0, shared_language=1, year_gap=0, preference=0, need=0)
    assert assignment.tie_heavy(Compatibility(circle, MatchSettings(weights=two_terms)))
    assert not assignment.tie_heavy(Compatibility(circle, MatchSettings()))
