"""Why a pair opened by ``[matching] rematch`` moved: whose place it gave up, and to whom.

Matching maximises the total score (less the load-balance cost), not each mentee's own: a
flagged mentee may move to an equal or worse mentor when their mentor's place lets someone
else gain more than they lose, the stickiness weight counted. Matching said only "moved from
m3 (re-matching)", which read as a worse mentor for no reason (tester round 103a, 2). This
module names who took the place: ``with_places_said`` rewrites that reason of each such move,
``moved_reason`` says it (ids in the result, ``Name (id)`` where a view has the labels), ``places``
gives each mentor's places.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import replace

from lmsync.domain.compatibility import MatchSettings
from lmsync.domain.match_result import REMATCHING, Match
from lmsync.domain.people import Person

#: How a taker came to the place, said after their name; solver-made origins say nothing (the total score
#: chose them) and any one of them adds ``BY_TOTAL`` to the reason.
TAKER_WORDS = {"pinned": " (pinned there by [matching] pins)", "returned": " (back with their mentor after a break)"}
BY_TOTAL = ", which the total score favours"
#: origins of a pair new to its mentor in this match: who can have taken a place
NEW_TO_MENTOR = frozenset({"matched", "moved", "pinned", "returned"})


def plain_reason(before: str) -> str:
    """The reason matching gives a move out of a pair opened for re-matching (``matching._match_circle``)."""
    return f"moved from {before} ({REMATCHING})"


def moved_reason(before: str, takers: Sequence[tuple[str, str]], name: Callable[[str], str] = str) -> str:
    """``moved from m3 (re-matching: m3's place went to e3, which the total score favours)``.

    ``takers``: ``(mentee id, origin)`` of each mentee new to ``before`` in this match (``Match.origin``);
    ``name``: how a taker is named (an id by default; a view passes its ``Name (id)`` labels).
    Without takers, the plain reason (``plain_reason``)."""
    if not takers:
        return plain_reason(before)
    names = [f"{name(mentee)}{TAKER_WORDS.get(origin, '')}" for mentee, origin in takers]
    listed = names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"
    place = "place" if len(takers) == 1 else "places"
    why = BY_TOTAL if any(origin not in TAKER_WORDS for _, origin in takers) else ""
    return f"moved from {before} ({REMATCHING}: {before}'s {place} went to {listed}{why})"


def places(persons: Iterable[Person], settings: MatchSettings) -> dict[str, int]:
    """Mentor id -> places in their circle, as matching counts them (``matching._circles``): the capacity,
    a peer mentor's (no faculty mentor role) capped at ``triad_juniors`` in triads."""
    triads = settings.structure == "triads"
    return {p.id: min(p.capacity, settings.triad_juniors) if triads and not p.has_role("mentor") else p.capacity
            for p in persons if p.has_role("mentor") or p.has_role("peer_mentor")}


def place_takers(
    assignments: Iterable[Match], capacity: Mapping[str, int]
) -> dict[tuple[str, str], list[tuple[str, str]]]:
    """(circle, mentee) of each mentee moved out of a re-matching pair (``origin`` ``moved``, ``cause``
    ``REMATCHING``) whose former mentor is full after the match -> ``(mentee, origin)`` of those new to that
    mentor, in the mentor's circle, sorted by id. ``capacity``: mentor id -> places in their circle
    (``places``); a mentor not in it, or with room left, took nobody in a mover's place (the move had
    another cause: a better mentor, or the load balance), so the mover is left out."""
    pairs = list(assignments)
    new = _new_to_mentor(pairs)
    load: dict[tuple[str, str], int] = {}
    for a in pairs:
        load[(a.circle, a.mentor)] = load.get((a.circle, a.mentor), 0) + 1
    out: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for a in pairs:
        if a.origin != "moved" or a.cause != REMATCHING or a.previous is None:
            continue
        key = (a.circle, a.previous)
        if key in new and load[key] >= capacity.get(a.previous, load[key] + 1):
            out[(a.circle, a.mentee)] = new[key]
    return out


def _new_to_mentor(assignments: Iterable[Match]) -> dict[tuple[str, str], list[tuple[str, str]]]:
    """(circle, mentor) -> ``(mentee, origin)`` of each mentee new to that mentor in this match, sorted."""
    new: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for a in assignments:
        if a.origin in NEW_TO_MENTOR:
            new.setdefault((a.circle, a.mentor), []).append((a.mentee, a.origin))
    return {key: sorted(takers) for key, takers in new.items()}


def named_reasons(assignments: Sequence[Match], name: Callable[[str], str]) -> dict[tuple[str, str], list[str]]:
    """(circle, mentee) -> the reasons of each move whose place ``with_places_said`` said, the takers named by
    ``name`` (a view's ``Name (id)`` labels) instead of by id; moves it left plain are not in it."""
    moved = [a for a in assignments if a.origin == "moved" and a.cause == REMATCHING and a.previous is not None]
    if not moved:
        return {}
    new = _new_to_mentor(assignments)
    out: dict[tuple[str, str], list[str]] = {}
    for a in moved:
        assert a.previous is not None
        takers = new.get((a.circle, a.previous), [])
        said = moved_reason(a.previous, takers)
        if takers and said in a.reasons:
            named = moved_reason(a.previous, takers, name)
            out[(a.circle, a.mentee)] = [named if reason == said else reason for reason in a.reasons]
    return out


def with_places_said(assignments: Sequence[Match], capacity: Mapping[str, int]) -> list[Match]:
    """``assignments`` with the reason of each move out of a re-matching pair naming who took the place
    (``moved_reason``; ``place_takers`` for who counts and ``capacity``); the other matches as they were.
    ``cause`` stays ``REMATCHING`` (code reads it)."""
    takers = place_takers(assignments, capacity)
    if not takers:
        return list(assignments)
    out = []
    for a in assignments:
        if (a.circle, a.mentee) in takers and a.previous is not None:
            plain, said = plain_reason(a.previous), moved_reason(a.previous, takers[(a.circle, a.mentee)])
            a = replace(a, reasons=[said if reason == plain else reason for reason in a.reasons])
        out.append(a)
    return out
