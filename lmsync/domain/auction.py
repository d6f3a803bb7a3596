"""Estimated mentor prices from a vectorised auction, to start the exact solver close to the end.

Why. The exact engine (``lmsync.domain.assignment``) proves optimality with mentor prices
and re-solves until its prices pass the check on every pair; each solve at 50,000 mentees
costs seconds whatever the candidate graph. Starting from good prices, the first candidate
graph already holds the optimal pairs and one or two solves suffice. The prices here are
*only* a starting point: the assignment still comes from the exact solver and the proof
from the full-graph certificate, so nothing here can make a result wrong, only slower.

How. Bertsekas' forward auction over capacity slots. Mentor ``j``
has ``cap[j]`` slots; slot ``k``'s total price starts at its load cost ``offset[j] + step *
k`` (a slot never bid on keeps that reserve, as the asymmetric auction requires). In each
round every unassigned mentee bids at once on its best mentor's cheapest slot, raising
that slot's price by its margin over its second-best option plus ``eps``; a mentor's
bidders are ranked by bid and the ``r``-th best takes the ``r``-th cheapest slot if it
bids above that slot's price (several slots of one mentor fill in one round, which keeps
the rounds few when thousands of mentees tie). Everything is numpy over a fixed number of
candidate mentors per mentee (a dense ``(n, k)`` table), so a round costs a few array
operations on the bidders only. A mentor's price for the engine is its cheapest slot's
total price: what one more mentee would have to pay.

Ties (scores are small integers) make price wars: a coarse ``eps`` (0.25) keeps them short,
and a round limit bounds the work whatever happens (the engine copes with poor prices).
Epsilon *scaling* was measured and dropped: there are more slots than mentees, and later
phases start from the raised prices of earlier ones, so prices end too high on the mentors
that lost their bidders (at 5,000 x 1,000, 99.96% of the optimal pairs are within 0.5 of
the mentee's best reduced score after one phase at 0.25, 99.2% after 1 -> 1/4 -> 1/16 -> 1/64).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

SLOTS_MAX = 64  # mentors with more slots than this are given this many (estimate only)
BID_ROWS = 4096  # bidders whose candidate rows are scored at once (``Auction._offers``)


@dataclass
class Auction:
    """Auction state over a dense candidate table; reusable with more candidates (warm start)."""

    cols: np.ndarray  # (n, k) candidate mentors (the edges' index type), padded with 0
    values: np.ndarray  # (n, k) float64 scores, padded with -inf
    total: np.ndarray  # (m, w) slot total prices (load cost + auction price), +inf when no slot
    holder: np.ndarray  # (m, w) mentee holding the slot, -1 if none
    where: np.ndarray  # (n,) flat slot index held by the mentee, -1 if none
    floor: float  # a mentee whose best value falls below this stops bidding

    @classmethod
    def start(cls, cols: np.ndarray, values: np.ndarray, capacity: np.ndarray, offset: np.ndarray, step: float,
              floor: float) -> Auction:
        m = len(capacity)
        width = int(max(1, min(SLOTS_MAX, int(capacity.max(initial=1)))))
        k = np.arange(width)
        total = offset[:, None] + step * k[None, :]
        total = np.where(k[None, :] < np.minimum(capacity, SLOTS_MAX)[:, None], total, np.inf)
        n = cols.shape[0]
        return cls(cols, values, total.astype(np.float64), np.full((m, width), -1, np.int64), np.full(n, -1, np.int64),
                   float(floor))

    def with_candidates(self, cols: np.ndarray, values: np.ndarray) -> Auction:
        """The same prices and holdings over a new candidate table (same mentees)."""
        return Auction(cols, values, self.total, self.holder, self.where, self.floor)

    def prices(self) -> np.ndarray:
        """Each mentor's entry price: the total price of its cheapest slot."""
        cheapest: np.ndarray = self.total.min(axis=1)
        return cheapest

    def run(self, eps: float, max_rounds: int) -> int:
        """Forward auction rounds at ``eps`` until every mentee holds a slot or gave up."""
        n = self.cols.shape[0]
        m, width = self.total.shape
        gave_up = np.zeros(n, dtype=bool)
        self._release_unhappy(eps)
        rounds = 0
        # Each mentor's slots by price and its two cheapest prices; after a round only the mentors
        # bid on are sorted again (each row is sorted alone, so the same order as sorting all: the
        # whole table per round was half of a late round's time; issue 15, speed).
        order, cheapest = _by_price(self.total)
        while rounds < max_rounds:
            bidders = np.flatnonzero((self.where < 0) & ~gave_up)
            if len(bidders) == 0:
                break
            rounds += 1
            j, best, own, runner = self._offers(bidders, cheapest[:, 0], cheapest[:, 1])
            runner = np.maximum(runner, self.floor)
            hopeless = best < self.floor
            gave_up[bidders[hopeless]] = True
            keep = ~hopeless
            bidders, j, bid = bidders[keep], j[keep], (own - runner + eps)[keep]
            if len(bidders) == 0:
                continue
            # Rank each mentor's bidders (best bid first; ties by mentee for determinism).
            rank_order = np.lexsort((bidders, -bid, j))
            bidders, j, bid = bidders[rank_order], j[rank_order], bid[rank_order]
            group_start = np.flatnonzero(np.r_[True, j[1:] != j[:-1]])
            rank = np.arange(len(j)) - np.repeat(group_start, np.diff(np.r_[group_start, len(j)]))
            fits = rank < width
            bidders, j, bid, rank = bidders[fits], j[fits], bid[fits], rank[fits]
            slot = order[j, rank]
            win = bid > self.total[j, slot]
            bidders, j, bid, slot = bidders[win], j[win], bid[win], slot[win]
            loser = self.holder[j, slot]
            self.where[loser[loser >= 0]] = -1
            self.total[j, slot] = bid
            self.holder[j, slot] = bidders
            self.where[bidders] = j * width + slot
            changed = np.unique(j)
            order[changed], cheapest[changed] = _by_price(self.total[changed])
        return rounds

    def _offers(self, bidders: np.ndarray, first: np.ndarray, second: np.ndarray) -> tuple[np.ndarray, ...]:
        """Per bidder: its best mentor ``j`` at the slot prices (``first``: each mentor's cheapest,
        ``second``: its next), that value, its score there, and its best alternative (another
        mentor, or ``j``'s next slot). ``BID_ROWS`` bidders at a time: the first rounds have
        every mentee bidding, and three (bidders, k) float64 temporaries of the whole table were
        the peak of a 50,000-user sync's auction (issue 15, memory)."""
        j = np.empty(len(bidders), dtype=self.cols.dtype)
        best, own, runner = np.empty(len(bidders)), np.empty(len(bidders)), np.empty(len(bidders))
        for at in range(0, len(bidders), BID_ROWS):
            part = slice(at, at + BID_ROWS)
            rows = bidders[part]
            each = np.arange(len(rows))
            cols = self.cols[rows]
            vals = self.values[rows] - first[cols]
            top = np.argmax(vals, axis=1)
            best[part] = vals[each, top]
            vals[each, top] = -np.inf
            j[part] = cols[each, top]
            own[part] = self.values[rows, top]
            runner[part] = np.maximum(vals.max(axis=1), own[part] - second[j[part]])
        return j, best, own, runner

    def _release_unhappy(self, eps: float) -> None:
        """Unassign mentees whose slot is no longer within ``eps`` of their best option
        (``BID_ROWS`` candidate rows at a time, as in ``_offers``)."""
        held = np.flatnonzero(self.where >= 0)
        if len(held) == 0:
            return
        width = self.total.shape[1]
        first = self.total.min(axis=1)
        j, slot = self.where[held] // width, self.where[held] % width
        best, own_score = np.empty(len(held)), np.empty(len(held))
        for at in range(0, len(held), BID_ROWS):
            part = slice(at, at + BID_ROWS)
            cols, values = self.cols[held[part]], self.values[held[part]]
            best[part] = (values - first[cols]).max(axis=1)
            own_score[part] = _score_of(cols, values, j[part])
        mine = own_score - self.total[j, slot]
        bad = held[mine < best - eps - 1e-12]
        if len(bad):
            w = self.where[bad]
            self.holder.ravel()[w] = -1
            self.where[bad] = -1


