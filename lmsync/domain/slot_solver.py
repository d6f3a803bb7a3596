"""The exact step of the assignment engine: LAPJVsp over capacity slots, and its prices.

Part of ``lmsync.domain.assignment`` (the method and the proof are described there).
``lap`` solves a pruned candidate graph exactly with scipy's
``min_weight_full_bipartite_matching``; ``duals`` turns its answer into mentor prices and
mentee utilities (shortest paths in the difference-constraint graph of the matching,
which exist exactly when the matching is optimal on that graph); ``repair`` re-solves only
the mentees a few new candidate edges can move; ``objective`` and ``load_bound`` are the
two sides of the duality gap reported when the round limit is reached.
"""

from __future__ import annotations

import ctypes
from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import min_weight_full_bipartite_matching

from lmsync.domain.pair_scan import NEAR, TOLERANCE, Edges

REPAIR_UP_TO = 0.6  # re-solve only the violators (with whom they may displace) when at most this share of all
EDGE_CHUNK = 4096  # candidate edges turned into slot edges at once (bounds the temporaries: at
# 65,536 they were ~30 MB next to the ~100 MB graph at 50,000 x 5,000, at 16,384 ~8 MB; issue 15)
REPAIR_DEPTHS = (1, 3)  # exchange steps followed from the violators when choosing whom to re-solve: the
# fewest first, then more when that re-solve is not optimal on the candidate graph (``assignment.solve``)


@dataclass(frozen=True)
class Market:
    """Mentors' room: ``capacity[j]`` slots, the ``k``-th costing ``offset[j] + step * k``."""

    capacity: np.ndarray
    offset: np.ndarray
    step: float

    def load_cost(self, load: np.ndarray) -> np.ndarray:
        cost: np.ndarray = self.offset * load + self.step * load * (load - 1) / 2
        return cost


def lap(n: int, edges: Edges, market: Market, penalty: float, fixed: np.ndarray | None = None) -> np.ndarray:
    """Optimal assignment of ``n`` mentees over ``edges`` (rows 0..n-1) into the market's
    slots, of which ``fixed[j]`` are already taken: scipy's LAPJVsp on the slot graph.

    Its rows are the mentees (n x n_slots, ``_slot_graph``) while there are at least as many
    slots as mentees, else the slots (n_slots x n, ``_slot_rows``): LAPJVsp takes about
    rows x columns, and with more mentees than slots the mentee rows would also need an
    "unmatched" column each."""
    rows, cols, scores = edges
    m = len(market.capacity)
    taken = np.zeros(m, dtype=np.int64) if fixed is None else fixed
    if len(rows) == 0:
        return np.full(n, -1, dtype=np.int64)
    free = market.capacity - taken
    slots = np.minimum(free, np.bincount(cols, minlength=m))  # more slots than edges are never used
    use = slots[cols] > 0
    if not use.all():  # else no copies of the edges beside the slot graph (issue 15, memory)
        rows, cols, scores = rows[use], cols[use], scores[use]
    del use
    edges_used = (rows, cols, scores)
    start = np.concatenate([[0], np.cumsum(slots)])
    n_slots = int(start[-1])
    if len(rows) == 0:
        return np.full(n, -1, dtype=np.int64)
    offset = float(scores.max()) + 1 if len(scores) else 1.0  # keeps every weight > 0
    owner = np.repeat(np.arange(m), slots)
    if n > n_slots:
        # More mentees than slots: the rows are the slots. At 50,000 x 5,000 (27,301 places)
        # that is 27,301 x 50,000 instead of 50,000 x 77,301: 2.7 s instead of 14 s (issue 15).
        return _lap_by_slot(n, edges_used, slots, owner, taken, offset, market, penalty)
    matched = None
    # Everyone can be matched: no "unmatched" columns needed, which LAPJVsp solves faster.
    # scipy raises ValueError when no full matching exists (its own Hopcroft-Karp check).
    try:
        _, matched = _solve(_slot_graph(n, edges_used, slots, start, taken, offset, market, None))
    except ValueError:
        matched = None
    if matched is None:
        _, matched = _solve(_slot_graph(n, edges_used, slots, start, taken, offset, market, offset + penalty))
    return np.where(matched < n_slots, owner[np.minimum(matched, max(n_slots - 1, 0))], -1).astype(np.int64)


