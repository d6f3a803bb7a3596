"""Grades a plan leaves as they are in the gradebook, named: survey grades with no answer behind them any more
(tester round 122a, 4) and lmsync's own items a teacher locked (tester round 122a, 6).

``unanswered`` finds, on lmsync's own items as the gradebook read shows them, the survey grades no stored answer
supports now (``lmsync.domain.survey_unanswered``); the plan names each (``GradesPlan.unanswered``). The locked items
are the planner's (``lmsync.domain.locked_items``; ``GradesPlan.locked_items``). ``plan_lines`` are the plan's lines
for both, ``head_words`` their count in its first line, and ``left_words`` / ``left_counts`` the run's grades line and
JSON counts: the run says ok, with a word, as it does for a grade a teacher locked (no write planned, nothing refused,
so no exit 1 and no daemon back-off). A locked item lmsync keeps hidden that the gradebook shows (a mentor's received
mean) is a privacy problem an admin must fix: ``exposed_words`` say it, and the run's grades step, ``grades push`` and
doctor exit 2 (tester round 123b, 3). An unanswered grade's words say whether no answer is stored or too few to make a
score (tester round 123b, 5).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable

from lmsync.domain.grade_items import ItemRecord
from lmsync.domain.survey_unanswered import TOO_FEW, unanswered_grades, unanswered_reason
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
    already names it (withheld, respondent held): state ``published``, with the cause and reason of
    ``survey_unanswered.unanswered_reason`` (no answer stored, or too few: ``metrics.short``). Sorted by key,
    then person; raises nothing. Source: tester rounds 122a, 4 and 123b, 5."""
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
    said = {(key, user): unanswered_reason(metrics.short.get((key, user))) for key, user in found}
    return [PlannedHeld(key=key, user_id=user, state=PUBLISHED, cause=said[(key, user)][0],
                        reason=said[(key, user)][1]) for key, user in found]


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
    lines = [f"  {'!' if x.exposed else '='} {x.describe()}" for x in plan.locked_items]
    if plan.unanswered:
        lines.append(f"  published, {_no_score(plan)}: {len(plan.unanswered)} survey grade(s) left as they are")
        for h in plan.unanswered[:detail]:
            lines.append(f"    = {h.key} for {who(h.user_id)}: {h.reason}")
        if len(plan.unanswered) > detail:
            lines.append(f"    ... and {len(plan.unanswered) - detail} more (`--format json` lists them all)")
    return lines


def _no_score(plan: GradesPlan, it: str = "it") -> str:
    """What the unanswered grades have behind them (``it``: "it", or "them"): no answer, too few answers, or each
    counted (tester round 123b, 5)."""
    few = sum(1 for h in plan.unanswered if h.cause == TOO_FEW)
    if not few:
        return f"no answer behind {it} any more"
    if few == len(plan.unanswered):
        return "too few stored answers to make a score any more"
    return (f"no score behind {it} any more ({len(plan.unanswered) - few} with no answer stored, {few} with too few "
            "answers)")


def exposed_words(plan: GradesPlan) -> str:
    """The locked items lmsync keeps hidden that the gradebook shows, by name, as a privacy problem with the fix;
    "" for none (tester round 123b, 3)."""
    shown = plan.exposed_items
    if not shown:
        return ""
    names = ", ".join(f"{x.itemname} [{x.itemnumber}]" for x in shown)
    return (f"{len(shown)} rating item(s) of mentors lmsync keeps hidden are visible and locked in the gradebook "
            f"({names}): the mentors they are about can read them and lmsync cannot hide them; hide them in Gradebook "
            "setup (unlock them first)")


def left_words(plan: GradesPlan) -> str:
    """The run's grades line's end ("; ..."), or "" for none: the exposed locked items (``exposed_words``) and the
    other locked items by name, the unanswered survey grades counted (nobody named in the run's line)."""
    said = [exposed_words(plan)] if plan.exposed_items else []
    if locked := [x for x in plan.locked_items if not x.exposed]:
        names = ", ".join(f"{x.itemname} [{x.itemnumber}]" for x in locked)
        said.append(f"{len(locked)} grade item(s) locked by a teacher in the gradebook, left as they are "
                    f"({names}): unlock them there for lmsync to update them")
    if plan.unanswered:
        said.append(f"{len(plan.unanswered)} survey grade(s) published with {_no_score(plan, 'them')}, left as they are "
                    "(`lmsync grades plan` names them)")
    return "".join(f"; {s}" for s in said)


def left_counts(plan: GradesPlan) -> dict[str, int]:
    """The run's JSON counts: ``locked_items``, ``exposed_items`` (of them, lmsync keeps hidden and the gradebook
    shows: tester round 123b, 3), ``unanswered_grades``; {} for none."""
    counts = {"locked_items": len(plan.locked_items), "exposed_items": len(plan.exposed_items),
              "unanswered_grades": len(plan.unanswered)}
    return {k: n for k, n in counts.items() if n}
