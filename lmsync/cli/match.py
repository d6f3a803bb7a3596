"""``lmsync match``: who should mentor whom, and why.

Offline with ``--people FILE.csv``; otherwise the people are read from the configured
Moodle. Nothing is written anywhere: ``lmsync sync`` turns a match into Moodle groups.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Mapping

import click

from lmsync.domain.matching import MatchResult
from lmsync.service.match import match_view


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
    result, labels = match_view(ctx.obj.config(), people_file)
    if fmt == "json":
        click.echo(json.dumps(result.to_dict(), indent=2, ensure_ascii=False))
    elif fmt == "csv":
        click.echo(as_csv(result, labels), nl=False)
    else:
        click.echo(as_table(result, labels))


#: ``--people-template``: every column ``--people`` reads (lmsync.service.people_csv), one mentee row.
PEOPLE_TEMPLATE = (
    "id,role,capacity,department,interests,year,languages,current_mentor,preferences,needs,fullname\n"
    "s0006,mentee,,Science,robotics;chess,9,en;fr,,t0001;t0002,study skills,Ada Lovelace\n"
)


def as_csv(result: MatchResult, labels: Mapping[str, str] | None = None) -> str:
    """One row per pair and per unmatched mentee; people as ``Name (username)`` (``labels``)."""
    name = _namer(labels)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["mentee", "mentor", "circle", "score", "terms", "reasons", "unmatched_reason"])
    for a in result.assignments:
        terms = ";".join(f"{key}={value:g}" for key, value in a.terms.items())
        writer.writerow([name(a.mentee), name(a.mentor), a.circle, f"{a.score:g}", terms, "; ".join(a.reasons), ""])
    for u in result.unmatched:
        writer.writerow([name(u.mentee), "", u.circle, "", "", "", u.reason])
    return out.getvalue()


def _namer(labels: Mapping[str, str] | None) -> Callable[[str], str]:
    return lambda person: (labels or {}).get(person, person)


def as_table(result: MatchResult, labels: Mapping[str, str] | None = None) -> str:
    """The pairs with scores and reasons; people as ``Name (username)`` (``labels``)."""
    name = _namer(labels)
    rows = [(name(a.mentee), name(a.mentor) + ("" if a.circle == "mentor" else " (peer)"), f"{a.score:g}",
             "; ".join(a.reasons)) for a in result.assignments]
    head = ("mentee", "mentor", "score", "why")
    widths = [max([len(head[c])] + [len(r[c]) for r in rows]) for c in range(3)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(head[:3], widths, strict=True)) + "  " + head[3]]
    for r in rows:
        lines.append("  ".join(v.ljust(w) for v, w in zip(r[:3], widths, strict=True)) + "  " + r[3])
    if result.unmatched:
        lines.append("")
        lines.append(f"unmatched ({len(result.unmatched)}):")
        for u in result.unmatched:
            lines.append(f"  {name(u.mentee)}{'' if u.circle == 'mentor' else ' (peer circle)'}: {u.reason}")
    lines.append("")
    loads = ", ".join(f"{k}={v}" for k, v in result.loads.items())
    lines.append(f"{len(result.assignments)} pairs, total score {result.total_score:g}; loads: {loads}")
    for o in result.optimality:
        lines.append(f"{o.circle} circle: {o.optimality.describe()}")
    for warning in result.warnings:
        lines.append(f"warning: {warning}")
    return "\n".join(lines)
