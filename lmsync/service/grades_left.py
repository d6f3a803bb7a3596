"""Grades a plan leaves as they are in the gradebook, named: survey grades with no answer behind them any more
(tester round 122a, 4) and lmsync's own items a teacher locked (tester round 122a, 6).

``unanswered`` finds, on lmsync's own items as the gradebook read shows them, the survey grades no stored answer
supports now (``lmsync.domain.survey_unanswered``); the plan names each (``GradesPlan.unanswered``). The locked items
are the planner's (``lmsync.domain.locked_items``; ``GradesPlan.locked_items``). ``plan_lines`` are the plan's lines
for both, ``head_words`` their count in its first line, and ``left_words`` / ``left_counts`` the run's grades line and
JSON counts: the run says ok, with a word, as it does for a grade a teacher locked (no write planned, nothing refused,
so no exit 1 and no daemon back-off).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable

from lmsync.domain.grade_items import ItemRecord
from lmsync.domain.survey_unanswered import UNANSWERED_REASON, unanswered_grades
from lmsync.service.grade_metrics import MEETING_KEYS, Metrics
from lmsync.service.grade_state import GradeState
from lmsync.service.grades_plan import GradesPlan, PlannedHeld

#: ``PlannedHeld.state`` of such a grade: published, and left as it is.
PUBLISHED = "published"


def unanswered(
    metrics: Metrics, state: GradeState, records: Iterable[ItemRecord], erased: Collection[int],
    held: Iterable[PlannedHeld] = (),
) -> list[PlannedHeld]:
    """Each survey grade lmsync's own item shows (``state``; ``records`` say which items are lmsync's, as
    ``grades_held`` tells them) that no value of ``metrics`` backs now, for an actively enrolled person not of
    ``erased`` and not overridden or locked by a teacher, unless ``held`` (the plan's erasure holds) or ``metrics``
    already names it (withheld, respondent held): state ``published``, reason ``UNANSWERED_REASON``. Sorted by key,
    then person; raises nothing. Source: tester round 122a, 4."""
    by_id = {r.item_id: r.key for r in records if r.item_id is not None}
    by_number = {(r.itemnumber, r.idnumber): r.key for r in records if r.item_id is None}
    shown: dict[tuple[str, int], float | None] = {}
    teachers: set[tuple[str, int]] = set()
    for item in state.items.values():
        key = (by_id.get(item.id) if item.id is not None else None) or by_number.get((item.itemnumber,
                                                                                      item.idnumber or ""))
        if key is not None:
            shown.update({(key, user): grade for user, grade in item.grades.items()})
            teachers.update((key, user) for user in item.teachers)
    found = unanswered_grades(
        shown,
        survey_keys=set(metrics.specs) - MEETING_KEYS - metrics.received,
        backed={(v.key, v.user_id) for v in metrics.values},
        teachers=teachers,
        enrolled=state.enrolled,
        erased=erased,
        named={(h.key, h.user_id) for h in held} | metrics.withheld | metrics.respondent_held,
    )
    return [PlannedHeld(key=key, user_id=user, state=PUBLISHED, reason=UNANSWERED_REASON) for key, user in found]


def left_total(plan: GradesPlan) -> int:
    """The grades ``plan`` leaves as they are in Moodle, beside what it writes or finds unchanged: survey grades
    with no answer behind them and the differing grades of locked items."""
    return len(plan.unanswered) + sum(x.grades for x in plan.locked_items)


def head_words(plan: GradesPlan) -> str:
    """The plan's first line's count of them ("; N left as they are"), or "" for none: the plan said
    "no changes (3 grades already in Moodle)" of an item holding 4 (tester round 122a, 4)."""
    n = left_total(plan)
    return f"; {n} left as {'it is' if n == 1 else 'they are'}" if n else ""


def plan_lines(plan: GradesPlan, who: Callable[[int], str], *, detail: int = 10) -> list[str]:
    """The plan's lines: one per locked item, then the survey grades with no answer behind them, the first
    ``detail`` named (people as ``who`` names them, never a value)."""
    lines = [f"  = {x.describe()}" for x in plan.locked_items]
    if plan.unanswered:
        lines.append(f"  published, no answer behind it any more: {len(plan.unanswered)} survey grade(s) left as "
                     "they are")
        for h in plan.unanswered[:detail]:
            lines.append(f"    = {h.key} for {who(h.user_id)}: {h.reason}")
        if len(plan.unanswered) > detail:
            lines.append(f"    ... and {len(plan.unanswered) - detail} more (`--format json` lists them all)")
    return lines


def left_words(plan: GradesPlan) -> str:
    """The run's grades line's end ("; ..."), or "" for none: the locked items by name, the unanswered survey
    grades counted (nobody named in the run's line)."""
    said = []
    if plan.locked_items:
        names = ", ".join(f"{x.itemname} [{x.itemnumber}]" for x in plan.locked_items)
        said.append(f"{len(plan.locked_items)} grade item(s) locked by a teacher in the gradebook, left as they are "
                    f"({names}): unlock them there for lmsync to update them")
    if plan.unanswered:
        said.append(f"{len(plan.unanswered)} survey grade(s) published with no answer behind them any more, left as "
                    "they are (`lmsync grades plan` names them)")
    return "".join(f"; {s}" for s in said)


def left_counts(plan: GradesPlan) -> dict[str, int]:
    """The run's JSON counts: ``locked_items``, ``unanswered_grades``; {} for none."""
    counts = {"locked_items": len(plan.locked_items), "unanswered_grades": len(plan.unanswered)}
    return {k: n for k, n in counts.items() if n}
