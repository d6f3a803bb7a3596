"""``lmsync pair show WHO [WHO]``: one pair's history for a coordinator.

Meetings (date, minutes, attended; never a single meeting's rating), satisfaction per side
(the mentee side only as a mean over the mentor's mentees, as the report shows it), the
pair's status over time (the daily snapshots), the nudges sent and the queue items.
"""

from __future__ import annotations

import click

from lmsync.cli import FORMAT, echo_view, examples
from lmsync.errors import InputError
from lmsync.render.pair import pair_view
from lmsync.service import health as service
from lmsync.service.directory import named, people_of, read_roster_of, with_accounts
from lmsync.service.established import NotAPair
from lmsync.service.pair_history import pairs_of
from lmsync.service.pair_people import pair_people
from lmsync.service.stores import refuse_if_absent


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
    active = read_roster_of(config)
    ids, roster = named(config, active, who)  # someone who left is found site-wide
    refuse_if_absent(config, "pair show", holds="nothing to show")  # not "0 pairs in the store" (tester round 77, 6)
    people = people_of(config, roster)
    if len(ids) == 2:
        if ids[0] == ids[1]:
            raise InputError(
                f"{people.label(ids[0])} twice: a pair is two people",
                hint="lmsync pair show MENTOR MENTEE",
                summary=f"user {ids[0]} given twice: a pair is two people",
            )
        known = pairs_of(config, ids[0])
        pair = (ids[0], ids[1])
        if pair not in known and (ids[1], ids[0]) in known:
            pair = (ids[1], ids[0])  # given mentee first
        elif pair not in known:
            raise NotAPair(ids[0], ids[1], people.label, who[0])
    else:
        pairs = pairs_of(config, ids[0])
        if len(pairs) != 1:
            # a partner who left is named from their account, not "user #74" (tester round 63, 6)
            people = people_of(config, with_accounts(config, roster, {u for p in pairs for u in p}))
            found = ", ".join(people.pair(*p) for p in pairs) or "none"
            raise InputError(
                f"{people.label(ids[0])} has {len(pairs)} pairs in the store ({found})",
                # no pair at all: naming a second person cannot help (tester round 3, 20)
                hint="name both people: lmsync pair show MENTOR MENTEE" if pairs else
                "check who you meant: `lmsync queue list` and `lmsync health` name the programme's pairs",
                summary=f"user {ids[0]} has {len(pairs)} pairs in the store",
            )
        pair = pairs[0]
    # both named from their accounts, and where each stands in the course, whoever was typed (tester round 108a, 3)
    people, standing = pair_people(config, active, roster, pair)
    history = service.pair_history(config, pair)
    echo_view(ctx, pair_view(history, people, standing), fmt)


command = [pair_command]
