"""Why a member leaves one of lmsync's circles, and which members lmsync leaves alone.

The reasons are the plan's words for coordinators (``RemoveMember.reason``): a person no longer
active, a suspended account (trap 41), a re-match and why a circle is no longer wanted (tester
round 15, 5). A member who holds no programme role and whom lmsync did not place is never
removed (tester round 17, 3).
"""

from __future__ import annotations

from datetime import date

from lmsync.domain.matching import MENTOR_GONE, MENTOR_OPTED_OUT, MOVED_BY_PIN, REMATCHING
from lmsync.domain.sync_state import Memory, Observation


def not_ours(observation: Observation, memory: Memory, idnumber: str, user: int) -> bool:
    """A circle member to leave alone: active, holding none of the programme's roles, and not placed
    there by lmsync (its pairing history has no open row): someone added a teacher or an observer by hand,
    and "re-matched" was a false reason to remove them (tester round 17, 3)."""
    return user in observation.outsiders and (idnumber, user) not in memory.placed


def removal_reason(observation: Observation, user: int, held_until: date | str | None = None) -> str:
    """Why ``user`` leaves a circle of a mentor who is here: not active, account suspended (trap 41), or
    "re-matched" (the caller says more). ``held_until``: the last day their place was held while they were away
    (``held_mentees``; tester round 103b, 1), said after why; or, as words, why no place is held for them (their
    held place went to a pin, their pair is kept apart: ``held_give_way``; tester round 104a, 4 and 6)."""
    if user not in observation.active_user_ids:
        why = "not active in the course (unenrolled, or enrolment suspended)"  # both read alike (tester round 9, 6)
    elif user in observation.suspended_user_ids:
        why = "account suspended"  # trap 41
    else:
        return "re-matched"
    if isinstance(held_until, str):
        return f"{why}; {held_until}"
    return why if held_until is None else f"{why}; their place was held until {held_until.isoformat()} ([sync] away_mentor_hold_days)"


def mentor_gone(observation: Observation, mentor: int) -> str:
    """Why a circle is no longer desired, as its mentees' removal says it."""
    if mentor not in observation.active_user_ids:
        return "is not active in the course (unenrolled, or enrolment suspended)"
    if mentor in observation.suspended_user_ids:
        return "has a suspended account"
    # The match gives them nobody: they may still mentor, their one mentee marked not a good fit (tester
    # round 41, 3: "mentors no longer" of a mentor whose capacity was 2).
    return ("has no mentee in the new match (every mentee re-matched, or marked not a good fit; or they mentor no "
            "longer: capacity 0, another role, or out of the programme's mentor roles)")


#: how a removal says a circle holds more mentees than its mentor's capacity (``removal_words`` says more of a hand
#: placement's: tester round 115a, 6)
OVER_CAPACITY = "their mentor's circle holds more mentees than their capacity"


def moved_words(cause: str, why: str = "") -> str:
    """How the plan says a member leaves a circle because the match moved them, from ``Match.cause``:
    a pin moved them, another mentee's pin displaced them, their mentor's capacity fell, the pair is
    no longer allowed, or ``[matching] rematch`` (``re-matched``). Tester round 45, 7: the plan said
    "re-matched" of a pin's moves while ``lmsync match`` named the pin. ``why``: of a re-match, what
    follows "re-matched" (``rematch_moves.plan_words``): ``re-matched, to even out mentors' loads: ...``,
    ``re-matched: the circle's place went to ...`` (tester rounds 104b, 9; 106a, 3: "re-matched" gave no
    reason)."""
    if cause == REMATCHING and why:
        return f"re-matched{why}"
    words = {
        MOVED_BY_PIN: "moved to another mentor by [matching] pins",
        REMATCHING: "re-matched",
        "": "re-matched",
        "over capacity": f"re-matched: {OVER_CAPACITY}",
    }
    return words.get(cause, f"re-matched: {cause}")  # "re-matched: displaced by the pin of s2"


LEFT_WITHOUT = "left with no mentor"
LEFT_WITHOUT_PEER = "left with no near-peer"  # a triad junior's near-peer place (``left_without_words``)


def left_without_words(reason: str, near_peer: bool = False, cause: str = "") -> str:
    """How the plan says a mentee leaves their circle when the new match gives them no mentor at
    all (``Unmatched.reason``; a triad's ``near_peer`` place): not "re-matched", which they are not
    (tester round 46b, 2). ``cause`` (``Unmatched.cause``) says first why their pair ended: a pin
    took the place (tester round 47, 4), the mentor's capacity fell, a re-match, the pair no longer
    allowed, the mentor opted out (``MENTOR_OPTED_OUT``, said as it is)."""
    said = {"over capacity": OVER_CAPACITY,
            REMATCHING: "their pair was opened by [matching] rematch",
            MENTOR_GONE: ""}.get(cause, cause)  # the circle's removal says how their mentor is gone
    why = f"{said}; {reason}" if said else reason
    return f"{LEFT_WITHOUT_PEER}: {why}" if near_peer else f"{LEFT_WITHOUT}: {why}"


def leaving_a_circle_gone(words: str, gone: str, near_peer: bool = False) -> str:
    """``words`` (``moved_words`` or ``left_without_words``) of a member leaving a circle that is no
    longer wanted, with why it goes (``mentor_gone``) where the words do not say it already: not of a
    mentor the match knows opted out (tester round 50, 3: the catch-all "has no mentee in the new
    match (...)" was said of a capacity of 0). ``near_peer``: the circle of a triad's near-peer mentor, left
    "with no near-peer (their near-peer mentor ...)" as a pair's is "with no mentor" (tester round 127, 2)."""
    left, mentor = (LEFT_WITHOUT_PEER, "near-peer mentor") if near_peer else (LEFT_WITHOUT, "mentor")
    if words.startswith(f"{left}: ") and not words.startswith(f"{left}: {MENTOR_OPTED_OUT}"):
        return f"{left} (their {mentor} {gone}): {words[len(left) + 2:]}"
    return words


def mentor_now_a_mentee(others_stay: int) -> str:
    """How the plan says a circle's mentor leaves their own circle, no longer wanted and kept (no
    ``--allow-delete``), because the match places them as a mentee in another circle: without it they were
    in two circles, their old one as its mentor and the new one as a mentee (tester round 105a, 8: a teacher
    made a student, applied with ``LMSYNC_SYNC_MIN_SOURCE_FRACTION=0``). ``others_stay``: members lmsync
    leaves in the kept circle (people it did not place, or a hand-added member it is unsure of)."""
    kept = "kept empty" if not others_stay else f"kept with its {others_stay} other member(s)"
    return f"now a mentee in another circle; their own circle is {kept} (needs --allow-delete to delete)"
