"""Tie-heavy circles solved over classes of identical people (issue 15, matching with ties).

Why. When a programme weighs one or two terms (department only, say), most pairs' scores
tie and the mentee-level engine (``lmsync.domain.assignment``) suffers: its candidate
pruning cannot tell near-best mentors apart and LAPJVsp explores every tie. But such a
circle has few distinct *profiles*: two mentees whose rows of the score matrix are equal
are interchangeable, and so are two mentors whose columns and load costs are equal.

The model. Mentees with the same row of ``Compatibility.left`` form a class ``c`` of
``a[c]`` mentees; mentors with the same column of ``Compatibility.right`` *and* the same
slot costs (``offset``: the load they already carry) form a class ``d``. A mentee or mentor
with a sparse bonus (preference, stickiness) or a blocked pair (forbid, same person) is a
class of its own, so every pair's score is its classes' score ``S[c, d]``. Level ``k`` of
class ``d`` (the ``k``-th extra mentee of a mentor) is offered by ``g[d, k]`` mentors (those
with room for more than ``k``) at ``offset[d] + step * k``. The class problem

    max  sum S[c,d] x[c,d] - sum cost[d,k] y[d,k] - P * unmatched
    s.t. sum_d x[c,d] + unmatched[c] = a[c];  sum_c x[c,d] = sum_k y[d,k];  0 <= y[d,k] <= g[d,k]

is a transportation problem (a network matrix: its basic solutions are integral), solved
by scipy's HiGHS (``linprog``, dual simplex), by column generation over class pairs:
each class starts with its best few mentor classes by score and gains those whose
reduced score beats its utility at the current prices. It is the mentee-level problem
exactly: any assignment aggregates to a class flow of at least its cost (``y[d,k]`` =
mentors of ``d`` with load above ``k``), and a class flow disaggregates to an assignment
of the same cost by water-filling each class's load over its mentors (as even as the
capacities allow, which is what the convex load cost wants) and handing out mentees in
id order (deterministic).

The proof. From the prices ``q[d]`` (HiGHS's duals rounded to the 1/1024 grid, which a
network LP's basic duals lie on) the utility of class ``c`` is ``U[c] = max(-P, max_d
S[c,d] - q[d])`` over *every* class pair, hence every mentee-mentor pair of the circle, and

    bound = sum_c a[c] U[c] + sum_{d,k} g[d,k] max(0, q[d] - cost[d,k])

is an upper bound on any assignment's objective (LP duality; the same bound as
``slot_solver.load_bound``). The result is proven optimal when the disaggregated
assignment's objective equals the bound exactly (all numbers are multiples of 1/1024 far
below 2**53, so float64 sums are exact); otherwise the caller falls back to the
mentee-level engine. Nothing here is trusted without that check.
"""

from __future__ import annotations

import numpy as np
from scipy import sparse as sp

from lmsync.domain.compatibility import QUANTUM, Compatibility
from lmsync.domain.optimality import Optimality

MOST_CLASSES = 0.1  # use classes only when mentee classes are at most this share of mentees ...
MOST_PAIRS = 6_000_000  # ... and the dense class score matrix has at most this many cells
FIRST_ARCS = 8  # first candidates: each mentee class's best mentor classes by score ...
FIRST_ARCS_PER_MENTOR = 2  # ... and each mentor class's best mentee classes
NEAR = 0.5  # later: every class pair within this of the class's best reduced score, if it violates
MAX_ROUNDS = 30
METHOD = "highs"  # HiGHS picks its algorithm; its answer is a basis (integral here), checked below


