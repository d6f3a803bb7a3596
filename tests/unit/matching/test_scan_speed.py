"""Issue 15, speed: the pair scans' shortcuts change no result.

- Blocks go through two threads (``pair_scan.parallel``, BLAS held to one thread meanwhile);
  the results are merged in block order, so the threaded scans equal the same scans one
  block after the other.
- A block's reduced scores (the features' product, then the price subtracted, in float32 or
  in the float64 path) are the plain float64 product of every feature and the price, with
  the same feasibility.
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
    left = np.hstack([scores.comp.left.astype(np.float64), np.ones((scores.n, 1))])
    right = np.vstack([scores.right.astype(np.float64), -priced.clipped[None, :]])
    dense = left @ right
    dense[dense < scores.comp.infeasible_below] = -np.inf
    dense[scores.blocked[:, 0], scores.blocked[:, 1]] = -np.inf
    return dense


@pytest.mark.parametrize("kind", list(KINDS))
@pytest.mark.parametrize("ceiling", [9.0, 1e9], ids=["float32", "float64"])
def test_reduced_scores_are_the_plain_product(kind: str, ceiling: float) -> None:
    comp = _comp(programme(120, 400, 4), KINDS[kind])
    scores = pair_scan.Scores(comp)
    prices = np.random.default_rng(5).integers(0, 60, scores.m) * 0.25
    priced = scores.priced(prices, ceiling)
    assert priced.right.dtype == (np.float32 if ceiling < 100 else np.float64)
    want = _plain(scores, priced)
    got = np.vstack([scores.reduced(b, priced) for b in scores.blocks()]).astype(np.float64)
    feasible = got >= priced.infeasible_below
    assert feasible.any() and not feasible.all()  # both kinds of pair are under test
    assert np.array_equal(feasible, want > -np.inf)
    assert np.array_equal(got[feasible], want[feasible])


def test_scan_threads_run_blas_on_one_thread(monkeypatch: pytest.MonkeyPatch) -> None:
    from threadpoolctl import threadpool_info

    seen: list[int] = []

    def block(_: slice) -> None:
        seen.append(max(pool["num_threads"] for pool in threadpool_info() if pool["user_api"] == "blas"))

    pair_scan.parallel(block, [slice(0, 1), slice(1, 2), slice(2, 3)])
    assert seen == [1, 1, 1]