def _by_price(total: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each row's slots by price (``argsort``) and its two cheapest prices (``+inf`` for a
    second when a mentor has one slot column)."""
    order = np.argsort(total, axis=1)
    if total.shape[1] > 1:
        return order, np.take_along_axis(total, order[:, :2], axis=1)
    return order, np.hstack([total, np.full((len(total), 1), np.inf)])


def _score_of(cols: np.ndarray, values: np.ndarray, j: np.ndarray) -> np.ndarray:
    """Score of each row's candidate ``j`` (-inf when ``j`` is not among its candidates)."""
    hit = cols == j[:, None]
    return np.where(hit.any(axis=1), np.where(hit, values, -np.inf).max(axis=1), -np.inf)


def dense_table(n: int, rows: np.ndarray, cols: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Edges sorted by row as an ``(n, k)`` table, ``k`` the most edges of any row (padding: -inf)."""
    counts = np.bincount(rows, minlength=n)
    k = int(max(1, counts.max(initial=1)))
    if len(rows) and (np.diff(rows) < 0).any():  # engine edges are sorted by row already (no copies)
        order = np.argsort(rows, kind="stable")
        rows, cols, values = rows[order], cols[order], values[order]
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    position = np.arange(len(rows)) - starts[rows]
    table_cols = np.zeros((n, k), dtype=cols.dtype)  # int32 from the engine's edges (issue 15, memory)
    table_values = np.full((n, k), -np.inf)
    table_cols[rows, position] = cols
    table_values[rows, position] = values
    return table_cols, table_values


def estimate_prices(
    n: int, edges: tuple[np.ndarray, np.ndarray, np.ndarray], capacity: np.ndarray, offset: np.ndarray, step: float,
    floor: float, schedule: tuple[float, ...] = (1.0, 0.25, 1 / 16), max_rounds: int = 3000,
) -> tuple[np.ndarray, Auction]:
    """Approximate optimal mentor prices on ``edges`` (see the module docstring)."""
    cols, values = dense_table(n, *edges)
    auction = Auction.start(cols, values, capacity, offset, step, floor)
    for eps in schedule:
        auction.run(eps, max_rounds)
    return auction.prices(), auction
