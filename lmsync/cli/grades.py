"""``lmsync grades plan|push``: meeting and survey figures into the Moodle gradebook.

``plan`` shows (and with ``--out`` saves) what a push would write; ``push PLAN.json``
plans again and writes that plan only when the file holds exactly its writes, refused if the file
was edited, the store or the gradebook changed since (tester round 85a, 1); ``push`` alone plans
and pushes in one go. Output names grade items and counts; people appear as Moodle ids.
"""

from __future__ import annotations

from pathlib import Path

import click

from lmsync.cli import FORCE_OUT, FORMAT, STORE_TAKES_OVER, OutPath, echo_view, examples, save_plan
from lmsync.cli.output import csv_warnings, say
from lmsync.config import Config
from lmsync.errors import PartialFailure, PlanError
from lmsync.render.grades import plan_text, plan_view, push_text
from lmsync.service import grades as service
from lmsync.service.clock_reads import clock_warning
from lmsync.service.grades_saved import read_saved_grades_plan
from lmsync.service.out_files import check_out
from lmsync.service.renamed_refusal import refuse_renamed, renamed_warning
from lmsync.service.stores import refuse_if_absent


@click.group(
    "grades",
    epilog=examples("lmsync grades plan --out grades.json && lmsync grades push grades.json"),
)
def command() -> None:
    """Attendance, meeting and survey figures as grade items lmsync owns."""


@command.command(
    "plan",
    epilog=examples("lmsync grades plan", "lmsync grades plan --out grades.json",
                    "lmsync grades plan --out grades.json --force"),
)
@click.option(
    "--out", type=OutPath(dir_okay=False, path_type=Path), help="Save the plan as JSON for `grades push`."
)
@FORCE_OUT
@click.option("--wait", is_flag=True, help="Wait for another run of this programme instead of exiting.")
@FORMAT
@click.pass_context
def plan_command(ctx: click.Context, out: Path | None, force: bool, wait: bool, fmt: str) -> None:
    """Show which grades a push would write, without writing anything to Moodle."""
    config = ctx.obj.config()
    if out is not None:
        check_out(out, force=force, config=config)
    result = service.plan_job(config, wait=wait)
    echo_view(ctx, plan_view(result), fmt)
    csv_warnings(fmt, result.plan.warnings)
    if (warning := clock_warning(config, "grades plan")) is not None:  # its push refuses (tester round 111b, 5)
        say(warning, err=True)
    if (warning := renamed_warning(config, "grades plan")) is not None:  # so under a refused rename (118a, 5)
        say(warning, err=True)
    if out is not None:
        save_plan(out, result.plan.model_dump_json(indent=2), f"push it with: lmsync grades push {out}", fmt)


@command.command("push", epilog=examples("lmsync grades push", "lmsync grades push grades.json"))
@click.argument("plan_file", required=False, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--wait", is_flag=True, help="Wait for another run of this programme instead of exiting.")
@STORE_TAKES_OVER
@click.pass_context
def push_command(ctx: click.Context, plan_file: Path | None, wait: bool, store_takes_over: bool) -> None:
    """Write a saved plan (refused if edited, or if the plan changed since), or plan and write now.

    Refused where there is no store yet (a mistyped [store] path or sqlite:/// url): `lmsync sync` or `lmsync run` makes it.
    """
    plan = read_saved_grades_plan(plan_file) if plan_file is not None else None  # exit 3 (tester round 97b, 8d)
    config = ctx.obj.config()
    # no store at the configured path: refused as an import is, before Moodle is read or anything locked or made (it
    # made a new store there, exit 0, switching off the "no store" refusals: tester round 98a, 1)
    refuse_if_absent(config, "grades push", holds="no pairing history or meetings to grade: nothing was written")
    refuse_renamed(config, "grades push")  # "no circles in Moodle yet: run `lmsync sync`" (tester round 118a, 5)
    _push(config, plan, wait=wait, takes_over=store_takes_over,
          source=str(plan_file) if plan_file is not None else "PLAN.json")


def _push(config: Config, plan: service.GradesPlan | None, *, wait: bool, takes_over: bool, source: str) -> None:
    """Push ``plan`` (or plan and push now), print the report, and raise for what an admin must act on."""
    result = service.push_job(
        config,
        plan,
        wait=wait,
        on_plan=lambda planned: say(plan_text(planned.plan)),
        takes_over=takes_over,
        source=source,
    )
    say(push_text(result.report))
    if plan is not None:  # a saved plan's push printed no plan: its name clashes said as the run says them (114a, 5)
        from lmsync.domain.grade_names import clash_warnings
        for warning in clash_warnings(result.plan.warnings):
            say(f"  warning: {warning}")
    if result.report.held:  # tester round 14, 1: a store with no history of the programme writes no grade
        raise PlanError("no grade written: this store never paired the programme's circles and never wrote grades",
                        hint="check [store] in lmsync.toml; `lmsync grades push --store-takes-over` only if this "
                             "store replaces the programme's lost one")
    if result.report.left:  # tester finding 6: a retry changes nothing, an admin must act (exit 2)
        raise PlanError(
            f"{len(result.report.left)} grade item(s) or grade(s) left as they are: this store cannot prove it wrote them",
            hint="`lmsync grades plan` says which, why and the fix; the other grades were written",
        )
    out_of_range = [r for r in result.plan.rejected if r.out_of_range]
    if out_of_range:  # a retry sends them no more: an admin must act (tester round 10, 6)
        raise PlanError(
            f"{len(out_of_range)} grade(s) not sent: outside their grade item's range (the others were written)",
            hint="`lmsync grades plan` lists them: correct the meeting or answer behind each, or raise the maximum "
                 "in lmsync.toml's [meetings] (max_meetings, max_minutes)",
        )
    if result.plan.exposed_items:  # a locked rating of mentors left visible: a privacy problem (tester round 123b, 3)
        from lmsync.domain.locked_items import EXPOSED_FIX
        from lmsync.service.grades_left import exposed_words
        raise PlanError(f"{exposed_words(result.plan)} (nothing else held back)", hint=EXPOSED_FIX)
    if result.report.failed or result.report.mismatches:
        raise PartialFailure(
            f"{len(result.report.failed)} write(s) refused by Moodle, {len(result.report.mismatches)} grade(s) read back "
            "different",
            hint="see the messages above; `lmsync grades push` again re-plans from what Moodle now holds",
        )
    if result.report.uncertain:
        raise PartialFailure(
            "stopped after a write whose outcome is unknown", hint="run `lmsync grades push` again"
        )
