"""``lmsync match``: who should mentor whom, and why.

Offline with ``--people FILE.csv``; otherwise the people are read from the configured
Moodle. Nothing is written anywhere: ``lmsync sync`` turns a match into Moodle groups.
"""

from __future__ import annotations

import click

from lmsync.cli import FORMAT, echo_view, examples
from lmsync.cli.output import csv_warnings, say
from lmsync.render.match import match_view
from lmsync.service import match as service


@click.command(
    "match",
    epilog=examples("lmsync match", "lmsync match --people people.csv --format csv > match.csv"),
)
@click.option("--people", "people_file", type=click.Path(dir_okay=False), default=None,
              help="CSV with id,role,capacity,department,interests,year,languages[,current_mentor,current_peer,preferences,"
                   "needs,fullname] (an attribute's Moodle profile shortname, e.g. yearofstudy, names its column too; "
                   "column names in any case); "
                   "several values in one cell (role, interests, languages, preferences, needs) are separated by ; or , "
                   "(quote the cell); ids in any case.")
@FORMAT
@click.option("--people-template", is_flag=True, help="Print the --people CSV header with example rows (two mentors, a mentee), and exit.")
@click.pass_context
def command(ctx: click.Context, people_file: str | None, fmt: str, people_template: bool) -> None:
    """Match mentees to mentors: the best total score, each pair explained, existing pairs kept.

    The best total score: the sum of the pairs' scores less the load-balance cost ([matching]
    load_balance), with as few mentees unmatched as possible. A mentee may get another mentor than
    their own best when that lets others gain more, so the match is not "stable" in the
    matching-theory sense. Existing pairs stay unless [matching] rematch opens them; an opened pair
    moves when the total gains more than [matching.weights] stickiness by it.
    """
    if people_template:
        say(PEOPLE_TEMPLATE, nl=False)
        return
    result, labels = service.match_view(ctx.obj.config(), people_file)
    echo_view(ctx, match_view(result, labels, fmt), fmt)
    # text shows them under the table, JSON in "warnings": CSV has no place (tester round 40b, 2)
    if fmt == "csv" and result.mutual is not None:  # how far the search went, as text says it (tester round 121b, 9)
        say(f"note: {result.mutual.describe()}", err=True)
    csv_warnings(fmt, result.warnings)


#: ``--people-template``: every column ``--people`` reads (lmsync.service.people_csv): two mentors and a
#: mentee who ranks them, so the template is itself a file ``--people`` matches. Values in one cell: ``;`` or
#: ``,`` (a quoted cell), both shown (tester finding FIX-C 2).
PEOPLE_TEMPLATE = (
    "id,role,capacity,department,interests,year,languages,current_mentor,current_peer,preferences,needs,fullname\n"
    "t0001,mentor,3,Science,robotics,,en,,,,,Alan Turing\n"
    "t0002,mentor,,Medicine,chess;music,,fr,,,,,Ifeoma Obi\n"
    "s0006,mentee,,Science,\"robotics, chess\",9,en;fr,,,t0001;t0002,study skills,Ada Lovelace\n"
)

