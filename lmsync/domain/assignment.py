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
multiples of 1/1024. Also measured and dropped (issue 15, at 50,000 x 10,000 varied: 5.4 s on
2.2 million slot edges): a square slot graph, for which scipy runs LAPJV's initialisation (it
skips it on rectangular ones), 4.3 s at best (the slots cut to the optimal loads) and 12.3 s
with a filler row per slot; the ``lap`` package's LAPMOD on that best case 2.6 s (139 s with
its default ``FP_1``); splitting the candidate graph into components (it is one component);
starting from the auction's assignment and re-solving only its unsure mentees (a third of
them differ from the optimum, and at the auction's prices most mentees' best two mentors tie:
the 38,000-43,000 to re-solve took 4.3-4.9 s, and the violators alone were not optimal).

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
- Incremental proof (issue 15: one full pass fewer at 50,000 x 10,000). Say round ``r``'s
  pass, with certificate ``(q, u)``, found ``s[i, j] - q[j] <= u[i]`` for every allowed pair
  of every mentee outside a set ``B`` (its violators). After a repair the new certificate is
  ``(q', u')``. Let ``R = B | {i : u'[i] < u[i]}`` and ``C = {j : q'[j] < q[j]}``. For
  ``i`` not in ``R`` and ``j`` not in ``C``: ``s[i, j] - q'[j] <= s[i, j] - q[j] <= u[i] <=
  u'[i]``, so the inequality still holds; only the rows ``R`` (against every mentor) and the
  columns ``C`` (against every other mentee) need the check (``pair_scan.recheck``, exact:
  all values are multiples of 1/1024). When that is much less than the whole matrix it is
  done instead of a full pass; if it finds a violator, the full pass runs as before.
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

Where the parts live. This module holds the method (``solve``) and the first candidates;
``lmsync.domain.pair_scan`` the blockwise scans over every pair (candidates and the
certificate check; memory O(block)); ``lmsync.domain.slot_solver`` the exact step (LAPJVsp
over slots), its prices (``duals``) and the partial re-solve (``repair``). Exact ties among
candidates are broken by a number of the *global* (mentee, mentor) pair, so the block size
changes neither the candidates nor the assignment (issue 15: smaller blocks for memory had
changed which of several optimal assignments came out).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from lmsync.domain.auction import dense_table, estimate_prices
from lmsync.domain.classes import solve_by_classes
from lmsync.domain.compatibility import Compatibility, MatchSettings
from lmsync.domain.optimality import Optimality
from lmsync.domain.pair_scan import (
    FEWEST,
    TOLERANCE,
    Edges,
    Scores,
    merge,
    recheck,
    scan,
    scan_rows,
    with_scores,
)
from lmsync.domain.slot_solver import (
    REPAIR_DEPTHS,
    Market,
    duals,
    give_back,
    lap,
    load_bound,
    objective,
    repair,
)

CLASSES_FROM = 400_000  # pairs from which a circle is first tried as classes of identical people (classes)
EXPLORE = 2  # spread-out extra candidates per mentee when no prices are known yet
REPAIR_FROM = 0.01  # re-solve only the affected mentees when at most this share violates (slot_solver.repair)
REFRESH_ABOVE = 0.2  # share of violating mentees above which everyone's candidates are refreshed
ESTIMATE_FROM = 2_000_000  # pairs from which the first candidates come from auction price estimates
TIE_SAMPLE = 64  # mentees whose rows tell whether scores are tie-heavy (tie_heavy) ...
TIED_VALUES = 4  # ... when their median row holds at most this many distinct scores (two yes/no terms)
ESTIMATE_NEAR = 0.5  # first candidates: the mentors within this of the best reduced score at the estimate
AUCTION_CANDIDATES = 32  # the auction first bids over each mentee's best mentors by score (16: poor prices at 50k)
AUCTION_SCHEDULE = (0.25,)  # its epsilon phases (one: from zero prices, scaling left prices too high)
AUCTION_ROUNDS = 4000  # at most this many bidding rounds per phase
REFINE_NEAR = 1.0  # ... then continues over every mentor within this of the best at its estimate (at most
REFINE_MOST = 32  # this many per mentee); measured: 3,274 violators at 50k without this step, 49 with it
RECHECK_UP_TO = 0.5  # the incremental proof when its rows x mentors + mentees x columns is at most this share of all pairs


