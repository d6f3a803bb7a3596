"""``lmsync doctor``: is this Moodle ready for lmsync, and if not, what to do."""

from __future__ import annotations

import sys

import click

from lmsync.cli import FORMAT, echo_view, examples
from lmsync.render.doctor import doctor_view
from lmsync.service.doctor import run_doctor
from lmsync.service.doctor_token import token_refusal
from lmsync.service.moodle import open_moodle


@click.command(
    "doctor",
    epilog=examples(
        "lmsync doctor",
        "lmsync doctor --config /etc/lmsync/lmsync.toml --log-format json --format json",
    ),
)
@FORMAT
@click.pass_context
def command(ctx: click.Context, fmt: str) -> None:
    """Check the Moodle site against plugin_config: web services, token, functions, capabilities, course set-up."""
    config = ctx.obj.config()
    # a token refused before it is sent is a failed check too: `--format json` always prints JSON (round 85a, 6)
    report = token_refusal(config)
    if report is None:
        with open_moodle(config) as conn:
            if conn.emulated:  # which site file: a renamed programme's fresh demo site was not told (117b, 7)
                from lmsync.service.emulator_site_file import site_words

                click.echo(f"No [moodle] url configured: checking the built-in emulator's {site_words(config)}.",
                           err=fmt != "text")
            report = run_doctor(conn.api, config)
    echo_view(ctx, doctor_view(report), fmt)
    sys.exit(report.exit_code)
