"""What the notice of a suspended account in a circle (trap 41; ``roster``) says the plan does with its circle.

A suspended account is never matched or placed. A mentee's notice says whether they are removed from their circle
or stay in it while it is held (tester round 89a, 5); a mentor's says whether their circle is held as it is, until
when, or, once it is not held, that its members are re-matched, and nothing about holding once it has no mentee
(tester round 105a, 6: "their circle is held as it is, then re-matched" was still said after the hold had ended,
on the plan re-matching its mentees and on every plan after, the circle empty).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence

from lmsync.domain.plan import ObservedGroup, mentor_of_idnumber


def suspended_member(user_id: int, owned: Sequence[ObservedGroup], held: Collection[int], programme: str) -> str:
    """How the notice of a suspended mentee ends: removed from their circle, unless the circle is held while its
    mentor is away (then it stays until the hold ends). ``owned``: lmsync's circles; ``held``: the mentors away whose
    circles are held, a mapping to the last day held (``away_mentors.Holds.until``) to say until when.
    Tester round 89a, 5: it said "removed from their circle" of a held circle's member, and the plan kept them."""
    mentors = [m for g in owned if user_id in g.members
               and (m := mentor_of_idnumber(programme, g.idnumber)) is not None and m != user_id]
    kept = [m for m in mentors if m in held]
    if not kept:
        return "; removed from their circle"
    days = sorted(held[m] for m in kept if m in held) if isinstance(held, Mapping) else []
    until = f" until {days[-1].isoformat()} ([sync] away_mentor_hold_days)" if days else ""
    also = "; removed from their other circle(s)" if len(kept) < len(mentors) else ""
    return (f"; stays in their circle, held as it is while its mentor is away{until}; removed from it when the hold "
            f"ends{also}")


def suspended_mentor(user_id: int, owned: Sequence[ObservedGroup], held: Collection[int], programme: str,
                     hold_days: int) -> str:
    """How the notice of a suspended mentor of one of lmsync's circles (``owned``) ends: their circle held as it is
    (``held`` as for :func:`suspended_member`: until when, when it maps to the day), else, while it holds mentees,
    that they are re-matched as it is not held (the hold over, or ``hold_days``, ``[sync] away_mentor_hold_days``,
    0), else that it holds no mentee (tester round 105a, 6). With ``held`` not a mapping (a caller that reads no
    holds, such as the report) a circle with mentees is said held, as before, unless ``hold_days`` is 0."""
    mentees = sum(len(g.members - {user_id}) for g in owned if mentor_of_idnumber(programme, g.idnumber) == user_id)
    if user_id in held or (mentees and hold_days and not isinstance(held, Mapping)):
        day = held[user_id] if isinstance(held, Mapping) and user_id in held else None  # held first: round 85b, 1
        return (f"; their circle is held as it is{f' until {day.isoformat()}' if day else ''}, then re-matched "
                "([sync] away_mentor_hold_days)")
    if not mentees:
        return "; their circle holds no mentee now"
    why = ("not held ([sync] away_mentor_hold_days = 0)" if not hold_days
           else "no longer held: its hold is over ([sync] away_mentor_hold_days)")
    return f"; their circle is {why}, and its {mentees} member(s) are re-matched"
