"""A person with a mentor role and a mentee role whom ``[matching] dual_role = "exclude"`` leaves out of matching
while no live circle holds them: what happens to them, in words, and the mentee with no mentor they are.

Tester round 92a, 3: a mentee whose mentor left was then given a teacher role; the plan took them out of their
circle (the circle's mentor gone, the rule keeps no pair that ended and makes no new one), but the warning said
only "left out of matching", the plan counted no mentee without a mentor, and after the sync ``lmsync match`` said
"0 unmatched" of a mentee in no circle. The warning now says they are taken out of their circle, why, and what the
coordinator can do; the match counts them among the unmatched (``left_out``), as it counts a held two-role mentee
whose mentor has no room for them (tester round 54, 3).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence

from lmsync.domain.matching import MENTOR_GONE, Unmatched
from lmsync.domain.plan import ObservedGroup, mentor_of_idnumber

#: what an admin decides, as every two-role notice says it
UNTIL = "until an admin decides ([matching] dual_role = \"mentor\" or \"mentee\")"
#: what the coordinator can do for one of them
FIX = ("to have them matched, take one of their two roles away in Moodle, or set [matching] dual_role = \"mentee\" "
       "(for everyone with both roles)")
#: why a two-role mentee in no circle is unmatched (``Unmatched.reason``; the plan counts them under it)
TWO_ROLES_LEFT_OUT = ("a mentor role and a mentee role: left out of matching until an admin decides "
                      "([matching] dual_role)")


def left_out_words(user_id: int, owned: Sequence[ObservedGroup], held: Collection[int], programme: str, *,
                   until: str = UNTIL) -> tuple[str, int | None]:
    """(what a two-role person who is no circle's mentor and whose circle has no active mentor is told, the mentor of
    the circle they are taken out of now: None while that circle is held for its away mentor, ``held``: mentor ->
    last day held, from ``sync``). ``0`` when they are in no circle at all. ``until``: how "until an admin decides"
    is said (``cohort_roles.COHORT_UNTIL`` for a peer-mentor cohort member; tester round 121b, 10)."""
    mentors = [m for g in owned if user_id in g.members
               and (m := mentor_of_idnumber(programme, g.idnumber)) is not None and m != user_id]
    if not mentors:
        return f"left out of matching: in no circle, with no mentor, {until}; {FIX}", 0
    base = "left out of matching (the mentor of their circle is no longer active)"
    kept = [m for m in mentors if m in held]
    if kept:
        days = sorted(held[m] for m in kept) if isinstance(held, Mapping) else []
        last = f" until {days[-1].isoformat()} ([sync] away_mentor_hold_days)" if days else ""
        return (f"{base}: they stay in their circle while it is held for its mentor{last}, then are taken out of "
                f"it with no mentor unless the mentor is back, and are not matched anew {until}; {FIX}"), None
    return (f"{base}: taken out of their circle, with no mentor, and not matched anew {until}; {FIX}"), mentors[0]


def left_out_unmatched(left: Mapping[str, int], departed: Mapping[tuple[str, bool], str]) -> list[Unmatched]:
    """The two-role mentees in no circle after this plan (``left``: person id -> the mentor of the circle they are
    taken out of, 0 for none), as the match's unmatched: their pair that ended named by ``departed``."""
    out = []
    for person, mentor in sorted(left.items()):
        previous = departed.get((person, False)) if mentor else None
        out.append(Unmatched(mentee=person, reason=TWO_ROLES_LEFT_OUT, previous=previous,
                             cause=MENTOR_GONE if previous else ""))
    return out
