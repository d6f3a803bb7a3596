"""``lmsync match``: who should mentor whom, and why.

Offline with ``--people FILE.csv``; otherwise the people are read from the configured
Moodle. Nothing is written anywhere: ``lmsync sync`` turns a match into Moodle groups.
"""

from __future__ import annotations

import csv
import io
import json

import click

from lmsync.domain.matching import MatchResult
from lmsync.service.match import match_programme


@click.command("match")
@click.option("--people", "people_file", type=click.Path(dir_okay=False), default=None,
              help="CSV with id,role,capacity,department,interests,year,languages[,current_mentor,preferences,needs].")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "csv"]), default="table", show_default=True,
              help="How to print the result.")
@click.option("--people-template", is_flag=True, help="Print the --people CSV header with one example row, and exit.")
@click.pass_context
def command(ctx: click.Context, people_file: str | None, fmt: str, people_template: bool) -> None:
    """Match mentees to mentors: optimal, explained, stable."""
    if people_template:
        click.echo(PEOPLE_TEMPLATE, nl=False)
        return
    result = match_programme(ctx.obj.config(), people_file)
    if fmt == "json":
        click.echo(json.dumps(result.to_dict(), indent=2, ensure_ascii=False))
    elif fmt == "csv":
        click.echo(as_csv(result), nl=False)
    else:
        click.echo(as_table(result))


#: ``--people-template``: every column ``--people`` reads (lmsync.service.people_csv), one mentee row.
PEOPLE_TEMPLATE = (
    "id,role,capacity,department,interests,year,languages,current_mentor,preferences,needs,fullname\n"
    "s0006,mentee,,Science,robotics;chess,9,en;fr,,t0001;t0002,study skills,Ada Lovelace\n"
)


def as_csv(result: MatchResult) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["mentee", "mentor", "circle", "score", "terms", "reasons", "unmatched_reason"])
    for a in result.assignments:
        terms = ";".join(f"{name}={value:g}" for name, value in a.terms.items())
        writer.writerow([a.mentee, a.mentor, a.circle, f"{a.score:g}", terms, "; ".join(a.reasons), ""])
    for u in result.unmatched:
        writer.writerow([u.mentee, "", u.circle, "", "", "", u.reason])
    return out.getvalue()


def as_table(result: MatchResult) -> str:
    rows = [(a.mentee, a.mentor + ("" if a.circle == "mentor" else " (peer)"), f"{a.score:g}", "; ".join(a.reasons))
            for a in result.assignments]
    head = ("mentee", "mentor", "score", "why")
    widths = [max([len(head[c])] + [len(r[c]) for r in rows]) for c in range(3)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(head[:3], widths, strict=True)) + "  " + head[3]]
    for r in rows:
        lines.append("  ".join(v.ljust(w) for v, w in zip(r[:3], widths, strict=True)) + "  " + r[3])
    if result.unmatched:
        lines.append("")
        lines.append(f"unmatched ({len(result.unmatched)}):")
        for u in result.unmatched:
            lines.append(f"  {u.mentee}{'' if u.circle == 'mentor' else ' (peer circle)'}: {u.reason}")
    lines.append("")
    loads = ", ".join(f"{k}={v}" for k, v in result.loads.items())
    lines.append(f"{len(result.assignments)} pairs, total score {result.total_score:g}; loads: {loads}")
    for o in result.optimality:
        lines.append(f"{o.circle} circle: {o.optimality.describe()}")
    for warning in result.warnings:
        lines.append(f"warning: {warning}")
    return "\n".join(lines)
