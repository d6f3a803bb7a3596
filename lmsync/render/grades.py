"""Texts for grade plans and pushes, and the ``grades plan`` view (``plan_view``)."""

from __future__ import annotations

from lmsync.render.views import JSON_CSV, Column, Document, Field, Note, Table
from lmsync.service import grades as service
from lmsync.service.grade_metrics import Metrics
from lmsync.service.grades_left import head_words, plan_lines
from lmsync.service.grades_zeroed import push_line
from lmsync.service.saved_applied import AlreadyPushed
from lmsync.visible import quoted


def plan_text(plan: service.GradesPlan, *, detail: int = 10) -> str:
    """Per item: what is sent (details, grades); then the assignment, rejections, the received means an erasure
    keeps from the gradebook (each named: tester round 78, 5), warnings."""
    head = (
        f"Grades for {plan.programme} (course {plan.course_id}, forum cm {plan.activity_cmid}, "
        f"itemnumbers {plan.itemnumbers[0]}-{plan.itemnumbers[1]}, observed {plan.fingerprint})"
    )
    left = head_words(plan)  # grades left as they are, counted: "no changes (3 ...)" of 4 (tester round 122a, 4)
    if plan.in_sync:
        lines = [f"{head}: no changes ({plan.unchanged + plan.assign_unchanged} grades already in Moodle{left})."]
    elif plan.empty:
        lines = [f"{head}: nothing to send, but not in sync (see below{left})."]
    else:
        lines = [
            f"{head}: {plan.grade_count} grades in {len(plan.requests)} requests"
            + (f", {plan.assign_count} assignment grades" if plan.assign_requests else "")
            + f"; {plan.unchanged + plan.assign_unchanged} unchanged{left}"
        ]
        for number, (details, count) in per_item(plan).items():
            item = plan.item(number)
            name = item.itemname if item else f"item {number}"
            extent = (
                f" {item.grademin:g}..{item.grademax:g}" + (" hidden" if item.hidden else "") if item else ""
            )
            new = any(r.creates for r in plan.requests if r.itemnumber == number)
            lines.append(  # an existing item's details read as a new item (tester round 57, 9)
                f"  {'+' if new else '~'} {name} [{number}]{extent}: {count} grades"
                + (" (new item)" if new else " (+ item details: its name, range or visibility set back to lmsync's)"
                   if details else "")
            )
        if plan.assign_requests:
            lines.append(f"  ~ assignment {quoted(plan.assignment_name or '')}: {plan.assign_count} grades with comments")
    if plan.rejected:
        lines.append(f"  rejected before sending: {len(plan.rejected)}")
        for r in plan.rejected[:detail]:
            lines.append(f"    ! {r.key} for {plan.who(r.user_id)} = {r.value:g}: {r.reason}")
        if len(plan.rejected) > detail:
            lines.append(f"    ... and {len(plan.rejected) - detail} more")
        if plan.out_of_range:  # which figure and how to fix it, as the run's grades line says (tester round 94a, 5)
            lines.append(f"    to fix: {service.out_of_range_fix({r.key for r in plan.out_of_range})}")
    if plan.held_grades:  # each grade an erasure keeps from the gradebook (tester rounds 78, 5 and 117a, 1)
        own = sum(1 for h in plan.held_grades if "-received-" not in h.key)  # a person's own survey grade (117a, 1)
        received = len(plan.held_grades) - own
        said = [f"{received} received mean(s)" if received else "", f"{own} own survey grade(s)" if own else ""]
        lines.append(f"  not written after an erasure: {', '.join(part for part in said if part)}")
        for h in plan.held_grades[:detail]:
            lines.append(f"    = {h.key} for {plan.who(h.user_id)}: {h.state}: {h.reason}")
        if len(plan.held_grades) > detail:
            lines.append(f"    ... and {len(plan.held_grades) - detail} more (`--format json` lists them all)")
    lines += plan_lines(plan, plan.who, detail=detail)  # locked items, grades with no answer (122a, 4 and 6)
    for d in plan.duplicates:
        ids = ", ".join("?" if i is None else str(i) for i in d.item_ids)
        lines.append(
            f"  ! drift: itemnumber {d.itemnumber} holds {len(d.item_ids)} grade items (ids {ids}); Moodle updates "
            "neither: delete all but one in Gradebook setup"
        )
    for key in plan.held:
        lines.append(f"  ~ {key}: its creation got no answer and may still commit; not sent again yet")
    for x in plan.taken:
        lines.append(
            f"  = itemnumber {x.itemnumber} is taken by {quoted(x.itemname or '(no name)')} (id {x.item_id}, idnumber "
            f"{x.idnumber or 'none'}), not provably lmsync's: never written"
        )
    if {x.itemnumber for x in plan.taken} - {r.itemnumber for r in plan.refused}:  # refusals say their own fix
        lines.append(
            "    lmsync uses the free itemnumbers of its range; to keep clear of them set [grades] itemnumber_base "
            "to a range nobody uses"
        )
    if plan.assign_teacher_kept:
        lines.append(f"  = assignment {quoted(plan.assignment_name or '')}: {len(plan.assign_teacher_kept)} grade(s) a teacher saved "
                     "last are kept as the teacher left them (lmsync writes no grade over a teacher's, nor over a feedback "
                     "comment a teacher saved without a grade)")
    for warning in plan.warnings:
        lines.append(f"  warning: {warning}")
    if plan.store_hold and not plan.empty:
        lines.append(f"  HELD, nothing above is written: {plan.store_hold}")
    return "\n".join(lines)


