"""Issue 15, sync memory: the leaner edge store and slot graph give the same answers as before.

The references below are the previous implementations, kept here as the specification:
``merge`` was ``np.unique`` over concatenated int64 rows and columns; ``with_scores`` scored
every pair in one gather; ``lap`` built the slot graph from whole-array repeats, asked
Hopcroft-Karp first and added the "unmatched" columns with ``hstack``.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
import scipy.sparse as sp
from scipy.sparse.csgraph import maximum_bipartite_matching, min_weight_full_bipartite_matching

import lmsync.domain.pair_scan as pair_scan
import lmsync.domain.slot_solver as slot_solver
from lmsync.domain.auction import dense_table
from lmsync.domain.compatibility import MatchSettings
from lmsync.domain.matching import match

from .helpers import objective
from .test_blocks import TIES, _comp
from .test_pruned_certificate import programme


def _old_merge(m: int, *parts: pair_scan.Edges) -> pair_scan.Edges:
    rows = np.concatenate([p[0] for p in parts]).astype(np.int64)
    cols = np.concatenate([p[1] for p in parts]).astype(np.int64)
    values = np.concatenate([p[2] for p in parts]).astype(np.float64)
    _, first = np.unique(rows * m + cols, return_index=True)
    return rows[first], cols[first], values[first]


def _random_edges(rng: np.random.Generator, n: int, m: int, count: int) -> pair_scan.Edges:
    rows, cols = rng.integers(0, n, count), rng.integers(0, m, count)
    return rows, cols, rng.integers(-40, 40, count) / 8  # exact scores, with duplicate pairs


@pytest.mark.parametrize("seed", range(6))
def test_merge_equals_unique_over_all_edges_with_int32_indices(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n, m = int(rng.integers(1, 60)), int(rng.integers(1, 30))
    parts = [_random_edges(rng, n, m, int(rng.integers(0, 200))) for _ in range(int(rng.integers(1, 4)))]
    got, want = pair_scan.merge(m, *parts), _old_merge(m, *parts)
    assert all(np.array_equal(a, b) for a, b in zip(got, want, strict=True))  # the first score of a pair kept
    assert got[0].dtype == got[1].dtype == np.int32 and got[2].dtype == np.float64


def test_index_type_widens_past_int32() -> None:
    assert pair_scan.index_type(10, 2**31 - 2) is np.int32
    assert pair_scan.index_type(2**31, 5) is np.int64


@pytest.mark.parametrize("settings", [MatchSettings(), TIES], ids=["varied", "ties"])
def test_with_scores_in_chunks_equals_one_product(monkeypatch: pytest.MonkeyPatch, settings: MatchSettings) -> None:
    comp = _comp(programme(80, 30, 4), settings)
    scores = pair_scan.Scores(comp)
    rng = np.random.default_rng(5)
    rows, cols = rng.integers(0, comp.n, 700), rng.integers(0, comp.m, 700)
    whole = pair_scan.with_scores(scores, rows, cols)
    monkeypatch.setattr(pair_scan, "PAIR_CHUNK", 7)
    chunked = pair_scan.with_scores(scores, rows, cols)
    assert all(np.array_equal(a, b) for a, b in zip(whole, chunked, strict=True))
    dense = comp.left[whole[0]].astype(np.float64) @ comp.right.astype(np.float64)
    assert np.array_equal(whole[2] - scores.bonus_of(whole[0].astype(np.int64) * comp.m + whole[1]),
                          dense[np.arange(len(whole[0])), whole[1]])


def _old_lap(n: int, edges: pair_scan.Edges, market: slot_solver.Market, penalty: float,
             fixed: np.ndarray | None = None) -> np.ndarray:
    rows, cols, scores = edges
    m = len(market.capacity)
    taken = np.zeros(m, dtype=np.int64) if fixed is None else fixed
    slots = np.minimum(market.capacity - taken, np.bincount(cols, minlength=m))
    per_edge = slots[cols]
    use = per_edge > 0
    rows, cols, scores, per_edge = rows[use], cols[use], scores[use], per_edge[use]
    start = np.concatenate([[0], np.cumsum(slots)])
    n_slots, total = int(start[-1]), int(per_edge.sum())
    if total == 0:
        return np.full(n, -1, dtype=np.int64)
    before = np.cumsum(per_edge) - per_edge
    offset = float(scores.max()) + 1
    position = np.arange(total)
    weight = position * market.step + np.repeat(
        offset - scores + market.offset[cols] + market.step * (taken[cols] - before), per_edge)
    position = position + np.repeat(start[cols] - before, per_edge)
    indptr = np.concatenate([[0], np.cumsum(np.bincount(rows, weights=per_edge, minlength=n).astype(np.int64))])
    graph = sp.csr_matrix((weight, position, indptr), shape=(n, n_slots))
    if n <= n_slots and (maximum_bipartite_matching(graph, perm_type="column") >= 0).all():
        _, matched = min_weight_full_bipartite_matching(graph)
    else:
        dummy = sp.csr_matrix((np.full(n, offset + penalty), (np.arange(n), np.arange(n))), shape=(n, n))
        _, matched = min_weight_full_bipartite_matching(sp.hstack([graph, dummy], format="csr"))
    owner = np.repeat(np.arange(m), slots)
    return np.where(matched < n_slots, owner[np.minimum(matched, max(n_slots - 1, 0))], -1).astype(np.int64)


@pytest.mark.parametrize("seed", range(8))
def test_slot_graph_built_in_chunks_gives_the_same_assignment(monkeypatch: pytest.MonkeyPatch, seed: int) -> None:
    rng = np.random.default_rng(seed)
    n, m = int(rng.integers(5, 40)), int(rng.integers(2, 12))
    # Even seeds: room and edges for everyone (a full matching); odd seeds: too little room,
    # so the "unmatched" columns are used.
    room = 4 * n // m + 3 if seed % 2 == 0 else 3
    merged = pair_scan.merge(m, _random_edges(rng, n, m, int(rng.integers(3 * n, 4 * n))))
    market = slot_solver.Market(rng.integers(1, room, m), rng.integers(0, 3, m) * 0.25, float(rng.integers(0, 3)) * 0.5)
    fixed = rng.integers(0, 2, m) * (market.capacity > 0)
    monkeypatch.setattr(slot_solver, "EDGE_CHUNK", 3)
    for taken in (None, fixed):
        got = slot_solver.lap(n, merged, market, 1000.0, taken)
        old = _old_lap(n, merged, market, 1000.0, taken)
        if seed % 2 == 0:  # room for everyone: the same graph as before, the same answer
            assert np.array_equal(got, old)
        # over-subscribed: solved with the slots as rows, which may pick another of several optima
        assert (got >= 0).sum() == (old >= 0).sum()
        assert _value(got, merged, market, taken) == _value(old, merged, market, taken)


def _value(mentor_of: np.ndarray, edges: tuple[np.ndarray, ...], market: slot_solver.Market,
           taken: np.ndarray | None) -> float:
    """Score of the matched candidate edges minus the load cost of the slots they fill."""
    score = {(int(i), int(j)): float(v) for i, j, v in zip(*edges, strict=True)}
    held = np.zeros(len(market.capacity), dtype=np.int64) if taken is None else taken
    load = np.bincount(mentor_of[mentor_of >= 0], minlength=len(market.capacity))
    cost = sum(market.offset[j] * load[j] + market.step * sum(held[j] + k for k in range(load[j]))
               for j in range(len(load)))
    return sum(score[(i, int(j))] for i, j in enumerate(mentor_of) if j >= 0) - cost


def test_dense_table_of_sorted_edges_keeps_their_index_type() -> None:
    rows, cols, values = pair_scan.merge(5, (np.array([3, 0, 3, 1]), np.array([4, 2, 1, 0]), np.array([1.0, 2.0, 3.0, 4.0])))
    table_cols, table_values = dense_table(4, rows, cols, values)
    assert table_cols.dtype == np.int32
    assert table_cols.tolist() == [[2, 0], [0, 0], [0, 0], [1, 4]]
    assert table_values.tolist() == [[2.0, -np.inf], [4.0, -np.inf], [-np.inf, -np.inf], [3.0, 1.0]]
    unsorted = dense_table(4, np.array([3, 0, 3, 1]), np.array([4, 2, 1, 0]), np.array([1.0, 2.0, 3.0, 4.0]))
    assert unsorted[0].tolist() == [[2, 0], [0, 0], [0, 0], [4, 1]]  # by row, in the order given


@pytest.mark.parametrize("settings", [MatchSettings(), TIES], ids=["varied", "ties"])
def test_pruned_assignment_with_the_lean_store_is_proved_and_optimal(settings: MatchSettings) -> None:
    people = programme(150, 35, 11, capacity=(2, 5))
    full = match(people, settings)
    pruned = match(people, dataclasses.replace(settings, full_graph_limit=0))
    assert pruned.proven_optimal
    assert objective(pruned, settings) == objective(full, settings)


def test_give_back_is_harmless_where_there_is_no_glibc(monkeypatch: pytest.MonkeyPatch) -> None:
    import lmsync.domain.slot_solver as slot_solver

    monkeypatch.setattr(slot_solver, "_TRIM", False)
    slot_solver.give_back()  # nothing to call: no error
    calls: list[int] = []
    monkeypatch.setattr(slot_solver, "_TRIM", calls.append)
    slot_solver.give_back()
    assert calls == [0]


@pytest.mark.parametrize("fmt", ["text", "table", "csv", "json"])
def test_match_view_for_one_format_renders_as_the_whole_document(fmt: str) -> None:
    from lmsync.render.formats import render
    from lmsync.render.match import match_view

    people = programme(40, 12, 2, capacity=(1, 2))  # some mentees stay unmatched
    result = match(people, MatchSettings())
    labels = {p.id: f"Name {p.id} ({p.id})" for p in people.persons[::2]}
    assert result.unmatched and result.assignments
    assert render(match_view(result, labels, fmt), fmt, "lmsync match") == render(match_view(result, labels), fmt, "lmsync match")


def test_text_view_builds_no_json_fields() -> None:
    from lmsync.render.match import match_view
    from lmsync.render.views import Field

    result = match(programme(20, 8, 3), MatchSettings())
    assert not [b for b in match_view(result, None, "text").blocks if isinstance(b, Field)]
    assert {b.key for b in match_view(result, None, "json").blocks if isinstance(b, Field)} == set(result.to_dict())


def test_tokens_of_a_set_equal_tokens_of_its_values() -> None:
    from lmsync.domain.people import tokens

    values = frozenset({" Emergency-Medicine ", "emergency medicine", "AI", "", "  "})
    assert tokens(values) == tokens(list(values)) == frozenset({"emergency medicine", "ai"})
    assert tokens(values) is tokens(frozenset(values))  # one shared instance per distinct set


@pytest.mark.parametrize("seed", range(6))
def test_merge_of_row_sorted_parts_in_row_ranges_equals_the_whole_merge(monkeypatch: pytest.MonkeyPatch, seed: int) -> None:
    """Issue 15, memory: parts sorted by row (the engine's edges) are merged a few rows at a
    time; the answer, the first score of a pair listed twice included, is the whole merge's."""
    rng = np.random.default_rng(seed)
    n, m = int(rng.integers(20, 80)), int(rng.integers(1, 30))
    parts = []
    for _ in range(int(rng.integers(1, 4))):
        rows, cols, values = _random_edges(rng, n, m, int(rng.integers(50, 300)))
        order = np.argsort(rows, kind="stable")
        parts.append((rows[order].astype(np.int32), cols[order].astype(np.int32), values[order]))
    want = _old_merge(m, *parts)
    monkeypatch.setattr(pair_scan, "MERGE_ROWS", 3)
    got = pair_scan.merge(m, *parts)
    assert all(np.array_equal(a, b) for a, b in zip(got, want, strict=True))
    assert got[0].dtype == np.int32
