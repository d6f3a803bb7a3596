"""Where the mentees of a circle whose hold ended went: matched with another mentor, or left with none (tester
round 107a, 5).

When a mentor's hold ends with them still away (``away_mentors``), the next sync matches the circle's mentees with
other mentors who have room; those no mentor has room for are left with no mentor. The coordinators' digest said
"their mentees are matched with other mentors who have room" and named only the mentor, so a coordinator, who reads
only the digest, never learnt a mentee was now alone. This reads what the store knows, with no Moodle read: the
pairing history (the sync that first found the mentor away ended every pair of the circle at one instant:
``pairs_followed.follow_moodle_pairs``) and, for who is in the programme and in a circle now, the health step's
observation (``Assessment.roster`` and ``Assessment.circles``).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, tzinfo
from typing import Any

from lmsync.service.health_gone import Circles
from lmsync.service.mentees_alone import TWO_ROLES_WHAT_TO_DO
from lmsync.store.pairings import Pairing, local_day

#: what a coordinator does for a mentee left with none: where a mentor's capacity is raised (CONFIGURATION.md,
#: [matching] default_capacity and [matching.attributes] capacity); why the match left them is `lmsync match`'s (README)
NEEDS_A_MENTOR = ("the match found no mentor for them (most often every mentor is full; `lmsync match` says why): they "
                  "need one. Raise a mentor's capacity (their Moodle profile field that [matching.attributes] capacity "
                  "names, or [matching] default_capacity where it is empty) or add a mentor to the course; the next "
                  "sync matches them")


@dataclass(frozen=True)
class HoldMentees:
    """The mentees of one ended hold (Moodle ids, sorted): ``matched`` now paired with, or in the circle of, another
    mentor; ``alone`` in the course, not away, in no circle and in no open pair."""

    matched: tuple[int, ...] = ()
    alone: tuple[int, ...] = ()


def hold_mentees(history: Sequence[Pairing], mentor: int, since: date, zone: tzinfo, roster: Mapping[int, Any],
                 circles: Circles) -> HoldMentees:
    """Where the mentees of ``mentor``'s circle, held from ``since`` (the programme day a sync first found the mentor
    away) and now ended, are: the mentees of the rows of ``history`` (``PairingHistory.history()``) with ``mentor``
    closed last, on or after ``since`` in ``zone`` (the programme's), the instant that sync ended the circle's pairs.
    ``roster``: Moodle id -> the health step's roster user (active in the course; ``suspended`` read). A mentee still
    in the mentor's circle (the sync has not taken them out yet), away, or no longer in the course is in neither list.
    Raises nothing."""
    closed = [p for p in history if p.mentor_id == mentor and p.left_at is not None]
    last = max((p.left_at for p in closed if p.left_at is not None), default=None)
    if last is None or local_day(last, zone) < since:
        return HoldMentees()
    mentees = {p.mentee_id for p in closed if p.left_at == last}
    paired = {p.mentee_id for p in history if p.left_at is None and p.mentor_id != mentor}
    placed = {m for other, members in circles.members.items() if other != mentor for m in members}
    matched = mentees & (paired | placed)
    alone = {m for m in mentees - matched if m not in circles.members.get(mentor, frozenset())
             and m in roster and not getattr(roster[m], "suspended", False)}
    return HoldMentees(tuple(sorted(matched)), tuple(sorted(alone)))


def ended_lines(ended: Sequence[Any], label: Callable[[int], str], two_roles: Collection[int] = ()) -> list[str]:
    """The digest's lines of the holds that ended (``digest_holds.Hold``, ``ended``): each mentor, with how many of their
    mentees were matched with other mentors and how many were left with none; then those left with none, by
    ``label``, with what a coordinator does about them (``NEEDS_A_MENTOR``). Said "their mentees are matched with
    other mentors who have room" of every hold, naming no mentee left alone (tester round 107a, 5). A hold's
    ``in_queue`` (the coordinator's paused items on its circle) is said with it (tester round 112a, 7). Those of
    ``two_roles`` (``mentees_alone.left_out_two_roles``) are named apart, with ``lmsync match``'s reason and fix
    (``mentees_alone.TWO_ROLES_WHAT_TO_DO``; tester round 114b, 1: told to raise a mentor's capacity)."""
    if not ended:
        return []
    lines = ["", f"Holds ended ({len(ended)}; the mentor is still away, so their circle's pairs have ended):"]
    for h in ended:
        line = f"- {label(h.mentor_id)}: away since {h.since.isoformat()}, held until {h.until.isoformat()}"
        if h.mentees.matched:
            line += f"; {len(h.mentees.matched)} mentee(s) matched with other mentors who had room"
        if h.mentees.alone:
            line += f"; {len(h.mentees.alone)} mentee(s) left without a mentor (below)"
        if not (h.mentees.matched or h.mentees.alone):
            line += "; their mentees are matched with other mentors who have room, if any has"
        if getattr(h, "in_queue", 0):  # the owner's, as "Held places given up" says theirs (tester round 112a, 7)
            many = h.in_queue != 1
            line += (f"; {h.in_queue} item{'s' if many else ''} of its pairs in your queue {'stay' if many else 'stays'}"
                     " paused (no longer in the programme) until you record an outcome")
        lines.append(line)
    for two, what in ((False, NEEDS_A_MENTOR), (True, TWO_ROLES_WHAT_TO_DO)):
        alone = [(m, h) for h in ended for m in h.mentees.alone if (m in two_roles) == two]
        if alone:
            lines += ["", f"Left without a mentor when their mentor's hold ended ({len(alone)}; {what}):"]
            lines += [f"- {label(m)}: their mentor {label(h.mentor_id)} away since {h.since.isoformat()}, held until "
                      f"{h.until.isoformat()}" for m, h in alone]
    return lines
