"""Grades a push wrote as 0 because no meeting backs them any more, said where coordinators read (tester round 117c, 4).

Erasing a mentor takes the meetings of their mentees with them (a meeting taken back with ``lmsync meetings remove``
does the same to one pair): lmsync writes a meeting grade it published that no meeting backs any more as 0, on the
gradebook items (``lmsync.domain.grades_unbacked``) and on the assignment with the comment "no meetings counted"
(``lmsync.domain.assign_unbacked``). Only ``lmsync grades plan`` and the erase question said it: the run's grades line
counted them among the others, and no digest was sent, so a coordinator never learned that mentees who attended every
meeting now show 0. The push counts them (``Zeroed``), its journal entry keeps where they are in its request
(``RESULT_KEY``: positions, never an id, so an erasure's rewrite of the journal's keys leaves nothing of the person),
the run's grades line (``run_words``) and ``lmsync grades push`` (``push_line``) say how many, and the coordinators'
next digest says it once (``lmsync.service.digest_zeroed``). Nobody is named: not the erased person, whom the count of
their mentees would point at no more than the erasure does, nor the people written as 0.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from lmsync.service.grades_plan import GradesPlan
from lmsync.store.zeroed_grades import RESULT_KEY

#: Why such a grade is 0, and what a teacher may do about it: said by the run, the push and the digest. Every way
#: a meeting goes, a response edited or deleted in Moodle first: it named an erasure or `meetings remove` alone,
#: and a coordinator looked for an erasure that never happened (tester round 131b, 4).
WHY = ("no meeting backs them any more (the meetings were taken back: a Feedback meeting-log response corrected "
       "or deleted in Moodle, `lmsync meetings remove`, or an erasure), and Moodle's web services cannot empty a "
       "grade; a teacher may grade them by hand in Moodle, and lmsync then leaves that grade alone")


@dataclass
class Zeroed:
    """The grades one push wrote as 0 with no meeting behind them: how many (``grades``) and whose (``people``, Moodle
    ids, for the count only)."""

    grades: int = 0
    people: set[int] = field(default_factory=set)

    def add(self, user_ids: Sequence[int]) -> None:
        self.grades += len(user_ids)
        self.people.update(user_ids)


def positions(plan: GradesPlan, kind: str, op: Any) -> list[int]:
    """The positions in ``op.grades`` (one request of ``plan``: ``kind`` ``update_grades`` with ``itemnumber``, else
    the assignment's) of the grades written as 0 with no meeting behind them (``plan.unbacked``,
    ``plan.assign_unbacked``). Raises nothing."""
    if kind == "update_grades":
        mine = {u for n, u in plan.unbacked if n == op.itemnumber}
    else:
        mine = set(plan.assign_unbacked)
    return [n for n, g in enumerate(op.grades) if g.user_id in mine]


def journal_result(result: dict[str, Any], found: Sequence[int]) -> dict[str, Any]:
    """``result`` (a grades request's journal result) with ``RESULT_KEY``: ``found`` (``positions``), when any."""
    return {**result, RESULT_KEY: list(found)} if found else result


def words(zeroed: Zeroed) -> str:
    """"N of them (M people) written as 0: ``WHY``", or "" for none."""
    if not zeroed.grades:
        return ""
    people = len(zeroed.people)
    return f"{zeroed.grades} of them ({people} {'person' if people == 1 else 'people'}) written as 0: {WHY}"


def run_words(zeroed: Zeroed) -> str:
    """The run's grades line's end for ``zeroed`` ("; ..."), or "" for none (tester round 117c, 4)."""
    said = words(zeroed)
    return f"; {said}" if said else ""


def zeroed_counts(zeroed: Zeroed) -> dict[str, int]:
    """The run's JSON counts for ``zeroed``: ``unbacked_zero_grades`` and ``unbacked_zero_people``; {} for none."""
    return {"unbacked_zero_grades": zeroed.grades, "unbacked_zero_people": len(zeroed.people)} if zeroed.grades else {}


def push_line(zeroed: Zeroed) -> list[str]:
    """``lmsync grades push``'s line for ``zeroed``, indented as its others; [] for none."""
    said = words(zeroed)
    return [f"  {said}"] if said else []
