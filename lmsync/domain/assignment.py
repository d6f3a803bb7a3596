"""Optimal capacity-constrained assignment, with a checkable proof of optimality.

The model. Mentee ``i`` and mentor ``j`` have a score ``s[i, j]``; mentor ``j`` takes at
most ``cap[j]`` more mentees on top of ``base[j]`` already fixed (pins, kept pairs); the
``k``-th extra mentee costs ``lb * (base[j] + k)`` (a convex load cost, so loads stay
balanced unless scores say otherwise); leaving a mentee unmatched costs a penalty ``P``
larger than anything a rearrangement can gain, so as many mentees as possible get a
mentor. We maximise ``sum(s) - load cost - P * unmatched``.

The solver. Each mentor becomes ``cap`` slots with rising costs and scipy's
``min_weight_full_bipartite_matching`` (LAPJVsp, a maintained C implementation) finds
the minimum-cost full matching of mentees to slots. Its running time is about
``rows x slot columns`` (every augmentation starts by clearing one array per column), not
the number of edges: 4-5 s for 50,000 mentees x 55,000 slots on 2 cores. OR-Tools'
``SimpleMinCostFlow`` was measured on the same candidate graphs: 2.0 s on 500,000 edges
but 6.4 s on 1.2 million (scipy 5.4 s), so it is not decisive and not worth a 250 MB
dependency. Randomly breaking ties made LAPJVsp 20x slower, so costs stay exact
multiples of 1/1024.

Pruning and the proof. At 50,000 x 10,000 the full graph (500 million pairs, ~5 slots
each) cannot be built, so each mentee keeps a few candidate mentors. The result is then
*proved* optimal for the full graph by a price certificate (LP duality for this flow):

- From the pruned optimum we compute mentor prices ``q[j] >= 0`` with
  ``cost(L-1) <= q[j] <= cost(L)`` for load ``L`` (no upper bound when full) such that
  every mentee's mentor maximises ``s[i, j] - q[j]`` over its candidate edges (its
  "utility" ``u[i]``; ``-P`` when unmatched). These are shortest-path distances in the
  difference-constraint graph of the matching, which has no negative cycle exactly when
  the matching is optimal on the candidate graph; a vectorised Bellman-Ford finds them.
- One pass over the full score matrix (``Compatibility.left @ right`` in float32 blocks,
  exact: see ``compatibility``) checks ``s[i, j] - q[j] <= u[i]`` for *every* allowed pair.
  If it holds, (u, q) is a feasible dual whose value equals the primal value, so the
  matching is optimal on the full graph. If not, the violating mentees get their best
  pairs at the new prices as candidates and the pruned problem is solved again.
- The same pass yields the Lagrangian upper bound ``sum_i max(u_i, max_j s-q) + sum_j
  max_L(q L - loadcost(L))``, so if the round limit is reached the result states how
  far from optimal it can be at most. It is never silently near-optimal.

Choosing candidates. Candidates are chosen by *reduced* score ``s - q``: at the optimal
prices a mentee's optimal mentor is among its best few reduced scores, while by raw score
it is often far down the list (popular mentors are expensive). On large circles the first
round starts from prices *estimated* by a vectorised auction (``lmsync.domain.auction``)
and takes each mentee's mentors within ``ESTIMATE_NEAR`` of its best reduced score at
them: at 50,000 x 10,000 that leaves 49 violators after the first solve instead of
almost all, so one full solve and one repair prove the result (44-55 s -> 14.6 s). The
estimate affects only speed: the proof below is the same. Small circles take each
mentee's best ``candidates_per_mentee`` by score; while more than ``REFRESH_ABOVE``
of the mentees violate the certificate, every mentee gets its mentors within ``NEAR`` of
its best reduced score at the new prices (the prices still move a lot), later only the
violators do. When few violate, only they and the mentees they may displace are solved
again (the others keep their slots, so LAPJVsp's rows x columns shrinks); that shortcut
is sound because the certificate is recomputed on the whole candidate graph and checked
on every pair, and when it leaves a negative cycle the whole candidate graph is solved.
Measured and dropped: estimating prices first on a half-size replica (every other
mentee, half the slots) gave prices about 1 off after two cheap rounds and no fewer
rounds at full size.

Tie-heavy circles. From ``CLASSES_FROM`` pairs on, a circle is first tried as classes of
identical people (``lmsync.domain.classes``): when a programme weighs one or two terms,
50,000 mentees have a few hundred distinct profiles and the problem shrinks to a small
transportation problem, solved by scipy's HiGHS and proved on every pair by the same kind
of price certificate (at 50,000 x 10,000, department only: 75 s and 1.7 GB on the
mentee-level path, about 1 s over classes). Circles with too many distinct profiles, or
whose class proof does not close, go the mentee-level way below. A per-pair perturbation
to break ties was not used: it makes LAPJVsp slower (see above), and classes remove the
ties instead of hiding them.

All scores are multiples of 1/1024 (see ``compatibility``), prices are sums of such
numbers and ``P`` is an integer, so every comparison above is exact in floating point.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TypeVar

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import maximum_bipartite_matching, min_weight_full_bipartite_matching

from lmsync.domain.auction import dense_table, estimate_prices
from lmsync.domain.classes import solve_by_classes
from lmsync.domain.compatibility import BIG64, QUANTUM, Compatibility, MatchSettings
from lmsync.domain.optimality import Optimality

TOLERANCE = 1e-9
CLASSES_FROM = 400_000  # pairs from which a circle is first tried as classes of identical people (classes)
BLOCK_CELLS = 4_000_000  # score-matrix cells per block: bounds memory (16 MB in float32)
EXPLORE = 2  # spread-out extra candidates per mentee when no prices are known yet
NEAR = 0.5  # candidates: every mentor within this of the mentee's best reduced score ...
FEWEST = 3  # ... but at least this many ...
MOST = 24  # ... and at most this many (best first)
REPAIR_FROM = 0.01  # re-solve only the affected mentees when at most this share violates ...
REPAIR_UP_TO = 0.6  # ... and they (with whom they may displace) are at most this share of all
REPAIR_DEPTH = 3  # exchange steps followed from the violators when choosing whom to re-solve
REFRESH_ABOVE = 0.2  # share of violating mentees above which everyone's candidates are refreshed
ESTIMATE_FROM = 2_000_000  # pairs from which the first candidates come from auction price estimates
ESTIMATE_NEAR = 0.5  # first candidates: the mentors within this of the best reduced score at the estimate
AUCTION_CANDIDATES = 32  # the auction first bids over each mentee's best mentors by score (16: poor prices at 50k)
AUCTION_SCHEDULE = (0.25,)  # its epsilon phases (one: from zero prices, scaling left prices too high)
AUCTION_ROUNDS = 4000  # at most this many bidding rounds per phase
REFINE_NEAR = 1.0  # ... then continues over every mentor within this of the best at its estimate (at most
REFINE_MOST = 32  # this many per mentee); measured: 3,274 violators at 50k without this step, 49 with it

T = TypeVar("T")


@dataclass(frozen=True)
class Solution:
    mentor_of: np.ndarray  # index into the circle's mentors, -1 when unmatched
    optimality: Optimality


@dataclass(frozen=True)
class _Market:
    """Mentors' room: ``capacity[j]`` slots, the ``k``-th costing ``offset[j] + step * k``."""

    capacity: np.ndarray
    offset: np.ndarray
    step: float

    def load_cost(self, load: np.ndarray) -> np.ndarray:
        cost: np.ndarray = self.offset * load + self.step * load * (load - 1) / 2
        return cost


