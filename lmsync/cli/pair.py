"""``lmsync pair show WHO [WHO]``: one pair's history for a coordinator.

Meetings (date, minutes, attended; never a single meeting's rating), satisfaction per side
(the mentee side only as a mean over the mentor's mentees, as the report shows it), the
pair's status over time (the daily snapshots), the nudges sent and the queue items.
"""

from __future__ import annotations

import json
from typing import Any

import click

from lmsync.errors import InputError
from lmsync.service import health as service
from lmsync.service.directory import people_of, read_roster_of, resolve_person
from lmsync.service.labels import People
from lmsync.service.stores import open_store
from lmsync.store.health import HealthSnapshots
from lmsync.store.pairings import PairingHistory


def _pairs_of(config: Any, person: int) -> list[tuple[int, int]]:
    """Every pair the store knows with ``person`` on either side (pairing history, snapshots)."""
    store = open_store(config, read_only=True)
    try:
        known = set(PairingHistory(store, config.programme.name).pairing_days())
        known |= {(r.mentor_id, r.mentee_id) for r in HealthSnapshots(store, config.programme.name).rows()}
    finally:
        store.close()
    return sorted(p for p in known if person in p)


def _changes(snapshots: list[Any]) -> list[Any]:
    """The days the status or its reasons changed (a daily snapshot repeats itself)."""
    out, last = [], None
    for row in snapshots:
        key = (row.status, tuple(code for code, _ in row.reasons))
        if key != last:
            out.append(row)
            last = key
    return out


def history_json(h: service.PairHistory, people: People) -> dict[str, Any]:
    return {
        "pair": f"{h.mentor_id}-{h.mentee_id}",
        "mentor": people.as_json(h.mentor_id),
        "mentee": people.as_json(h.mentee_id),
        "not_a_good_fit": {"source": h.forbidden[0], "on": h.forbidden[1].isoformat()} if h.forbidden else None,
        "meetings": [
            {"date": m.date.isoformat(), "minutes": m.minutes, "attended": m.attended, "source": m.source}
            for m in h.meetings
        ],
        "satisfaction": [
            {
                "side": s.side, "instrument": s.instrument, "wave": s.wave, "date": s.day.isoformat(),
                "score": s.score, "over": s.over, "withheld": s.withheld,
            }
            for s in h.scores
        ],
        "status": [
            {"day": r.day.isoformat(), "status": r.status, "reasons": [{"code": c, "text": t} for c, t in r.reasons]}
            for r in _changes(h.snapshots)
        ],
        "nudges": [
            {"day": n.day.isoformat(), "to": people.as_json(n.recipient_id), "kind": n.kind, "state": n.state}
            for n in h.nudges
        ],
        "queue": [
            {
                "opened": i.opened_on.isoformat(), "status": i.status, "owner": i.owner,
                "due": i.due_on.isoformat() if i.due_on else None, "outcome": i.outcome,
                "closed": i.acked_on.isoformat() if i.acked_on else None, "escalated_to": i.escalated_to,
                "note": i.note,
            }
            for i in h.items
        ],
    }


def history_text(h: service.PairHistory, people: People) -> str:
    lines = [f"Pair {people.pair(h.mentor_id, h.mentee_id)}"]
    if h.forbidden:
        lines.append(f"  marked not a good fit on {h.forbidden[1].isoformat()} ({h.forbidden[0]}): re-matched by sync")
    lines.append(f"Meetings ({len(h.meetings)}):")
    for m in h.meetings:
        lines.append(f"  {m.date.isoformat()}  {m.minutes:>3} min  {'attended' if m.attended else 'missed'}  [{m.source}]")
    lines.append("Satisfaction (per side):")
    for s in h.scores:
        if s.withheld:
            value = f"withheld: only {s.over} of the mentor's mentees answered (mentee ratings of a mentor are shown as a mean only)"
        elif s.side == "mentee":
            value = f"{s.score} (mean over {s.over} mentee(s) of this mentor)"
        else:
            value = f"{s.score}"
        lines.append(f"  {s.side:<6} {s.instrument} {s.wave}: {value}")
    lines.append("Status over time:")
    for r in _changes(h.snapshots):
        reasons = "; ".join(t for _, t in r.reasons)
        lines.append(f"  {r.day.isoformat()}  {r.status:<8} {reasons}")
    lines.append(f"Nudges ({len(h.nudges)}):")
    for n in h.nudges:
        lines.append(f"  {n.day.isoformat()}  to {people.label(n.recipient_id)}  {n.kind}  {n.state}")
    lines.append(f"Queue items ({len(h.items)}):")
    for i in h.items:
        state = f"closed {i.acked_on.isoformat()}" if i.acked_on else f"open, due {i.due_on.isoformat() if i.due_on else '?'}"
        extra = "".join(
            [f", owner {i.owner}" if i.owner else "", f", outcome {i.outcome}" if i.outcome else "",
             f", escalated to {i.escalated_to}" if i.escalated_to else ""]
        )
        lines.append(f"  opened {i.opened_on.isoformat()} ({i.status}): {state}{extra}")
    return "\n".join(lines)


@click.group("pair")
def pair_command() -> None:
    """One pair's history (coordinator view)."""


@pair_command.command("show")
@click.argument("who", nargs=-1, required=True, metavar="WHO [WHO]")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.pass_context
def pair_show_command(ctx: click.Context, who: tuple[str, ...], fmt: str) -> None:
    """Meetings, satisfaction per side, status over time, nudges and queue items of one pair.

    WHO is a username, idnumber, email or Moodle id: the mentor and the mentee, or one
    person with exactly one pair.
    """
    config = ctx.obj.config()
    if len(who) > 2:
        raise InputError("pair show takes one or two people", hint="lmsync pair show MENTOR MENTEE")
    roster = read_roster_of(config)
    ids = [resolve_person(roster, w) for w in who]
    people = people_of(config, roster)
    if len(ids) == 2:
        if ids[0] == ids[1]:
            raise InputError(
                f"{people.label(ids[0])} twice: a pair is two people", hint="lmsync pair show MENTOR MENTEE"
            )
        known = _pairs_of(config, ids[0])
        pair = (ids[0], ids[1])
        if pair not in known and (ids[1], ids[0]) in known:
            pair = (ids[1], ids[0])  # given mentee first
        elif pair not in known:
            raise InputError(
                f"{people.label(ids[0])} and {people.label(ids[1])} are not a pair "
                "(and never were, per the pairing history)",
                hint=f"`lmsync pair show {who[0]}` lists {people.label(ids[0])}'s pairs",
            )
    else:
        pairs = _pairs_of(config, ids[0])
        if len(pairs) != 1:
            found = ", ".join(people.pair(*p) for p in pairs) or "none"
            raise InputError(
                f"{people.label(ids[0])} has {len(pairs)} pairs in the store ({found})",
                hint="name both people: lmsync pair show MENTOR MENTEE",
            )
        pair = pairs[0]
    history = service.pair_history(config, pair)
    if fmt == "json":
        click.echo(json.dumps(history_json(history, people), indent=2))
    else:
        click.echo(history_text(history, people))


command = [pair_command]
