"""Why lmsync takes a mentee out of a circle, where the plan and the run's sync line say it.

A mentee moved by hand into a full circle is a pair matching keeps like any other: the circle is then over its
mentor's capacity, and the pairs that meet most, then the best fits, then the oldest stay (``matching``; tester
round 10, 4 and round 50, 7). The plan said of the mentee who moved out only "their mentor's circle holds more
mentees than their capacity", and the run's sync line only "2 membership change(s) planned (0 added, 2 removed)"
(tester round 115a, 6). Now:

- ``said_over_capacity(plan, desired, observation, placed, programme, show_names)``: each removal the plan makes
  because a circle is over its capacity after a member was placed there by hand names the capacity, who was
  placed by hand and the rule that chose who moves out (``RemoveMember.reason``, in place). Members lmsync never
  placed (``placed``: ``Memory.placed``, the pairing history's open rows) are those placed by hand, in a circle of
  which lmsync placed someone (a store that took over a course's circles knows no placement: nothing is said).
  The matching policy is not changed: these are words. Returns how many reasons were changed; raises nothing.
- ``removals_said(plan, desired, show_names, shown=3)``: the removals lmsync decides (not a member unenrolled or
  suspended in Moodle), each person with why in a few words (the reason up to its first "; "), for the run's
  sync line: ``": Umar Mensah (s0047) from Camille Okafor (m0005)'s circle, left with no mentor: ..."``; the
  first ``shown`` of them, then ``"and N more (`lmsync plan` says why)"``; "" when none.
"""

from __future__ import annotations

from collections.abc import Collection

from lmsync.domain.circle_leaving import OVER_CAPACITY
from lmsync.domain.operations import RemoveMember
from lmsync.domain.ownership import mentor_of_idnumber
from lmsync.domain.people import People
from lmsync.domain.plan import Observation, Plan
from lmsync.service.desire import Desired
from lmsync.service.labels import named

__all__ = ["KEPT_RULE", "MOODLE_REMOVALS", "removals_said", "said_over_capacity"]

#: which pairs of a circle over its capacity stay (``matching``: meetings, then the fit, then the older pairing)
KEPT_RULE = "the pairs that meet most, then the best fits, then the oldest, stay"
#: how a removal Moodle decided begins (``circle_leaving.removal_reason``): not lmsync's decision
MOODLE_REMOVALS = ("not active in the course", "account suspended")


def _label(people: People, user_id: int, show_names: bool) -> str:
    person = next((p for p in people.persons if p.moodle_id == user_id), None)
    return f"user #{user_id}" if person is None else named(person.id, person.fullname or "", show_names=show_names)


def said_over_capacity(plan: Plan, desired: Desired, observation: Observation,
                       placed: Collection[tuple[str, int]], programme: str, show_names: bool) -> int:
    """Name, in each removal from a circle over its capacity after a hand placement, the capacity, the members
    placed by hand and ``KEPT_RULE`` (module docstring). ``plan``'s reasons change in place; returns how many."""
    persons = {p.moodle_id: p for p in desired.people.persons if p.moodle_id is not None}
    members = {g.idnumber: g.members for g in observation.groups if g.idnumber}
    changed = 0
    for at, op in enumerate(plan.operations):
        if not isinstance(op, RemoveMember) or OVER_CAPACITY not in op.reason:
            continue
        mentor = persons.get(mentor_of_idnumber(programme, op.group) or -1)
        held = members.get(op.group, frozenset())
        if mentor is None or not any((op.group, user) in placed for user in held):
            continue  # lmsync placed nobody there: it cannot tell a hand placement
        kept = {persons[u].moodle_id for u in held if u in persons and persons[u].id in
                {a.mentee for a in desired.match.assignments if a.mentor == mentor.id}}
        by_hand = sorted(u for u in kept | {op.user_id} if u is not None and (op.group, u) not in placed)
        if not by_hand:
            continue
        others = [_label(desired.people, u, show_names) for u in by_hand if u != op.user_id]
        who = ", ".join(others) if others else "they"
        if others and op.user_id in by_hand:
            who += " and they"
        verb = "was" if len(by_hand) == 1 and others else "were"
        words = (f"the circle is over its capacity ({mentor.capacity}) after {who} {verb} placed there by hand "
                 f"({KEPT_RULE})")
        plan.operations[at] = op.model_copy(update={"reason": op.reason.replace(OVER_CAPACITY, words)})
        changed += 1
    return changed


def removals_said(plan: Plan, desired: Desired | None, show_names: bool, shown: int = 3) -> str:
    """The removals lmsync decides in ``plan``, named with why in a few words (module docstring); people by
    ``desired``'s (``user #<id>`` without it, or for someone not among them)."""
    people = desired.people if desired is not None else People(())
    peer = desired.mentors.peer if desired is not None else frozenset()  # a triad's near-peer circle: tester round 127, 2
    ops = [op for op in plan.operations
           if isinstance(op, RemoveMember) and op.reason and not op.reason.startswith(MOODLE_REMOVALS)]
    if not ops:
        return ""
    said = []
    for op in ops[:shown]:
        mentor = mentor_of_idnumber(plan.programme, op.group)
        where = "" if mentor is None else (  # never a bare id: a mentor away is not among ``desired`` (round 116, 2)
            f" from {_label(people, mentor, show_names)}'s circle" if _known(people, mentor)
            else f" from their {'near-peer mentor' if mentor in peer else 'mentor'}'s circle")
        why = _closed(op.reason.split("; ", 1)[0].replace(f" ({KEPT_RULE})", ""))
        who = _label(people, op.user_id, show_names) if _known(people, op.user_id) else "a mentee (`lmsync plan` names them)"
        said.append(f"{who}{where}, {why}")
    more = f"; and {len(ops) - shown} more (`lmsync plan` says why)" if len(ops) > shown else ""
    return ": " + "; ".join(said) + more


def _known(people: People, user_id: int) -> bool:
    return any(p.moodle_id == user_id for p in people.persons)


def _closed(text: str) -> str:
    """``text`` cut at its first ``"; "`` with the brackets it left open closed: the run line read "left with no
    mentor (their mentor is not active in the course (unenrolled, or enrolment suspended)" (tester round 116, 2)."""
    return text + ")" * max(text.count("(") - text.count(")"), 0)