Edges = tuple[np.ndarray, np.ndarray, np.ndarray]  # rows, cols, exact scores; sorted by (row, col)


def solve(comp: Compatibility, capacity: Sequence[int] | np.ndarray, base: Sequence[int] | np.ndarray, settings: MatchSettings) -> Solution:
    """The optimal assignment of ``comp``'s mentees to its mentors (see the module docstring).

    ``capacity[j]``: how many more mentees mentor ``j`` may take; ``base[j]``: how many it
    already has (their load cost counts). ``Solution.mentor_of[i]`` is mentee ``i``'s mentor
    index, -1 when unmatched.
    """
    n, m = comp.n, comp.m
    capacity = np.asarray(capacity, dtype=np.int64)
    base = np.asarray(base, dtype=np.int64)
    if n == 0 or m == 0 or capacity.sum() == 0:
        return Solution(np.full(n, -1, dtype=np.int64), Optimality(True, "nothing to assign", 0.0, 0, 0, n * m))
    lb = settings.load_balance
    market = _Market(capacity, lb * base.astype(np.float64), lb)
    penalty = _penalty(comp, market, n)
    if n * m >= CLASSES_FROM:
        by_classes = solve_by_classes(comp, market.capacity, market.offset, market.step, penalty)
        if by_classes is not None:
            return Solution(*by_classes)
    scores = _Scores(comp)

    if n * m <= settings.full_graph_limit:
        edges = scores.all_pairs()
        everything = _lap(n, edges, market, penalty)
        _duals(m, edges, everything, market, penalty)  # raises if the solver's answer were not optimal
        return Solution(everything, Optimality(True, "full graph, price certificate", 0.0, 1, len(edges[0]), n * m))

    edges = _first_candidates(scores, settings, market)
    assigned: np.ndarray | None = None
    duals: tuple[np.ndarray, np.ndarray] | None = None
    new: Edges | None = None
    rounds = 0
    many = False
    violators = np.empty(0, dtype=np.int64)
    while True:
        rounds += 1
        repaired = None
        if assigned is not None and duals is not None and new is not None and 0 < len(violators) <= REPAIR_FROM * n:
            repaired = _repair(n, edges, assigned, duals, new, market, penalty)
        duals = None
        if repaired is not None:
            duals = _duals(m, edges, repaired, market, penalty, give_up=True)
            assigned = repaired if duals is not None else assigned
        if duals is None:
            assigned = _lap(n, edges, market, penalty)
            duals = _duals(m, edges, assigned, market, penalty)
        assert assigned is not None and duals is not None
        prices, utility = duals
        best, new = _scan(scores, prices, utility, everyone=many)
        bound = float(np.maximum(best, utility).sum())
        violators = np.flatnonzero(best > utility + TOLERANCE)
        if len(violators) == 0:
            method = "pruned graph, price certificate checked on all pairs"
            return Solution(assigned, Optimality(True, method, 0.0, rounds, len(edges[0]), n * m))
        if rounds >= settings.max_rounds:
            gap = bound + _load_bound(market, prices) - _objective(edges, assigned, market, penalty)
            method = f"pruned graph; {len(violators)} mentees still violate the certificate"
            return Solution(assigned, Optimality(False, method, max(gap, 0.0), rounds, len(edges[0]), n * m))
        edges = _merge(m, edges, new)
        # While many mentees violate, everyone's candidates are refreshed at the new prices
        # (the prices move a lot between such rounds); later only the violators'.
        many = len(violators) > REFRESH_ABOVE * n


