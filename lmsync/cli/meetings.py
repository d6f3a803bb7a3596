"""``lmsync meetings add|list|remove`` and ``lmsync import meetings|surveys FILE.csv``.

Two click groups live here because both are about the same records: ``command`` (the
``meetings`` group) and ``import_command`` (the ``import`` group). Each subcommand parses
options, calls one function of ``lmsync.service.meetings`` and prints the result.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import click

from lmsync.cli import FORMAT, echo_view, examples
from lmsync.cli.dates import ISO_DATE
from lmsync.cli.output import say
from lmsync.domain.wave_sittings import PassedOver
from lmsync.render.meetings import meetings_view, replaced_lines
from lmsync.service import meetings as service
from lmsync.service.directory import load_people, named, people_of
from lmsync.service.import_said import places_text
from lmsync.service.imports import ImportResult
from lmsync.service.labels import People
from lmsync.service.stores import refuse_if_absent

DATE = click.option("--date", "when", required=True, help="YYYY-MM-DD; a slash date (DD/MM/YYYY, MM/DD/YYYY) is read as "
                    "[import] date_order says, and refused when it reads both ways.")
MENTOR = click.option("--mentor", required=True, help="The mentor: username, idnumber, email or Moodle id.")
MENTEE = click.option("--mentee", required=True, help="The mentee: username, idnumber, email or Moodle id.")


@click.group("meetings", epilog=examples("lmsync meetings list --person s0006"))
def command() -> None:
    """Meetings between mentors and mentees (also read from the meeting-log Feedback activity)."""


@command.command(
    "add",
    epilog=examples("lmsync meetings add --date 2026-10-05 --mentor m0001 --mentee s0008 --minutes 40"),
)
@DATE
@MENTOR
@MENTEE
@click.option("--minutes", required=True, help="Length of the meeting in minutes.")
@click.option(
    "--attended/--absent",
    default=None,
    help="Whether the mentee came (default: attended; a correction without either keeps what is stored).",
)
@click.option("--rating", default=None, help="Meeting rating, 1-5.")
@click.option("--notes", default=None, help="Free text; stored locally, never sent to Moodle.")
@click.option(
    "--rated-by",
    type=click.Choice(["mentor", "mentee"], case_sensitive=False),
    default=None,
    help="Who gave the rating and notes; only that person's data export carries them (not known: neither).",
)
@click.option("--wait", is_flag=True, help="Wait for another run of this programme instead of exiting.")
@click.pass_context
def add_command(
    ctx: click.Context,
    when: str,
    mentor: str,
    mentee: str,
    minutes: str,
    attended: bool | None,
    rating: str | None,
    notes: str | None,
    rated_by: str | None,
    wait: bool,
) -> None:
    """Record one meeting. Adding the same meeting again changes nothing.

    Refused where there is no store yet (a mistyped [store] path or sqlite:/// url): `lmsync sync` or `lmsync run` makes it.
    """
    config = ctx.obj.config()
    # no store at the configured path: refused as an import is, before anything is read, locked or made (it made a
    # new store there and stored into it, after which `health` judged every pair as new: tester round 98a, 1)
    refuse_if_absent(config, "meetings add", holds="nothing to add the meeting to: nothing was stored")
    (mentor_id, mentee_id), roster = named(config, _roster(config), [mentor, mentee])  # a late log after someone left
    key = service.settings(config).meetings.person_key
    said: list[str] = []
    meeting, counts = service.add_meeting(
        config,
        when=when,
        mentor=_by_key(roster, mentor_id, key, mentor),
        mentee=_by_key(roster, mentee_id, key, mentee),
        people=roster.values(),
        pairs_loader=service.moodle_pairs,  # the import's "never a mentoring pair" rule (tester finding FIX-C 1)
        minutes=minutes,
        attended=None if attended is None else ("yes" if attended else "no"),
        rating=rating,
        notes=notes,
        rated_by=rated_by,
        said=said,
        wait=wait,
    )
    state = "added" if counts.added else "updated" if counts.updated else "already recorded"
    if (rating, notes) != (None, None) and meeting.rated_by != "mentor" and not counts.added:  # one answer whether
        state = "recorded"  # or not it equalled a withheld rating or notes (tester round 59, 1)
    people = people_of(config, roster)
    say(
        f"{state}: {meeting.date.isoformat()} mentor {people.label(meeting.mentor_id)}"
        f", mentee {people.label(meeting.mentee_id)}"
    )
    for warning in said:  # dated when the pair did not exist (tester round 57, 6)
        say(warning)


def _roster(config: Any) -> dict[int, Any]:
    """The course's people by Moodle id, through the meetings service's own reader."""
    return {person.id: person for person in service.roster_people(config)}


def _by_key(roster: dict[int, Any], user_id: int, key: str, typed: str) -> str:
    """The person as the meeting rules name them (``[meetings] person_key``); what was typed if unknown."""
    user = roster.get(user_id)
    return str(getattr(user, key, "") or typed) if user is not None else typed


@command.command(
    "list",
    epilog=examples(
        "lmsync meetings list",
        "lmsync meetings list --person s0006@example.org --since 2026-09-01",
        "lmsync meetings list --format csv > meetings.csv",
    ),
)
@click.option("--person", default=None, help="Only this person's meetings (username, idnumber, email or Moodle id).")
@click.option(
    "--since", type=ISO_DATE, default=None, help="From this date (YYYY-MM-DD)."
)
@FORMAT
@click.pass_context
def list_command(ctx: click.Context, person: str | None, since: object, fmt: str) -> None:
    """Stored meetings, oldest first, people by name and username.

    A rating is shown only when the mentor gave it; "withheld" stands for a rating by the mentee, one whose side is
    not known, or no rating at all: the rating column does not tell these apart.
    """
    config = ctx.obj.config()
    refuse_if_absent(config, "meetings list", holds="nothing to show")  # not "no meetings stored" (tester round 77, 6)
    since_date = since.date() if since is not None else None  # type: ignore[attr-defined]
    people = load_people(config, reader=_roster)
    person_id = None
    if person is not None:
        (found,), roster = named(config, people.roster, [person])  # someone who left is found site-wide
        people, person_id = people_of(config, roster), str(found)
    rows = service.list_meetings(config, person=person_id, since=since_date)
    if people.note:
        say(f"({people.note})", err=True)
    echo_view(ctx, meetings_view(rows, people), fmt)


@command.command(
    "remove",
    epilog=examples("lmsync meetings remove --date 2026-11-03 --mentor t0007 --mentee s0004"),
)
@DATE
@MENTOR
@MENTEE
@click.option("--yes", is_flag=True, help="Remove without asking.")
@click.option("--wait", is_flag=True, help="Wait for another run of this programme instead of exiting.")
@click.pass_context
def remove_command(ctx: click.Context, when: str, mentor: str, mentee: str, yes: bool, wait: bool) -> None:
    """Remove a meeting recorded by an import or meetings add (a wrong date, say). One read from the
    Feedback meeting log is refused: delete its response in Moodle, and the next read removes it. Refused
    where there is no store yet (a mistyped [store] path or sqlite:/// url)."""
    from lmsync.errors import InputError

    config = ctx.obj.config()
    # "no stored meeting of this pair" where there is no store at all (tester round 98a, 7)
    refuse_if_absent(config, "meetings remove", holds="no meetings to remove: nothing was removed")
    (mentor_id, mentee_id), roster = named(config, _roster(config), [mentor, mentee])
    people = people_of(config, roster)

    def confirm(going: list[Any]) -> bool:
        for m in going:
            say(f"- {m.date.isoformat()} mentor {people.label(m.mentor_id)}, mentee {people.label(m.mentee_id)}: "
                       f"{m.minutes} min, {'attended' if m.attended else 'missed'} (from {m.source})")
        try:
            return yes or click.confirm(f"remove {len(going)} stored meeting(s)?", default=False)
        except click.Abort:  # no answer: end of input, no terminal (as person erase)
            raise InputError("nothing removed: no answer to confirm",
                             hint="pass --yes to remove without asking") from None

    removed = service.remove_meetings(config, when=when, mentor_id=mentor_id, mentee_id=mentee_id, confirm=confirm,
                                      wait=wait)
    say(f"removed {len(removed)} meeting(s)" if removed else "nothing removed")
    if any(m.source == "csv" for m in removed):  # tester round 16, 2: a re-import brought it back unannounced
        say("note: it came from an imported file; importing that file again brings it back: correct the file too")


@click.group("import", epilog=examples("lmsync import meetings meetings.csv"))
def import_command() -> None:
    """Import CSV files: all of a file or nothing; importing a file again stores nothing twice."""


def _report(result: ImportResult, people: People | None = None) -> str:
    """What an import says: its counts and notes; with ``people``, the replaced rows each by name (``People.label``)."""
    c = result.counts
    rows = f"{result.rows} row{'' if result.rows == 1 else 's'}"  # not "1 rows" (tester round 84, 10)
    text = f"{result.said_name}: {rows}, {c.added} added, {c.updated} updated, {c.unchanged} unchanged"
    if c.withheld:  # rows about someone erased, dated before the erasure (tester round 12, 1)
        text += f", {c.withheld} withheld (about people erased: `lmsync person erase` keeps them out)"
    if c.kept:
        text += f", {c.kept} kept as stored"
    if result.seen_before:  # "before" while rows were stored again read as "nothing changed" (tester round 16, 1)
        text += " (a file with exactly these contents was imported before" + (
            "; the rows that differ from what is stored now were stored again)" if c.added or c.updated else ")")
    if c.withheld and result.withheld_rows:  # which register lines were dropped (tester round 112b, 5)
        text += f"\n  withheld rows: {places_text(result.said_places(result.withheld_rows), c.withheld)}"
    if c.replaced:  # a renamed copy of an old file undid a later file's corrections without a word (round 84, 3)
        by = "another file (or `lmsync meetings add`)" if result.kind == "meetings" else "another file"  # round 85b, 10
        text += (f"\nnote: {c.replaced} of the updated row(s) replaced values {by} "
                 "had stored; if that was not meant, put the right values in a new file and import it")
        if result.replaced and people is not None:  # which rows: the count alone named none (tester round 105b, 2)
            text += ":\n" + "\n".join(replaced_lines(result.replaced, people))
    if c.kept:  # a re-import undid later corrections without a word (tester round 83, 1)
        since = (result.first_imported or "")[:10]
        by = "a later file or `lmsync meetings add`" if result.kind == "meetings" else "a later file"
        text += (f"\nnote: {c.kept} row(s) of this file changed after it was first imported ({since}), by {by}: they "
                 "are kept as stored, not undone; to store this file's values for them again, import those rows from a new file")
    if result.words_kept and not result.seen_before:  # a guess at a withheld rating told it (tester round 95a, 1)
        rows = ", ".join(result.said_places(result.words_kept_at[:10])) + (f" and {result.words_kept - 10} more" if result.words_kept > 10 else "")
        text += (f"\nnote: {result.words_kept} row(s) ({rows}) give a rating or notes, or blank ones, for a meeting stored as the "
                 "mentee's (or of an unknown side), whose rating and notes are withheld from views: the stored ones are "
                 "kept, never compared with this file's nor cleared by it; to replace or clear them, remove the meeting "
                 "first with `lmsync meetings remove`, then import the row")
    if result.not_in_file:  # a row deleted from a corrected copy stayed stored without a word (tester round 85b, 3)
        shown, beyond = result.not_in_file[:5], len(result.not_in_file) - 5
        text += (f"\nnote: {len(result.not_in_file)} meeting(s) an earlier file named {result.file_name} stored are not "
                 f"in this one ({', '.join(shown)}{f' and {beyond} more' if beyond > 0 else ''}): they stay stored, as an "
                 "import adds and corrects rows but never removes one; `lmsync meetings remove` takes one out")
    if result.date_order:
        text += f"\n{result.date_order}"
    if result.longer_than:
        longer, maximum = result.longer_than
        text += (f"\nwarning: {longer} meeting(s) longer than [meetings] max_minutes ({maximum}): a pair whose mean is "
                 "above it is not sent to the gradebook (`lmsync grades plan` names it); raise max_minutes in "
                 "lmsync.toml if such meetings are real")
        if result.longer_rows:  # which rows, as for the pair that did not exist (tester round 112b, 5)
            text += f"\n  rows: {places_text(result.said_places(result.longer_rows), longer)}"
    if result.outside_pair:  # counted in that month's figures without a word (tester rounds 21, 12; 57, 6; 58, 5)
        count, first, how = result.outside_pair
        text += (f"\nwarning: {count} meeting(s) dated when their pair did not exist (the first on {first.isoformat()}: "
                 f"{how}): kept, but no grade counts them; `lmsync meetings remove` takes one back if it is a mistake")
        if result.outside_rows:  # which rows (tester round 67, 5)
            text += f"\n  rows: {places_text(result.said_places(result.outside_rows), count)}"
    return text


def _import(kind: str) -> Callable[[Callable[[click.Context, Path, bool], str]], click.Command]:
    """``lmsync import KIND FILE`` or ``--template``: the function imports FILE and returns what to print;
    ``--template`` prints the header with an example row instead (``service.import_template``). Refused
    (``StoreAbsent``, exit 3, nothing read or made) where there is no store file at the configured path, the rule
    of ``queue list`` (``stores.refuse_if_absent``; tester round 94a, 4): a first sync makes the store."""

    def decorate(func: Callable[[click.Context, Path, bool], str]) -> click.Command:
        @import_command.command(kind, help=func.__doc__, epilog=examples(f"lmsync import {kind} {kind}.csv"))
        @click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path), required=False)
        @click.option("--template", is_flag=True, help="Print the CSV header with one example row, and exit.")
        @click.option("--wait", is_flag=True, help="Wait for another run of this programme instead of exiting.")
        @click.pass_context
        def command(ctx: click.Context, file: Path | None, template: bool, wait: bool) -> None:
            if template or file is None:
                if not template:
                    raise click.UsageError("give FILE, or --template for an example file", ctx=ctx)
                say(service.import_template(ctx.obj.config(), kind), nl=False)
                return
            # no store at the configured path: refused as `queue list` is, before anything is read or made (a
            # mistyped path took the file into a new, empty store, exit 0: tester round 94a, 4)
            refuse_if_absent(ctx.obj.config(), f"import {kind}", holds="nothing to import into: nothing was imported")
            say(func(ctx, file, wait))

        return command

    return decorate


