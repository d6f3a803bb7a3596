"""``lmsync report``: the programme report as one self-contained HTML page, or its tables as CSV."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import click

from lmsync.cli import OutPath
from lmsync.cli.dates import ISO_DATE
from lmsync.cli.output import say
from lmsync.errors import InputError


@click.command("report")
@click.option(
    "--out",
    "out",
    required=True,
    type=OutPath(path_type=Path),
    help="The HTML file to write (with --format csv: a folder, one CSV file per table).",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["html", "csv"], case_sensitive=False),
    default="html",
    show_default=True,
    help="html: one page with charts; csv: every table behind the charts.",
)
@click.option(
    "--as-of",
    "as_of",
    type=ISO_DATE,
    default=None,
    help="Report as on this date (YYYY-MM-DD; default today). Data dated later is left out.",
)
@click.option("--force", is_flag=True, help="Replace the HTML file (or the CSV files) --out names if they exist.")
@click.pass_context
def command(ctx: click.Context, out: Path, fmt: str, as_of: datetime | None, force: bool) -> None:
    """Meetings, pair health, surveys, matching and the programme evaluation, in one report.

    Reads Moodle (circles, people) and the store; writes nothing but the report. People
    appear by username unless [report] names = true; mentees' ratings of a mentor only
    as means over at least [grades] min_mentees_for_mentor_rating mentees.

    \b
    Examples:
      lmsync report --out report.html
      lmsync report --out report.html --force
      lmsync report --format csv --out report-tables/
    """
    from lmsync.render.report import renderer
    from lmsync.service.out_files import check_files, check_out
    from lmsync.service.report import report_job, write_report
    from lmsync.service.stores import refuse_if_absent

    if fmt == "html" and out.is_dir():
        raise InputError(f"--out {out} is a folder: give the HTML file to write (or --format csv)")
    if fmt == "csv" and out.exists() and not out.is_dir():
        raise InputError(f"--out {out} is a file: --format csv writes a folder of CSV files")
    if fmt == "csv" and not out.exists() and out.suffix.lower() == ".csv":  # round 26, 11: a folder named f.csv
        raise InputError(f"--out {out}: --format csv writes a folder of CSV files, one per table, not one .csv file",
                         hint=f"name the folder, e.g. --out {out.with_suffix('')}/")
    config = ctx.obj.config()
    check_out(out, force=force, config=config, folder=fmt == "csv")
    # a report of no store was a programme with no meetings, surveys nor health (tester round 77, 6)
    refuse_if_absent(config, "report", holds="nothing to report")
    data = report_job(config, as_of=as_of.date() if as_of else None, daily_health=fmt == "csv")
    again = f"lmsync report --format {fmt} --out {out} --force"
    written = write_report(data, out, renderer(), fmt=fmt,
                           check=lambda paths: check_files(out, paths, force=force, config=config, again=again))
    if fmt == "html":
        say(f"report written to {out}")
    else:
        say(f"{len(written)} tables written to {out}/")
    from lmsync.service.clock_reads import clock_warning

    if (warning := clock_warning(config, "report", data.as_of)) is not None:  # a clock set back (tester round 111b, 5)
        say(warning, err=True)
