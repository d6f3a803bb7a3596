"""Issue 15, sync memory (fourth pass): what ``lap`` no longer holds beside the slot graph.

At a 50,000-user sync the slot graph (8.5 million entries, ~98 MB) is the peak. Beside it:
- scipy's ``data[np.isposinf(data)] = 0`` made three boolean arrays of the graph's size
  (24 MB); the weights handed over are ``_Finite``, for which that is ``data[False]``;
- ``_slot_graph`` held three int64 arrays per candidate edge while it filled the graph
  (~17 MB); it now works per chunk of edges;
- what building the graph freed was still resident during the solve (``lap`` hands it
  back first).
"""

from __future__ import annotations

import tracemalloc
from typing import Any

import numpy as np
import pytest
import scipy.sparse as sp
from scipy.sparse.csgraph import min_weight_full_bipartite_matching

import lmsync.domain.slot_solver as slot_solver


def _graph(rows: int, cols: int, per_row: int, seed: int = 3) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A random CSR graph with positive weights in multiples of 1/8 (ties), a full matching ensured."""
    rng = np.random.default_rng(seed)
    indices = np.concatenate([np.sort(rng.choice(cols, per_row, replace=False)) for _ in range(rows)])
    for i in range(rows):  # the diagonal: a full matching exists
        row = indices[i * per_row:(i + 1) * per_row]
        if i not in row:
            row[0] = i
            row.sort()
    data = rng.integers(1, 64, rows * per_row) / 8.0
    indptr = np.arange(0, rows * per_row + 1, per_row)
    return data, indices.astype(np.int32), indptr.astype(np.int32)


def test_scipy_makes_no_infinity_mask_of_the_handed_graph() -> None:
    data, indices, indptr = _graph(400, 800, 500)
    plain = sp.csr_matrix((data.copy(), indices.copy(), indptr.copy()), shape=(400, 800))
    handed = slot_solver._Handed((data, indices, indptr), shape=(400, 800), copy=False)
    tracemalloc.start()
    try:
        _, got = min_weight_full_bipartite_matching(handed)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < len(data) // 2  # isposinf's three masks were 3 bytes per entry
    assert np.array_equal(got, min_weight_full_bipartite_matching(plain)[1])
    assert np.shares_memory(handed.data, data)  # still no copy of the weights


def test_finite_weights_answer_isposinf_without_a_mask_and_stay_numpy_otherwise() -> None:
    weights = np.array([1.0, 2.5, 3.0]).view(slot_solver._Finite)
    assert np.isposinf(weights) is np.False_
    weights[np.isposinf(weights)] = 0  # what scipy does: nothing changes
    assert weights.tolist() == [1.0, 2.5, 3.0]
    assert bool(np.all(weights)) and float(np.sum(weights)) == 6.5
    assert np.isposinf(weights, out=np.zeros(3, dtype=bool)).tolist() == [False] * 3  # other forms: numpy's own


def test_slot_graph_holds_nothing_per_edge_beside_the_graph(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(slot_solver, "EDGE_CHUNK", 1024)
    n, m, per = 20_000, 50, 10
    rows = np.repeat(np.arange(n), per).astype(np.int32)
    cols = (np.arange(n * per) % m).astype(np.int32)
    scores = (np.arange(n * per) % 16) / 8.0
    slots = np.ones(m, dtype=np.int64)  # one slot per edge: the graph is as long as the edges
    market = slot_solver.Market(np.full(m, 1, dtype=np.int64), np.zeros(m), 0.5)
    start = np.concatenate([[0], np.cumsum(slots)])
    tracemalloc.start()
    try:
        graph = slot_solver._slot_graph(n, (rows, cols, scores), slots, start, np.zeros(m, dtype=np.int64), 3.0,
                                        market, None)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    held = graph.data.nbytes + graph.indices.nbytes + graph.indptr.nbytes
    assert peak - held < 8 * len(rows) // 2  # per-edge int64 arrays were 3 x 8 bytes per edge
    assert graph.indptr.tolist()[:3] == [0, per, 2 * per] and graph.nnz == len(rows)


def test_lap_hands_back_freed_memory_before_each_solve(monkeypatch: pytest.MonkeyPatch) -> None:
    events: list[str] = []
    monkeypatch.setattr(slot_solver, "_TRIM", lambda pad: events.append("trim"))
    real = slot_solver.min_weight_full_bipartite_matching

    def solving(graph: Any) -> Any:
        events.append("solve")
        return real(graph)

    monkeypatch.setattr(slot_solver, "min_weight_full_bipartite_matching", solving)
    edges = (np.array([0, 0, 1]), np.array([0, 1, 0]), np.array([2.0, 1.0, 3.0]))
    market = slot_solver.Market(np.array([1, 1]), np.zeros(2), 0.5)
    assert slot_solver.lap(2, edges, market, 100.0).tolist() == [1, 0]
    assert events == ["trim", "solve"]
