"""``lmsync store copy --to TARGET``: the programme's store, whole, into a new, empty store.

For a move from the SQLite file to PostgreSQL (or to another file) with its history: journal, meetings,
surveys, health snapshots, queue (tester round 94b, 8). The use case: ``lmsync.service.store_copy``.
"""

from __future__ import annotations

import click

from lmsync.cli import examples
from lmsync.service.store_copy import copy_store
from lmsync.store.url_forms import sqlite_url_for


@click.group("store", epilog=examples("lmsync store copy --to postgresql+psycopg://lmsync@db.example/lmsync"))
def store_command() -> None:
    """The programme's store: copy it into a new store (SQLite to PostgreSQL)."""


@store_command.command(
    "copy",
    epilog=examples(
        "lmsync store copy --to postgresql+psycopg://lmsync@db.school.example:5432/lmsync",
        "lmsync store copy --to /var/lib/lmsync/mentor-2026.copy.db",
    ),
)
@click.option("--to", "to", required=True, metavar="PATH_OR_URL",
              help="The new store: a SQLite file that does not exist yet, in a folder that does, or an empty "
                   "PostgreSQL database's URL.")
@click.option("--wait", is_flag=True, help="Wait for another run of this programme instead of exiting.")
@click.pass_context
def store_copy_command(ctx: click.Context, to: str, wait: bool) -> None:
    """Copy the configured store ([store] path or url), every table and row, into a new, empty store.

    The copy is checked (rows per table) before it is kept; a target that holds any row is refused.
    This programme's lock is held meanwhile; stop the timer, CronJob or daemon of any other programme
    that shares this store first.
    """
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


command = [store_command]
