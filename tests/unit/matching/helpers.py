"""Small builders for matching tests."""

from __future__ import annotations

import itertools

from lmsync.domain.compatibility import Circle, MatchSettings, explain, total
from lmsync.domain.matching import MatchResult
from lmsync.domain.people import People, Person


def mentor(pid: str, capacity: int = 2, **kw: object) -> Person:
    return Person(pid, "mentor", capacity=capacity, **kw)  # type: ignore[arg-type]


def peer(pid: str, year: int, capacity: int = 2, **kw: object) -> Person:
    return Person(pid, "peer_mentor", capacity=capacity, year=year, **kw)  # type: ignore[arg-type]


def mentee(pid: str, **kw: object) -> Person:
    return Person(pid, "mentee", **kw)  # type: ignore[arg-type]


def objective(result: MatchResult, settings: MatchSettings) -> float:
    return result.total_score - settings.load_balance * sum(n * (n - 1) / 2 for n in result.loads.values())


def brute_force(people: People, settings: MatchSettings) -> tuple[int, float]:
    """(most mentees matched, best score minus load cost) by trying every assignment (pairs, no fixed pairs)."""
    mentees = [p for p in people.persons if p.has_role("mentee")]
    mentors = [p for p in people.persons if (p.has_role("mentor") or p.has_role("peer_mentor")) and p.capacity > 0]
    forbidden = frozenset(people.forbids)
    ranks = {p.id: {m: r for r, m in reversed(list(enumerate(p.preferences)))} for p in mentees}
    circle = Circle("mentor", mentees, mentors, [], [], forbidden, {}, ranks)
    options = []
    for e in mentees:
        allowed: list[tuple[Person | None, float]] = [(None, 0.0)]
        for m in mentors:
            is_peer = not m.has_role("mentor")
            if m.id == e.id or (e.id, m.id) in forbidden:
                continue
            if is_peer and (e.year is None or m.year is None or settings.year_gap_value(m.year - e.year) is None):
                continue
            allowed.append((m, total(explain(circle, e, m, is_peer, settings)[0])))
        options.append(allowed)
    best = (-1, float("-inf"))
    for choice in itertools.product(*options):
        load: dict[str, int] = {}
        for m, _ in choice:
            if m is not None:
                load[m.id] = load.get(m.id, 0) + 1
        if any(load[m.id] > m.capacity for m in mentors if m.id in load):
            continue
        matched = sum(1 for m, _ in choice if m is not None)
        value = sum(s for _, s in choice) - settings.load_balance * sum(n * (n - 1) / 2 for n in load.values())
        best = max(best, (matched, value))
    return best