def _lap_by_slot(
    n: int, edges: Edges, slots: np.ndarray, owner: np.ndarray, taken: np.ndarray, offset: float, market: Market,
    penalty: float,
) -> np.ndarray:
    """``lap`` with fewer slots than mentees, on the transposed slot graph (``_slot_rows``).

    First n_slots x n, every slot filled (scipy raises ValueError when no such matching
    exists); else n_slots x (n + n_slots), where each slot may also stay empty at ``offset +
    penalty``. A matching M costs w(M) + (n - |M|) * (offset + penalty) with the mentees as
    rows and w(M) + (n_slots - |M|) * (offset + penalty) here: a constant apart, so the
    optima are the same matchings. As the penalty outweighs any score and load cost, an
    optimum fills as many slots as can be, all of them when the first graph has a matching.
    """
    matched = None
    try:
        _, matched = _solve(_slot_rows(n, edges, slots, owner, taken, offset, market, None))
    except ValueError:
        matched = None
    if matched is None:
        _, matched = _solve(_slot_rows(n, edges, slots, owner, taken, offset, market, offset + penalty))
    filled = matched < n  # columns n.. leave their slot empty
    assigned = np.full(n, -1, dtype=np.int64)
    assigned[matched[filled]] = owner[filled]
    return assigned


def give_back() -> None:
    """Hand freed memory back to the operating system between the solver's phases (glibc's
    ``malloc_trim``; nothing elsewhere). Here, not in ``lmsync.domain.assignment``, because
    ``lap`` also hands back before each solve. Each phase frees arrays of tens of MB that glibc
    otherwise keeps for reuse, so a 50,000-user sync's resident memory grew phase by phase
    (issue 15, memory: about 100 MB less at the peak, no measurable time)."""
    global _TRIM
    if _TRIM is None:
        try:
            _TRIM = ctypes.CDLL("libc.so.6").malloc_trim
        except (OSError, AttributeError):
            _TRIM = False
    if _TRIM:
        _TRIM(0)


_TRIM: Any = None  # glibc's malloc_trim once looked up; False where there is none


def _solve(graph: _Handed) -> tuple[np.ndarray, np.ndarray]:
    """scipy's LAPJVsp on ``graph``, after handing back what building it freed (``give_back``:
    its chunks' temporaries, about 15 MB at a 50,000-user sync, else resident at the peak)."""
    give_back()
    return min_weight_full_bipartite_matching(graph)  # type: ignore[no-any-return]


class _Finite(np.ndarray):
    """A slot graph's weights as scipy sees them: finite by construction (``_slot_graph``), so
    ``np.isposinf`` of them is False without looking. ``min_weight_full_bipartite_matching``
    begins with ``data[np.isposinf(data)] = 0``: three boolean temporaries of the graph's size
    (24 MB at a 50,000-user sync, at its peak; issue 15, memory); ``data[False] = 0`` sets
    nothing. Everything else is numpy's own."""

    def __array_function__(self, func: Any, types: Any, args: Any, kwargs: Any) -> Any:
        if func is np.isposinf and len(args) == 1 and not kwargs:
            return np.False_
        return super().__array_function__(func, types, args, kwargs)


class _Handed(sp.csr_matrix):  # type: ignore[misc]  # scipy has no type hints
    """A slot graph handed over to ``min_weight_full_bipartite_matching``, which starts with
    ``astype(float64)``: a whole copy of a graph that is float64 already (about 100 MB at a
    50,000-user sync; issue 15, memory). Here that returns the graph itself, its weights seen
    as ``_Finite``. scipy then only zeroes +inf weights (none, see ``_Finite``) and drops zeros
    in place, and the graph has neither."""

    def astype(self, dtype: object, casting: str = "unsafe", copy: bool = True) -> sp.csr_matrix:
        same = super().astype(dtype, casting=casting, copy=False)
        if same is self and self.data.dtype == np.float64:
            self.data = self.data.view(_Finite)
        return same