@_import("meetings")
def import_meetings_command(ctx: click.Context, file: Path, wait: bool) -> str:
    """Columns date,mentor,mentee,minutes,attended[,rating,notes,rated_by,logged_by]; comma or semicolon; UTF-8.

    rated_by (mentor or mentee) or logged_by (that person, as in mentor/mentee) says who logged and rated
    the meeting; either may be left out or blank (not known). Re-importing a meeting (same date, mentor, mentee)
    keeps the stored rating, notes or side when the file has no such column; an empty cell clears the value only in
    a row of the mentor's side. No file clears a mentee's (or an unknown side's) rating and notes: an empty cell keeps
    them (remove the meeting with `lmsync meetings remove`, then import the row)."""
    config = ctx.obj.config()
    result = service.import_meetings(config, file, wait=wait)
    return _report(result, load_people(config, reader=_roster) if result.replaced else None)  # named as views do


def _passed_over_note(aside: Sequence[PassedOver], people: People) -> str:
    """The later incomplete sittings a wave kept its complete score over, each by person (``People.label``),
    instrument and day, the first ten; never an answer."""
    listed = "; ".join(f"{people.label(p.respondent_id)}, {p.instrument} {p.day.isoformat()} (counted: {p.wave} "
                       f"{p.counted.isoformat()})" for p in aside[:10])
    more = f"; and {len(aside) - 10} more" if len(aside) > 10 else ""
    return (f"{len(aside)} incomplete sitting(s) dated after a complete one in the same wave do not replace it "
            f"(the latest complete sitting counts): {listed}{more}")


@_import("surveys")
def import_surveys_command(ctx: click.Context, file: Path, wait: bool) -> str:
    """Columns respondent,date,instrument,item,value[,about]; a blank value is an unanswered item."""
    config = ctx.obj.config()
    result, scored = service.import_surveys(config, file, wait=wait)
    text = (
        f"{_report(result)}; the programme now holds {scored.stored} wave score(s), {scored.complete} complete "
        "(an incomplete one has fewer items answered than its instrument requires)"
    )
    text = f"{text}; {scored.no_wave}" if scored.no_wave else text
    if scored.passed_over:  # a stray later item did not replace a full sitting: said, by person (tester round 114a, 2)
        text += "; " + _passed_over_note(scored.passed_over, load_people(config, reader=_roster))
    return f"{text}; {scored.late}" if scored.late else text  # a closed wave's figures moved (tester round 121a, 7)
