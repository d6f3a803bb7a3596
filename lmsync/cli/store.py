"""``lmsync store copy --to TARGET``: the programme's store, whole, into a new, empty store.

For a move from the SQLite file to PostgreSQL (or to another file) with its history: journal, meetings,
surveys, health snapshots, queue (tester round 94b, 8). The use case: ``lmsync.service.store_copy``.

The target may come from ``LMSYNC_STORE_COPY_TO`` instead of ``--to``: a PostgreSQL URL with its password on the
command line is readable by every local user (``ps``, ``/proc/PID/cmdline``) while the copy runs, while a process's
environment is its owner's alone. A ``--to`` given on the command line that carries a password is said on stderr
with both fixes (tester round 120b, 2); the password itself never.
"""

from __future__ import annotations

import click
from click.core import ParameterSource

from lmsync.cli import examples
from lmsync.cli.output import say
from lmsync.config_password import url_has_password
from lmsync.service.store_copy import copy_store
from lmsync.store.url_forms import sqlite_url_for

#: The environment variable ``--to`` is read from when not given (a secret's URL, kept out of ``ps``).
COPY_TO = "LMSYNC_STORE_COPY_TO"


@click.group("store", epilog=examples("lmsync store copy --to postgresql+psycopg://lmsync@db.example/lmsync"))
def store_command() -> None:
    """The programme's store: copy it into a new store (SQLite to PostgreSQL)."""


@store_command.command(
    "copy",
    epilog=examples(
        "lmsync store copy --to postgresql+psycopg://lmsync@db.school.example:5432/lmsync",
        "lmsync store copy --to /var/lib/lmsync/mentor-2026.copy.db",
        f'{COPY_TO}="$(cat store-url)" lmsync store copy   # a URL with its password, kept off the command line',
    ),
)
@click.option("--to", "to", required=True, metavar="PATH_OR_URL", envvar=COPY_TO, show_envvar=True,
              help="The new store: a SQLite file that does not exist yet, in a folder that does, or an empty "
                   f"PostgreSQL database's URL. A URL with a password: set it in {COPY_TO}, not here, where "
                   "every local user can read it (ps), or leave the password out and set PGPASSWORD or ~/.pgpass.")
@click.option("--wait", is_flag=True, help="Wait for another run of this programme instead of exiting.")
@click.pass_context
def store_copy_command(ctx: click.Context, to: str, wait: bool) -> None:
    """Copy the configured store ([store] path or url), every table and row, into a new, empty store.

    The copy is checked (rows per table) before it is kept; a target that holds any row is refused.
    This programme's lock is held meanwhile; stop the timer, CronJob or daemon of any other programme
    that shares this store first.
    """
    if ctx.get_parameter_source("to") is ParameterSource.COMMANDLINE and url_has_password(to):
        _password_on_command_line(ctx.obj.log_format)  # first: said even when the configuration is refused
    config = ctx.obj.config()
    result = copy_store(config, to, wait=wait)  # the target shown absolute (a relative [store] path
    # is read from the configuration file's folder: tester round 95b, store copy 3)
    total = sum(result.counts.values())
    click.echo(f"copied {total} row(s) in {len(result.counts)} table(s) from {result.source} to {result.target}; "
               "the row counts of the copy match")
    width = max(len(name) for name in result.counts)
    for name, count in result.counts.items():
        click.echo(f"  {name:<{width}}  {count}")
    where, at = "[store] path (or LMSYNC_STORE_PATH)", result.target
    if result.target_is_url:
        where = "[store] url (or LMSYNC_STORE_URL)"
    elif config.store.url is not None:  # a url wins over a path: "point [store] path" changed nothing (tester round 96b, 5)
        where, at = "[store] url (or LMSYNC_STORE_URL, which wins over [store] path)", sqlite_url_for(result.target)  # round 100a, 2
    click.echo(f"next: point {where} at {at}, run `lmsync plan` (it should propose no takeover), then "
               f"start the timer, CronJob or daemon again; keep {result.source} until a run on the copy succeeds")


def _password_on_command_line(log_format: str) -> None:
    """Warn on stderr that ``--to`` carries a password where other users can read it, with the two fixes (the
    copy still runs). Under ``--log-format json``, a ``store_copy.password_on_command_line`` warning line. Never
    the URL or its password. Source: tester round 120b, 2."""
    why = ("--to carries the target database's password on the command line, where every local user can read it "
           "(ps, /proc/PID/cmdline) while the copy runs; the copy goes on")
    fix = (f"give the URL in {COPY_TO} instead of --to ({COPY_TO}=\"$(cat store-url)\" lmsync store copy: "
           "a process's environment is its owner's alone), or write the URL without the password and let "
           "PostgreSQL take it from PGPASSWORD or ~/.pgpass (chmod 600)")
    if log_format == "json":
        from lmsync.log import get_logger

        get_logger(__name__).warning("store_copy.password_on_command_line", reason=why, hint=fix)
    else:
        say(f"warning: {why}\n  fix: {fix}", err=True)


command = [store_command]
