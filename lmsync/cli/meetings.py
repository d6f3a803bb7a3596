"""``lmsync meetings add|list`` and ``lmsync import meetings|surveys FILE.csv``.

Two click groups live here because both are about the same records: ``command`` (the
``meetings`` group) and ``import_command`` (the ``import`` group). Each subcommand parses
options, calls one function of ``lmsync.service.meetings`` and prints the result.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click

from lmsync.service import meetings as service
from lmsync.service.imports import ImportResult


@click.group("meetings")
def command() -> None:
    """Meetings between mentors and mentees (also read from the meeting-log Feedback activity)."""


@command.command("add")
@click.option("--date", "when", required=True, help="YYYY-MM-DD or DD/MM/YYYY.")
@click.option("--mentor", required=True, help="The mentor, by [meetings] person_key (username by default).")
@click.option("--mentee", required=True, help="The mentee, by the same key.")
@click.option("--minutes", required=True, help="Length of the meeting in minutes.")
@click.option("--attended/--absent", default=True, show_default=True, help="Whether the mentee came.")
@click.option("--rating", default=None, help="Meeting rating, 1-5.")
@click.option("--notes", default=None, help="Free text; stored locally, never sent to Moodle.")
@click.pass_context
def add_command(
    ctx: click.Context,
    when: str,
    mentor: str,
    mentee: str,
    minutes: str,
    attended: bool,
    rating: str | None,
    notes: str | None,
) -> None:
    """Record one meeting. Adding the same meeting again changes nothing."""
    meeting, counts = service.add_meeting(
        ctx.obj.config(),
        when=when,
        mentor=mentor,
        mentee=mentee,
        minutes=minutes,
        attended="yes" if attended else "no",
        rating=rating,
        notes=notes,
    )
    state = "added" if counts.added else "updated" if counts.updated else "already recorded"
    click.echo(f"{state}: {meeting.date.isoformat()} mentor {meeting.mentor_id} mentee {meeting.mentee_id}")


@command.command("list")
@click.option("--person", default=None, help="Only this person's meetings (Moodle user id or person key).")
@click.option(
    "--since", type=click.DateTime(formats=["%Y-%m-%d"]), default=None, help="From this date (YYYY-MM-DD)."
)
@click.pass_context
def list_command(ctx: click.Context, person: str | None, since: object) -> None:
    """Stored meetings, oldest first (people shown by Moodle user id)."""
    since_date = since.date() if since is not None else None  # type: ignore[attr-defined]
    rows = service.list_meetings(ctx.obj.config(), person=person, since=since_date)
    if not rows:
        click.echo("no meetings stored")
        return
    click.echo(f"{'date':<10}  {'mentor':>7}  {'mentee':>7}  {'min':>4}  {'came':<4}  {'rating':>6}  source")
    for row in rows:
        m = row.meeting
        rating = "" if m.rating is None else str(m.rating)
        came = "yes" if m.attended else "no"
        click.echo(
            f"{m.date.isoformat():<10}  {m.mentor_id:>7}  {m.mentee_id:>7}  {m.minutes:>4}  {came:<4}  {rating:>6}  {m.source}"
        )
    click.echo(f"{len(rows)} meeting(s)")


@click.group("import")
def import_command() -> None:
    """Import CSV files: all of a file or nothing; importing a file again stores nothing twice."""


def _report(result: ImportResult) -> str:
    c = result.counts
    text = f"{result.file_name}: {result.rows} rows, {c.added} added, {c.updated} updated, {c.unchanged} unchanged"
    if result.seen_before:
        text += " (this exact file was imported before)"
    return text


@import_command.command("meetings")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.pass_context
def import_meetings_command(ctx: click.Context, file: Path) -> None:
    """Columns date,mentor,mentee,minutes,attended[,rating,notes]; comma or semicolon; UTF-8."""
    click.echo(_report(service.import_meetings(ctx.obj.config(), file, today=date.today())))


@import_command.command("surveys")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.pass_context
def import_surveys_command(ctx: click.Context, file: Path) -> None:
    """Columns respondent,date,instrument,item,value; a blank value is an unanswered item."""
    result, scored = service.import_surveys(ctx.obj.config(), file, today=date.today())
    click.echo(f"{_report(result)}; {scored} wave scores")
