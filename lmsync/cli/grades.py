"""``lmsync grades plan|push``: meeting and survey figures into the Moodle gradebook.

``plan`` shows (and with ``--out`` saves) what a push would write; ``push PLAN.json``
writes exactly that plan, refused if the gradebook changed since; ``push`` alone plans
and pushes in one go. Output names grade items and counts; people appear as Moodle ids.
"""

from __future__ import annotations

from pathlib import Path

import click

from lmsync.errors import InputError, PartialFailure
from lmsync.service import grades as service


def plan_text(plan: service.GradesPlan, *, detail: int = 10) -> str:
    """Per item: what is sent (details, grades); then the assignment, rejections, warnings."""
    head = (
        f"Grades for {plan.programme} (course {plan.course_id}, forum cm {plan.activity_cmid}, "
        f"itemnumbers {plan.itemnumbers[0]}-{plan.itemnumbers[1]}, observed {plan.fingerprint})"
    )
    if plan.empty:
        lines = [f"{head}: no changes ({plan.unchanged + plan.assign_unchanged} grades already in Moodle)."]
    else:
        lines = [
            f"{head}: {plan.grade_count} grades in {len(plan.requests)} requests"
            + (f", {plan.assign_count} assignment grades" if plan.assign_requests else "")
            + f"; {plan.unchanged + plan.assign_unchanged} unchanged"
        ]
        per_item: dict[int, tuple[bool, int]] = {}
        for request in plan.requests:
            details, count = per_item.get(request.itemnumber, (False, 0))
            per_item[request.itemnumber] = (
                details or request.itemdetails is not None,
                count + len(request.grades),
            )
        for number, (details, count) in sorted(per_item.items()):
            item = plan.item(number)
            name = item.itemname if item else f"item {number}"
            extent = (
                f" {item.grademin:g}..{item.grademax:g}" + (" hidden" if item.hidden else "") if item else ""
            )
            mark = "+" if details else "~"
            lines.append(
                f"  {mark} {name} [{number}]{extent}: {count} grades"
                + (" (+ item details)" if details else "")
            )
        if plan.assign_requests:
            lines.append(f"  ~ assignment {plan.assignment_name!r}: {plan.assign_count} grades with comments")
    if plan.rejected:
        lines.append(f"  rejected before sending: {len(plan.rejected)}")
        for r in plan.rejected[:detail]:
            lines.append(f"    ! {r.key} for user {r.user_id} = {r.value:g}: {r.reason}")
        if len(plan.rejected) > detail:
            lines.append(f"    ... and {len(plan.rejected) - detail} more")
    for warning in plan.warnings:
        lines.append(f"  warning: {warning}")
    return "\n".join(lines)


def sources_text(result: service.GradesPlanResult) -> str:
    lines = [f"Circles: {result.pairs} mentor-mentee pairs; {len(result.metrics.values)} figures computed"]
    for s in result.sources:
        lines.append(
            f"  read Feedback {s.name!r} ({s.kind}): {s.attempts} responses, {s.stored} stored/updated, "
            f"{s.removed} removed, {s.problems} with problems"
        )
    return "\n".join(lines)


def push_text(report: service.PushReport) -> str:
    lines = [
        f"Pushed in {report.requests} write requests ({report.reads} reads), {report.seconds:.1f}s: "
        f"{report.grades} grades, {report.details} item details, {report.assign_grades} assignment grades"
    ]
    if report.verified or report.mismatches:
        lines.append(f"  read back: {report.verified - len(report.mismatches)} of {report.verified} equal")
    for what, code in report.failed[:20]:
        lines.append(f"  refused by Moodle ({code}): {what}")
    for m in report.mismatches[:20]:
        lines.append(f"  ! {m}")
    if report.uncertain:
        lines.append("  stopped: a write's outcome is unknown; run `lmsync grades push` again to re-observe")
    return "\n".join(lines)


@click.group("grades")
def command() -> None:
    """Attendance, meeting and survey figures as grade items lmsync owns."""


@command.command("plan")
@click.option(
    "--out", type=click.Path(dir_okay=False, path_type=Path), help="Save the plan as JSON for `grades push`."
)
@click.option("--wait", is_flag=True, help="Wait for another run of this programme instead of exiting.")
@click.pass_context
def plan_command(ctx: click.Context, out: Path | None, wait: bool) -> None:
    """Show which grades a push would write, without writing anything to Moodle."""
    result = service.plan_job(ctx.obj.config(), wait=wait)
    click.echo(sources_text(result))
    click.echo(plan_text(result.plan))
    if out is not None:
        out.write_text(result.plan.model_dump_json(indent=2), encoding="utf-8")
        out.chmod(0o600)
        click.echo(f"saved to {out}; push it with: lmsync grades push {out}")


@command.command("push")
@click.argument("plan_file", required=False, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--wait", is_flag=True, help="Wait for another run of this programme instead of exiting.")
@click.pass_context
def push_command(ctx: click.Context, plan_file: Path | None, wait: bool) -> None:
    """Write a saved plan (refused if the gradebook changed), or plan and write now."""
    plan = None
    if plan_file is not None:
        try:
            plan = service.GradesPlan.model_validate_json(plan_file.read_text(encoding="utf-8"))
        except ValueError as exc:
            raise InputError(f"{plan_file}: not an lmsync grades plan ({str(exc).splitlines()[0]})") from None
    result = service.push_job(
        ctx.obj.config(),
        plan,
        wait=wait,
        on_plan=lambda planned: click.echo(plan_text(planned.plan)),
    )
    click.echo(push_text(result.report))
    if result.report.failed or result.report.mismatches:
        raise PartialFailure(
            f"{len(result.report.failed)} requests refused, {len(result.report.mismatches)} grades read back different",
            hint="see the messages above; `lmsync grades push` again re-plans from what Moodle now holds",
        )
    if result.report.uncertain:
        raise PartialFailure(
            "stopped after a write whose outcome is unknown", hint="run `lmsync grades push` again"
        )
