"""``lmsync doctor``: is this Moodle ready for lmsync, and if not, what to do."""

from __future__ import annotations

import sys

import click

from lmsync.service.doctor import DoctorReport, run_doctor
from lmsync.service.moodle import open_moodle

MARKS = {"ok": "ok  ", "fail": "FAIL", "warn": "warn", "skip": "skip"}


def render(report: DoctorReport) -> str:
    lines = []
    for check in report.checks:
        lines.append(f"[{MARKS[check.status]}] {check.name}: {check.detail}")
        if check.fix and check.status in ("fail", "warn"):
            lines.append(f"       fix: {check.fix}")
    failures = sum(1 for c in report.checks if c.status == "fail")
    lines.append("all checks passed" if report.healthy else f"{failures} problem(s) found")
    return "\n".join(lines)


@click.command("doctor")
@click.pass_context
def command(ctx: click.Context) -> None:
    """Check the Moodle site against plugin_config: web services, token, functions, capabilities, course set-up."""
    config = ctx.obj.config()
    with open_moodle(config) as conn:
        if conn.emulated:
            click.echo("No [moodle] url configured: checking the built-in emulator.")
        report = run_doctor(conn.api, config)
    click.echo(render(report))
    sys.exit(report.exit_code)
