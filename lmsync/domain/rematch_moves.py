"""Why a pair opened by ``[matching] rematch`` moved: whose place it gave up, and to whom; or the loads.

Matching maximises the total score (less the load-balance cost), not each mentee's own: a
flagged mentee may move to an equal or worse mentor when their mentor's place lets someone
else gain more than they lose, the stickiness weight counted. Matching said only "moved from
m3 (re-matching)", which read as a worse mentor for no reason (tester round 103a, 2). This
module names who took the place: ``with_places_said`` rewrites that reason of each such move,
``moved_reason`` says it (ids in the result, ``Name (id)`` where a view has the labels), ``places``
gives each mentor's places. A move whose former mentor still has room and whose mentee scores no
higher with the new mentor was made by the load-balance cost alone: ``with_moves_said`` says so with
the loads and the cost it saves (``balance_reason``), and ``named_reasons`` names the former mentor
as views name people, not by id (tester round 104b, 9).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import replace

from lmsync.domain.compatibility import Circle, MatchSettings, explain, total
from lmsync.domain.match_result import REMATCHING, Match
from lmsync.domain.people import People, Person
from lmsync.domain.unmatched import is_peer

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
    ``name``: how the former mentor and a taker are named (an id by default; a view passes its
    ``Name (id)`` labels: tester round 104b, 9). Without takers, the plain reason (``plain_reason``)."""
    if not takers:
        return plain_reason(name(before))
    names = [f"{name(mentee)}{TAKER_WORDS.get(origin, '')}" for mentee, origin in takers]
    listed = names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"
    place = "place" if len(takers) == 1 else "places"
    why = BY_TOTAL if any(origin not in TAKER_WORDS for _, origin in takers) else ""
    return f"moved from {name(before)} ({REMATCHING}: {name(before)}'s {place} went to {listed}{why})"


#: What follows ``moved from <mentor> (re-matching`` in a move the load-balance cost made (``balance_reason``)
EVEN_LOADS = "to even out mentors' loads"


def balance_reason(before: str, stayed: int, now: int, load_balance: float, lost: float) -> str:
    """``moved from m3 (re-matching, to even out mentors' loads: their former mentor would have 4 mentees had they
    stayed, against 2 with their new mentor now; that saves 2 of load-balance cost ([matching] load_balance 1), more than the 1 of
    score they lose (the stickiness weight counted))``: a move the load-balance cost alone made (tester round
    104b, 9). ``stayed``: the former mentor's mentees had the mover stayed; ``now``: the new mentor's, the mover
    counted; ``load_balance``: ``MatchSettings.load_balance`` (a mentor's ``k``-th mentee costs it times
    ``k - 1``, so the move saves it times ``stayed - now``); ``lost``: the score with the former mentor (the
    stickiness weight counted) less the score with the new one, >= 0. No feedback ratings: only the match's
    figures."""
    saved = load_balance * (stayed - now)
    than = "more than" if saved > lost else "as much as"
    loss = " at no loss of score" if not lost else f", {than} the {lost:g} of score they lose"
    return (f"moved from {before} ({REMATCHING}, {EVEN_LOADS}: their former mentor would have {stayed} mentees had "
            f"they stayed, against {now} with their new mentor now; that saves {saved:g} of load-balance cost ([matching] "
            f"load_balance {load_balance:g}){loss} (the stickiness weight counted))")


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
    """(circle, mentee) -> the reasons of each pair whose mentee moved from another mentor (``Match.previous``),
    that mentor and the takers of their place (``with_places_said``) named by ``name`` (a view's ``Name (id)``
    labels) instead of by id: ``moved from Mentor Three (m3) (...)``, ``...: moved from Mentor Three (m3)`` of a
    pin's move. The text of ``lmsync match`` named the former mentor by id (tester round 104b, 9); pairs whose
    reasons name nobody so are not in it."""
    moved = [a for a in assignments if a.previous is not None]
    if not moved:
        return {}
    new = _new_to_mentor(assignments)
    out: dict[tuple[str, str], list[str]] = {}
    for a in moved:
        assert a.previous is not None
        takers = new.get((a.circle, a.previous), []) if a.cause == REMATCHING else []
        said = moved_reason(a.previous, takers) if takers else None
        reasons = [moved_reason(a.previous, takers, name) if reason == said else _named(reason, a.previous, name)
                   for reason in a.reasons]
        if reasons != a.reasons:
            out[(a.circle, a.mentee)] = reasons
    return out