def per_item(plan: service.GradesPlan) -> dict[int, tuple[bool, int]]:
    """itemnumber -> (whether the item's details are sent, how many grades), in itemnumber order."""
    found: dict[int, tuple[bool, int]] = {}
    for request in plan.requests:
        details, count = found.get(request.itemnumber, (False, 0))
        found[request.itemnumber] = (details or request.itemdetails is not None, count + len(request.grades))
    return dict(sorted(found.items()))


def plan_view(result: service.GradesPlanResult) -> Document:
    """``grades plan`` as a view: the texts above (text); the plan's figures, the grades per item and the
    rejected values, the received means an erasure keeps (``held_grades``: withheld or held, and why) (JSON;
    CSV: the three tables as sections); ``held`` says why nothing is written (JSON), and each item row whether
    it is held (CSV too). The saved plan (``--out``) stays the push's input."""
    plan = result.plan
    items = []
    for number, (details, count) in per_item(plan).items():
        item = plan.item(number)
        items.append({"itemnumber": number, "itemname": item.itemname if item else None, "grades": count,
                      "item_details": details, "held": bool(plan.store_hold)})
    # whose value it is, as the text names them: the CSV showed bare user ids (tester round 28, 7)
    rejected = [{"key": r.key, "user_id": r.user_id, "person": plan.who(r.user_id), "value": r.value,
                 "reason": r.reason} for r in plan.rejected]
    return Document([
        Note(f"{sources_text(result)}\n{plan_text(plan)}"),
        *(Field(key, getattr(plan, key)) for key in ("programme", "course_id", "fingerprint", "in_sync")),
        # why nothing is written, or null: only the text said HELD (tester round 37, 2)
        Field("held", plan.store_hold if plan.store_hold and not plan.empty else None),
        Field("summary", plan.summary()),
        Table("items", (Column("itemnumber"), Column("itemname"), Column("grades"), Column("item_details"),
                        Column("held")), items,
              formats=JSON_CSV),
        Table("rejected", (Column("key"), Column("user_id"), Column("person"), Column("value"), Column("reason")),
              rejected,
              formats=JSON_CSV),
        # the received means an erasure keeps from the gradebook, whose they are and why (tester round 78, 5)
        Table("held_grades", (Column("key"), Column("user_id"), Column("person"), Column("state"), Column("reason")),
              [{"key": h.key, "user_id": h.user_id, "person": plan.who(h.user_id), "state": h.state,
                "reason": h.reason} for h in plan.held_grades],
              formats=JSON_CSV),
        # survey grades published with no answer behind them any more, left as they are (tester round 122a, 4)
        # ``cause``: no_answer, or too_few_answers for a score (tester round 123b, 5)
        Table("unanswered", (Column("key"), Column("user_id"), Column("person"), Column("state"), Column("cause"),
                             Column("reason")),
              [{"key": h.key, "user_id": h.user_id, "person": plan.who(h.user_id), "state": h.state,
                "cause": h.cause, "reason": h.reason} for h in plan.unanswered],
              formats=JSON_CSV),
        # lmsync's items a teacher locked: no write planned (tester round 122a, 6); ``exposed``: one lmsync keeps
        # hidden that the gradebook shows, a privacy problem (tester round 123b, 3)
        Table("locked_items", (Column("itemnumber"), Column("itemname"), Column("grades"), Column("exposed"),
                               Column("reason")),
              [{"itemnumber": x.itemnumber, "itemname": x.itemname, "grades": x.grades, "exposed": x.exposed,
                "reason": x.domain().why} for x in plan.locked_items],
              formats=JSON_CSV),
        Field("warnings", list(plan.warnings)),
    ])


