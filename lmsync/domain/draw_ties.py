"""Which unmatched mentees lost a full mentor's place to the draw: they scored, with that mentor, the same as a
mentee the solve placed there.

The solve gives exact ties to the mentees it meets first, and it meets them in the draw's order
(``matching.draw_order``: a hash of ``[programme] name`` and the person's id). A mentee left unmatched who would
have scored with a full mentor what one of that mentor's placed mentees scores could have had that place instead,
for the same total (the loads, and so the load-balance cost, are the same either way): the draw decided. `lmsync
match` said only "no capacity left: all 2 allowed mentors are full" (tester round 117b, 6). Mentees placed before the
solve (kept pairs, pins, returns) are not in the draw: only the solve's places count.

``draw_ties(comp, mentor_of, capacity)``: for each unmatched row of ``comp`` (``Compatibility``; ``mentor_of``: the
solve's mentor index per mentee row, -1 when unmatched; ``capacity``: each mentor column's places in the solve) that
ties so, ``Tie`` (the first such full mentor column, by column order; the score, as the solve counts it; the placed
rows there with that score; how many other full mentors tie with it). Each mentor's lowest placed score is the one
compared: an optimal solve leaves no unmatched mentee scoring more with a full mentor. Exact: scores are multiples
of 1/1024 (``compatibility``). Time: one product of the unmatched rows with the full mentors' columns, in blocks of ``BLOCK``
rows. Raises nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from lmsync.domain.compatibility import Compatibility

BLOCK = 1024  # unmatched rows per product: 1024 x 5,000 full mentors is 20 MB in float32


@dataclass(frozen=True)
class Tie:
    """One unmatched row's tie: mentor column ``col``, the ``score`` both sides have with it (the solve's: a sticky
    pair's carries its extra 1/1024), the placed ``rows`` there with that score, ``more``: other full mentors tied."""

    col: int
    score: float
    rows: tuple[int, ...]
    more: int


def draw_ties(comp: Compatibility, mentor_of: np.ndarray, capacity: Sequence[int]) -> dict[int, Tie]:
    """The unmatched rows whose place the draw decided (module docstring): row -> ``Tie``."""
    unmatched = np.flatnonzero(mentor_of < 0)
    placed = np.flatnonzero(mentor_of >= 0)
    if not len(unmatched) or not len(placed):
        return {}
    cols = mentor_of[placed]
    loads = np.bincount(cols, minlength=comp.m)
    full = np.flatnonzero(loads >= np.asarray(capacity, dtype=np.int64))
    full = full[loads[full] > 0]
    if not len(full):
        return {}
    mine = placed[np.isin(cols, full)]
    theirs = mentor_of[mine]
    scores = np.einsum("ij,ji->i", comp.features(mine).astype(np.float64), comp.right[:, theirs].astype(np.float64))
    if comp.bonus:
        scores += [comp.bonus.get(pair, 0.0) for pair in zip(mine.tolist(), theirs.tolist(), strict=True)]
    by_col: dict[int, dict[float, list[int]]] = {}
    for i, j, s in zip(mine.tolist(), theirs.tolist(), scores.tolist(), strict=True):
        by_col.setdefault(j, {}).setdefault(s, []).append(i)
    # exact in the product's own dtype: multiples of 1/1024 below 2**14 (``compatibility``); wider, in float64
    dtype = comp.dtype if comp.max_score < 2 ** 13 else np.float64
    right = np.ascontiguousarray(comp.right[:, full], dtype=dtype)  # C-ordered: 15 times faster products
    lowest = np.array([min(by_col[int(j)]) for j in full], dtype=dtype)
    at = {int(j): c for c, j in enumerate(full)}
    bonus: dict[int, list[tuple[int, float]]] = {}
    for (i, j), value in comp.bonus.items():
        if j in at:
            bonus.setdefault(i, []).append((at[j], value))
    ties: dict[int, Tie] = {}
    same: dict[tuple[int, float], tuple[int, ...]] = {}
    for start in range(0, len(unmatched), BLOCK):
        rows = unmatched[start:start + BLOCK]
        block: np.ndarray = np.matmul(comp.features(rows).astype(dtype, copy=False), right)  # infeasible: about -big
        tied = block == lowest  # an optimal solve leaves no unmatched score above a full mentor's lowest
        for k in [k for k, i in enumerate(rows.tolist()) if i in bonus] if bonus else ():  # preferences, stickiness
            row = block[k].astype(np.float64)
            for c, value in bonus[int(rows[k])]:
                row[c] += value
            tied[k] = (row == lowest) & (block[k] >= comp.infeasible_below)
        if len(comp.blocked):  # the same person, forbids
            hit = comp.blocked[np.isin(comp.blocked[:, 0], rows) & np.isin(comp.blocked[:, 1], full)]
            tied[np.searchsorted(rows, hit[:, 0]), [at[int(j)] for j in hit[:, 1]]] = False
        count = np.count_nonzero(tied, axis=1)
        some = np.flatnonzero(count)
        first = tied[some].argmax(axis=1)
        for i, j, score, more in zip(rows[some].tolist(), full[first].tolist(), lowest[first].tolist(),
                                     (count[some] - 1).tolist(), strict=True):
            if (j, score) not in same:  # the mentees there with that score: shared by every row tied with them
                same[(j, score)] = tuple(sorted(by_col[j][score]))
            ties[i] = Tie(j, score, same[(j, score)], more)
    return ties
