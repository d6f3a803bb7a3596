"""Issue 15, speed: after a repair the certificate is re-checked only where it can have broken.

A full pass proved ``s - q <= u`` on every pair of the rows it did not flag. With new prices
``q'`` and utilities ``u'``, a pair can only break where ``q'`` fell (its column) or ``u'``
fell (its row), or in a flagged row. ``pair_scan.recheck`` checks exactly those; these tests
compare it with the full pass on random instances, and the engine using it with the full graph.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

import lmsync.domain.assignment as assignment
import lmsync.domain.pair_scan as pair_scan
from lmsync.domain.compatibility import MatchSettings, Weights
from lmsync.domain.matching import match

from .helpers import objective
from .test_blocks import _comp
from .test_pruned_certificate import programme

TIES = MatchSettings(weights=Weights(same_department=3, shared_interests=0, shared_language=1, year_gap=0, preference=0, need=0))


def _full_violators(scores: pair_scan.Scores, prices: np.ndarray, utility: np.ndarray) -> np.ndarray:
    best, _ = pair_scan.scan(scores, prices, utility)
    violators: np.ndarray = best > utility + pair_scan.TOLERANCE
    return violators


@pytest.mark.parametrize("settings", [MatchSettings(), TIES], ids=["varied", "ties"])
@pytest.mark.parametrize("seed", range(6))
def test_recheck_after_moved_prices_agrees_with_the_full_check(settings: MatchSettings, seed: int) -> None:
    comp = _comp(programme(80, 30, seed), settings)
    scores = pair_scan.Scores(comp)
    rng = np.random.default_rng(seed)
    prices = rng.integers(0, 12, comp.m) / 4
    # A certificate the full pass proves on every row but a few flagged ones.
    best, _ = pair_scan.scan(scores, prices, np.zeros(comp.n))
    utility = np.where(np.isfinite(best), best, 0.0)
    utility[::13] = -1000.0  # unmatched mentees (negative utility)
    utility[rng.choice(comp.n, 3, replace=False)] -= 1  # these rows the pass flags
    flagged = _full_violators(scores, prices, utility)
    assert flagged.any()
    # The next round's certificate: some prices and utilities fall, some rise.
    moved = rng.choice([-0.5, 0.0, 0.0, 0.25], comp.m) * (rng.random(comp.m) < 0.3 * (seed % 3))
    new_prices = np.maximum(prices + moved, 0.0)  # prices are never negative (slot_solver.duals)
    new_utility = utility + rng.choice([-0.25, 0.0, 0.0, 0.5], comp.n) * (rng.random(comp.n) < 0.2 * (seed % 3))
    if seed % 2:
        new_utility[flagged] += 1  # the repair satisfied the flagged rows
    rows = flagged | (new_utility < utility)
    cols = new_prices < prices
    found = pair_scan.recheck(scores, new_prices, new_utility, rows, cols)
    truth = _full_violators(scores, new_prices, new_utility)
    assert found.any() == truth.any()
    assert not (found & ~truth).any()  # whatever it reports is a real violation


def test_recheck_finds_a_violation_in_a_column_whose_price_fell() -> None:
    comp = _comp(programme(60, 25, 4), MatchSettings())
    scores = pair_scan.Scores(comp)
    prices = np.full(comp.m, 3.0)
    best, _ = pair_scan.scan(scores, prices, np.zeros(comp.n))
    utility = np.where(np.isfinite(best), best, 0.0)
    assert not _full_violators(scores, prices, utility).any()
    i = int(np.flatnonzero(np.isfinite(best))[0])
    dense = comp.dense(slice(i, i + 1))[0]
    j = int(np.flatnonzero(np.isfinite(dense))[0])
    fallen = prices.copy()
    fallen[j] = dense[j] - utility[i] - 1  # now (i, j) beats i's utility by 1
    nothing = np.zeros(comp.n, dtype=bool)
    assert pair_scan.recheck(scores, fallen, utility, nothing, fallen < prices)[i]
    assert not pair_scan.recheck(scores, fallen, utility, nothing, np.zeros(comp.m, dtype=bool)).any()  # nothing asked


@pytest.mark.parametrize("seed", range(4))
def test_engine_with_the_incremental_proof_equals_the_full_graph(monkeypatch: pytest.MonkeyPatch, seed: int) -> None:
    people = programme(150, 40, seed, capacity=(2, 5))
    full = match(people, MatchSettings())
    proofs: list[bool] = []
    real = assignment._proved_again

    def spy(*args: object) -> bool:
        out = real(*args)  # type: ignore[arg-type]
        proofs.append(out)
        return out

    monkeypatch.setattr(assignment, "REPAIR_FROM", 1.0)  # a repair (and so a second certificate) in every round
    monkeypatch.setattr(assignment, "RECHECK_UP_TO", 1.0)  # the incremental proof whatever its size
    monkeypatch.setattr(assignment, "_proved_again", spy)
    pruned = match(people, dataclasses.replace(MatchSettings(), full_graph_limit=0, candidates_per_mentee=1))
    assert proofs  # the incremental path ran
    assert pruned.proven_optimal
    assert objective(pruned, MatchSettings()) == objective(full, MatchSettings())
    assert ("last round" in pruned.optimality[0].optimality.method) == proofs[-1]
