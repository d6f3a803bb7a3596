"""Every pair of a circle in bounded blocks: reduced scores, near-best candidates, the check.

Part of the assignment engine (``lmsync.domain.assignment`` holds the method and its
proof). A scan never holds the ``n x m`` score matrix: mentees go through in blocks of
about ``BLOCK_CELLS`` cells (one dense float32 product of the features each, ``Scores``;
then row maxima and a few compares; two blocks at a time, ``parallel``), so memory is O(block) (at most ``max(BLOCK_CELLS, BLOCK_ROWS x m)`` cells), whatever the circle's size (issue 15: the scan was the peak of a
50,000-user sync).

Candidates per mentee (``pick``): every mentor within a margin of the mentee's best
reduced score, at least ``fewest`` and at most ``most``, best first. Exact ties are broken
by a fixed pseudo-random number per *global* (mentee, mentor) pair, far below ``QUANTUM``
(61 rows of random numbers per mentor, row = mentee index mod 61): tied mentees do not all crowd onto the same mentors, and the
candidates (hence the assignment) do not depend on the block size. The top ``k`` of a row
comes from the cells above a floor that leaves at least ``k`` of them (the ``k``-th largest of
the row's maxima over ``4k`` or more sets of columns, ``_floor_for``; one compare over the
block), never from a partial sort of the whole row: that sort cost three GEMMs per block at
50,000 x 10,000, and widening the margin step by step a compare over the block per step.

After a repair, ``recheck`` checks the certificate on chosen rows and columns only (the
incremental proof in ``lmsync.domain.assignment``): at 50,000 x 10,000 varied, 46 rows and
13 columns (measured) instead of a pass over all 500 million pairs.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TypeVar

import numpy as np
from threadpoolctl import threadpool_limits

from lmsync.domain.compatibility import BIG64, QUANTUM, Compatibility

TOLERANCE = 1e-9
BLOCK_CELLS = 1_000_000  # score-matrix cells per block: bounds memory (4 MB in float32) ...
BLOCK_ROWS = 256  # ... but at least this many mentees: GEMMs of 100 rows were measured 3x slower per
# cell than of 400 (OpenBLAS repacks the mentors' side for every product)
NEAR = 0.5  # candidates: every mentor within this of the mentee's best reduced score ...
FEWEST = 3  # ... but at least this many ...
MOST = 24  # ... and at most this many (best first)
MERGE_ROWS = 2048  # mentees merged at once when the parts are sorted by row (``merge``: bounds its keys)
PAIR_CHUNK = 16_384  # pairs scored at once by ``with_scores`` (bounds its gathered feature rows)
WIDEST = 2.0**13  # past this margin, a row short of candidates takes every feasible mentor
NOISE_ROWS = 61  # tie-breakers: a (61, m) table, row = global mentee index mod 61
NOISE_SEED = 20240611

T = TypeVar("T")
Edges = tuple[np.ndarray, np.ndarray, np.ndarray]  # rows, cols, exact scores; sorted by (row, col)


@dataclass(frozen=True)
class Priced:
    right: np.ndarray  # (features + 1, m) in the scan's dtype: the mentors' features, then minus the clipped price
    infeasible_below: float
    clipped: np.ndarray  # the prices actually subtracted (float64)


class Scores:
    """Exact reduced scores ``s - q`` of a circle's mentees in blocks.

    A block is one dense product of the mentees' features with the mentors' (``comp.left``
    rows times ``comp.right``), less the prices. Prices are clipped at a ceiling no candidate
    can reach, which keeps every sum exact (below 2**14) and infeasible pairs (about -BIG)
    apart from feasible ones.

    Why dense (issue 15, speed): a mentee has about 19 non-zero features of some 80, and a
    sparse product with a shared part gathered per distinct mentor column once measured
    faster, but only because the dense product ran OpenBLAS's own threads beside the scan's
    two (``parallel``). With BLAS held to one thread per scan thread, the dense product and the
    price take 3.3 ms per 256 x 10,000 block against 5.2 ms for the sparse product, the shared
    part's product, its gather and the sum (measured at 50,000 x 10,000 varied; the whole
    solve 8.5 s -> 7.7 s). Same sums in another order: exact (see ``compatibility``).
    """

    def __init__(self, comp: Compatibility) -> None:
        self.comp = comp
        self.m = comp.m
        self.n = comp.n
        self.right = comp.right
        self.blocked = comp.blocked.astype(np.int64).reshape(-1, 2)
        key = comp.bonus_rows.astype(np.int64) * self.m + comp.bonus_cols
        order = np.argsort(key)
        self._bonus_keys = key[order]
        self._bonus_values = comp.bonus_values[order]
        self.step = max(BLOCK_ROWS, BLOCK_CELLS // max(self.m, 1))
        # Fixed pseudo-random tie-breakers in [0, QUANTUM/4): they reorder exact ties only.
        rng = np.random.default_rng(NOISE_SEED)
        self.noise = rng.random((NOISE_ROWS, self.m)) * (QUANTUM / 4)

    def blocks(self) -> list[slice]:
        return [slice(s, min(s + self.step, self.n)) for s in range(0, self.n, self.step)]

    def priced(self, prices: np.ndarray, ceiling: float) -> Priced:
        """Reduced scores at ``min(q, ceiling)``.

        In the circle's dtype while feasible values (down to ``-ceiling``) stay clear of the
        infeasible ones (about ``-big``); otherwise in float64, each block's ``-big`` moved to
        ``-2**40`` (``reduced``).
        """
        clipped = np.minimum(np.maximum(prices, 0.0), ceiling)
        if ceiling + self.comp.max_score < -self.comp.infeasible_below - 1:
            dtype, low = np.dtype(self.comp.dtype), self.comp.infeasible_below
        else:
            dtype, low = np.dtype(np.float64), -BIG64 / 2
        right = np.empty((self.right.shape[0] + 1, self.m), dtype=dtype)
        right[:-1] = self.right
        right[-1] = -clipped  # the price as one more feature: the product subtracts it (``reduced``)
        return Priced(right, low, clipped)

    def reduced(self, block: slice, priced: Priced) -> np.ndarray:
        """Mentees ``block`` x every mentor, C-ordered: ``comp.left[block] @ right - price``
        (the same exact sums in any order: multiples of 1/1024 below 2**14, see
        ``compatibility``), ``-inf`` on blocked pairs.

        The price is the product's last feature (every mentee 1, mentor ``j`` ``-q[j]``): one term
        more in the product instead of a pass over the block to subtract it (issue 15, speed: that
        pass was a sixth of a block's time, about 0.3 s of a 50,000 x 10,000 match)."""
        features = self.comp.features(block)
        left = np.empty((features.shape[0], features.shape[1] + 1), dtype=priced.right.dtype)
        left[:, :-1] = features
        if left.dtype != features.dtype:  # the float64 path: -big (infeasible) far below any price
            left[:, :-1][features == -self.comp.big] = -BIG64
        left[:, -1] = 1.0
        red: np.ndarray = left @ priced.right
        if len(self.blocked):
            hit = self.blocked[(self.blocked[:, 0] >= block.start) & (self.blocked[:, 0] < block.stop)]
            red[hit[:, 0] - block.start, hit[:, 1]] = -np.inf
        return red

    def bonus_of(self, keys: np.ndarray) -> np.ndarray:
        """The sparse bonus of each sorted edge key (row * m + col), 0 where none."""
        out = np.zeros(len(keys))
        if len(self._bonus_keys) and len(keys):
            # only the bonus keys within the edges' range: a block's edges are one block of rows,
            # and searching every bonus key per block cost 0.2 s at 50,000 x 10,000 (issue 15, speed)
            a = int(np.searchsorted(self._bonus_keys, keys[0], side="left"))
            b = int(np.searchsorted(self._bonus_keys, keys[-1], side="right"))
            bonus_keys = self._bonus_keys[a:b]
            where = np.minimum(np.searchsorted(keys, bonus_keys), len(keys) - 1)
            hit = keys[where] == bonus_keys
            out[where[hit]] = self._bonus_values[a:b][hit]
        return out

    def bonus_edges(self) -> Edges:
        return with_scores(self, self._bonus_keys // self.m, self._bonus_keys % self.m)

    def all_pairs(self) -> Edges:
        priced = self.priced(np.zeros(self.m), 0.0)
        parts = []
        for block in self.blocks():
            red = self.reduced(block, priced)
            r, c = np.nonzero(red >= priced.infeasible_below)
            parts.append((r + block.start, c, red[r, c].astype(np.float64)))
        rows, cols, dense = (np.concatenate([p[i] for p in parts]) for i in range(3))
        return rows.astype(np.int64), cols.astype(np.int64), dense + self.bonus_of(rows.astype(np.int64) * self.m + cols)


def with_scores(scores: Scores, rows: np.ndarray, cols: np.ndarray) -> Edges:
    """Exact scores (bonus included) of the given pairs; infeasible ones are dropped."""
    if len(rows) == 0:
        return np.empty(0, np.int64), np.empty(0, np.int64), np.empty(0)
    key = np.unique(rows.astype(np.int64) * scores.m + cols)
    rows, cols = key // scores.m, key % scores.m
    # In chunks: the gathered feature rows are (pairs x features) float64, 110 MB for the
    # 100,000 spread-out pairs of a 50,000-user sync if taken at once (issue 15, memory).
    dense = np.empty(len(key))
    for at in range(0, len(key), PAIR_CHUNK):
        r, c = rows[at:at + PAIR_CHUNK], cols[at:at + PAIR_CHUNK]
        dense[at:at + PAIR_CHUNK] = np.einsum(
            "ij,ji->i", scores.comp.left[r].astype(np.float64), scores.right[:, c].astype(np.float64))
    ok = dense >= scores.comp.infeasible_below
    if len(scores.blocked):
        ok &= ~np.isin(key, scores.blocked[:, 0] * scores.m + scores.blocked[:, 1])
    return rows[ok], cols[ok], dense[ok] + scores.bonus_of(key[ok])


def merge(m: int, *parts: Edges) -> Edges:
    """The union of edge lists, sorted by (row, col); a pair listed twice keeps its first score.

    Rows and columns come back as int32 when they fit (``index_type``), scores stay float64
    (the proof compares them). Memory (issue 15: the merges of the first candidates were the
    peak of a 50,000-user sync): when every part is sorted by row, as the engine's edges are,
    the parts are merged ``MERGE_ROWS`` mentees at a time, so the keys and sort orders exist
    for one such range only (measured in-process at 50,000 x 5,000: the solver's peak 24 MB lower);
    other parts go through ``_merge_range`` whole.
    """
    parts = tuple((p[0], p[1], p[2]) for p in parts)
    total = sum(len(p[0]) for p in parts)
    top = max((int(p[0].max()) for p in parts if len(p[0])), default=-1) + 1
    itype = index_type(top, m)
    if total <= MERGE_ROWS * 8 or not all(_rows_sorted(p[0]) for p in parts):
        return _merge_range(m, itype, parts)
    edges = np.arange(0, top + MERGE_ROWS, MERGE_ROWS)
    cuts = [np.searchsorted(p[0], edges.astype(p[0].dtype)) for p in parts]  # in the rows' dtype: no copy of them (below)
    pieces = [_merge_range(m, itype, tuple((p[0][c[k]:c[k + 1]], p[1][c[k]:c[k + 1]], p[2][c[k]:c[k + 1]])
                                        for p, c in zip(parts, cuts, strict=True)))
              for k in range(len(edges) - 1)]
    return _finish(pieces)


def _rows_sorted(rows: np.ndarray) -> bool:
    return bool(len(rows) < 2 or (rows[1:] >= rows[:-1]).all())


def _merge_range(m: int, itype: type[np.signedinteger], parts: tuple[Edges, ...]) -> Edges:
    """``merge`` over parts in any order: one int64 key per listed edge, its stable sort order
    (the keys sorted in place), then only the kept edges; the scores gathered part by part (no
    concatenated copy), the rows and columns computed straight into ``itype``."""
    keys = np.concatenate([p[0].astype(np.int64) * m + p[1] for p in parts])
    order = np.argsort(keys, kind="stable")  # stable: of equal keys, the first listed comes first
    keys.sort()  # the same as keys[order], without a second array
    first = np.ones(len(keys), dtype=bool)
    np.not_equal(keys[1:], keys[:-1], out=first[1:])
    order = order[first]
    keys = keys[first]
    del first
    values = np.empty(len(order))
    start = 0
    for part in parts:
        inside = (order >= start) & (order < start + len(part[2]))
        values[inside] = part[2][order[inside] - start]
        start += len(part[2])
    del order
    rows, cols = np.empty(len(keys), dtype=itype), np.empty(len(keys), dtype=itype)
    np.floor_divide(keys, m, out=rows, casting="unsafe")  # below 2**31 when itype is int32
    np.remainder(keys, m, out=cols, casting="unsafe")
    return rows, cols, values


def index_type(n: int, m: int) -> type[np.signedinteger]:
    """int32 for row and column indices below ``2**31``, else int64 (issue 15, memory)."""
    return np.int32 if max(n, m) < np.iinfo(np.int32).max else np.int64


def parallel(fn: Callable[[slice], T], blocks: list[slice]) -> list[T]:
    """Blocks in order, two at a time: numpy and scipy release the GIL, so two cores work.

    BLAS is held to one thread meanwhile (threadpoolctl): OpenBLAS's own threads beside the
    two scan threads fought over the cores, and a block's product took twice as long (issue
    15, measured at 50,000 x 10,000: ``Scores``)."""
    if len(blocks) <= 1:
        return [fn(b) for b in blocks]
    with threadpool_limits(limits=1, user_api="blas"), ThreadPoolExecutor(max_workers=min(2, os.cpu_count() or 1)) as pool:
        return list(pool.map(fn, blocks))


def _cells(mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    flat = np.flatnonzero(mask)  # faster than a 2-d nonzero
    return flat // mask.shape[1], flat % mask.shape[1]


def _top(r: np.ndarray, c: np.ndarray, value: np.ndarray, ids: np.ndarray, noise: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """The best ``k`` cells of each row among the given ones (sorted by row; ``ids[r]`` the
    rows' global mentee indices): by value, exact ties by the pair's tie-breaker. The cells
    go into a padded (rows, most cells) table so that one partition per row picks them (a
    sort by row and value was measured 5x slower)."""
    if len(r) == 0:
        return r, c
    start = np.flatnonzero(np.r_[True, r[1:] != r[:-1]])
    size = np.diff(np.r_[start, len(r)])
    if size.max() <= k:
        return r, c
    chunk = max(1, BLOCK_CELLS // int(size.max()))
    if len(start) > chunk:  # a few rows with thousands of tied cells: bounded tables, not one huge one
        parts = [_top(r[a:b], c[a:b], value[a:b], ids, noise, k)
                 for a, b in zip(start[::chunk], [*start[chunk::chunk], len(r)], strict=True)]
        return np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts])
    table = np.full((len(start), int(size.max())), np.inf)
    table[np.repeat(np.arange(len(start)), size), np.arange(len(r)) - np.repeat(start, size)] = -(
        value.astype(np.float64) + noise[ids[r] % len(noise), c])
    best = np.argpartition(table, k - 1, axis=1)[:, :k]
    flat = (start[:, None] + best)[best < size[:, None]]
    return r[flat], c[flat]


def _floor_for(part: np.ndarray, fewest: int, infeasible_below: float) -> np.ndarray | None:
    """For each row of ``part``, a value with at least ``fewest`` cells at or above it and
    usually not many more (about 1.2 x ``fewest``), never below ``infeasible_below``; None
    when the rows are too short to gain (``pick`` then widens step by step).

    The columns are cut into ``chunks`` (at least 4 x ``fewest``) sets; the ``fewest``-th
    largest of a row's set maxima has ``fewest`` distinct cells (those maxima) at or above it,
    whatever the values. One reduction and a partition of a (rows, chunks) table, in place of a
    whole-block compare per doubling step (issue 15, speed: a mentee's best 32 by score took
    1.7 s of a 50,000 x 10,000 match, measured 7.1 -> about 3 ms per block of 256 x 10,000)."""
    rows, m = part.shape
    chunks = 1 << max(4 * fewest - 1, 1).bit_length()
    per = m // chunks
    if per < 2:
        return None
    maxima = part[:, :chunks * per].reshape(rows, per, chunks).max(axis=1)  # set t: columns t, t + chunks, ...
    floor = np.partition(maxima, chunks - fewest, axis=1)[:, chunks - fewest].astype(np.float64)
    return np.maximum(floor, infeasible_below)


def pick(
    red: np.ndarray, best: np.ndarray, rows: np.ndarray, margin: float, fewest: int, most: int, noise: np.ndarray,
    ids: np.ndarray, infeasible_below: float,
) -> tuple[np.ndarray, np.ndarray]:
    """Among ``rows`` of a reduced-score block: every column within ``margin`` of the row's
    best, at least ``fewest`` and at most ``most`` (see the module docstring for the order).
    ``ids[i]`` is row ``i``'s global mentee index (the tie-breakers depend on it only)."""
    if len(rows) == 0:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    m = red.shape[1]
    sub = red if len(rows) == red.shape[0] else red[rows]
    ids = ids[rows]
    top = best[rows].astype(np.float64)
    if fewest == most:  # the best ``fewest`` of every row, whatever the margin: no first compare needed
        r, c = np.empty(0, np.int64), np.empty(0, np.int64)
        counts = np.zeros(len(rows), dtype=np.int64)
    else:
        r, c = _cells(sub >= (top - margin).astype(sub.dtype)[:, None])
        counts = np.bincount(r, minlength=len(rows))  # cheaper than counting along the rows
    keep = ((counts >= fewest) & (counts <= most))[r]
    out_r, out_c = [r[keep]], [c[keep]]
    over = (counts > most)[r]
    if over.any():
        tr, tc = _top(r[over], c[over], sub[r[over], c[over]], ids, noise, min(most, m))
        out_r.append(tr)
        out_c.append(tc)
    todo = np.flatnonzero(counts < fewest)
    if len(todo) == 0:
        return rows[np.concatenate(out_r)], np.concatenate(out_c)
    # The rows short of ``fewest`` go on alone (a copy of them unless they are all the rows).
    part = sub if len(todo) == len(sub) else sub[todo]
    below = top[todo] - margin  # each row's floor so far (too high: fewer than ``fewest`` above it)
    floor = _floor_for(part, fewest, infeasible_below)
    width = 1.0
    if floor is None:
        floor = np.maximum(below - width, infeasible_below)
    while len(todo):
        # Every row's floor is at or below its ``fewest``-th value once ``done``: the cells
        # above it hold every cell tied with that value, so ``_top`` picks what a sort would.
        pr, pc = _cells(part >= floor.astype(part.dtype)[:, None])
        done = (np.bincount(pr, minlength=len(part)) >= fewest) | (floor <= infeasible_below)
        ok = done[pr]
        tr, tc = _top(pr[ok], pc[ok], part[pr[ok], pc[ok]], ids[todo], noise, min(fewest, m))
        out_r.append(todo[tr])
        out_c.append(tc)
        if done.all():
            break
        left = ~done
        todo, part, below, floor = todo[left], part[left], below[left], floor[left]
        # Widen (doubling), the last step down to the infeasible values taking every feasible column.
        width *= 2
        floor = np.full(len(todo), infeasible_below) if width > WIDEST else np.maximum(
            np.minimum(below, floor) - width, infeasible_below)
    return rows[np.concatenate(out_r)], np.concatenate(out_c)


def scan_rows(scores: Scores, prices: np.ndarray, margin: float, fewest: int, most: int,
              merged_with: Edges | None = None) -> Edges:
    """Near-best candidates of every mentee at ``prices`` (see ``pick``), with exact scores.

    With ``merged_with`` (edges sorted by row) the result is ``merge(m, merged_with, found)``,
    done block by block, so the candidates found never exist for every mentee at once beside
    that union (issue 15, memory: with the ranged ``merge``, ``lmsync match`` at 50,000 x 10,000
    peaked at 324 MB instead of 360)."""
    prices = np.round(prices / QUANTUM) * QUANTUM  # estimates too: keeps s - q exact
    ceiling = float(np.ceil(min(max(float(prices.max()), 0.0), scores.comp.max_score + margin + 1)))
    priced = scores.priced(prices, ceiling)
    low = priced.infeasible_below
    itype = index_type(scores.n, scores.m)

    def one(block: slice) -> Edges:
        red = scores.reduced(block, priced)
        best = red.max(axis=1)
        ids = np.arange(block.start, block.stop)
        r, c = pick(red, best, np.flatnonzero(best >= low), margin, fewest, most, scores.noise, ids, low)
        found = _sorted(scores, r + block.start, c, red[r, c].astype(np.float64) + priced.clipped[c])
        if merged_with is None:
            return found
        # The bounds in the rows' own dtype: int64 bounds against int32 rows made numpy cast a copy of
        # all the rows, twice per block (0.45 s of a 50,000 x 10,000 match; issue 15, speed)
        a, b = np.searchsorted(merged_with[0], np.array([block.start, block.stop], dtype=merged_with[0].dtype))
        return _merge_range(scores.m, itype, ((merged_with[0][a:b], merged_with[1][a:b], merged_with[2][a:b]), found))

    return _finish(parallel(one, scores.blocks()))


def _sorted(scores: Scores, rows: np.ndarray, cols: np.ndarray, dense: np.ndarray) -> Edges:
    """One block's picks sorted by (row, col), bonus added: the blocks then only concatenate
    (a sort of all the picks at once held five copies of them: the peak of a 50,000-user sync).
    Rows and columns in ``index_type`` (int32 below 2**31: 8 bytes less per pick, issue 15)."""
    key = rows.astype(np.int64) * scores.m + cols
    order = np.argsort(key)
    key = key[order]
    itype = index_type(scores.n, scores.m)
    return (key // scores.m).astype(itype), (key % scores.m).astype(itype), dense[order] + scores.bonus_of(key)


def _finish(parts: list[Edges]) -> Edges:
    """The parts (in order) as one edge list; ``parts`` is emptied. Each component's pieces are
    let go once it is joined, so the pieces and the result overlap by one component only."""
    components: list[list[np.ndarray]] = [[p[i] for p in parts] for i in range(3)]
    parts.clear()
    joined = []
    for pieces in components:
        joined.append(np.concatenate(pieces))
        pieces.clear()
    return joined[0], joined[1], joined[2]


def scan(scores: Scores, prices: np.ndarray, utility: np.ndarray, everyone: bool = False) -> tuple[np.ndarray, Edges]:
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
        top = red.max(axis=1)
        best = top.astype(np.float64)
        best[best < low] = -np.inf
        u = utility[block]
        ids = np.arange(block.start, block.stop)
        bad = (best > u + TOLERANCE) | (everyone & (best > -np.inf))
        r, c = pick(red, top, np.flatnonzero(bad & ~lost[block]), NEAR, FEWEST, MOST, scores.noise, ids, low)
        found = [(r, c, red[r, c].astype(np.float64) + clipped[c])]
        gone = np.flatnonzero(lost[block])
        if len(gone):  # negative utility (unmatched: -P): exact in float64 at the real prices
            sub = red[gone]
            exact = np.where(sub >= low, sub.astype(np.float64) + clipped - prices, -np.inf)
            best[gone] = exact.max(axis=1)
            worse = np.flatnonzero(bad[gone])
            r, c = pick(exact, best[gone], worse, NEAR, FEWEST, MOST, scores.noise, ids[gone], -np.finfo(np.float64).max)
            found.append((gone[r], c, exact[r, c] + prices[c]))
        r, c, value = (np.concatenate([f[i] for f in found]) for i in range(3))
        return best, _sorted(scores, r + block.start, c, value)

    parts = parallel(one, scores.blocks())
    best = np.concatenate([p[0] for p in parts])
    return best, _finish([p[1] for p in parts])


def recheck(scores: Scores, prices: np.ndarray, utility: np.ndarray, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """The certificate check on the pairs in ``rows`` (every mentor) and ``cols`` (every other
    mentee) only: a mask of the mentees found with ``s - q > u`` there.

    ``rows`` (n,) and ``cols`` (m,) are masks. Why that suffices after a round whose previous
    certificate ``(q0, u0)`` passed ``scan`` on every row outside ``bad0``: see
    ``lmsync.domain.assignment`` (incremental proof). Exact: dense scores from the float32
    feature product (exact, see ``compatibility``), then ``- q`` in float64 without clipping.
    """
    bad = np.zeros(scores.n, dtype=bool)
    which_rows, which_cols, others = np.flatnonzero(rows), np.flatnonzero(cols), np.flatnonzero(~rows)
    for r_idx, c_idx in ((which_rows, np.arange(scores.m)), (others, which_cols)):
        if len(r_idx) == 0 or len(c_idx) == 0:
            continue
        chunk = max(BLOCK_ROWS, BLOCK_CELLS // len(c_idx))
        parts = [slice(a, min(a + chunk, len(r_idx))) for a in range(0, len(r_idx), chunk)]

        def one(part: slice, r_idx: np.ndarray = r_idx, c_idx: np.ndarray = c_idx) -> np.ndarray:
            return _best_exact(scores, r_idx[part], c_idx, prices)

        best = np.concatenate(parallel(one, parts))
        bad[r_idx] |= best > utility[r_idx] + TOLERANCE
    return bad


def _best_exact(scores: Scores, r_idx: np.ndarray, c_idx: np.ndarray, prices: np.ndarray) -> np.ndarray:
    """Each of mentees ``r_idx``'s best ``s - q`` over mentors ``c_idx`` (dense part, float64)."""
    dense = scores.comp.features(r_idx) @ scores.right[:, c_idx]
    exact = dense.astype(np.float64)
    exact[dense < scores.comp.infeasible_below] = -np.inf
    if len(scores.blocked):
        row_at = np.full(scores.n, -1)
        row_at[r_idx] = np.arange(len(r_idx))
        col_at = np.full(scores.m, -1)
        col_at[c_idx] = np.arange(len(c_idx))
        i, j = row_at[scores.blocked[:, 0]], col_at[scores.blocked[:, 1]]
        hit = (i >= 0) & (j >= 0)
        exact[i[hit], j[hit]] = -np.inf
    exact -= prices[c_idx]
    best: np.ndarray = exact.max(axis=1)
    return best