def _slot_graph(
    n: int, edges: Edges, slots: np.ndarray, start: np.ndarray, taken: np.ndarray, offset: float, market: Market,
    unmatched: float | None,
) -> _Handed:
    """The slot graph of ``lap``, built in place ``EDGE_CHUNK`` candidate edges at a time
    (issue 15, memory: it was the peak of a 50,000-user sync, and building it at once held
    three more arrays of its size, ``hstack`` a whole second copy). Its per-edge arrays are
    made here and let go with it, not held by ``lap`` during the solve (issue 15, memory).

    Candidate edge e (sorted by row) to mentor j becomes ``slots[j]`` slot edges, the
    k-th to column ``start[j] + k`` with weight ``offset - s + offset_j + step * (taken_j +
    k)``: every term is a multiple of 1/1024 far below 2**40, so the sums are exact in any
    order. With ``unmatched`` (a weight), each row i also ends with column ``n_slots + i``
    at that weight: leaving the mentee unmatched.
    """
    rows, cols, scores = edges
    n_slots = int(start[-1])
    per_row = np.zeros(n)  # slot edges per row, by chunks too: two arrays per edge were ~11 MB at the peak
    for at in range(0, len(rows), EDGE_CHUNK):
        per_row += np.bincount(rows[at:at + EDGE_CHUNK], weights=slots[cols[at:at + EDGE_CHUNK]], minlength=n)
    indptr = np.concatenate([[0], np.cumsum(per_row.astype(np.int64))])
    total = int(indptr[-1])
    extra = 0 if unmatched is None else n
    itype = np.int32 if total + extra < np.iinfo(np.int32).max and n_slots + extra < np.iinfo(np.int32).max else np.int64
    weight = np.empty(total + extra)
    position = np.empty(total + extra, dtype=itype)
    ptr = indptr if unmatched is None else indptr + np.arange(n + 1)
    if unmatched is not None:
        weight[ptr[1:] - 1] = unmatched
        position[ptr[1:] - 1] = n_slots + np.arange(n)
    done = 0  # slot edges of the earlier chunks; per chunk, not per edge beside the graph (issue 15, memory)
    for at in range(0, len(rows), EDGE_CHUNK):
        part = slice(at, at + EDGE_CHUNK)
        count = slots[cols[part]]
        first = np.cumsum(count) - count  # each edge's first slot edge within the chunk
        k = np.arange(int(count.sum())) - np.repeat(first, count)
        before = first + done  # ... counted over all rows
        done += len(k)
        if unmatched is not None:
            before += rows[part]  # each earlier row holds one more entry
        target = np.repeat(before, count) + k
        c = cols[part]
        weight[target] = np.repeat(offset - scores[part] + market.offset[c] + market.step * taken[c], count) + market.step * k
        position[target] = np.repeat(start[c], count) + k
    return _Handed((weight, position, ptr.astype(itype)), shape=(n, n_slots + extra), copy=False)


def _slot_rows(
    n: int, edges: Edges, slots: np.ndarray, owner: np.ndarray, taken: np.ndarray, offset: float, market: Market,
    unmatched: float | None,
) -> _Handed:
    """The slot graph of ``lap`` transposed, n_slots x n (rows the slots, columns the
    mentees; n + n_slots columns with ``unmatched``), built directly from the candidate
    edges taken in mentor order, ``EDGE_CHUNK`` at a time: transposing the n x n_slots
    graph would copy all of it (issue 15, memory).

    Mentor j's ``slots[j]`` slots are consecutive rows (``owner`` gives each row's mentor),
    each holding all of the mentor's edges: the k-th holds mentee i at ``_slot_graph``'s
    weight of that slot edge, so the sums stay exact. With ``unmatched`` (a weight), row s
    also ends with column ``n + s`` at that weight: leaving the slot empty.
    """
    rows, cols, scores = edges
    n_slots = len(owner)
    degree = np.bincount(cols, minlength=len(slots))
    total = int((slots * degree).sum())
    extra = 0 if unmatched is None else n_slots
    itype = np.int32 if total + extra < np.iinfo(np.int32).max and n + extra < np.iinfo(np.int32).max else np.int64
    width = degree + (0 if unmatched is None else 1)  # entries per row of each mentor
    block = np.cumsum(slots * width) - slots * width  # where each mentor's rows begin
    level = np.arange(n_slots) - np.repeat(np.cumsum(slots) - slots, slots)  # k: the slot's place among its mentor's
    ptr = np.empty(n_slots + 1, dtype=itype)
    ptr[:-1] = block[owner] + level * width[owner]
    ptr[-1] = total + extra
    weight = np.empty(total + extra)
    position = np.empty(total + extra, dtype=itype)
    if unmatched is not None:
        weight[ptr[1:] - 1] = unmatched
        position[ptr[1:] - 1] = n + np.arange(n_slots)
    order = np.argsort(cols, kind="stable")  # by mentor, then as given (by mentee)
    first = np.cumsum(degree) - degree  # the mentor's first edge in that order
    for at in range(0, len(order), EDGE_CHUNK):
        e = order[at:at + EDGE_CHUNK]
        c = cols[e]
        count = slots[c]
        k = np.arange(int(count.sum())) - np.repeat(np.cumsum(count) - count, count)
        rank = np.arange(at, at + len(e)) - first[c]  # the edge's place in each of the mentor's rows
        target = np.repeat(block[c] + rank, count) + k * np.repeat(width[c], count)
        weight[target] = np.repeat(offset - scores[e] + market.offset[c] + market.step * taken[c], count) + market.step * k
        position[target] = np.repeat(rows[e], count)
    return _Handed((weight, position, ptr), shape=(n_slots, n + extra), copy=False)


