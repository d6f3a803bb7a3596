"""Matching at scale: time, peak memory, score, gap to greedy, and whether optimality was proven.

    python benchmarks/matching.py                  # 500x100, 5000x1000, 50000x10000
    python benchmarks/matching.py --size 5000x1000 --structure triads

Each size runs in its own process so peak memory (ru_maxrss) belongs to that size alone.
Random programmes: 12 departments, 40 interests (1-4 each), 0-2 needs, 6 languages (1-2
each), mentee years 1-6, 20% of mentors are peer mentors (years 3-7), capacities 3-8, a
fifth of mentees rank three mentors. The greedy baseline takes candidate pairs in
descending score order (ties by ids) while the mentor has room, over the same top-k
candidate edges the engine starts from (for 500x100, all pairs).
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time

import numpy as np

from lmsync.domain.compatibility import Circle, Compatibility, MatchSettings
from lmsync.domain.matching import match
from lmsync.domain.people import People, Person

SIZES = ["500x100", "5000x1000", "50000x10000"]


def programme(mentees: int, mentors: int, seed: int = 7) -> People:
    rng = np.random.default_rng(seed)
    departments = [f"dept {i}" for i in range(12)]
    interests = [f"topic {i}" for i in range(40)]
    languages = ["en", "fr", "de", "es", "ar", "zh"]

    def some(pool: list[str], low: int, high: int) -> frozenset[str]:
        return frozenset(rng.choice(pool, size=int(rng.integers(low, high + 1)), replace=False).tolist())

    persons = []
    mentor_ids = [f"t{j:05d}" for j in range(mentors)]
    for j, pid in enumerate(mentor_ids):
        peer = j % 5 == 4
        persons.append(
            Person(
                pid,
                "peer_mentor" if peer else "mentor",
                capacity=int(rng.integers(3, 9)),
                department=str(rng.choice(departments)),
                interests=some(interests, 1, 4),
                languages=some(languages, 1, 2),
                year=int(rng.integers(3, 8)) if peer else None,
            )
        )
    for i in range(mentees):
        prefs: tuple[str, ...] = ()
        if rng.random() < 0.2:
            prefs = tuple(rng.choice(mentor_ids, size=3, replace=False).tolist())
        persons.append(
            Person(
                f"s{i:06d}",
                "mentee",
                department=str(rng.choice(departments)),
                interests=some(interests, 1, 4),
                needs=some(interests, 0, 2),
                languages=some(languages, 1, 2),
                year=int(rng.integers(1, 7)),
                preferences=prefs,
            )
        )
    return People(tuple(persons))


def top_k(comp: Compatibility, k: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each mentee's ``k`` best mentors by dense score, plus every bonus edge, with full scores."""
    parts = []
    step = max(1, 4_000_000 // comp.m)
    for start in range(0, comp.n, step):
        block = comp.dense(slice(start, start + step))
        top = np.argpartition(block, comp.m - k, axis=1)[:, comp.m - k :] if k < comp.m else np.tile(np.arange(comp.m), (len(block), 1))
        r = np.repeat(np.arange(len(block)), top.shape[1])
        c = top.ravel()
        ok = np.isfinite(block[r, c])
        parts.append((r[ok] + start, c[ok]))
    rows = np.concatenate([p[0] for p in parts] + [comp.bonus_rows])
    cols = np.concatenate([p[1] for p in parts] + [comp.bonus_cols])
    key = np.unique(rows.astype(np.int64) * comp.m + cols)
    rows, cols = key // comp.m, key % comp.m
    dense = np.empty(len(rows))
    for start in range(0, comp.n, step):
        sel = (rows >= start) & (rows < start + step)
        dense[sel] = comp.dense(slice(start, start + step))[rows[sel] - start, cols[sel]]
    bonus = np.array([comp.bonus.get((int(i), int(j)), 0.0) for i, j in zip(rows, cols, strict=True)]) if comp.bonus else 0.0
    ok = np.isfinite(dense)
    return rows[ok], cols[ok], (dense + bonus)[ok]


def greedy(people: People, settings: MatchSettings) -> tuple[float, float]:
    """Greedy-by-score total score and objective (score minus load cost), pairs structure."""
    persons = sorted(people.persons, key=lambda p: p.id)
    mentees = [p for p in persons if p.has_role("mentee")]
    mentors = [p for p in persons if p.has_role("mentor") or p.has_role("peer_mentor")]
    ranks = {p.id: {m: r for r, m in reversed(list(enumerate(p.preferences)))} for p in mentees if p.preferences}
    circle = Circle("mentor", mentees, mentors, [p.capacity for p in mentors],
                    [not p.has_role("mentor") for p in mentors], frozenset(), {}, ranks)
    comp = Compatibility(circle, settings)
    k = comp.m if comp.n * comp.m <= settings.full_graph_limit else settings.candidates_per_mentee
    rows, cols, scores = top_k(comp, k)
    order = np.lexsort((cols, rows, -scores))
    room = np.array([p.capacity for p in mentors])
    load = np.zeros(len(mentors), dtype=np.int64)
    taken = np.zeros(len(mentees), dtype=bool)
    score = 0.0
    cost = 0.0
    for e in order.tolist():
        i, j = rows[e], cols[e]
        if taken[i] or load[j] >= room[j]:
            continue
        taken[i] = True
        cost += settings.load_balance * load[j]
        load[j] += 1
        score += scores[e]
    return score, score - cost


def run(size: str, structure: str) -> dict[str, object]:
    n, m = (int(x) for x in size.split("x"))
    people = programme(n, m)
    settings = MatchSettings(structure=structure)  # type: ignore[arg-type]
    start = time.perf_counter()
    result = match(people, settings)
    seconds = time.perf_counter() - start
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    lb = settings.load_balance
    load_cost = sum(lb * load * (load - 1) / 2 for load in result.loads.values())
    figures: dict[str, object] = {
        "size": size,
        "structure": structure,
        "seconds": round(seconds, 2),
        "peak_mb": round(peak_mb),
        "matched": len(result.assignments),
        "unmatched": len(result.unmatched),
        "total_score": result.total_score,
        "objective": result.total_score - load_cost,
        "proven_optimal": result.proven_optimal,
        "optimality": [o.optimality.describe() for o in result.optimality],
    }
    if structure == "pairs":
        g_score, g_objective = greedy(people, settings)
        figures["greedy_score"] = g_score
        figures["greedy_objective"] = g_objective
        figures["gap_to_greedy"] = round(result.total_score - load_cost - g_objective, 3)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", action="append", help="MENTEESxMENTORS (repeatable)")
    parser.add_argument("--structure", default="pairs", choices=["pairs", "triads"])
    parser.add_argument("--inline", action="store_true", help="run in this process (internal)")
    args = parser.parse_args()
    sizes = args.size or SIZES
    if args.inline:
        for size in sizes:
            print(json.dumps(run(size, args.structure)))
        return
    for size in sizes:
        out = subprocess.run(
            [sys.executable, __file__, "--inline", "--size", size, "--structure", args.structure],
            check=True, capture_output=True, text=True,
        ).stdout
        f = json.loads(out.strip().splitlines()[-1])
        line = (f"{f['size']:>12} {f['structure']:<6} {f['seconds']:>6.2f}s {f['peak_mb']:>6} MB  "
                f"matched {f['matched']} unmatched {f['unmatched']}  score {f['total_score']:.1f}  "
                f"objective {f['objective']:.1f}")
        if "gap_to_greedy" in f:
            line += f"  greedy objective {f['greedy_objective']:.1f} (gap {f['gap_to_greedy']:+.1f})"
        line += f"  proven={f['proven_optimal']}"
        print(line)
        for text in f["optimality"]:  # type: ignore[attr-defined]
            print(f"{'':>14}{text}")


if __name__ == "__main__":
    main()