@dataclass(frozen=True)
class Solution:
    mentor_of: np.ndarray  # index into the circle's mentors, -1 when unmatched
    optimality: Optimality


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
        method = "nothing to assign" if n == 0 else "no mentor with room"  # said apart (tester round 15, 4)
        return Solution(np.full(n, -1, dtype=np.int64), Optimality(True, method, 0.0, 0, 0, n * m))
    lb = settings.load_balance
    market = Market(capacity, lb * base.astype(np.float64), lb)
    penalty = _penalty(comp, market, n)
    if n * m >= CLASSES_FROM:
        by_classes = solve_by_classes(comp, market.capacity, market.offset, market.step, penalty)
        if by_classes is not None:
            return Solution(*by_classes)
    give_back()  # what the sync freed before (its reads, the people): about 20 MB at 50,000 users
    scores = Scores(comp)
    give_back()  # its construction's temporaries

    if n * m <= settings.full_graph_limit:
        edges = scores.all_pairs()
        everything = lap(n, edges, market, penalty)
        duals(m, edges, everything, market, penalty)  # raises if the solver's answer were not optimal
        return Solution(everything, Optimality(True, "full graph, price certificate", 0.0, 1, len(edges[0]), n * m))

    edges = _first_candidates(scores, settings, market)
    give_back()
    assigned: np.ndarray | None = None
    certificate: tuple[np.ndarray, np.ndarray] | None = None
    new: Edges | None = None
    rounds = 0
    many = False
    violators = np.empty(0, dtype=np.int64)
    checked: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None  # the last full pass: q, u, rows it did not prove
    while True:
        rounds += 1
        previous, certificate = certificate, None
        if assigned is not None and previous is not None and new is not None and 0 < len(violators) <= REPAIR_FROM * n:
            for depth in REPAIR_DEPTHS:  # the smallest re-solve first; a deeper one when it is not optimal
                repaired = repair(n, edges, assigned, previous, new, market, penalty, depth)
                if repaired is None:
                    break
                certificate = duals(m, edges, repaired, market, penalty, give_up=True)
                if certificate is not None:
                    assigned = repaired
                    break
        if certificate is None:
            assigned = lap(n, edges, market, penalty)
            certificate = duals(m, edges, assigned, market, penalty)
        assert assigned is not None and certificate is not None
        give_back()
        prices, utility = certificate
        if checked is not None and _proved_again(scores, checked, prices, utility):
            method = "pruned graph, price certificate checked on all pairs (last round: the rows and columns whose utility or price fell)"
            return Solution(assigned, Optimality(True, method, 0.0, rounds, len(edges[0]), n * m))
        best, new = scan(scores, prices, utility, everyone=many)
        bound = float(np.maximum(best, utility).sum())
        violators = np.flatnonzero(best > utility + TOLERANCE)
        checked = (prices, utility, best > utility + TOLERANCE)
        if len(violators) == 0:
            method = "pruned graph, price certificate checked on all pairs"
            return Solution(assigned, Optimality(True, method, 0.0, rounds, len(edges[0]), n * m))
        if rounds >= settings.max_rounds:
            gap = bound + load_bound(market, prices) - objective(edges, assigned, market, penalty)
            method = f"pruned graph; {len(violators)} mentees still violate the certificate"
            return Solution(assigned, Optimality(False, method, max(gap, 0.0), rounds, len(edges[0]), n * m))
        edges = merge(m, edges, new)
        # While many mentees violate, everyone's candidates are refreshed at the new prices
        # (the prices move a lot between such rounds); later only the violators'.
        many = len(violators) > REFRESH_ABOVE * n


def _proved_again(scores: Scores, checked: tuple[np.ndarray, np.ndarray, np.ndarray], prices: np.ndarray,
                  utility: np.ndarray) -> bool:
    """Whether the new certificate holds on every pair, checking only the rows and columns that
    the last full pass (``checked``: its prices, utilities and unproved rows) does not still
    prove (module docstring, incremental proof). False when that would be most of the pairs."""
    old_prices, old_utility, unproved = checked
    rows = unproved | (utility < old_utility)
    cols = prices < old_prices
    if int(rows.sum()) * scores.m + scores.n * int(cols.sum()) > RECHECK_UP_TO * scores.n * scores.m:
        return False
    return not recheck(scores, prices, utility, rows, cols).any()


def _penalty(comp: Compatibility, market: Market, n: int) -> float:
    dearest = float((market.offset + market.step * np.maximum(market.capacity - 1, 0)).max())
    return float(np.ceil((n + 1) * (comp.max_score + dearest + 1)))


# --- candidates -------------------------------------------------------------------------