def repair(
    n: int, edges: Edges, assigned: np.ndarray, duals: tuple[np.ndarray, np.ndarray], new: Edges, market: Market, penalty: float,
    depth: int,
) -> np.ndarray | None:
    """Re-solve only the mentees that the new edges can move; the others keep their slots.

    The violators move, and so may the mentees of the mentors they now want, and of the
    mentors *those* can move to at little loss (slack at most the largest violation), for
    ``depth`` steps: an improving exchange runs along such edges. None when that would be
    most of the circle anyway. Whether it was enough is for the caller to check (issue 15:
    at 50,000 x 10,000 varied, one step re-solved 2,399 mentees in 0.02 s and was optimal,
    three steps 20,783 in 0.55 s).
    """
    rows, cols, scores = edges
    prices, utility = duals
    m = len(market.capacity)
    violation = np.full(n, -np.inf)
    np.maximum.at(violation, new[0], new[2] - prices[new[1]] - utility[new[0]])
    focus = np.flatnonzero(violation > TOLERANCE)
    if len(focus) == 0:
        return None
    reach = float(min(violation[focus].max(), 2 * NEAR + 1))
    slack = utility[rows] - (scores - prices[cols])
    cheap = slack <= reach + TOLERANCE
    moving = np.zeros(n, dtype=bool)
    moving[focus] = True
    wanted = np.zeros(m, dtype=bool)
    wanted[new[1][np.isin(new[0], focus)]] = True
    for _ in range(depth):
        joining = ~moving & (assigned >= 0) & wanted[np.maximum(assigned, 0)]
        if not joining.any() or (moving | joining).sum() > REPAIR_UP_TO * n:
            break
        moving |= joining
        wanted[cols[cheap & joining[rows]]] = True
    if moving.sum() == len(focus) and len(focus) > REPAIR_UP_TO * n:
        return None
    stay = ~moving & (assigned >= 0)
    fixed = np.bincount(assigned[stay], minlength=m)
    ids = np.flatnonzero(moving)
    local = np.full(n, -1, dtype=np.int64)
    local[ids] = np.arange(len(ids))
    sel = moving[rows]
    sub = lap(len(ids), (local[rows[sel]], cols[sel], scores[sel]), market, penalty, fixed)
    out = assigned.copy()
    out[ids] = sub
    return out


