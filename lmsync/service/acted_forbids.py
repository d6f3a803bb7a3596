"""A ``[matching] forbids`` entry that ended a place held for a mentee away has acted (tester round 105a, 5).

A forbid naming someone away is left out of the match and said to wait for them (``match.waits``): "forbid s0029 ->
m0003 waits: s0029 is not active in the course ..., it holds again when they are back", and ``lmsync run``'s sync
line counts it among the "[matching] entries waiting". When that mentee's place in the forbidden mentor's circle
was held, the same forbid ends the hold (``held_give_way.apart``) and the plan takes them out of the circle, saying
the pair is kept apart: the forbid has acted, and its "waits" line, beside that removal, is not said nor counted.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping


def acted(entries: Mapping[tuple[str, str], tuple[int, int]], ended: Collection[tuple[int, int]]) -> frozenset[tuple[str, str]]:
    """The forbid ``entries`` (``(mentee, mentor)`` as written -> ``(mentor, mentee)`` Moodle ids) whose pair is one of
    ``ended``: (mentor, mentee) Moodle ids of the held places a forbid ended."""
    return frozenset(entry for entry, pair in entries.items() if pair in ended)


def unsaid_waits(warnings: Iterable[str], kept_apart: Collection[tuple[str, str]]) -> list[str]:
    """``warnings`` without the "waits" lines (``match.waits``) of the forbids of ``kept_apart`` (``(mentee, mentor)``
    as written; ``RosterPeople.kept_apart``), which ended a held place."""
    said = tuple(f"forbid {mentee} -> {mentor} waits: " for mentee, mentor in kept_apart)
    return [w for w in warnings if not (said and w.startswith(said))]