def _penalty(comp: Compatibility, market: _Market, n: int) -> float:
    dearest = float((market.offset + market.step * np.maximum(market.capacity - 1, 0)).max())
    return float(np.ceil((n + 1) * (comp.max_score + dearest + 1)))


# --- candidates -------------------------------------------------------------------------


def _first_candidates(scores: _Scores, settings: MatchSettings, market: _Market) -> Edges:
    """The first candidate graph: each mentee's best mentors by score, and every bonus edge.

    From ``ESTIMATE_FROM`` pairs on, the candidates are instead each mentee's near-best
    mentors by *reduced* score at prices estimated by an auction on a wider pruned graph
    (``lmsync.domain.auction``): with prices that close to the optimal ones, the first
    solve usually contains almost every optimal pair and the certificate needs one or two
    cheap repairs instead of several full solves. Only speed depends on the estimate.
    """
    bonus = scores.bonus_edges()
    if scores.n * scores.m < ESTIMATE_FROM:
        return _merge(scores.m, _best_by_score(scores, settings.candidates_per_mentee), bonus)
    wide = _merge(scores.m, _best_by_score(scores, AUCTION_CANDIDATES), bonus)
    floor = -(scores.comp.max_score + float(market.step * market.capacity.max(initial=0)) + 1)
    prices, auction = estimate_prices(scores.n, wide, market.capacity, market.offset, market.step, floor,
                                      schedule=AUCTION_SCHEDULE, max_rounds=AUCTION_ROUNDS)
    prices = np.where(np.isfinite(prices), prices, 0.0)
    # The auction saw only each mentee's best mentors by score; the optimal ones are near
    # the best by reduced score. One scan at the estimate gives a wider near-best set, the
    # auction continues on it, and the first candidates are the near-best of that set at
    # the refined prices (no second scan).
    near = _merge(scores.m, _scan_rows(scores, prices, margin=REFINE_NEAR, fewest=FEWEST, most=REFINE_MOST), bonus)
    both = _merge(scores.m, wide, near)
    auction = auction.with_candidates(*dense_table(scores.n, *both))
    for eps in AUCTION_SCHEDULE:
        auction.run(eps, AUCTION_ROUNDS)
    refined = auction.prices()
    refined = np.where(np.isfinite(refined), refined, 0.0)
    rows, cols, values = both
    reduced = values - refined[cols]
    best = np.full(scores.n, -np.inf)
    np.maximum.at(best, rows, reduced)
    keep = reduced >= best[rows] - ESTIMATE_NEAR
    return _merge(scores.m, (rows[keep], cols[keep], values[keep]), bonus)