def sources_text(result: service.GradesPlanResult) -> str:
    # those health leaves out, counted: its head line counted fewer pairs, unexplained (tester round 116, 6)
    away = (f", {result.left_out} of them left out of `lmsync health` while someone in them is away (no active "
            "enrolment or a suspended Moodle account)") if result.left_out else ""
    lines = [f"Circles: {result.pairs} mentor-mentee pairs{away}; {len(result.metrics.values)} figures computed"]
    if result.pairs and not result.metrics.specs:  # every metric left out (tester round 58, 10)
        lines.append("  no figure: [grades] enabled names no metric to publish")
    elif result.pairs and not result.metrics.values:  # "0 figures" with no reason (tester round 24, 5)
        lines.append(f"  no figure: {no_figure(result.metrics)}")
    for s in result.sources:
        lines.append(
            f"  read Feedback {quoted(s.name)} ({s.kind}): {s.attempts} responses, {s.stored} stored/updated, "
            f"{s.removed} removed, {s.problems} with problems"
            + (f", {s.withheld} withheld (about people erased)" if s.withheld else "")
        )
    return "\n".join(lines)


def no_figure(m: Metrics) -> str:
    """Why pairs have no figure yet: no meeting stored (or none counted), and no pair due one yet; where
    meetings count from only as a fix when no start is set (tester round 73, 7: it asked to set a
    [waves] programme_start that was set, when no meeting existed yet)."""
    if not {"attendance", "meetings", "minutes"} & m.specs.keys():  # [grades] enabled names survey figures only
        return "no stored survey answer gives a figure yet ([grades] enabled names survey figures only)"
    stored = (f"no stored meeting counts yet ({m.stored_meetings} stored, none of a current pair on a day counted)"
              if m.stored_meetings
              else "no meetings are stored yet (`lmsync meetings add`, `lmsync import meetings`, or [meetings] feedback)")
    if m.counted_from is None:
        return (f"{stored}; meetings count from [meetings] start, else [waves] programme_start, else the day lmsync "
                "paired each pair; set one of them if the pairs met before lmsync paired them")
    key, day = m.counted_from
    due = f"every {m.cadence_days} days ([meetings] cadence_days)" if m.cadence_days else "([meetings] cadence_days)"
    return (f"{stored}, and no pair is due one yet: a pair is due a meeting {due}, counted from {day.isoformat()} "
            f"({key}), or from the day lmsync paired it when later")


def push_text(report: service.PushReport) -> str:
    if isinstance(report, AlreadyPushed):  # a saved grades plan pushed before (tester round 106b, 4)
        return report.words
    if report.held:
        return f"Nothing written, held: {report.held}"
    lines = [
        f"Pushed in {report.requests} write requests ({report.reads} reads), {report.seconds:.1f}s: "
        f"{report.grades} grades, {report.details} item details, {report.assign_grades} assignment grades"
    ]
    lines += push_line(report.zeroed)  # written as 0, no meeting behind them (tester round 117c, 4)
    if report.verified or report.mismatches:
        lines.append(f"  read back: {report.verified - len(report.mismatches)} of {report.verified} equal")
    for what, code in report.failed[:20]:
        lines.append(f"  refused ({code}): {what}")
    for what, why in report.left[:20]:
        lines.append(f"  left for an admin ({why}): {what}")
    if len(report.left) > 20:
        lines.append(f"  ... and {len(report.left) - 20} more left for an admin (`lmsync grades plan` lists them)")
    for m in report.mismatches[:20]:
        lines.append(f"  ! {m}")
    if report.uncertain:
        lines.append("  stopped: a write's outcome is unknown; run `lmsync grades push` again to re-observe")
    return "\n".join(lines)
