"""``lmsync health``, ``lmsync nudge`` and ``lmsync queue list|ack``: fading pairs, found and acted on.

``command`` is a list of three click objects. Each parses options, calls one function of
``lmsync.service.health`` / ``lmsync.service.nudges`` and renders: people appear as Moodle
ids and usernames, reasons as codes and sentences, never a survey score.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

import click

from lmsync.errors import PartialFailure
from lmsync.service import health as service
from lmsync.service import nudges as nudge_service


def _as_of(value: datetime | None) -> date | None:
    return value.date() if value is not None else None


AS_OF = click.option(
    "--as-of",
    "as_of",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="Judge as on this date (YYYY-MM-DD; default today). Data dated later is ignored.",
)


def _pair_label(view: service.PairView) -> str:
    return f"{view.health.pair_id} ({view.mentor_username} / {view.mentee_username})"


def health_json(report: service.HealthReport) -> dict[str, Any]:
    return {
        "as_of": report.as_of.isoformat(),
        "counts": report.counts,
        "skipped_inactive": report.assessment.skipped_inactive,
        "queued": report.queued,
        "pairs": [
            {
                "pair": v.health.pair_id,
                "mentor_id": v.health.mentor_id,
                "mentor": v.mentor_username,
                "mentee_id": v.health.mentee_id,
                "mentee": v.mentee_username,
                "status": v.health.status,
                "paired_since": v.health.paired_since.isoformat(),
                "last_meeting": v.health.last_meeting.isoformat() if v.health.last_meeting else None,
                "days_since_meeting": v.health.days_since_meeting,
                "reasons": [
                    {"code": r.code, "severity": r.severity, "text": r.text} for r in v.health.reasons
                ],
            }
            for v in report.assessment.pairs
        ],
    }


def health_text(report: service.HealthReport) -> str:
    counts = ", ".join(f"{n} {status.replace('_', ' ')}" for status, n in report.counts.items())
    lines = [f"Pair health on {report.as_of.isoformat()}: {len(report.assessment.pairs)} pairs: {counts}."]
    if report.assessment.skipped_inactive:
        lines.append(
            f"({report.assessment.skipped_inactive} circle members without an active enrolment left out)"
        )
    attention = report.attention
    if attention:
        lines.append("")
        lines.append("Needing attention:")
        for view in attention:
            h = view.health
            last = h.last_meeting.isoformat() if h.last_meeting else "never"
            lines.append(f"  {h.status:<8} {_pair_label(view)}  last meeting {last}")
            for reason in h.reasons:
                lines.append(f"           - {reason.text} [{reason.code}]")
    if report.queued:
        lines.append("")
        lines.append(f"Added to the coordinator queue: {', '.join(report.queued)} (see `lmsync queue list`).")
    return "\n".join(lines)


@click.command("health")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@AS_OF
@click.option("--wait", is_flag=True, help="Wait for another run of this programme instead of exiting.")
@click.pass_context
def health_command(ctx: click.Context, fmt: str, as_of: datetime | None, wait: bool) -> None:
    """Which pairs are fading (coordinator view); stores today's snapshot and queues fading pairs."""
    report = service.health_job(ctx.obj.config(), as_of=_as_of(as_of), wait=wait)
    if fmt == "json":
        click.echo(json.dumps(health_json(report), indent=2))
    else:
        click.echo(health_text(report))


def nudge_text(report: nudge_service.NudgeReport) -> str:
    head = "Would send" if report.dry_run else "Nudges"
    lines = [
        f"{head} on {report.as_of.isoformat()}: {len(report.planned)} message(s)"
        + (
            f"; {report.recently_nudged} skipped (nudged inside the interval)"
            if report.recently_nudged
            else ""
        )
    ]
    if report.dry_run:
        for n in report.planned:
            lines.append(
                f"  to {n.recipient_username} ({n.recipient_id}, {n.role} of pair {n.pair_id}, {n.kind}):"
            )
            lines.append(f"    {n.text}")
        return "\n".join(lines)
    for o in report.outcomes:
        n = o.nudge
        detail = f"msgid {o.msgid}" if o.state == "sent" else (o.error or "")
        lines.append(
            f"  {o.state:<7} to {n.recipient_username} ({n.role} of pair {n.pair_id}, {n.kind}): {detail}"
        )
    if report.not_attempted:
        lines.append(f"  {len(report.not_attempted)} not attempted: stopped after an unknown outcome")
    return "\n".join(lines)


@click.command("nudge")
@click.option("--dry-run", is_flag=True, help="Print the messages that would be sent; send nothing.")
@AS_OF
@click.option("--wait", is_flag=True, help="Wait for another run of this programme instead of exiting.")
@click.pass_context
def nudge_command(ctx: click.Context, dry_run: bool, as_of: datetime | None, wait: bool) -> None:
    """Message both people of each at-risk or fading pair (at most once per interval)."""
    report = nudge_service.nudge_job(ctx.obj.config(), as_of=_as_of(as_of), dry_run=dry_run, wait=wait)
    click.echo(nudge_text(report))
    if report.failed:
        raise PartialFailure(
            f"{len(report.failed)} nudge(s) refused by Moodle",
            hint="they are not retried inside [nudges] interval_days; check the people's messaging settings",
        )
    if report.unknown:
        raise PartialFailure(
            "stopped after a message whose outcome is unknown (counted as sent)",
            hint="run `lmsync nudge` again: the rest will be sent",
        )


@click.group("queue")
def queue_command() -> None:
    """The coordinator queue: fading pairs waiting for a person."""


@queue_command.command("list")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@click.pass_context
def queue_list_command(ctx: click.Context, fmt: str) -> None:
    """Open items, oldest first, with their reasons (pairs as MENTOR_ID-MENTEE_ID)."""
    items = service.queue_list(ctx.obj.config())
    if fmt == "json":
        data = [
            {
                "pair": f"{i.mentor_id}-{i.mentee_id}",
                "status": i.status,
                "since": i.opened_on.isoformat(),
                "last_seen": i.last_seen_on.isoformat(),
                "reasons": [{"code": c, "text": t} for c, t in i.reasons],
            }
            for i in items
        ]
        click.echo(json.dumps(data, indent=2))
        return
    if not items:
        click.echo("the coordinator queue is empty")
        return
    for i in items:
        click.echo(
            f"{i.mentor_id}-{i.mentee_id}  {i.status}  since {i.opened_on.isoformat()}"
            f"  (last seen {i.last_seen_on.isoformat()})"
        )
        for code, text in i.reasons:
            click.echo(f"    - {text} [{code}]")
    click.echo(f"{len(items)} open item(s); `lmsync queue ack PAIR_ID --note ...` closes one")


@queue_command.command("ack")
@click.argument("pair_id")
@click.option("--note", default=None, help="What was done (stored locally).")
@click.pass_context
def queue_ack_command(ctx: click.Context, pair_id: str, note: str | None) -> None:
    """Acknowledge a pair's open item (PAIR_ID is MENTOR_ID-MENTEE_ID, e.g. 66-3)."""
    item = service.queue_ack(ctx.obj.config(), pair_id, note=note)
    click.echo(f"acknowledged {item.mentor_id}-{item.mentee_id} (open since {item.opened_on.isoformat()})")


command = [health_command, nudge_command, queue_command]
