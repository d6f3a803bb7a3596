"""Why a pair opened by ``[matching] rematch`` moved: whose place it gave up, and to whom; or the loads.

Matching maximises the total score (less the load-balance cost), not each mentee's own: a
flagged mentee may move to an equal or worse mentor when their mentor's place lets someone
else gain more than they lose, the stickiness weight counted. Matching said only "moved from
m3 (re-matching)", which read as a worse mentor for no reason (tester round 103a, 2). This
module names who took the place: ``with_places_said`` rewrites that reason of each such move,
``moved_reason`` says it (ids in the result, ``Name (id)`` where a view has the labels), ``places``
gives each mentor's places. A move whose former mentor still has room, took nobody new, and whose mentee scores no
higher with the new mentor was made by the load-balance cost alone: ``with_moves_said`` says so with
the loads and the cost it saves (``balance_reason``), and ``named_reasons`` names the former mentor
as views name people, not by id (tester round 104b, 9).

Each reason is true of the whole match (tester round 106a, 2): the loads are said only of a move whose
former mentor took no mentee new to them, and only when that mentee back with them, all else equal, costs
more load-balance cost; "which the total score favours" only when swapping the mover with each taker lowers
the total (``rematch_swaps.Undo``); a move at no change to the total says so. ``plan_words`` gives the plan's
removal line the same why, people named as the plan names them (tester round 106a, 3).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import replace

from lmsync.domain.compatibility import MatchSettings
from lmsync.domain.held_capacity import circle_places
from lmsync.domain.match_result import REMATCHING, Match
from lmsync.domain.people import People, Person
from lmsync.domain.rematch_swaps import EPSILON, Undo
from lmsync.domain.score_figures import figure
from lmsync.domain.unmatched import CircleKind

#: How a taker came to the place, said after their name; solver-made origins say nothing (the total score
#: chose them) and any one of them adds ``BY_TOTAL`` to the reason.
TAKER_WORDS = {"pinned": " (pinned there by [matching] pins)", "returned": " (back with their mentor after a break)"}
BY_TOTAL = ", which the total score favours"
#: origins of a pair new to its mentor in this match: who can have taken a place
NEW_TO_MENTOR = frozenset({"matched", "moved", "pinned", "returned"})
#: How many takers the plan's words name before "and N more" (tester round 106a, 3)
PLAN_TAKERS = 3


def plain_reason(before: str) -> str:
    """The reason matching gives a move out of a pair opened for re-matching (``matching._match_circle``)."""
    return f"moved from {before} ({REMATCHING})"


def free_words(stickiness: float) -> str:
    """``at no change to the total score (...)``: of a move the match's total is the same without (tester round
    106a, 2: a swap at stickiness 0 was said to even out loads, or to be what the total favours)."""
    why = ("[matching.weights] stickiness 0 lets pairs open to re-matching move freely" if not stickiness
           else "the stickiness weight counted")
    return f"at no change to the total score ({why})"


def gain_words(stickiness: float) -> str:
    """``their new mentor scores higher`` (by more than the stickiness weight, when it is not 0): of a move the
    mover gains by, the plan's why (tester round 106a, 3: it read only "re-matched")."""
    return "their new mentor scores higher" + (f" by more than the stickiness weight ({figure(stickiness)})" if stickiness else "")


def _listed(takers: Sequence[tuple[str, str]], name: Callable[[str], str], cap: int | None) -> str:
    """``a``, ``a and b``, ``a, b and c``; beyond ``cap`` names, ``a, b, c and 4 more``."""
    names = [f"{name(mentee)}{TAKER_WORDS.get(origin, '')}" for mentee, origin in takers]
    if cap is not None and len(names) > cap:
        return f"{', '.join(names[:cap])} and {len(names) - cap} more"
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def _place_head(before: str, takers: Sequence[tuple[str, str]], name: Callable[[str], str] = str) -> str:
    """``moved from m3 (re-matching: m3's place went to e3``: ``moved_reason`` up to its why."""
    place = "place" if len(takers) == 1 else "places"
    return f"moved from {name(before)} ({REMATCHING}: {name(before)}'s {place} went to {_listed(takers, name, None)}"


def moved_reason(before: str, takers: Sequence[tuple[str, str]], name: Callable[[str], str] = str,
                 why: str | None = None) -> str:
    """``moved from m3 (re-matching: m3's place went to e3, which the total score favours)``.

    ``takers``: ``(mentee id, origin)`` of each mentee new to ``before`` in this match (``Match.origin``);
    ``name``: how the former mentor and a taker are named (an id by default; a view passes its
    ``Name (id)`` labels: tester round 104b, 9). ``why``: what follows the takers (``BY_TOTAL``, ``, `` and
    ``free_words``, or ""); by default ``BY_TOTAL`` when a taker is solver-made. Without takers, the plain
    reason (``plain_reason``)."""
    if not takers:
        return plain_reason(name(before))
    if why is None:
        why = BY_TOTAL if any(origin not in TAKER_WORDS for _, origin in takers) else ""
    return f"{_place_head(before, takers, name)}{why})"


