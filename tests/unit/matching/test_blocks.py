"""Issue 15, memory: the pair scan works in bounded blocks, and the block size changes nothing.

Candidates are picked per mentee with ties broken by a number of the global (mentee,
mentor) pair, so one-row blocks, odd blocks and one block for everything give the same
candidate graph, the same assignment and the same proof; the threshold search that picks
each mentee's best few equals a plain sort of the whole row.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

import lmsync.domain.pair_scan as pair_scan
from lmsync.domain.compatibility import Circle, Compatibility, MatchSettings, Weights
from lmsync.domain.matching import match
from lmsync.domain.people import People

from .helpers import objective
from .test_pruned_certificate import programme

TIES = MatchSettings(weights=Weights(same_department=3, shared_interests=0, shared_language=1, year_gap=0, preference=0, need=0))


def _comp(people: People, settings: MatchSettings) -> Compatibility:
    persons = sorted(people.persons, key=lambda p: p.id)
    mentees = [p for p in persons if p.has_role("mentee")]
    mentors = [p for p in persons if not p.has_role("mentee")]
    circle = Circle("mentor", mentees, mentors, [p.capacity for p in mentors],
                    [not p.has_role("mentor") for p in mentors], frozenset(people.forbids), {}, {})
    return Compatibility(circle, settings)


def _reference(red: np.ndarray, ids: np.ndarray, noise: np.ndarray, margin: float, fewest: int, most: int,
               low: float) -> set[tuple[int, int]]:
    """What ``pick`` promises, by sorting every row: within ``margin`` of the best, else the
    best ``fewest`` / ``most`` by value, then the pair's tie-breaker, then the column."""
    out = set()
    for i, row in enumerate(red.astype(np.float64)):
        feasible = np.flatnonzero(row >= low)
        if len(feasible) == 0:
            continue
        near = feasible[row[feasible] >= row[feasible].max() - margin]
        if fewest <= len(near) <= most:
            out |= {(i, int(j)) for j in near}
            continue
        k = most if len(near) > most else fewest
        ranked = sorted(feasible, key=lambda j: (-(row[j] + noise[ids[i] % len(noise), j]), j))
        out |= {(i, int(j)) for j in ranked[:k]}
    return out


@pytest.mark.parametrize("settings", [MatchSettings(), TIES], ids=["varied", "ties"])
@pytest.mark.parametrize(("margin", "fewest", "most"), [(0.0, 32, 32), (1.0, 3, 32), (0.5, 8, 12), (0.0, 40, 60)])
def test_pick_on_wide_rows_equals_sorting_every_row(settings: MatchSettings, margin: float, fewest: int, most: int) -> None:
    """Rows wide enough for ``_floor_for`` (the set maxima that replace the doubling steps, issue
    15): still exactly the cells a sort of every row picks, ties and infeasible pairs included."""
    people = programme(30, 700, 11)
    comp = _comp(dataclasses.replace(people, forbids=(("s000", "t001"), ("s003", "t250"))), settings)
    scores = pair_scan.Scores(comp)
    prices = np.random.default_rng(2).integers(0, 8, comp.m) * 0.5
    priced = scores.priced(prices, 8.0)
    red = scores.reduced(slice(0, comp.n), priced)
    red[5, ::3] = priced.infeasible_below - 1  # a row with a third of its mentors out of reach
    ids = np.arange(7, 7 + comp.n)
    best = red.max(axis=1)
    rows = np.flatnonzero(best >= priced.infeasible_below)
    r, c = pair_scan.pick(red, best, rows, margin, fewest, most, scores.noise, ids, priced.infeasible_below)
    got = set(zip(r.tolist(), c.tolist(), strict=True))
    assert len(got) == len(r)
    assert got == _reference(red, ids, scores.noise, margin, fewest, most, priced.infeasible_below)


@pytest.mark.parametrize("fewest", [1, 3, 32])
def test_floor_for_leaves_at_least_fewest_cells_whatever_the_ties(fewest: int) -> None:
    rng = np.random.default_rng(fewest)
    part = rng.integers(0, 3, (50, 1000)).astype(np.float32)  # three values: ties everywhere
    part[0] = 0.0
    part[1, :] = -100.0
    part[1, 999] = 2.0  # one feasible cell: the floor falls to the infeasible bound
    floor = pair_scan._floor_for(part, fewest, -50.0)
    assert floor is not None
    above = (part >= floor.astype(np.float32)[:, None]).sum(axis=1)
    assert (above[2:] >= fewest).all()
    assert floor[1] == -50.0 if fewest > 1 else floor[1] == 2.0
    assert pair_scan._floor_for(part[:, :4 * fewest], fewest, -50.0) is None  # too narrow to gain


