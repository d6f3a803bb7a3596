"""Issue 15, speed: the pair scans' two shortcuts change no result.

- Blocks go through two threads (``pair_scan.parallel``); the results are merged in block
  order, so the threaded scans equal the same scans one block after the other.
- The shared part of the reduced scores (features most mentees have, multiplied once per
  distinct mentor column, then gathered) gives the same sums as the plain product of every
  feature and the price, in float32 and in the float64 path, and the same feasibility.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

import lmsync.domain.pair_scan as pair_scan
from lmsync.domain.compatibility import MatchSettings, Weights

from .test_blocks import _comp
from .test_pruned_certificate import programme

KINDS = {
    "varied": MatchSettings(),
    "ties": MatchSettings(weights=Weights(same_department=3, shared_interests=0, shared_language=0, year_gap=0,
                                          preference=0, need=0)),
    "ties2": MatchSettings(weights=Weights(same_department=3, shared_interests=0, shared_language=1, year_gap=0,
                                           preference=0, need=0)),
}


def _serial(fn: Callable[[slice], object], blocks: list[slice]) -> list[object]:
    return [fn(b) for b in blocks]


def _all_scans(comp: object, seed: int) -> list[np.ndarray]:
    scores = pair_scan.Scores(comp)  # type: ignore[arg-type]
    rng = np.random.default_rng(seed)
    prices = rng.integers(0, 8, scores.m) * 0.25
    utility = rng.integers(-2, 8, scores.n) * 0.5
    utility[::13] = -1000.0  # unmatched mentees: checked in float64
    rows = rng.random(scores.n) < 0.2
    cols = rng.random(scores.m) < 0.2
    first = pair_scan.scan_rows(scores, np.zeros(scores.m), margin=0.0, fewest=6, most=6)
    near = pair_scan.scan_rows(scores, prices, margin=1.0, fewest=3, most=10)
    best, found = pair_scan.scan(scores, prices, utility, everyone=bool(seed % 2))
    return [*first, *near, best, *found, pair_scan.recheck(scores, prices, utility, rows, cols)]


@pytest.mark.parametrize("kind", list(KINDS))
@pytest.mark.parametrize("seed", [1, 2])
def test_threaded_scans_equal_serial_scans(monkeypatch: pytest.MonkeyPatch, kind: str, seed: int) -> None:
    comp = _comp(programme(150, 60, seed), KINDS[kind])
    monkeypatch.setattr(pair_scan, "BLOCK_ROWS", 1)
    monkeypatch.setattr(pair_scan, "BLOCK_CELLS", 11 * comp.m)  # 14 blocks, the last one short
    assert len(pair_scan.Scores(comp).blocks()) == 14
    threaded = _all_scans(comp, seed)
    monkeypatch.setattr(pair_scan, "parallel", _serial)
    serial = _all_scans(comp, seed)
    assert sum(len(a) for a in threaded[:6]) > 0
    assert all(a.dtype == b.dtype and np.array_equal(a, b) for a, b in zip(threaded, serial, strict=True))


def _plain(scores: pair_scan.Scores, priced: pair_scan.Priced) -> np.ndarray:
    """Every feature and the price in one float64 product (``-inf`` where infeasible or blocked)."""
    right = np.vstack([scores.right.astype(np.float64), -priced.clipped[None, :]])
    dense = scores.left.astype(np.float64) @ right
    dense[dense < scores.comp.infeasible_below] = -np.inf
    dense[scores.blocked[:, 0], scores.blocked[:, 1]] = -np.inf
    return dense


@pytest.mark.parametrize("kind", list(KINDS))
@pytest.mark.parametrize("ceiling", [9.0, 1e9], ids=["float32", "float64"])
def test_shared_part_gives_the_plain_product(kind: str, ceiling: float) -> None:
    comp = _comp(programme(120, 400, 4), KINDS[kind])
    scores = pair_scan.Scores(comp)
    assert len(scores.shared) > 0  # the gather path is the one under test
    assert len(np.unique(scores.pattern)) == scores.shared_right.shape[1] <= scores.m // 8
    prices = np.random.default_rng(5).integers(0, 60, scores.m) * 0.25
    priced = scores.priced(prices, ceiling)
    assert priced.right.dtype == (np.float32 if ceiling < 100 else np.float64)
    want = _plain(scores, priced)
    got = np.vstack([scores.reduced(b, priced) for b in scores.blocks()]).astype(np.float64)
    feasible = got >= priced.infeasible_below
    assert np.array_equal(feasible, want > -np.inf)
    assert np.array_equal(got[feasible], want[feasible])


def test_nothing_shared_when_mentors_all_differ() -> None:
    comp = _comp(programme(40, 12, 6), MatchSettings())  # 12 mentors: at most one pattern allowed
    scores = pair_scan.Scores(comp)
    assert len(scores.shared) == 0 and scores.shared_right.shape[0] == 0
    priced = scores.priced(np.zeros(scores.m), 0.0)
    got = scores.reduced(slice(0, scores.n), priced).astype(np.float64)
    want = _plain(scores, priced)
    assert np.array_equal(got >= priced.infeasible_below, want > -np.inf)
    assert np.array_equal(got[want > -np.inf], want[want > -np.inf])