#: What follows ``moved from <mentor> (re-matching`` in a move the load-balance cost made (``balance_reason``)
EVEN_LOADS = "to even out mentors' loads"


def balance_reason(before: str, stayed: int, now: int, load_balance: float, lost: float) -> str:
    """``moved from m3 (re-matching, to even out mentors' loads: their former mentor would have 4 mentees had they
    stayed, against 2 with their new mentor now; that saves 2 of load-balance cost ([matching] load_balance 1), more than the 1 of
    score they lose (the stickiness weight counted))``: a move the load-balance cost alone made (tester round
    104b, 9). ``stayed``: the former mentor's mentees had the mover stayed; ``now``: the new mentor's, the mover
    counted; ``load_balance``: ``MatchSettings.load_balance`` (a mentor's ``k``-th mentee costs it times
    ``k - 1``, so the move saves it times ``stayed - now``); ``lost``: the score with the former mentor (the
    stickiness weight counted) less the score with the new one, >= 0, at most what the move saves. No feedback
    ratings: only the match's figures."""
    saved = load_balance * (stayed - now)
    than = "more than" if saved > lost + EPSILON else "as much as"
    # scores to two decimals, as the table shows them (tester round 114b, 6)
    loss = " at no loss of score" if lost <= EPSILON else f", {than} the {figure(lost)} of score they lose"
    return (f"moved from {before} ({REMATCHING}, {EVEN_LOADS}: their former mentor would have {stayed} mentees had "
            f"they stayed, against {now} with their new mentor now; that saves {figure(saved)} of load-balance cost ([matching] "
            f"load_balance {load_balance:g}){loss} (the stickiness weight counted))")


