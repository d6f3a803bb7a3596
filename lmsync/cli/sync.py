"""``lmsync plan|apply|sync|daemon|demo``: the reconcile job and its schedules."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

from lmsync.cli import FORCE_OUT, FORMAT, STORE_TAKES_OVER, OutPath, echo_view, examples, save_plan
from lmsync.cli.output import csv_warnings, say
from lmsync.domain.plan import Plan, mentor_of_idnumber
from lmsync.domain.saved_plan import sealed
from lmsync.errors import ConfigError, PartialFailure
from lmsync.render.sync import plan_text, plan_view, report_text
from lmsync.service import jobs
from lmsync.service.circle_records import take_over_words, untaken_circles
from lmsync.service.directory import load_people, people_of, read_roster_with, site_accounts
from lmsync.service.labels import People
from lmsync.service.out_files import check_out
from lmsync.service.plan_files import read_saved_plan_file


def _parse_interval(text: str) -> float:
    try:
        return jobs.parse_interval(text)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="'--interval'") from None


@contextmanager
def _progress(enabled: bool, total: int) -> Iterator[Callable[[int], None]]:
    """A progress bar on a terminal; nothing under a daemon or in JSON logging."""
    if not enabled or total < 50 or not sys.stderr.isatty():
        yield lambda _n: None
        return
    with click.progressbar(length=total, label="applying", file=sys.stderr) as bar:
        yield bar.update


def _wants_progress(ctx: click.Context) -> bool:
    return bool(ctx.obj.log_format == "console")


@click.command("plan", epilog=examples("lmsync plan", "lmsync plan --out plan.json --allow-delete",
                                       "lmsync plan --out plan.json --force"))
@click.option("--out", type=OutPath(dir_okay=False, path_type=Path), help="Save the plan as JSON for `lmsync apply`.")
@FORCE_OUT
@click.option("--allow-delete", is_flag=True, default=None, help="Plan deletion of lmsync groups no longer needed.")
@click.option("--wait", is_flag=True, help="Accepted for scripts: a plan only reads, so it never waits for a run.")
@FORMAT
@click.pass_context
def plan_command(ctx: click.Context, out: Path | None, force: bool, allow_delete: bool | None, wait: bool,
                 fmt: str) -> None:
    """Show what a sync would change in Moodle, without changing anything."""
    config = ctx.obj.config()
    if out is not None:
        check_out(out, force=force, config=config)
    result = jobs.plan_job(config, allow_delete=allow_delete, wait=wait)
    if untaken := untaken_circles(result.snapshot, config.programme.name):  # what a sync refuses (tester round 89b, 1)
        say(f"warning: {take_over_words(untaken, '')}: `lmsync sync` refuses to take them over "
            "(exit 2) unless --store-takes-over says this store replaces a lost one", err=True)
    roster = result.snapshot.roster
    roster = {**roster, **site_accounts(config, _member_ids(result.plan) - set(roster))}
    echo_view(ctx, plan_view(result.plan, people=people_of(config, roster)), fmt)
    csv_warnings(fmt, result.plan.warnings)
    if out is not None:
        # only a circle's deletion needs the flag; a member's removal is planned without it (round 24, 7; round 31, 5)
        deletes = " --allow-delete" if result.plan.by_kind("delete_group") else ""
        save_plan(out, sealed(result.plan).model_dump_json(indent=2), f"apply it with: lmsync apply {out}{deletes}", fmt)


@click.command("apply", epilog=examples("lmsync plan --out plan.json && lmsync apply plan.json"))
@click.argument("plan_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--allow-delete", is_flag=True, default=None, help="Allow the plan's deletion of lmsync groups (as on `lmsync plan`).")
@click.option("--wait", is_flag=True, help="Wait for another run of this programme instead of exiting.")
@click.pass_context
def apply_command(ctx: click.Context, plan_file: Path, allow_delete: bool | None, wait: bool) -> None:
    """Apply a saved plan as lmsync plans it now; refused if Moodle changed or the file was edited."""
    plan = read_saved_plan_file(plan_file)  # not UTF-8, a store: exit 3 (tester round 97b, 2)
    stop = jobs.StopFlag.install()
    with _progress(_wants_progress(ctx), len(plan.operations)) as progress:
        report = jobs.apply_job(
            ctx.obj.config(), plan, allow_delete=allow_delete, source=str(plan_file),
            wait=wait, progress=progress, should_stop=stop,
        )
    say(report_text(report))
    if report.failed:
        raise PartialFailure(f"{len(report.failed)} operations were refused by Moodle")


@click.command("sync", epilog=examples("lmsync sync --dry-run", "lmsync sync --wait --log-format json"))
@click.option("--dry-run", is_flag=True, help="Plan only: print what would change and write nothing.")
@click.option("--allow-delete", is_flag=True, default=None, help="Delete lmsync groups no longer needed.")
@click.option("--wait", is_flag=True, help="Wait for another run of this programme instead of exiting.")
@STORE_TAKES_OVER
@click.pass_context
def sync_command(ctx: click.Context, dry_run: bool, allow_delete: bool | None, wait: bool, store_takes_over: bool) -> None:
    """Plan and apply in one go (for cron); converges after any earlier failure."""
    config = ctx.obj.config()
    stop = jobs.StopFlag.install()
    known: list[People] = []
    result = jobs.sync_job(
        config,
        dry_run=dry_run,
        allow_delete=allow_delete,
        wait=wait,
        on_plan=lambda plan: say(plan_text(plan, people=_people_for(config, plan, known))),
        should_stop=stop,
        takes_over=store_takes_over,
    )
    for report in result.reports:
        say(report_text(report))
    if (taken := result.taken_over()) is not None:  # said once: words on a console, an event in JSON (round 84, 7)
        if ctx.obj.log_format == "json":
            from lmsync.log import get_logger

            get_logger(__name__).warning("sync.circles_taken_over", circles=result.adopted, message=taken)
        else:
            say(f"warning: {taken}", err=True)
    where = _where(config)
    if dry_run:
        if result.untaken and not store_takes_over:  # what the sync would refuse (tester round 89b, 1)
            say(f"warning: {take_over_words(result.untaken, result.store)}: `lmsync sync` refuses to take them over "
                f"(exit 2) unless --store-takes-over says this store replaces a lost one", err=True)
        say(f"dry run: nothing was written{where}")
        return
    if result.stopped:  # work was left: partial, as cron and systemd should see it (tester round 3, 4)
        raise PartialFailure(f"stopped on request before Moodle was in sync{where}",
                             hint="the next run continues where this one left off")
    if not result.converged:  # why, and until when: not "refused operations" when none were (tester round 73, 3)
        from lmsync.service.unconverged import unconverged_hint

        raise PartialFailure(f"Moodle did not converge after {result.rounds} rounds{where}",
                             hint=unconverged_hint(result, config.sync.write_settle_seconds,  # round 102b, 4
                                                   people=known[0] if known else None))
    if result.forum_missing:  # the circles are right, yet an admin must act (tester round 31, 2)
        raise ConfigError(f"the circles are in sync{where}, but no forum {config.programme.forum!r} is in the course: "
                          "none has a welcome discussion",
                          hint="correct [programme] forum to the forum's name as the course page shows it "
                               "(`lmsync doctor` checks it); the next sync posts the welcomes")
    if result.forum_announcements:  # the circles are right; no welcome goes to every participant (round 92b, 2)
        from lmsync.domain.forum_mode import ANNOUNCEMENTS_WHY, WELCOME_FORUM_FIX

        raise ConfigError(f"the circles are in sync{where}, but [programme] forum {config.programme.forum!r} is "
                          f"{ANNOUNCEMENTS_WHY}, and none has a welcome discussion",
                          hint=f"{WELCOME_FORUM_FIX} (`lmsync doctor` checks it); the next sync posts the welcomes")
    if result.disowned and (own := result.first_plan.signals).own_renumbered:  # its own swapped: 107a, 7
        raise ConfigError(f"in sync after {result.rounds} round(s){where}, but {own.own_renumbered}",
                          hint=f"{own.own_renumbered_fix}; `lmsync plan` says more")
    if result.disowned:  # as `lmsync run` exits (2): an admin changes that group's ID number (tester round 75, 6)
        from lmsync.domain.circle_proof import DISOWNED_FIX, disowned_said

        raise ConfigError(f"in sync after {result.rounds} round(s){where}, but {disowned_said(result.disowned)}",
                          hint=DISOWNED_FIX)  # made as another: 104a, 3b; doctor says the same (118a, 3)
    if (held := (result.final_plan or result.first_plan).signals).grouping_held:  # as `run` exits (2): 118a, 3
        raise ConfigError(f"in sync after {result.rounds} round(s){where}, but {held.grouping_held}",
                          hint=f"{held.grouping_held_fix}; `lmsync plan` says more")
    from lmsync.service.away_mentors import at_once_fails, at_once_line

    if at_once := at_once_line(result.first_plan.signals, {}):  # as `lmsync run` exits (2): tester round 92b, 4
        if at_once_fails(result.first_plan.signals):  # the day they were first found away; later, said before (tester round 93b, 4)
            raise ConfigError(f"in sync after {result.rounds} round(s){where}, but {at_once}",
                              hint="`lmsync plan` says more; the next sync that reads them again clears this")
        say(f"warning: {at_once}", err=True)
    # a stop that came when nothing was left to do: in sync, and said so, not ignored (tester round 85a, 9)
    late = " (a stop was requested when nothing was left to do)" if stop() else ""
    say(f"in sync after {result.rounds} round(s){where}{late}")


def _where(config: Any) -> str:
    """`` (built-in emulator: no configuration file)`` when no real Moodle was synced."""
    from lmsync.service.moodle import emulator_reason

    return f" (built-in emulator: {emulator_reason(config)})" if config.uses_emulator else ""


def _member_ids(plan: Plan) -> set[int]:
    """Whom the plan's member changes name (Moodle ids), and the mentors of the circles its operations
    name: a suspended mentor's circle read "user #70 (not in the course)'s circle" (tester round 24, 6)."""
    ids = {int(getattr(op, "user_id", 0)) for kind in ("add_member", "remove_member") for op in plan.by_kind(kind)}
    named = [str(getattr(op, "group", "") or getattr(op, "idnumber", "")) for op in plan.operations]
    for idnumber in [*named, *plan.skipped_deletes]:  # a kept circle too (tester round 31, 6)
        mentor = mentor_of_idnumber(plan.programme, idnumber)
        if mentor is not None:
            ids.add(mentor)
    return ids