def _best_by_score(scores: _Scores, k: int) -> Edges:
    """Each mentee's ``k`` best mentors by score, plus ``EXPLORE`` spread-out ones.

    The spread-out ones give every mentor some candidates, so the first pruned problem
    usually has a full matching and its prices mean something.
    """
    picked = _scan_rows(scores, np.zeros(scores.m), margin=0.0, fewest=k, most=k)
    n, m = scores.n, scores.m
    i = np.repeat(np.arange(n), EXPLORE)
    t = np.tile(np.arange(EXPLORE), n)
    spread = (i * 7919 + t * 104729 + (i * t) % 977) % m
    return _merge(m, picked, _with_scores(scores, i, spread))


def _with_scores(scores: _Scores, rows: np.ndarray, cols: np.ndarray) -> Edges:
    """Exact scores (bonus included) of the given pairs; infeasible ones are dropped."""
    if len(rows) == 0:
        return np.empty(0, np.int64), np.empty(0, np.int64), np.empty(0)
    key = np.unique(rows.astype(np.int64) * scores.m + cols)
    rows, cols = key // scores.m, key % scores.m
    dense = np.einsum("ij,ji->i", scores.left[rows, :-1].astype(np.float64), scores.right[:, cols].astype(np.float64))
    ok = dense >= scores.comp.infeasible_below
    if len(scores.blocked):
        ok &= ~np.isin(key, scores.blocked[:, 0] * scores.m + scores.blocked[:, 1])
    return rows[ok], cols[ok], dense[ok] + scores.bonus_of(key[ok])