def solve_by_classes(
    comp: Compatibility, capacity: np.ndarray, offset: np.ndarray, step: float, penalty: float
) -> tuple[np.ndarray, Optimality] | None:
    """The optimal assignment over classes of identical people, or None when classes do not pay
    (too many distinct profiles) or the proof does not close (the caller then solves per mentee).

    ``capacity[j]``: mentor ``j``'s free slots; its ``k``-th extra mentee costs ``offset[j] +
    step * k``; ``penalty``: the cost of leaving a mentee unmatched. Returns each mentee's
    mentor index (-1: unmatched) and how optimality was established.
    """
    n, m = comp.n, comp.m
    special_rows = np.unique(np.concatenate([comp.blocked[:, 0], comp.bonus_rows]).astype(np.int64))
    special_cols = np.unique(np.concatenate([comp.blocked[:, 1], comp.bonus_cols]).astype(np.int64))
    most = int(MOST_CLASSES * n)
    stride = max(1, n // (most + 1))
    if len(np.unique(_row_keys(comp.left[::stride][: most + 1]))) > most:
        return None  # even a sample has too many profiles (varied scores): cheap way out
    c_of, n_classes = _classes(comp.left, special_rows)
    if n_classes > MOST_CLASSES * n:
        return None
    mentor_key = np.hstack([comp.right.T.astype(np.float64), offset[:, None]])
    d_of, d_classes = _classes(mentor_key, special_cols)
    if n_classes * d_classes > MOST_PAIRS:
        return None

    rep_c = _representatives(c_of, n_classes)
    rep_d = _representatives(d_of, d_classes)
    scores = comp.left[rep_c].astype(np.float64) @ comp.right[:, rep_d].astype(np.float64)
    scores[scores < comp.infeasible_below] = -np.inf
    if len(comp.blocked):
        scores[c_of[comp.blocked[:, 0]], d_of[comp.blocked[:, 1]]] = -np.inf
    if len(comp.bonus_rows):  # singleton classes on both sides: one pair each
        np.add.at(scores, (c_of[comp.bonus_rows], d_of[comp.bonus_cols]), comp.bonus_values)

    supply = np.bincount(c_of, minlength=n_classes).astype(np.int64)
    width = int(capacity.max(initial=0))
    levels = np.zeros((d_classes, width), dtype=np.int64)  # g[d, k]: mentors of d with room above k
    for k in range(width):
        levels[:, k] = np.bincount(d_of, weights=capacity > k, minlength=d_classes).astype(np.int64)
    level_cost = offset[rep_d][:, None] + step * np.arange(width)[None, :]

    arcs = _first_arcs(scores)
    for rounds in range(1, MAX_ROUNDS + 1):
        flow = _transport(scores, arcs, supply, levels, level_cost, penalty)
        if flow is None:
            return None
        x, prices = flow
        utility = np.maximum(-penalty, (scores - prices[None, :]).max(axis=1))
        restricted = np.full(n_classes, -penalty)
        np.maximum.at(restricted, arcs[0], scores[arcs] - prices[arcs[1]])
        load = np.bincount(arcs[1], weights=x, minlength=d_classes).astype(np.int64)
        objective = float((scores[arcs] * x).sum()) - float(_level_cost(load, levels, level_cost).sum())
        objective -= penalty * float(supply.sum() - x.sum())
        bound = float((supply * utility).sum()) + float((levels * np.maximum(0.0, prices[:, None] - level_cost)).sum())
        if bound == objective:
            mentor_of = _disaggregate(c_of, d_of, arcs, x, capacity, n, m)
            kept = int(np.count_nonzero(x))
            method = (f"{n_classes} mentee classes x {d_classes} mentor classes of identical people, "
                      "price certificate checked on all pairs")
            return mentor_of, Optimality(True, method, 0.0, rounds, kept, n * m)
        reduced = scores - prices[None, :]
        bad = np.flatnonzero(utility > restricted)
        if len(bad) == 0:
            return None  # the rounded prices do not close the proof: let the mentee-level engine decide
        near = reduced[bad] >= (utility[bad] - NEAR)[:, None]
        r, c = np.nonzero(near & np.isfinite(reduced[bad]))
        arcs = _union(arcs, (bad[r], c), d_classes)
    return None


def _classes(rows: np.ndarray, singletons: np.ndarray) -> tuple[np.ndarray, int]:
    """Class of each row (equal rows share one, numbered by first appearance); ``singletons``
    rows get a class of their own."""
    _, first, inverse = np.unique(_row_keys(rows), return_index=True, return_inverse=True)
    # Renumber by first appearance so classes follow the people's (id) order.
    rank = np.empty(len(first), dtype=np.int64)
    rank[np.argsort(first, kind="stable")] = np.arange(len(first))
    out = rank[inverse.ravel()]
    count = len(first)
    if len(singletons):
        out[singletons] = count + np.arange(len(singletons))
        count += len(singletons)
        _, out = np.unique(out, return_inverse=True)  # drop classes only singletons had
        count = int(out.max()) + 1 if len(out) else 0
    return out.astype(np.int64).ravel(), count


def _row_keys(rows: np.ndarray) -> np.ndarray:
    """Each row as one opaque value, so that ``np.unique`` compares whole rows (byte-wise)."""
    rows = np.ascontiguousarray(rows)
    if rows.shape[1] == 0:
        return np.zeros(len(rows), dtype="V1")
    return rows.view(np.dtype((np.void, rows.dtype.itemsize * rows.shape[1]))).ravel()


def _representatives(class_of: np.ndarray, count: int) -> np.ndarray:
    rep = np.full(count, -1, dtype=np.int64)
    rep[class_of[::-1]] = np.arange(len(class_of))[::-1]  # the first member of each class
    return rep


def _first_arcs(scores: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each mentee class's ``FIRST_ARCS`` best mentor classes by score, and each mentor
    class's ``FIRST_ARCS_PER_MENTOR`` best mentee classes. Exact ties are broken by a fixed
    pseudo-random order (below the 1/1024 grid) so tied classes spread over tied mentors."""
    c_n, d_n = scores.shape
    k = min(FIRST_ARCS, d_n)
    noise = np.random.default_rng(20240611).random(scores.shape) * (QUANTUM / 4)
    scores = scores + noise
    top = np.argpartition(-scores, k - 1, axis=1)[:, :k]
    rows = np.repeat(np.arange(c_n), k)
    cols = top.ravel()
    k2 = min(FIRST_ARCS_PER_MENTOR, c_n)
    top2 = np.argpartition(-scores, k2 - 1, axis=0)[:k2, :]
    arcs = _union((rows, cols), (top2.ravel(), np.tile(np.arange(d_n), k2)), d_n)
    feasible = np.isfinite(scores[arcs])
    return arcs[0][feasible], arcs[1][feasible]


def _union(a: tuple[np.ndarray, np.ndarray], b: tuple[np.ndarray, np.ndarray], d_n: int) -> tuple[np.ndarray, np.ndarray]:
    key = np.unique(np.concatenate([a[0] * d_n + a[1], b[0] * d_n + b[1]]).astype(np.int64))
    return key // d_n, key % d_n


def _transport(
    scores: np.ndarray,
    arcs: tuple[np.ndarray, np.ndarray],
    supply: np.ndarray,
    levels: np.ndarray,
    level_cost: np.ndarray,
    penalty: float,
) -> tuple[np.ndarray, np.ndarray] | None:
    """The class problem on ``arcs``: integral flows per arc and the mentor classes' prices
    (rounded to the 1/1024 grid), or None if HiGHS does not return an optimal basis."""
    c_n, d_n = scores.shape
    rows, cols = arcs
    e = len(rows)
    lvl_d, lvl_k = np.nonzero(levels > 0)
    lv = len(lvl_d)
    # Variables: x (arcs), y (levels), unmatched (classes). Rows: classes, then mentor classes.
    cost = np.concatenate([-scores[rows, cols], level_cost[lvl_d, lvl_k], np.full(c_n, penalty)])
    a_rows = np.concatenate([rows, c_n + cols, c_n + lvl_d, np.arange(c_n)])
    a_cols = np.concatenate([np.arange(e), np.arange(e), e + np.arange(lv), e + lv + np.arange(c_n)])
    a_vals = np.concatenate([np.ones(e), np.ones(e), -np.ones(lv), np.ones(c_n)])
    matrix = sp.csr_matrix((a_vals, (a_rows, a_cols)), shape=(c_n + d_n, e + lv + c_n))
    rhs = np.concatenate([supply.astype(np.float64), np.zeros(d_n)])
    bounds = np.zeros((e + lv + c_n, 2))
    bounds[:, 1] = np.inf
    bounds[e : e + lv, 1] = levels[lvl_d, lvl_k]
    from scipy.optimize import linprog  # only tie-heavy circles need it: ~0.3 s of imports

    result = linprog(cost, A_eq=matrix, b_eq=rhs, bounds=bounds, method=METHOD)
    if result.status != 0 or result.x is None:
        return None
    x = np.rint(result.x[:e]).astype(np.int64)
    if not np.allclose(x, result.x[:e], atol=1e-6):
        return None  # not a basic (integral) solution
    prices = -np.asarray(result.eqlin.marginals[c_n:], dtype=np.float64)
    prices = np.maximum(np.round(prices / QUANTUM) * QUANTUM, 0.0)
    return x, prices


def _level_cost(load: np.ndarray, levels: np.ndarray, level_cost: np.ndarray) -> np.ndarray:
    """Each mentor class's load cost when its load fills the cheapest levels first."""
    before = np.cumsum(levels, axis=1) - levels
    used = np.clip(load[:, None] - before, 0, levels)
    cost: np.ndarray = (used * level_cost).sum(axis=1)
    return cost


def _disaggregate(
    c_of: np.ndarray, d_of: np.ndarray, arcs: tuple[np.ndarray, np.ndarray], x: np.ndarray, capacity: np.ndarray, n: int, m: int
) -> np.ndarray:
    """Mentee-level assignment of the class flow: each mentor class's load water-filled over
    its mentors (lowest index first at each level), mentees handed out in index order."""
    d_n = int(d_of.max()) + 1 if m else 0
    load_d = np.bincount(arcs[1], weights=x, minlength=d_n).astype(np.int64)
    # Level by level: level k goes to the first y[d, k] mentors of class d with room above k.
    order = np.lexsort((np.arange(m), d_of))  # mentors grouped by class, index order inside
    load = np.zeros(m, dtype=np.int64)
    left = load_d.copy()
    for k in range(int(capacity.max(initial=0))):
        open_ = order[capacity[order] > k]
        cls = d_of[open_]
        start = np.searchsorted(cls, np.arange(d_n))
        rank = np.arange(len(open_)) - start[cls]
        take = rank < left[cls]
        load[open_[take]] += 1
        left -= np.bincount(cls[take], minlength=d_n)
    seats = np.repeat(order, load[order])  # grouped by mentor class, as the classes are ordered
    seat_start = np.concatenate([[0], np.cumsum(load_d)])
    mentees = np.argsort(c_of, kind="stable")  # grouped by class, index order inside
    c_n = int(c_of.max()) + 1 if n else 0
    mentee_start = np.concatenate([[0], np.cumsum(np.bincount(c_of, minlength=c_n))])
    use = x > 0
    rows, cols, x = arcs[0][use], arcs[1][use], x[use]
    by_c = np.lexsort((cols, rows))
    from_mentee = np.empty(len(x), dtype=np.int64)
    from_mentee[by_c] = mentee_start[rows[by_c]] + _within(rows[by_c], x[by_c])
    by_d = np.lexsort((rows, cols))
    from_seat = np.empty(len(x), dtype=np.int64)
    from_seat[by_d] = seat_start[cols[by_d]] + _within(cols[by_d], x[by_d])
    mentor_of = np.full(n, -1, dtype=np.int64)
    offsets = np.arange(int(x.sum())) - np.repeat(np.cumsum(x) - x, x)
    mentor_of[mentees[np.repeat(from_mentee, x) + offsets]] = seats[np.repeat(from_seat, x) + offsets]
    return mentor_of


def _within(group: np.ndarray, size: np.ndarray) -> np.ndarray:
    """For runs sorted by ``group``: where each run starts inside its group (sum of the earlier runs' sizes)."""
    if len(group) == 0:
        return np.zeros(0, dtype=np.int64)
    total = np.cumsum(size) - size
    first = np.flatnonzero(np.r_[True, group[1:] != group[:-1]])
    within: np.ndarray = total - np.repeat(total[first], np.diff(np.r_[first, len(group)]))
    return within