@pytest.mark.parametrize("settings", [MatchSettings(), TIES], ids=["varied", "ties"])
@pytest.mark.parametrize(("margin", "fewest", "most"), [(0.0, 5, 5), (0.5, 3, 6), (1.0, 2, 40), (0.0, 1, 1)])
def test_pick_equals_sorting_every_row(settings: MatchSettings, margin: float, fewest: int, most: int) -> None:
    comp = _comp(programme(70, 45, 3), settings)
    scores = pair_scan.Scores(comp)
    prices = np.random.default_rng(1).integers(0, 6, comp.m) * 0.5
    priced = scores.priced(prices, 8.0)
    red = scores.reduced(slice(0, comp.n), priced)
    ids = np.arange(100, 100 + comp.n)  # a block that does not start at mentee 0
    best = red.max(axis=1)
    rows = np.flatnonzero(best >= priced.infeasible_below)
    r, c = pair_scan.pick(red, best, rows, margin, fewest, most, scores.noise, ids, priced.infeasible_below)
    got = set(zip(r.tolist(), c.tolist(), strict=True))
    assert len(got) == len(r)  # no pair twice
    assert got == _reference(red, ids, scores.noise, margin, fewest, most, priced.infeasible_below)


@pytest.mark.parametrize("settings", [MatchSettings(), TIES], ids=["varied", "ties"])
def test_candidates_and_certificate_scan_do_not_depend_on_the_block_size(
    monkeypatch: pytest.MonkeyPatch, settings: MatchSettings
) -> None:
    comp = _comp(programme(90, 40, 5), settings)
    prices = np.random.default_rng(2).integers(0, 8, comp.m) * 0.25
    utility = np.random.default_rng(3).integers(-2, 8, comp.n) * 0.5
    utility[::17] = -1000.0  # unmatched mentees: their check runs in float64
    seen = []
    monkeypatch.setattr(pair_scan, "BLOCK_ROWS", 1)
    for cells in (comp.m, 7 * comp.m, 10**9):  # one row per block, odd blocks, a single block
        monkeypatch.setattr(pair_scan, "BLOCK_CELLS", cells)
        scores = pair_scan.Scores(comp)
        assert len(scores.blocks()) == {comp.m: comp.n, 10**9: 1}.get(cells, -(-comp.n // 7))
        first = pair_scan.scan_rows(scores, np.zeros(comp.m), margin=0.0, fewest=6, most=6)
        near = pair_scan.scan_rows(scores, prices, margin=1.0, fewest=3, most=10)
        best, violators = pair_scan.scan(scores, prices, utility)
        seen.append([*first, *near, best, *violators])
    for other in seen[1:]:
        assert all(np.array_equal(a, b) for a, b in zip(seen[0], other, strict=True))


@pytest.mark.parametrize("settings", [MatchSettings(), TIES], ids=["varied", "ties"])
def test_assignment_does_not_depend_on_the_block_size(monkeypatch: pytest.MonkeyPatch, settings: MatchSettings) -> None:
    people = programme(160, 40, 9, capacity=(2, 5))
    full = match(people, settings)
    results = []
    monkeypatch.setattr(pair_scan, "BLOCK_ROWS", 1)
    for cells in (40, 3 * 40, 10**9):
        monkeypatch.setattr(pair_scan, "BLOCK_CELLS", cells)
        pruned = match(people, dataclasses.replace(settings, full_graph_limit=0))
        assert pruned.proven_optimal
        assert objective(pruned, settings) == objective(full, settings)
        results.append([(a.mentee, a.mentor) for a in pruned.assignments])
    assert results[0] == results[1] == results[2]


def test_result_as_a_dict_equals_dataclasses_asdict() -> None:
    result = match(programme(30, 10, 1), MatchSettings())
    data = result.to_dict()
    assert data["assignments"] == [dataclasses.asdict(a) for a in result.assignments]
    assert data["unmatched"] == [dataclasses.asdict(u) for u in result.unmatched]
    assert [list(d) for d in data["assignments"][:1]] == [[f.name for f in dataclasses.fields(result.assignments[0])]]
    assert {k: v for k, v in data["optimality"][0].items() if k not in ("circle", "summary")} == dataclasses.asdict(
        result.optimality[0].optimality)
    data["assignments"][0]["reasons"].append("changed")  # a copy: the result is unchanged
    assert "changed" not in result.assignments[0].reasons