def _merge(m: int, *parts: Edges) -> Edges:
    rows = np.concatenate([p[0] for p in parts]).astype(np.int64, copy=False)  # no second copy (issue 15)
    cols = np.concatenate([p[1] for p in parts]).astype(np.int64, copy=False)
    values = np.concatenate([p[2] for p in parts]).astype(np.float64, copy=False)
    _, first = np.unique(rows * m + cols, return_index=True)
    return rows[first], cols[first], values[first]


# --- bulk scoring ----------------------------------------------------------------------


class _Scores:
    """Exact reduced scores ``s - q`` of a circle's mentees (or a subset) in blocks.

    The price is one more column of the matrix product (ones on the left, ``-q`` on the
    right), so a block costs one float32 GEMM plus a row maximum. Prices are clipped at a
    ceiling no candidate can reach, which keeps every sum exact (below 2**14) and infeasible
    pairs (about -BIG) apart from feasible ones.
    """

    def __init__(self, comp: Compatibility, rows: np.ndarray | None = None) -> None:
        self.comp = comp
        self.m = comp.m
        self.rows = np.arange(comp.n) if rows is None else rows
        self.n = len(self.rows)
        left = comp.left if rows is None else comp.left[rows]
        self.left = np.ascontiguousarray(np.hstack([left, np.ones((self.n, 1), dtype=left.dtype)]))
        self.right = comp.right
        local = np.full(comp.n, -1, dtype=np.int64)
        local[self.rows] = np.arange(self.n)
        blocked = comp.blocked
        inside = local[blocked[:, 0]] >= 0
        self.blocked = np.column_stack([local[blocked[inside, 0]], blocked[inside, 1]]).astype(np.int64).reshape(-1, 2)
        inside = local[comp.bonus_rows] >= 0
        key = local[comp.bonus_rows[inside]] * self.m + comp.bonus_cols[inside]
        order = np.argsort(key)
        self._bonus_keys = key[order]
        self._bonus_values = comp.bonus_values[inside][order]
        self.step = max(1, BLOCK_CELLS // max(self.m, 1))
        # Fixed pseudo-random tie-breakers, far below QUANTUM: they reorder exact ties only.
        rng = np.random.default_rng(20240611)
        self.noise = (rng.random((61, self.m)) * (QUANTUM / 4)).astype(self.left.dtype)
        self._left64: np.ndarray | None = None

    def blocks(self) -> list[slice]:
        return [slice(s, min(s + self.step, self.n)) for s in range(0, self.n, self.step)]

    def priced(self, prices: np.ndarray, ceiling: float) -> _Priced:
        """Reduced scores at ``min(q, ceiling)``: the right-hand matrix gets ``-q`` as its last row.

        In the circle's dtype while feasible values (down to ``-ceiling``) stay clear of the
        infeasible ones (about ``-big``); otherwise in float64 with ``-big`` moved to ``-2**40``.
        """
        clipped = np.minimum(np.maximum(prices, 0.0), ceiling)
        if ceiling + self.comp.max_score < -self.comp.infeasible_below - 1:
            right = np.vstack([self.right, -clipped[None, :]]).astype(self.left.dtype)
            return _Priced(self.left, right, self.comp.infeasible_below, clipped)
        if self._left64 is None:
            left64 = self.left.astype(np.float64)
            left64[left64 == -self.comp.big] = -BIG64
            self._left64 = left64
        right = np.vstack([self.right, -clipped[None, :]]).astype(np.float64)
        return _Priced(self._left64, right, -BIG64 / 2, clipped)

    def reduced(self, block: slice, priced: _Priced) -> np.ndarray:
        red = priced.left[block] @ priced.right
        if len(self.blocked):
            hit = self.blocked[(self.blocked[:, 0] >= block.start) & (self.blocked[:, 0] < block.stop)]
            red[hit[:, 0] - block.start, hit[:, 1]] = -np.inf
        out: np.ndarray = red
        return out

    def bonus_of(self, keys: np.ndarray) -> np.ndarray:
        """The sparse bonus of each sorted edge key (row * m + col), 0 where none."""
        out = np.zeros(len(keys))
        if len(self._bonus_keys) and len(keys):
            where = np.minimum(np.searchsorted(keys, self._bonus_keys), len(keys) - 1)
            hit = keys[where] == self._bonus_keys
            out[where[hit]] = self._bonus_values[hit]
        return out

    def bonus_edges(self) -> Edges:
        return _with_scores(self, self._bonus_keys // self.m, self._bonus_keys % self.m)

    def all_pairs(self) -> Edges:
        priced = self.priced(np.zeros(self.m), 0.0)
        parts = []
        for block in self.blocks():
            red = self.reduced(block, priced)
            r, c = np.nonzero(red >= priced.infeasible_below)
            parts.append((r + block.start, c, red[r, c].astype(np.float64)))
        rows, cols, dense = (np.concatenate([p[i] for p in parts]) for i in range(3))
        return rows.astype(np.int64), cols.astype(np.int64), dense + self.bonus_of(rows.astype(np.int64) * self.m + cols)


@dataclass(frozen=True)
class _Priced:
    left: np.ndarray
    right: np.ndarray
    infeasible_below: float
    clipped: np.ndarray  # the prices actually subtracted (float64)


def _parallel(fn: Callable[[slice], T], blocks: list[slice]) -> list[T]:
    """Blocks in order, two at a time: numpy's single-threaded parts overlap the GEMMs."""
    if len(blocks) <= 1:
        return [fn(b) for b in blocks]
    with ThreadPoolExecutor(max_workers=min(2, os.cpu_count() or 1)) as pool:
        return list(pool.map(fn, blocks))


def _pick(
    red: np.ndarray, best: np.ndarray, rows: np.ndarray, margin: float, fewest: int, most: int, noise: np.ndarray,
    infeasible_below: float,
) -> tuple[np.ndarray, np.ndarray]:
    """Among ``rows`` of a reduced-score block: every column within ``margin`` of the row's
    best, at least ``fewest`` and at most ``most`` (best first; exact ties broken by a fixed
    pseudo-random order, so that tied mentees do not all crowd onto the same mentors)."""
    if len(rows) == 0:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    m = red.shape[1]
    sub = red if len(rows) == red.shape[0] else red[rows]
    near = sub >= (best[rows] - margin).astype(sub.dtype)[:, None]
    counts = np.count_nonzero(near, axis=1)
    flat = np.flatnonzero(near)  # faster than a 2-d nonzero
    r, c = flat // m, flat % m
    plain = (counts >= fewest) & (counts <= most)
    keep = plain[r]
    out_r, out_c = [rows[r[keep]]], [c[keep]]
    for select, k in ((counts > most, min(most, m)), (counts < fewest, min(fewest, m))):
        if not select.any():
            continue
        which = np.flatnonzero(select)
        values = sub[which]
        values += noise[rows[which] % len(noise)].astype(values.dtype, copy=False)
        top = np.argpartition(values, m - k, axis=1)[:, m - k :]
        ok = np.take_along_axis(values, top, axis=1) >= infeasible_below
        out_r.append(np.repeat(rows[which], k)[ok.ravel()])
        out_c.append(top.ravel()[ok.ravel()])
    return np.concatenate(out_r), np.concatenate(out_c)


def _scan_rows(scores: _Scores, prices: np.ndarray, margin: float, fewest: int, most: int) -> Edges:
    """Near-best candidates of every mentee at ``prices`` (see ``_pick``), with exact scores."""
    prices = np.round(prices / QUANTUM) * QUANTUM  # estimates too: keeps s - q exact
    ceiling = float(np.ceil(min(max(float(prices.max()), 0.0), scores.comp.max_score + margin + 1)))
    priced = scores.priced(prices, ceiling)
    low = priced.infeasible_below

    def one(block: slice) -> Edges:
        red = scores.reduced(block, priced)
        best = red.max(axis=1)
        r, c = _pick(red, best, np.flatnonzero(best >= low), margin, fewest, most, scores.noise, low)
        return r + block.start, c, red[r, c].astype(np.float64) + priced.clipped[c]

    return _finish(scores, _parallel(one, scores.blocks()))


def _finish(scores: _Scores, parts: list[Edges]) -> Edges:
    rows, cols, dense = (np.concatenate([p[i] for p in parts]) for i in range(3))
    key = rows.astype(np.int64) * scores.m + cols
    order = np.argsort(key, kind="stable")
    key, rows, cols, dense = key[order], rows[order].astype(np.int64), cols[order].astype(np.int64), dense[order]
    return rows, cols, dense + scores.bonus_of(key)


def _scan(scores: _Scores, prices: np.ndarray, utility: np.ndarray, everyone: bool = False) -> tuple[np.ndarray, Edges]:
    """The certificate check on every pair: each mentee's best ``s - q`` (exact, dense part;
    bonus edges are always candidates, so the solver already respects them) and, for the
    mentees where it beats their utility, their near-best pairs at these prices."""
    lost = utility < 0
    # A mentor priced above this cannot tempt a mentee with utility >= 0: clip there. The
    # others (few, or a market so tight that prices are near the penalty) are done exactly.
    ceiling = float(np.ceil(scores.comp.max_score + NEAR + 1))
    priced = scores.priced(prices, ceiling)
    clipped, low = priced.clipped, priced.infeasible_below

    def one(block: slice) -> tuple[np.ndarray, Edges]:
        red = scores.reduced(block, priced)
        best = red.max(axis=1).astype(np.float64)
        best[best < low] = -np.inf
        u = utility[block]
        bad = (best > u + TOLERANCE) | (everyone & (best > -np.inf))
        r, c = _pick(red, red.max(axis=1), np.flatnonzero(bad & ~lost[block]), NEAR, FEWEST, MOST, scores.noise, low)
        found = [(r, c, red[r, c].astype(np.float64) + clipped[c])]
        gone = np.flatnonzero(lost[block])
        if len(gone):  # negative utility (unmatched: -P): exact in float64 at the real prices
            sub = red[gone]
            exact = np.where(sub >= low, sub.astype(np.float64) + clipped - prices, -np.inf)
            best[gone] = exact.max(axis=1)
            worse = np.flatnonzero(bad[gone])
            r, c = _pick(exact, best[gone], worse, NEAR, FEWEST, MOST, scores.noise, -np.finfo(np.float64).max)
            found.append((gone[r], c, exact[r, c] + prices[c]))
        r, c, value = (np.concatenate([f[i] for f in found]) for i in range(3))
        return best, (r + block.start, c, value)

    parts = _parallel(one, scores.blocks())
    best = np.concatenate([p[0] for p in parts])
    return best, _finish(scores, [p[1] for p in parts])


# --- the solver and its certificate ----------------------------------------------------


def _lap(n: int, edges: Edges, market: _Market, penalty: float, fixed: np.ndarray | None = None) -> np.ndarray:
    """Optimal assignment of ``n`` mentees over ``edges`` (rows 0..n-1) into the market's
    slots, of which ``fixed[j]`` are already taken: scipy's LAPJVsp on the slot graph."""
    rows, cols, scores = edges
    m = len(market.capacity)
    taken = np.zeros(m, dtype=np.int64) if fixed is None else fixed
    if len(rows) == 0:
        return np.full(n, -1, dtype=np.int64)
    free = market.capacity - taken
    slots = np.minimum(free, np.bincount(cols, minlength=m))  # more slots than edges are never used
    per_edge = slots[cols]
    use = per_edge > 0
    rows, cols, scores, per_edge = rows[use], cols[use], scores[use], per_edge[use]
    start = np.concatenate([[0], np.cumsum(slots)])
    n_slots = int(start[-1])
    total = int(per_edge.sum())
    if total == 0:
        return np.full(n, -1, dtype=np.int64)
    # Slot-edge t (of ``total``, ~12 per candidate edge) is slot k = t - before[e] of its edge e's
    # mentor: column start[col] + k, weight offset - score + load cost of slot taken + k. Both are
    # one per-edge value repeated plus a multiple of t, built in place (issue 15, memory: the
    # slot graph is the peak of a 50,000-user sync). The weights are the same numbers as
    # ``offset - s + offset_j + step * (taken_j + k)``: every term is a multiple of 1/1024
    # far below 2**40, so the sums are exact in any order.
    before = np.cumsum(per_edge) - per_edge
    offset = float(scores.max()) + 1 if len(scores) else 1.0  # keeps every weight > 0
    itype = np.int32 if max(total, n_slots) < np.iinfo(np.int32).max else np.int64
    position: np.ndarray = np.arange(total, dtype=itype)
    weight = position.astype(np.float64)
    weight *= market.step
    weight += np.repeat(offset - scores + market.offset[cols] + market.step * (taken[cols] - before), per_edge)
    position += np.repeat((start[cols] - before).astype(itype), per_edge)  # now the slot column
    indptr = np.concatenate([[0], np.cumsum(np.bincount(rows, weights=per_edge, minlength=n).astype(np.int64))])
    graph = sp.csr_matrix((weight, position, indptr.astype(itype)), shape=(n, n_slots))
    del weight, position, before
    if n <= n_slots and total and (maximum_bipartite_matching(graph, perm_type="column") >= 0).all():
        # Everyone can be matched: no "unmatched" columns needed, which LAPJVsp solves faster.
        _, matched = min_weight_full_bipartite_matching(graph)
    else:
        dummy = sp.csr_matrix((np.full(n, offset + penalty), (np.arange(n), np.arange(n))), shape=(n, n))
        _, matched = min_weight_full_bipartite_matching(sp.hstack([graph, dummy], format="csr"))
    owner = np.repeat(np.arange(m), slots)
    return np.where(matched < n_slots, owner[np.minimum(matched, max(n_slots - 1, 0))], -1).astype(np.int64)


def _repair(
    n: int, edges: Edges, assigned: np.ndarray, duals: tuple[np.ndarray, np.ndarray], new: Edges, market: _Market, penalty: float
) -> np.ndarray | None:
    """Re-solve only the mentees that the new edges can move; the others keep their slots.

    The violators move, and so may the mentees of the mentors they now want, and of the
    mentors *those* can move to at little loss (slack at most the largest violation), for
    ``REPAIR_DEPTH`` steps: an improving exchange runs along such edges. None when that
    would be most of the circle anyway. Whether it was enough is for the caller to check.
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
    for _ in range(REPAIR_DEPTH):
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
    sub = _lap(len(ids), (local[rows[sel]], cols[sel], scores[sel]), market, penalty, fixed)
    out = assigned.copy()
    out[ids] = sub
    return out


def _duals(
    m: int, edges: Edges, assigned: np.ndarray, market: _Market, penalty: float, give_up: bool = False
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
    distance = _shortest_from(
        m + 1, root, np.concatenate(tails), np.concatenate(heads), np.concatenate(lengths), limit=200 if give_up else None
    )
    if distance is None:
        return None
    prices = distance[:m]
    utility = np.full(n, -penalty)
    utility[matched] = own[matched] - prices[assigned[matched]]
    return prices, utility


def _shortest_from(
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


def _objective(edges: Edges, assigned: np.ndarray, market: _Market, penalty: float) -> float:
    rows, cols, scores = edges
    own = assigned[rows] == cols
    load = np.bincount(assigned[assigned >= 0], minlength=len(market.capacity))
    return float(scores[own].sum()) - float(market.load_cost(load).sum()) - penalty * int((assigned < 0).sum())


def _load_bound(market: _Market, prices: np.ndarray) -> float:
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
