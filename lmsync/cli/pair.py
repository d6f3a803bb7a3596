"""``lmsync pair show WHO [WHO]``: one pair's history for a coordinator.

Meetings (date, minutes, attended; never a single meeting's rating), satisfaction per side
(the mentee side only as a mean over the mentor's mentees, as the report shows it), the
pair's status over time (the daily snapshots), the nudges sent and the queue items.
"""

from __future__ import annotations

from typing import Any

import click

from lmsync.cli import FORMAT, echo_view, examples
from lmsync.errors import InputError
from lmsync.render.pair import pair_view
from lmsync.service import health as service
from lmsync.service.directory import named, people_of, read_roster_of
from lmsync.service.stores import open_store, warn_if_absent
from lmsync.store.health import CoordinatorQueue, HealthSnapshots
from lmsync.store.pairings import PairingHistory


def _pairs_of(config: Any, person: int) -> list[tuple[int, int]]:
    """Every pair the store knows with ``person`` on either side (pairing history, snapshots,
    queue items: a pair re-matched and judged again on the same day keeps no snapshot of that
    day, but its queue item stays, tester finding 4)."""
    store = open_store(config, read_only=True)
    warn_if_absent(store)
    try:
        known = set(PairingHistory(store, config.programme.name).pairing_days())
        known |= {(r.mentor_id, r.mentee_id) for r in HealthSnapshots(store, config.programme.name).rows()}
        known |= {item.pair for item in CoordinatorQueue(store, config.programme.name).items()}
    finally:
        store.close()
    return sorted(p for p in known if person in p)


@click.group("pair", epilog=examples("lmsync pair show m0001 s0008"))
def pair_command() -> None:
    """One pair's history (coordinator view)."""


@pair_command.command(
    "show",
    epilog=examples("lmsync pair show m0001 s0008", "lmsync pair show s0008 --format json"),
)
@click.argument("who", nargs=-1, required=True, metavar="WHO [WHO]")
@FORMAT
@click.pass_context
def pair_show_command(ctx: click.Context, who: tuple[str, ...], fmt: str) -> None:
    """Meetings, satisfaction per side, status over time, nudges and queue items of one pair.

    WHO is a username, idnumber, email or Moodle id: the mentor and the mentee, or one
    person with exactly one pair.
    """
    config = ctx.obj.config()
    if len(who) > 2:
        raise InputError("pair show takes one or two people", hint="lmsync pair show MENTOR MENTEE")
    ids, roster = named(config, read_roster_of(config), who)  # someone who left is found site-wide
    people = people_of(config, roster)
    if len(ids) == 2:
        if ids[0] == ids[1]:
            raise InputError(
                f"{people.label(ids[0])} twice: a pair is two people",
                hint="lmsync pair show MENTOR MENTEE",
                summary=f"user {ids[0]} given twice: a pair is two people",
            )
        known = _pairs_of(config, ids[0])
        pair = (ids[0], ids[1])
        if pair not in known and (ids[1], ids[0]) in known:
            pair = (ids[1], ids[0])  # given mentee first
        elif pair not in known:
            raise InputError(
                f"{people.label(ids[0])} and {people.label(ids[1])} are not a pair in this programme's store "
                "(it holds no pairing of theirs: never paired, one of them was erased, or paired in Moodle since the "
                "store last judged the programme's health)",
                # a circle changed by hand shows in `health --as-of` (read from Moodle) before the store has it
                # (tester round 41, 4)
                hint=f"`lmsync pair show {who[0]}` lists their pairs; a pair made in Moodle is recorded by the next "
                     "`lmsync health` or `lmsync run`",
                summary=f"users {ids[0]} and {ids[1]} are not a pair",
            )
    else:
        pairs = _pairs_of(config, ids[0])
        if len(pairs) != 1:
            found = ", ".join(people.pair(*p) for p in pairs) or "none"
            raise InputError(
                f"{people.label(ids[0])} has {len(pairs)} pairs in the store ({found})",
                # no pair at all: naming a second person cannot help (tester round 3, 20)
                hint="name both people: lmsync pair show MENTOR MENTEE" if pairs else
                "check who you meant: `lmsync queue list` and `lmsync health` name the programme's pairs",
                summary=f"user {ids[0]} has {len(pairs)} pairs in the store",
            )
        pair = pairs[0]
    history = service.pair_history(config, pair)
    echo_view(ctx, pair_view(history, people), fmt)


command = [pair_command]
