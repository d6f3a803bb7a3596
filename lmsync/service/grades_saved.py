"""A saved grades plan is a record of what lmsync planned, not a list of grades to write (tester round 85a, 1).

``lmsync grades push FILE`` sent ``FILE``'s grades as they stood: a grade of 0 added for one person, one for a
user id nobody has, an assignment comment written by hand, all pushed and read back "equal", exit 0. As
``lmsync apply`` does with the sync's saved plan (``domain.saved_plan.checked_against``), the grades plan is now
made afresh (as ``lmsync grades plan`` makes it: from the store and Moodle, Feedback not read) and the file's
requested writes are compared with it value by value (:func:`check_saved_grades_plan`): one the fresh plan does
not hold with the same value, or one the fresh plan holds that the file lacks, refuses the whole file (exit 2,
nothing written). A file lmsync made and nobody edited, with the store and the gradebook as they were, holds
exactly the fresh plan's writes; the fresh plan is what is pushed.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import NamedTuple

from lmsync.domain.plan_files import plan_kind, validated
from lmsync.errors import InputError, PlanError
from lmsync.service.grades_plan import GradesPlan
from lmsync.service.plan_files import plan_file_text

__all__ = ["Write", "check_saved_grades_plan", "differences", "read_saved_grades_plan", "writes_of"]

#: The fix for a file that holds no grades plan (tester round 97b, 8d).
_FIRST = ("make a grades plan with `lmsync grades plan --out grades.json`, review it, and push that file: "
          "`lmsync grades push grades.json`")


def read_saved_grades_plan(path: Path) -> GradesPlan:
    """The grades plan saved at ``path`` (by ``lmsync grades plan --out``).

    Raises :class:`InputError` (exit 3) naming the file: one that cannot be read or is not UTF-8
    (``service.plan_files.plan_file_text``); a sync plan (``lmsync plan --out``), named so with ``lmsync apply``
    for it (tester round 97b, 8d: "4 validation errors for GradesPlan" and no fix); anything else that is not a
    grades plan, with pydantic's first complaint and the fix (make one with ``--out``; the file's own name
    only when it holds a grades plan, as ``--out`` may refuse another file, lmsync.toml say).
    """
    source = str(path)
    text = plan_file_text(path, what="an lmsync grades plan", fix=_FIRST)
    kind = plan_kind(text)
    if kind == "sync":
        raise InputError(f"{source}: not an lmsync grades plan: it is a sync plan (from `lmsync plan --out`), "
                         f"which `lmsync apply {source}` applies", hint=f"to push grades, {_FIRST}")
    fix = (f"run `lmsync grades plan --out {source} --force` again, review it, and push that file unedited"
           if kind == "grades" else _FIRST)
    return validated(GradesPlan, text, source, what="an lmsync grades plan", fix=fix)


class Write(NamedTuple):
    """One write a grades plan requests: ``where`` names it by item or assignment and Moodle user id (never a
    person's name, a grade or a comment: messages and logs may show it); ``identity`` is all of it, values too."""

    where: str
    identity: str


def writes_of(plan: GradesPlan) -> list[Write]:
    """Every write ``plan`` requests: each ``core_grades_update_grades`` request's item details (with its metric
    and whether it creates or adopts the item), each grade of it, each assignment grade with its comment."""
    out: list[Write] = []
    on = [plan.course_id, plan.component, plan.activity_cmid]
    for r in plan.requests:
        details = json.dumps(r.itemdetails, sort_keys=True) if r.itemdetails is not None else None
        out.append(Write(f"item {r.itemnumber}" + (" (its details)" if details is not None else ""),
                         json.dumps(["request", *on, r.itemnumber, details, r.key, r.creates, r.adopts])))
        out.extend(Write(f"item {r.itemnumber}, user #{g.user_id}",
                         json.dumps(["grade", *on, r.itemnumber, g.user_id, g.grade])) for g in r.grades)
    for chunk in plan.assign_requests:
        out.extend(Write(f"assignment {plan.assignment_id}, user #{a.user_id}",
                         json.dumps(["assign", plan.course_id, plan.assignment_id, plan.assignment_grademax,
                                     a.user_id, a.grade, a.comment])) for a in chunk)
    return out


def differences(saved: GradesPlan, fresh: GradesPlan) -> tuple[list[str], list[str]]:
    """(the writes of ``saved`` that ``fresh`` does not hold, the writes of ``fresh`` that ``saved`` lacks), each
    by ``Write.where`` in the plan's order; a write doubled in one plan and not the other counts once more."""
    left = Counter(w.identity for w in writes_of(fresh))
    differing: list[str] = []
    for w in writes_of(saved):
        if left[w.identity] > 0:
            left[w.identity] -= 1
        else:
            differing.append(w.where)
    missing: list[str] = []
    for w in writes_of(fresh):
        if left[w.identity] > 0:
            left[w.identity] -= 1
            missing.append(w.where)
    return differing, missing


def check_saved_grades_plan(saved: GradesPlan, fresh: GradesPlan, *, source: str = "PLAN.json") -> None:
    """Refuse ``saved`` (read from ``source``) unless it requests exactly the writes of ``fresh`` (the plan made
    now) and the gradebook is as ``saved`` saw it (its fingerprint); the caller then pushes ``fresh``.

    Raises :class:`PlanError` (exit 2) saying how many of the file's writes differ, the first by item or
    assignment and user id, and the fix; when the gradebook changed since, it says so (the file is outdated
    rather than edited). Source: tester round 85a, 1 (an edited file was pushed as it stood).
    """
    differing, missing = differences(saved, fresh)
    remake = f"run `lmsync grades plan --out {source} --force` again, review it, and push that file unedited"
    moved = saved.fingerprint != fresh.fingerprint
    if not differing and not missing:
        if moved:  # as before: the file was reviewed against a gradebook that is no longer there
            raise PlanError(
                f"the gradebook changed since the plan was made (fingerprint {saved.fingerprint} -> {fresh.fingerprint})",
                hint="run `lmsync grades plan` again and review the new plan",
            )
        return
    parts = []
    if differing:
        total = len(writes_of(saved))
        verb = "is" if len(differing) == 1 else "are"
        parts.append(f"{len(differing)} of its {total} requested writes (item details, grades, assignment grades "
                     f"and comments) {verb} not what lmsync plans now (the first: {differing[0]})")
    if missing:
        parts.append(f"it lacks {len(missing)} of the {len(writes_of(fresh))} writes lmsync plans now "
                     f"(the first: {missing[0]})")
    what = "; and ".join(parts)
    if moved:
        raise PlanError(
            f"Refusing the saved grades plan {source}: the gradebook changed since the plan was made (fingerprint "
            f"{saved.fingerprint} -> {fresh.fingerprint}), and lmsync now plans otherwise: {what}. Nothing was written",
            hint=remake,
        )
    day = (f"; it was planned for {saved.as_of.isoformat()}, lmsync plans for {fresh.as_of.isoformat()} now"
           if saved.as_of != fresh.as_of else "")
    raise PlanError(
        f"Refusing the saved grades plan {source}: {what}{day}. A saved grades plan is pushed only as lmsync made "
        "it; nothing was written",
        hint=f"{remake} (if it was not edited, the store changed since it was made: meetings or answers imported)",
    )