def _first_candidates(scores: Scores, settings: MatchSettings, market: Market) -> Edges:
    """The first candidate graph: each mentee's best mentors by score, and every bonus edge.

    From ``ESTIMATE_FROM`` pairs on, the candidates are instead each mentee's near-best
    mentors by *reduced* score at prices estimated by an auction on a wider pruned graph
    (``lmsync.domain.auction``): with prices that close to the optimal ones, the first
    solve usually contains almost every optimal pair and the certificate needs one or two
    cheap repairs instead of several full solves. Only speed depends on the estimate.
    """
    bonus = scores.bonus_edges()
    if scores.n * scores.m < ESTIMATE_FROM or tie_heavy(scores.comp):
        return merge(scores.m, _best_by_score(scores, settings.candidates_per_mentee), bonus)
    wide = merge(scores.m, _best_by_score(scores, AUCTION_CANDIDATES), bonus)
    give_back()  # the merges' temporaries, else resident through the auction (issue 15, memory)
    floor = -(scores.comp.max_score + float(market.step * market.capacity.max(initial=0)) + 1)
    prices, auction = estimate_prices(scores.n, wide, market.capacity, market.offset, market.step, floor,
                                      schedule=AUCTION_SCHEDULE, max_rounds=AUCTION_ROUNDS)
    # Its first candidate table (~20 MB at 50,000 x 5,000) goes before the scan and the merges
    # below, which were the peak of a 50,000-user sync with it still held (issue 15, memory).
    auction = auction.with_candidates(np.empty((0, 0), dtype=np.int32), np.empty((0, 0)))
    give_back()  # that table and the auction's temporaries, else resident through the scan below
    prices = np.where(np.isfinite(prices), prices, 0.0)
    # The auction saw only each mentee's best mentors by score; the optimal ones are near
    # the best by reduced score. One scan at the estimate gives a wider near-best set, the
    # auction continues on it, and the first candidates are the near-best of that set at
    # the refined prices (no second scan).
    # ``wide`` holds the bonus edges already, with the same exact scores as the scan's.
    both = scan_rows(scores, prices, margin=REFINE_NEAR, fewest=FEWEST, most=REFINE_MOST, merged_with=wide)
    del wide
    give_back()
    auction = auction.with_candidates(*dense_table(scores.n, *both))
    for eps in AUCTION_SCHEDULE:
        auction.run(eps, AUCTION_ROUNDS)
    refined = auction.prices()
    del auction  # its candidate table
    refined = np.where(np.isfinite(refined), refined, 0.0)
    rows, cols, values = both
    reduced = values - refined[cols]
    best = np.full(scores.n, -np.inf)
    np.maximum.at(best, rows, reduced)
    keep = reduced >= best[rows] - ESTIMATE_NEAR
    return merge(scores.m, (rows[keep], cols[keep], values[keep]), bonus)


def tie_heavy(comp: Compatibility) -> bool:
    """Whether the circle's scores take so few values that most pairs tie (one or two weighted
    terms, issue 15): the median number of distinct feasible scores in a sample of
    ``TIE_SAMPLE`` mentees' rows (spread over the circle) is at most ``TIED_VALUES``.

    On such a circle the auction's estimate buys nothing: at the estimated prices dozens of
    mentors per mentee lie within ``ESTIMATE_NEAR`` of the best, so the first candidate graph
    grows instead of shrinking (measured at 5,000 x 1,000, department and language: 178,873
    candidates and 1.0 s, against 49,188 and 0.42 s from each mentee's best by score).
    Speed only: the proof is the same either way."""
    rows = np.unique(np.linspace(0, comp.n - 1, num=min(TIE_SAMPLE, comp.n)).astype(np.int64))
    dense = comp.left[rows].astype(np.float64) @ comp.right.astype(np.float64)
    counts = [len(np.unique(row[row >= comp.infeasible_below])) for row in dense]
    return bool(np.median(counts) <= TIED_VALUES)


def _best_by_score(scores: Scores, k: int) -> Edges:
    """Each mentee's ``k`` best mentors by score, plus ``EXPLORE`` spread-out ones.

    The spread-out ones give every mentor some candidates, so the first pruned problem
    usually has a full matching and its prices mean something.
    """
    picked = scan_rows(scores, np.zeros(scores.m), margin=0.0, fewest=k, most=k)
    n, m = scores.n, scores.m
    i = np.repeat(np.arange(n), EXPLORE)
    t = np.tile(np.arange(EXPLORE), n)
    spread = (i * 7919 + t * 104729 + (i * t) % 977) % m
    return merge(m, picked, with_scores(scores, i, spread))
