"""Issue 15, sync memory (second pass): the leaner solver state gives the same answers.

- ``Scores`` keeps no copy of the features (each block multiplies its rows of ``comp.left``), and
  the exact checks multiply ``comp.left`` itself; the float64 path converts one block at a time.
- The scans return int32 rows and columns (``index_type``), like ``merge``.
- The first candidates merge the scan at the refined prices straight into ``wide``, which
  holds the bonus edges already: the same edges and scores as merging the bonus in again.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

import lmsync.domain.assignment as assignment
import lmsync.domain.pair_scan as pair_scan
from lmsync.domain.compatibility import Circle, Compatibility, MatchSettings
from lmsync.domain.matching import match
from lmsync.domain.people import People

from .helpers import objective
from .test_blocks import TIES
from .test_pruned_certificate import programme


def _comp_with_bonus(people: People, settings: MatchSettings) -> Compatibility:
    """The mentor circle with the mentees' preferences as sparse bonus edges."""
    persons = sorted(people.persons, key=lambda p: p.id)
    mentees = [p for p in persons if p.has_role("mentee")]
    mentors = [p for p in persons if not p.has_role("mentee")]
    ranks = {p.id: {m: r for r, m in enumerate(p.preferences)} for p in mentees if p.preferences}
    circle = Circle("mentor", mentees, mentors, [p.capacity for p in mentors],
                    [not p.has_role("mentor") for p in mentors], frozenset(people.forbids), {}, ranks)
    return Compatibility(circle, settings)


@pytest.mark.parametrize("settings", [MatchSettings(), TIES], ids=["varied", "ties"])
def test_scores_hold_no_copy_of_the_features(settings: MatchSettings) -> None:
    comp = _comp_with_bonus(programme(90, 40, 3), settings)
    scores = pair_scan.Scores(comp)
    held = [v for v in vars(scores).values() if isinstance(v, np.ndarray)]
    assert not any(v.ndim == 2 and v.shape[0] == comp.n for v in held)


def test_the_float32_scans_and_the_float64_path_prove_the_optimum(monkeypatch: pytest.MonkeyPatch) -> None:
    float64_blocks: list[int] = []
    reduced = pair_scan.Scores.reduced

    def watched(self: pair_scan.Scores, block: slice, priced: pair_scan.Priced) -> np.ndarray:
        if priced.right.dtype == np.float64 and self.comp.dtype != np.float64:
            float64_blocks.append(block.stop - block.start)
        return reduced(self, block, priced)

    monkeypatch.setattr(pair_scan.Scores, "reduced", watched)
    people = programme(120, 30, 4, capacity=(2, 5))
    monkeypatch.setattr(assignment, "ESTIMATE_FROM", 0)
    for limit, ceiling in ((0, None), (0, 1e9)):  # the float32 scans and the float64 path
        if ceiling is not None:
            monkeypatch.setattr(pair_scan, "NEAR", ceiling)
        result = match(people, MatchSettings(full_graph_limit=limit))
        assert result.proven_optimal
        assert bool(float64_blocks) == (ceiling is not None)  # each path was taken


@pytest.mark.parametrize("settings", [MatchSettings(), TIES], ids=["varied", "ties"])
def test_recheck_on_comp_left_equals_the_float64_product(settings: MatchSettings) -> None:
    comp = _comp_with_bonus(programme(70, 25, 8), settings)
    scores = pair_scan.Scores(comp)
    rng = np.random.default_rng(2)
    prices = rng.integers(0, 12, comp.m) * 0.25
    dense = comp.left.astype(np.float64) @ comp.right.astype(np.float64)
    dense[dense < comp.infeasible_below] = -np.inf
    dense[comp.blocked[:, 0], comp.blocked[:, 1]] = -np.inf
    best = (dense - prices).max(axis=1)
    utility = best - rng.integers(-1, 2, comp.n) * 0.5  # some mentees violate, some do not
    everyone = np.ones(comp.n, dtype=bool)
    found = pair_scan.recheck(scores, prices, utility, everyone, np.zeros(comp.m, dtype=bool))
    assert found.any() and not found.all()
    assert np.array_equal(found, best > utility + pair_scan.TOLERANCE)