def _people_for(config: Any, plan: Plan, known: list[People]) -> People | None:
    """Names for a plan's member changes, read once per command (a roster read, nothing written)."""
    # a plan of welcomes or grouping links only names circles too (tester round 52, 8: after a crash it read
    # "in lmsync:killtest-2026:mentor:67")
    if not (plan.by_kind("add_member") or plan.by_kind("remove_member") or plan.skipped_deletes
            or plan.by_kind("post_welcome") or plan.by_kind("assign_grouping") or plan.pending):
        return None
    if not known:
        known.append(load_people(config, reader=lambda c: read_roster_with(c, _member_ids(plan))))
    return known[0]


@click.command("daemon", epilog=examples("lmsync daemon --interval 15m --log-format json"))
@click.option(
    "--interval",
    default="15m",
    show_default=True,
    help="Time between syncs: a number and a unit, s, m, h or d (90s, 15m, 1h, 1d); at least 1m, at most 31d.",
)
@click.option("--once", is_flag=True, help="Run one cycle and exit (like `lmsync run`, with daemon logging).")
@click.pass_context
def daemon_command(ctx: click.Context, interval: str, once: bool) -> None:
    """Run the whole cycle (`lmsync run`) every INTERVAL until SIGTERM; stops cleanly between batches.

    After a run that ended 1 (a failure the next run may fix) the wait doubles (capped at 6h) until a run
    succeeds; 2 (an admin must act) keeps the interval.
    """
    seconds = _parse_interval(interval)
    stop = jobs.StopFlag.install()
    from lmsync.cli.cycle import run_printer, step_printer
    from lmsync.render.report import renderer

    as_json = ctx.obj.log_format == "json"
    code = jobs.daemon_loop(ctx.obj.config(), seconds, stop, max_runs=1 if once else None, report_renderer=renderer(),
                            on_step=step_printer(as_json), on_run=run_printer(as_json))
    sys.exit(code)


@click.command("demo", epilog=examples("lmsync demo"))
@click.pass_context
def demo_command(ctx: click.Context) -> None:
    """Run a whole sync against the built-in emulator's demo site, then show that a re-run changes nothing."""
    from lmsync.log import configure

    if ctx.obj.log_level == "info":
        configure(ctx.obj.log_format, "warning")  # the demo prints its own story; keep the log for problems
    # SIGTERM and Ctrl-C stop the demo between steps, which puts back what it set aside and says so (a SIGTERM
    # killed it, leaving a half-made store; a Ctrl-C inside SQLite's calls ended in a traceback: tester round 99b,
    # 4 and 5); the log's notice, "stops between batches", is of Moodle's batches and stays below warning
    stop = jobs.StopFlag.install()
    from lmsync.render.demo import demo_views
    from lmsync.service.demo import run_demo

    run_demo(ctx.obj.config(), echo=click.echo, views=demo_views(), should_stop=stop)


command = [plan_command, apply_command, sync_command, daemon_command, demo_command]
