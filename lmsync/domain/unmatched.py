"""Which pairs a circle may make, and why a mentee is left without a mentor.

Part of matching (``lmsync.domain.matching``): ``allowed`` is the rule every pair passes
(not the same person, not forbidden or marked not a good fit, a peer mentor within the
year gap); ``UnmatchedReasons`` says in words why an unmatched mentee got nobody, counting
what rules out each mentor with room.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Literal

from lmsync.domain.compatibility import MatchSettings
from lmsync.domain.people import Person

CircleKind = Literal["mentor", "peer"]
HELD_MEMBER = "in_held_circle"  # a notice's code: a member of a circle held while its mentor is away, not matched
#: a two-role person's notice outcomes (``PersonWarning.outcome``) when [matching] dual_role = "exclude" leaves them
#: out of new pairs
HELD_BY_TWO_ROLES = frozenset({"held_with_mentor", "held_out", "kept_as_mentor"})
YEAR_UNKNOWN = "year unknown"  # a peer pair with a year missing or unreadable (``allowed``)
OUTSIDE_GAP = "outside the year gap"  # a peer pair whose gap is outside [matching] peer_year_gap_min/_max
#: (mentee, mentor) -> why the pair may not be made, in matching's words (``matching._pairs``).
Forbidden = Mapping[tuple[str, str], str]


def allowed(mentee: Person, mentor: Person, is_peer: bool, forbidden: Forbidden, settings: MatchSettings) -> str | None:
    """Why this pair may not be made, or None when it may."""
    if mentee.id == mentor.id:
        return "same person"
    if (mentee.id, mentor.id) in forbidden:
        return forbidden[(mentee.id, mentor.id)]
    if is_peer:
        if mentee.year is None or mentor.year is None:
            return YEAR_UNKNOWN
        if settings.year_gap_value(mentor.year - mentee.year) is None:
            return OUTSIDE_GAP
    return None


def still_allowed(
    mentee: Person, mentor: Person, is_peer: bool, forbidden: Forbidden, settings: MatchSettings, warnings: list[str],
    opened: bool = False,
) -> str | None:
    """``allowed`` for an existing pair (mentee, their current mentor or peer mentor): None when it stays.

    A year of study emptied, mistyped or changed since, or a year gap configured narrower since, does not
    end an existing pair: such a pair is kept and named in ``warnings`` with why (tester round 62, 1: year
    "second" moved a mentee away from their peer mentor for good; tester round 103a, 1: one edit of a year
    to a value outside ``[matching] peer_year_gap_min``/``_max``, or the gap narrowed, did the same, and
    setting the year back did not restore the pair). A pair ``opened`` for re-matching (``[matching]
    rematch``) is judged as a new pair: the year rule applies, and its reason is returned. Any other
    reason (the same person, a forbid, a "not a good fit" mark) ends the pair either way. Raises nothing.
    """
    why = allowed(mentee, mentor, is_peer, forbidden, settings)
    if why not in (YEAR_UNKNOWN, OUTSIDE_GAP) or opened:
        return why
    if why == OUTSIDE_GAP:
        warnings.append(f"{mentee.id}: existing pair with {mentor.id} kept although it is outside the year gap "
                        f"[{settings.peer_year_gap_min}, {settings.peer_year_gap_max}] (the mentee is in year "
                        f"{mentee.year}, the peer mentor in year {mentor.year}); a new pair would not be made")
        return None
    whose = " and ".join(side for side, p in (("mentee's", mentee), ("peer mentor's", mentor)) if p.year is None)
    warnings.append(f"{mentee.id}: existing pair with {mentor.id} kept although the {whose} year is unknown")
    return None


def is_peer(kind: CircleKind, mentor: Person) -> bool:
    return kind == "peer" or not mentor.has_role("mentor")


class UnmatchedReasons:
    """``unmatched_reason`` for each unmatched mentee of a circle, in time linear in the mentors
    per distinct year of study, not per mentee.

    A mentee who is not also one of the circle's mentors and whom no forbid names has a reason
    that depends on their year alone (nothing else of theirs is read), so it is worked out once
    per year. An over-subscribed programme leaves thousands unmatched: at 50,000 mentees and
    5,000 mentors with 27,500 places, one pass over every mentor per unmatched mentee was 113
    million checks and two minutes of a 2.5-minute match (issue 15, speed)."""

    def __init__(self, kind: CircleKind, mentors: Sequence[Person], cap: Mapping[str, int], forbidden: Forbidden,
                 settings: MatchSettings) -> None:
        self._args = (kind, mentors, cap, forbidden, settings)
        self._special = {p.id for p in mentors} | {mentee for mentee, _ in forbidden}
        self._by_year: dict[int | None, str] = {}

    def __call__(self, mentee: Person) -> str:
        kind, mentors, cap, forbidden, settings = self._args
        if mentee.id in self._special:
            return unmatched_reason(kind, mentee, mentors, cap, forbidden, settings)
        if mentee.year not in self._by_year:
            self._by_year[mentee.year] = unmatched_reason(kind, mentee, mentors, cap, forbidden, settings)
        return self._by_year[mentee.year]


def unmatched_reason(
    kind: CircleKind,
    mentee: Person,
    mentors: Sequence[Person],
    cap: Mapping[str, int],
    forbidden: Forbidden,
    settings: MatchSettings,
) -> str:
    """Why ``mentee`` got no mentor among ``mentors`` (``cap``: each one's places, 0 for none), in
    words for the coordinator: nobody with room, everyone allowed full, or what rules out each
    mentor with room (forbidden, marked not a good fit, their own mentee, outside the peer year gap,
    year unknown), counted, every rule named (tester round 120c, 5: a mentee with no year read only
    "year of study unknown" when a forbid ruled out the faculty mentor), also beside "full" (``no capacity
    left: the one allowed mentor is full; 3 other mentors ruled out: 1 forbidden, ...``; tester round 121b,
    7). One pass over ``mentors``."""
    label = "peer mentor" if kind == "peer" else "mentor"
    available = [p for p in mentors if cap[p.id] > 0 and p.id != mentee.id]
    if not available:
        if any(p.id == mentee.id and cap[p.id] > 0 for p in mentors):  # tester round 3, 5
            return f"the only {label} with capacity is {mentee.id} themself"
        return f"no {label} with capacity in the programme"
    why: dict[str, int] = {}
    fits = 0
    for mentor in available:
        reason = allowed(mentee, mentor, is_peer(kind, mentor), forbidden, settings)
        if reason is None:
            fits += 1
        else:
            why[reason] = why.get(reason, 0) + 1
    gap = f"[{settings.peer_year_gap_min}, {settings.peer_year_gap_max}]"
    if fits:
        full = f"no capacity left: the one allowed {label} is full" if fits == 1 else (
            f"no capacity left: all {fits} allowed {label}s are full")
        if not why:
            return full
        if mentee.year is None and set(why) == {YEAR_UNKNOWN}:
            # tester round 46b, 4: "all full" while peer places were open to a mentee with a year
            return (f"{full}; {why[YEAR_UNKNOWN]} peer mentor(s) could not be chosen: they need a year of study, and "
                    "none is set for this mentee")
        # the mentors the rules rule out, every rule named: not only "full" (tester round 121b, 7: a forbid, the
        # year gap and a missing year ruled out three with room, and the reason read "raise m1's capacity")
        others = sum(why.values())
        parts = ", ".join(f"{count} {reason}" for reason, count in sorted(why.items()))
        full += f"; {others} other {label}{'' if others == 1 else 's'} ruled out: {parts}"
        if why.get(YEAR_UNKNOWN) and mentee.year is None:
            full += f" (no year of study is set for this mentee: peer mentors within the year gap {gap} need one)"
        return full
    if why.get(YEAR_UNKNOWN) and mentee.year is None:
        if set(why) == {YEAR_UNKNOWN}:
            return f"year of study unknown, so no {label} within the year gap {gap} can be chosen"
        # every other rule counted too: a forbid on the only faculty mentor was dropped (tester round 120c, 5)
        parts = ", ".join(f"{count} {reason}" for reason, count in sorted(why.items()))
        return (f"no allowed {label}: {parts} (no year of study is set for this mentee: peer mentors within the "
                f"year gap {gap} need one)")
    if set(why) == {"forbidden"}:
        return f"every candidate {label} is forbidden"
    if set(why) <= set(forbidden.values()) | {"forbidden"}:  # not only [matching] forbids (tester round 40, 4)
        parts = ", ".join(f"{count} {reason}" for reason, count in sorted(why.items()))
        return f"every candidate {label} is ruled out: {parts}"
    if set(why) <= {"outside the year gap", "year unknown"}:
        return f"no {label} within the year gap {gap} above year {mentee.year}"
    parts = ", ".join(f"{count} {reason}" for reason, count in sorted(why.items()))
    return f"no allowed {label}: {parts}"