def test_scans_return_int32_indices() -> None:
    comp = _comp_with_bonus(programme(60, 20, 5), MatchSettings())
    scores = pair_scan.Scores(comp)
    picked = pair_scan.scan_rows(scores, np.zeros(comp.m), margin=0.0, fewest=4, most=4)
    _, found = pair_scan.scan(scores, np.zeros(comp.m), np.full(comp.n, -1.0))
    for rows, cols, values in (picked, found):
        assert len(rows) > 0 and rows.dtype == cols.dtype == np.int32 and values.dtype == np.float64
        merged = pair_scan.merge(comp.m, (rows, cols, values))  # sorted, no pair twice: unchanged
        assert all(np.array_equal(a, b) for a, b in zip(merged, (rows, cols, values), strict=True))


@pytest.mark.parametrize("seed", [1, 6])
def test_scan_merged_into_wide_needs_no_second_bonus_merge(monkeypatch: pytest.MonkeyPatch, seed: int) -> None:
    comp = _comp_with_bonus(programme(80, 30, seed), MatchSettings())
    scores = pair_scan.Scores(comp)
    bonus = scores.bonus_edges()
    assert len(bonus[0]) > 0
    wide = pair_scan.merge(comp.m, pair_scan.scan_rows(scores, np.zeros(comp.m), 0.0, 3, 3), bonus)
    prices = np.random.default_rng(seed).integers(0, 8, comp.m) * 0.25
    near = pair_scan.scan_rows(scores, prices, margin=1.0, fewest=3, most=6)
    direct = pair_scan.merge(comp.m, wide, near)
    before = pair_scan.merge(comp.m, wide, pair_scan.merge(comp.m, near, bonus))
    assert all(np.array_equal(a, b) for a, b in zip(direct, before, strict=True))
    # Issue 15, memory: the same union built block by block inside the scan (blocks of 7 mentees).
    monkeypatch.setattr(pair_scan, "BLOCK_ROWS", 7)
    monkeypatch.setattr(pair_scan, "BLOCK_CELLS", 1)
    small = pair_scan.Scores(comp)
    assert len(small.blocks()) > 5
    fused = pair_scan.scan_rows(small, prices, margin=1.0, fewest=3, most=6, merged_with=wide)
    assert all(np.array_equal(a, b) for a, b in zip(fused, direct, strict=True))


def test_estimated_first_candidates_are_proved_and_optimal(monkeypatch: pytest.MonkeyPatch) -> None:
    people = programme(140, 35, 9, capacity=(2, 5))
    settings = MatchSettings()
    full = match(people, settings)
    monkeypatch.setattr(assignment, "ESTIMATE_FROM", 0)  # the auction path, its table freed early
    pruned = match(people, dataclasses.replace(settings, full_graph_limit=0))
    assert pruned.proven_optimal
    assert objective(pruned, settings) == objective(full, settings)


@pytest.mark.parametrize(
    ("weights", "peers", "held"),
    [({}, 0.0, np.int8), ({"shared_interests": 0.5}, 0.0, np.float32), ({}, 0.3, np.float32)],
    ids=["whole weights: int8", "a fractional weight", "peer year gaps (-big)"],
)
def test_features_are_held_as_int8_only_when_every_value_is_a_small_whole_number(
    weights: dict[str, float], peers: float, held: type,
) -> None:
    # issue 15, memory: comp.left was 12.8 MB in float32 at a 50,000-user sync; int8 holds 0..3 exactly
    people = programme(60, 20, 5, peers=peers)
    settings = MatchSettings(weights=dataclasses.replace(MatchSettings().weights, **weights))
    comp = _comp_with_bonus(people, settings)
    assert comp.left.dtype == held
    wide = comp.left.astype(np.float64)
    assert comp.features(slice(0, comp.n)).dtype == comp.dtype
    assert np.array_equal(comp.features(slice(0, comp.n)).astype(np.float64), wide)
    expected = wide @ comp.right.astype(np.float64)
    expected[expected < comp.infeasible_below] = -np.inf
    if len(comp.blocked):
        expected[comp.blocked[:, 0], comp.blocked[:, 1]] = -np.inf
    assert np.array_equal(comp.dense(slice(0, comp.n)), expected)
    assert match(people, settings).proven_optimal