def _named(reason: str, before: str, name: Callable[[str], str]) -> str:
    """``reason`` with ``moved from <before>`` (then `` (`` or its end) saying ``name(before)``."""
    said = f"moved from {before}"
    if reason.startswith(f"{said} ("):
        return f"moved from {name(before)}{reason[len(said):]}"
    if reason.endswith(f": {said}"):
        return f"{reason[:-len(before)]}{name(before)}"
    return reason


def with_moves_said(assignments: Sequence[Match], people: People, settings: MatchSettings) -> list[Match]:
    """``with_places_said`` (each mentor's ``places``), then the reason of each move out of a re-matching pair
    that the load-balance cost alone made said by ``balance_reason`` (tester round 104b, 9): its former mentor
    has room left after the match (moving back was open), the mentee scores no higher with the new mentor than
    with the former one (``compatibility.explain``, the stickiness weight counted, as matching scores the pair),
    and the former mentor would have more mentees had they stayed than the new one has with them, so the move
    saves load-balance cost (``MatchSettings.load_balance`` > 0). A move to a better-scoring mentor keeps its
    plain reason: its other reasons say what it gains. ``people``: those matched (``Person`` ids, as ``Match``
    names them). Raises nothing; ``assignments`` is not changed (a new list)."""
    capacity = places(people.persons, settings)
    said = with_places_said(assignments, capacity)
    load: dict[tuple[str, str], int] = {}
    for a in said:
        load[(a.circle, a.mentor)] = load.get((a.circle, a.mentor), 0) + 1
    lb = settings.load_balance
    open_moves = [a for a in said if a.origin == "moved" and a.cause == REMATCHING and a.previous is not None
                  and plain_reason(a.previous) in a.reasons
                  and load.get((a.circle, a.previous), 0) < capacity.get(a.previous, 0)
                  and load.get((a.circle, a.previous), 0) + 1 > load[(a.circle, a.mentor)]]
    if not open_moves or not lb:
        return said
    by_id, resolve = people.by_id(), people.resolver()
    balanced: dict[tuple[str, str], str] = {}
    for a in open_moves:
        assert a.previous is not None
        mentee, before = by_id.get(a.mentee), by_id.get(a.previous)
        if mentee is None or before is None:
            continue
        ranks = {a.mentee: {resolve.get(k, k): rank for rank, k in reversed(list(enumerate(mentee.preferences)))}}
        circle = Circle(a.circle, [], [], [], [], frozenset(), {a.mentee: a.previous}, ranks)
        lost = total(explain(circle, mentee, before, is_peer(a.circle, before), settings)[0]) - a.score
        if lost >= 0:
            stayed = load.get((a.circle, a.previous), 0) + 1
            balanced[(a.circle, a.mentee)] = balance_reason(a.previous, stayed, load[(a.circle, a.mentor)], lb, lost)
    return [replace(a, reasons=[balanced[(a.circle, a.mentee)] if r == plain_reason(a.previous or "") else r
                                for r in a.reasons]) if (a.circle, a.mentee) in balanced else a for a in said]


def balance_words(reasons: Sequence[str]) -> str:
    """What ``balance_reason`` says after ``re-matching, `` in ``reasons`` (a ``Match``'s), naming nobody, for the
    plan's words of a member leaving a circle (``circle_leaving.moved_words``); "" when no reason is such."""
    marker = f" ({REMATCHING}, {EVEN_LOADS}: "
    for reason in reasons:
        if reason.startswith("moved from ") and marker in reason and reason.endswith(")"):
            return reason[reason.index(marker) + len(f" ({REMATCHING}, "):-1]
    return ""


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
