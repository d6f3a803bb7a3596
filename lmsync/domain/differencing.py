"""Whether a report's figures together give fewer than ``min_cell`` people's answers back (tester round 120a, 1).

A mean shown with its n is a total: the sum of one wave's scores over a set of people. Two totals of one
wave's scores over sets that differ by one person give that person's score back by difference: the wave
table's T0 mean over the six mentees who answered T0, less the programme evaluation's mean before over the
five who answered T0 and T2 (6 x 3.667 - 5 x 4.2 = 1.0), was the sixth mentee's rating of their mentor.
More generally any linear combination of the totals shown may be: a paired mean change (T2 less T0 over
the same people) with the T2 mean over the same people gives their T0 total, and year groups added up give
their row "all". ``gives_back`` finds every such combination exactly (linear algebra over the totals, not
a list of known tricks); ``keep_apart`` keeps, figure by figure in a given order, the most a figure can show
without one.

Pure: sets of ids in, verdicts out (numpy).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

#: Combinations of small groups of people ``gives_back`` tries before it takes a leak as found.
LIMIT = 200_000


@dataclass(frozen=True)
class Total:
    """One total a figure shows: the sum over ``people`` of ``answers[plus] - answers[minus]``.

    ``plus`` and ``minus`` name whose answers of each person it adds and subtracts (e.g. a wave's scores),
    ``minus`` ``None`` for a plain total (a wave's mean times its n); ("T2", "T0") is a paired mean change.
    """

    people: frozenset[int]
    plus: Hashable
    minus: Hashable | None = None


@dataclass(frozen=True)
class Candidate:
    """A figure that may be shown: ``options`` what it shows, most first (e.g. every mean, then the change
    only); showing none of them is always possible. ``name``: the caller's key for it."""

    name: Hashable
    options: tuple[tuple[Total, ...], ...]


def _atoms(totals: Sequence[Total]) -> tuple[list[int], list[tuple[int, ...]]]:
    """The groups of people the totals hold alike (each person in exactly the same totals): their sizes, and
    for each the indexes of the totals that hold it."""
    signature: dict[int, list[int]] = defaultdict(list)
    for k, total in enumerate(totals):
        for who in total.people:
            signature[who].append(k)
    sizes: dict[tuple[int, ...], int] = defaultdict(int)
    for held in signature.values():
        sizes[tuple(held)] += 1
    signatures = sorted(sizes)
    return [sizes[key] for key in signatures], signatures


def _matrix(totals: Sequence[Total], signatures: Sequence[tuple[int, ...]]) -> tuple[np.ndarray, list[int]]:
    """The totals as rows over columns (group of people, whose answers), and each column's group."""
    columns: list[tuple[int, Hashable]] = []
    for g, held in enumerate(signatures):
        keys: list[Hashable] = []
        for k in held:
            for key in (totals[k].plus, totals[k].minus):
                if key is not None and key not in keys:
                    keys.append(key)
        columns.extend((g, key) for key in keys)
    index = {column: c for c, column in enumerate(columns)}
    matrix = np.zeros((len(totals), len(columns)))
    for g, held in enumerate(signatures):
        for k in held:
            matrix[k, index[(g, totals[k].plus)]] += 1
            if totals[k].minus is not None:
                matrix[k, index[(g, totals[k].minus)]] -= 1
    return matrix, [g for g, _key in columns]


def _row_basis(matrix: np.ndarray) -> np.ndarray:
    """An orthonormal basis (rows) of the row space of ``matrix``."""
    if matrix.size == 0:
        return np.zeros((0, matrix.shape[1]))
    _u, singular, vt = np.linalg.svd(matrix, full_matrices=False)
    return vt[: int(np.sum(singular > 1e-9 * max(1.0, float(singular[0]))))]


def gives_back(totals: Sequence[Total], min_cell: int) -> bool:
    """Whether some combination of ``totals`` is over the answers of at least 1 and fewer than ``min_cell``
    people (so those people's answers, or a sum or difference of them, can be read from the figures).

    Exact: people held by exactly the same totals are one group (their answers only ever appear summed), so
    such a combination lies on the answers of groups of fewer than ``min_cell`` people each ("small"). The
    combinations that touch no other group form a space; one of them lies on a set of small groups of fewer
    than ``min_cell`` people in all when that space's projection, cut to those groups' columns, has an
    eigenvalue of 1. Each such set of groups the space touches is tried; past ``LIMIT`` sets it answers True
    (withholding is the safe side)."""
    totals = [t for t in totals if t.people]
    if min_cell <= 1 or not totals:
        return False
    sizes, signatures = _atoms(totals)
    matrix, group_of = _matrix(totals, signatures)
    small = [c for c, g in enumerate(group_of) if sizes[g] < min_cell]
    large = [c for c, g in enumerate(group_of) if sizes[g] >= min_cell]
    if not small:
        return False
    # the combinations of totals that cancel every large group's answers, on the small groups' columns
    cancelling = _row_basis(matrix[:, large].T) if large else np.zeros((0, len(totals)))
    keep = np.eye(len(totals)) - cancelling.T @ cancelling  # onto the combinations that cancel them
    basis = _row_basis(keep @ matrix[:, small])
    if len(basis) == 0:
        return False
    projection = basis.T @ basis
    columns_of: dict[int, list[int]] = defaultdict(list)
    for j, c in enumerate(small):
        if projection[j, j] > 1e-9:  # a column the space touches
            columns_of[group_of[c]].append(j)
    groups = sorted(columns_of, key=lambda g: sizes[g])
    leverage = {g: float(sum(projection[j, j] for j in columns_of[g])) for g in groups}
    tried = 0

    def search(start: int, picked: list[int], size: int, trace: float) -> bool:
        """Every set of the groups from ``start`` on added to ``picked`` while under ``min_cell`` people."""
        nonlocal tried
        for at in range(start, len(groups)):
            g = groups[at]
            if size + sizes[g] >= min_cell:
                return False  # sorted by size: none after fits either
            tried += 1
            if tried > LIMIT:
                return True
            these, total = picked + columns_of[g], trace + leverage[g]
            # the eigenvalues sum to the trace: under 1, none of them is 1
            if total >= 1 - 1e-7 and float(np.linalg.eigvalsh(projection[np.ix_(these, these)])[-1]) >= 1 - 1e-7:
                return True
            if search(at + 1, these, size + sizes[g], total):
                return True
        return False

    return search(0, [], 0, 0.0)


def keep_apart(candidates: Sequence[Candidate], min_cell: int) -> Mapping[Hashable, int]:
    """Per candidate's name, the index of the option it shows (``len(options)``: none): in the order given,
    each takes its first option that, with those already taken, gives nobody's answers back (``gives_back``).

    The order is the caller's priority: a figure earlier in it is never withheld for one later, so a figure
    a report showed before a later figure existed (a wave's mean before the evaluation that compares it)
    reads the same in every report after it, and two reports cannot be set side by side to undo it."""
    shown: list[Total] = []
    chosen: dict[Hashable, int] = {}
    for candidate in candidates:
        chosen[candidate.name] = len(candidate.options)
        for k, option in enumerate(candidate.options):
            if not gives_back([*shown, *option], min_cell):
                shown.extend(option)
                chosen[candidate.name] = k
                break
    return chosen