def places(persons: Iterable[Person], settings: MatchSettings) -> dict[str, int]:
    """Mentor id -> places in their circle, as matching counts them (``matching._circles``): the capacity,
    a peer mentor's (no faculty mentor role) capped at ``triad_juniors`` in triads (``held_capacity.circle_places``)."""
    triads = settings.structure == "triads"
    return {p.id: circle_places(p, triads, settings.triad_juniors)
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
    load = Counter((a.circle, a.mentor) for a in pairs)
    out: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for a in pairs:
        if not _rematch_move(a) or a.previous is None:
            continue
        key = (a.circle, a.previous)
        if key in new and load[key] >= capacity.get(a.previous, load[key] + 1):
            out[(a.circle, a.mentee)] = new[key]
    return out


def _rematch_move(a: Match) -> bool:
    """A move out of a pair ``[matching] rematch`` opened."""
    return a.origin == "moved" and a.cause == REMATCHING and a.previous is not None


def _new_to_mentor(assignments: Iterable[Match]) -> dict[tuple[str, str], list[tuple[str, str]]]:
    """(circle, mentor) -> ``(mentee, origin)`` of each mentee new to that mentor in this match, sorted."""
    new: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for a in assignments:
        if a.origin in NEW_TO_MENTOR:
            new.setdefault((a.circle, a.mentor), []).append((a.mentee, a.origin))
    return {key: sorted(takers) for key, takers in new.items()}


def _renamed(reason: str, before: str, takers: Sequence[tuple[str, str]], name: Callable[[str], str]) -> str | None:
    """``reason`` (``moved_reason``'s, by id) with the former mentor and the takers named by ``name``; None when
    it is not such a reason."""
    if not takers:
        return None
    head = _place_head(before, takers)
    if not reason.startswith(head):
        return None
    return f"{_place_head(before, takers, name)}{reason[len(head):]}"


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
        reasons = [_renamed(reason, a.previous, takers, name) or _named(reason, a.previous, name) for reason in a.reasons]
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
    """``assignments`` with the reason of each move out of a re-matching pair (``plain_reason``) saying why, as
    it is true of the whole match (tester rounds 103a, 2; 104b, 9; 106a, 2), from the mover's ``lost`` score
    and the loads and scores undoing it gives (``rematch_swaps.Undo``):

    - its former mentor took mentees new to them and is full, or the mover loses by the move: who took the
      place (``moved_reason``), "which the total score favours" when swapping the mover with each solver-made
      taker lowers the total, ``free_words`` when such a swap changes nothing;
    - else the mover gains by it: ``gain_words``;
    - else (nobody new to the former mentor, who has room) the mover back with them, all else equal, costs
      more load-balance cost (``MatchSettings.load_balance``) than the score they lost: ``balance_reason``; the
      same total: ``free_words``.

    Any other move keeps its plain reason. ``people``: those matched (``Person`` ids, as ``Match`` names them).
    Raises nothing; ``assignments`` is not changed (a new list)."""
    pairs = list(assignments)
    if not any(_rematch_move(a) for a in pairs):
        return pairs
    capacity, undo = places(people.persons, settings), Undo(people, settings)
    new, load = _new_to_mentor(pairs), Counter((a.circle, a.mentor) for a in pairs)
    at = {(a.circle, a.mentee): a for a in pairs}
    out = []
    for a in pairs:
        if _rematch_move(a) and a.previous is not None and (plain := plain_reason(a.previous)) in a.reasons:
            said = _move_said(a, new.get((a.circle, a.previous), []), load, capacity, undo, at, settings)
            a = replace(a, reasons=[said if reason == plain else reason for reason in a.reasons])
        out.append(a)
    return out


def _move_said(a: Match, takers: Sequence[tuple[str, str]], load: Mapping[tuple[CircleKind, str], int],
               capacity: Mapping[str, int], undo: Undo, at: Mapping[tuple[CircleKind, str], Match],
               settings: MatchSettings) -> str:
    """The reason of one re-match move ``a`` (``with_moves_said``); ``takers``: those new to its former mentor."""
    assert a.previous is not None
    before, stickiness, lb = a.previous, settings.weights.stickiness, settings.load_balance
    lost = undo.lost(a)
    stayed = load.get((a.circle, before), 0)
    room = stayed < capacity.get(before, 0)
    if takers and (not room or (lost is not None and lost >= -EPSILON)):
        gains = [undo.swap_gain(a, at[(a.circle, t)]) for t, _ in takers if (a.circle, t) in at]
        known = [g for g in gains if g is not None]
        if any(abs(g) <= EPSILON for g in known):
            why = f", {free_words(stickiness)}"
        else:
            why = BY_TOTAL if known and all(g > EPSILON for g in known) else ""
        return moved_reason(before, takers, why=why)
    if lost is None:
        return plain_reason(before)
    if lost < -EPSILON:
        return f"moved from {before} ({REMATCHING}: {gain_words(stickiness)})"
    if takers or not room:
        return plain_reason(before)
    now = load[(a.circle, a.mentor)]
    saved = lb * (stayed + 1 - now)
    if saved > EPSILON and saved >= lost - EPSILON:
        return balance_reason(before, stayed + 1, now, lb, max(lost, 0.0))
    if abs(saved - lost) <= EPSILON:
        return f"moved from {before} ({REMATCHING}, {free_words(stickiness)})"
    return plain_reason(before)


def plan_words(assignments: Sequence[Match], name: Callable[[str], str],
               cap: int = PLAN_TAKERS) -> dict[tuple[str, str], str]:
    """(circle, mentee) -> what follows ``re-matched`` in the plan's line of each re-match move whose reason says
    why (``with_moves_said``): ``: the circle's place went to Name (e3), which the total score favours`` (the
    takers named by ``name``, as the plan names people, the first ``cap`` then ``and N more``), ``, to even out
    mentors' loads: ...``, ``, at no change to the total score (...)``, ``: their new mentor scores higher``.
    Tester round 106a, 3: the plan said "(re-matched)" of every move but those the loads made."""
    new = _new_to_mentor(assignments)
    out: dict[tuple[str, str], str] = {}
    for a in assignments:
        if not _rematch_move(a) or a.previous is None:
            continue
        prefix = f"moved from {a.previous} ({REMATCHING}"
        takers = new.get((a.circle, a.previous), [])
        for reason in a.reasons:
            if reason == plain_reason(a.previous) or not reason.startswith(prefix) or not reason.endswith(")"):
                continue
            head = _place_head(a.previous, takers) if takers else None
            if head is not None and reason.startswith(head):
                place = "place" if len(takers) == 1 else "places"
                out[(a.circle, a.mentee)] = (f": the circle's {place} went to {_listed(takers, name, cap)}"
                                             f"{reason[len(head):-1]}")
            else:
                out[(a.circle, a.mentee)] = reason[len(prefix):-1]
            break
    return out


def with_places_said(assignments: Sequence[Match], capacity: Mapping[str, int]) -> list[Match]:
    """``assignments`` with the reason of each move out of a re-matching pair whose former mentor is full naming
    who took the place (``moved_reason``; ``place_takers`` for who counts and ``capacity``); the other matches as
    they were. ``cause`` stays ``REMATCHING`` (code reads it). ``with_moves_said`` says every move."""
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
