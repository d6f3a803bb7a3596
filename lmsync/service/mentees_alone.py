"""The mentees in the course with no mentor, named where a coordinator reads: ``lmsync health`` and the digest.

A mentee is left with no mentor when the match found no mentor with room for them, when they joined and no sync has
placed them yet, or when their mentor's hold ended with the mentor still away (``hold_mentees``). The run's sync line
only counted them, ``lmsync match`` named them, and the digest named only those an ended hold left alone, once; a
coordinator, who reads and does not type, never learnt who else had no mentor. This tells them from what the health
step already read (``Assessment.roster`` and ``Assessment.circles``: no Moodle read, no query per person), and which
of them are new to a coordinator since their last digest sent (the pairing history: the store keeps no list of who
had no mentor on a given day).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from datetime import date, datetime, tzinfo
from typing import Any

from lmsync.config import Config
from lmsync.service.digest_moment import recorded_by
from lmsync.service.health_gone import Circles
from lmsync.service.roster import programme_roles
from lmsync.service.two_roles import FIX, TWO_ROLES_LEFT_OUT
from lmsync.store.pairings import Pairing

#: how many are named in a line of text; the rest are counted ("and N more")
SHOWN = 10
#: what a coordinator does for them (the same fix as ``hold_mentees.NEEDS_A_MENTOR``, shorter)
WHAT_TO_DO = ("`lmsync match` says why; raise a mentor's capacity or add a mentor, and the next sync matches them")
#: what a coordinator is told of one with a mentor role and a mentee role left out of matching: ``lmsync match``'s
#: reason and fix, not ``WHAT_TO_DO`` (tester round 114b, 1)
TWO_ROLES_WHAT_TO_DO = f"{TWO_ROLES_LEFT_OUT}; {FIX}"


def mentees_without_mentor(config: Config, roster: Mapping[int, Any], circles: Circles,
                           peer_mentors: Iterable[int] = ()) -> tuple[int, ...]:
    """Moodle ids (sorted) of the mentees in the course with no mentor: users of ``roster`` (Moodle id -> the health
    step's roster user: active in the course; ``roles``, ``suspended`` read) holding one of ``[programme]
    mentee_roles``, whose account is not suspended (a mentee away keeps their place, or is not matched meanwhile),
    in no circle of ``circles`` (lmsync's circles as observed, and those left alone while they carry another
    circle's ID number) as a member. Not a mentee: a holder of a mentor role only, a member of ``peer_mentors``
    (the peer-mentor cohort's Moodle ids) unless ``[matching] structure = "triads"`` (a near-peer is a mentee there
    too). A person with a mentor role and a mentee role follows ``[matching] dual_role`` as matching does
    (``roster.people_from_snapshot``, ``unmatched.HELD_BY_TWO_ROLES``): ``mentor`` is a mentor; ``exclude`` keeps
    the mentor of a circle as its mentor, and one in no circle is a mentee left out of matching, so without a
    mentor (``two_roles.TWO_ROLES_LEFT_OUT``); ``mentee`` is a mentee. One pass over ``roster``; raises nothing."""
    programme, matching = config.programme, config.matching
    triads = matching.structure == "triads"
    peers = frozenset(peer_mentors)
    placed = {m for members in circles.members.values() for m in members}
    placed.update(m for circle in circles.left_alone.values() for m in circle.members)
    out = []
    for uid, user in roster.items():
        if uid in placed or getattr(user, "suspended", False):
            continue
        is_mentor, is_mentee = programme_roles(programme, getattr(user, "roles", ()))
        if not is_mentee and not (triads and uid in peers):
            continue
        if uid in peers and not triads:
            continue  # a peer mentor (the cohort), a mentee only in triads
        if is_mentor and (matching.dual_role == "mentor" or (matching.dual_role == "exclude" and uid in circles.members)):
            continue
        out.append(uid)
    return tuple(sorted(out))


def left_out_two_roles(config: Config, roster: Mapping[int, Any], mentees: Iterable[int]) -> tuple[int, ...]:
    """Those of ``mentees`` (Moodle ids without a mentor: ``mentees_without_mentor``), in their order, whom
    ``[matching] dual_role = "exclude"`` leaves out of matching: holders in ``roster`` (Moodle id -> a user with
    ``roles``) of a mentor role and a mentee role of ``[programme]`` (``two_roles.TWO_ROLES_LEFT_OUT``, as ``lmsync
    match`` counts them). Empty under another ``dual_role``. Raises nothing (tester round 114b, 1)."""
    if config.matching.dual_role != "exclude":
        return ()
    return tuple(m for m in mentees if m in roster and all(programme_roles(config.programme,
                                                                            getattr(roster[m], "roles", ()))))


def without_mentor_note(mentees: Sequence[int], label: Callable[[int], str], *, shown: int = SHOWN,
                        two_roles: Collection[int] = ()) -> str:
    """``3 mentee(s) in the course without a mentor: Ada Lovelace (s0006), ... (`lmsync match` says why; ...)``: the
    first ``shown`` of ``mentees`` (Moodle ids) by ``label`` (``People.label``: the username alone with ``[privacy]
    show_names = false``), the rest counted ("and 4 more"). Those of them in ``two_roles`` (``left_out_two_roles``)
    are named apart, after them ("1 more mentee(s) ..." when there are others), with ``lmsync match``'s reason and
    fix for them (``TWO_ROLES_WHAT_TO_DO``; tester round 114b, 1: told to raise a mentor's capacity). Empty for
    none."""
    two = [m for m in mentees if m in two_roles]
    rest = [m for m in mentees if m not in two_roles]
    parts = []
    for group, what, more in ((rest, WHAT_TO_DO, ""), (two, TWO_ROLES_WHAT_TO_DO, "more " if rest else "")):
        if group:
            named = ", ".join(label(m) for m in group[:shown])
            named += f", and {len(group) - shown} more" if len(group) > shown else ""
            parts.append(f"{len(group)} {more}mentee(s) in the course without a mentor: {named} ({what})")
    return "; ".join(parts)


def newly_without_mentor(mentees: Iterable[int], history: Sequence[Pairing], told_on: date | None, zone: tzinfo,
                         me: int = 0, mark: datetime | None = None) -> tuple[int, ...]:
    """Those of ``mentees`` (now without a mentor: ``mentees_without_mentor``) a coordinator (Moodle id ``me``) last
    sent a digest on ``told_on`` has not been told of: every one when never told; else those the pairing history
    (``PairingHistory.history()``, instants read in ``zone``, the programme's) had in a pair open at the end of
    ``told_on`` (they had a mentor then, and lost them since: a hold ended, the mentor left, a re-match with no room).
    The store keeps no list of who had no mentor on a day, so one with no such pair (still unmatched, or new to the
    course since and not placed) is not told again: ``lmsync health`` names them every day. Never one whose pair
    then was with ``me`` (a coordinator is never told about a pair they are part of). ``mark``: the pairing history's
    latest instant at that digest (``digest_moment.Moment.pairing_mark``): "the end of ``told_on``" is then that
    moment, a pair begun or ended by a run after that day's digest after it (tester round 122c, 1). Raises nothing."""
    now = tuple(mentees)
    if told_on is None:
        return now
    then: dict[int, set[int]] = {}
    for p in history:
        if recorded_by(p.joined_at, told_on, zone, mark) and (
                p.left_at is None or not recorded_by(p.left_at, told_on, zone, mark)):
            then.setdefault(p.mentee_id, set()).add(p.mentor_id)
    return tuple(m for m in now if m in then and me not in then[m] and m != me)


def now_with_mentor(history: Sequence[Pairing], told_on: date | None, zone: tzinfo, holds: Iterable[Any] = (),
                    me: int = 0, mark: datetime | None = None,
                    held: Collection[int] | None = None) -> tuple[tuple[int, int], ...]:
    """(mentee, mentor) Moodle ids, by mentee, of those a coordinator (``me``) last sent a digest on ``told_on`` knew
    without a mentor and who have one now: in the pairing history (``PairingHistory.history()``, instants read in
    ``zone``, the programme's) a pair open now that began after ``told_on``, none open at the end of ``told_on``, and
    one that had ended by then (they had lost their mentor: a hold ended, a held place given up, a re-match with no
    room; a mentee new to the course is not one), unless its mentor's circle was held then (``holds``:
    ``digest_holds.Hold``, whose pairs end while it is held and are made again when they are back). None when never
    told; never a pair with ``me``. Tester round 109a, 4: a mentee named as left without a mentor was matched when
    their mentor came back, and the digest never said so. ``mark``: as ``newly_without_mentor``'s, the end of
    ``told_on`` that digest's moment (tester round 122c, 1: one who lost a mentor after that day's digest, and had
    one again by the next, was said to have had none at it). ``held``: the mentors whose circle was held at that
    digest's moment (``digest_holds.held_at``; None: by ``told_on``'s day, a hold back that day taken as over; tester
    round 123a, 2). Raises nothing."""
    if told_on is None:
        return ()
    ended: dict[int, Pairing] = {}
    open_then: set[int] = set()
    for p in history:
        left = None if p.left_at is None else recorded_by(p.left_at, told_on, zone, mark)  # True: ended by then
        if recorded_by(p.joined_at, told_on, zone, mark) and not left:
            open_then.add(p.mentee_id)
        elif left:
            last = ended.get(p.mentee_id)
            if last is None or (last.left_at or "") < (p.left_at or ""):  # their latest pair ended by then
                ended[p.mentee_id] = p
    if held is None:
        held = {h.mentor_id for h in holds if h.since <= told_on <= h.until and (h.back_on or date.max) > told_on}
    out = {p.mentee_id: p.mentor_id for p in history if p.left_at is None and not recorded_by(p.joined_at, told_on, zone, mark)
           and p.mentee_id not in open_then and p.mentee_id in ended and ended[p.mentee_id].mentor_id not in held
           and me not in (p.mentee_id, p.mentor_id)}
    return tuple(sorted(out.items()))


def digest_lines(mentees: Sequence[int], label: Callable[[int], str],
                 placed: Sequence[tuple[int, int]] = (), two_roles: Collection[int] = ()) -> list[str]:
    """The digest's part naming the mentees newly without a mentor (``newly_without_mentor``, less those its ended
    holds' part names), in ``without_mentor_note``'s words (those in ``two_roles`` apart), then those with a mentor
    again (``placed``: (mentee, mentor) of ``now_with_mentor``; tester round 109a, 4), each with their mentor. Empty
    for none."""
    note = without_mentor_note(mentees, label, two_roles=two_roles)
    lines = ["", f"Newly without a mentor since your last digest: {note}."] if mentees else []
    if placed:
        lines += ["", f"Now with a mentor since your last digest ({len(placed)}; they had none at your last digest: "
                      "nothing more to do for them):"]
        lines += [f"- {label(mentee)}: with {label(mentor)}" for mentee, mentor in placed]
    return lines