def duals(
    m: int, edges: Edges, assigned: np.ndarray, market: Market, penalty: float, give_up: bool = False
) -> tuple[np.ndarray, np.ndarray] | None:
    """Mentor prices and mentee utilities certifying that ``assigned`` is optimal on ``edges``.

    With ``give_up`` a matching that is not optimal (a negative cycle) returns None after a
    bounded number of rounds instead of raising after ``m`` of them.
    """
    rows, cols, scores = edges
    n = len(assigned)
    load = np.bincount(assigned[assigned >= 0], minlength=m)
    mine = assigned[rows]
    own = np.zeros(n)
    is_own = mine == cols
    own[rows[is_own]] = scores[is_own]  # score of each mentee's own pair
    root = m
    tails, heads, lengths = [], [], []
    other = (mine >= 0) & ~is_own
    tails.append(cols[other])  # q[mine] <= q[j] + s_own - s_ij
    heads.append(mine[other])
    lengths.append(own[rows[other]] - scores[other])
    lost = mine < 0
    tails.append(cols[lost])  # unmatched: q[j] >= s_ij + P
    heads.append(np.full(int(lost.sum()), root))
    lengths.append(-(scores[lost] + penalty))
    matched = np.flatnonzero(assigned >= 0)
    tails.append(np.full(len(matched), root))  # the unmatched option: q[a] <= s_own + P
    heads.append(assigned[matched])
    lengths.append(own[matched] + penalty)
    open_ = np.flatnonzero(load < market.capacity)
    tails.append(np.full(len(open_), root))  # room left: q <= cost of the next slot
    heads.append(open_)
    lengths.append(market.offset[open_] + market.step * load[open_])
    tails.append(np.arange(m))  # q >= max(0, cost of the last slot used)
    heads.append(np.full(m, root))
    lengths.append(-np.where(load > 0, np.maximum(0.0, market.offset + market.step * (load - 1)), 0.0))
    distance = shortest_from(
        m + 1, root, np.concatenate(tails), np.concatenate(heads), np.concatenate(lengths), limit=200 if give_up else None
    )
    if distance is None:
        return None
    prices = distance[:m]
    utility = np.full(n, -penalty)
    utility[matched] = own[matched] - prices[assigned[matched]]
    return prices, utility


def shortest_from(
    nodes: int, source: int, tails: np.ndarray, heads: np.ndarray, lengths: np.ndarray, limit: int | None = None
) -> np.ndarray | None:
    """Shortest distances from ``source`` with negative lengths (no negative cycles).

    Label-correcting Bellman-Ford, vectorised: each round relaxes only edges leaving the
    nodes whose distance changed in the previous round. scipy's ``bellman_ford`` gives the
    same answer but always does nodes x edges work (11 s on this graph at 10,000 mentors).
    After ``limit`` rounds it gives up (None); without one a negative cycle raises.
    """
    order = np.argsort(tails, kind="stable")
    tails, heads, lengths = tails[order], heads[order], lengths[order]
    starts = np.searchsorted(tails, np.arange(nodes + 1))
    distance = np.full(nodes, np.inf)
    distance[source] = 0.0
    active = np.array([source])
    for _ in range(nodes + 1 if limit is None else min(limit, nodes + 1)):
        counts = starts[active + 1] - starts[active]
        if counts.sum() == 0:
            return distance
        edge = np.repeat(starts[active] - np.cumsum(counts) + counts, counts) + np.arange(int(counts.sum()))
        candidate = distance[tails[edge]] + lengths[edge]
        before = distance.copy()
        np.minimum.at(distance, heads[edge], candidate)
        active = np.flatnonzero(distance < before)
        if len(active) == 0:
            return distance
    if limit is not None:
        return None
    raise ArithmeticError("negative cycle in the price graph: the pruned assignment is not optimal")


def objective(edges: Edges, assigned: np.ndarray, market: Market, penalty: float) -> float:
    rows, cols, scores = edges
    own = assigned[rows] == cols
    load = np.bincount(assigned[assigned >= 0], minlength=len(market.capacity))
    return float(scores[own].sum()) - float(market.load_cost(load).sum()) - penalty * int((assigned < 0).sum())


def load_bound(market: Market, prices: np.ndarray) -> float:
    """sum_j max over loads L of (q_j * L - load cost of L): the mentors' part of the dual."""
    cap = market.capacity
    if market.step == 0:
        return float(np.where(prices > market.offset, (prices - market.offset) * cap, 0.0).sum())
    # q*L - loadcost(L) is concave in L; its best integer L is near (q - offset)/step + 1.
    ideal = np.clip(np.floor((prices - market.offset) / market.step + 1), 0, cap)
    best = np.full(len(cap), -np.inf)
    for delta in (-1, 0):
        load = np.clip(ideal + delta, 0, cap)
        best = np.maximum(best, prices * load - market.load_cost(load))
    return float(best.sum())
